#include "ext/ops/tag.hpp"

#include "ext/ref/reference.hpp"
#include "ext/store/oci_layout_store.hpp"

namespace ext::ops {

TagResult tag(const TagOptions& opts, Env& env) {
  auto src = ref::Reference::parse(opts.source).value();
  auto dst = ref::Reference::parse(opts.target).value();
  if (dst.digest())
    throw Error(Errc::usage, "the new name " + opts.target + " has a digest; give it a tag",
                "e.g. ext tag " + opts.source + " " + dst.name() + ":v2");
  store::OciLayoutStore s(env.store_root);
  auto desc = s.resolve(src);
  if (!desc)
    throw Error(Errc::not_found, "no image " + src.to_string() + " in the local store",
                "`ext list` shows the stored images; `ext pull " + opts.source + "` fetches it");
  s.set_name(dst, *desc);
  env.reporter.get().debug(1, "tagged " + desc->digest.to_string() + " as " + dst.to_string());
  return {store::name_key(src), store::name_key(dst), desc->digest.to_string()};
}

}  // namespace ext::ops
