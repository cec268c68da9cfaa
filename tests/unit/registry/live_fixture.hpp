// Shared helpers for the registry tests that talk to real docker-registry processes.
#pragma once

#include <random>
#include <string>

#include "ext/core/reporter.hpp"
#include "ext/oci/descriptor.hpp"
#include "ext/oci/media_types.hpp"
#include "ext/registry/connect.hpp"
#include "ext/registry/registry_store.hpp"
#include "ext/store/memory_store.hpp"
#include "support/registry/registry_server.hpp"

namespace ext::test {

struct TestImage {
  oci::Descriptor manifest;
  std::string manifest_bytes;
  oci::Descriptor config;
  oci::Descriptor layer;
  std::string layer_bytes;
};

inline std::string random_bytes(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string s(n, '\0');
  for (size_t i = 0; i < n; i += 8) {
    uint64_t v = rng();
    for (size_t k = 0; k < 8 && i + k < n; ++k) s[i + k] = static_cast<char>(v >> (8 * k));
  }
  return s;
}

// A wasm-style image (oci format shape) in `store`: config blob + one layer of `layer_size`.
inline TestImage make_image(store::Store& store, size_t layer_size, uint64_t seed,
                            const std::string& media_type = oci::media::k_wasm_layer) {
  TestImage img;
  std::string config = R"({"type":"envoy_proxy","abiVersions":["v0.2.1"],"config":{"rootIds":["r)" +
                       std::to_string(seed) + R"("]}})";
  img.config = oci::Descriptor::for_bytes(oci::media::k_wasm_config, config);
  store::write_all(store, img.config, config);
  img.layer_bytes = random_bytes(layer_size, seed);
  img.layer = oci::Descriptor::for_bytes(media_type, img.layer_bytes);
  store::write_all(store, img.layer, img.layer_bytes);
  oci::Manifest m;
  m.config = img.config;
  m.layers = {img.config, img.layer};
  m.annotations["seed"] = std::to_string(seed);
  img.manifest_bytes = m.serialize();
  img.manifest = oci::Descriptor::for_bytes(oci::media::k_manifest, img.manifest_bytes);
  return img;
}

inline registry::ConnectOptions connect_options(const RegistryServer& server) {
  registry::ConnectOptions o;
  o.registry = server.host();
  o.plain_http = server.mode() != RegistryServer::Mode::tls_basic;
  o.transport.ca_file = server.ca_file();
  o.retry.base_delay = std::chrono::milliseconds(5);
  return o;
}

inline std::string unique_repo(const std::string& prefix) {
  static int counter = 0;
  static const auto stamp = std::to_string(::getpid());
  return prefix + "-" + stamp + "-" + std::to_string(++counter);
}

}  // namespace ext::test
