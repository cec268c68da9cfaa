#include "ext/ops/pull.hpp"

#include "ext/artifact/artifact.hpp"
#include "ext/core/error.hpp"
#include "ext/core/reporter.hpp"
#include "ext/oci/layout.hpp"
#include "ext/ref/reference.hpp"
#include "ext/registry/registry_store.hpp"
#include "ext/store/oci_layout_store.hpp"
#include "ext/util/files.hpp"

namespace ext::ops {

PullResult pull(const PullOptions& opts, Env& env) {
  auto parsed = ref::Reference::parse(opts.ref);
  // The parser's message names the reference already ("invalid reference \"X\": why").
  if (!parsed)
    throw Error(parsed.error()).with_hint("references look like registry.example/team/filter:v1");
  auto ref = *parsed;
  std::string what = "pulling " + ref.to_string();
  auto remote = connect_remote(ref.registry(), opts.flags, env);
  registry::RegistryStore src(remote.client, ref.repository());
  store::OciLayoutStore local(env.store_root);

  PullResult r;
  r.reference = ref.to_string();
  oci::Descriptor root = with_context(what, [&] {
    auto d = src.resolve(ref);
    if (!d)
      throw Error(Errc::not_found, ref.to_string() + " was not found in the registry",
                  "check the name with `ext tags " + ref.name() + "`");
    return *d;
  });
  if (oci::is_index_type(root.media_type)) {
    r.index_digest = root.digest.to_string();
    auto bytes = with_context(what, [&] { return store::read_all(src, root, 4u << 20); });
    auto idx = oci::Index::parse(bytes);
    if (!idx) throw idx.error().with_context(what);
    auto chosen = artifact::select_manifest(*idx);
    if (!chosen) throw chosen.error().with_context(what);
    root = *chosen;
  } else if (!oci::is_manifest_type(root.media_type)) {
    throw Error(Errc::unsupported, what + ": unsupported manifest type " + root.media_type);
  }

  // The content is copied unnamed; the name is set last, once every check passed: a pull that
  // fails (an image ext cannot read, a damaged blob) leaves no name behind.
  store::CopyOptions copts;
  copts.reporter = &env.reporter.get();
  copts.concurrency = std::max(1, opts.flags.concurrency);
  copts.verify_existing = true;  // a damaged local blob of the right size is fetched again
  store::CopyResult cr;
  const bool root_was_stored = local.has(root);
  for (int attempt = 1;; ++attempt) {
    try {
      cr = with_context(what, [&] { return store::copy_graph(src, local, root, copts); });
      break;
    } catch (const Error& e) {
      // Once more only while the command's retry budget (shared with every lower layer) lasts.
      if (!e.temporary() || attempt >= 2 || !remote.client->retry_budget().allows()) throw;
      env.reporter.get().warn(e.message() + "; retrying the pull");
    }
  }
  r.manifest_digest = root.digest.to_string();
  r.media_type = root.media_type;
  r.blobs_fetched = cr.blobs_copied;
  r.blobs_skipped = cr.blobs_skipped;
  r.bytes_fetched = cr.bytes_copied;
  if (root_was_stored && cr.blobs_skipped > 0 && cr.blobs_repaired == 0) {
    // The root manifest is always read from the registry (to walk the graph); the copy skipped
    // writing it because it is unnamed there: count it as fetched, as a named copy would.
    ++r.blobs_fetched;
    --r.blobs_skipped;
    r.bytes_fetched += static_cast<uint64_t>(root.size);
  }

  auto m = oci::Manifest::parse(store::read_all(local, root, oci::k_max_manifest_bytes));
  if (!m) throw m.error().with_context(what);
  auto det = artifact::detect(*m, local);
  if (!det) {
    if (!opts.output.empty()) throw det.error().with_context(what);  // failed: no name
    env.reporter.get().warn(ref.to_string() + ": " +
                            artifact::not_wasm_message(det.error().message()));
    local.set_name(ref, root);  // stored as is (`ext inspect` says why it is not wasm)
    return r;
  }
  r.layout = artifact::to_string(det->layout);
  if (det->runtime_config && !det->runtime_config->abi_versions.empty())
    r.abi_version = det->runtime_config->abi_versions.front();
  if (auto it = m->annotations.find("module.wasm.runtime/abi_version");
      r.abi_version.empty() && it != m->annotations.end())
    r.abi_version = it->second;
  if (!opts.output.empty()) {
    r.module_sha256 = artifact::extract_module(local, *det, opts.output);
    r.output = opts.output;
    std::error_code ec;
    r.module_size = std::filesystem::file_size(opts.output, ec);
  } else if (!det->module_in_tar) {
    r.module_sha256 = det->module_blob.digest.hex();
    r.module_size = static_cast<uint64_t>(det->module_blob.size);
  } else {
    util::TempDir tmp;
    auto out = tmp.path() / "plugin.wasm";
    r.module_sha256 = artifact::extract_module(local, *det, out);
    std::error_code ec;
    r.module_size = std::filesystem::file_size(out, ec);
  }
  // Named last (the index, if any, was not stored: the name points at the chosen manifest, as
  // before).
  local.set_name(ref, root);
  return r;
}

}  // namespace ext::ops
