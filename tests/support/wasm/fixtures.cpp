#include "support/wasm/fixtures.hpp"

#include <algorithm>
#include <map>
#include <mutex>

#include "ext/core/error.hpp"
#include "ext/util/files.hpp"
#include "ext/util/process.hpp"
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
  util::ProcessSpec spec;
  spec.argv = {"clang-14",
               "--target=wasm32-wasi",
               "--sysroot=/usr",
               "-mexec-model=reactor",
               "-O2",
               "-o",
               out.string(),
               (data_dir() / "wasm" / c_file).string()};
  spec.argv.insert(spec.argv.end(), extra_flags.begin(), extra_flags.end());
  util::SubprocessRunner runner{ext::test::host_environment()};
  auto r = runner.run(spec);
  if (r.exit_code != 0)
    throw Error(Errc::toolchain,
                "clang-14 failed (" + util::shell_quote(spec.argv) + "): " + r.err);
  return util::read_file(out);
}

}  // namespace ext::test::wasm
