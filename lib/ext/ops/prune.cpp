#include "ext/ops/prune.hpp"

#include "ext/store/oci_layout_store.hpp"

namespace ext::ops {

PruneResult prune(const PruneOptions&, Env& env) {
  store::OciLayoutStore s(env.store_root);
  auto r = s.prune();
  return {r.blobs_removed, r.bytes_freed};
}

}  // namespace ext::ops
