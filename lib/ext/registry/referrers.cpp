// ext::registry — referrers: the API and the referrers tag schema (distribution-spec v1.1.1).
#include "ext/registry/referrers.hpp"

#include <algorithm>

#include "ext/core/error.hpp"
#include "ext/oci/media_types.hpp"

namespace ext::registry {

std::string referrers_tag(const digest::Digest& subject) {
  // distribution-spec v1.1.1 "Referrers Tag Schema": <alg truncated to 32>-<encoded truncated to
  // 64>, any character outside [a-zA-Z0-9_.-] replaced with '-'.
  std::string alg = subject.algorithm().substr(0, 32);
  std::string enc = subject.hex().substr(0, 64);
  std::string tag = alg + "-" + enc;
  for (char& c : tag) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == '-';
    if (!ok) c = '-';
  }
  return tag;
}

oci::Descriptor referrer_descriptor(const oci::Manifest& m, const oci::Descriptor& d) {
  oci::Descriptor out;
  out.media_type = d.media_type.empty() ? m.media_type : d.media_type;
  out.digest = d.digest;
  out.size = d.size;
  out.artifact_type = !m.artifact_type.empty() ? m.artifact_type : m.config.media_type;
  out.annotations = m.annotations;
  return out;
}

namespace {

// The index under the referrers tag, or an empty one when the tag does not exist.
oci::Index read_tag_index(Client& client, const std::string& repo, const digest::Digest& subject,
                          bool* existed) {
  const auto tag = referrers_tag(subject);
  *existed = false;
  oci::Index idx;
  idx.media_type = oci::media::k_index;
  FetchedManifest got;
  try {
    got = client.get_manifest(repo, tag);
  } catch (const Error& e) {
    if (e.code() == Errc::not_found || e.http_status() == 404) return idx;
    throw;
  }
  if (!oci::is_index_type(got.descriptor.media_type))
    throw Error(Errc::registry,
                "the referrers tag " + repo + ":" + tag + " holds " + got.descriptor.media_type +
                    ", not an image index",
                "something else was pushed under the referrers tag; delete that tag");
  auto parsed = oci::Index::parse(got.bytes);
  if (!parsed) throw parsed.error().with_context("the referrers tag " + repo + ":" + tag);
  *existed = true;
  return *parsed;
}

void write_tag_index(Client& client, const std::string& repo, const digest::Digest& subject,
                     oci::Index idx) {
  idx.media_type = oci::media::k_index;
  idx.schema_version = 2;
  auto bytes = idx.serialize();
  auto d = oci::Descriptor::for_bytes(oci::media::k_index, bytes);
  client.put_manifest(repo, referrers_tag(subject), d, bytes);
}

}  // namespace

ReferrerList list_referrers(Client& client, const std::string& repo, const digest::Digest& subject,
                            const std::string& artifact_type) {
  ReferrerList out;
  if (auto api = client.referrers(repo, subject, artifact_type)) {
    out.from_api = true;
    out.manifests = std::move(*api);
  } else {
    bool existed = false;
    out.manifests = read_tag_index(client, repo, subject, &existed).manifests;
  }
  // The filter may not have been applied by the registry (OCI-Filters-Applied is optional), and
  // the tag schema is always unfiltered.
  if (!artifact_type.empty())
    std::erase_if(out.manifests,
                  [&](const oci::Descriptor& d) { return d.artifact_type != artifact_type; });
  return out;
}

PushedReferrer push_referrer(Client& client, const std::string& repo, const oci::Manifest& m,
                             const oci::Descriptor& d, std::string_view bytes) {
  if (!m.subject) throw Error(Errc::internal, "push_referrer: the manifest has no subject");
  const auto subject = m.subject->digest;
  PushedReferrer r;
  auto oci_subject = client.put_manifest(repo, d.digest.to_string(), d, bytes);
  if (!oci_subject.empty()) {
    auto parsed = digest::Digest::parse(oci_subject);
    if (parsed && *parsed == subject) {
      r.via_api = true;
      return r;
    }
  }
  bool existed = false;
  auto idx = read_tag_index(client, repo, subject, &existed);
  for (const auto& e : idx.manifests)
    if (e.digest == d.digest) return r;  // already listed: no duplicate
  idx.manifests.push_back(referrer_descriptor(m, d));
  write_tag_index(client, repo, subject, std::move(idx));
  r.tag_updated = true;
  return r;
}

bool remove_from_referrers_tag(Client& client, const std::string& repo,
                               const digest::Digest& subject, const digest::Digest& referrer) {
  bool existed = false;
  auto idx = read_tag_index(client, repo, subject, &existed);
  if (!existed) return false;
  auto before = idx.manifests.size();
  std::erase_if(idx.manifests, [&](const oci::Descriptor& e) { return e.digest == referrer; });
  if (idx.manifests.size() == before) return false;
  write_tag_index(client, repo, subject, std::move(idx));
  return true;
}

}  // namespace ext::registry
