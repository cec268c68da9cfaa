// ext::deploy — Target: one interface for every platform ext deploys to (EnvoyTarget,
// IstioTarget, GlooTarget). ops::deploy resolves the module and the facts about it once, then
// asks the target to check, render and apply; undeploy asks it to remove. Per-target options live
// in each target's own struct (EnvoyOptions, IstioOptions, GlooOptions), each with the platform
// version that decides which fields are written (versions.hpp).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ext/core/result.hpp"
#include "ext/deploy/deploy.hpp"
#include "ext/deploy/kube.hpp"
#include "ext/deploy/platform.hpp"

namespace ext::deploy {

// What ops knows of the module being deployed.
struct Image {
  std::string reference;        // full normalized reference ("" for a local file)
  std::string registry;         // "ghcr.io", "localhost:5000"
  std::string repository;       // "acme/add-header"
  std::string tag;              // may be empty
  std::string manifest_digest;  // "sha256:<hex>": what the registry serves (the pin)
  std::string module_sha256;    // hex of the raw module
  std::string module_url;       // http(s) URL serving the raw module (Istio EnvoyFilter form)
  std::string layout;           // "oci", "compat", "cncf", "docker-v2", "single-layer", ""
};

class Target {
 public:
  virtual ~Target() = default;
  virtual Platform platform() const = 0;
  // Options, names and what the platform release accepts; an error before anything is written.
  virtual Result<void> check(const Plugin& plugin, const Image& image) const = 0;
  // Problems that do not stop rendering but may stop the filter from loading (a layout the
  // platform cannot read): warnings, errors with --strict.
  virtual std::vector<std::string> warnings(const Plugin& plugin, const Image& image) const = 0;
  // The documents. `base` is an existing document to patch (an Envoy bootstrap, a Gloo Gateway),
  // or null for the target's default.
  virtual Result<Rendered> render(const Plugin& plugin, const Image& image,
                                  const Json* base) const = 0;
  // Puts rendered documents into the cluster (kubectl); returns kubectl's output.
  virtual std::string apply(const Plugin& plugin, const Rendered& rendered, Kubectl& kubectl) const;
  // The live document render() patches (Gloo: the Gateway), when the target patches one.
  virtual std::optional<Json> live_base(Kubectl& kubectl) const;
};

}  // namespace ext::deploy
