#include "support/wasm/fixtures.hpp"

#include <algorithm>
#include <cstdint>
#include <map>
#include <mutex>

#include "ext/core/error.hpp"
#include "ext/util/files.hpp"
#include "ext/util/process.hpp"
#include "support/fixture_compiler.hpp"
#include "support/paths.hpp"

namespace ext::test::wasm {

namespace fs = std::filesystem;

std::string assemble(const std::string& wat, const std::vector<std::string>& flags) {
  std::vector<std::string> all = {"--debug-names"};
  all.insert(all.end(), flags.begin(), flags.end());
  return wat_to_wasm(wat, all);
}

const std::string& fixture(const std::string& name) {
  static std::mutex mutex;
  static std::map<std::string, std::string> cache;
  std::lock_guard lock(mutex);
  auto it = cache.find(name);
  if (it != cache.end()) return it->second;
  auto wat = util::read_file(data_dir() / "wasm" / (name + ".wat"));
  return cache.emplace(name, assemble(wat)).first->second;
}

std::vector<std::pair<std::string, std::string>> all_fixtures() {
  std::vector<std::pair<std::string, std::string>> out;
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(data_dir() / "wasm"))
    if (e.path().extension() == ".wat") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (const auto& p : files) {
    auto name = p.stem().string();
    out.emplace_back(name, fixture(name));
  }
  return out;
}

namespace {

void leb_u32(std::string& out, uint32_t v) {
  do {
    uint8_t b = v & 0x7f;
    v >>= 7;
    out += static_cast<char>(v ? (b | 0x80) : b);
  } while (v);
}

void name(std::string& out, const std::string& s) {
  leb_u32(out, static_cast<uint32_t>(s.size()));
  out += s;
}

void section(std::string& out, uint8_t id, const std::string& payload) {
  out += static_cast<char>(id);
  leb_u32(out, static_cast<uint32_t>(payload.size()));
  out += payload;
}

// A vector section: the count, then the items already encoded.
std::string vec(const std::vector<std::string>& items) {
  std::string out;
  leb_u32(out, static_cast<uint32_t>(items.size()));
  for (const auto& i : items) out += i;
  return out;
}

std::string func_type(int params, bool result) {
  std::string t = "\x60";
  leb_u32(t, static_cast<uint32_t>(params));
  t.append(static_cast<size_t>(params), '\x7f');  // i32
  t += result ? std::string("\x01\x7f") : std::string("\x00", 1);
  return t;
}

}  // namespace

std::string minimal_filter_bytes() {
  std::string m("\0asm\x01\x00\x00\x00", 8);
  // Types: 0 ()->(), 1 (i32)->i32, 2 (i32,i32)->i32, 3 (i32,i32,i32)->i32.
  section(m, 1,
          vec({func_type(0, false), func_type(1, true), func_type(2, true), func_type(3, true)}));
  // Import env.proxy_log : type 3 (function index 0).
  std::string imp;
  name(imp, "env");
  name(imp, "proxy_log");
  imp += std::string("\x00\x03", 2);
  section(m, 2, vec({imp}));
  // Functions 1..5: marker, _initialize, allocate, vm_start, request_headers.
  section(m, 3, vec({std::string(1, '\x00'), std::string(1, '\x00'), "\x01", "\x02", "\x03"}));
  section(m, 5, vec({std::string("\x00\x01", 2)}));  // memory 0: min 1 page, no max
  auto exp = [](const std::string& n, char kind, char index) {
    std::string e;
    name(e, n);
    e += kind;
    e += index;
    return e;
  };
  section(m, 7,
          vec({exp("memory", '\x02', '\x00'), exp("proxy_abi_version_0_2_1", '\x00', '\x01'),
               exp("_initialize", '\x00', '\x02'), exp("proxy_on_memory_allocate", '\x00', '\x03'),
               exp("proxy_on_vm_start", '\x00', '\x04'),
               exp("proxy_on_request_headers", '\x00', '\x05')}));
  auto body = [](const std::string& code) {
    std::string b(1, '\x00');  // no locals
    b += code;
    b += '\x0b';  // end
    std::string out;
    leb_u32(out, static_cast<uint32_t>(b.size()));
    return out + b;
  };
  section(m, 10,
          vec({body(""), body(""), body(std::string("\x41\x80\x08", 3)),  // i32.const 1024
               body(std::string("\x41\x01", 2)), body(std::string("\x41\x00", 2))}));
  return m;
}

std::string filter_wat(const std::string& extra, const std::vector<std::string>& omit) {
  auto keep = [&](const char* part) {
    return std::find(omit.begin(), omit.end(), part) == omit.end();
  };
  std::string w = "(module\n";
  if (keep("log"))
    w += "  (import \"env\" \"proxy_log\" (func (param i32 i32 i32) (result i32)))\n";
  w += extra + "\n";
  if (keep("memory")) w += "  (memory (export \"memory\") 1)\n";
  if (keep("marker")) w += "  (func (export \"proxy_abi_version_0_2_1\"))\n";
  if (keep("initialize")) w += "  (func (export \"_initialize\"))\n";
  if (keep("allocator"))
    w += "  (func (export \"proxy_on_memory_allocate\") (param i32) (result i32) "
         "(i32.const 1024))\n";
  if (keep("root"))
    w += "  (func (export \"proxy_on_vm_start\") (param i32 i32) (result i32) (i32.const 1))\n";
  if (keep("stream"))
    w += "  (func (export \"proxy_on_request_headers\") (param i32 i32 i32) (result i32) "
         "(i32.const 0))\n";
  return w + ")\n";
}

std::string component_bytes() {
  std::string b("\0asm\x0d\x00\x01\x00", 8);
  // A core-module section (id 1) holding an empty core module.
  std::string core("\0asm\x01\x00\x00\x00", 8);
  b += '\x01';
  b += static_cast<char>(core.size());
  b += core;
  return b;
}

std::string compile_c(const std::string& c_file, const std::vector<std::string>& extra_flags) {
  util::TempDir dir("ext-wasm-c-");
  auto out = dir.path() / "filter.wasm";
  std::vector<std::string> flags = {"--sysroot=/usr"};
  flags.insert(flags.end(), extra_flags.begin(), extra_flags.end());
  return compile_c_fixture(data_dir() / "wasm" / c_file, out, flags);
}

}  // namespace ext::test::wasm
