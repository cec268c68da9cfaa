// ext::project — Settings: the user settings file config.yaml (docs/ext-yaml.md "config.yaml"):
// per-registry transport settings, the default registry for `ext catalog`, the default
// artifact format, defaults for `ext deploy envoy --docker`. Credentials never live here.
// Owns: the settings model, read with ext::yaml. A missing file is empty settings.
//
//   default_registry: localhost:5000
//   default_format: oci
//   registries:
//     localhost:5000: {plain_http: true}
//     registry.internal:443: {ca_file: /etc/ssl/internal-ca.pem, single_post: true}
//     lab.example:5000: {insecure: true}
//   deploy:
//     envoy_version: "1.31"
//     envoy_image: envoyproxy/envoy:v1.31-latest
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "ext/core/result.hpp"

namespace ext::project {

struct RegistrySettings {
  std::optional<bool> plain_http;
  bool insecure = false;
  std::string ca_file;
  bool single_post = false;  // try the single-POST blob upload first
};

struct Settings {
  std::string default_registry;
  std::string default_format;
  std::map<std::string, RegistrySettings> registries;  // key: host[:port]
  std::string envoy_version;
  std::string envoy_image;

  // The entry for a registry ("docker.io" also matches "index.docker.io"), or defaults.
  RegistrySettings registry(const std::string& name) const;

  static Result<Settings> parse(std::string_view yaml, const std::string& label = "config.yaml");
  // Empty settings when the file does not exist; errors name the file and line.
  static Result<Settings> load(const std::filesystem::path& path);
};

}  // namespace ext::project
