#include "ext/ops/prune.hpp"

#include "ext/ops/export_import.hpp"
#include "ext/store/oci_layout_store.hpp"

namespace ext::ops {

PruneResult prune(const PruneOptions&, Env& env) {
  store::OciLayoutStore s(env.store_root);
  auto r = s.prune(env.clock);
  auto [dirs, bytes] = remove_stale_import_dirs();
  return {r.blobs_removed, r.bytes_freed + bytes, dirs};
}

}  // namespace ext::ops
