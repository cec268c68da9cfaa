// cli/ — the flags every registry verb shares (docs/architecture.md).
#pragma once

#include <CLI/CLI.hpp>

#include "ext/ops/remote.hpp"

namespace ext::cli {

// `transfer`: the verb moves blobs (push, pull, copy) and takes --concurrency too; `lookup`:
// it only reads or edits manifests and lists, so --concurrency would do nothing.
enum class RegistryFlagSet { lookup, transfer };

inline void add_registry_flags(CLI::App* cmd, ops::RegistryFlags& f,
                               RegistryFlagSet set = RegistryFlagSet::lookup) {
  cmd->add_flag("--plain-http", f.plain_http,
                "Talk plain HTTP (automatic for localhost, 127.0.0.0/8 and ::1)");
  cmd->add_flag("--insecure", f.insecure, "Skip TLS certificate verification");
  cmd->add_option("--ca-file", f.ca_file, "Trust this CA certificate (PEM) for the registry")
      ->check(CLI::ExistingFile);
  cmd->add_option("--registry-config", f.registry_config,
                  "Auth file to read and write instead of docker's config.json");
  if (set == RegistryFlagSet::transfer)
    cmd->add_option("--concurrency", f.concurrency, "Blobs transferred at once (default 3)")
        ->check(CLI::Range(1, 16));
}

}  // namespace ext::cli
