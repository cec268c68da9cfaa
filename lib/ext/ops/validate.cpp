#include "ext/ops/validate.hpp"

#include <filesystem>

#include "ext/artifact/artifact.hpp"
#include "ext/core/error.hpp"
#include "ext/oci/descriptor.hpp"
#include "ext/ops/inspect.hpp"
#include "ext/ref/reference.hpp"
#include "ext/store/oci_layout_store.hpp"
#include "ext/util/files.hpp"
#include "ext/wasm/abi_tables.hpp"

namespace ext::ops {

namespace fs = std::filesystem;

namespace {

void finish(ValidateResult& r, const ValidateOptions& opts) {
  wasm::ValidateOptions vo;
  vo.max_module_size = opts.max_module_size;
  if (!opts.platform_version.empty()) {
    vo.envoy_version = wasm::abi::known_envoy_version(opts.platform_version);
    if (vo.envoy_version.empty()) {
      std::string known;
      for (auto v : wasm::abi::envoy_versions())
        known += (known.empty() ? "" : ", ") + std::string(v);
      throw Error(Errc::usage, "unknown Envoy version \"" + opts.platform_version + "\"",
                  "ext knows Envoy " + known);
    }
  }
  r.findings = wasm::validate(r.module, vo);
  for (const auto& f : r.findings) {
    if (f.severity == wasm::Severity::error) ++r.errors;
    if (f.severity == wasm::Severity::warning) ++r.warnings;
  }
  r.ok = r.errors == 0 && (!opts.strict || r.warnings == 0);
}

constexpr uint64_t k_max_manifest_bytes =
    4u << 20;  // distribution-spec "Pushing Manifests": registries SHOULD accept >= 4 MiB

// The image's manifest: the named one, or for an index the first entry that is a wasm image.
std::pair<oci::Manifest, artifact::Detected> find_wasm_manifest(store::OciLayoutStore& st,
                                                                const oci::Descriptor& root,
                                                                std::string& manifest_digest) {
  auto bytes = store::read_all(st, root, k_max_manifest_bytes);
  if (oci::is_index_type(root.media_type)) {
    auto index = oci::Index::parse(bytes).value();
    std::optional<Error> last;
    for (const auto& d : index.manifests) {
      if (!oci::is_manifest_type(d.media_type)) continue;
      auto m = oci::Manifest::parse(store::read_all(st, d, k_max_manifest_bytes)).value();
      auto det = artifact::detect(m, st);
      if (det) {
        manifest_digest = d.digest.to_string();
        return {std::move(m), std::move(*det)};
      }
      last = det.error();
    }
    if (last) throw *last;
    throw Error(Errc::unsupported, "the image index lists no wasm image manifest");
  }
  auto m = oci::Manifest::parse(bytes).value();
  manifest_digest = root.digest.to_string();
  auto det = artifact::detect(m, st).value();
  return {std::move(m), std::move(det)};
}

}  // namespace

ValidateResult validate(const ValidateOptions& opts, Env& env) {
  if (opts.target.empty()) throw Error(Errc::usage, "ext validate needs a FILE.wasm or REF");
  ValidateResult r;
  std::error_code ec;
  fs::path path(opts.target);
  if (fs::is_regular_file(path, ec)) {
    r.source = path.string();
    r.source_kind = "file";
    env.reporter.get().debug(1, "validating file " + r.source);
    r.module = wasm::read_module_file(path).value();
    finish(r, opts);
    return r;
  }
  if (fs::exists(path, ec))
    throw Error(Errc::invalid_argument, opts.target + " is not a regular file");

  if (names_a_path(opts.target)) throw missing_path(opts.target);
  // Not a file: an image in the local store.
  auto ref = ref::Reference::parse(opts.target);
  if (!ref)
    throw Error(Errc::not_found,
                // The parser's message quotes the text: "invalid reference \"X\": why".
                "no such file, and " + ref.error().message(),
                "pass a .wasm file or the name of an image in the local store (see ext list)");
  r.source = ref->to_string();
  r.source_kind = "image";
  store::OciLayoutStore st(env.store_root);
  auto root = st.resolve(*ref);
  if (!root)
    throw Error(Errc::not_found,
                "no file " + opts.target + " and no image " + r.source + " in the local store",
                "ext list shows the images in the store; ext pull fetches one");
  env.reporter.get().debug(1, "validating image " + r.source);
  with_context(r.source, [&] {
    auto [manifest, detected] = find_wasm_manifest(st, *root, r.manifest_digest);
    r.layout = artifact::to_string(detected.layout);
    util::TempDir tmp("ext-validate-");
    auto module_path = tmp.path() / "plugin.wasm";
    artifact::extract_module(st, detected, module_path);
    r.module = wasm::read_module(util::read_file(module_path, wasm::k_max_module_bytes)).value();
  });
  finish(r, opts);
  return r;
}

}  // namespace ext::ops
