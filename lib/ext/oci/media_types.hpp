// ext::oci — media types (image-spec media-types.md, docs/formats.md).
#pragma once

namespace ext::oci::media {

inline constexpr const char* k_manifest = "application/vnd.oci.image.manifest.v1+json";
inline constexpr const char* k_index = "application/vnd.oci.image.index.v1+json";
inline constexpr const char* k_image_config = "application/vnd.oci.image.config.v1+json";
inline constexpr const char* k_layer_tar = "application/vnd.oci.image.layer.v1.tar";
inline constexpr const char* k_layer_tar_gzip = "application/vnd.oci.image.layer.v1.tar+gzip";
inline constexpr const char* k_empty = "application/vnd.oci.empty.v1+json";
inline constexpr const char* k_layout_header = "application/vnd.oci.layout.header.v1+json";
inline constexpr const char* k_docker_manifest =
    "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr const char* k_docker_manifest_list =
    "application/vnd.docker.distribution.manifest.list.v2+json";
inline constexpr const char* k_docker_config = "application/vnd.docker.container.image.v1+json";
inline constexpr const char* k_docker_layer = "application/vnd.docker.image.rootfs.diff.tar.gzip";

// Wasm artifacts.
inline constexpr const char* k_wasm_config = "application/vnd.module.wasm.config.v1+json";
inline constexpr const char* k_wasm_layer = "application/vnd.module.wasm.content.layer.v1+wasm";
inline constexpr const char* k_cncf_wasm_config = "application/vnd.wasm.config.v0+json";
inline constexpr const char* k_cncf_wasm_layer = "application/wasm";

}  // namespace ext::oci::media
