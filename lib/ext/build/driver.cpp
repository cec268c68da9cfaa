#include "ext/build/driver.hpp"

#include "ext/build/assemblyscript_driver.hpp"
#include "ext/build/cpp_driver.hpp"
#include "ext/build/custom_driver.hpp"
#include "ext/build/rust_driver.hpp"

namespace ext::build {

namespace {

// The one table of drivers: a new language adds its line here (docs/languages.md).
struct DriverEntry {
  project::Language language;
  std::unique_ptr<Driver> (*make)(const util::Environment&);
};

// A driver finds its toolchain with the search its language reads from the environment.
template <class D, class Search>
std::unique_ptr<Driver> make(const util::Environment& environment) {
  return std::make_unique<D>(Search::from_environment(environment));
}

std::unique_ptr<Driver> make_custom(const util::Environment&) {
  return std::make_unique<CustomDriver>();
}

const DriverEntry k_drivers[] = {
    {project::Language::cpp, &make<CppDriver, CppToolchainSearch>},
    {project::Language::rust, &make<RustDriver, RustToolchainSearch>},
    {project::Language::assemblyscript, &make<AssemblyScriptDriver, NodeToolchainSearch>},
    {project::Language::custom, &make_custom},
};

}  // namespace

std::unique_ptr<Driver> make_driver(project::Language language,
                                    const util::Environment& environment) {
  for (const auto& d : k_drivers)
    if (d.language == language) return d.make(environment);
  return std::make_unique<CustomDriver>();
}

std::vector<project::Language> driver_languages() {
  std::vector<project::Language> out;
  for (const auto& d : k_drivers) out.push_back(d.language);
  return out;
}

std::filesystem::path build_dir(const BuildRequest& request) {
  return request.project_dir / "build" / profile_name(request.release);
}

std::filesystem::path stamp_path(const BuildRequest& request) {
  return build_dir(request) / "ext-build.json";
}

std::filesystem::path output_or(const BuildRequest& request,
                                const std::filesystem::path& fallback) {
  if (request.project.build.output.empty()) return fallback;
  std::filesystem::path p = request.project.build.output;
  return p.is_absolute() ? p : request.project_dir / p;
}

std::string shown_text(std::string text) {
  constexpr size_t k_max_shown = 64 * 1024;
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  if (text.size() > k_max_shown) text = "[...]\n" + text.substr(text.size() - k_max_shown);
  return text;
}

std::string shown_output(const util::ProcessResult& result) {
  std::string out = result.out;
  if (!result.err.empty()) out += (out.empty() ? "" : "\n") + result.err;
  return shown_text(std::move(out));
}

}  // namespace ext::build
