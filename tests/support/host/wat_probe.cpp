#include "support/host/wat_probe.hpp"

#include <stdexcept>

#include "ext/wasm/abi_tables.hpp"

namespace ext::test::host {

namespace {

// "(i32,i64)->i32" -> " (param i32 i64) (result i32)"; "()->()" -> "".
std::string wat_signature(std::string_view sig) {
  auto arrow = sig.find("->");
  std::string params(sig.substr(1, arrow - 2));
  std::string result(sig.substr(arrow + 2));
  std::string out;
  if (!params.empty()) {
    for (auto& c : params)
      if (c == ',') c = ' ';
    out += " (param " + params + ")";
  }
  if (result != "()") out += " (result " + result + ")";
  return out;
}

}  // namespace

std::string wat_probe_preamble(std::initializer_list<WatImport> imports, int memory_pages,
                               int heap_base) {
  std::string out = "(module\n";
  for (const auto& i : imports) {
    const auto* f = ext::wasm::abi::find_env_import(i.hostcall);
    if (!f) throw std::invalid_argument("no hostcall " + std::string(i.hostcall) + " in the ABI");
    out += " (import \"env\" \"" + std::string(i.hostcall) + "\" (func $" + std::string(i.name) +
           wat_signature(f->signature) + "))\n";
  }
  out += " (memory (export \"memory\") " + std::to_string(memory_pages) + ")\n";
  out += " (global $heap (mut i32) (i32.const " + std::to_string(heap_base) + "))\n";
  out += R"( (func (export "malloc") (param $n i32) (result i32) (local $p i32)
   (local.set $p (global.get $heap))
   (global.set $heap (i32.add (global.get $heap)
     (i32.and (i32.add (local.get $n) (i32.const 15)) (i32.const -16))))
   (local.get $p))
 (func (export "proxy_abi_version_0_2_1"))
)";
  return out;
}

}  // namespace ext::test::host
