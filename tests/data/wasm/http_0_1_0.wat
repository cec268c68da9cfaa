;; A minimal HTTP filter for ABI 0.1.0: two-parameter headers callbacks, proxy_continue_request
;; as () -> i32 and proxy_get_configuration as (i32,i32) -> i32, as the host registers them
;; (proxy-wasm-cpp-host src/wasm.cc registerCallbacks, include/proxy-wasm/exports.h @52a0291).
(module
  (import "env" "proxy_log" (func $log (param i32 i32 i32) (result i32)))
  (import "env" "proxy_continue_request" (func $continue_request (result i32)))
  (import "env" "proxy_clear_route_cache" (func $clear (result i32)))
  (import "env" "proxy_get_configuration" (func $get_config (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "proxy_abi_version_0_1_0"))
  (func (export "_start"))
  (func (export "malloc") (param i32) (result i32) (i32.const 4096))
  (func (export "proxy_on_configure") (param i32 i32) (result i32) (i32.const 1))
  (func (export "proxy_on_request_headers") (param i32 i32) (result i32) (i32.const 0))
  (func (export "proxy_on_response_headers") (param i32 i32) (result i32) (i32.const 0))
)
