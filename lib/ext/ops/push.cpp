#include "ext/ops/push.hpp"

#include "ext/artifact/artifact.hpp"
#include "ext/core/error.hpp"
#include "ext/core/reporter.hpp"
#include "ext/oci/media_types.hpp"
#include "ext/ops/share.hpp"
#include "ext/project/project_file.hpp"
#include "ext/ref/reference.hpp"
#include "ext/registry/registry_store.hpp"
#include "ext/store/oci_layout_store.hpp"
#include "ext/util/files.hpp"
#include "ext/wasm/module.hpp"

namespace ext::ops {

namespace {

// The module's sha256 and layout of a stored image ("" when it is no wasm image).
std::pair<std::string, std::string> module_facts(store::Store& s, const oci::Descriptor& d,
                                                 Reporter* rep) {
  if (!oci::is_manifest_type(d.media_type)) return {};
  auto m = oci::Manifest::parse(store::read_all(s, d));
  if (!m) return {};
  auto det = artifact::detect(*m, s);
  if (!det) {
    if (rep) rep->warn(artifact::not_wasm_message(det.error().message()));
    return {};
  }
  if (!det->module_in_tar) return {det->module_blob.digest.hex(), artifact::to_string(det->layout)};
  util::TempDir tmp;
  auto sha = artifact::extract_module(s, *det, tmp.path() / "plugin.wasm");
  return {sha, artifact::to_string(det->layout)};
}

// Re-packs the module of a stored image in another format; returns the new manifest.
oci::Descriptor repack(store::OciLayoutStore& local, const oci::Descriptor& d,
                       artifact::Format format) {
  auto m = oci::Manifest::parse(store::read_all(local, d));
  if (!m) throw m.error().with_context("reading the stored manifest");
  auto det = artifact::detect(*m, local);
  if (!det) throw det.error().with_context("--format needs a wasm image");
  util::TempDir tmp;
  auto module_path = tmp.path() / "plugin.wasm";
  artifact::extract_module(local, *det, module_path);
  auto info = wasm::read_module_file(module_path);
  if (!info) throw info.error().with_context("reading the stored module");
  artifact::PackOptions po;
  po.format = format;
  // The same inputs `ext build --format F` packs, so a repack is byte-identical to that build.
  if (det->runtime_config) po.root_ids = det->runtime_config->root_ids;
  for (const auto& [k, v] : m->annotations) {
    if (k == artifact::k_created_annotation)
      po.created = v;
    else if (k.rfind("org.opencontainers.image.", 0) == 0 || k.rfind("ext.dev/", 0) == 0)
      po.annotations[k] = v;
  }
  auto type = m->annotations.find(artifact::k_filter_type_annotation);
  if (type != m->annotations.end()) {
    po.filter_type = type->second;
  } else {
    auto kind = wasm::resolve_filter_type(*info, std::nullopt, "--filter-type");
    if (kind) po.filter_type = wasm::to_string(*kind);
  }
  auto packed = artifact::pack(local, module_path, *info, po);
  return packed.manifest;
}

// The README to push beside `ref` (PushOptions), checked; empty when there is none.
std::filesystem::path find_readme(const PushOptions& opts, const ref::Reference& ref, Env& env) {
  namespace fs = std::filesystem;
  if (!opts.readme) return {};
  fs::path path;
  std::error_code ec;
  if (!opts.readme_file.empty()) {
    path = opts.readme_file;
    if (!fs::exists(path, ec)) throw Error(Errc::not_found, "no such README: " + path.string());
  } else {
    if (!fs::exists(opts.project_dir / project::k_project_file_name, ec)) return {};
    auto project = project::load_project(opts.project_dir);
    if (!project) throw project.error();
    auto repo = ref.repository();
    auto last = repo.substr(repo.rfind('/') == std::string::npos ? 0 : repo.rfind('/') + 1);
    bool ours = project->name == last;
    if (!project->image.empty()) {
      if (auto img = ref::Reference::parse(project->image); img && img->name() == ref.name())
        ours = true;
    }
    if (!ours) {
      env.reporter.get().debug(1, "ext.yaml (" + project->name + ") is not " + ref.name() +
                                      "'s project: no README pushed");
      return {};
    }
    if (!project->readme.empty()) {
      path = opts.project_dir / project->readme;
      if (!fs::exists(path, ec))
        throw Error(Errc::not_found, "ext.yaml names readme: " + project->readme +
                                         ", which does not exist in " + opts.project_dir.string());
    } else {
      path = opts.project_dir / "README.md";
      if (!fs::exists(path, ec)) return {};
    }
  }
  if (!fs::is_regular_file(path, ec))
    throw Error(Errc::invalid_argument, path.string() + " is not a regular file");
  auto size = fs::file_size(path, ec);
  if (ec) throw Error(Errc::io, "cannot read " + path.string() + ": " + ec.message());
  if (size > k_max_readme_bytes)
    throw Error(Errc::validation,
                "the README " + path.string() + " is " + std::to_string(size) +
                    " bytes, over the limit of " + std::to_string(k_max_readme_bytes),
                "nothing was pushed; shorten it, name a shorter file with `readme:` in ext.yaml, "
                "or push with --no-readme");
  return path;
}

}  // namespace

PushResult push(const PushOptions& opts, Env& env) {
  auto ref = parse_ref(opts.ref);
  const auto readme = find_readme(opts, ref, env);
  store::OciLayoutStore local(env.store_root);
  auto found = local.resolve(ref);
  if (!found)
    throw Error(Errc::not_found, "no image " + ref.to_string() + " in the local store",
                "build it with `ext build -t " + ref.to_string() +
                    "`, or `ext tag` an image "
                    "you have (see `ext list`)");
  oci::Descriptor root = *found;
  if (!opts.format.empty()) {
    auto f = artifact::parse_format(opts.format);
    if (!f) throw f.error();
    root = repack(local, root, *f);
  }

  std::vector<ref::Reference> names;
  // A repack (--format) with -t goes to those tags only: REF's remote tag keeps its format.
  if (!ref.tag().empty() && (opts.format.empty() || opts.tags.empty()))
    names.push_back(ref.with_tag(ref.tag()));
  for (const auto& t : opts.tags) {
    ref::Reference r;
    if (t.find('/') == std::string::npos && t.find('@') == std::string::npos) {
      r = parse_ref(ref.name() + ":" + t);
    } else {
      r = parse_ref(t);
    }
    if (r.registry() != ref.registry() || r.repository() != ref.repository())
      throw Error(Errc::usage, "-t " + t + " is not in " + ref.name(),
                  "extra tags go to the same repository; push other repositories separately");
    if (r.tag().empty()) throw Error(Errc::usage, "-t " + t + " has no tag");
    names.push_back(r.with_tag(r.tag()));
  }

  auto remote = connect_remote(ref.registry(), opts.flags, env);
  registry::RegistryStore dst(remote.client, ref.repository());
  // Mount from other repositories of the same registry that this image came from.
  std::vector<std::string> sources;
  for (const auto& e : local.list()) {
    if (e.manifest.digest != found->digest) continue;
    auto r = ref::Reference::parse(e.name);
    if (r && r->registry() == ref.registry() && r->repository() != ref.repository())
      sources.push_back(r->repository());
  }
  dst.set_mount_sources(sources);

  store::CopyOptions copts;
  copts.names = names;
  copts.reporter = &env.reporter.get();
  copts.concurrency = std::max(1, opts.flags.concurrency);
  std::string what = "pushing " + ref.to_string();
  store::CopyResult cr;
  for (int attempt = 1;; ++attempt) {
    try {
      cr = with_context(what, [&] { return store::copy_graph(local, dst, root, copts); });
      break;
    } catch (const Error& e) {
      // A dropped connection after the transport's own retries, or a failed streamed upload (a
      // large blob's body cannot be resent by the transport): start over once; blobs the
      // registry already took are skipped.
      if (!e.temporary() || attempt >= 2 || !remote.client->retry_budget().allows()) throw;
      env.reporter.get().warn(e.message() + "; retrying the push");
    }
  }

  PushResult r;
  r.reference = ref.to_string();
  for (const auto& n : names) r.tags.push_back(n.tag());
  r.manifest_digest = root.digest.to_string();
  r.media_type = root.media_type;
  std::tie(r.module_sha256, r.layout) = module_facts(local, root, &env.reporter.get());
  r.blobs_uploaded = cr.blobs_copied;
  r.blobs_skipped = cr.blobs_skipped;
  r.blobs_mounted = dst.blobs_mounted();
  r.bytes_uploaded = cr.bytes_copied;
  if (!readme.empty()) {
    AttachOptions a;
    a.ref = ref.name() + "@" + root.digest.to_string();
    a.file = readme;
    a.artifact_type = k_readme_artifact_type;
    a.media_type = k_readme_media_type;
    a.max_bytes = k_max_readme_bytes;
    a.flags = opts.flags;
    auto attached = with_context("pushing the README " + readme.string() + " as a referrer",
                                 [&] { return attach(a, env); });
    r.readme = readme.string();
    r.readme_digest = attached.digest;
  }
  return r;
}

}  // namespace ext::ops
