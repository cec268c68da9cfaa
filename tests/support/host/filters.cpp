#include "support/host/filters.hpp"

#include <map>
#include <mutex>

#include "ext/core/error.hpp"
#include "ext/util/files.hpp"
#include "ext/util/process.hpp"
#include "support/fixture_compiler.hpp"
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
  return compile_c_fixture(src, out, flags, {data_dir() / "host"});
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
