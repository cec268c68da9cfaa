#include "support/testing/modules.hpp"

#include <map>
#include <mutex>

#include "ext/core/error.hpp"
#include "ext/util/files.hpp"
#include "ext/util/process.hpp"
#include "support/paths.hpp"

namespace ext::test::testing_support {

const std::string& module(const std::string& name) {
  static std::mutex mutex;
  static std::map<std::string, std::string> cache;
  static util::TempDir dir("ext-testing-modules-");
  std::lock_guard lock(mutex);
  auto it = cache.find(name);
  if (it != cache.end()) return it->second;
  auto out = dir.path() / (name + ".wasm");
  util::ProcessSpec spec;
  spec.argv = {"clang-14",
               "--target=wasm32-wasi",
               "-O2",
               "-mexec-model=reactor",
               "-I" + (data_dir() / "host").string(),
               "-o",
               out.string(),
               (data_dir() / "host" / (name + ".c")).string()};
  util::SubprocessRunner runner{ext::test::host_environment()};
  auto r = runner.run(spec);
  if (r.exit_code != 0) throw Error(Errc::toolchain, "clang-14 failed: " + r.err);
  return cache.emplace(name, util::read_file(out)).first->second;
}

}  // namespace ext::test::testing_support
