// ext::util — files: whole-file reads with a size bound, atomic writes (temp file in the same
// folder + fsync + rename), temporary directories, and advisory file locks (flock).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace ext::util {

namespace fs = std::filesystem;

// Reads a whole file; throws Error(io/not_found), or Error(invalid_argument) past max_bytes.
std::string read_file(const fs::path& path, uint64_t max_bytes = 64ull << 20);
// read_file for content from outside (layouts, tars): only a regular file is read. A FIFO, a
// device or a socket is Error(validation) at once instead of a read that may never end.
std::string read_regular_file(const std::filesystem::path& path, uint64_t max_bytes);
// Opens `path` read-only without blocking on a FIFO and returns the fd of a regular file;
// Error(validation) naming it otherwise, Error(not_found) when absent.
int open_regular_file(const std::filesystem::path& path);

// Writes data to a temp file beside `path`, fsyncs it, renames it over `path` and fsyncs the
// folder: readers see the old or the new content, never a mix, even after a kill.
void write_file_atomic(const fs::path& path, std::string_view data, unsigned mode = 0644);

// A unique temp file name beside `path` (same folder, so rename is atomic).
fs::path temp_path_beside(const fs::path& path);
// "<pid>.<counter>.<random hex>": unique across processes and calls (temp file names).
std::string random_suffix();
// strerror(errno), for "cannot read X: ..." messages.
std::string errno_text();

void fsync_dir(const fs::path& dir);

// A directory removed with its content when the object dies.
class TempDir {
 public:
  explicit TempDir(std::string_view prefix = "ext-");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return m_path; }

 private:
  fs::path m_path;
};

// An exclusive advisory lock on a file (created if missing), held until destruction.
// Blocks until the lock is free. The lock dies with the process, so a kill never leaves it held.
class FileLock {
 public:
  explicit FileLock(const fs::path& path);
  ~FileLock();
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  int m_fd = -1;
};

}  // namespace ext::util
