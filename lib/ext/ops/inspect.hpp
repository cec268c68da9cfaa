// ext::ops — `ext inspect REF|FILE.wasm` (docs/json.md "inspect"): for an image in the local store,
// its manifest, config, layers, annotations, the wasm layout it follows and the facts of its
// module; for a module file, the module facts (ABI, imports, exports, producers, size, sha256).
// Also the shared "open an image of the local store" step other verbs can reuse.
#pragma once

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "ext/artifact/artifact.hpp"
#include "ext/oci/descriptor.hpp"
#include "ext/ops/env.hpp"
#include "ext/ops/remote.hpp"
#include "ext/ref/reference.hpp"
#include "ext/store/oci_layout_store.hpp"
#include "ext/wasm/module.hpp"

namespace ext::ops {

// An image of the local store, resolved and classified.
struct LocalImage {
  ref::Reference reference;       // as normalized
  oci::Descriptor manifest_desc;  // the image manifest (a child when the name is an index)
  std::optional<oci::Descriptor> index_desc;  // when the name points at an index
  std::string manifest_bytes;
  oci::Manifest manifest;
  std::optional<artifact::Detected> detected;  // nullopt when it is no wasm image we read
  std::string not_wasm_reason;                 // why not, then
};

// A command-line word that can only mean a file (test, validate, inspect, deploy take a FILE
// or a REF): it starts with "/", "./", "../" or "~/", ends with ".wasm", or, without ':' and
// '@', its first path component is an existing folder ("tests/x", "build/f"). Such a word
// that names no file is a missing path, never looked up as an image reference
// (docker.io/library/missing.wasm:latest).
bool names_a_path(const std::string& text);
// The reference parser's reason without its `invalid reference "TEXT": ` prefix, for a message
// that quotes TEXT itself (said once, not twice).
std::string parse_reason(const Error& e, const std::string& text);
// Error(not_found) "no such file: TEXT" with a hint, for a word names_a_path() accepts.
Error missing_path(const std::string& text);

// Resolves `text` in the store: Error(invalid_argument) for a malformed reference,
// Error(not_found) with a hint when no such image is stored. For an index, the first child
// manifest that is a wasm image (else the first child) is opened.
LocalImage open_local_image(store::OciLayoutStore& store, const std::string& text);
// The same over any store (a registry::RegistryStore reads a remote image without writing
// anything locally). `where` names the store in messages ("the local store", "localhost:5000").
LocalImage open_image(store::Store& store, const ref::Reference& reference,
                      const std::string& where);

enum class InspectSide { automatic, local, remote };

struct InspectOptions {
  std::string target;  // a .wasm file, or a reference to an image (local store or registry)
  // automatic: a file, else the local store when it holds the name, else the registry.
  InspectSide side = InspectSide::automatic;
  RegistryFlags flags;
};

struct InspectResult {
  std::string source;       // file path, or full normalized reference
  std::string source_kind;  // "file" | "image"
  std::string side;         // images: "local" | "remote"

  // Images only.
  oci::Descriptor manifest_desc;
  std::optional<oci::Descriptor> index_desc;
  oci::Manifest manifest;
  nlohmann::json manifest_json;   // the manifest as stored
  nlohmann::json config_content;  // the config blob when it is (small) JSON, else null
  std::string config_text;        // the same, as stored
  std::string layout;          // "oci", "compat", "cncf", "docker-v2", "single-layer", "oras" or ""
  std::string layout_readers;  // who reads that layout
  std::string not_wasm_reason;  // when layout is empty
  std::optional<artifact::RuntimeConfig> runtime_config;
  std::optional<oci::Descriptor> module_layer;

  // The module (files; images whose module could be read).
  std::optional<wasm::ModuleInfo> module;
  std::string module_error;  // why the module could not be read, when it could not
  std::vector<wasm::Finding> findings;

  // Remote images: the referrers of the manifest (distribution-spec v1.1.1), and how they were
  // read ("api" | "tag-schema"); an error reading them is a warning, not a failure.
  std::vector<oci::Descriptor> referrers;
  std::string referrers_source;

  nlohmann::json to_json() const;
};

// Error(not_found) when the target is neither a file nor a stored image; Error(parse) for a
// file that is not a readable module.
InspectResult inspect(const InspectOptions& opts, Env& env);

}  // namespace ext::ops
