// The local store as an OCI image layout (OCI image-spec image-layout.md;
// docs/formats.md "Local store"). Crash safety: a blob becomes visible only by rename() of a fully
// written, fsynced and verified temp file; index.json only by util::write_file_atomic under an
// exclusive lock on index.json.lock. A kill leaves at most temp files, which readers ignore
// and prune deletes.
#include "ext/store/oci_layout_store.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "ext/oci/layout.hpp"
#include "ext/oci/media_types.hpp"
#include "ext/util/files.hpp"
#include "ext/util/strings.hpp"

namespace ext::store {

namespace fs = std::filesystem;
using util::errno_text;
using util::random_suffix;

namespace {

constexpr auto k_prune_wait = std::chrono::seconds(60);

Error corrupt_hint(Error e, const fs::path& path) {
  e.with_hint("the store file " + path.string() +
              " is damaged: delete it, then build or pull the image again");
  return e;
}

// Process-wide shared locks on <root>/blobs.lock: one fd per store root, reference-counted by
// the OciLayoutStore objects that write to it. flock() locks belong to the open file, so two
// objects in one process share the fd (and prune can convert it to exclusive).
struct WriterLocks {
  struct Entry {
    int fd = -1;
    int refs = 0;
  };
  std::mutex mutex;
  std::map<std::string, Entry> entries;

  static WriterLocks& instance() {
    static WriterLocks w;
    return w;
  }
  static std::string key(const fs::path& root) {
    std::error_code ec;
    auto abs = fs::absolute(root, ec);
    return (ec ? root : abs).lexically_normal().string();
  }
  int open_fd(const fs::path& root) {
    fs::path p = root / OciLayoutStore::k_writers_lock;
    int fd = ::open(p.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) throw Error(Errc::io, "cannot open lock " + p.string() + ": " + errno_text());
    return fd;
  }
  void acquire(const fs::path& root) {
    std::lock_guard lock(mutex);
    auto& e = entries[key(root)];
    if (e.refs == 0) {
      if (e.fd < 0) e.fd = open_fd(root);
      while (::flock(e.fd, LOCK_SH) != 0) {
        if (errno == EINTR) continue;
        throw Error(Errc::io, "cannot lock " + root.string() + ": " + errno_text());
      }
    }
    ++e.refs;
  }
  void release(const fs::path& root) {
    std::lock_guard lock(mutex);
    auto it = entries.find(key(root));
    if (it == entries.end() || it->second.refs == 0) return;
    if (--it->second.refs == 0) {
      ::flock(it->second.fd, LOCK_UN);
      ::close(it->second.fd);
      entries.erase(it);
    }
  }
  // Exclusive for the duration of f(); waits up to k_prune_wait of `clock`'s time for other
  // processes.
  template <class F>
  void exclusive(const fs::path& root, Clock& clock, F&& f) {
    std::unique_lock lock(mutex);
    auto& e = entries[key(root)];
    if (e.fd < 0) e.fd = open_fd(root);
    int fd = e.fd;
    auto deadline = clock.now() + k_prune_wait;
    while (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      if (errno != EWOULDBLOCK && errno != EINTR)
        throw Error(Errc::io, "cannot lock " + root.string() + ": " + errno_text());
      if (clock.now() > deadline)
        throw Error(Errc::failed, "the store " + root.string() + " is busy",
                    "another ext process is writing to it; run prune again when it is done");
      clock.sleep_for(std::chrono::milliseconds(50));
    }
    auto restore = [&] {
      auto& en = entries[key(root)];
      if (en.refs > 0) {
        ::flock(en.fd, LOCK_SH);
      } else {
        ::flock(en.fd, LOCK_UN);
        ::close(en.fd);
        entries.erase(key(root));
      }
    };
    try {
      f();
    } catch (...) {
      restore();
      throw;
    }
    restore();
  }
};

void check_algorithm(const digest::Digest& d) {
  if (d.algorithm() != "sha256")
    throw Error(Errc::unsupported, "digest algorithm " + d.algorithm() +
                                       " is not supported by the local store (only sha256)");
}

// Reads a blob file and checks size and digest at the end: a corrupted blob is never passed on
// silently (the last read() throws digest_mismatch naming the file and both digests).
class LayoutBlobReader final : public BlobReader {
 public:
  LayoutBlobReader(int fd, fs::path path, oci::Descriptor expected)
      : m_fd(fd), m_path(std::move(path)), m_expected(std::move(expected)) {}
  ~LayoutBlobReader() override { ::close(m_fd); }

  size_t read(void* buf, size_t n) override {
    if (m_done) return 0;
    while (true) {
      ssize_t k = ::read(m_fd, buf, n);
      if (k < 0) {
        if (errno == EINTR) continue;
        throw Error(Errc::io, "cannot read " + m_path.string() + ": " + errno_text());
      }
      if (k == 0) {
        finish();
        return 0;
      }
      m_read += static_cast<uint64_t>(k);
      if (m_read > static_cast<uint64_t>(m_expected.size)) mismatch(m_expected.digest);
      m_hasher.update(buf, static_cast<size_t>(k));
      return static_cast<size_t>(k);
    }
  }

 private:
  void finish() {
    m_done = true;
    auto got = m_hasher.finish();
    if (m_read != static_cast<uint64_t>(m_expected.size) || got != m_expected.digest) mismatch(got);
  }
  [[noreturn]] void mismatch(const digest::Digest& got) {
    m_done = true;
    std::string msg = "corrupted blob " + m_path.string() + ": expected " +
                      m_expected.digest.to_string() + " (" + std::to_string(m_expected.size) +
                      " bytes), content is ";
    if (m_read != static_cast<uint64_t>(m_expected.size))
      msg += std::to_string(m_read) + " bytes or more";
    else
      msg += got.to_string();
    throw corrupt_hint(Error(Errc::digest_mismatch, msg), m_path);
  }

  int m_fd;
  fs::path m_path;
  oci::Descriptor m_expected;
  digest::Sha256 m_hasher;
  uint64_t m_read = 0;
  bool m_done = false;
};

}  // namespace

// Writes to blobs/sha256/.tmp-<pid>-..., hashing as it goes; commit() checks size and digest,
// fsyncs, then renames onto blobs/sha256/<hex>. Large writes are hashed on a helper thread while
// this one writes them, and writeback of the file is started every few MiB, so that a pull
// costs about as much as the transfer and the final fsync has little left to wait for.
class LayoutBlobWriter final : public BlobWriter {
  static constexpr size_t k_parallel_hash_min = 256u << 10;
  static constexpr uint64_t k_writeback_step = 8u << 20;

 public:
  LayoutBlobWriter(OciLayoutStore& store, oci::Descriptor expected)
      : m_expected(std::move(expected)) {
    m_final = store.blob_path(m_expected.digest);
    m_temp = m_final.parent_path() / (std::string(OciLayoutStore::k_temp_prefix) +
                                      m_expected.digest.short_hex() + "-" + random_suffix());
    m_fd = ::open(m_temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (m_fd < 0) throw Error(Errc::io, "cannot create " + m_temp.string() + ": " + errno_text());
  }
  ~LayoutBlobWriter() override {
    if (m_fd >= 0) ::close(m_fd);
    if (!m_committed) ::unlink(m_temp.c_str());
  }

  void write(const void* data, size_t n) override {
    if (m_committed || m_fd < 0) throw Error(Errc::internal, "blob write after commit");
    if (m_written + n > static_cast<uint64_t>(m_expected.size))
      throw Error(Errc::digest_mismatch, "blob " + m_expected.digest.to_string() +
                                             " is larger than the expected " +
                                             std::to_string(m_expected.size) + " bytes");
    if (n >= k_parallel_hash_min) {
      std::thread hasher([&] { m_hasher.update(data, n); });
      try {
        write_fully(data, n);
      } catch (...) {
        hasher.join();
        throw;
      }
      hasher.join();
    } else {
      m_hasher.update(data, n);
      write_fully(data, n);
    }
    m_written += n;
    if (m_written - m_flushed >= k_writeback_step) {
      // Asynchronous: queues the range for writeback and returns (errors surface at fsync).
      ::sync_file_range(m_fd, static_cast<off_t>(m_flushed),
                        static_cast<off_t>(m_written - m_flushed), SYNC_FILE_RANGE_WRITE);
      m_flushed = m_written;
    }
  }

  void commit() override {
    if (m_committed) return;
    auto got = m_hasher.finish();
    if (m_written != static_cast<uint64_t>(m_expected.size))
      throw Error(Errc::digest_mismatch, "blob " + m_expected.digest.to_string() + ": received " +
                                             std::to_string(m_written) + " bytes, expected " +
                                             std::to_string(m_expected.size));
    if (got != m_expected.digest)
      throw Error(Errc::digest_mismatch, "blob content does not match its digest: expected " +
                                             m_expected.digest.to_string() + ", got " +
                                             got.to_string());
    if (::fsync(m_fd) != 0 || ::close(m_fd) != 0) {
      m_fd = -1;
      throw Error(Errc::io, "cannot write " + m_temp.string() + ": " + errno_text());
    }
    m_fd = -1;
    if (::rename(m_temp.c_str(), m_final.c_str()) != 0)
      throw Error(Errc::io, "cannot store blob " + m_final.string() + ": " + errno_text());
    m_committed = true;
    util::fsync_dir(m_final.parent_path());
  }

 private:
  void write_fully(const void* data, size_t n) {
    const char* p = static_cast<const char*>(data);
    size_t off = 0;
    while (off < n) {
      ssize_t k = ::write(m_fd, p + off, n - off);
      if (k < 0) {
        if (errno == EINTR) continue;
        throw Error(Errc::io, "cannot write " + m_temp.string() + ": " + errno_text());
      }
      off += static_cast<size_t>(k);
    }
  }

  oci::Descriptor m_expected;
  fs::path m_final;
  fs::path m_temp;
  int m_fd = -1;
  digest::Sha256 m_hasher;
  uint64_t m_written = 0;
  uint64_t m_flushed = 0;  // bytes handed to writeback so far
  bool m_committed = false;
};

OciLayoutStore::OciLayoutStore(fs::path root) : m_root(std::move(root)) {}

OciLayoutStore::~OciLayoutStore() {
  if (m_writer_lock_held) WriterLocks::instance().release(m_root);
}

fs::path OciLayoutStore::blob_path(const digest::Digest& d) const {
  return m_root / "blobs" / d.algorithm() / d.hex();
}

void OciLayoutStore::ensure_layout() {
  if (m_layout_ready) return;
  std::error_code ec;
  fs::create_directories(m_root / "blobs" / "sha256", ec);
  if (ec)
    throw Error(Errc::io, "cannot create the store " + m_root.string() + ": " + ec.message(),
                "pass a writable folder with --store or EXT_STORE");
  hold_writer_lock();
  fs::path header = m_root / oci::k_layout_file;
  if (!fs::exists(header)) util::write_file_atomic(header, oci::LayoutHeader{}.serialize());
  fs::path index = m_root / oci::k_layout_index_file;
  if (!fs::exists(index)) {
    util::FileLock lock(m_root / k_index_lock);
    if (!fs::exists(index)) util::write_file_atomic(index, oci::Index{}.serialize());
  }
  m_layout_ready = true;
}

void OciLayoutStore::hold_writer_lock() {
  if (m_writer_lock_held) return;
  WriterLocks::instance().acquire(m_root);
  m_writer_lock_held = true;
}

bool OciLayoutStore::has(const oci::Descriptor& d) {
  struct stat st {};
  if (::stat(blob_path(d.digest).c_str(), &st) != 0) return false;
  // A blob of the wrong size is damaged: report it absent so a copy writes it again.
  return S_ISREG(st.st_mode) && st.st_size == d.size;
}

std::unique_ptr<BlobReader> OciLayoutStore::open(const oci::Descriptor& d) {
  check_algorithm(d.digest);
  fs::path p = blob_path(d.digest);
  int fd = -1;
  try {
    fd = util::open_regular_file(p);  // a FIFO in a layout must not hang the reader
  } catch (const Error& e) {
    if (e.code() == Errc::not_found)
      throw Error(Errc::not_found,
                  "blob " + d.digest.to_string() + " is not in the store " + m_root.string());
    throw;
  }
  struct stat st {};
  if (::fstat(fd, &st) == 0 && st.st_size != d.size) {
    ::close(fd);
    throw corrupt_hint(
        Error(Errc::digest_mismatch, "corrupted blob " + p.string() + ": expected " +
                                         d.digest.to_string() + " of " + std::to_string(d.size) +
                                         " bytes, the file has " + std::to_string(st.st_size)),
        p);
  }
  return std::make_unique<LayoutBlobReader>(fd, p, d);
}

std::unique_ptr<BlobWriter> OciLayoutStore::create(const oci::Descriptor& expected) {
  check_algorithm(expected.digest);
  if (expected.size < 0)
    throw Error(Errc::invalid_argument,
                "blob " + expected.digest.to_string() + " has a negative size");
  ensure_layout();
  return std::make_unique<LayoutBlobWriter>(*this, expected);
}

oci::Index OciLayoutStore::read_index() {
  fs::path p = m_root / oci::k_layout_index_file;
  std::string bytes;
  try {
    bytes = util::read_regular_file(p, oci::k_max_layout_index_bytes);
  } catch (const Error& e) {
    if (e.code() == Errc::not_found) return oci::Index{};
    throw;
  }
  auto idx = oci::Index::parse(bytes);
  if (!idx)
    throw Error(Errc::parse, p.string() + " is not a valid image index: " + idx.error().message(),
                "the local store's index is damaged; ext leaves it untouched: repair or move "
                "the file away (or use another --store)");
  return std::move(*idx);
}

template <class F>
bool OciLayoutStore::update_index(F&& change) {
  ensure_layout();
  util::FileLock lock(m_root / k_index_lock);
  oci::Index idx = read_index();
  if (!change(idx)) return false;
  util::write_file_atomic(m_root / oci::k_layout_index_file, idx.serialize());
  return true;
}

namespace {

const std::string* ref_name(const oci::Descriptor& d) {
  auto it = d.annotations.find(oci::k_ref_name_annotation);
  return it == d.annotations.end() ? nullptr : &it->second;
}

void name_in_index(oci::Index& idx, const std::string& key, const oci::Descriptor& manifest) {
  oci::Descriptor entry;
  entry.media_type = manifest.media_type;
  entry.digest = manifest.digest;
  entry.size = manifest.size;
  entry.artifact_type = manifest.artifact_type;
  entry.platform = manifest.platform;
  entry.annotations[oci::k_ref_name_annotation] = key;
  for (auto& e : idx.manifests) {
    const std::string* n = ref_name(e);
    if (n && *n == key) {
      e = entry;
      return;
    }
  }
  idx.manifests.push_back(std::move(entry));
}

}  // namespace

void OciLayoutStore::put_manifest(const oci::Descriptor& d, std::string_view bytes,
                                  const std::vector<ref::Reference>& names) {
  if (bytes.size() > oci::k_max_manifest_bytes)
    throw Error(Errc::invalid_argument, "manifest " + d.digest.to_string() + " is larger than " +
                                            std::to_string(oci::k_max_manifest_bytes) + " bytes");
  if (!has(d)) {
    auto w = create(d);
    w->write(bytes.data(), bytes.size());
    w->commit();
  } else {
    auto got = digest::sha256(bytes);
    if (got != d.digest || bytes.size() != static_cast<uint64_t>(d.size))
      throw Error(Errc::digest_mismatch, "manifest content does not match its digest: expected " +
                                             d.digest.to_string() + ", got " + got.to_string());
  }
  if (names.empty()) return;
  update_index([&](oci::Index& idx) {
    for (const auto& n : names) name_in_index(idx, name_key(n), d);
    return true;
  });
}

std::optional<oci::Descriptor> OciLayoutStore::resolve(const ref::Reference& name) {
  oci::Index idx = read_index();
  if (name.digest()) {
    for (const auto& e : idx.manifests) {
      if (e.digest == *name.digest()) {
        oci::Descriptor d = e;
        d.annotations.clear();
        if (has(d)) return d;
      }
    }
    // A manifest reachable only through an index: find it on disk and read its type.
    fs::path p = blob_path(*name.digest());
    struct stat st {};
    if (name.digest()->algorithm() != "sha256" || ::stat(p.c_str(), &st) != 0 ||
        !S_ISREG(st.st_mode))
      return std::nullopt;
    oci::Descriptor d;
    d.digest = *name.digest();
    d.size = st.st_size;
    d.media_type = "application/octet-stream";
    if (static_cast<uint64_t>(st.st_size) <= oci::k_max_manifest_bytes) {
      std::string bytes = read_all(*this, d, oci::k_max_manifest_bytes);
      auto mt = oci::detect_media_type(bytes);
      if (mt) d.media_type = *mt;
    }
    return d;
  }
  std::string key = name_key(name);
  for (const auto& e : idx.manifests) {
    const std::string* n = ref_name(e);
    if (n && *n == key) {
      oci::Descriptor d = e;
      d.annotations.clear();
      return d;
    }
  }
  return std::nullopt;
}

std::vector<ImageEntry> OciLayoutStore::list() {
  std::vector<ImageEntry> out;
  for (auto& e : read_index().manifests) {
    const std::string* n = ref_name(e);
    if (!n) continue;
    ImageEntry entry{*n, e};
    entry.manifest.annotations.erase(oci::k_ref_name_annotation);
    out.push_back(std::move(entry));
  }
  return out;
}

void OciLayoutStore::set_name(const ref::Reference& name, const oci::Descriptor& manifest) {
  if (!has(manifest))
    throw Error(Errc::not_found, "manifest " + manifest.digest.to_string() +
                                     " is not in the store " + m_root.string());
  update_index([&](oci::Index& idx) {
    name_in_index(idx, name_key(name), manifest);
    return true;
  });
}

bool OciLayoutStore::remove_name(const ref::Reference& name) {
  if (!fs::exists(m_root / oci::k_layout_index_file)) return false;
  std::string key = name_key(name);
  bool removed = false;
  update_index([&](oci::Index& idx) {
    auto& ms = idx.manifests;
    auto before = ms.size();
    std::erase_if(ms, [&](const oci::Descriptor& e) {
      const std::string* n = ref_name(e);
      return n && *n == key;
    });
    removed = ms.size() != before;
    return removed;
  });
  return removed;
}

std::vector<std::string> OciLayoutStore::remove_names_if(
    const std::function<bool(const ImageEntry&)>& pred) {
  std::vector<std::string> removed;
  if (!fs::exists(m_root / oci::k_layout_index_file)) return removed;
  update_index([&](oci::Index& idx) {
    std::erase_if(idx.manifests, [&](const oci::Descriptor& e) {
      const std::string* n = ref_name(e);
      if (!n) return false;
      ImageEntry entry{*n, e};
      entry.manifest.annotations.erase(oci::k_ref_name_annotation);
      if (!pred(entry)) return false;
      removed.push_back(*n);
      return true;
    });
    return !removed.empty();
  });
  return removed;
}

namespace {

// Every digest reachable from the index entries: manifests, indexes, configs, layers.
// A reachable manifest that cannot be read stops the walk: prune must never guess.
void mark(OciLayoutStore& s, const oci::Descriptor& d, std::set<digest::Digest>& seen, int depth) {
  if (!seen.insert(d.digest).second) return;
  if (depth > 8) return;
  bool manifest = oci::is_manifest_type(d.media_type);
  bool index = oci::is_index_type(d.media_type);
  if (!manifest && !index) return;
  if (!s.has(d)) return;  // missing content reaches nothing here
  std::string bytes = read_all(s, d, oci::k_max_manifest_bytes);
  if (index) {
    auto idx = oci::Index::parse(bytes);
    if (!idx) throw idx.error().with_context("manifest " + d.digest.to_string());
    for (const auto& c : idx->manifests) mark(s, c, seen, depth + 1);
  } else {
    auto m = oci::Manifest::parse(bytes);
    if (!m) throw m.error().with_context("manifest " + d.digest.to_string());
    seen.insert(m->config.digest);
    for (const auto& l : m->layers) seen.insert(l.digest);
  }
}

bool is_hex_name(const std::string& name, size_t len) {
  return name.size() == len && util::is_hex(name);
}

}  // namespace

OciLayoutStore::PruneResult OciLayoutStore::prune(Clock& clock) {
  PruneResult result;
  if (!fs::exists(m_root / oci::k_layout_index_file) && !fs::exists(m_root / "blobs"))
    return result;
  ensure_layout();
  WriterLocks::instance().exclusive(m_root, clock, [&] {
    util::FileLock lock(m_root / k_index_lock);
    oci::Index idx = read_index();
    std::set<digest::Digest> reachable;
    with_context("pruning " + m_root.string(), [&] {
      for (const auto& e : idx.manifests) mark(*this, e, reachable, 0);
    });
    std::error_code ec;
    for (const char* alg : {"sha256", "sha512"}) {
      fs::path dir = m_root / "blobs" / alg;
      if (!fs::is_directory(dir, ec)) continue;
      size_t hex_len = std::string(alg) == "sha256" ? 64 : 128;
      for (const auto& entry : fs::directory_iterator(dir, ec)) {
        std::string name = entry.path().filename().string();
        bool temp = name.rfind(k_temp_prefix, 0) == 0;
        bool blob = is_hex_name(name, hex_len);
        if (!temp && !blob) continue;  // unknown files are left alone (image-layout.md)
        if (blob) {
          auto d = digest::Digest::parse(std::string(alg) + ":" + name);
          if (d && reachable.count(*d)) continue;
        }
        uint64_t size = entry.is_regular_file(ec) ? entry.file_size(ec) : 0;
        if (fs::remove(entry.path(), ec)) {
          if (blob) ++result.blobs_removed;
          result.bytes_freed += size;
        }
      }
    }
    // Temp files of interrupted index/header writes (util::write_file_atomic names them
    // ".<file>.tmp.<suffix>"); we hold both locks, so no writer owns them.
    for (const auto& entry : fs::directory_iterator(m_root, ec)) {
      std::string name = entry.path().filename().string();
      if (name.rfind(".index.json.tmp.", 0) == 0 || name.rfind(".oci-layout.tmp.", 0) == 0) {
        uint64_t size = entry.is_regular_file(ec) ? entry.file_size(ec) : 0;
        if (fs::remove(entry.path(), ec)) result.bytes_freed += size;
      }
    }
  });
  return result;
}

std::vector<std::string> OciLayoutStore::verify(bool all) {
  std::vector<std::string> problems;
  std::set<digest::Digest> checked;
  auto check = [&](const oci::Descriptor& d) {
    if (!checked.insert(d.digest).second) return;
    try {
      auto r = open(d);
      std::vector<char> buf(1u << 20);
      while (r->read(buf.data(), buf.size()) > 0) {
      }
    } catch (const Error& e) {
      problems.push_back(e.message());
    }
  };
  oci::Index idx = read_index();
  std::set<digest::Digest> walked;
  std::function<void(const oci::Descriptor&, int)> walk = [&](const oci::Descriptor& d, int depth) {
    if (!walked.insert(d.digest).second) return;
    check(d);
    if (depth > 8 || (!oci::is_manifest_type(d.media_type) && !oci::is_index_type(d.media_type)))
      return;
    std::string bytes;
    try {
      bytes = read_all(*this, d, oci::k_max_manifest_bytes);
    } catch (const Error&) {
      return;  // already reported by check()
    }
    if (oci::is_index_type(d.media_type)) {
      auto x = oci::Index::parse(bytes);
      if (!x) {
        problems.push_back("manifest " + d.digest.to_string() + ": " + x.error().message());
        return;
      }
      for (const auto& c : x->manifests) walk(c, depth + 1);
    } else {
      auto m = oci::Manifest::parse(bytes);
      if (!m) {
        problems.push_back("manifest " + d.digest.to_string() + ": " + m.error().message());
        return;
      }
      check(m->config);
      for (const auto& l : m->layers) check(l);
    }
  };
  for (const auto& e : idx.manifests) walk(e, 0);
  if (all) {
    std::error_code ec;
    fs::path dir = m_root / "blobs" / "sha256";
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
      std::string name = entry.path().filename().string();
      if (!is_hex_name(name, 64)) continue;
      auto got = digest::sha256_file(entry.path());
      if (got.hex() != name)
        problems.push_back("corrupted blob " + entry.path().string() + ": expected sha256:" + name +
                           ", content is " + got.to_string());
    }
  }
  return problems;
}

}  // namespace ext::store
