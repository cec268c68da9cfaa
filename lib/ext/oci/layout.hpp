// ext::oci — the OCI image layout model (image-spec image-layout.md): the
// `oci-layout` header and the limits we apply to manifests we read. No I/O here: the store
// module reads and writes layouts.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "ext/core/result.hpp"

namespace ext::oci {

// Manifests and indexes larger than this are refused (distribution registries cap manifests
// at 4 MiB). index.json of a local store is bounded separately (k_max_layout_index_bytes).
inline constexpr size_t k_max_manifest_bytes = 4u << 20;
inline constexpr size_t k_max_layout_index_bytes = 64u << 20;
inline constexpr size_t k_max_descriptors = 100000;

// Caps per kind of blob, applied to the size a descriptor claims before a single byte of the
// blob is read (a pull refuses a 10 GiB "layer" up front instead of streaming it to disk).
// ext's own policy, documented in docs/limits.md: a wasm image's config is a few hundred bytes
// (an image config of a container image a few KiB); a module is at most
// wasm::k_max_module_bytes (512 MiB); any other layer (a tar holding the module) 1 GiB.
inline constexpr uint64_t k_max_config_bytes = 4u << 20;
inline constexpr uint64_t k_max_module_bytes = 512ull << 20;
inline constexpr uint64_t k_max_layer_bytes = 1ull << 30;

inline constexpr const char* k_layout_file = "oci-layout";
inline constexpr const char* k_layout_index_file = "index.json";
inline constexpr const char* k_layout_version = "1.0.0";

struct LayoutHeader {
  std::string image_layout_version = k_layout_version;
  // {"imageLayoutVersion":"1.0.0"}; the file MAY hold more fields (ignored).
  static Result<LayoutHeader> parse(std::string_view bytes);
  std::string serialize() const;
};

}  // namespace ext::oci
