#include "support/build/build_fixtures.hpp"

#include "ext/project/project_file.hpp"

namespace ext::test {

namespace fs = std::filesystem;

void copy_project(const fs::path& from, const fs::path& to) {
  fs::create_directories(to);
  for (const auto& e : fs::directory_iterator(from)) {
    auto name = e.path().filename().string();
    if (e.is_directory()) {
      if (name == "build" || name == "target") continue;
      copy_project(e.path(), to / name);
    } else {
      fs::copy_file(e.path(), to / name, fs::copy_options::overwrite_existing);
    }
  }
}

build::BuildRequest request_for(const fs::path& dir, Reporter& reporter,
                                util::ProcessRunner& runner) {
  build::BuildRequest r;
  r.project_dir = dir;
  r.project = project::load_project(dir).value();
  r.reporter = &reporter;
  r.runner = &runner;
  return r;
}

std::unique_ptr<build::Driver> cpp_driver(const util::Environment& environment) {
  return build::make_driver(project::Language::cpp, environment);
}

std::unique_ptr<build::Driver> rust_driver(const util::Environment& environment) {
  return build::make_driver(project::Language::rust, environment);
}

std::unique_ptr<build::Driver> node_driver(const util::Environment& environment) {
  return build::make_driver(project::Language::assemblyscript, environment);
}

}  // namespace ext::test
