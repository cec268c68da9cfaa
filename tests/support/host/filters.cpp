#include "support/host/filters.hpp"

#include <map>
#include <mutex>

#include "ext/core/error.hpp"
#include "ext/util/files.hpp"
#include "ext/util/process.hpp"
#include "support/paths.hpp"

namespace ext::test::host {

namespace {
std::mutex g_mutex;
const std::filesystem::path& work_dir() {
  static util::TempDir dir("ext-host-filters-");
  return dir.path();
}

std::string compile_file(const std::filesystem::path& src, const std::filesystem::path& out,
                         const std::vector<std::string>& flags) {
  util::ProcessSpec spec;
  spec.argv = {"clang-14",
               "--target=wasm32-wasi",
               "-O2",
               "-mexec-model=reactor",
               "-I" + (data_dir() / "host").string(),
               "-o",
               out.string(),
               src.string()};
  spec.argv.insert(spec.argv.end(), flags.begin(), flags.end());
  util::SubprocessRunner runner{ext::test::host_environment()};
  auto r = runner.run(spec);
  if (r.exit_code != 0)
    throw Error(Errc::toolchain, "clang-14 failed on " + src.string() + ": " + r.err);
  return util::read_file(out);
}
}  // namespace

std::filesystem::path filter_file(const std::string& name) {
  std::lock_guard lock(g_mutex);
  auto out = work_dir() / (name + ".wasm");
  if (!std::filesystem::exists(out)) compile_file(data_dir() / "host" / (name + ".c"), out, {});
  return out;
}

const std::string& filter(const std::string& name) {
  static std::map<std::string, std::string> cache;
  auto path = filter_file(name);
  std::lock_guard lock(g_mutex);
  auto it = cache.find(name);
  if (it == cache.end()) it = cache.emplace(name, util::read_file(path)).first;
  return it->second;
}

std::string compile_c(const std::string& source, const std::vector<std::string>& flags) {
  std::lock_guard lock(g_mutex);
  static int n = 0;
  auto base = work_dir() / ("src" + std::to_string(n++));
  util::write_file_atomic(base.string() + ".c", source);
  return compile_file(base.string() + ".c", base.string() + ".wasm", flags);
}

}  // namespace ext::test::host
