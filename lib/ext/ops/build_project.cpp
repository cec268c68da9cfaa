// PLACEHOLDER owned by the build helper: replaced by the real implementation.
#include "ext/ops/build_project.hpp"

#include "ext/core/error.hpp"

namespace ext::ops {
BuildResult build_project(const BuildOptions&, Env&) {
  throw Error(Errc::internal, "build_project is not implemented yet");
}
}  // namespace ext::ops
