#include "ext/project/settings.hpp"

#include <yaml-cpp/yaml.h>

#include "ext/util/files.hpp"

namespace ext::project {

namespace {

std::string where(const std::string& label, const YAML::Node& n) {
  auto m = n.Mark();
  if (m.line < 0) return label;
  return label + ":" + std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1);
}

Result<std::string> str(const std::string& label, const YAML::Node& n, const char* key) {
  if (!n.IsScalar()) return fail(Errc::parse, where(label, n) + ": " + key + " must be a string");
  return n.as<std::string>();
}

Result<bool> boolean(const std::string& label, const YAML::Node& n, const char* key) {
  try {
    if (!n.IsScalar()) throw YAML::Exception(n.Mark(), "");
    return n.as<bool>();
  } catch (const YAML::Exception&) {
    return fail(Errc::parse, where(label, n) + ": " + key + " must be true or false");
  }
}

}  // namespace

RegistrySettings Settings::registry(const std::string& name) const {
  if (auto it = registries.find(name); it != registries.end()) return it->second;
  if (name == "docker.io")
    for (const char* alias : {"index.docker.io", "registry-1.docker.io"})
      if (auto it = registries.find(alias); it != registries.end()) return it->second;
  return {};
}

Result<Settings> Settings::parse(std::string_view yaml, const std::string& label) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(yaml));
  } catch (const YAML::Exception& e) {
    return fail(Errc::parse, label + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
  }
  Settings s;
  if (root.IsNull()) return s;
  if (!root.IsMap()) return fail(Errc::parse, label + ": expected a mapping at the top");
  for (const auto& kv : root) {
    auto key = kv.first.as<std::string>();
    const auto& v = kv.second;
    if (key == "default_registry") {
      auto r = str(label, v, "default_registry");
      if (!r) return fail(r.error());
      s.default_registry = *r;
    } else if (key == "default_format") {
      auto r = str(label, v, "default_format");
      if (!r) return fail(r.error());
      if (*r != "oci" && *r != "compat" && *r != "cncf")
        return fail(Errc::parse, where(label, v) + ": default_format must be oci, compat or cncf");
      s.default_format = *r;
    } else if (key == "registries") {
      if (v.IsNull()) continue;
      if (!v.IsMap()) return fail(Errc::parse, where(label, v) + ": registries must be a mapping");
      for (const auto& reg : v) {
        auto name = reg.first.as<std::string>();
        RegistrySettings rs;
        if (!reg.second.IsNull() && !reg.second.IsMap())
          return fail(Errc::parse,
                      where(label, reg.second) + ": registries." + name + " must be a mapping");
        for (const auto& f : reg.second) {
          auto fk = f.first.as<std::string>();
          if (fk == "plain_http" || fk == "insecure" || fk == "single_post") {
            auto b = boolean(label, f.second, fk.c_str());
            if (!b) return fail(b.error());
            if (fk == "plain_http") rs.plain_http = *b;
            if (fk == "insecure") rs.insecure = *b;
            if (fk == "single_post") rs.single_post = *b;
          } else if (fk == "ca_file") {
            auto r = str(label, f.second, "ca_file");
            if (!r) return fail(r.error());
            rs.ca_file = *r;
          } else {
            return fail(Errc::parse, where(label, f.first) + ": unknown registry setting \"" + fk +
                                         "\" (known: plain_http, insecure, ca_file, single_post)");
          }
        }
        s.registries[name] = rs;
      }
    } else if (key == "deploy") {
      if (v.IsNull()) continue;
      if (!v.IsMap()) return fail(Errc::parse, where(label, v) + ": deploy must be a mapping");
      for (const auto& f : v) {
        auto fk = f.first.as<std::string>();
        auto r = str(label, f.second, fk.c_str());
        if (!r) return fail(r.error());
        if (fk == "envoy_version")
          s.envoy_version = *r;
        else if (fk == "envoy_image")
          s.envoy_image = *r;
        else
          return fail(Errc::parse,
                      where(label, f.first) + ": unknown deploy setting \"" + fk + "\"");
      }
    } else {
      return fail(Errc::parse, where(label, kv.first) + ": unknown setting \"" + key +
                                   "\" (known: default_registry, default_format, registries, "
                                   "deploy)");
    }
  }
  return s;
}

Result<Settings> Settings::load(const std::filesystem::path& path) {
  std::error_code ec;
  if (path.empty() || !std::filesystem::exists(path, ec)) return Settings{};
  std::string text;
  try {
    text = util::read_file(path, 1u << 20);
  } catch (const Error& e) {
    return fail(e);
  }
  return parse(text, path.string());
}

}  // namespace ext::project
