#include "ext/deploy/target.hpp"

#include "ext/core/error.hpp"

namespace ext::deploy {

std::string Target::apply(const Plugin&, const Rendered&, Kubectl&) const {
  throw Error(Errc::unsupported,
              std::string(to_string(platform())) + " is not applied with kubectl",
              "write the configuration with -f, or run it (ext deploy envoy --run)");
}

std::optional<Json> Target::live_base(Kubectl&) const {
  return std::nullopt;
}

}  // namespace ext::deploy
