// ext::oci — the OCI content model: descriptors, image manifests (also Docker schema2), image
// indexes (also Docker manifest lists), the image-layout index (image-spec descriptor.md,
// manifest.md, image-index.md, image-layout.md). Parse and serialize round-trip; serialization is
// deterministic (keys sorted, compact). Owns: JSON shape and field rules. Must not do I/O.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "ext/core/result.hpp"
#include "ext/digest/digest.hpp"

namespace ext::oci {

using Annotations = std::map<std::string, std::string>;

inline constexpr const char* k_ref_name_annotation = "org.opencontainers.image.ref.name";

struct Platform {
  std::string architecture;
  std::string os;
  std::string os_version;
  std::vector<std::string> os_features;
  std::string variant;
  bool operator==(const Platform&) const = default;
};

struct Descriptor {
  std::string media_type;
  digest::Digest digest;
  int64_t size = 0;
  std::vector<std::string> urls;
  Annotations annotations;
  std::optional<std::string> data;  // base64, as in the JSON
  std::string artifact_type;
  std::optional<Platform> platform;

  bool operator==(const Descriptor&) const = default;
  // A descriptor for bytes we hold: digest and size computed.
  static Descriptor for_bytes(std::string media_type, std::string_view bytes);
};

Result<Descriptor> parse_descriptor(const nlohmann::json& j);
nlohmann::json to_json(const Descriptor& d);

bool is_manifest_type(std::string_view media_type);  // OCI or Docker image manifest
bool is_index_type(std::string_view media_type);     // OCI index or Docker manifest list

struct Manifest {
  int schema_version = 2;
  std::string media_type = "application/vnd.oci.image.manifest.v1+json";
  std::string artifact_type;
  Descriptor config;
  std::vector<Descriptor> layers;
  std::optional<Descriptor> subject;
  Annotations annotations;

  // Reads an OCI image manifest or a Docker schema2 manifest; bounded by the caller.
  static Result<Manifest> parse(std::string_view bytes);
  // Canonical bytes: compact JSON with sorted keys. Same manifest, same bytes, same digest.
  std::string serialize() const;
  bool operator==(const Manifest&) const = default;
};

struct Index {
  int schema_version = 2;
  std::string media_type = "application/vnd.oci.image.index.v1+json";
  std::string artifact_type;
  std::vector<Descriptor> manifests;
  std::optional<Descriptor> subject;
  Annotations annotations;

  static Result<Index> parse(std::string_view bytes);
  std::string serialize() const;
  bool operator==(const Index&) const = default;
};

// Peeks at "mediaType" (and at the shape when it is missing) of manifest bytes.
Result<std::string> detect_media_type(std::string_view bytes);

}  // namespace ext::oci
