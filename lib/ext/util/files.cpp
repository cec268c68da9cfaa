#include "ext/util/files.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <random>

#include "ext/core/error.hpp"

namespace ext::util {

std::string errno_text() {
  return std::strerror(errno);
}

std::string random_suffix() {
  static std::atomic<unsigned> counter{0};
  std::random_device rd;
  char buf[48];
  std::snprintf(buf, sizeof buf, "%d.%u.%08x", static_cast<int>(::getpid()), counter++, rd());
  return buf;
}

namespace {
// Reads an open descriptor to its end (at most max_bytes), then closes it.
std::string read_all_fd(int fd, const fs::path& path, uint64_t max_bytes) {
  std::string out;
  char buf[65536];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      std::string why = errno_text();
      ::close(fd);
      throw Error(Errc::io, "cannot read " + path.string() + ": " + why);
    }
    if (n == 0) break;
    if (out.size() + static_cast<size_t>(n) > max_bytes) {
      ::close(fd);
      throw Error(Errc::invalid_argument,
                  path.string() + " is larger than " + std::to_string(max_bytes) + " bytes");
    }
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}
}  // namespace

std::string read_file(const fs::path& path, uint64_t max_bytes) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    Errc code = errno == ENOENT ? Errc::not_found : Errc::io;
    throw Error(code, "cannot read " + path.string() + ": " + errno_text());
  }
  return read_all_fd(fd, path, max_bytes);
}

int open_regular_file(const fs::path& path) {
  // O_NONBLOCK: opening a FIFO for reading returns at once instead of waiting for a writer.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    Errc code = errno == ENOENT ? Errc::not_found : Errc::io;
    throw Error(code, "cannot read " + path.string() + ": " + errno_text());
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    throw Error(Errc::validation, path.string() + " is not a regular file",
                "only regular files are read here (not FIFOs, devices or sockets)");
  }
  int flags = ::fcntl(fd, F_GETFL);
  if (flags >= 0) ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
  return fd;
}

std::string read_regular_file(const fs::path& path, uint64_t max_bytes) {
  return read_all_fd(open_regular_file(path), path, max_bytes);
}

fs::path temp_path_beside(const fs::path& path) {
  return path.parent_path() / ("." + path.filename().string() + ".tmp." + random_suffix());
}

void fsync_dir(const fs::path& dir) {
  int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

void write_file_atomic(const fs::path& path, std::string_view data, unsigned mode) {
  fs::path tmp = temp_path_beside(path);
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) throw Error(Errc::io, "cannot write " + path.string() + ": " + errno_text());
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::write(fd, data.data() + off, data.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      std::string why = errno_text();
      ::close(fd);
      ::unlink(tmp.c_str());
      throw Error(Errc::io, "cannot write " + path.string() + ": " + why);
    }
    off += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    std::string why = errno_text();
    ::unlink(tmp.c_str());
    throw Error(Errc::io, "cannot write " + path.string() + ": " + why);
  }
  ::chmod(tmp.c_str(), mode);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    std::string why = errno_text();
    ::unlink(tmp.c_str());
    throw Error(Errc::io, "cannot replace " + path.string() + ": " + why);
  }
  fsync_dir(path.parent_path());
}

TempDir::TempDir(std::string_view prefix) {
  std::string tmpl = (fs::temp_directory_path() / (std::string(prefix) + "XXXXXX")).string();
  if (::mkdtemp(tmpl.data()) == nullptr)
    throw Error(Errc::io, "cannot create a temporary directory: " + errno_text());
  m_path = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(m_path, ec);
}

FileLock::FileLock(const fs::path& path) {
  m_fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (m_fd < 0) throw Error(Errc::io, "cannot open lock " + path.string() + ": " + errno_text());
  while (::flock(m_fd, LOCK_EX) != 0) {
    if (errno == EINTR) continue;
    std::string why = errno_text();
    ::close(m_fd);
    throw Error(Errc::io, "cannot lock " + path.string() + ": " + why);
  }
}

FileLock::~FileLock() {
  if (m_fd >= 0) {
    ::flock(m_fd, LOCK_UN);
    ::close(m_fd);
  }
}

}  // namespace ext::util
