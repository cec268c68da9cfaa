#include "ext/ops/tags.hpp"

#include "ext/core/error.hpp"
#include "ext/ref/reference.hpp"

namespace ext::ops {

TagsResult tags(const TagsOptions& opts, Env& env) {
  auto parsed = ref::Reference::parse(opts.repository);
  if (!parsed)
    // The parser's message names the text already ("invalid reference \"X\": why").
    throw Error(parsed.error()).with_hint("repositories look like registry.example/team/filter");
  auto remote = connect_remote(parsed->registry(), opts.flags, env);
  TagsResult r;
  r.repository = parsed->name();
  r.tags = remote.client->tags(parsed->repository(), opts.page_size);
  return r;
}

}  // namespace ext::ops
