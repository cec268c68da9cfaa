#include "ext/ops/tags.hpp"

#include "ext/core/error.hpp"
#include "ext/ref/reference.hpp"

namespace ext::ops {

TagsResult tags(const TagsOptions& opts, Env& env) {
  auto parsed = ref::Reference::parse(opts.repository);
  if (!parsed)
    throw Error(Errc::invalid_argument,
                "invalid repository \"" + opts.repository + "\": " + parsed.error().message(),
                "repositories look like registry.example/team/filter");
  auto remote = connect_remote(parsed->registry(), opts.flags, env);
  TagsResult r;
  r.repository = parsed->name();
  r.tags = remote.client->tags(parsed->repository(), opts.page_size);
  return r;
}

}  // namespace ext::ops
