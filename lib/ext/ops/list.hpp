// ext::ops — list (`ext list [--digests]`, docs/json.md): the images in the local
// store with manifest digest, ABI, size and age. Reads index.json once and each manifest blob
// (small); never hashes layers, so 1,000 images list in well under 100 ms. A store that does
// not exist lists nothing.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ext/ops/env.hpp"

namespace ext::ops {

struct ListOptions {};

struct ListedImage {
  std::string reference;    // full normalized reference (ref.name)
  std::string digest;       // manifest digest
  std::string media_type;   // manifest media type
  std::string abi;          // module.wasm.runtime/abi_version annotation, "" when absent
  uint64_t size = 0;        // config + layers, each blob once (index: its stored manifests)
  std::string created;      // org.opencontainers.image.created, "" when absent
  int64_t stored_unix = 0;  // when the manifest was written to the store (seconds)
  bool damaged = false;     // the manifest could not be read (the warning says why)
};

struct ListResult {
  std::vector<ListedImage> images;  // sorted by reference
};

ListResult list_images(const ListOptions& opts, Env& env);

}  // namespace ext::ops
