// ext::registry — referrers (OCI distribution-spec v1.1.1, opencontainers/distribution-spec
// b5c693e8; image-spec v1.1.1 manifest.md "subject"): listing the manifests whose `subject` is a
// given manifest, and recording a pushed referrer. With the referrers API when the registry has
// it (GET /v2/<name>/referrers/<digest>; OCI-Subject on the PUT), else the referrers tag schema:
// an image index tagged `<alg>-<hex>` that the client keeps up to date (docker-registry 2.8 has
// no referrers API). Owns: the tag schema. docs/discovery.md describes both.
#pragma once

#include <string>
#include <vector>

#include "ext/digest/digest.hpp"
#include "ext/oci/descriptor.hpp"
#include "ext/registry/client.hpp"

namespace ext::registry {

// The referrers tag of a digest: truncated algorithm (32), '-', truncated encoded part (64),
// characters a tag may not hold replaced by '-'. sha256:abc... -> "sha256-abc...".
std::string referrers_tag(const digest::Digest& subject);

struct ReferrerList {
  std::vector<oci::Descriptor> manifests;
  bool from_api = false;  // false: read from the referrers tag schema (or none found)
};

// Lists the referrers of `subject` in `repo`, filtered by artifact type when given (client side
// for the tag schema). A tag that holds something other than an image index is Error(registry).
ReferrerList list_referrers(Client& client, const std::string& repo, const digest::Digest& subject,
                            const std::string& artifact_type = {});

// The descriptor a referrer gets in a referrers list: its media type, digest, size, its
// artifactType (or its config's media type when it has none) and its annotations.
oci::Descriptor referrer_descriptor(const oci::Manifest& m, const oci::Descriptor& d);

struct PushedReferrer {
  bool via_api = false;  // the registry processed the subject (OCI-Subject)
  bool tag_updated = false;
};

// PUTs the referrer manifest `bytes` (which has a subject) by digest, then, unless the
// registry answered OCI-Subject for that subject, adds it to the referrers tag's index (created
// empty when the tag is 404; not duplicated when present).
PushedReferrer push_referrer(Client& client, const std::string& repo, const oci::Manifest& m,
                             const oci::Descriptor& d, std::string_view bytes);

// After a referrer manifest was deleted: drops it from the tag schema's index (best effort is
// the caller's choice; throws on registry errors). Returns true when the index changed.
bool remove_from_referrers_tag(Client& client, const std::string& repo,
                               const digest::Digest& subject, const digest::Digest& referrer);

}  // namespace ext::registry
