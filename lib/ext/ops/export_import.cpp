#include "ext/ops/export_import.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <chrono>

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "ext/archive/archive.hpp"
#include "ext/core/reporter.hpp"
#include "ext/oci/layout.hpp"
#include "ext/ref/reference.hpp"
#include "ext/store/oci_layout_store.hpp"
#include "ext/util/files.hpp"
#include "ext/util/strings.hpp"

namespace ext::ops {

namespace fs = std::filesystem;

namespace {

bool is_tar_path(const fs::path& p) {
  std::string s = util::to_lower(p.filename().string());
  return s.size() > 4 && s.compare(s.size() - 4, 4, ".tar") == 0;
}

// A directory beside `near` removed with its content at scope exit (same filesystem, so a
// large export does not fill /tmp).
class ScratchDir {
 public:
  explicit ScratchDir(const fs::path& near) {
    fs::path parent = near.has_parent_path() ? near.parent_path() : fs::path(".");
    m_path = util::temp_path_beside(parent / ".ext-scratch");
    std::error_code ec;
    fs::create_directories(m_path, ec);
    if (ec) throw Error(Errc::io, "cannot create " + m_path.string() + ": " + ec.message());
  }
  ~ScratchDir() {
    std::error_code ec;
    fs::remove_all(m_path, ec);
  }
  const fs::path& path() const { return m_path; }

 private:
  fs::path m_path;
};

void check_export_dir(const fs::path& dir) {
  std::error_code ec;
  if (!fs::exists(dir, ec)) return;
  if (!fs::is_directory(dir, ec))
    throw Error(Errc::invalid_argument, dir.string() + " exists and is not a directory",
                "give a new directory, an existing OCI layout, or a FILE.tar");
  if (fs::exists(dir / oci::k_layout_file)) return;
  if (!fs::is_empty(dir, ec))
    throw Error(Errc::invalid_argument,
                dir.string() + " is not empty and is not an OCI image layout (no oci-layout)",
                "give a new or empty directory, an existing OCI layout, or a FILE.tar");
}

std::vector<archive::TarEntry> layout_entries(const fs::path& dir) {
  std::vector<archive::TarEntry> entries;
  auto file = [&](const std::string& rel) {
    archive::TarEntry e;
    e.path = rel;
    e.source = dir / rel;
    entries.push_back(std::move(e));
  };
  auto folder = [&](const std::string& rel) {
    archive::TarEntry e;
    e.path = rel;
    e.directory = true;
    e.mode = 0755;
    entries.push_back(std::move(e));
  };
  file(oci::k_layout_file);
  file(oci::k_layout_index_file);
  folder("blobs");
  folder("blobs/sha256");
  std::vector<std::string> blobs;
  for (const auto& e : fs::directory_iterator(dir / "blobs" / "sha256")) {
    std::string n = e.path().filename().string();
    if (n.size() == 64 && util::is_hex(n)) blobs.push_back(n);
  }
  std::sort(blobs.begin(), blobs.end());
  for (const auto& b : blobs) file("blobs/sha256/" + b);
  return entries;
}

}  // namespace

ExportResult export_images(const ExportOptions& opts, Env& env) {
  if (opts.refs.empty()) throw Error(Errc::usage, "give at least one image to export");
  if (opts.output.empty()) throw Error(Errc::usage, "give the output with -o DIR or -o FILE.tar");
  store::OciLayoutStore src(env.store_root);
  std::vector<std::pair<ref::Reference, oci::Descriptor>> images;
  for (const auto& text : opts.refs) {
    auto r = ref::Reference::parse(text).value();
    auto d = src.resolve(r);
    if (!d)
      throw Error(Errc::not_found, "no image " + r.to_string() + " in the local store",
                  "`ext list` shows the stored images");
    images.emplace_back(r, *d);
  }
  ExportResult result;
  std::error_code ec;
  result.output = opts.output;
  result.tar = is_tar_path(opts.output);
  std::optional<ScratchDir> scratch;
  fs::path dir = opts.output;
  if (result.tar) {
    scratch.emplace(opts.output);
    dir = scratch->path() / "layout";
  } else {
    check_export_dir(dir);
  }
  // The layout is written through the store (verified, atomic), whose lock files are ext's
  // own business: those it created are removed again, so the export holds only the layout.
  const std::vector<fs::path> locks = {dir / store::OciLayoutStore::k_index_lock,
                                       dir / store::OciLayoutStore::k_writers_lock};
  std::vector<bool> had_lock;
  for (const auto& l : locks) had_lock.push_back(fs::exists(fs::symlink_status(l, ec)));
  {
    store::OciLayoutStore dst(dir);
    for (const auto& [r, d] : images) {
      store::CopyOptions copy;
      copy.names = {r};
      copy.reporter = &env.reporter.get();
      auto c = with_context("exporting " + r.to_string(),
                            [&] { return store::copy_graph(src, dst, d, copy); });
      result.blobs += c.blobs_copied;
      result.bytes += c.bytes_copied;
      result.images.push_back({store::name_key(r), d.digest.to_string()});
    }
  }
  for (size_t i = 0; i < locks.size(); ++i)
    if (!had_lock[i]) fs::remove(locks[i], ec);
  if (result.tar) {
    with_context("writing " + opts.output.string(),
                 [&] { archive::write_tar(opts.output, layout_entries(dir), false); });
  }
  return result;
}

namespace {

bool is_bare_tag(const std::string& name) {
  return name.find_first_of("/:@") == std::string::npos;
}

// The repository and explicit tag given with --name.
struct NameFlag {
  std::optional<ref::Reference> repo;
  bool explicit_tag = false;
};

NameFlag parse_name_flag(const std::string& text) {
  NameFlag f;
  if (text.empty()) return f;
  f.repo = ref::Reference::parse(text).value();
  auto slash = text.rfind('/');
  auto colon = text.rfind(':');
  f.explicit_tag = colon != std::string::npos && (slash == std::string::npos || colon > slash);
  return f;
}

}  // namespace

namespace {

bool is_graph_type(const std::string& media_type) {
  return oci::is_manifest_type(media_type) || oci::is_index_type(media_type);
}

// Extracts from a tar only what the import reads: oci-layout and index.json first, then, round
// by round, the blobs the manifests reached so far name (each bounded by its descriptor's size
// and the per-kind caps). Anything else in the tar is skipped without touching the disk, so a
// small tar.gz that expands to gigabytes costs no space (and index.json is read first).
void extract_layout_from_tar(const fs::path& tar, const fs::path& dir, Reporter* reporter) {
  archive::extract_selected(tar, dir, [](const std::string& path) -> std::optional<uint64_t> {
    if (path == oci::k_layout_file) return uint64_t{65536};
    if (path == oci::k_layout_index_file) return oci::k_max_layout_index_bytes;
    return std::nullopt;
  });
  if (!fs::is_regular_file(dir / oci::k_layout_index_file)) return;  // reported by the caller
  store::OciLayoutStore layout(dir);
  std::map<std::string, oci::Descriptor> pending;  // hex -> descriptor, not extracted yet
  std::set<std::string> have;
  store::SizeCaps caps;
  auto want = [&](const oci::Descriptor& d, const char* kind) {
    if (d.digest.algorithm() != "sha256" || have.count(d.digest.hex())) return;
    store::check_size_cap(d, is_graph_type(d.media_type) ? "manifest" : kind, caps);
    pending.emplace(d.digest.hex(), d);
  };
  for (const auto& e : layout.read_index().manifests)
    if (is_graph_type(e.media_type)) want(e, "manifest");
  for (int round = 0; !pending.empty(); ++round) {
    if (round > 10) throw Error(Errc::validation, "image indexes nested more than 8 deep");
    auto batch = std::move(pending);
    pending.clear();
    archive::extract_selected(tar, dir, [&](const std::string& path) -> std::optional<uint64_t> {
      static const std::string prefix = "blobs/sha256/";
      if (path.rfind(prefix, 0) != 0) return std::nullopt;
      auto it = batch.find(path.substr(prefix.size()));
      if (it == batch.end() || have.count(it->first)) return std::nullopt;
      return static_cast<uint64_t>(it->second.size);
    });
    for (const auto& [hex, d] : batch) {
      if (!fs::exists(layout.blob_path(d.digest))) continue;  // missing: copy_graph names it
      have.insert(hex);
      if (!is_graph_type(d.media_type)) continue;
      std::string bytes = store::read_all(layout, d, oci::k_max_manifest_bytes);
      if (oci::is_index_type(d.media_type)) {
        auto idx = oci::Index::parse(bytes);
        if (!idx) throw idx.error().with_context("manifest " + d.digest.to_string());
        for (const auto& c : idx->manifests) want(c, "layer");
      } else {
        auto m = oci::Manifest::parse(bytes);
        if (!m) throw m.error().with_context("manifest " + d.digest.to_string());
        want(m->config, "config");
        for (const auto& l : m->layers) want(l, "layer");
      }
    }
  }
  if (reporter) reporter->debug(1, "extracted " + std::to_string(have.size()) + " blobs");
}

}  // namespace

ImportResult import_images(const ImportOptions& opts, Env& env) {
  ImportResult result;
  result.input = opts.input;
  std::error_code ec;
  if (!fs::exists(opts.input, ec))
    throw Error(Errc::not_found, opts.input.string() + " does not exist");
  std::optional<util::TempDir> scratch;
  std::optional<util::FileLock> scratch_lock;
  fs::path dir = opts.input;
  if (!fs::is_directory(opts.input, ec)) {
    if (!fs::is_regular_file(opts.input, ec))
      throw Error(Errc::invalid_argument,
                  opts.input.string() + " is neither a directory nor a regular file",
                  "give an OCI layout directory or a FILE.tar");
    scratch.emplace(k_import_temp_prefix);
    // Held while the import runs: `ext prune` removes scratch directories whose lock is free
    // (left by kill -9), never one in use.
    scratch_lock.emplace(scratch->path() / k_import_lock_file);
    dir = scratch->path() / "layout";
    with_context("reading " + opts.input.string(),
                 [&] { extract_layout_from_tar(opts.input, dir, &env.reporter.get()); });
  }
  if (!fs::is_regular_file(dir / oci::k_layout_file))
    throw Error(Errc::invalid_argument,
                opts.input.string() + " is not an OCI image layout (no oci-layout file)",
                "export one with `ext export REF -o DIR` or `skopeo copy ... oci:DIR:TAG`");
  auto header = oci::LayoutHeader::parse(util::read_regular_file(dir / oci::k_layout_file, 65536));
  if (!header) throw header.error().with_context(opts.input.string());

  store::OciLayoutStore src(dir);
  oci::Index idx = src.read_index();
  NameFlag flag = parse_name_flag(opts.name);

  // Every name first: a bad or missing one fails before the store is touched.
  std::vector<std::pair<oci::Descriptor, ref::Reference>> plan;
  size_t needs_flag = 0;
  for (const auto& e : idx.manifests)
    if (!e.annotations.count(oci::k_ref_name_annotation) ||
        is_bare_tag(e.annotations.at(oci::k_ref_name_annotation)))
      ++needs_flag;
  for (const auto& e : idx.manifests) {
    if (!oci::is_manifest_type(e.media_type) && !oci::is_index_type(e.media_type)) {
      env.reporter.get().warn("skipping index.json entry " + e.digest.to_string() +
                              " of media type " + e.media_type);
      continue;
    }
    auto it = e.annotations.find(oci::k_ref_name_annotation);
    std::string label =
        it == e.annotations.end() ? "entry " + e.digest.to_string() : "\"" + it->second + "\"";
    std::optional<ref::Reference> name;
    if (it != e.annotations.end() && !is_bare_tag(it->second)) {
      auto r = ref::Reference::parse(it->second);
      if (!r)
        throw Error(
            Errc::invalid_argument,
            "index.json entry " + label + " is not a valid reference: " + r.error().message(),
            "give the name with --name REPO[:TAG]");
      name = *r;
    } else {
      if (!flag.repo)
        throw Error(Errc::usage,
                    "index.json entry " + label +
                        (it == e.annotations.end() ? " has no name" : " names only a tag") +
                        "; ext needs a repository to store it under",
                    "give one with --name, e.g. ext import " + opts.input.string() +
                        " --name ghcr.io/acme/filter");
      if (flag.explicit_tag && needs_flag > 1)
        throw Error(Errc::usage,
                    "--name " + opts.name + " has a tag but the layout holds " +
                        std::to_string(needs_flag) + " entries without a full name",
                    "give only the repository with --name; each entry keeps its own tag");
      std::string tag =
          flag.explicit_tag || it == e.annotations.end() ? flag.repo->tag() : it->second;
      auto r = ref::Reference::parse(flag.repo->name() + ":" + tag);
      if (!r) throw r.error().with_context("index.json entry " + label);
      name = *r;
    }
    plan.emplace_back(e, *name);
  }
  if (plan.empty())
    throw Error(Errc::not_found, opts.input.string() + " holds no image (index.json is empty)");

  store::OciLayoutStore dst(env.store_root);
  for (const auto& [d, name] : plan) {
    store::CopyOptions copy;
    copy.names = {name};
    copy.reporter = &env.reporter.get();
    auto c = with_context("importing " + name.to_string(),
                          [&] { return store::copy_graph(src, dst, d, copy); });
    result.blobs_copied += c.blobs_copied;
    result.blobs_skipped += c.blobs_skipped;
    result.bytes += c.bytes_copied;
    result.images.push_back({store::name_key(name), d.digest.to_string()});
  }
  return result;
}

}  // namespace ext::ops

namespace ext::ops {

std::pair<uint64_t, uint64_t> remove_stale_import_dirs() {
  uint64_t dirs = 0, bytes = 0;
  std::error_code ec;
  fs::path tmp = fs::temp_directory_path(ec);
  if (ec) return {0, 0};
  for (const auto& entry : fs::directory_iterator(tmp, ec)) {
    std::string name = entry.path().filename().string();
    if (name.rfind(k_import_temp_prefix, 0) != 0) continue;
    if (!entry.is_directory(ec) || entry.is_symlink(ec)) continue;
    fs::path lock = entry.path() / k_import_lock_file;
    int fd = ::open(lock.c_str(), O_RDWR | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
      // No lock file: an import between mkdtemp and its lock, or not ours. Only old ones go.
      auto age = fs::file_time_type::clock::now() - fs::last_write_time(entry.path(), ec);
      if (ec || age < std::chrono::minutes(10)) continue;
    } else if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      ::close(fd);  // a running import holds it
      continue;
    }
    uint64_t size = 0;
    for (const auto& f : fs::recursive_directory_iterator(entry.path(), ec))
      if (f.is_regular_file(ec) && !f.is_symlink(ec)) size += f.file_size(ec);
    if (fs::remove_all(entry.path(), ec) > 0 && !ec) {
      ++dirs;
      bytes += size;
    }
    if (fd >= 0) ::close(fd);
  }
  return {dirs, bytes};
}

}  // namespace ext::ops
