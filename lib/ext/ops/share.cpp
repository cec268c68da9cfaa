// ops — attach, discover, copy, rm --remote (docs/discovery.md; distribution-spec v1.1.1).
#include "ext/ops/share.hpp"

#include <cstdio>
#include <cstring>
#include <functional>
#include <set>
#include <sstream>

#include "ext/core/error.hpp"
#include "ext/core/reporter.hpp"
#include "ext/digest/digest.hpp"
#include "ext/oci/media_types.hpp"
#include "ext/ref/reference.hpp"
#include "ext/registry/referrers.hpp"
#include "ext/registry/registry_store.hpp"

namespace ext::ops {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr size_t k_max_nodes = 1000;

// RFC 6838 type "/" subtype (restricted-name characters), as image-spec asks of artifactType.
bool is_media_type(const std::string& t) {
  auto slash = t.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 >= t.size() || t.size() > 255)
    return false;
  for (size_t i = 0; i < t.size(); ++i) {
    char c = t[i];
    if (i == slash) continue;
    bool ok = std::isalnum(static_cast<unsigned char>(c)) || std::strchr("!#$&-^_.+", c);
    if (!ok) return false;
  }
  return true;
}

void upload_file(store::Store& dst, const oci::Descriptor& d, const fs::path& path) {
  if (dst.has(d)) return;
  std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f) throw Error(Errc::io, "cannot open " + path.string() + ": " + std::strerror(errno));
  auto w = dst.create(d);
  std::vector<char> buf(1 << 20);
  for (;;) {
    size_t n = std::fread(buf.data(), 1, buf.size(), f.get());
    if (n == 0) break;
    w->write(buf.data(), n);
  }
  w->commit();
}

// The referrer manifests of `subject`, each fetched and checked to name it as subject.
struct Fetched {
  oci::Descriptor listed;
  registry::FetchedManifest manifest;
  oci::Manifest parsed;
};

std::vector<Fetched> fetch_referrers(registry::Client& client, const std::string& repo,
                                     const digest::Digest& subject, const std::string& type,
                                     bool* from_api) {
  auto list = registry::list_referrers(client, repo, subject, type);
  if (from_api) *from_api = list.from_api;
  std::vector<Fetched> out;
  for (const auto& d : list.manifests) {
    if (!oci::is_manifest_type(d.media_type) && !oci::is_index_type(d.media_type))
      throw Error(Errc::registry, "the referrers of " + subject.to_string() + " list " +
                                      d.digest.to_string() + " of type " + d.media_type +
                                      ", not a manifest");
    Fetched f;
    f.listed = d;
    f.manifest = client.get_manifest(repo, d.digest.to_string());  // digest verified
    if (oci::is_manifest_type(f.manifest.descriptor.media_type)) {
      auto m = oci::Manifest::parse(f.manifest.bytes);
      if (!m) throw m.error().with_context("referrer " + d.digest.to_string());
      f.parsed = *m;
    } else {
      auto idx = oci::Index::parse(f.manifest.bytes);
      if (!idx) throw idx.error().with_context("referrer " + d.digest.to_string());
      f.parsed.media_type = idx->media_type;
      f.parsed.subject = idx->subject;
    }
    if (!f.parsed.subject || f.parsed.subject->digest != subject)
      throw Error(
          Errc::registry,
          "the registry lists " + d.digest.to_string() + " as a referrer of " +
              subject.to_string() + ", but its subject is " +
              (f.parsed.subject ? f.parsed.subject->digest.to_string() : std::string("missing")),
          "the registry's referrers list (or its referrers tag " +
              registry::referrers_tag(subject) + ") is wrong; nothing was read from it");
    out.push_back(std::move(f));
  }
  return out;
}

std::string describe_node(const oci::Descriptor& d) {
  std::string s = d.digest.to_string();
  if (!d.artifact_type.empty()) s += "  " + d.artifact_type;
  auto t = d.annotations.find("org.opencontainers.image.title");
  if (t != d.annotations.end()) s += "  " + t->second;
  return s;
}

json node_json(const ReferrerNode& n) {
  json j = oci::to_json(n.descriptor);
  json children = json::array();
  for (const auto& c : n.children) children.push_back(node_json(c));
  j["referrers"] = children;
  return j;
}

void node_text(std::ostringstream& o, const ReferrerNode& n, const std::string& prefix, bool last) {
  o << prefix << (last ? "└── " : "├── ") << describe_node(n.descriptor) << "\n";
  for (size_t i = 0; i < n.children.size(); ++i)
    node_text(o, n.children[i], prefix + (last ? "    " : "│   "), i + 1 == n.children.size());
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// attach

AttachResult attach(const AttachOptions& opts, Env& env) {
  auto ref = parse_ref(opts.ref);
  if (opts.artifact_type.empty())
    throw Error(Errc::usage, "ext attach needs --artifact-type",
                "e.g. --artifact-type application/spdx+json for an SBOM");
  if (!is_media_type(opts.artifact_type))
    throw Error(Errc::invalid_argument, "--artifact-type \"" + opts.artifact_type +
                                            "\" is not a media type (type/subtype)");
  std::string media_type = opts.media_type.empty() ? "application/octet-stream" : opts.media_type;
  if (!is_media_type(media_type))
    throw Error(Errc::invalid_argument, "--media-type \"" + media_type + "\" is not a media type");
  std::error_code ec;
  auto status = fs::status(opts.file, ec);
  if (ec || !fs::exists(status))
    throw Error(Errc::not_found, "no such file: " + opts.file.string());
  if (!fs::is_regular_file(status))
    throw Error(Errc::invalid_argument, opts.file.string() + " is not a regular file");
  auto size = fs::file_size(opts.file, ec);
  if (ec) throw Error(Errc::io, "cannot read " + opts.file.string() + ": " + ec.message());
  if (size > opts.max_bytes)
    throw Error(Errc::validation,
                opts.file.string() + " is " + std::to_string(size) + " bytes, over the limit of " +
                    std::to_string(opts.max_bytes) + " for this attachment",
                "nothing was pushed; shorten the file");

  auto remote = connect_remote(ref.registry(), opts.flags, env);
  registry::RegistryStore rs(remote.client, ref.repository());
  auto subject = rs.resolve(ref);
  if (!subject) throw Error(Errc::not_found, ref.to_string() + " was not found in the registry");

  oci::Descriptor layer;
  layer.media_type = media_type;
  layer.digest = digest::sha256_file(opts.file);
  layer.size = static_cast<int64_t>(size);
  layer.annotations["org.opencontainers.image.title"] = opts.file.filename().string();
  const std::string empty = "{}";
  auto config = oci::Descriptor::for_bytes(oci::media::k_empty, empty);
  // image-spec v1.1.1 manifest.md "Guidance for an Empty Descriptor": config is the empty
  // descriptor and artifactType says what the artifact is.
  if (!rs.has(config)) store::write_all(rs, config, empty);
  upload_file(rs, layer, opts.file);

  oci::Manifest m;
  m.media_type = oci::media::k_manifest;
  m.artifact_type = opts.artifact_type;
  m.config = config;
  m.layers = {layer};
  oci::Descriptor subj;
  subj.media_type = subject->media_type;
  subj.digest = subject->digest;
  subj.size = subject->size;
  m.subject = subj;
  m.annotations = opts.annotations;
  // The file's name on the manifest too: the referrers list carries manifest annotations only.
  m.annotations.emplace("org.opencontainers.image.title", opts.file.filename().string());
  auto bytes = m.serialize();
  auto d = oci::Descriptor::for_bytes(oci::media::k_manifest, bytes);
  auto pushed = registry::push_referrer(*remote.client, ref.repository(), m, d, bytes);

  AttachResult r;
  r.subject = ref.to_string();
  r.subject_digest = subject->digest.to_string();
  r.digest = d.digest.to_string();
  r.artifact_type = opts.artifact_type;
  r.size = size;
  r.recorded_by = pushed.via_api ? "api" : "tag-schema";
  if (!pushed.via_api) r.referrers_tag = registry::referrers_tag(subject->digest);
  return r;
}

// ---------------------------------------------------------------------------------------------
// discover

json DiscoverResult::to_json() const {
  json refs = json::array();
  for (const auto& n : referrers) refs.push_back(node_json(n));
  return {{"subject", subject},
          {"digest", subject_descriptor.digest.to_string()},
          {"media_type", subject_descriptor.media_type},
          {"source", source},
          {"referrers", refs}};
}

std::string DiscoverResult::to_text() const {
  std::ostringstream o;
  o << subject << "@" << subject_descriptor.digest.to_string() << "\n";
  for (size_t i = 0; i < referrers.size(); ++i)
    node_text(o, referrers[i], "", i + 1 == referrers.size());
  return o.str();
}

DiscoverResult discover(const DiscoverOptions& opts, Env& env) {
  auto ref = parse_ref(opts.ref);
  auto remote = connect_remote(ref.registry(), opts.flags, env);
  registry::RegistryStore rs(remote.client, ref.repository());
  auto subject = rs.resolve(ref);
  if (!subject) throw Error(Errc::not_found, ref.to_string() + " was not found in the registry");
  DiscoverResult r;
  r.subject = ref.to_string();
  r.subject_descriptor = *subject;
  size_t nodes = 0;
  std::set<std::string> visited{subject->digest.to_string()};
  std::function<std::vector<ReferrerNode>(const digest::Digest&, int)> walk =
      [&](const digest::Digest& d, int depth) {
        std::vector<ReferrerNode> out;
        bool api = false;
        auto fetched =
            fetch_referrers(*remote.client, ref.repository(), d, opts.artifact_type, &api);
        if (depth == 0) r.source = api ? "api" : "tag-schema";
        for (auto& f : fetched) {
          if (++nodes > k_max_nodes)
            throw Error(Errc::registry, "more than " + std::to_string(k_max_nodes) +
                                            " referrers under " + ref.to_string());
          ReferrerNode n;
          n.descriptor = f.listed;
          if (depth + 1 < opts.depth && visited.insert(f.listed.digest.to_string()).second)
            n.children = walk(f.listed.digest, depth + 1);
          out.push_back(std::move(n));
        }
        return out;
      };
  r.referrers = walk(subject->digest, 0);
  (void)env;
  return r;
}

// ---------------------------------------------------------------------------------------------
// copy

CopyImageResult copy_image(const CopyImageOptions& opts, Env& env) {
  auto src = parse_ref(opts.source);
  auto dst = parse_ref(opts.target);
  // The parser adds ":latest" to a bare name: look at what was typed.
  auto names_tag = [](const std::string& text) {
    auto last = text.substr(text.rfind('/') == std::string::npos ? 0 : text.rfind('/'));
    return last.find_first_of(":@") != std::string::npos;
  };
  if (opts.all_tags && names_tag(opts.source))
    throw Error(Errc::usage, "--all-tags copies a repository: name it without a tag",
                "ext copy --all-tags " + src.name() + " " + dst.name());
  if (opts.all_tags && names_tag(opts.target))
    throw Error(Errc::usage, "--all-tags keeps the tags: name the target repository only");
  if (dst.digest()) throw Error(Errc::usage, "the target cannot be a digest");
  if (!names_tag(opts.target)) dst = dst.with_tag("");  // the source's tag (or digest)

  auto from_remote = connect_remote(src.registry(), opts.flags, env);
  const bool same_registry = src.registry() == dst.registry();
  Remote to_remote_holder;
  if (!same_registry) to_remote_holder = connect_remote(dst.registry(), opts.flags, env);
  auto to_client = same_registry ? from_remote.client : to_remote_holder.client;
  registry::RegistryStore from(from_remote.client, src.repository());
  registry::RegistryStore to(to_client, dst.repository());
  if (same_registry) to.set_mount_sources({src.repository()});

  std::vector<std::string> identifiers;  // tags (or one digest) to copy
  if (opts.all_tags) {
    for (auto& t : from_remote.client->tags(src.repository()))
      if (!is_referrers_tag(t)) identifiers.push_back(t);
    if (identifiers.empty()) throw Error(Errc::not_found, src.name() + " has no tags to copy");
  } else {
    identifiers.push_back(src.identifier());
  }

  CopyImageResult r;
  store::CopyOptions copts;
  copts.reporter = &env.reporter.get();
  copts.concurrency = std::max(1, opts.flags.concurrency);
  auto add = [&r](const store::CopyResult& c) {
    r.blobs_copied += c.blobs_copied;
    r.blobs_skipped += c.blobs_skipped;
    r.bytes_copied += c.bytes_copied;
  };
  // 1. Read everything first: each image and its referrers (each checked to name its subject),
  // so a lying registry fails the copy before anything is written to the target.
  struct Planned {
    ref::Reference source;
    oci::Descriptor desc;
    std::string tag;
  };
  std::vector<Planned> plan;
  std::vector<Fetched> referrers;  // parents before children
  std::set<std::string> seen;
  std::function<void(const digest::Digest&, int)> collect = [&](const digest::Digest& d,
                                                                int depth) {
    if (!opts.referrers || depth > 4) return;
    for (auto& f : fetch_referrers(*from_remote.client, src.repository(), d, {}, nullptr)) {
      if (!seen.insert(f.listed.digest.to_string()).second) continue;
      if (seen.size() > k_max_nodes)
        throw Error(Errc::registry, "more than " + std::to_string(k_max_nodes) + " referrers");
      auto child = f.listed.digest;
      referrers.push_back(std::move(f));
      collect(child, depth + 1);
    }
  };
  for (const auto& id : identifiers) {
    auto one = parse_ref(src.name() + (id.rfind("sha256:", 0) == 0 ? "@" : ":") + id);
    auto desc = from.resolve(one);
    if (!desc) throw Error(Errc::not_found, one.to_string() + " was not found in the registry");
    std::string tag = opts.all_tags ? id : (!dst.tag().empty() ? dst.tag() : one.tag());
    plan.push_back({one, *desc, tag});
    collect(desc->digest, 0);
  }

  // 2. Copy: images under their tags, then the referrers by digest, recorded in the target.
  for (const auto& p : plan) {
    copts.names.clear();
    if (!p.tag.empty()) copts.names.push_back(dst.with_tag(p.tag));
    add(with_context("copying " + p.source.to_string(),
                     [&] { return store::copy_graph(from, to, p.desc, copts); }));
    CopyImageResult::Item item;
    item.source = p.source.to_string();
    item.target = p.tag.empty() ? dst.name() + "@" + p.desc.digest.to_string()
                                : dst.with_tag(p.tag).to_string();
    item.digest = p.desc.digest.to_string();
    r.copied.push_back(item);
  }
  for (const auto& f : referrers) {
    store::CopyOptions ro = copts;
    ro.names.clear();  // by digest
    add(with_context("copying referrer " + f.listed.digest.to_string(),
                     [&] { return store::copy_graph(from, to, f.manifest.descriptor, ro); }));
    if (oci::is_manifest_type(f.manifest.descriptor.media_type))
      registry::push_referrer(*to_client, dst.repository(), f.parsed, f.manifest.descriptor,
                              f.manifest.bytes);
    ++r.referrers_copied;
  }
  r.blobs_mounted = to.blobs_mounted();
  return r;
}

// ---------------------------------------------------------------------------------------------
// rm --remote

RemoveRemoteResult remove_remote(const RemoveRemoteOptions& opts, Env& env) {
  if (opts.refs.empty()) throw Error(Errc::usage, "ext rm --remote needs a REF");
  std::vector<ref::Reference> refs;
  for (const auto& t : opts.refs) {
    auto r = parse_ref(t);
    if (r.tag().empty() && !r.digest())
      throw Error(Errc::usage, "ext rm --remote " + t + ": name a tag or a digest");
    refs.push_back(r);
  }
  RemoveRemoteResult out;
  for (const auto& ref : refs) {
    auto remote = connect_remote(ref.registry(), opts.flags, env);
    auto m = remote.client->get_manifest(ref.repository(), ref.identifier());
    std::optional<digest::Digest> subject;
    if (oci::is_manifest_type(m.descriptor.media_type)) {
      if (auto parsed = oci::Manifest::parse(m.bytes); parsed && parsed->subject)
        subject = parsed->subject->digest;
    }
    remote.client->delete_manifest(ref.repository(), m.descriptor.digest);
    RemoveRemoteResult::Item item;
    item.reference = ref.to_string();
    item.digest = m.descriptor.digest.to_string();
    // distribution-spec v1.1.1 "Deleting Manifests": without the referrers API, the client
    // removes the entry from the subject's referrers tag.
    if (subject) {
      try {
        if (!remote.client->referrers(ref.repository(), *subject))
          item.referrers_tag_updated = registry::remove_from_referrers_tag(
              *remote.client, ref.repository(), *subject, m.descriptor.digest);
      } catch (const Error& e) {
        env.reporter.get().warn("deleted, but the referrers tag of " + subject->to_string() +
                                " was not updated: " + e.message());
      }
    }
    out.deleted.push_back(item);
  }
  return out;
}

}  // namespace ext::ops
