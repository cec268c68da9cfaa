// ext::ops — push: copy a stored image to its registry (store::copy_graph from the local store
// to a registry::RegistryStore): blobs the registry has are skipped (HEAD), blobs another
// repository of the same registry holds are mounted, the manifest is PUT under every tag.
// `--format` re-packs the module in another artifact format first (a registry that rejects
// custom media types takes `compat`). Prints the manifest digest and the module's sha256.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "ext/ops/env.hpp"
#include "ext/ops/remote.hpp"

namespace ext::ops {

struct PushOptions {
  std::string ref;                // the stored image, and where it goes
  std::vector<std::string> tags;  // -t: more tags (bare "v2" or a full reference, same repo)
  std::string format;             // empty: as stored
  RegistryFlags flags;
  // The README pushed as a referrer of the image (docs/discovery.md): `readme_file` when set;
  // else, when project_dir's ext.yaml belongs to the image (its name is the repository's last
  // component, or its image: is the repository), ext.yaml's `readme:` or README.md. Checked
  // (exists, under ops::k_max_readme_bytes) before anything is pushed.
  bool readme = true;  // --no-readme: false
  std::filesystem::path readme_file;
  std::filesystem::path project_dir = ".";
};

struct PushResult {
  std::string reference;          // full normalized reference pushed
  std::vector<std::string> tags;  // every tag written
  std::string manifest_digest;    // sha256:... (Istio's sha256 pin)
  std::string media_type;
  std::string module_sha256;  // hex of the raw module (Envoy's remote sha256)
  std::string layout;         // oci | compat | cncf | ...
  uint64_t blobs_uploaded = 0;
  uint64_t blobs_skipped = 0;
  uint64_t blobs_mounted = 0;
  uint64_t bytes_uploaded = 0;
  std::string readme;         // the README file pushed ("" when none)
  std::string readme_digest;  // its referrer manifest
};

PushResult push(const PushOptions& opts, Env& env);

}  // namespace ext::ops
