// ext.yaml (the project file), config.yaml (settings) and the YAML layer under them.
#include "ext/project/project_file.hpp"
#include "ext/project/settings.hpp"
#include "ext/yaml/yaml.hpp"
#include "fuzz.hpp"

EXT_FUZZ_TARGET(project) {
  auto text = ext::fuzz::as_text(data, size);
  (void)ext::project::ProjectFile::parse(text, "ext.yaml");
  (void)ext::project::Settings::parse(text, "config.yaml");
  if (auto doc = ext::yaml::parse(text, "f.yaml")) {
    // Positions and texts of every top-level value (the lookups project and settings use).
    const auto& root = doc->root();
    if (root.is_object())
      for (const auto& [key, value] : root.items()) {
        (void)value;
        auto p = ext::yaml::Pointer() / key;
        (void)doc->where(p);
        (void)doc->where_key(p);
        (void)doc->text(p);
      }
    (void)root.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  }
  return 0;
}
