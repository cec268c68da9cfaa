#include "support/testing/modules.hpp"

#include <map>
#include <mutex>

#include "ext/core/error.hpp"
#include "ext/util/files.hpp"
#include "ext/util/process.hpp"
#include "support/fixture_compiler.hpp"
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
  auto bytes =
      compile_c_fixture(data_dir() / "host" / (name + ".c"), out, {}, {data_dir() / "host"});
  return cache.emplace(name, std::move(bytes)).first->second;
}

}  // namespace ext::test::testing_support
