// What each release accepts (deploy/versions.hpp): golden files per release for every target
// (tests/data/deploy/golden/; EXT_UPDATE_GOLDEN=1 rewrites them), and a feature the release
// lacks is an error naming the first release that has it.
#include <catch2/catch.hpp>

#include "ext/deploy/envoy_target.hpp"
#include "ext/deploy/gloo_target.hpp"
#include "ext/deploy/istio_target.hpp"
#include "ext/deploy/versions.hpp"
#include "support/deploy/deploy_support.hpp"

using namespace ext;
using namespace ext::deploy;

namespace {

Version v(int major, int minor) {
  return Version{major, minor, 0};
}

Image image() {
  Image i;
  i.registry = "ghcr.io";
  i.repository = "acme/add-header";
  i.tag = "v1";
  i.manifest_digest = "sha256:5f0c1b6d8a3e2f4c7b9a1d0e3f5a7c9b2d4e6f8a0b1c3d5e7f9a2b4c6d8e0f1a";
  i.module_sha256 = "a3f1e2d4c5b6a7980f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a6978";
  i.reference = "ghcr.io/acme/add-header:v1";
  i.layout = "oci";
  return i;
}

Plugin plugin(FailStrategy fail = FailStrategy::unspecified) {
  Plugin p;
  p.name = "add-header";
  p.root_id = "add_header";
  p.config = *parse_config_arg(R"({"header":"x-ext","value":"hello"})");
  p.fail = fail;
  return p;
}

void golden(const std::string& name, const Result<Rendered>& r) {
  INFO(name);
  REQUIRE(r);
  auto yaml = r->yaml();
  CHECK(test::golden_diff("golden/" + name, yaml) == "");
  // PyYAML reads back what we mean.
  auto py = test::pyyaml_load(yaml);
  for (size_t i = 0; i < r->documents.size(); ++i)
    CHECK(py[i] == nlohmann::json::parse(r->documents[i].dump()));
}

Json plugin_config_of(const Rendered& r) {
  // static_resources.listeners[0].filter_chains[0].filters[0] is the HCM; the wasm filter is the
  // first http filter.
  const auto& hcm = r.documents[0]["static_resources"]["listeners"][0]["filter_chains"][0]
                               ["filters"][0]["typed_config"];
  return hcm["http_filters"][0]["typed_config"]["config"];
}

}  // namespace

TEST_CASE("versions: every row cites its source and the known ranges hold", "[deploy]") {
  for (const auto& r : feature_table()) {
    CHECK(std::string(r.source).size() > 10);
    CHECK(r.since >= oldest_known(r.platform));
    CHECK(r.since <= newest_known(r.platform));
  }
  CHECK(parse_platform_version(Platform::envoy, "1.33.2")->minor == 33);
  auto too_new = parse_platform_version(Platform::envoy, "1.99");
  REQUIRE_FALSE(too_new);
  CHECK(too_new.error().message().find("1.24 to 1.37") != std::string::npos);
  CHECK_FALSE(parse_platform_version(Platform::istio, "1.8"));
  CHECK_FALSE(parse_platform_version(Platform::gloo, "banana"));
  // The default image and the template's platform_version are the same release.
  CHECK(default_envoy_image() ==
        "envoyproxy/envoy:v" + short_version(newest_known(Platform::envoy)) + "-latest");
}

TEST_CASE("versions: Envoy bootstraps per release (1.24, 1.28, 1.31, 1.33, newest)", "[deploy]") {
  for (auto [major, minor] :
       std::vector<std::pair<int, int>>{{1, 24}, {1, 28}, {1, 31}, {1, 33}, {1, 37}}) {
    EnvoyOptions o;
    o.module_filename = "/var/lib/ext/add-header.wasm";
    o.version = v(major, minor);
    auto r = EnvoyTarget(o).render(plugin(FailStrategy::fail_open));
    golden("envoy-" + short_version(o.version) + ".yaml", r);
    auto pc = plugin_config_of(*r);
    if (minor >= 33) {
      CHECK(pc["failure_policy"] == "FAIL_OPEN");
      CHECK_FALSE(pc.contains("fail_open"));
    } else {
      // Envoy before 1.33 rejects failure_policy (envoyproxy/envoy#36456).
      CHECK(pc["fail_open"] == true);
      CHECK_FALSE(pc.contains("failure_policy"));
    }
    // Fail closed is the default before 1.33 (nothing written), explicit from 1.33.
    auto closed = EnvoyTarget(o).render(plugin());
    REQUIRE(closed);
    CHECK(plugin_config_of(*closed).contains("failure_policy") == (minor >= 33));
    CHECK_FALSE(plugin_config_of(*closed).contains("fail_open"));
  }
  EnvoyOptions old;
  old.module_filename = "/m.wasm";
  old.version = v(1, 31);
  auto reload = EnvoyTarget(old).render(plugin(FailStrategy::fail_reload));
  REQUIRE_FALSE(reload);
  CHECK(reload.error().message().find("Envoy 1.33") != std::string::npos);
  CHECK(reload.error().message().find("1.31") != std::string::npos);
}

TEST_CASE("versions: Istio WasmPlugin per release (1.12, 1.18, 1.20, 1.22, 1.26, newest)",
          "[deploy]") {
  for (int minor : {12, 18, 20, 22, 26, 30}) {
    IstioOptions o;
    o.ns = "prod";
    o.selector = {{"app", "web"}};
    o.version = v(1, minor);
    Plugin p = plugin(minor >= 19 ? FailStrategy::fail_open : FailStrategy::unspecified);
    auto r = IstioTarget(o).render(p, image());
    golden("istio-1." + std::to_string(minor) + ".yaml", r);
    const auto& spec = r->documents.back()["spec"];
    CHECK(spec.contains("type") == (minor >= 20));  // istio/api 3cfacc600
    CHECK(spec.contains("failStrategy") == (minor >= 19));
    CHECK(spec["url"] == "oci://ghcr.io/acme/add-header@" + image().manifest_digest);
  }
  // The newest release with targetRefs and FAIL_RELOAD.
  IstioOptions o;
  o.target_refs = {"Gateway/edge"};
  auto r = IstioTarget(o).render(plugin(FailStrategy::fail_reload), image());
  golden("istio-newest-targetrefs-reload.yaml", r);
}

TEST_CASE("versions: a feature the Istio release lacks is an error naming the first release",
          "[deploy]") {
  struct Case {
    int minor;
    std::function<void(IstioOptions&, Plugin&)> set;
    std::string needs;
  };
  std::vector<Case> cases = {
      {19, [](IstioOptions&, Plugin& p) { p.type = FilterType::network; }, "1.20"},
      {21, [](IstioOptions& o, Plugin&) { o.target_refs = {"Gateway/edge"}; }, "1.22"},
      {18, [](IstioOptions&, Plugin& p) { p.fail = FailStrategy::fail_open; }, "1.19"},
      {26, [](IstioOptions&, Plugin& p) { p.fail = FailStrategy::fail_reload; }, "1.27"},
      {13, [](IstioOptions& o, Plugin&) { o.pull_secret = "regcred"; }, "1.14"},
      {11, [](IstioOptions&, Plugin&) {}, "1.12"},
  };
  for (auto& c : cases) {
    IstioOptions o;
    o.version = v(1, c.minor);
    Plugin p = plugin();
    c.set(o, p);
    auto r = IstioTarget(o).render(p, image());
    INFO("Istio 1." << c.minor << " needs " << c.needs);
    REQUIRE_FALSE(r);
    CHECK(r.error().code() == Errc::unsupported);
    CHECK(r.error().message().find(c.needs) != std::string::npos);
    // ... and the first release that has it accepts it.
    auto [major, minor] = std::pair{1, std::stoi(c.needs.substr(2))};
    o.version = v(major, minor);
    CHECK(IstioTarget(o).render(p, image()));
  }
}

TEST_CASE("versions: Istio EnvoyFilter per release: fail_open before 1.25, failure_policy after",
          "[deploy]") {
  for (int minor : {9, 12, 24, 25, 30}) {
    IstioOptions o;
    o.envoyfilter = true;
    o.version = v(1, minor);
    Image img = image();
    img.module_url = "https://modules.example.com/add-header.wasm";
    auto r = IstioTarget(o).render(plugin(FailStrategy::fail_open), img);
    golden("istio-envoyfilter-1." + std::to_string(minor) + ".yaml", r);
    const auto& patches = r->documents.back()["spec"]["configPatches"];
    const auto& cfg = patches[1]["patch"]["value"]["typed_config"]["config"];
    CHECK(cfg.contains("failure_policy") == (minor >= 25));
    CHECK(cfg.contains("fail_open") == (minor < 25));
    // https module URLs are verified against the system CAs and the host name.
    const auto& tls = patches[0]["patch"]["value"]["transport_socket"]["typed_config"];
    const auto& vc = tls["common_tls_context"]["validation_context"];
    CHECK(vc["trusted_ca"]["filename"] == "/etc/ssl/certs/ca-certificates.crt");
    CHECK(vc.contains("match_typed_subject_alt_names") == (minor >= 13));
  }
}

TEST_CASE("versions: Gloo failOpen from 1.12, network filters and FAIL_RELOAD refused",
          "[deploy]") {
  GlooOptions o;
  o.version = v(1, 11);
  auto old = GlooTarget(o).render(plugin(FailStrategy::fail_open), image(), nullptr);
  REQUIRE_FALSE(old);
  CHECK(old.error().message().find("1.12") != std::string::npos);
  for (int minor : {12, 22}) {
    o.version = v(1, minor);
    golden("gloo-1." + std::to_string(minor) + ".yaml",
           GlooTarget(o).render(plugin(FailStrategy::fail_open), image(), nullptr));
  }
  Plugin net = plugin();
  net.type = FilterType::network;
  CHECK_FALSE(GlooTarget(o).render(net, image(), nullptr));
  Image cncf = image();
  cncf.layout = "cncf";
  CHECK(GlooTarget(o).warnings(plugin(), cncf).size() == 1);
  CHECK(GlooTarget(o).warnings(plugin(), image()).empty());
}

TEST_CASE("versions: Istio warns about layouts its fetcher cannot read", "[deploy]") {
  IstioOptions o;
  Image img = image();
  for (std::string layout : {"oci", "compat", "docker-v2"}) {
    img.layout = layout;
    CHECK(IstioTarget(o).warnings(plugin(), img).empty());
  }
  for (std::string layout : {"cncf", "single-layer"}) {
    img.layout = layout;
    auto w = IstioTarget(o).warnings(plugin(), img);
    REQUIRE(w.size() == 1);
    CHECK(w[0].find("does not read") != std::string::npos);
  }
}
