// OCI descriptors, manifests and indexes (image-spec descriptor.md, manifest.md, image-index.md;
// image-spec descriptor.md, manifest.md, image-index.md) and Docker schema2 manifests / manifest
// lists, which share the shape. Unknown fields are ignored and unknown media types of configs,
// layers and index entries are kept as opaque content (image-spec manifest.md / image-index.md:
// unknown fields "MUST NOT error").
#include "ext/oci/descriptor.hpp"

#include <limits>

#include "ext/oci/layout.hpp"
#include "ext/oci/media_types.hpp"

namespace ext::oci {

using nlohmann::json;

namespace {

Unexpected bad(const std::string& what, const std::string& why) {
  return fail(Errc::parse, what + ": " + why);
}

Result<std::string> get_string(const json& j, const char* key, const std::string& what,
                               bool required) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) {
    if (required) return bad(what, std::string("missing \"") + key + "\"");
    return std::string();
  }
  if (!it->is_string()) return bad(what, std::string("\"") + key + "\" is not a string");
  return it->get<std::string>();
}

Result<Annotations> get_annotations(const json& j, const std::string& what) {
  Annotations out;
  auto it = j.find("annotations");
  if (it == j.end() || it->is_null()) return out;
  if (!it->is_object()) return bad(what, "\"annotations\" is not an object");
  for (auto& [k, v] : it->items()) {
    if (!v.is_string()) return bad(what, "annotation \"" + k + "\" is not a string");
    out.emplace(k, v.get<std::string>());
  }
  return out;
}

Result<std::vector<std::string>> get_string_array(const json& j, const char* key,
                                                  const std::string& what) {
  std::vector<std::string> out;
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return out;
  if (!it->is_array()) return bad(what, std::string("\"") + key + "\" is not an array");
  for (auto& v : *it) {
    if (!v.is_string()) return bad(what, std::string("\"") + key + "\" holds a non-string");
    out.push_back(v.get<std::string>());
  }
  return out;
}

bool is_base64(std::string_view s) {
  if (s.size() % 4 != 0) return false;
  size_t pad = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool alpha = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                 c == '+' || c == '/';
    if (c == '=') {
      ++pad;
      continue;
    }
    if (!alpha || pad > 0) return false;
  }
  return pad <= 2;
}

Result<Platform> parse_platform(const json& j) {
  const std::string what = "platform";
  if (!j.is_object()) return bad(what, "not an object");
  Platform p;
  auto arch = get_string(j, "architecture", what, true);
  if (!arch) return fail(arch.error());
  auto os = get_string(j, "os", what, true);
  if (!os) return fail(os.error());
  auto osv = get_string(j, "os.version", what, false);
  if (!osv) return fail(osv.error());
  auto variant = get_string(j, "variant", what, false);
  if (!variant) return fail(variant.error());
  auto feats = get_string_array(j, "os.features", what);
  if (!feats) return fail(feats.error());
  p.architecture = *arch;
  p.os = *os;
  p.os_version = *osv;
  p.variant = *variant;
  p.os_features = *feats;
  return p;
}

json platform_json(const Platform& p) {
  json j = {{"architecture", p.architecture}, {"os", p.os}};
  if (!p.os_version.empty()) j["os.version"] = p.os_version;
  if (!p.os_features.empty()) j["os.features"] = p.os_features;
  if (!p.variant.empty()) j["variant"] = p.variant;
  return j;
}

Result<json> parse_json(std::string_view bytes, const std::string& what) {
  if (bytes.size() > k_max_manifest_bytes)
    return fail(Errc::parse,
                what + " is larger than " + std::to_string(k_max_manifest_bytes) + " bytes");
  json j = json::parse(bytes.begin(), bytes.end(), nullptr, false);
  if (j.is_discarded()) return bad(what, "not valid JSON");
  if (!j.is_object()) return bad(what, "not a JSON object");
  return j;
}

Result<int> get_schema_version(const json& j, const std::string& what) {
  auto it = j.find("schemaVersion");
  if (it == j.end()) return bad(what, "missing \"schemaVersion\"");
  if (!it->is_number_integer()) return bad(what, "\"schemaVersion\" is not an integer");
  int v = it->get<int>();
  if (v != 2)
    return fail(Errc::unsupported,
                what + ": schemaVersion " + std::to_string(v) + " is not supported (only 2)");
  return v;
}

Result<std::optional<Descriptor>> get_optional_descriptor(const json& j, const char* key,
                                                          const std::string& what) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::optional<Descriptor>();
  auto d = parse_descriptor(*it);
  if (!d) return fail(d.error().with_context(what + " " + key));
  return std::optional<Descriptor>(*d);
}

Result<std::vector<Descriptor>> get_descriptors(const json& j, const char* key,
                                                const std::string& what) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return bad(what, std::string("missing \"") + key + "\"");
  if (!it->is_array()) return bad(what, std::string("\"") + key + "\" is not an array");
  if (it->size() > k_max_descriptors)
    return bad(what, std::string("too many entries in \"") + key + "\"");
  std::vector<Descriptor> out;
  out.reserve(it->size());
  size_t i = 0;
  for (auto& e : *it) {
    auto d = parse_descriptor(e);
    if (!d) return fail(d.error().with_context(what + " " + key + "[" + std::to_string(i) + "]"));
    out.push_back(std::move(*d));
    ++i;
  }
  return out;
}

}  // namespace

Descriptor Descriptor::for_bytes(std::string media_type, std::string_view bytes) {
  Descriptor d;
  d.media_type = std::move(media_type);
  d.digest = digest::sha256(bytes);
  d.size = static_cast<int64_t>(bytes.size());
  return d;
}

Result<Descriptor> parse_descriptor(const json& j) {
  const std::string what = "descriptor";
  if (!j.is_object()) return bad(what, "not an object");
  Descriptor d;
  auto mt = get_string(j, "mediaType", what, true);
  if (!mt) return fail(mt.error());
  d.media_type = *mt;
  auto dg = get_string(j, "digest", what, true);
  if (!dg) return fail(dg.error());
  auto parsed = digest::Digest::parse(*dg);
  if (!parsed) return fail(parsed.error().with_context(what));
  d.digest = *parsed;
  auto it = j.find("size");
  if (it == j.end()) return bad(what, "missing \"size\"");
  if (!it->is_number_integer()) return bad(what, "\"size\" is not an integer");
  if (it->is_number_unsigned()) {
    auto u = it->get<uint64_t>();
    if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
      return bad(what, "\"size\" is out of range");
    d.size = static_cast<int64_t>(u);
  } else {
    d.size = it->get<int64_t>();
  }
  if (d.size < 0) return bad(what, "\"size\" is negative");
  auto urls = get_string_array(j, "urls", what);
  if (!urls) return fail(urls.error());
  d.urls = *urls;
  auto ann = get_annotations(j, what);
  if (!ann) return fail(ann.error());
  d.annotations = *ann;
  auto dit = j.find("data");
  if (dit != j.end() && !dit->is_null()) {
    if (!dit->is_string() || !is_base64(dit->get<std::string>()))
      return bad(what, "\"data\" is not base64");
    d.data = dit->get<std::string>();
  }
  auto at = get_string(j, "artifactType", what, false);
  if (!at) return fail(at.error());
  d.artifact_type = *at;
  auto pit = j.find("platform");
  if (pit != j.end() && !pit->is_null()) {
    auto p = parse_platform(*pit);
    if (!p) return fail(p.error().with_context(what));
    d.platform = *p;
  }
  return d;
}

json to_json(const Descriptor& d) {
  json j = {{"mediaType", d.media_type}, {"digest", d.digest.to_string()}, {"size", d.size}};
  if (!d.urls.empty()) j["urls"] = d.urls;
  if (!d.annotations.empty()) j["annotations"] = d.annotations;
  if (d.data) j["data"] = *d.data;
  if (!d.artifact_type.empty()) j["artifactType"] = d.artifact_type;
  if (d.platform) j["platform"] = platform_json(*d.platform);
  return j;
}

bool is_manifest_type(std::string_view media_type) {
  return media_type == media::k_manifest || media_type == media::k_docker_manifest;
}

bool is_index_type(std::string_view media_type) {
  return media_type == media::k_index || media_type == media::k_docker_manifest_list;
}

Result<Manifest> Manifest::parse(std::string_view bytes) {
  const std::string what = "manifest";
  auto jr = parse_json(bytes, what);
  if (!jr) return fail(jr.error());
  const json& j = *jr;
  Manifest m;
  auto sv = get_schema_version(j, what);
  if (!sv) return fail(sv.error());
  m.schema_version = *sv;
  auto mt = get_string(j, "mediaType", what, false);
  if (!mt) return fail(mt.error());
  if (mt->empty()) {
    if (j.contains("manifests")) return bad(what, "this is an image index, not a manifest");
    m.media_type = media::k_manifest;
  } else if (!is_manifest_type(*mt)) {
    return fail(Errc::unsupported, what + ": media type \"" + *mt + "\" is not an image manifest");
  } else {
    m.media_type = *mt;
  }
  auto at = get_string(j, "artifactType", what, false);
  if (!at) return fail(at.error());
  m.artifact_type = *at;
  auto cit = j.find("config");
  if (cit == j.end() || cit->is_null()) return bad(what, "missing \"config\"");
  auto config = parse_descriptor(*cit);
  if (!config) return fail(config.error().with_context(what + " config"));
  m.config = *config;
  auto layers = get_descriptors(j, "layers", what);
  if (!layers) return fail(layers.error());
  m.layers = std::move(*layers);
  auto subject = get_optional_descriptor(j, "subject", what);
  if (!subject) return fail(subject.error());
  m.subject = *subject;
  auto ann = get_annotations(j, what);
  if (!ann) return fail(ann.error());
  m.annotations = *ann;
  return m;
}

std::string Manifest::serialize() const {
  json j = {
      {"schemaVersion", schema_version}, {"mediaType", media_type}, {"config", to_json(config)}};
  json layers_j = json::array();
  for (const auto& l : layers) layers_j.push_back(to_json(l));
  j["layers"] = std::move(layers_j);
  if (!artifact_type.empty()) j["artifactType"] = artifact_type;
  if (subject) j["subject"] = to_json(*subject);
  if (!annotations.empty()) j["annotations"] = annotations;
  return j.dump();
}

Result<Index> Index::parse(std::string_view bytes) {
  const std::string what = "image index";
  auto jr = parse_json(bytes, what);
  if (!jr) return fail(jr.error());
  const json& j = *jr;
  Index x;
  auto sv = get_schema_version(j, what);
  if (!sv) return fail(sv.error());
  x.schema_version = *sv;
  auto mt = get_string(j, "mediaType", what, false);
  if (!mt) return fail(mt.error());
  if (mt->empty()) {
    x.media_type = media::k_index;
  } else if (!is_index_type(*mt)) {
    return fail(Errc::unsupported, what + ": media type \"" + *mt + "\" is not an image index");
  } else {
    x.media_type = *mt;
  }
  auto at = get_string(j, "artifactType", what, false);
  if (!at) return fail(at.error());
  x.artifact_type = *at;
  auto ms = get_descriptors(j, "manifests", what);
  if (!ms) return fail(ms.error());
  x.manifests = std::move(*ms);
  auto subject = get_optional_descriptor(j, "subject", what);
  if (!subject) return fail(subject.error());
  x.subject = *subject;
  auto ann = get_annotations(j, what);
  if (!ann) return fail(ann.error());
  x.annotations = *ann;
  return x;
}

std::string Index::serialize() const {
  json j = {{"schemaVersion", schema_version}, {"mediaType", media_type}};
  json ms = json::array();
  for (const auto& m : manifests) ms.push_back(to_json(m));
  j["manifests"] = std::move(ms);
  if (!artifact_type.empty()) j["artifactType"] = artifact_type;
  if (subject) j["subject"] = to_json(*subject);
  if (!annotations.empty()) j["annotations"] = annotations;
  return j.dump();
}

Result<std::string> detect_media_type(std::string_view bytes) {
  auto jr = parse_json(bytes, "manifest");
  if (!jr) return fail(jr.error());
  const json& j = *jr;
  auto it = j.find("mediaType");
  if (it != j.end() && it->is_string() && !it->get<std::string>().empty())
    return it->get<std::string>();
  auto sv = j.find("schemaVersion");
  if (sv != j.end() && sv->is_number_integer() && sv->get<int>() == 1)
    return std::string("application/vnd.docker.distribution.manifest.v1+json");
  if (j.contains("manifests")) return std::string(media::k_index);
  if (j.contains("config") || j.contains("layers")) return std::string(media::k_manifest);
  return fail(Errc::parse,
              "manifest: cannot tell its media type (no mediaType, config or "
              "manifests)");
}

}  // namespace ext::oci
