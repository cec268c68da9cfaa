// ext::ops — what the registry verbs share: their flags (docs/architecture.md), and
// connecting to one registry with settings (config.yaml), flags and credentials applied.
// Precedence: flags, then the registry's entry in config.yaml, then defaults (TLS verified;
// plain HTTP only for loopback registries).
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "ext/auth/credentials.hpp"
#include "ext/ops/env.hpp"
#include "ext/ref/reference.hpp"
#include "ext/registry/client.hpp"

namespace ext::ops {

struct RegistryFlags {
  bool plain_http = false;      // --plain-http
  bool insecure = false;        // --insecure
  std::string ca_file;          // --ca-file
  std::string registry_config;  // --registry-config: the auth file to read and write
  int concurrency = 3;          // --concurrency: blobs at once (a wasm image's config and
                                // module layer overlap; small images push ~25% faster)
};

struct Remote {
  std::unique_ptr<auth::CredentialStore> credentials;
  std::shared_ptr<registry::Client> client;
};

// `credential`: use it instead of the stored one (ext login checks before storing).
Remote connect_remote(const std::string& registry, const RegistryFlags& flags, Env& env,
                      std::optional<auth::Credential> credential = std::nullopt);

// The credential store the registry verbs use (--registry-config, else docker's and podman's).
std::unique_ptr<auth::CredentialStore> credential_store(const RegistryFlags& flags, Env& env);

// "https://index.docker.io/v1/" -> "docker.io", "http://localhost:5000/x" -> "localhost:5000".
std::string normalize_registry(std::string_view text);

// A reference the user typed; Error(invalid_argument) with the parser's message and a hint.
ref::Reference parse_ref(const std::string& text);

// A tag of the referrers tag schema ("sha256-" + 64 hex, distribution-spec spec.md "Referrers
// Tag Schema" @v1.1.1): an index of referrers, not an image, so listings leave it out.
bool is_referrers_tag(const std::string& tag);

}  // namespace ext::ops
