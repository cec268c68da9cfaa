// Test support (store): builds small wasm-looking images in any Store through the Store API,
// in the "oci" artifact shape (config JSON + raw module layer), without the artifact module.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ext/oci/descriptor.hpp"
#include "ext/store/store.hpp"

namespace ext::test {

struct FixtureImage {
  oci::Descriptor manifest;
  std::string manifest_bytes;
  oci::Descriptor config;
  oci::Descriptor module;
};

// A deterministic module-like blob of `size` bytes ("\0asm" + version, then a pattern from
// `seed`), a runtime config, and a manifest with the abi annotation; named `names`.
FixtureImage put_image(store::Store& s, const std::vector<std::string>& names,
                       const std::string& seed = "a", uint64_t size = 1024,
                       const std::string& abi = "v0.2.1");

// A container-style image (OCI image config + one tar+gzip-typed layer), which tools that only
// understand images (plain `skopeo inspect`) can describe.
FixtureImage put_container_image(store::Store& s, const std::vector<std::string>& names,
                                 const std::string& seed = "c", uint64_t size = 4096);

// The module bytes put_image writes for (seed, size).
std::string fixture_module(const std::string& seed, uint64_t size);

}  // namespace ext::test
