// ext::artifact — packing a module and its runtime config into each artifact format (FORMATS.md
// "Artifact formats": oci, compat, cncf), and detecting and unpacking every layout we read
// (those three, Docker v2 images whose last layer is a tar.gz holding plugin.wasm, and
// single-layer wasm-to-oci / GetEnvoy artifacts). Same module + options => same manifest digest.
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

// runtime-config.json: {"type":"envoy_proxy","abiVersions":["v0.2.1"],"config":{"rootIds":[..]}}
struct RuntimeConfig {
  std::string type = "envoy_proxy";
  std::vector<std::string> abi_versions;  // "v0.2.1"
  std::vector<std::string> root_ids;
  std::string to_json() const;  // compact, keys as wasme wrote them
  static Result<RuntimeConfig> parse(std::string_view json);  // also reads "root_ids"
};

struct PackOptions {
  Format format = Format::oci;
  std::vector<std::string> root_ids;
  std::map<std::string, std::string> annotations;  // extra manifest annotations (title, ...)
  std::string filter_type;  // "http" | "network" (annotation module.wasm.runtime/filter_type)
};

struct Packed {
  oci::Descriptor manifest;
  std::string manifest_bytes;
  oci::Descriptor module_layer;  // for compat: the tar.gz layer
  std::string module_sha256;     // hex of the raw module
  uint64_t module_size = 0;
  std::string abi_version;       // "0.2.1"
};

// Writes config and layers into `store` (streams the module file) and the manifest blob;
// names nothing (the caller puts the manifest under names). `info` is the validated module.
Packed pack(store::Store& store, const std::filesystem::path& module_path,
            const wasm::ModuleInfo& info, const PackOptions& opts);

enum class Layout { oci, compat, cncf, docker_v2, single_layer };
const char* to_string(Layout l);

struct Detected {
  Layout layout;
  oci::Descriptor module_blob;  // the layer holding the module (raw or tar.gz)
  bool module_in_tar = false;
  std::optional<RuntimeConfig> runtime_config;
  std::map<std::string, std::string> annotations;
};

// Classifies a manifest; Error(unsupported) naming the media types when it is no wasm image.
Result<Detected> detect(const oci::Manifest& manifest, store::Store& store);

// Writes the module bytes of an image to `out` (atomically), returning its sha256 hex.
std::string extract_module(store::Store& store, const Detected& detected,
                           const std::filesystem::path& out);

}  // namespace ext::artifact
