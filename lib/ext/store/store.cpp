// Whole-blob helpers and copy_graph (after oras-go's content.Copy: children before parents,
// skip what the destination has, verify every digest, put the root last under its names).
#include "ext/store/store.hpp"

#include <atomic>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "ext/core/cancel.hpp"
#include "ext/core/reporter.hpp"
#include "ext/oci/layout.hpp"
#include "ext/oci/media_types.hpp"
#include "ext/util/strings.hpp"

namespace ext::store {

namespace {
constexpr size_t k_chunk = 1u << 20;
constexpr uint64_t k_progress_threshold = 1u << 20;

Error mismatch(const oci::Descriptor& d, const digest::Digest& got, uint64_t got_size) {
  if (static_cast<uint64_t>(d.size) != got_size)
    return Error(Errc::digest_mismatch, "blob " + d.digest.to_string() + " has " +
                                            std::to_string(got_size) + " bytes, expected " +
                                            std::to_string(d.size));
  return Error(Errc::digest_mismatch, "blob content does not match its digest: expected " +
                                          d.digest.to_string() + ", got " + got.to_string());
}
}  // namespace

void check_size_cap(const oci::Descriptor& d, const char* kind, const SizeCaps& caps) {
  std::string k = kind;
  bool module = k == "layer" && (d.media_type == oci::media::k_wasm_layer ||
                                 d.media_type == oci::media::k_cncf_wasm_layer);
  uint64_t cap = k == "manifest" ? caps.manifest
                 : k == "config" ? caps.config
                 : module        ? caps.module
                                 : caps.layer;
  if (module) k = "module layer";
  if (d.size < 0)
    throw Error(Errc::validation, k + " " + d.digest.to_string() + " has a negative size");
  if (static_cast<uint64_t>(d.size) > cap)
    throw Error(Errc::validation,
                k + " " + d.digest.to_string() + " claims " + std::to_string(d.size) + " bytes (" +
                    util::human_size(static_cast<uint64_t>(d.size)) + "), more than the " +
                    util::human_size(cap) + " ext accepts for a " + k,
                "nothing was downloaded; see docs/limits.md for the per-kind size caps");
}

std::string name_key(const ref::Reference& name) {
  if (!name.tag().empty()) return name.name() + ":" + name.tag();
  if (name.digest()) return name.name() + "@" + name.digest()->to_string();
  return name.name() + ":latest";
}

std::string read_all(Store& s, const oci::Descriptor& d, uint64_t max_bytes) {
  if (d.size < 0 || static_cast<uint64_t>(d.size) > max_bytes)
    throw Error(Errc::invalid_argument, "blob " + d.digest.to_string() + " is " +
                                            std::to_string(d.size) + " bytes, more than the " +
                                            std::to_string(max_bytes) + " allowed here");
  auto reader = s.open(d);
  std::string out;
  out.reserve(static_cast<size_t>(d.size));
  char buf[65536];
  digest::Sha256 hasher;
  while (true) {
    size_t n = reader->read(buf, sizeof buf);
    if (n == 0) break;
    if (out.size() + n > max_bytes)
      throw Error(Errc::digest_mismatch, "blob " + d.digest.to_string() +
                                             " is larger than its descriptor says (" +
                                             std::to_string(d.size) + " bytes)");
    hasher.update(buf, n);
    out.append(buf, n);
  }
  if (d.digest.algorithm() == "sha256") {
    auto got = hasher.finish();
    if (got != d.digest || out.size() != static_cast<uint64_t>(d.size))
      throw mismatch(d, got, out.size());
  } else if (out.size() != static_cast<uint64_t>(d.size)) {
    throw mismatch(d, d.digest, out.size());
  }
  return out;
}

void write_all(Store& s, const oci::Descriptor& d, std::string_view bytes) {
  auto w = s.create(d);
  if (!bytes.empty()) w->write(bytes.data(), bytes.size());
  w->commit();
}

namespace {

class Copier {
 public:
  Copier(Store& src, Store& dst, const CopyOptions& opts) : m_src(src), m_dst(dst), m_opts(opts) {}

  void node(const oci::Descriptor& d, const std::vector<ref::Reference>& names, bool is_root,
            int depth) {
    throw_if_interrupted();
    if (depth > 8) throw Error(Errc::validation, "image indexes nested more than 8 deep");
    bool manifest = oci::is_manifest_type(d.media_type);
    bool index = oci::is_index_type(d.media_type);
    if (!manifest && !index) {
      if (is_root)
        throw Error(Errc::unsupported, "cannot copy " + d.digest.to_string() + ": media type \"" +
                                           d.media_type + "\" is not an image manifest or index");
      blobs({d});  // unknown entries of an index are opaque content (OCI image-spec image-index.md)
      return;
    }
    check_size_cap(d, "manifest", m_opts.caps);
    std::string bytes = with_context("reading manifest " + d.digest.to_string(),
                                     [&] { return read_all(m_src, d, m_opts.caps.manifest); });
    if (index) {
      auto idx = oci::Index::parse(bytes);
      if (!idx) throw idx.error().with_context("manifest " + d.digest.to_string());
      for (const auto& child : idx->manifests)
        if (!oci::is_manifest_type(child.media_type) && !oci::is_index_type(child.media_type))
          check_size_cap(child, "layer", m_opts.caps);
      for (const auto& child : idx->manifests) node(child, {}, false, depth + 1);
    } else {
      auto m = oci::Manifest::parse(bytes);
      if (!m) throw m.error().with_context("manifest " + d.digest.to_string());
      // Every claimed size checked before the first byte of any blob (docs/limits.md).
      check_size_cap(m->config, "config", m_opts.caps);
      for (const auto& l : m->layers) check_size_cap(l, "layer", m_opts.caps);
      std::vector<oci::Descriptor> children;
      children.push_back(m->config);
      for (const auto& l : m->layers) children.push_back(l);
      blobs(children);
    }
    bool present = m_dst.has(d);
    bool sound = present && holds_sound(d);
    if (names.empty() && sound) {
      ++m_result.blobs_skipped;
      return;
    }
    if (present && !sound) write_all(m_dst, d, bytes);  // replaces the damaged copy
    m_dst.put_manifest(d, bytes, names);
    ++m_result.blobs_copied;
    m_result.bytes_copied += static_cast<uint64_t>(d.size);
  }

  CopyResult result() const { return m_result; }

 private:
  void blobs(const std::vector<oci::Descriptor>& list) {
    // De-duplicate (the oci format carries the config as a layer too).
    std::vector<oci::Descriptor> todo;
    for (const auto& d : list) {
      bool seen = false;
      for (const auto& t : todo) seen = seen || t.digest == d.digest;
      if (!seen) todo.push_back(d);
    }
    int workers = std::max(1, std::min<int>(m_opts.concurrency, static_cast<int>(todo.size())));
    if (workers == 1) {
      for (const auto& d : todo) blob(d);
      return;
    }
    std::atomic<size_t> next{0};
    std::exception_ptr first_error;
    std::mutex error_mutex;
    std::vector<std::thread> threads;
    for (int i = 0; i < workers; ++i) {
      threads.emplace_back([&] {
        while (true) {
          {
            std::lock_guard lock(error_mutex);
            if (first_error) return;
          }
          size_t k = next++;
          if (k >= todo.size()) return;
          try {
            blob(todo[k]);
          } catch (...) {
            std::lock_guard lock(error_mutex);
            if (!first_error) first_error = std::current_exception();
            return;
          }
        }
      });
    }
    for (auto& t : threads) t.join();
    if (first_error) std::rethrow_exception(first_error);
  }

  // Whether the destination's copy of `d` (which has() reports) may be kept: always, unless
  // verify_existing asks to hash it; a copy that does not hash to its digest is not kept.
  bool holds_sound(const oci::Descriptor& d) {
    if (!m_opts.verify_existing) return true;
    try {
      auto r = m_dst.open(d);
      std::vector<char> buf(k_chunk);
      while (r->read(buf.data(), buf.size()) > 0) throw_if_interrupted();
      return true;
    } catch (const Error& e) {
      if (e.code() != Errc::digest_mismatch) throw;
      std::lock_guard lock(m_mutex);
      ++m_result.blobs_repaired;
      if (m_opts.reporter)
        m_opts.reporter->warn(d.digest.to_string() + " in the destination is damaged (" +
                              e.message() + "); fetching it again");
      return false;
    }
  }

  void blob(const oci::Descriptor& d) {
    throw_if_interrupted();
    if (m_dst.has(d) && holds_sound(d)) {
      std::lock_guard lock(m_mutex);
      ++m_result.blobs_skipped;
      return;
    }
    with_context("copying blob " + d.digest.to_string(), [&] {
      bool progress = m_opts.reporter && static_cast<uint64_t>(d.size) > k_progress_threshold;
      std::string id = "copy " + d.digest.to_string();
      if (progress) {
        std::lock_guard lock(m_mutex);
        m_opts.reporter->progress_start(id, d.digest.short_hex(), static_cast<uint64_t>(d.size));
      }
      auto reader = m_src.open(d);
      auto writer = m_dst.create(d);
      std::vector<char> buf(k_chunk);
      uint64_t done = 0;
      while (true) {
        throw_if_interrupted();
        size_t n = reader->read(buf.data(), buf.size());
        if (n == 0) break;
        writer->write(buf.data(), n);
        done += n;
        if (progress) {
          std::lock_guard lock(m_mutex);
          m_opts.reporter->progress_update(id, done);
        }
      }
      writer->commit();
      std::lock_guard lock(m_mutex);
      if (progress) m_opts.reporter->progress_finish(id);
      if (m_opts.reporter)
        m_opts.reporter->debug(
            1, "copied " + d.digest.to_string() + " (" + util::human_size(done) + ")");
      ++m_result.blobs_copied;
      m_result.bytes_copied += done;
    });
  }

  Store& m_src;
  Store& m_dst;
  const CopyOptions& m_opts;
  std::mutex m_mutex;
  CopyResult m_result;
};

}  // namespace

CopyResult copy_graph(Store& src, Store& dst, const oci::Descriptor& root,
                      const CopyOptions& opts) {
  Copier c(src, dst, opts);
  c.node(root, opts.names, true, 0);
  return c.result();
}

}  // namespace ext::store
