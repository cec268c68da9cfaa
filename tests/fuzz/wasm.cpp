// The wasm reader (WABT) and ext's validator, and the JSON `ext inspect --json` prints.
#include "ext/wasm/module.hpp"
#include "ext/wasm/module_json.hpp"
#include "fuzz.hpp"

EXT_FUZZ_TARGET(wasm) {
  auto info = ext::wasm::read_module(ext::fuzz::as_text(data, size));
  if (!info) return 0;
  auto findings = ext::wasm::validate(*info);
  (void)ext::wasm::has_errors(findings);
  // Names in a module are arbitrary bytes: what we print must survive them.
  (void)ext::wasm::to_json(*info).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  (void)ext::wasm::to_json(findings).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return 0;
}
