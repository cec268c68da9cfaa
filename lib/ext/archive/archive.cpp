// ext::archive over libarchive: deterministic writing (pax-restricted tar, gzip without name
// or time) and safe, streaming extraction. See archive.hpp for the rules.
#include "ext/archive/archive.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <system_error>

#include "ext/core/cancel.hpp"
#include "ext/core/error.hpp"
#include "ext/util/files.hpp"

namespace ext::archive {

namespace fs = std::filesystem;

namespace {

constexpr size_t k_chunk = 64 * 1024;

// Splits a tar path into safe components: no empty path, no absolute path, no "..".
// Returns the error text ("" when safe); `out` receives the normalized path ("" for ".").
std::string normalize(std::string_view path, std::string& out) {
  out.clear();
  if (path.empty()) return "empty path";
  if (path.front() == '/') return "absolute path";
  size_t i = 0;
  while (i <= path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    auto part = path.substr(i, j - i);
    if (part == "..") return "path with \"..\"";
    if (!part.empty() && part != ".") {
      if (!out.empty()) out += '/';
      out += part;
    }
    i = j + 1;
  }
  return {};
}

std::string base_name(std::string_view path) {
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  auto slash = path.rfind('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

bool member_matches(const std::string& member, std::string_view raw_path,
                    const std::string& normalized) {
  if (member.find('/') == std::string::npos) return base_name(raw_path) == member;
  return normalized == member;
}

std::string entry_type(archive_entry* e) {
  if (archive_entry_hardlink(e) != nullptr) return "hardlink";
  switch (archive_entry_filetype(e)) {
    case AE_IFREG:
      return "file";
    case AE_IFDIR:
      return "directory";
    case AE_IFLNK:
      return "symlink";
    case AE_IFCHR:
    case AE_IFBLK:
      return "device";
    case AE_IFIFO:
      return "fifo";
    case AE_IFSOCK:
      return "socket";
    default:
      return "unknown";
  }
}

std::string entry_path(archive_entry* e) {
  const char* p = archive_entry_pathname_utf8(e);
  if (p == nullptr) p = archive_entry_pathname(e);
  return p == nullptr ? std::string() : std::string(p);
}

// ---------------------------------------------------------------------------------------------
// Reading

class Reader {
 public:
  explicit Reader(const ReadFn& source) : m_source(source), m_buf(k_chunk) {
    m_a = archive_read_new();
    if (m_a == nullptr) throw Error(Errc::internal, "libarchive: out of memory");
    archive_read_support_filter_gzip(m_a);
    archive_read_support_format_tar(m_a);
    if (archive_read_open(m_a, this, nullptr, &Reader::read_cb, nullptr) != ARCHIVE_OK) {
      // The destructor does not run when the constructor throws: free here (the tar fuzz
      // target found the leak).
      try {
        fail("opening the archive");
      } catch (...) {
        archive_read_free(m_a);
        m_a = nullptr;
        throw;
      }
    }
  }
  ~Reader() { archive_read_free(m_a); }
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;

  // The next header, or nullptr at the end.
  archive_entry* next() {
    archive_entry* e = nullptr;
    int r = archive_read_next_header(m_a, &e);
    if (r == ARCHIVE_EOF) return nullptr;
    if (r < ARCHIVE_WARN) fail("reading the archive");
    ++m_entries;
    return e;
  }
  uint64_t entries() const { return m_entries; }

  // Streams the current entry's data to `sink`, failing past `limit` bytes.
  template <class Sink>
  uint64_t read_data(const std::string& name, uint64_t limit, Sink&& sink) {
    uint64_t total = 0;
    for (;;) {
      throw_if_interrupted();  // SIGINT/SIGTERM: stop between chunks, the caller cleans up
      la_ssize_t n = archive_read_data(m_a, m_buf.data(), m_buf.size());
      if (n == 0) break;
      if (n < 0) fail("reading entry \"" + name + "\"");
      total += static_cast<uint64_t>(n);
      if (total > limit)
        throw Error(Errc::validation, "archive entry \"" + name +
                                          "\" is larger than the limit of " +
                                          std::to_string(limit) + " bytes");
      sink(m_buf.data(), static_cast<size_t>(n));
    }
    return total;
  }

  [[noreturn]] void fail(const std::string& what) {
    if (m_error) std::rethrow_exception(m_error);
    const char* msg = archive_error_string(m_a);
    throw Error(Errc::parse, what + ": " + (msg != nullptr ? msg : "unknown libarchive error"));
  }

 private:
  static la_ssize_t read_cb(struct archive* a, void* self_ptr, const void** out) {
    auto* self = static_cast<Reader*>(self_ptr);
    try {
      size_t n = self->m_source(self->m_buf_in, sizeof(self->m_buf_in));
      *out = self->m_buf_in;
      return static_cast<la_ssize_t>(n);
    } catch (...) {
      self->m_error = std::current_exception();
      archive_set_error(a, EIO, "read failed");
      return -1;
    }
  }

  const ReadFn& m_source;
  struct archive* m_a = nullptr;
  std::vector<char> m_buf;  // entry data
  char m_buf_in[k_chunk];   // raw (compressed) input
  std::exception_ptr m_error;
  uint64_t m_entries = 0;
};

void check_limits(const std::string& name, archive_entry* e, uint64_t& total, uint64_t entries,
                  const Limits& limits) {
  if (entries > limits.max_entries)
    throw Error(Errc::validation,
                "archive has more than " + std::to_string(limits.max_entries) + " entries");
  if (archive_entry_size_is_set(e) != 0) {
    auto size = static_cast<uint64_t>(std::max<la_int64_t>(0, archive_entry_size(e)));
    if (size > limits.max_entry_size)
      throw Error(Errc::validation, "archive entry \"" + name + "\" is " + std::to_string(size) +
                                        " bytes, over the limit of " +
                                        std::to_string(limits.max_entry_size));
    total += size;
    if (total > limits.max_total_size)
      throw Error(Errc::validation, "archive content is over the limit of " +
                                        std::to_string(limits.max_total_size) + " bytes");
  }
}

// A file written through a file descriptor, removed unless committed.
class OutFile {
 public:
  OutFile(const fs::path& path, int flags, unsigned mode) : m_path(path) {
    m_fd = ::open(path.c_str(), flags | O_WRONLY | O_CLOEXEC, mode);
    if (m_fd < 0) {
      int err = errno;
      if (err == ELOOP)
        throw Error(Errc::validation, "refusing to write through a symlink: " + path.string());
      throw Error(Errc::io, "cannot create " + path.string() + ": " + std::strerror(err));
    }
  }
  ~OutFile() {
    if (m_fd >= 0) ::close(m_fd);
  }
  OutFile(const OutFile&) = delete;
  OutFile& operator=(const OutFile&) = delete;
  void write(const void* data, size_t n) {
    const char* p = static_cast<const char*>(data);
    while (n > 0) {
      ssize_t w = ::write(m_fd, p, n);
      if (w < 0) {
        if (errno == EINTR) continue;
        throw Error(Errc::io, "writing " + m_path.string() + ": " + std::strerror(errno));
      }
      p += w;
      n -= static_cast<size_t>(w);
    }
  }
  void close(bool sync) {
    if (sync && ::fsync(m_fd) != 0)
      throw Error(Errc::io, "syncing " + m_path.string() + ": " + std::strerror(errno));
    int fd = m_fd;
    m_fd = -1;
    if (::close(fd) != 0)
      throw Error(Errc::io, "closing " + m_path.string() + ": " + std::strerror(errno));
  }

 private:
  fs::path m_path;
  int m_fd = -1;
};

// Everything a failed extraction created, removed in reverse order.
class Undo {
 public:
  ~Undo() {
    if (m_done) return;
    for (auto it = m_created.rbegin(); it != m_created.rend(); ++it) {
      std::error_code ec;
      fs::remove(*it, ec);
    }
  }
  void add(const fs::path& p) { m_created.push_back(p); }
  void done() { m_done = true; }

 private:
  std::vector<fs::path> m_created;
  bool m_done = false;
};

// Creates dest/<rel> directory by directory, refusing to pass through a symlink or a file.
void make_dirs(const fs::path& dest, const std::string& rel, Undo& undo, unsigned last_mode) {
  fs::path p = dest;
  size_t i = 0;
  while (i < rel.size()) {
    size_t j = rel.find('/', i);
    if (j == std::string::npos) j = rel.size();
    p /= rel.substr(i, j - i);
    std::error_code ec;
    auto st = fs::symlink_status(p, ec);
    if (!ec && fs::exists(st)) {
      if (fs::is_symlink(st))
        throw Error(Errc::validation, "refusing to extract through the symlink " + p.string());
      if (!fs::is_directory(st))
        throw Error(Errc::validation, "archive entry \"" + rel +
                                          "\" needs a directory where a file is: " + p.string());
    } else {
      unsigned mode = j == rel.size() ? last_mode : 0755u;
      if (::mkdir(p.c_str(), mode | 0700) != 0 && errno != EEXIST)
        throw Error(Errc::io, "cannot create " + p.string() + ": " + std::strerror(errno));
      undo.add(p);
    }
    i = j + 1;
  }
}

void extract_impl(const ReadFn& source, const fs::path& dest, const Limits& limits) {
  std::error_code ec;
  fs::create_directories(dest, ec);
  if (ec) throw Error(Errc::io, "cannot create " + dest.string() + ": " + ec.message());
  Undo undo;
  Reader r(source);
  uint64_t total = 0;
  std::string rel;
  while (archive_entry* e = r.next()) {
    std::string name = entry_path(e);
    check_limits(name, e, total, r.entries(), limits);
    auto problem = normalize(name, rel);
    if (!problem.empty())
      throw Error(Errc::validation,
                  "unsafe archive entry \"" + name + "\": " + problem + "; nothing extracted");
    auto type = entry_type(e);
    unsigned perm = static_cast<unsigned>(archive_entry_perm(e)) & 0777u;
    if (type == "directory") {
      if (!rel.empty()) make_dirs(dest, rel, undo, perm);
      continue;
    }
    if (type != "file")
      throw Error(Errc::validation, "unsafe archive entry \"" + name + "\": a " + type +
                                        " (only regular files and directories are extracted)");
    if (rel.empty())
      throw Error(Errc::validation, "unsafe archive entry \"" + name + "\": no file name");
    auto slash = rel.rfind('/');
    if (slash != std::string::npos) make_dirs(dest, rel.substr(0, slash), undo, 0755);
    fs::path target = dest / rel;
    bool existed = fs::exists(fs::symlink_status(target, ec));
    OutFile out(target, O_CREAT | O_TRUNC | O_NOFOLLOW, perm);
    if (!existed) undo.add(target);
    uint64_t limit = std::min(limits.max_entry_size, limits.max_total_size);
    r.read_data(name, limit, [&](const char* p, size_t n) { out.write(p, n); });
    out.close(false);
  }
  undo.done();
}

std::vector<std::string> extract_selected_impl(const ReadFn& source, const fs::path& dest,
                                               const Selector& select, const Limits& limits) {
  std::error_code ec;
  fs::create_directories(dest, ec);
  if (ec) throw Error(Errc::io, "cannot create " + dest.string() + ": " + ec.message());
  Undo undo;
  Reader r(source);
  std::vector<std::string> done;
  std::string rel;
  while (archive_entry* e = r.next()) {
    throw_if_interrupted();
    if (r.entries() > limits.max_entries)
      throw Error(Errc::validation,
                  "archive has more than " + std::to_string(limits.max_entries) + " entries");
    std::string name = entry_path(e);
    if (!normalize(name, rel).empty() || rel.empty()) continue;  // never selected, never written
    auto bound = select(rel);
    if (!bound) continue;
    auto type = entry_type(e);
    if (type != "file")
      throw Error(Errc::validation,
                  "archive member \"" + name + "\" is a " + type + ", not a regular file");
    uint64_t limit = std::min(*bound, limits.max_entry_size);
    if (archive_entry_size_is_set(e) != 0 &&
        static_cast<uint64_t>(std::max<la_int64_t>(0, archive_entry_size(e))) > limit)
      throw Error(Errc::validation, "archive member \"" + name + "\" is " +
                                        std::to_string(archive_entry_size(e)) +
                                        " bytes, over the limit of " + std::to_string(limit));
    auto slash = rel.rfind('/');
    if (slash != std::string::npos) make_dirs(dest, rel.substr(0, slash), undo, 0755);
    fs::path target = dest / rel;
    bool existed = fs::exists(fs::symlink_status(target, ec));
    OutFile out(target, O_CREAT | O_TRUNC | O_NOFOLLOW, 0644);
    if (!existed) undo.add(target);
    r.read_data(name, limit, [&](const char* p, size_t n) { out.write(p, n); });
    out.close(false);
    done.push_back(rel);
  }
  undo.done();
  return done;
}

// Finds the member and hands its data to `sink`; false when absent.
template <class Sink>
bool find_member(const ReadFn& source, const std::string& member, uint64_t max_size,
                 uint64_t max_entries, Sink&& sink) {
  Reader r(source);
  std::string rel;
  while (archive_entry* e = r.next()) {
    if (r.entries() > max_entries)
      throw Error(Errc::validation,
                  "archive has more than " + std::to_string(max_entries) + " entries");
    std::string name = entry_path(e);
    auto problem = normalize(name, rel);
    if (!member_matches(member, name, rel)) continue;
    if (!problem.empty())
      throw Error(Errc::validation, "unsafe archive entry \"" + name + "\": " + problem);
    auto type = entry_type(e);
    if (type != "file")
      throw Error(Errc::validation,
                  "archive member \"" + name + "\" is a " + type + ", not a regular file");
    if (archive_entry_size_is_set(e) != 0 &&
        static_cast<uint64_t>(archive_entry_size(e)) > max_size)
      throw Error(Errc::validation, "archive member \"" + name + "\" is " +
                                        std::to_string(archive_entry_size(e)) +
                                        " bytes, over the limit of " + std::to_string(max_size));
    r.read_data(name, max_size, sink);
    return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// Writing

std::string check_write_path(const std::string& path) {
  std::string rel;
  auto problem = normalize(path, rel);
  if (problem.empty() && rel.empty()) problem = "no file name";
  if (!problem.empty())
    throw Error(Errc::invalid_argument, "cannot archive \"" + path + "\": " + problem);
  return rel;
}

}  // namespace

struct TarWriter::Impl {
  WriteFn sink;
  struct archive* a = nullptr;
  std::exception_ptr error;
  bool finished = false;
  bool discard = false;

  static la_ssize_t write_cb(struct archive* a, void* self_ptr, const void* buf, size_t n) {
    auto* self = static_cast<Impl*>(self_ptr);
    if (self->discard) return static_cast<la_ssize_t>(n);
    try {
      self->sink(buf, n);
      return static_cast<la_ssize_t>(n);
    } catch (...) {
      self->error = std::current_exception();
      archive_set_error(a, EIO, "write failed");
      return -1;
    }
  }

  void check(int r, const std::string& what) {
    if (r >= ARCHIVE_WARN) return;
    discard = true;
    if (error) std::rethrow_exception(error);
    const char* msg = archive_error_string(a);
    throw Error(Errc::io, what + ": " + (msg != nullptr ? msg : "unknown libarchive error"));
  }

  void write_data(const void* data, size_t n, const std::string& name) {
    const char* p = static_cast<const char*>(data);
    while (n > 0) {
      la_ssize_t w = archive_write_data(a, p, n);
      if (w <= 0) check(ARCHIVE_FATAL, "writing \"" + name + "\"");
      p += w;
      n -= static_cast<size_t>(w);
    }
  }
};

TarWriter::TarWriter(WriteFn sink, bool gzip) : m_impl(std::make_unique<Impl>()) {
  auto& m = *m_impl;
  m.sink = std::move(sink);
  m.a = archive_write_new();
  if (m.a == nullptr) throw Error(Errc::internal, "libarchive: out of memory");
  m.check(archive_write_set_format_pax_restricted(m.a), "tar format");
  if (gzip) {
    m.check(archive_write_add_filter_gzip(m.a), "gzip filter");
    // No time in the gzip header (libarchive never writes a file name), fixed level.
    m.check(archive_write_set_filter_option(m.a, "gzip", "timestamp", nullptr), "gzip option");
    m.check(archive_write_set_filter_option(m.a, "gzip", "compression-level", "6"), "gzip option");
  }
  m.check(archive_write_set_bytes_in_last_block(m.a, 1), "block size");
  m.check(archive_write_open(m.a, &m, nullptr, &Impl::write_cb, nullptr), "opening the archive");
}

TarWriter::~TarWriter() {
  if (!m_impl->finished) m_impl->discard = true;  // never call a sink that may be gone
  archive_write_free(m_impl->a);
}

void TarWriter::add(const TarEntry& entry) {
  auto& m = *m_impl;
  if (m.finished) throw Error(Errc::internal, "TarWriter::add after finish");
  std::string rel = check_write_path(entry.path);
  std::unique_ptr<archive_entry, void (*)(archive_entry*)> e(archive_entry_new(),
                                                             &archive_entry_free);
  int64_t size = 0;
  FILE* file = nullptr;
  std::unique_ptr<FILE, int (*)(FILE*)> file_guard(nullptr, &std::fclose);
  if (entry.directory) {
    archive_entry_set_filetype(e.get(), AE_IFDIR);
    rel += '/';
  } else {
    archive_entry_set_filetype(e.get(), AE_IFREG);
    if (entry.content) {
      size = static_cast<int64_t>(entry.content->size());
    } else {
      file = std::fopen(entry.source.c_str(), "rb");
      if (file == nullptr)
        throw Error(errno == ENOENT ? Errc::not_found : Errc::io,
                    "cannot read " + entry.source.string() + ": " + std::strerror(errno));
      file_guard.reset(file);
      struct stat st {};
      if (::fstat(::fileno(file), &st) != 0 || !S_ISREG(st.st_mode))
        throw Error(Errc::io, entry.source.string() + " is not a regular file");
      size = st.st_size;
    }
  }
  archive_entry_set_pathname_utf8(e.get(), rel.c_str());
  archive_entry_set_perm(e.get(), static_cast<mode_t>(entry.mode & 07777u));
  archive_entry_set_size(e.get(), size);
  archive_entry_set_mtime(e.get(), 0, 0);
  archive_entry_set_uid(e.get(), 0);
  archive_entry_set_gid(e.get(), 0);
  m.check(archive_write_header(m.a, e.get()), "writing header for \"" + rel + "\"");
  if (entry.content) {
    m.write_data(entry.content->data(), entry.content->size(), rel);
  } else if (file != nullptr) {
    std::vector<char> buf(k_chunk);
    int64_t done = 0;
    for (;;) {
      size_t n = std::fread(buf.data(), 1, buf.size(), file);
      if (n == 0) break;
      done += static_cast<int64_t>(n);
      if (done > size) break;
      m.write_data(buf.data(), n, rel);
    }
    if (std::ferror(file) != 0)
      throw Error(Errc::io, "reading " + entry.source.string() + ": " + std::strerror(errno));
    if (done != size)
      throw Error(Errc::io, entry.source.string() + " changed size while it was archived");
  }
  m.check(archive_write_finish_entry(m.a), "finishing \"" + rel + "\"");
}

void TarWriter::finish() {
  auto& m = *m_impl;
  if (m.finished) return;
  m.check(archive_write_close(m.a), "closing the archive");
  m.finished = true;
}

void write_tar(const fs::path& out, const std::vector<TarEntry>& entries, bool gzip) {
  auto tmp = util::temp_path_beside(out);
  try {
    {
      OutFile f(tmp, O_CREAT | O_EXCL, 0644);
      TarWriter w([&f](const void* p, size_t n) { f.write(p, n); }, gzip);
      for (const auto& e : entries) w.add(e);
      w.finish();
      f.close(true);
    }
    std::error_code ec;
    fs::rename(tmp, out, ec);
    if (ec) throw Error(Errc::io, "cannot rename to " + out.string() + ": " + ec.message());
    util::fsync_dir(out.has_parent_path() ? out.parent_path() : fs::path("."));
  } catch (...) {
    std::error_code ec;
    fs::remove(tmp, ec);
    throw;
  }
}

std::string tar_bytes(const std::vector<TarEntry>& entries, bool gzip) {
  std::string out;
  TarWriter w([&out](const void* p, size_t n) { out.append(static_cast<const char*>(p), n); },
              gzip);
  for (const auto& e : entries) w.add(e);
  w.finish();
  return out;
}

ReadFn file_reader(const fs::path& path) {
  // Only a regular file: a FIFO named as an archive would block the open (or the read) forever.
  int fd = util::open_regular_file(path);
  std::shared_ptr<FILE> f(::fdopen(fd, "rb"), [](FILE* p) {
    if (p != nullptr) std::fclose(p);
  });
  if (!f) {
    ::close(fd);
    throw Error(Errc::io, "cannot open " + path.string() + ": " + std::strerror(errno));
  }
  return [f, path](void* buf, size_t n) -> size_t {
    size_t got = std::fread(buf, 1, n, f.get());
    if (got == 0 && std::ferror(f.get()) != 0)
      throw Error(Errc::io, "reading " + path.string() + ": " + std::strerror(errno));
    return got;
  };
}

void extract(const fs::path& archive_path, const fs::path& dest, const Limits& limits) {
  auto src = file_reader(archive_path);
  with_context(archive_path.string(), [&] { extract_impl(src, dest, limits); });
}

void extract(const ReadFn& source, const fs::path& dest, const Limits& limits) {
  extract_impl(source, dest, limits);
}

std::vector<std::string> extract_selected(const fs::path& archive_path, const fs::path& dest,
                                          const Selector& select, const Limits& limits) {
  auto src = file_reader(archive_path);
  return with_context(archive_path.string(),
                      [&] { return extract_selected_impl(src, dest, select, limits); });
}

bool extract_member(const ReadFn& source, const std::string& member, const fs::path& out,
                    const Limits& limits) {
  auto tmp = util::temp_path_beside(out);
  try {
    OutFile f(tmp, O_CREAT | O_EXCL, 0644);
    bool found = find_member(source, member, limits.max_entry_size, limits.max_entries,
                             [&f](const char* p, size_t n) { f.write(p, n); });
    f.close(found);
    if (!found) {
      fs::remove(tmp);
      return false;
    }
    std::error_code ec;
    fs::rename(tmp, out, ec);
    if (ec) throw Error(Errc::io, "cannot rename to " + out.string() + ": " + ec.message());
    return true;
  } catch (...) {
    std::error_code ec;
    fs::remove(tmp, ec);
    throw;
  }
}

bool extract_member(const fs::path& archive_path, const std::string& member, const fs::path& out,
                    const Limits& limits) {
  auto src = file_reader(archive_path);
  return with_context(archive_path.string(),
                      [&] { return extract_member(src, member, out, limits); });
}

std::optional<std::string> read_member(const ReadFn& source, const std::string& member,
                                       uint64_t max_bytes) {
  std::string data;
  Limits defaults;
  bool found = find_member(source, member, max_bytes, defaults.max_entries,
                           [&data](const char* p, size_t n) { data.append(p, n); });
  if (!found) return std::nullopt;
  return data;
}

std::vector<EntryInfo> list(const ReadFn& source, const Limits& limits) {
  std::vector<EntryInfo> out;
  Reader r(source);
  while (archive_entry* e = r.next()) {
    if (r.entries() > limits.max_entries)
      throw Error(Errc::validation,
                  "archive has more than " + std::to_string(limits.max_entries) + " entries");
    EntryInfo info;
    info.path = entry_path(e);
    info.type = entry_type(e);
    info.size = static_cast<uint64_t>(std::max<la_int64_t>(0, archive_entry_size(e)));
    info.mode = static_cast<unsigned>(archive_entry_perm(e));
    out.push_back(std::move(info));
  }
  return out;
}

std::string library_version() {
  const char* v = archive_version_details();
  return v != nullptr ? v : archive_version_string();
}

}  // namespace ext::archive
