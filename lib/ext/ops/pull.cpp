#include "ext/ops/pull.hpp"

#include "ext/artifact/artifact.hpp"
#include "ext/core/error.hpp"
#include "ext/core/reporter.hpp"
#include "ext/ref/reference.hpp"
#include "ext/registry/registry_store.hpp"
#include "ext/store/oci_layout_store.hpp"
#include "ext/util/files.hpp"

namespace ext::ops {

PullResult pull(const PullOptions& opts, Env& env) {
  auto parsed = ref::Reference::parse(opts.ref);
  if (!parsed)
    throw Error(Errc::invalid_argument,
                "invalid reference \"" + opts.ref + "\": " + parsed.error().message(),
                "references look like registry.example/team/filter:v1");
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

  store::CopyOptions copts;
  copts.names = {ref};
  copts.reporter = env.reporter;
  copts.concurrency = std::max(1, opts.flags.concurrency);
  store::CopyResult cr;
  for (int attempt = 1;; ++attempt) {
    try {
      cr = with_context(what, [&] { return store::copy_graph(src, local, root, copts); });
      break;
    } catch (const Error& e) {
      if (e.code() != Errc::network || attempt >= 2) throw;
      if (env.reporter) env.reporter->warn(e.message() + "; retrying the pull");
    }
  }
  r.manifest_digest = root.digest.to_string();
  r.media_type = root.media_type;
  r.blobs_fetched = cr.blobs_copied;
  r.blobs_skipped = cr.blobs_skipped;
  r.bytes_fetched = cr.bytes_copied;

  auto m = oci::Manifest::parse(store::read_all(local, root));
  if (!m) throw m.error().with_context(what);
  auto det = artifact::detect(*m, local);
  if (!det) {
    if (!opts.output.empty()) throw det.error().with_context(what);
    if (env.reporter)
      env.reporter->warn(ref.to_string() + " is not a wasm image: " + det.error().message());
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
  return r;
}

}  // namespace ext::ops
