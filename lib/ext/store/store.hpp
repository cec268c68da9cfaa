// ext::store — content-addressed stores and copying a graph between them. Push and pull are the
// same operation: copy_graph from one Store to another (the registry client is a remote Store).
// Owns: the Store interface, blob streams, the local OCI-layout store, a memory store, copy.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ext/digest/digest.hpp"
#include "ext/oci/descriptor.hpp"
#include "ext/oci/layout.hpp"
#include "ext/ref/reference.hpp"

namespace ext {
class Reporter;
}

namespace ext::store {

// A stream of a blob's bytes.
class BlobReader {
 public:
  virtual ~BlobReader() = default;
  // Up to n bytes into buf; 0 at the end.
  virtual size_t read(void* buf, size_t n) = 0;
};

// Receives a blob's bytes. commit() verifies size and digest against the expected descriptor
// (Error digest_mismatch naming both digests) and only then makes the blob visible.
// Destroying an uncommitted writer discards everything written.
class BlobWriter {
 public:
  virtual ~BlobWriter() = default;
  virtual void write(const void* data, size_t n) = 0;
  virtual void commit() = 0;
};

class Store {
 public:
  virtual ~Store() = default;

  // Blobs (layers, configs) and manifests (by digest) alike.
  virtual bool has(const oci::Descriptor& d) = 0;
  // Throws Error(not_found) when missing.
  virtual std::unique_ptr<BlobReader> open(const oci::Descriptor& d) = 0;
  virtual std::unique_ptr<BlobWriter> create(const oci::Descriptor& expected) = 0;

  // Manifests and indexes: stores the bytes (verified against d) and names them. The local
  // store records each full reference; a registry PUTs one manifest per tag (or by digest).
  virtual void put_manifest(const oci::Descriptor& d, std::string_view bytes,
                            const std::vector<ref::Reference>& names) = 0;
  // A name (tag or digest) to its manifest descriptor, or nullopt when unknown.
  virtual std::optional<oci::Descriptor> resolve(const ref::Reference& name) = 0;
};

// The key a name is stored under: "registry/repo:tag", or "registry/repo@digest" when the
// reference has no tag. Shared by the stores so names look the same everywhere.
std::string name_key(const ref::Reference& name);

// Whole-blob helpers over the streams, bounded by max_bytes (Error when larger).
std::string read_all(Store& s, const oci::Descriptor& d, uint64_t max_bytes = 8u << 20);
void write_all(Store& s, const oci::Descriptor& d, std::string_view bytes);

// Upper bounds on the sizes descriptors may claim, per kind (defaults: oci/layout.hpp).
// copy_graph refuses a manifest whose config or layers exceed them before reading any blob.
struct SizeCaps {
  uint64_t manifest = oci::k_max_manifest_bytes;
  uint64_t config = oci::k_max_config_bytes;
  uint64_t module = oci::k_max_module_bytes;  // layers of a wasm media type
  uint64_t layer = oci::k_max_layer_bytes;    // every other layer or opaque index entry
};

// Throws Error(validation) naming the blob, its kind, the claimed size and the cap when the
// descriptor's size is negative or over the cap for `kind` ("manifest", "config", "layer").
void check_size_cap(const oci::Descriptor& d, const char* kind, const SizeCaps& caps);

struct CopyOptions {
  std::vector<ref::Reference> names;  // names given to the root in the destination
  SizeCaps caps;
  Reporter* reporter = nullptr;  // progress for blobs over 1 MiB
  int concurrency = 1;
  // Hash what the destination already holds instead of trusting has() (a size check): content
  // that does not match its digest is fetched again and replaced (pull uses this).
  bool verify_existing = false;
};

struct CopyResult {
  uint64_t blobs_copied = 0;
  uint64_t blobs_skipped = 0;   // already in the destination
  uint64_t blobs_repaired = 0;  // in the destination but damaged (verify_existing): replaced
  uint64_t bytes_copied = 0;
};

// Copies the graph under `root` (index -> manifests -> config and layers) from src to dst:
// children before parents, blobs the destination has are skipped, every digest verified, the
// root put last under opts.names.
CopyResult copy_graph(Store& src, Store& dst, const oci::Descriptor& root,
                      const CopyOptions& opts = {});

}  // namespace ext::store
