// ext::ops — pull: resolve a tag or digest in a registry, choose a manifest from an index,
// copy the graph into the local store (every digest verified, present blobs skipped, nothing
// half-written on failure), detect the wasm layout, and with `-o` write the module file.
#pragma once

#include <filesystem>
#include <string>

#include "ext/ops/env.hpp"
#include "ext/ops/remote.hpp"

namespace ext::ops {

struct PullOptions {
  std::string ref;
  std::filesystem::path output;  // -o: write the module here
  RegistryFlags flags;
};

struct PullResult {
  std::string reference;        // full normalized reference stored
  std::string manifest_digest;  // of the manifest stored under the name
  std::string index_digest;     // when the reference named an index
  std::string media_type;
  std::string layout;  // empty when it is no wasm image
  std::string module_sha256;
  uint64_t module_size = 0;
  std::string abi_version;
  std::filesystem::path output;
  uint64_t blobs_fetched = 0;
  uint64_t blobs_skipped = 0;
  uint64_t bytes_fetched = 0;
};

PullResult pull(const PullOptions& opts, Env& env);

}  // namespace ext::ops
