#include "support/store/image_fixture.hpp"

#include "ext/oci/media_types.hpp"
#include "ext/ref/reference.hpp"

namespace ext::test {

std::string fixture_module(const std::string& seed, uint64_t size) {
  std::string bytes("\0asm\x01\0\0\0", 8);
  uint64_t h = 1469598103934665603ull;
  for (char c : seed) h = (h ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  while (bytes.size() < size) {
    h ^= h << 13;
    h ^= h >> 7;
    h ^= h << 17;
    bytes.push_back(static_cast<char>(h & 0xff));
  }
  bytes.resize(size);
  return bytes;
}

FixtureImage put_image(store::Store& s, const std::vector<std::string>& names,
                       const std::string& seed, uint64_t size, const std::string& abi) {
  FixtureImage img;
  std::string config = R"({"type":"envoy_proxy","abiVersions":[")" + abi +
                       R"("],"config":{"rootIds":[")" + seed + R"("]}})";
  std::string module = fixture_module(seed, size);
  img.config = oci::Descriptor::for_bytes(oci::media::k_wasm_config, config);
  img.module = oci::Descriptor::for_bytes(oci::media::k_wasm_layer, module);
  store::write_all(s, img.config, config);
  store::write_all(s, img.module, module);
  oci::Manifest m;
  m.config = img.config;
  auto cfg_layer = img.config;
  cfg_layer.annotations["org.opencontainers.image.title"] = "runtime-config.json";
  auto mod_layer = img.module;
  mod_layer.annotations["org.opencontainers.image.title"] = "filter.wasm";
  m.layers = {cfg_layer, mod_layer};
  m.annotations["module.wasm.runtime/abi_version"] = abi;
  m.annotations["module.wasm.runtime/type"] = "envoy_proxy";
  img.manifest_bytes = m.serialize();
  img.manifest = oci::Descriptor::for_bytes(oci::media::k_manifest, img.manifest_bytes);
  std::vector<ref::Reference> refs;
  for (const auto& n : names) refs.push_back(ref::Reference::parse(n).value());
  s.put_manifest(img.manifest, img.manifest_bytes, refs);
  return img;
}

FixtureImage put_container_image(store::Store& s, const std::vector<std::string>& names,
                                 const std::string& seed, uint64_t size) {
  FixtureImage img;
  std::string layer = fixture_module(seed, size);
  auto layer_desc = oci::Descriptor::for_bytes(oci::media::k_layer_tar_gzip, layer);
  std::string config = R"({"architecture":"amd64","os":"linux","rootfs":{"type":"layers",)"
                       R"("diff_ids":[")" +
                       layer_desc.digest.to_string() + R"("]}})";
  img.config = oci::Descriptor::for_bytes(oci::media::k_image_config, config);
  img.module = layer_desc;
  store::write_all(s, img.config, config);
  store::write_all(s, img.module, layer);
  oci::Manifest m;
  m.config = img.config;
  m.layers = {img.module};
  m.annotations["module.wasm.image/variant"] = "compat";
  img.manifest_bytes = m.serialize();
  img.manifest = oci::Descriptor::for_bytes(oci::media::k_manifest, img.manifest_bytes);
  std::vector<ref::Reference> refs;
  for (const auto& n : names) refs.push_back(ref::Reference::parse(n).value());
  s.put_manifest(img.manifest, img.manifest_bytes, refs);
  return img;
}

}  // namespace ext::test
