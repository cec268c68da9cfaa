// IstioTarget (WasmPlugin, EnvoyFilter, pull Secret) and GlooTarget (Gateway patch): golden
// files read back field by field.
#include <catch2/catch.hpp>

#include "ext/deploy/gloo_target.hpp"
#include "ext/deploy/istio_target.hpp"
#include "ext/util/files.hpp"
#include "ext/util/process.hpp"
#include "ext/util/strings.hpp"
#include "support/deploy/deploy_support.hpp"
#include "support/paths.hpp"

// Everything of this file in its own namespace: its helpers and using-directives stay out of
// the other test files of its unity batch (tests/CMakeLists.txt).
namespace deploy_istio_gloo_test {

using namespace ext;
using namespace ext::deploy;

namespace {

const std::string k_manifest_hex =
    "5f0c1b6d8a3e2f4c7b9a1d0e3f5a7c9b2d4e6f8a0b1c3d5e7f9a2b4c6d8e0f1a";
const std::string k_module_hex = "a3f1e2d4c5b6a7980f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a6978";

IstioImage image() {
  IstioImage i;
  i.registry = "ghcr.io";
  i.repository = "acme/add-header";
  i.tag = "v1";
  i.manifest_digest = "sha256:" + k_manifest_hex;
  i.module_sha256 = k_module_hex;
  i.reference = "ghcr.io/acme/add-header:v1";
  return i;
}

Plugin plugin() {
  Plugin p;
  p.name = "add-header";
  p.root_id = "add_header";
  p.config = *parse_config_arg(R"({"header":"x-ext","value":"hello"})");
  return p;
}

void check_golden(const std::string& name, const Rendered& r) {
  std::string yaml = r.yaml();
  CHECK(test::golden_diff(name, yaml) == "");
  auto back = parse_yaml_documents(yaml);
  REQUIRE(back);
  REQUIRE(back->size() == r.documents.size());
  auto py = test::pyyaml_load(yaml);
  for (size_t i = 0; i < r.documents.size(); ++i) {
    CHECK((*back)[i].dump() == r.documents[i].dump());
    CHECK(py[i] == nlohmann::json::parse(r.documents[i].dump()));
  }
}

}  // namespace

TEST_CASE("istio: WasmPlugin pinned to the manifest digest", "[deploy]") {
  IstioOptions o;
  auto r = IstioTarget(o).render(plugin(), image());
  REQUIRE(r);
  check_golden("istio_wasmplugin_default.yaml", *r);
  REQUIRE(r->documents.size() == 1);
  auto d = *parse_yaml(r->yaml());
  CHECK(d["apiVersion"] == "extensions.istio.io/v1alpha1");
  CHECK(d["kind"] == "WasmPlugin");
  CHECK(d["metadata"]["name"] == "add-header");
  CHECK_FALSE(d["metadata"].contains("namespace"));
  CHECK(d["metadata"]["labels"]["app.kubernetes.io/managed-by"] == "ext");
  CHECK(d["metadata"]["labels"]["ext.dev/deployment"] == "add-header");
  auto& s = d["spec"];
  CHECK(s["url"] == "oci://ghcr.io/acme/add-header@sha256:" + k_manifest_hex);
  CHECK(s["sha256"] == k_manifest_hex);
  CHECK(s["pluginName"] == "add_header");
  CHECK(s["pluginConfig"] == Json::parse(R"({"header":"x-ext","value":"hello"})"));
  CHECK(s["type"] == "HTTP");
  for (const char* absent : {"selector", "targetRefs", "phase", "priority", "failStrategy",
                             "imagePullPolicy", "imagePullSecret"})
    CHECK_FALSE(s.contains(absent));
}

TEST_CASE("istio: every option, YAML plugin config, pull secret", "[deploy]") {
  IstioOptions o;
  o.ns = "prod";
  o.selector = {{"app", "reviews"}, {"version", "v2"}};
  o.phase = "authz";
  o.priority = 10;
  o.pull_policy = "always";
  o.pull_secret = "ghcr-pull";
  o.pin = false;
  auto p = plugin();
  p.fail = FailStrategy::fail_open;
  p.type = FilterType::network;
  util::TempDir dir;
  util::write_file_atomic(dir.path() / "config.yaml", "limits:\n  rps: 100\nmode: strict\n");
  p.config = *parse_config_arg("@config.yaml", dir.path());
  IstioTarget target(o);
  target.set_pull_credentials(PullCredentials{"ghcr.io", "robot", "s3cr3t"});
  auto r = target.render(p, image());
  REQUIRE(r);
  check_golden("istio_wasmplugin_options.yaml", *r);
  auto docs = *parse_yaml_documents(r->yaml());
  REQUIRE(docs.size() == 2);
  auto& secret = docs[0];
  CHECK(secret["kind"] == "Secret");
  CHECK(secret["type"] == "kubernetes.io/dockerconfigjson");
  CHECK(secret["metadata"]["name"] == "ghcr-pull");
  CHECK(secret["metadata"]["namespace"] == "prod");
  // Shared by deployments: found by its own label, its users in an annotation.
  CHECK_FALSE(secret["metadata"]["labels"].contains("ext.dev/deployment"));
  CHECK(secret["metadata"]["labels"]["ext.dev/pull-secret"] == "true");
  CHECK(secret["metadata"]["annotations"]["ext.dev/used-by"] == "add-header");
  CHECK(
      secret["data"][".dockerconfigjson"] ==
      util::base64_encode(
          R"({"auths":{"ghcr.io":{"username":"robot","password":"s3cr3t","auth":"cm9ib3Q6czNjcjN0"}}})"));
  auto& s = docs[1]["spec"];
  CHECK(docs[1]["metadata"]["namespace"] == "prod");
  CHECK(s["selector"]["matchLabels"] == Json::parse(R"({"app":"reviews","version":"v2"})"));
  CHECK(s["url"] == "oci://ghcr.io/acme/add-header:v1");
  CHECK_FALSE(s.contains("sha256"));
  CHECK(s["imagePullPolicy"] == "Always");
  CHECK(s["imagePullSecret"] == "ghcr-pull");
  CHECK(s["phase"] == "AUTHZ");
  CHECK(s["priority"] == 10);
  CHECK(s["failStrategy"] == "FAIL_OPEN");
  CHECK(s["type"] == "NETWORK");
  CHECK(s["pluginConfig"]["limits"]["rps"] == 100);
}

TEST_CASE("istio: pull secret matches what kubectl create secret docker-registry writes",
          "[deploy]") {
  // scripts/setup installs kubectl (Debian's kubernetes-client): every CI machine runs this.
  test::require_tool("kubectl");
  util::ProcessSpec spec;
  spec.argv = {"kubectl",
               "create",
               "secret",
               "docker-registry",
               "ghcr-pull",
               "--docker-server=ghcr.io",
               "--docker-username=robot",
               "--docker-password=s3cr3t",
               "--dry-run=client",
               "-o",
               "json"};
  util::SubprocessRunner runner{ext::test::host_environment()};
  auto r = runner.run(spec);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto theirs = nlohmann::json::parse(r.out);
  IstioOptions o;
  o.pull_secret = "ghcr-pull";
  IstioTarget target(o);
  target.set_pull_credentials(PullCredentials{"ghcr.io", "robot", "s3cr3t"});
  auto ours = target.render(plugin(), image());
  REQUIRE(ours);
  auto& secret = ours->documents[0];
  CHECK(secret["type"] == theirs["type"]);
  CHECK(secret["data"][".dockerconfigjson"] == theirs["data"][".dockerconfigjson"]);
}

TEST_CASE("istio: targetRefs", "[deploy]") {
  IstioOptions o;
  o.ns = "istio-ingress";
  o.target_refs = {"Gateway/public-gw", "service/reviews"};
  auto r = IstioTarget(o).render(plugin(), image());
  REQUIRE(r);
  check_golden("istio_wasmplugin_targetrefs.yaml", *r);
  auto& refs = r->documents[0]["spec"]["targetRefs"];
  REQUIRE(refs.size() == 2);
  CHECK(
      refs[0] ==
      Json::parse(R"({"group":"gateway.networking.k8s.io","kind":"Gateway","name":"public-gw"})"));
  CHECK(refs[1] == Json::parse(R"({"group":"","kind":"Service","name":"reviews"})"));
}

TEST_CASE("istio: legacy EnvoyFilter with remote code", "[deploy]") {
  IstioOptions o;
  o.ns = "default";
  o.envoyfilter = true;
  o.selector = {{"app", "reviews"}};
  auto img = image();
  img.module_url = "https://artifacts.example.com/filters/add-header.wasm";
  auto r = IstioTarget(o).render(plugin(), img);
  REQUIRE(r);
  check_golden("istio_envoyfilter.yaml", *r);
  auto d = *parse_yaml(r->yaml());
  CHECK(d["apiVersion"] == "networking.istio.io/v1alpha3");
  CHECK(d["kind"] == "EnvoyFilter");
  CHECK(d["spec"]["workloadSelector"]["labels"]["app"] == "reviews");
  auto& patches = d["spec"]["configPatches"];
  REQUIRE(patches.size() == 2);
  CHECK(patches[0]["applyTo"] == "CLUSTER");
  CHECK(patches[0]["patch"]["operation"] == "ADD");
  auto& cluster = patches[0]["patch"]["value"];
  CHECK(cluster["name"] == "ext-wasm-add-header");
  CHECK(cluster["transport_socket"]["typed_config"]["sni"] == "artifacts.example.com");
  CHECK(cluster["load_assignment"]["endpoints"][0]["lb_endpoints"][0]["endpoint"]["address"]
               ["socket_address"]["port_value"] == 443);
  auto& fp = patches[1];
  CHECK(fp["applyTo"] == "HTTP_FILTER");
  CHECK(fp["match"]["context"] == "SIDECAR_INBOUND");
  CHECK(fp["match"]["listener"]["filterChain"]["filter"]["subFilter"]["name"] ==
        "envoy.filters.http.router");
  CHECK(fp["patch"]["operation"] == "INSERT_BEFORE");
  auto& tc = fp["patch"]["value"]["typed_config"];
  CHECK(tc["@type"] == "type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm");
  auto& remote = tc["config"]["vm_config"]["code"]["remote"];
  CHECK(remote["http_uri"]["uri"] == img.module_url);
  CHECK(remote["http_uri"]["cluster"] == "ext-wasm-add-header");
  CHECK(remote["http_uri"]["timeout"] == "30s");
  CHECK(remote["sha256"] == k_module_hex);
  CHECK(tc["config"]["configuration"]["value"] == R"({"header":"x-ext","value":"hello"})");

  auto no_url = IstioTarget(o).render(plugin(), image());
  REQUIRE_FALSE(no_url);
  CHECK(no_url.error().hint().find("--module-url") != std::string::npos);
}

TEST_CASE("istio: invalid input", "[deploy]") {
  auto bad_name = plugin();
  bad_name.name = "Add_Header";
  auto r1 = IstioTarget({}).render(bad_name, image());
  REQUIRE_FALSE(r1);
  CHECK(r1.error().message().find("not a valid Kubernetes name") != std::string::npos);

  IstioOptions both;
  both.selector = {{"app", "a"}};
  both.target_refs = {"Gateway/gw"};
  CHECK(IstioTarget(both).render(plugin(), image()).error().message().find("cannot be combined") !=
        std::string::npos);

  IstioOptions bad_ref;
  bad_ref.target_refs = {"Deployment/x"};
  CHECK_FALSE(IstioTarget(bad_ref).render(plugin(), image()));
  IstioOptions bad_phase;
  bad_phase.phase = "LATE";
  CHECK_FALSE(IstioTarget(bad_phase).render(plugin(), image()));

  auto text_config = plugin();
  text_config.config = *parse_config_arg(R"("world")");
  auto r2 = IstioTarget({}).render(text_config, image());
  REQUIRE_FALSE(r2);
  CHECK(r2.error().message().find("pluginConfig must be a JSON/YAML object") != std::string::npos);

  auto file_only = image();
  file_only.registry.clear();
  file_only.repository.clear();
  CHECK(IstioTarget({}).render(plugin(), file_only).error().message().find("image reference") !=
        std::string::npos);
  IstioOptions secret_without_name;
  IstioTarget no_name(secret_without_name);
  no_name.set_pull_credentials(PullCredentials{"ghcr.io", "u", "p"});
  CHECK_FALSE(no_name.render(plugin(), image()));
}

TEST_CASE("gloo: patch the default gateway, update in place, order, remove", "[deploy]") {
  GlooOptions o;
  GlooTarget t(o);
  std::string img = "ghcr.io/acme/add-header:v1";
  auto r = t.patch(t.default_gateway(), plugin(), img);
  REQUIRE(r);
  check_golden("gloo_gateway_default.yaml", *r);
  auto g = *parse_yaml(r->yaml());
  CHECK(g["apiVersion"] == "gateway.solo.io/v1");
  CHECK(g["kind"] == "Gateway");
  CHECK(g["metadata"]["name"] == "gateway-proxy");
  CHECK(g["metadata"]["namespace"] == "gloo-system");
  auto& filters = g["spec"]["httpGateway"]["options"]["wasm"]["filters"];
  REQUIRE(filters.size() == 1);
  CHECK(filters[0]["name"] == "add-header");
  CHECK(filters[0]["image"] == img);
  CHECK(filters[0]["rootId"] == "add_header");
  CHECK(filters[0]["config"]["@type"] == "type.googleapis.com/google.protobuf.StringValue");
  CHECK(filters[0]["config"]["value"] == R"({"header":"x-ext","value":"hello"})");
  CHECK_FALSE(filters[0].contains("vmType"));
  CHECK_FALSE(filters[0].contains("failOpen"));

  // A second filter placed before the first one, with a stage and fail open.
  GlooOptions o2;
  o2.stage = "authn";
  o2.predicate = "before";
  o2.placement.before = "add-header";
  Plugin auth;
  auth.name = "auth";
  auth.root_id = "auth_root";
  auth.fail = FailStrategy::fail_open;
  auto r2 = GlooTarget(o2).patch(g, auth, "ghcr.io/acme/auth@sha256:" + k_manifest_hex);
  REQUIRE(r2);
  check_golden("gloo_gateway_two_filters.yaml", *r2);
  auto& f2 = r2->documents[0]["spec"]["httpGateway"]["options"]["wasm"]["filters"];
  REQUIRE(f2.size() == 2);
  CHECK(f2[0]["name"] == "auth");
  CHECK(f2[0]["filterStage"] == Json::parse(R"({"stage":"AuthNStage","predicate":"Before"})"));
  CHECK(f2[0]["failOpen"] == true);
  CHECK(f2[1]["name"] == "add-header");

  // Same name again: in place (position kept), not appended.
  auto p3 = plugin();
  p3.config = *parse_config_arg(R"({"header":"x-ext","value":"v3"})");
  auto r3 = t.patch(r2->documents[0], p3, img);
  REQUIRE(r3);
  auto& f3 = r3->documents[0]["spec"]["httpGateway"]["options"]["wasm"]["filters"];
  REQUIRE(f3.size() == 2);
  CHECK(f3[1]["config"]["value"] == R"({"header":"x-ext","value":"v3"})");
  CHECK(f3[0]["name"] == "auth");

  // Undeploy removes only that filter.
  auto rm = GlooTarget::remove(r3->documents[0], "add-header");
  REQUIRE(rm);
  auto& f4 = rm->documents[0]["spec"]["httpGateway"]["options"]["wasm"]["filters"];
  REQUIRE(f4.size() == 1);
  CHECK(f4[0]["name"] == "auth");
  CHECK(GlooTarget::remove(rm->documents[0], "add-header").error().code() == Errc::not_found);
}

TEST_CASE("gloo: keeps a live Gateway's other fields, strips server fields", "[deploy]") {
  auto live = Json::parse(R"({
    "apiVersion": "gateway.solo.io/v1", "kind": "Gateway",
    "metadata": {"name": "gateway-proxy", "namespace": "gloo-system", "resourceVersion": "812",
                 "uid": "1b2c", "generation": 3, "managedFields": [{"manager": "helm"}],
                 "labels": {"app": "gloo"}},
    "spec": {"bindAddress": "::", "bindPort": 8080, "httpGateway": {"options": {
             "gzip": {"compressionLevel": "BEST"}}}, "proxyNames": ["gateway-proxy"]},
    "status": {"statuses": {}}})");
  GlooTarget::strip_server_fields(live);
  auto r = GlooTarget({}).patch(live, plugin(), "ghcr.io/acme/add-header:v1");
  REQUIRE(r);
  auto& g = r->documents[0];
  CHECK_FALSE(g.contains("status"));
  CHECK_FALSE(g["metadata"].contains("managedFields"));
  CHECK_FALSE(g["metadata"].contains("uid"));
  CHECK(g["metadata"]["resourceVersion"] == "812");  // replace keeps the concurrency check
  CHECK(g["metadata"]["labels"]["app"] == "gloo");
  CHECK(g["spec"]["httpGateway"]["options"]["gzip"]["compressionLevel"] == "BEST");
  CHECK(g["spec"]["httpGateway"]["options"]["wasm"]["filters"].size() == 1);

  auto tcp = Json::parse(R"({"apiVersion":"gateway.solo.io/v1","kind":"Gateway",
      "metadata":{"name":"tcp","namespace":"gloo-system"},"spec":{"tcpGateway":{}}})");
  auto r2 = GlooTarget({}).patch(tcp, plugin(), "x/y:z");
  REQUIRE_FALSE(r2);
  CHECK(r2.error().message().find("not an HTTP gateway") != std::string::npos);

  auto net = plugin();
  net.type = FilterType::network;
  CHECK(GlooTarget({}).patch(GlooTarget({}).default_gateway(), net, "x/y:z").error().code() ==
        Errc::unsupported);
  GlooOptions bad_stage;
  bad_stage.stage = "early";
  CHECK_FALSE(GlooTarget(bad_stage).patch(GlooTarget({}).default_gateway(), plugin(), "x/y:z"));
  auto bad_name = plugin();
  bad_name.name = "UPPER";
  CHECK_FALSE(GlooTarget({}).patch(GlooTarget({}).default_gateway(), bad_name, "x/y:z"));
}

}  // namespace deploy_istio_gloo_test
