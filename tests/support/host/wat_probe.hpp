// Test support for the host: the part every raw-ABI probe module in WebAssembly text repeats
// (tests/unit/host/conformance_test.cpp, tests/e2e/test_cmd_test.cpp), written once.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

namespace ext::test::host {

struct WatImport {
  std::string_view name;      // the function's name in the probe: "log" -> $log
  std::string_view hostcall;  // "proxy_log"
};

// The start of a probe module: `(module`, the hostcalls imported from "env" with the signatures
// of lib/ext/wasm/abi_list.hpp (throws for a name the ABI does not have), `memory` exported
// with `memory_pages` pages, a bump allocator exported as `malloc` (16-byte steps from
// `heap_base`) and the ABI 0.2.1 marker. The caller appends data segments, functions and ")".
std::string wat_probe_preamble(std::initializer_list<WatImport> imports, int memory_pages = 2,
                               int heap_base = 65536);

}  // namespace ext::test::host
