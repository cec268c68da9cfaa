#include "support/artifact/fixtures.hpp"

#include <mutex>

#include "ext/core/error.hpp"
#include "ext/digest/digest.hpp"
#include "ext/util/files.hpp"
#include "ext/util/process.hpp"
#include "support/paths.hpp"

namespace ext::test::artifact {

namespace fs = std::filesystem;

const std::string& module_bytes(const std::string& name, bool debug_names) {
  static std::mutex mutex;
  static std::map<std::string, std::string> cache;
  std::lock_guard lock(mutex);
  auto key = name + (debug_names ? "+names" : "");
  auto it = cache.find(key);
  if (it != cache.end()) return it->second;
  auto wat = util::read_file(data_dir() / "artifact" / (name + ".wat"));
  std::vector<std::string> flags;
  if (debug_names) flags.push_back("--debug-names");
  return cache[key] = wat_to_wasm(wat, flags);
}

fs::path write_module(const fs::path& dir, const std::string& name, bool debug_names) {
  auto p = dir / (name + ".wasm");
  util::write_file_atomic(p, module_bytes(name, debug_names));
  return p;
}

fs::path craft_archive(const fs::path& dir, const std::string& kind, bool gzip,
                       std::optional<std::string> stdin_data) {
  auto out = dir / (kind + (gzip ? ".tar.gz" : ".tar"));
  util::ProcessSpec spec;
  spec.argv = {ext::test::python(),
               (source_dir() / "tests/support/artifact/craft_archive.py").string(), kind,
               out.string()};
  if (gzip) spec.argv.push_back("--gzip");
  spec.stdin_data = std::move(stdin_data);
  util::SubprocessRunner runner{ext::test::host_environment()};
  auto r = runner.run(spec);
  if (r.exit_code != 0) throw Error(Errc::failed, "craft_archive.py " + kind + ": " + r.err);
  return out;
}

std::map<std::string, std::string> snapshot(const fs::path& dir) {
  std::map<std::string, std::string> out;
  std::error_code ec;
  if (!fs::exists(dir, ec)) return out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    auto rel = fs::relative(e.path(), dir).string();
    if (e.is_regular_file())
      out[rel] = std::to_string(e.file_size()) + ":" + digest::sha256_file(e.path()).hex();
    else
      out[rel] = e.is_directory() ? "dir" : "other";
  }
  return out;
}

}  // namespace ext::test::artifact
