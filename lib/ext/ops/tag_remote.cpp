#include "ext/ops/tag_remote.hpp"

#include "ext/core/error.hpp"
#include "ext/registry/registry_store.hpp"

namespace ext::ops {

TagRemoteResult tag_remote(const TagRemoteOptions& opts, Env& env) {
  auto src = ref::Reference::parse(opts.source);
  if (!src) throw Error(Errc::invalid_argument, "invalid reference \"" + opts.source + "\"");
  ref::Reference dst;
  if (opts.target.find('/') == std::string::npos && opts.target.find(':') == std::string::npos) {
    auto d = ref::Reference::parse(src->name() + ":" + opts.target);
    if (!d) throw Error(Errc::invalid_argument, "invalid tag \"" + opts.target + "\"");
    dst = *d;
  } else {
    auto d = ref::Reference::parse(opts.target);
    if (!d) throw Error(Errc::invalid_argument, "invalid reference \"" + opts.target + "\"");
    dst = *d;
  }
  if (dst.registry() != src->registry())
    throw Error(Errc::usage,
                "ext tag --remote works within one registry (" + src->registry() + " vs " +
                    dst.registry() + ")",
                "copy between registries with `ext pull` then `ext push`");
  if (dst.tag().empty()) throw Error(Errc::usage, "the target needs a tag");
  auto remote = connect_remote(src->registry(), opts.flags, env);
  registry::RegistryStore from(remote.client, src->repository());
  auto d = from.resolve(*src);
  if (!d) throw Error(Errc::not_found, src->to_string() + " was not found in the registry");
  TagRemoteResult r;
  r.source = src->to_string();
  r.target = dst.with_tag(dst.tag()).to_string();
  r.manifest_digest = d->digest.to_string();
  if (dst.repository() == src->repository()) {
    auto m = remote.client->get_manifest(src->repository(), d->digest.to_string());
    remote.client->put_manifest(src->repository(), dst.tag(), m.descriptor, m.bytes);
    return r;
  }
  registry::RegistryStore to(remote.client, dst.repository());
  to.set_mount_sources({src->repository()});
  store::CopyOptions copts;
  copts.names = {dst.with_tag(dst.tag())};
  copts.reporter = &env.reporter.get();
  auto cr = store::copy_graph(from, to, *d, copts);
  r.blobs_mounted = to.blobs_mounted();
  r.blobs_copied = cr.blobs_copied > 0 ? cr.blobs_copied - 1 : 0;
  return r;
}

}  // namespace ext::ops
