// PLACEHOLDER owned by the artifact helper: replaced by the real implementation.
#include "ext/ops/package.hpp"

#include "ext/core/error.hpp"

namespace ext::ops {
PackageResult package_module(const PackageOptions&, Env&) {
  throw Error(Errc::internal, "package_module is not implemented yet");
}
}  // namespace ext::ops
