// ext::artifact — packing (docs/formats.md) and detection/unpacking of every wasm
// image layout we read (docs/formats.md).
#include "ext/artifact/artifact.hpp"

#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>

#include "ext/archive/archive.hpp"
#include "ext/core/error.hpp"
#include "ext/digest/digest.hpp"
#include "ext/oci/media_types.hpp"
#include "ext/util/files.hpp"
#include "ext/util/json.hpp"
#include "ext/util/strings.hpp"

namespace ext::artifact {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr size_t k_chunk = 1 << 20;
constexpr uint64_t k_max_runtime_config = 1 << 20;

std::unique_ptr<FILE, int (*)(FILE*)> open_file(const fs::path& p, const char* mode) {
  FILE* f = std::fopen(p.c_str(), mode);
  if (f == nullptr)
    throw Error(errno == ENOENT ? Errc::not_found : Errc::io,
                "cannot open " + p.string() + ": " + std::strerror(errno));
  return {f, &std::fclose};
}

// Streams a file into the store under the descriptor it must match (skipped when present).
void put_file(store::Store& s, const oci::Descriptor& d, const fs::path& path) {
  if (s.has(d)) return;
  auto f = open_file(path, "rb");
  auto w = s.create(d);
  std::vector<char> buf(k_chunk);
  for (;;) {
    size_t n = std::fread(buf.data(), 1, buf.size(), f.get());
    if (n == 0) break;
    w->write(buf.data(), n);
  }
  if (std::ferror(f.get()) != 0)
    throw Error(Errc::io, "reading " + path.string() + ": " + std::strerror(errno));
  w->commit();
}

void put_bytes(store::Store& s, const oci::Descriptor& d, std::string_view bytes) {
  if (!s.has(d)) store::write_all(s, d, bytes);
}

oci::Descriptor module_descriptor(const wasm::ModuleInfo& info, const char* media_type) {
  oci::Descriptor d;
  d.media_type = media_type;
  d.digest = digest::Digest::sha256_from_hex(info.sha256);
  d.size = static_cast<int64_t>(info.size);
  return d;
}

std::string types_of(const oci::Manifest& m) {
  std::string s = "manifest " +
                  (m.media_type.empty() ? std::string("(no media type)") : m.media_type) +
                  ", config " + m.config.media_type + ", layers [";
  for (size_t i = 0; i < m.layers.size(); ++i) s += (i ? ", " : "") + m.layers[i].media_type;
  return s + "]";
}

Result<RuntimeConfig> read_runtime_config(store::Store& s, const oci::Descriptor& d) {
  if (d.size < 0 || static_cast<uint64_t>(d.size) > k_max_runtime_config)
    return fail(Errc::validation, "runtime config " + d.digest.to_string() + " is " +
                                      std::to_string(d.size) + " bytes, over the limit of " +
                                      std::to_string(k_max_runtime_config));
  return RuntimeConfig::parse(store::read_all(s, d, k_max_runtime_config));
}

// runtime-config.json inside a tar.gz layer (optional in the compat spec).
std::optional<RuntimeConfig> runtime_config_in_tar(store::Store& s, const oci::Descriptor& d) {
  auto reader = s.open(d);
  archive::ReadFn src = [&reader](void* buf, size_t n) { return reader->read(buf, n); };
  auto bytes = archive::read_member(src, k_runtime_config_name, k_max_runtime_config);
  if (!bytes) return std::nullopt;
  auto rc = RuntimeConfig::parse(*bytes);
  if (!rc) throw rc.error().with_context("runtime-config.json in layer " + d.digest.to_string());
  return *rc;
}

bool is_gzip_tar_layer(const std::string& media_type) {
  return media_type == oci::media::k_layer_tar_gzip || media_type == oci::media::k_docker_layer;
}

bool ends_with_wasm(const oci::Descriptor& d) {
  auto it = d.annotations.find(k_title_annotation);
  if (it == d.annotations.end()) return false;
  const auto& t = it->second;
  return t.size() > 5 && t.compare(t.size() - 5, 5, ".wasm") == 0;
}

// The first bytes of a blob start with the wasm magic "\0asm" (a raw module, not a tar).
bool starts_with_wasm_magic(store::Store& s, const oci::Descriptor& d) {
  if (d.size < 8) return false;
  auto reader = s.open(d);
  char buf[4];
  size_t got = 0;
  while (got < 4) {
    size_t n = reader->read(buf + got, 4 - got);
    if (n == 0) break;
    got += n;
  }
  return got == 4 && std::memcmp(buf, "\0asm", 4) == 0;
}

// ORAS's default layout (oras-go v2.6.0 content/file/file.go: defaultBlobMediaType is
// ocispec.MediaTypeImageLayer; a file is stored as is, titled with its name): the single layer
// titled *.wasm, else the single tar-typed layer whose bytes are a wasm module.
std::optional<oci::Descriptor> oras_module_layer(const oci::Manifest& m, store::Store& s) {
  const oci::Descriptor* titled = nullptr;
  int titled_count = 0;
  for (const auto& l : m.layers) {
    if (is_gzip_tar_layer(l.media_type)) continue;
    if (ends_with_wasm(l)) {
      titled = &l;
      ++titled_count;
    }
  }
  if (titled_count == 1) return *titled;
  if (titled_count > 1) return std::nullopt;  // more than one module: not ours to choose
  const oci::Descriptor* tar = nullptr;
  for (const auto& l : m.layers) {
    if (l.media_type != oci::media::k_layer_tar) continue;
    if (tar) return std::nullopt;
    tar = &l;
  }
  if (tar && starts_with_wasm_magic(s, *tar)) return *tar;
  return std::nullopt;
}

bool is_raw_wasm_layer(const std::string& media_type) {
  return media_type == oci::media::k_wasm_layer || media_type == k_wasm_to_oci_layer ||
         media_type == oci::media::k_cncf_wasm_layer;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Names

Result<Format> parse_format(std::string_view name) {
  if (name == "oci") return Format::oci;
  if (name == "compat") return Format::compat;
  if (name == "cncf") return Format::cncf;
  return fail(Errc::invalid_argument, "unknown artifact format \"" + std::string(name) + "\"",
              "use one of: oci (default), compat, cncf");
}

const char* to_string(Format f) {
  switch (f) {
    case Format::oci:
      return "oci";
    case Format::compat:
      return "compat";
    case Format::cncf:
      return "cncf";
  }
  return "?";
}

const char* to_string(Layout l) {
  switch (l) {
    case Layout::oci:
      return "oci";
    case Layout::compat:
      return "compat";
    case Layout::cncf:
      return "cncf";
    case Layout::docker_v2:
      return "docker-v2";
    case Layout::single_layer:
      return "single-layer";
    case Layout::oras:
      return "oras";
  }
  return "?";
}

const char* readers(Layout l) {
  switch (l) {
    case Layout::oci:
      return "Istio, Envoy Gateway, Gloo, wasme, oras";
    case Layout::compat:
      return "Istio, Envoy Gateway, docker/podman";
    case Layout::cncf:
      return "CNCF wasm OCI tools (wkg, runwasi, Spin, wasmCloud)";
    case Layout::docker_v2:
      return "Istio, Envoy Gateway, docker";
    case Layout::single_layer:
      return "wasm-to-oci, GetEnvoy, oras (not Istio)";
    case Layout::oras:
      return "oras, ext (not Istio)";
  }
  return "?";
}

// ---------------------------------------------------------------------------------------------
// runtime-config.json (solo-io/wasm spec: proto module.wasm.config.Runtime, jsonpb camelCase)

std::string RuntimeConfig::to_json() const {
  nlohmann::ordered_json j;
  j["type"] = type;
  if (!abi_versions.empty()) j["abiVersions"] = abi_versions;
  nlohmann::ordered_json config = nlohmann::ordered_json::object();
  if (!root_ids.empty()) config["rootIds"] = root_ids;
  j["config"] = std::move(config);
  return j.dump();
}

Result<RuntimeConfig> RuntimeConfig::parse(std::string_view text) {
  auto parsed = util::parse_json(text);
  if (!parsed) return fail(Errc::parse, "runtime config is not JSON: " + parsed.error().message());
  json j = std::move(*parsed);
  if (!j.is_object()) return fail(Errc::parse, "runtime config is not a JSON object");
  RuntimeConfig rc;
  rc.type.clear();
  auto strings = [](const json& v, const char* key, std::vector<std::string>& out) -> Result<void> {
    if (!v.is_array())
      return fail(Errc::parse,
                  std::string("runtime config: \"") + key + "\" is not an array of strings");
    for (const auto& s : v) {
      if (!s.is_string())
        return fail(Errc::parse, std::string("runtime config: \"") + key + "\" holds a non-string");
      out.push_back(s.get<std::string>());
    }
    return {};
  };
  if (auto it = j.find("type"); it != j.end()) {
    if (!it->is_string()) return fail(Errc::parse, "runtime config: \"type\" is not a string");
    rc.type = it->get<std::string>();
  }
  for (const char* key : {"abiVersions", "abi_versions"})
    if (auto it = j.find(key); it != j.end())
      if (auto r = strings(*it, key, rc.abi_versions); !r) return fail(r.error());
  if (auto it = j.find("config"); it != j.end()) {
    if (!it->is_object()) return fail(Errc::parse, "runtime config: \"config\" is not an object");
    for (const char* key : {"rootIds", "root_ids"})
      if (auto r2 = it->find(key); r2 != it->end())
        if (auto r = strings(*r2, key, rc.root_ids); !r) return fail(r.error());
  }
  return rc;
}

// ---------------------------------------------------------------------------------------------
// Packing

Packed pack(store::Store& store, const fs::path& module_path, const wasm::ModuleInfo& info,
            const PackOptions& opts) {
  if (info.sha256.size() != 64) throw Error(Errc::internal, "pack: module facts carry no sha256");
  RuntimeConfig rc;
  if (!info.abi_version.empty()) rc.abi_versions = {wasm::abi_config_string(info.abi_version)};
  rc.root_ids = opts.root_ids;
  const std::string rc_json = rc.to_json();

  oci::Manifest m;
  m.schema_version = 2;
  m.media_type = oci::media::k_manifest;
  m.annotations = opts.annotations;
  if (!info.abi_version.empty()) m.annotations[k_abi_annotation] = rc.abi_versions.front();
  m.annotations[k_type_annotation] = rc.type;
  if (!opts.filter_type.empty()) m.annotations[k_filter_type_annotation] = opts.filter_type;
  if (!opts.created.empty()) m.annotations[k_created_annotation] = opts.created;

  Packed out;
  out.module_sha256 = info.sha256;
  out.module_size = info.size;
  out.abi_version = info.abi_version;

  switch (opts.format) {
    case Format::oci: {
      // wasme spec.md: the runtime config is the config blob AND layer 0 (title
      // runtime-config.json); layer 1 is the raw module (title filter.wasm). Istio needs
      // exactly these two layers.
      auto cfg = oci::Descriptor::for_bytes(oci::media::k_wasm_config, rc_json);
      cfg.annotations[k_title_annotation] = k_runtime_config_name;
      auto mod = module_descriptor(info, oci::media::k_wasm_layer);
      mod.annotations[k_title_annotation] = k_module_title;
      put_bytes(store, cfg, rc_json);
      put_file(store, mod, module_path);
      m.config = cfg;
      m.layers = {cfg, mod};
      out.module_layer = mod;
      break;
    }
    case Format::cncf: {
      // CNCF TAG-Runtime wasm OCI artifact (CNCF TAG-Runtime "Wasm OCI Artifact layout"): config
      // application/vnd.wasm.config.v0+json {architecture: wasm, os: wasip1 (a core module),
      // layerDigests}, one application/wasm layer.
      auto mod = module_descriptor(info, oci::media::k_cncf_wasm_layer);
      mod.annotations[k_title_annotation] = k_module_title;
      json cfg_j = {{"architecture", "wasm"},
                    {"os", "wasip1"},
                    {"layerDigests", json::array({mod.digest.to_string()})}};
      if (!opts.created.empty()) cfg_j["created"] = opts.created;
      auto cfg_bytes = cfg_j.dump();
      auto cfg = oci::Descriptor::for_bytes(oci::media::k_cncf_wasm_config, cfg_bytes);
      put_file(store, mod, module_path);
      put_bytes(store, cfg, cfg_bytes);
      m.config = cfg;
      m.layers = {mod};
      out.module_layer = mod;
      break;
    }
    case Format::compat: {
      // solo-io/wasm spec-compat.md: one tar+gzip layer holding plugin.wasm and
      // runtime-config.json, a plain OCI image config, annotation variant=compat.
      if (digest::sha256_file(module_path).hex() != info.sha256)
        throw Error(Errc::digest_mismatch,
                    module_path.string() + " changed after it was validated");
      util::TempDir tmp("ext-pack-");
      auto layer_path = tmp.path() / "layer.tar.gz";
      digest::Sha256 gz_hash;
      digest::Sha256 tar_hash;
      {
        auto f = open_file(layer_path, "wb");
        archive::TarWriter gz(
            [&](const void* p, size_t n) {
              if (std::fwrite(p, 1, n, f.get()) != n)
                throw Error(Errc::io,
                            "writing " + layer_path.string() + ": " + std::strerror(errno));
              gz_hash.update(p, n);
            },
            true);
        archive::TarWriter tar([&](const void* p, size_t n) { tar_hash.update(p, n); }, false);
        std::vector<archive::TarEntry> entries = {
            {k_runtime_config_name, {}, rc_json, 0644, false},
            {k_compat_module, module_path, std::nullopt, 0644, false}};
        for (const auto& e : entries) {
          gz.add(e);
          tar.add(e);
        }
        gz.finish();
        tar.finish();
        if (std::fflush(f.get()) != 0)
          throw Error(Errc::io, "writing " + layer_path.string() + ": " + std::strerror(errno));
      }
      oci::Descriptor layer;
      layer.media_type = oci::media::k_layer_tar_gzip;
      layer.size = static_cast<int64_t>(gz_hash.bytes());
      layer.digest = gz_hash.finish();
      // OCI image-spec config.md: architecture and os are required, rootfs.diff_ids lists the
      // uncompressed layer digests. A proxy-wasm filter is a core module: wasm / wasip1.
      json cfg_j = {
          {"architecture", "wasm"},
          {"os", "wasip1"},
          {"config", json::object()},
          {"rootfs",
           {{"type", "layers"}, {"diff_ids", json::array({tar_hash.finish().to_string()})}}}};
      if (!opts.created.empty()) cfg_j["created"] = opts.created;
      auto cfg_bytes = cfg_j.dump();
      auto cfg = oci::Descriptor::for_bytes(oci::media::k_image_config, cfg_bytes);
      put_file(store, layer, layer_path);
      put_bytes(store, cfg, cfg_bytes);
      m.config = cfg;
      m.layers = {layer};
      m.annotations[k_variant_annotation] = "compat";
      out.module_layer = layer;
      break;
    }
  }

  out.manifest_bytes = m.serialize();
  out.manifest = oci::Descriptor::for_bytes(oci::media::k_manifest, out.manifest_bytes);
  store.put_manifest(out.manifest, out.manifest_bytes, {});
  return out;
}

// ---------------------------------------------------------------------------------------------
// Detection

Result<oci::Descriptor> select_manifest(const oci::Index& index) {
  const oci::Descriptor* first = nullptr;
  const oci::Descriptor* amd64 = nullptr;
  for (const auto& d : index.manifests) {
    if (!oci::is_manifest_type(d.media_type)) continue;
    if (!first) first = &d;
    bool wasm = d.artifact_type.find("wasm") != std::string::npos;
    if (d.platform) {
      wasm = wasm || d.platform->architecture == "wasm" || d.platform->os == "wasip1" ||
             d.platform->os == "wasi";
      if (!amd64 && d.platform->os == "linux" && d.platform->architecture == "amd64") amd64 = &d;
    }
    if (wasm) return d;
  }
  if (amd64) return *amd64;
  if (!first) return fail(Errc::unsupported, "the index lists no image manifest");
  return *first;
}

Result<Detected> detect(const oci::Manifest& manifest, store::Store& store) {
  const auto& layers = manifest.layers;
  if (layers.empty())
    return fail(Errc::unsupported,
                "not a wasm image: it has no layers (" + types_of(manifest) + ")");
  Detected d;
  d.annotations = manifest.annotations;
  const auto& last = layers.back();
  const bool docker = manifest.media_type == oci::media::k_docker_manifest;
  try {
    // 1 and 2. Docker v2 / OCI compat: the LAST layer is a tar.gz holding plugin.wasm.
    if (is_gzip_tar_layer(last.media_type)) {
      d.layout = docker ? Layout::docker_v2 : Layout::compat;
      d.module_blob = last;
      d.module_in_tar = true;
      d.runtime_config = runtime_config_in_tar(store, last);
      return d;
    }
    // 6 (early). ORAS's default: its tar-typed layer holds the raw file.
    auto oras = [&]() -> bool {
      if (docker) return false;
      auto layer = oras_module_layer(manifest, store);
      if (!layer) return false;
      d.layout = Layout::oras;
      d.module_blob = *layer;
      return true;
    };
    if (last.media_type == oci::media::k_layer_tar && oras()) return d;
    if (last.media_type == oci::media::k_layer_tar || docker)
      return fail(Errc::unsupported, "not a wasm image we can read: the last layer is " +
                                         last.media_type + " (expected " +
                                         oci::media::k_layer_tar_gzip + " holding plugin.wasm)");
    // 3. The oci (wasme) variant: exactly two layers, one the raw module.
    if (layers.size() == 2) {
      for (size_t i = 0; i < 2; ++i) {
        if (layers[i].media_type != oci::media::k_wasm_layer) continue;
        d.layout = Layout::oci;
        d.module_blob = layers[i];
        const auto& other = layers[1 - i];
        if (other.media_type == oci::media::k_wasm_config) {
          auto rc = read_runtime_config(store, other);
          if (!rc) return fail(rc.error().with_context("layer " + other.digest.to_string()));
          d.runtime_config = *rc;
        } else if (manifest.config.media_type == oci::media::k_wasm_config) {
          auto rc = read_runtime_config(store, manifest.config);
          if (!rc)
            return fail(rc.error().with_context("config " + manifest.config.digest.to_string()));
          d.runtime_config = *rc;
        }
        return d;
      }
    }
    // 4. CNCF: config application/vnd.wasm.config.v0+json, one application/wasm layer.
    if (layers.size() == 1 && manifest.config.media_type == oci::media::k_cncf_wasm_config &&
        last.media_type == oci::media::k_cncf_wasm_layer) {
      d.layout = Layout::cncf;
      d.module_blob = last;
      return d;
    }
    // 5. Single raw layer: GetEnvoy (vnd.module.wasm.content), wasm-to-oci (vnd.wasm.content),
    // or application/wasm under another config.
    if (layers.size() == 1 && is_raw_wasm_layer(last.media_type)) {
      d.layout = Layout::single_layer;
      d.module_blob = last;
      if (manifest.config.media_type == oci::media::k_wasm_config) {
        // GetEnvoy's config is "{}": keep a runtime config only when it says something.
        auto rc = read_runtime_config(store, manifest.config);
        if (rc && (!rc->abi_versions.empty() || !rc->root_ids.empty() || !rc->type.empty()))
          d.runtime_config = *rc;
      }
      return d;
    }
    // 6. ORAS's default layout: one layer titled *.wasm among other files.
    if (oras()) return d;
  } catch (const Error& e) {
    return fail(e);
  }
  return fail(Errc::unsupported, "not a wasm image we can read (" + types_of(manifest) + ")",
              "ext reads the oci, compat and cncf formats, Docker images with plugin.wasm in "
              "the last layer, single-layer wasm-to-oci / GetEnvoy artifacts, and ORAS artifacts "
              "with one *.wasm file");
}

// ---------------------------------------------------------------------------------------------
// Unpacking

std::string extract_module(store::Store& store, const Detected& detected, const fs::path& out) {
  const auto& blob = detected.module_blob;
  auto reader = store.open(blob);
  digest::Sha256 hash;
  archive::ReadFn src = [&](void* buf, size_t n) {
    size_t got = reader->read(buf, n);
    hash.update(buf, got);
    if (hash.bytes() > static_cast<uint64_t>(blob.size))
      throw Error(Errc::digest_mismatch, "layer " + blob.digest.to_string() +
                                             " is larger than its descriptor says (" +
                                             std::to_string(blob.size) + " bytes)");
    return got;
  };
  auto check = [&] {
    auto got = hash.finish();
    if (hash.bytes() != static_cast<uint64_t>(blob.size) || got != blob.digest)
      throw Error(Errc::digest_mismatch,
                  "layer " + blob.digest.to_string() +
                      " does not match its digest: the content hashes "
                      "to " +
                      got.to_string() + " (" + std::to_string(hash.bytes()) + " bytes)",
                  "the local copy is damaged; pull the image again");
  };

  if (detected.module_in_tar) {
    archive::Limits limits;
    limits.max_entry_size = wasm::k_max_module_bytes;
    bool found = false;
    try {
      found = archive::extract_member(src, k_compat_module, out, limits);
      std::vector<char> buf(64 * 1024);
      while (src(buf.data(), buf.size()) > 0) {
      }
      check();
    } catch (...) {
      std::error_code ec;
      fs::remove(out, ec);
      throw;
    }
    if (!found)
      throw Error(Errc::validation,
                  "layer " + blob.digest.to_string() + " is a tar.gz without plugin.wasm");
    return digest::sha256_file(out).hex();
  }

  auto tmp = util::temp_path_beside(out);
  try {
    {
      auto f = open_file(tmp, "wb");
      std::vector<char> buf(k_chunk);
      for (;;) {
        size_t n = src(buf.data(), buf.size());
        if (n == 0) break;
        if (std::fwrite(buf.data(), 1, n, f.get()) != n)
          throw Error(Errc::io, "writing " + tmp.string() + ": " + std::strerror(errno));
      }
      if (std::fflush(f.get()) != 0)
        throw Error(Errc::io, "writing " + tmp.string() + ": " + std::strerror(errno));
    }
    check();
    std::error_code ec;
    fs::rename(tmp, out, ec);
    if (ec) throw Error(Errc::io, "cannot write " + out.string() + ": " + ec.message());
  } catch (...) {
    std::error_code ec;
    fs::remove(tmp, ec);
    throw;
  }
  return blob.digest.hex();
}

}  // namespace ext::artifact
