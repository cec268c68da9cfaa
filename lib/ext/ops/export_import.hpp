// ext::ops — export and import (`ext export REF... -o DIR|FILE.tar`, `ext import DIR|FILE.tar`):
// OCI image layouts in and out (image-spec image-layout.md), readable by skopeo, oras and crane.
// Exported names are full references in org.opencontainers.image.ref.name (skopeo:
// `oci:DIR:<ref>`). Blobs stream in 1 MiB chunks through copy_graph (verified on both sides); a
// .tar is written with archive::write_tar (plain tar, streamed); import reads a tar's oci-layout
// and index.json first, then extracts only the blobs the images reach (archive::extract_selected)
// into $TMPDIR/ext-import-XXXXXX, removed on exit, on SIGINT/SIGTERM, and by `ext prune` when a
// kill -9 left it (its lock file is free). Only regular files are read (a FIFO is an error).
// An exported layout carries no lock files of ext's store.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "ext/ops/env.hpp"

namespace ext::ops {

// Scratch directories of `ext import FILE.tar` in $TMPDIR, and the lock file each holds.
inline constexpr const char* k_import_temp_prefix = "ext-import-";
inline constexpr const char* k_import_lock_file = ".ext-import.lock";

// Removes $TMPDIR/ext-import-* directories no running import holds (its lock is free); returns
// how many and the bytes freed.
std::pair<uint64_t, uint64_t> remove_stale_import_dirs();

struct ExportOptions {
  std::vector<std::string> refs;  // stored references
  std::filesystem::path output;   // a directory (created or added to), or FILE.tar
};

struct ImageRecord {
  std::string reference;
  std::string digest;
};

struct ExportResult {
  std::filesystem::path output;
  bool tar = false;
  std::vector<ImageRecord> images;
  uint64_t blobs = 0;
  uint64_t bytes = 0;
};

ExportResult export_images(const ExportOptions& opts, Env& env);

struct ImportOptions {
  std::filesystem::path input;  // an OCI layout directory, or a .tar of one
  // Repository for entries whose ref.name is only a tag (skopeo's `oci:DIR:TAG`) or missing;
  // an explicit tag here names a single unnamed/tag-only entry.
  std::string name;
};

struct ImportResult {
  std::filesystem::path input;
  std::vector<ImageRecord> images;
  uint64_t blobs_copied = 0;
  uint64_t blobs_skipped = 0;
  uint64_t bytes = 0;
};

ImportResult import_images(const ImportOptions& opts, Env& env);

}  // namespace ext::ops
