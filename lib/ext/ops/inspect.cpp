// ops::inspect — `ext inspect REF|FILE.wasm` (docs/json.md).
#include "ext/ops/inspect.hpp"

#include <cctype>

#include "ext/core/error.hpp"
#include "ext/oci/layout.hpp"
#include "ext/oci/media_types.hpp"
#include "ext/registry/referrers.hpp"
#include "ext/registry/registry_store.hpp"
#include "ext/util/files.hpp"
#include "ext/util/json.hpp"
#include "ext/wasm/module_json.hpp"

namespace ext::ops {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr uint64_t k_max_config_shown = 1 << 20;

bool looks_like_json(const std::string& media_type) {
  return media_type.size() >= 5 && media_type.compare(media_type.size() - 5, 5, "+json") == 0;
}

json descriptor_json(const oci::Descriptor& d) {
  return oci::to_json(d);
}

}  // namespace

std::string parse_reason(const Error& e, const std::string& text) {
  std::string prefix = "invalid reference \"" + text + "\": ";
  const auto& m = e.message();
  return m.rfind(prefix, 0) == 0 ? m.substr(prefix.size()) : m;
}

bool names_a_path(const std::string& text) {
  if (text.empty()) return false;
  for (const char* p : {"/", "./", "../", "~/"})
    if (text.rfind(p, 0) == 0) return true;
  if (text == "." || text == "..") return true;
  if (text.size() > 5) {
    std::string tail = text.substr(text.size() - 5);
    for (auto& c : tail) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (tail == ".wasm") return true;
  }
  auto slash = text.find('/');
  if (slash == std::string::npos || text.find_first_of(":@") != std::string::npos) return false;
  std::error_code ec;
  return fs::is_directory(text.substr(0, slash), ec);
}

Error missing_path(const std::string& text) {
  return Error(Errc::not_found, "no such file: " + text,
               "check the path; an image is named by a reference such as acme/filter:v1 (see "
               "ext list)");
}

LocalImage open_local_image(store::OciLayoutStore& store, const std::string& text) {
  auto parsed = ref::Reference::parse(text);
  if (!parsed)
    throw Error(Errc::invalid_argument, "\"" + text +
                                            "\" is neither a file nor a valid reference: " +
                                            parse_reason(parsed.error(), text));
  try {
    return open_image(store, *parsed, "the local store");
  } catch (Error& e) {
    if (e.code() == Errc::not_found && e.hint().empty())
      e.with_hint("`ext list` shows the stored images; `ext pull " + text +
                  "` fetches it (`ext inspect --remote` reads it without storing)");
    throw;
  }
}

LocalImage open_image(store::Store& store, const ref::Reference& reference,
                      const std::string& where) {
  LocalImage img;
  img.reference = reference;
  auto desc = store.resolve(img.reference);
  if (!desc) throw Error(Errc::not_found, "no image " + img.reference.to_string() + " in " + where);
  auto bytes = store::read_all(store, *desc, oci::k_max_manifest_bytes);
  auto media_type = desc->media_type;
  if (!oci::is_index_type(media_type) && !oci::is_manifest_type(media_type)) {
    auto mt = oci::detect_media_type(bytes);
    if (mt) media_type = *mt;
  }
  if (oci::is_index_type(media_type)) {
    auto idx = oci::Index::parse(bytes);
    if (!idx) throw idx.error().with_context("image index " + desc->digest.to_string());
    img.index_desc = *desc;
    std::optional<LocalImage> first;
    for (const auto& child : idx->manifests) {
      if (!oci::is_manifest_type(child.media_type) || !store.has(child)) continue;
      LocalImage c = img;
      c.manifest_desc = child;
      c.manifest_bytes = store::read_all(store, child, oci::k_max_manifest_bytes);
      auto m = oci::Manifest::parse(c.manifest_bytes);
      if (!m) continue;
      c.manifest = *m;
      auto d = artifact::detect(c.manifest, store);
      if (d) {
        c.detected = *d;
        return c;
      }
      c.not_wasm_reason = d.error().message();
      if (!first) first = std::move(c);
    }
    if (first) return *first;
    throw Error(Errc::unsupported, img.reference.to_string() +
                                       " is an image index with no image manifest in " + where);
  }
  img.manifest_desc = *desc;
  img.manifest_desc.media_type = media_type;
  img.manifest_bytes = std::move(bytes);
  auto m = oci::Manifest::parse(img.manifest_bytes);
  if (!m) throw m.error().with_context("manifest " + desc->digest.to_string());
  img.manifest = *m;
  auto d = artifact::detect(img.manifest, store);
  if (d)
    img.detected = *d;
  else
    img.not_wasm_reason = d.error().message();
  return img;
}

namespace {

// Fills r from an opened image of `store` (local or remote).
void describe_image(InspectResult& r, store::Store& store, const LocalImage& img, Env& env) {
  r.source = img.reference.to_string();
  r.source_kind = "image";
  r.manifest_desc = img.manifest_desc;
  r.index_desc = img.index_desc;
  r.manifest = img.manifest;
  // Bytes from a registry: parsed under util::parse_json's depth limit (a deep manifest is shown
  // as not JSON rather than crashing whatever walks it).
  if (auto mj = util::parse_json(img.manifest_bytes)) r.manifest_json = std::move(*mj);
  const auto& cfg = img.manifest.config;
  if ((looks_like_json(cfg.media_type) || cfg.media_type == oci::media::k_docker_config) &&
      cfg.size >= 0 && static_cast<uint64_t>(cfg.size) <= k_max_config_shown && store.has(cfg)) {
    auto text = store::read_all(store, cfg, k_max_config_shown);
    auto parsed = util::parse_json(text);
    if (parsed) {
      r.config_content = std::move(*parsed);
      r.config_text = std::move(text);
    }
  }
  if (!img.detected) {
    r.not_wasm_reason = img.not_wasm_reason;
    return;
  }
  const auto& d = *img.detected;
  r.layout = artifact::to_string(d.layout);
  r.layout_readers = artifact::readers(d.layout);
  r.runtime_config = d.runtime_config;
  r.module_layer = d.module_blob;
  try {
    if (d.module_blob.size < 0 ||
        static_cast<uint64_t>(d.module_blob.size) > oci::k_max_layer_bytes)
      throw Error(Errc::validation,
                  "the module layer claims " + std::to_string(d.module_blob.size) +
                      " bytes, over the limit of " + std::to_string(oci::k_max_layer_bytes));
    util::TempDir tmp("ext-inspect-");
    auto module_path = tmp.path() / "module.wasm";
    artifact::extract_module(store, d, module_path);  // streamed, digest checked
    auto info = wasm::read_module_file(module_path);
    if (!info) throw info.error();
    r.module = *info;
    r.findings = wasm::validate(*r.module);
  } catch (const Error& e) {
    // Show what we have; the missing module is part of the answer.
    r.module_error = e.message();
    env.reporter.get().warn("cannot read the module of " + r.source + ": " + e.message());
  }
}

InspectResult inspect_remote(const ref::Reference& reference, const InspectOptions& opts,
                             Env& env) {
  auto remote = connect_remote(reference.registry(), opts.flags, env);
  registry::RegistryStore rs(remote.client, reference.repository());
  auto img = open_image(rs, reference, reference.registry());
  InspectResult r;
  r.side = "remote";
  describe_image(r, rs, img, env);
  const auto& root = img.index_desc ? *img.index_desc : img.manifest_desc;
  try {
    auto list = registry::list_referrers(*remote.client, reference.repository(), root.digest);
    r.referrers = std::move(list.manifests);
    r.referrers_source = list.from_api ? "api" : "tag-schema";
  } catch (const Error& e) {
    env.reporter.get().warn("cannot list the referrers: " + e.message());
  }
  return r;
}

}  // namespace

InspectResult inspect(const InspectOptions& opts, Env& env) {
  if (opts.target.empty()) throw Error(Errc::usage, "ext inspect needs a REF or FILE.wasm");
  InspectResult r;
  std::error_code ec;
  fs::path path(opts.target);
  if (fs::exists(path, ec)) {
    if (!fs::is_regular_file(path, ec))
      throw Error(Errc::invalid_argument, opts.target + " is not a regular file");
    r.source = path.string();
    r.source_kind = "file";
    auto info = wasm::read_module_file(path);
    if (!info) {
      if (info.error().message().find(r.source) != std::string::npos) throw info.error();
      throw info.error().with_context(r.source);
    }
    r.module = *info;
    r.findings = wasm::validate(*r.module);
    return r;
  }
  if (names_a_path(opts.target)) throw missing_path(opts.target);

  auto parsed = ref::Reference::parse(opts.target);
  if (!parsed)
    throw Error(Errc::invalid_argument, "\"" + opts.target +
                                            "\" is neither a file nor a valid reference: " +
                                            parse_reason(parsed.error(), opts.target));
  store::OciLayoutStore store(env.store_root);
  // Automatic: the local store when it holds the name; else the registry, when the text names
  // one (a first component with '.' or ':' or "localhost"; a bare "acme/f:v1" stays local and
  // says how to look remotely, so a typo never turns into a request to docker.io).
  auto slash = opts.target.find('/');
  std::string first = slash == std::string::npos ? std::string() : opts.target.substr(0, slash);
  bool names_registry = first.find_first_of(".:") != std::string::npos || first == "localhost";
  bool local =
      opts.side == InspectSide::local || (opts.side == InspectSide::automatic &&
                                          (store.resolve(*parsed).has_value() || !names_registry));
  if (!local) return inspect_remote(*parsed, opts, env);
  auto img = open_local_image(store, opts.target);
  r.side = "local";
  describe_image(r, store, img, env);
  return r;
}

json InspectResult::to_json() const {
  json j = {{"source", source}, {"source_kind", source_kind}};
  if (source_kind == "image") {
    j["reference"] = source;
    j["digest"] = manifest_desc.digest.to_string();
    j["manifest_descriptor"] = descriptor_json(manifest_desc);
    if (index_desc) j["index_descriptor"] = descriptor_json(*index_desc);
    j["manifest"] = manifest_json;
    j["media_type"] = manifest.media_type;
    j["config"] = descriptor_json(manifest.config);
    j["config_content"] = config_content;
    json layers = json::array();
    for (const auto& l : manifest.layers) layers.push_back(descriptor_json(l));
    j["layers"] = layers;
    j["annotations"] = manifest.annotations;
    j["layout"] = layout.empty() ? json(nullptr) : json(layout);
    if (!layout.empty()) j["layout_readers"] = layout_readers;
    if (!not_wasm_reason.empty()) j["not_wasm_reason"] = not_wasm_reason;
    if (runtime_config)
      j["runtime_config"] = {{"type", runtime_config->type},
                             {"abiVersions", runtime_config->abi_versions},
                             {"rootIds", runtime_config->root_ids}};
    if (module_layer) j["module_layer"] = descriptor_json(*module_layer);
    j["side"] = side;
    if (side == "remote") {
      json refs = json::array();
      for (const auto& d : referrers) refs.push_back(descriptor_json(d));
      j["referrers"] = refs;
      j["referrers_source"] = referrers_source.empty() ? json(nullptr) : json(referrers_source);
    }
  }
  j["module"] = module ? wasm::to_json(*module) : json(nullptr);
  if (!module_error.empty()) j["module_error"] = module_error;
  j["findings"] = wasm::to_json(findings);
  return j;
}

}  // namespace ext::ops
