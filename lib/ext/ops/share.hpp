// ext::ops — sharing verbs over registries (docs/discovery.md): `ext attach` (a file as an OCI
// referrer of an image), `ext discover` (the tree of referrers), `ext copy` (an image and its
// referrers between repositories and registries), `ext rm --remote` (delete a manifest).
// Referrers follow distribution-spec v1.1.1: the referrers API when the registry has it, else
// the referrers tag schema (registry/referrers.hpp).
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ext/oci/descriptor.hpp"
#include "ext/ops/env.hpp"
#include "ext/ops/remote.hpp"

namespace ext::ops {

// The README referrer `ext push` adds (docs/discovery.md).
inline constexpr const char* k_readme_artifact_type = "application/vnd.ext.readme.v1+markdown";
inline constexpr const char* k_readme_media_type = "text/markdown";
inline constexpr uint64_t k_max_readme_bytes = 256u << 10;

struct AttachOptions {
  std::string ref;             // the subject image (tag or digest)
  std::filesystem::path file;  // what to attach
  std::string artifact_type;   // required: RFC 6838 type/subtype
  std::string media_type;      // of the file's layer; default application/octet-stream
  std::map<std::string, std::string> annotations;  // on the referrer manifest
  uint64_t max_bytes = 1ull << 30;  // the file's cap (a README's is k_max_readme_bytes)
  RegistryFlags flags;
};

struct AttachResult {
  std::string subject;         // full reference
  std::string subject_digest;  // sha256:...
  std::string digest;          // of the referrer manifest
  std::string artifact_type;
  uint64_t size = 0;          // of the file
  std::string recorded_by;    // "api" | "tag-schema"
  std::string referrers_tag;  // when recorded by the tag schema
};

// Checks the file (exists, regular, under the cap) and the artifact type before anything is
// sent; then uploads the file and an empty config, PUTs the manifest by digest (subject = the
// image), and records it (registry/referrers.hpp).
AttachResult attach(const AttachOptions& opts, Env& env);

struct DiscoverOptions {
  std::string ref;
  std::string artifact_type;  // filter (every level)
  int depth = 4;              // referrers of referrers
  RegistryFlags flags;
};

struct ReferrerNode {
  oci::Descriptor descriptor;  // as listed (artifactType, annotations)
  std::vector<ReferrerNode> children;
};

struct DiscoverResult {
  std::string subject;
  oci::Descriptor subject_descriptor;
  std::string source;  // "api" | "tag-schema"
  std::vector<ReferrerNode> referrers;
  nlohmann::json to_json() const;
  std::string to_text() const;  // a tree, like `oras discover`
};

// Each listed referrer is fetched and must name its parent as `subject` (a registry that lists
// a manifest pointing elsewhere is Error(registry) naming both digests). At most 1000 nodes.
DiscoverResult discover(const DiscoverOptions& opts, Env& env);

struct CopyImageOptions {
  std::string source;  // registry/repo:tag or @digest; with all_tags: registry/repo
  std::string target;  // registry/repo[:tag]
  bool all_tags = false;
  bool referrers = true;  // also copy the referrers (recursively)
  RegistryFlags flags;
};

struct CopyImageResult {
  struct Item {
    std::string source;
    std::string target;
    std::string digest;
  };
  std::vector<Item> copied;
  uint64_t referrers_copied = 0;
  uint64_t blobs_copied = 0;
  uint64_t blobs_mounted = 0;
  uint64_t blobs_skipped = 0;
  uint64_t bytes_copied = 0;
};

// Within one registry, blobs are mounted (no bytes move); between registries, every blob is
// streamed from one to the other (no blob is held whole: bounded chunks). Referrers tags
// (sha256-<hex>) are not copied as tags under --all-tags: the referrers they list are copied
// and recorded in the target.
CopyImageResult copy_image(const CopyImageOptions& opts, Env& env);

struct RemoveRemoteOptions {
  std::vector<std::string> refs;
  RegistryFlags flags;
};

struct RemoveRemoteResult {
  struct Item {
    std::string reference;
    std::string digest;
    bool referrers_tag_updated = false;
  };
  std::vector<Item> deleted;
};

// Deletes each manifest (a tag is resolved to its digest: every tag on it goes). A referrer's
// entry in its subject's referrers tag is removed too. A registry that does not allow deletes
// is Error(unsupported) saying so.
RemoveRemoteResult remove_remote(const RemoveRemoteOptions& opts, Env& env);

}  // namespace ext::ops
