// ext::artifact — packing a module and its runtime config into each artifact format
// (docs/formats.md "Artifact formats": oci, compat, cncf), and detecting and unpacking every layout
// we read (those three, Docker v2 images whose last layer is a tar.gz holding plugin.wasm, and
// single-layer wasm-to-oci / GetEnvoy artifacts; docs/formats.md).
// Same module + options => same manifest digest (canonical JSON, deterministic tar.gz, `created`
// only when the caller gives it).
// Owns: media-type layouts and runtime-config.json. Must not: name images (callers do), read
// the environment, talk to registries.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ext/core/result.hpp"
#include "ext/oci/descriptor.hpp"
#include "ext/store/store.hpp"
#include "ext/wasm/module.hpp"

namespace ext::artifact {

enum class Format { oci, compat, cncf };
Result<Format> parse_format(std::string_view name);
const char* to_string(Format f);

// Annotation keys (wasme spec.md; solo-io/wasm spec-compat.md; ours for the filter type).
inline constexpr const char* k_abi_annotation = "module.wasm.runtime/abi_version";
inline constexpr const char* k_type_annotation = "module.wasm.runtime/type";
inline constexpr const char* k_filter_type_annotation = "module.wasm.runtime/filter_type";
inline constexpr const char* k_variant_annotation = "module.wasm.image/variant";
inline constexpr const char* k_title_annotation = "org.opencontainers.image.title";
inline constexpr const char* k_created_annotation = "org.opencontainers.image.created";
// Metadata from ext.yaml (docs/discovery.md): OCI image-spec v1.1.1 annotations.md keys, and
// ours under ext.dev/ for what the OCI set has no key for.
inline constexpr const char* k_description_annotation = "org.opencontainers.image.description";
inline constexpr const char* k_authors_annotation = "org.opencontainers.image.authors";
inline constexpr const char* k_licenses_annotation = "org.opencontainers.image.licenses";
inline constexpr const char* k_url_annotation = "org.opencontainers.image.url";
inline constexpr const char* k_source_annotation = "org.opencontainers.image.source";
inline constexpr const char* k_documentation_annotation = "org.opencontainers.image.documentation";
inline constexpr const char* k_version_annotation = "org.opencontainers.image.version";
inline constexpr const char* k_keywords_annotation = "ext.dev/keywords";    // "a,b,c"
inline constexpr const char* k_root_ids_annotation = "ext.dev/root-ids";    // JSON array
inline constexpr const char* k_platforms_annotation = "ext.dev/platforms";  // "istio@1.22,..."
// Titles and file names inside the artifacts.
inline constexpr const char* k_runtime_config_name = "runtime-config.json";
inline constexpr const char* k_module_title = "filter.wasm";   // oci / cncf layer title
inline constexpr const char* k_compat_module = "plugin.wasm";  // inside compat / Docker tar.gz
// Media types of layouts we only read (engineerd/wasm-to-oci; docs/formats.md).
inline constexpr const char* k_wasm_to_oci_config = "application/vnd.wasm.config.v1+json";
inline constexpr const char* k_wasm_to_oci_layer = "application/vnd.wasm.content.layer.v1+wasm";

// runtime-config.json: {"type":"envoy_proxy","abiVersions":["v0.2.1"],"config":{"rootIds":[..]}}
struct RuntimeConfig {
  std::string type = "envoy_proxy";
  std::vector<std::string> abi_versions;  // "v0.2.1"
  std::vector<std::string> root_ids;
  // Compact, keys in wasme's order; empty lists are left out as wasme's protobuf marshaling
  // does (`"config":{}` stays).
  std::string to_json() const;
  // Reads camelCase and the proto names ("abi_versions", "root_ids"); unknown keys ignored.
  static Result<RuntimeConfig> parse(std::string_view json);
  bool operator==(const RuntimeConfig&) const = default;
};

struct PackOptions {
  Format format = Format::oci;
  std::vector<std::string> root_ids;
  std::map<std::string, std::string> annotations;  // extra manifest annotations (title, ...)
  std::string filter_type;  // "http" | "network" (annotation module.wasm.runtime/filter_type)
  std::string created;      // RFC 3339 (from SOURCE_DATE_EPOCH); empty: left out
};

struct Packed {
  oci::Descriptor manifest;
  std::string manifest_bytes;
  oci::Descriptor module_layer;  // for compat: the tar.gz layer
  std::string module_sha256;     // hex of the raw module
  uint64_t module_size = 0;
  std::string abi_version;  // "0.2.1"
};

// Writes config and layers into `store` (streams the module file) and the manifest blob;
// names nothing (the caller puts the manifest under names). `info` is the validated module;
// a module file that no longer matches info.sha256 fails with Error(digest_mismatch).
Packed pack(store::Store& store, const std::filesystem::path& module_path,
            const wasm::ModuleInfo& info, const PackOptions& opts);

// The one manifest of an index that pull, deploy and inspect read: an entry for wasm
// (artifactType naming wasm, platform architecture "wasm" or os "wasip1"/"wasi"), else
// linux/amd64 (the entry Istio's fetcher takes from an index), else the first image manifest.
// Error(unsupported) when the index lists no image manifest. OCI image-spec v1.1 "Image Index":
// clients pick an entry by its platform; entries of other media types are skipped.
Result<oci::Descriptor> select_manifest(const oci::Index& index);

enum class Layout { oci, compat, cncf, docker_v2, single_layer, oras };
const char* to_string(Layout l);
// Who reads a layout (docs/formats.md "Layouts ext reads"), for inspect.
const char* readers(Layout l);

struct Detected {
  Layout layout = Layout::oci;
  oci::Descriptor module_blob;  // the layer holding the module (raw or tar.gz)
  bool module_in_tar = false;
  std::optional<RuntimeConfig> runtime_config;
  std::map<std::string, std::string> annotations;
};

// Classifies a manifest, in the order Istio's fetcher tries (istio pkg/wasm imagefetcher.go;
// docs/formats.md): Docker v2 with a tar.gz last layer, OCI compat (tar+gzip last layer), the
// two-layer oci variant, CNCF, then single-layer wasm-to-oci / GetEnvoy artifacts, then ORAS's
// default layout (oras push FILE: each file a layer of application/vnd.oci.image.layer.v1.tar
// holding the raw bytes, titled with the file name; oras-go v2.6.0 content/file/file.go): the one
// layer titled *.wasm, or the one untitled-or-otherwise tar-typed layer whose bytes start with the
// wasm magic. Error(unsupported) naming the media types when it is no wasm image; Error(parse) for
// a runtime config that is not JSON.
Result<Detected> detect(const oci::Manifest& manifest, store::Store& store);

// "not a wasm image: REASON" for detect()'s error message, saying "not a wasm image" once when
// the reason starts with it already (most do).
inline std::string not_wasm_message(const std::string& reason) {
  if (reason.rfind("not a wasm image", 0) == 0) return reason;
  return "not a wasm image: " + reason;
}

// Writes the module bytes of an image to `out` (atomically), returning its sha256 hex. The layer
// is checked against its digest (Error(digest_mismatch)); a tar.gz without plugin.wasm is
// Error(validation).
std::string extract_module(store::Store& store, const Detected& detected,
                           const std::filesystem::path& out);

}  // namespace ext::artifact
