#include "ext/project/settings.hpp"

#include "ext/util/files.hpp"
#include "ext/util/strings.hpp"
#include "ext/yaml/yaml.hpp"

namespace ext::project {

namespace {

using yaml::Pointer;

Result<std::string> str(const yaml::Document& doc, const Pointer& p, const std::string& key) {
  auto text = doc.text(p);
  if (!text) return fail(Errc::parse, doc.where(p) + key + " must be a string");
  return *text;
}

Result<bool> boolean(const yaml::Document& doc, const Pointer& p, const std::string& key) {
  const auto& v = *doc.value(p);
  if (v.is_boolean()) return v.get<bool>();
  // YAML 1.1 spellings yaml-cpp accepted before.
  if (v.is_string()) {
    auto s = util::to_lower(v.get<std::string>());
    if (s == "yes" || s == "y" || s == "on") return true;
    if (s == "no" || s == "n" || s == "off") return false;
  }
  return fail(Errc::parse, doc.where(p) + key + " must be true or false");
}

}  // namespace

RegistrySettings Settings::registry(const std::string& name) const {
  if (auto it = registries.find(name); it != registries.end()) return it->second;
  if (name == "docker.io")
    for (const char* alias : {"index.docker.io", "registry-1.docker.io"})
      if (auto it = registries.find(alias); it != registries.end()) return it->second;
  return {};
}

Result<Settings> Settings::parse(std::string_view text, const std::string& label) {
  auto parsed = yaml::parse(text, label);
  if (!parsed) return fail(parsed.error());
  const yaml::Document& doc = *parsed;
  const auto& root = doc.root();
  Settings s;
  if (root.is_null()) return s;
  if (!root.is_object()) return fail(Errc::parse, label + ": expected a mapping at the top");
  for (const auto& [key, v] : root.items()) {
    const Pointer at = Pointer() / key;
    if (key == "default_registry") {
      auto r = str(doc, at, "default_registry");
      if (!r) return fail(r.error());
      s.default_registry = *r;
    } else if (key == "default_format") {
      auto r = str(doc, at, "default_format");
      if (!r) return fail(r.error());
      if (*r != "oci" && *r != "compat" && *r != "cncf")
        return fail(Errc::parse, doc.where(at) + "default_format must be oci, compat or cncf");
      s.default_format = *r;
    } else if (key == "registries") {
      if (v.is_null()) continue;
      if (!v.is_object()) return fail(Errc::parse, doc.where(at) + "registries must be a mapping");
      for (const auto& [name, reg] : v.items()) {
        const Pointer reg_at = at / name;
        RegistrySettings rs;
        if (!reg.is_null() && !reg.is_object())
          return fail(Errc::parse, doc.where(reg_at) + "registries." + name + " must be a mapping");
        if (reg.is_object()) {
          for (const auto& [fk, fv] : reg.items()) {
            (void)fv;
            const Pointer f_at = reg_at / fk;
            if (fk == "plain_http" || fk == "insecure" || fk == "single_post") {
              auto b = boolean(doc, f_at, fk);
              if (!b) return fail(b.error());
              if (fk == "plain_http") rs.plain_http = *b;
              if (fk == "insecure") rs.insecure = *b;
              if (fk == "single_post") rs.single_post = *b;
            } else if (fk == "ca_file") {
              auto r = str(doc, f_at, "ca_file");
              if (!r) return fail(r.error());
              rs.ca_file = *r;
            } else {
              return fail(Errc::parse,
                          doc.where_key(f_at) + "unknown registry setting \"" + fk +
                              "\" (known: plain_http, insecure, ca_file, single_post)");
            }
          }
        }
        s.registries[name] = rs;
      }
    } else if (key == "deploy") {
      if (v.is_null()) continue;
      if (!v.is_object()) return fail(Errc::parse, doc.where(at) + "deploy must be a mapping");
      for (const auto& [fk, fv] : v.items()) {
        (void)fv;
        auto r = str(doc, at / fk, fk);
        if (!r) return fail(r.error());
        if (fk == "envoy_version")
          s.envoy_version = *r;
        else if (fk == "envoy_image")
          s.envoy_image = *r;
        else
          return fail(Errc::parse,
                      doc.where_key(at / fk) + "unknown deploy setting \"" + fk + "\"");
      }
    } else {
      return fail(Errc::parse, doc.where_key(at) + "unknown setting \"" + key +
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
