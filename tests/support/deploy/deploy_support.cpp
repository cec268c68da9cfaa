#include "support/deploy/deploy_support.hpp"

#include <cstdlib>
#include <sstream>

#include "ext/core/error.hpp"
#include "ext/util/files.hpp"
#include "support/paths.hpp"

namespace ext::test {

std::string golden_diff(const std::string& name, const std::string& actual) {
  auto path = data_dir() / "deploy" / name;
  const char* update = std::getenv("EXT_UPDATE_GOLDEN");
  if (update && *update && std::string(update) != "0") {
    util::write_file_atomic(path, actual);
    return {};
  }
  std::error_code ec;
  if (!std::filesystem::exists(path, ec))
    return "golden file missing: " + path.string() + " (run with EXT_UPDATE_GOLDEN=1)";
  std::string expected = util::read_file(path);
  if (expected == actual) return {};
  std::istringstream a(actual), e(expected);
  std::string la, le;
  for (int line = 1;; ++line) {
    bool ga = static_cast<bool>(std::getline(a, la));
    bool ge = static_cast<bool>(std::getline(e, le));
    if (!ga && !ge) break;
    if (!ga || !ge || la != le)
      return name + " differs at line " + std::to_string(line) +
             ":\n  expected: " + (ge ? le : "<end>") + "\n  actual:   " + (ga ? la : "<end>");
  }
  return name + " differs (line endings?)";
}

nlohmann::json pyyaml_load(const std::string& yaml) {
  util::ProcessSpec spec;
  spec.argv = {ext::test::python(), "-c",
               "import sys, json, yaml\n"
               "print(json.dumps(list(yaml.safe_load_all(sys.stdin.read()))))\n"};
  spec.stdin_data = yaml;
  util::SubprocessRunner runner{ext::test::host_environment()};
  auto r = runner.run(spec);
  if (r.exit_code != 0) throw Error(Errc::parse, "PyYAML could not read it: " + r.err);
  return nlohmann::json::parse(r.out);
}

}  // namespace ext::test
