// ext deploy / undeploy end to end: the built binary, a real local store, fake kubectl / envoy
// / docker programs (tests/support/deploy/*.py) that record argv and stdin. envoy and a running
// docker engine are not available here; kubectl is driven through --kubectl.
#include <unistd.h>
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "ext/deploy/yaml.hpp"
#include "ext/util/files.hpp"
#include "support/deploy/deploy_support.hpp"
#include "support/paths.hpp"

using namespace ext;
using deploy::Json;
namespace fs = std::filesystem;

namespace {

fs::path support(const std::string& name) {
  return test::source_dir() / "tests/support/deploy" / name;
}

std::string module_bytes(const std::string& wat) {
  return test::wat_to_wasm(util::read_file(test::data_dir() / "wasm" / wat));
}

std::vector<nlohmann::json> read_log(const fs::path& p) {
  std::vector<nlohmann::json> out;
  std::error_code ec;
  if (!fs::exists(p, ec)) return out;
  std::istringstream in(util::read_file(p));
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(nlohmann::json::parse(line));
  return out;
}

Json yaml_of(const std::string& text) {
  return deploy::parse_yaml(text).value();
}

const Json& first_http_filter(const Json& bootstrap) {
  return bootstrap["static_resources"]["listeners"][0]["filter_chains"][0]["filters"][0]
                  ["typed_config"]["http_filters"][0];
}

struct Fixture {
  util::TempDir dir{"ext-deploy-e2e-"};
  fs::path store = dir.path() / "data/ext/store";
  fs::path wasm = dir.path() / "filter.wasm";
  fs::path net_wasm = dir.path() / "net.wasm";
  Fixture() {
    util::write_file_atomic(wasm, module_bytes("http_0_2_1.wat"));
    util::write_file_atomic(net_wasm, module_bytes("network_0_2_1.wat"));
  }
  test::ExtRun ext(std::vector<std::string> args,
                   const std::map<std::string, std::string>& env = {}) {
    // Modules and run files in this test's own data directory.
    args.insert(args.begin(), {"--data-dir", (dir.path() / "data/ext").string()});
    return test::run_ext(args, store, std::nullopt, env);
  }
  // Packages filter.wasm as REF in the store; returns the manifest digest.
  std::string build(const std::string& ref, const fs::path& module) {
    auto r =
        ext({"--json", "build", "--wasm", module.string(), "-t", ref, "--root-id", "add_header"});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    return nlohmann::json::parse(r.out)["package"]["digest"].get<std::string>();
  }
};

}  // namespace

TEST_CASE("e2e deploy envoy FILE: YAML on stdout, --config after the subcommand", "[deploy][e2e]") {
  Fixture f;
  // The global --config (settings file) and the subcommand's --config (plugin configuration)
  // live side by side.
  util::write_file_atomic(f.dir.path() / "settings.yaml", "default_format: oci\n");
  auto r = f.ext({"--config", (f.dir.path() / "settings.yaml").string(), "deploy", "envoy",
                  f.wasm.string(), "--name", "add-header", "--root-id", "add_header", "--config",
                  R"({"header":"x-ext","value":"hello"})"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto b = yaml_of(r.out);  // stdout is the YAML alone
  auto& c = first_http_filter(b)["typed_config"]["config"];
  CHECK(c["name"] == "add-header");
  CHECK(c["root_id"] == "add_header");
  CHECK(c["configuration"]["value"] == R"({"header":"x-ext","value":"hello"})");
  CHECK(c["vm_config"]["code"]["local"]["filename"] == fs::absolute(f.wasm).string());
  CHECK(b["static_resources"]["listeners"][0]["address"]["socket_address"]["port_value"] == 8080);
  CHECK(r.err.find("filter:   add-header (http, root id add_header)") != std::string::npos);

  // Invalid JSON: a clear error, exit 1, nothing written.
  auto out = f.dir.path() / "never.yaml";
  auto bad =
      f.ext({"deploy", "envoy", f.wasm.string(), "--config", "{header: x}", "-f", out.string()});
  CHECK(bad.exit_code == 1);
  CHECK(bad.err.find("ext: error: invalid JSON in --config: at line 1, column 2") !=
        std::string::npos);
  CHECK(bad.err.find("hint: ") != std::string::npos);
  CHECK_FALSE(fs::exists(out));
  util::write_file_atomic(f.dir.path() / "bad.yaml", "a: [1\n");
  auto bad_yaml = f.ext(
      {"deploy", "envoy", f.wasm.string(), "--config", "@" + (f.dir.path() / "bad.yaml").string()});
  CHECK(bad_yaml.exit_code == 1);
  CHECK(bad_yaml.err.find("bad.yaml:2:") != std::string::npos);  // file:line:col
}

TEST_CASE("e2e deploy envoy -f, --bootstrap: update in place, explicit order, undeploy",
          "[deploy][e2e]") {
  Fixture f;
  auto out = f.dir.path() / "envoy.yaml";
  auto r = f.ext({"deploy", "envoy", f.wasm.string(), "--name", "add-header", "--upstream",
                  "127.0.0.1:3000", "-f", out.string()});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("wrote:    " + out.string()) != std::string::npos);
  CHECK(r.out.find("next:     envoy -c " + out.string()) != std::string::npos);

  // Same name again into the same file: updated, not duplicated.
  auto again = f.ext({"deploy", "envoy", f.wasm.string(), "--name", "add-header", "--config",
                      R"({"v":2})", "--bootstrap", out.string(), "-f", out.string()});
  INFO(again.err);
  REQUIRE(again.exit_code == 0);
  auto b = yaml_of(util::read_file(out));
  auto& hf = b["static_resources"]["listeners"][0]["filter_chains"][0]["filters"][0]["typed_config"]
              ["http_filters"];
  REQUIRE(hf.size() == 2);
  CHECK(hf[0]["typed_config"]["config"]["configuration"]["value"] == R"({"v":2})");

  // A second filter before the first: explicit order.
  auto second = f.ext({"deploy", "envoy", f.wasm.string(), "--name", "auth", "--before",
                       "add-header", "--bootstrap", out.string(), "-f", out.string()});
  REQUIRE(second.exit_code == 0);
  b = yaml_of(util::read_file(out));
  auto& hf2 = b["static_resources"]["listeners"][0]["filter_chains"][0]["filters"][0]
               ["typed_config"]["http_filters"];
  REQUIRE(hf2.size() == 3);
  CHECK(hf2[0]["typed_config"]["config"]["name"] == "auth");
  CHECK(hf2[1]["typed_config"]["config"]["name"] == "add-header");
  CHECK(hf2[2]["name"] == "envoy.filters.http.router");

  auto un = f.ext({"undeploy", "envoy", "auth", "--bootstrap", out.string(), "-f", out.string()});
  INFO(un.err);
  REQUIRE(un.exit_code == 0);
  b = yaml_of(util::read_file(out));
  CHECK(b["static_resources"]["listeners"][0]["filter_chains"][0]["filters"][0]["typed_config"]
         ["http_filters"]
             .size() == 2);
  auto gone = f.ext({"undeploy", "envoy", "auth", "--bootstrap", out.string()});
  CHECK(gone.exit_code == 1);
  CHECK(gone.err.find("no wasm filter named \"auth\"") != std::string::npos);

  // A bootstrap without an HTTP connection manager.
  util::write_file_atomic(f.dir.path() / "tcp.yaml", R"(static_resources:
  listeners:
  - name: tcp
    address: {socket_address: {address: 127.0.0.1, port_value: 1000}}
    filter_chains:
    - filters:
      - name: envoy.filters.network.tcp_proxy
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy
          stat_prefix: tcp
          cluster: c
)");
  auto no_hcm = f.ext(
      {"deploy", "envoy", f.wasm.string(), "--bootstrap", (f.dir.path() / "tcp.yaml").string()});
  CHECK(no_hcm.exit_code == 1);
  CHECK(no_hcm.err.find("no HTTP connection manager") != std::string::npos);
}

TEST_CASE("e2e deploy envoy: network module into the TCP chain", "[deploy][e2e]") {
  Fixture f;
  auto r = f.ext({"deploy", "envoy", f.net_wasm.string(), "--upstream", "127.0.0.1:5432"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto b = yaml_of(r.out);
  auto& filters = b["static_resources"]["listeners"][0]["filter_chains"][0]["filters"];
  REQUIRE(filters.size() == 2);
  CHECK(filters[0]["typed_config"]["@type"] ==
        "type.googleapis.com/envoy.extensions.filters.network.wasm.v3.Wasm");
  CHECK(filters[1]["name"] == "envoy.filters.network.tcp_proxy");
}

TEST_CASE("e2e deploy from the store: envoy and istio pinned to the manifest digest",
          "[deploy][e2e]") {
  Fixture f;
  std::string digest = f.build("registry.example.com/acme/add-header:v1", f.wasm);
  auto env = f.ext({"--json", "deploy", "envoy", "registry.example.com/acme/add-header:v1"});
  INFO(env.err);
  REQUIRE(env.exit_code == 0);
  auto j = nlohmann::json::parse(env.out);
  CHECK(j["digest"] == digest);
  CHECK(j["root_id"] == "add_header");  // from the image's runtime config
  CHECK(j["name"] == "add-header");     // from the repository name
  fs::path module = j["module_file"].get<std::string>();
  CHECK(module == f.dir.path() / "data/ext/modules" / (digest.substr(7) + ".wasm"));
  CHECK(util::read_file(module) == util::read_file(f.wasm));
  auto b = yaml_of(j["yaml"].get<std::string>());
  CHECK(first_http_filter(b)["typed_config"]["config"]["vm_config"]["code"]["local"]["filename"] ==
        module.string());

  auto out = f.dir.path() / "wasmplugin.yaml";
  auto istio = f.ext({"deploy", "istio", "registry.example.com/acme/add-header:v1", "--offline",
                      "--name", "add-header", "--selector", "app=productpage", "--phase", "AUTHN",
                      "--config", R"({"header":"x-ext"})", "-f", out.string()});
  INFO(istio.err);
  REQUIRE(istio.exit_code == 0);
  CHECK(istio.out.find("next:     kubectl apply -f " + out.string()) != std::string::npos);
  auto wp = yaml_of(util::read_file(out));
  CHECK(wp["kind"] == "WasmPlugin");
  CHECK(wp["spec"]["url"] == "oci://registry.example.com/acme/add-header@" + digest);
  CHECK(wp["spec"]["sha256"] == digest.substr(7));
  CHECK(wp["spec"]["selector"]["matchLabels"]["app"] == "productpage");
  CHECK(wp["spec"]["pluginName"] == "add_header");
  CHECK(wp["spec"]["pluginConfig"]["header"] == "x-ext");
  CHECK(wp["spec"]["type"] == "HTTP");

  // An image on a loopback registry: one note that the mesh may not reach it (said once).
  REQUIRE(f.ext({"tag", "registry.example.com/acme/add-header:v1", "127.0.0.1:5000/acme/x:v1"})
              .exit_code == 0);
  auto local = f.ext({"deploy", "istio", "127.0.0.1:5000/acme/x:v1", "--offline", "--name", "x",
                      "-f", (f.dir.path() / "local.yaml").string()});
  INFO(local.err);
  REQUIRE(local.exit_code == 0);
  auto first = local.err.find("loopback registry");
  REQUIRE(first != std::string::npos);
  CHECK(local.err.find("loopback registry", first + 1) == std::string::npos);

  // Not a Kubernetes name.
  auto bad = f.ext({"deploy", "istio", "registry.example.com/acme/add-header:v1", "--offline",
                    "--name", "Add_Header"});
  CHECK(bad.exit_code == 1);
  CHECK(bad.err.find("\"Add_Header\" is not a valid Kubernetes name") != std::string::npos);
  // Istio takes images, not files.
  auto file = f.ext({"deploy", "istio", f.wasm.string(), "--name", "x"});
  CHECK(file.exit_code == 1);
  CHECK(file.err.find("deploy an image reference, not a file") != std::string::npos);
}

TEST_CASE("e2e deploy: a reference that is not in the store and cannot be pulled",
          "[deploy][e2e]") {
  Fixture f;
  auto port = test::free_port();  // nothing listens there
  std::string ref = "127.0.0.1:" + std::to_string(port) + "/acme/missing:v1";
  auto r = f.ext({"deploy", "envoy", ref});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("ext: error: " + ref + " is not in the local store and could not be pulled") !=
        std::string::npos);
  CHECK(r.err.find("hint: build it with `ext build -t " + ref + "`") != std::string::npos);
}

TEST_CASE("e2e deploy: ABI vs platform version warns, --strict fails", "[deploy][e2e]") {
  Fixture f;
  f.build("registry.example.com/acme/add-header:v1", f.wasm);
  // A module without a proxy_abi_version_* marker: every Envoy refuses it.
  std::string wat = util::read_file(test::data_dir() / "wasm" / "http_0_2_1.wat");
  auto at = wat.find("  (func (export \"proxy_abi_version_0_2_1\"))\n");
  REQUIRE(at != std::string::npos);
  wat.erase(at, std::string("  (func (export \"proxy_abi_version_0_2_1\"))\n").size());
  auto no_abi = f.dir.path() / "no_abi.wasm";
  util::write_file_atomic(no_abi, test::wat_to_wasm(wat));
  std::vector<std::string> args{
      "deploy", "envoy", no_abi.string(), "--root-id", "r", "--platform-version", "1.24"};
  auto warn = f.ext(args);
  INFO(warn.err);
  REQUIRE(warn.exit_code == 0);
  CHECK(warn.err.find("warning: the module exports no proxy_abi_version_* marker; envoy 1.24.0 "
                      "refuses it") != std::string::npos);
  args.push_back("--strict");
  auto out = f.dir.path() / "never.yaml";
  args.insert(args.end(), {"-f", out.string()});
  auto strict = f.ext(args);
  CHECK(strict.exit_code == 1);
  CHECK(strict.err.find("--strict is set: the module exports no proxy_abi_version_*") !=
        std::string::npos);
  CHECK(strict.out.empty());
  CHECK_FALSE(fs::exists(out));
  // WasmPlugin on an Istio without it.
  auto old = f.ext({"deploy", "istio", "registry.example.com/acme/add-header:v1", "--offline",
                    "--name", "a", "--platform-version", "1.10"});
  CHECK(old.exit_code == 1);
  CHECK(old.err.find("hint: use --envoyfilter") != std::string::npos);
}

TEST_CASE("e2e deploy istio --apply / undeploy through kubectl, pull secret", "[deploy][e2e]") {
  Fixture f;
  std::string digest = f.build("registry.example.com/acme/add-header:v1", f.wasm);
  auto log = f.dir.path() / "kubectl.log";
  // Credentials ext would use for the registry: a docker config with an auths entry.
  auto docker = f.dir.path() / "docker";
  fs::create_directories(docker);
  util::write_file_atomic(docker / "config.json",
                          R"({"auths":{"registry.example.com":{"auth":"cm9ib3Q6czNjcjN0"}}})");
  std::map<std::string, std::string> env{{"FAKE_KUBECTL_LOG", log.string()},
                                         {"DOCKER_CONFIG", docker.string()}};
  auto r =
      f.ext({"deploy", "istio", "registry.example.com/acme/add-header:v1", "--offline", "--name",
             "add-header", "-n", "prod", "--pull-secret", "regcred", "--create-pull-secret",
             "--apply", "--context", "kind-dev", "--kubectl", support("fake_kubectl.py").string()},
            env);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto calls = read_log(log);
  // The shared secret's users, the other form of this deployment, then the apply.
  REQUIRE(calls.size() == 3);
  CHECK(calls[0]["argv"][2] == "delete");
  CHECK(calls[0]["argv"][3] == "envoyfilters.networking.istio.io");
  CHECK(calls[1]["argv"] ==
        nlohmann::json::parse(
            R"(["--context","kind-dev","get","secret","regcred","-n","prod","-o","json"])"));
  CHECK(calls[2]["argv"] == nlohmann::json::parse(R"(["--context","kind-dev","apply","-f","-"])"));
  auto docs = deploy::parse_yaml_documents(calls[2]["stdin"].get<std::string>()).value();
  REQUIRE(docs.size() == 2);
  CHECK(docs[0]["kind"] == "Secret");
  CHECK(docs[0]["metadata"]["namespace"] == "prod");
  CHECK(docs[0]["metadata"]["annotations"]["ext.dev/used-by"] == "add-header");
  CHECK_FALSE(docs[0]["metadata"]["labels"].contains("ext.dev/deployment"));
  CHECK(docs[0]["data"][".dockerconfigjson"] ==
        "eyJhdXRocyI6eyJyZWdpc3RyeS5leGFtcGxlLmNvbSI6eyJ1c2VybmFtZSI6InJvYm90IiwicGFzc3dvcmQiOiJz"
        "M2NyM3QiLCJhdXRoIjoiY205aWIzUTZjek5qY2pOMCJ9fX0=");
  CHECK(docs[1]["kind"] == "WasmPlugin");
  CHECK(docs[1]["spec"]["imagePullSecret"] == "regcred");
  CHECK(docs[1]["spec"]["url"] == "oci://registry.example.com/acme/add-header@" + digest);
  // The secret never reaches stderr.
  CHECK(r.err.find("s3cr3t") == std::string::npos);
  CHECK(r.err.find("secret/regcred configured") != std::string::npos);

  // A second deployment shares the secret: both are recorded on it.
  auto second =
      f.ext({"deploy", "istio", "registry.example.com/acme/add-header:v1", "--offline", "--name",
             "other-filter", "-n", "prod", "--pull-secret", "regcred", "--create-pull-secret",
             "--apply", "--kubectl", support("fake_kubectl.py").string()},
            env);
  INFO(second.err);
  REQUIRE(second.exit_code == 0);
  calls = read_log(log);
  auto applied = deploy::parse_yaml_documents(calls.back()["stdin"].get<std::string>()).value();
  CHECK(applied[0]["metadata"]["annotations"]["ext.dev/used-by"] == "add-header,other-filter");

  // Undeploying one keeps the secret for the other; a cluster without EnvoyFilter CRD is fine.
  env["FAKE_KUBECTL_NO_ENVOYFILTER"] = "1";
  auto n0 = calls.size();
  auto un = f.ext({"undeploy", "istio", "add-header", "-n", "prod", "--kubectl",
                   support("fake_kubectl.py").string()},
                  env);
  INFO(un.err);
  REQUIRE(un.exit_code == 0);
  calls = read_log(log);
  REQUIRE(calls.size() == n0 + 4);
  std::string sel = "app.kubernetes.io/managed-by=ext,ext.dev/deployment=add-header";
  CHECK(calls[n0]["argv"] == nlohmann::json({"delete", "wasmplugins.extensions.istio.io", "-n",
                                             "prod", "-l", sel, "--ignore-not-found"}));
  CHECK(calls[n0 + 1]["argv"][1] == "envoyfilters.networking.istio.io");
  CHECK(calls[n0 + 2]["argv"][0] == "get");
  CHECK(calls[n0 + 3]["argv"] == nlohmann::json({"annotate", "secret", "regcred", "-n", "prod",
                                                 "ext.dev/used-by=other-filter", "--overwrite"}));
  CHECK(un.err.find("envoyfilters.networking.istio.io: not installed in the cluster") !=
        std::string::npos);
  CHECK(un.err.find("secret regcred: kept for other-filter") != std::string::npos);
  // ... and the last user deletes it.
  auto un2 = f.ext({"undeploy", "istio", "other-filter", "-n", "prod", "--kubectl",
                    support("fake_kubectl.py").string()},
                   env);
  REQUIRE(un2.exit_code == 0);
  calls = read_log(log);
  CHECK(calls.back()["argv"] ==
        nlohmann::json({"delete", "secret", "regcred", "-n", "prod", "--ignore-not-found"}));
  env.erase("FAKE_KUBECTL_NO_ENVOYFILTER");

  // Switching a name from WasmPlugin to EnvoyFilter removes the WasmPlugin first.
  auto wp =
      f.ext({"deploy", "istio", "registry.example.com/acme/add-header:v1", "--offline", "--name",
             "sw", "-n", "prod", "--apply", "--kubectl", support("fake_kubectl.py").string()},
            env);
  REQUIRE(wp.exit_code == 0);
  auto ef = f.ext(
      {"deploy", "istio", "registry.example.com/acme/add-header:v1", "--offline", "--name", "sw",
       "-n", "prod", "--envoyfilter", "--module-url", "https://modules.example.com/f.wasm",
       "--apply", "--kubectl", support("fake_kubectl.py").string()},
      env);
  INFO(ef.err);
  REQUIRE(ef.exit_code == 0);
  calls = read_log(log);
  auto k = calls.size();
  CHECK(calls[k - 2]["argv"][1] == "wasmplugins.extensions.istio.io");
  CHECK(calls[k - 2]["argv"][0] == "delete");
  auto state = nlohmann::json::parse(util::read_file(log.string() + ".state"));
  CHECK_FALSE(state.contains("wasmplugin/prod/sw"));
  CHECK(state.contains("envoyfilter/prod/sw"));
  auto before_nocred = calls.size();

  // No credentials for the registry: a clear error before anything is applied.
  util::write_file_atomic(docker / "config.json", R"({"auths":{}})");
  auto nocred = f.ext({"deploy", "istio", "registry.example.com/acme/add-header:v1", "--offline",
                       "--name", "add-header", "--pull-secret", "regcred", "--create-pull-secret",
                       "--apply", "--kubectl", support("fake_kubectl.py").string()},
                      env);
  CHECK(nocred.exit_code == 1);
  CHECK(nocred.err.find("hint: run `ext login registry.example.com` first") != std::string::npos);
  CHECK(read_log(log).size() == before_nocred);
}

TEST_CASE("e2e deploy gloo: Gateway file, --apply through kubectl, undeploy one filter",
          "[deploy][e2e]") {
  Fixture f;
  f.build("registry.example.com/acme/add-header:v1", f.wasm);
  auto r = f.ext({"deploy", "gloo", "registry.example.com/acme/add-header:v1", "--offline",
                  "--name", "add-header", "--stage", "authn"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.err.find("Gloo Edge runs wasm filters only in Gloo Enterprise") != std::string::npos);
  auto g = yaml_of(r.out);
  auto& fl = g["spec"]["httpGateway"]["options"]["wasm"]["filters"];
  REQUIRE(fl.size() == 1);
  CHECK(fl[0]["image"] == "registry.example.com/acme/add-header:v1");
  CHECK(fl[0]["rootId"] == "add_header");
  CHECK(fl[0]["filterStage"]["stage"] == "AuthNStage");

  // --apply: get the live Gateway, patch, replace.
  auto live = f.dir.path() / "gw.json";
  util::write_file_atomic(live, R"({"apiVersion":"gateway.solo.io/v1","kind":"Gateway",
    "metadata":{"name":"gateway-proxy","namespace":"gloo-system","resourceVersion":"9",
    "managedFields":[{}]},"spec":{"bindAddress":"::","bindPort":8080,"httpGateway":{"options":
    {"wasm":{"filters":[{"name":"other","image":"x/other:v1","rootId":"o"}]}}}},"status":{}})");
  auto log = f.dir.path() / "kubectl.log";
  std::map<std::string, std::string> env{{"FAKE_KUBECTL_LOG", log.string()},
                                         {"FAKE_KUBECTL_GET", live.string()}};
  auto ap =
      f.ext({"deploy", "gloo", "registry.example.com/acme/add-header:v1", "--offline", "--name",
             "add-header", "--apply", "--kubectl", support("fake_kubectl.py").string()},
            env);
  INFO(ap.err);
  REQUIRE(ap.exit_code == 0);
  auto calls = read_log(log);
  REQUIRE(calls.size() == 2);
  CHECK(calls[0]["argv"] == nlohmann::json({"get", "gateways.gateway.solo.io", "gateway-proxy",
                                            "-n", "gloo-system", "-o", "json"}));
  CHECK(calls[1]["argv"] == nlohmann::json({"replace", "-f", "-"}));
  auto sent = yaml_of(calls[1]["stdin"].get<std::string>());
  CHECK(sent["metadata"]["resourceVersion"] == "9");
  CHECK_FALSE(sent["metadata"].contains("managedFields"));
  auto& sf = sent["spec"]["httpGateway"]["options"]["wasm"]["filters"];
  REQUIRE(sf.size() == 2);
  CHECK(sf[0]["name"] == "other");
  CHECK(sf[1]["name"] == "add-header");

  // Undeploy removes only that filter.
  util::write_file_atomic(live, yaml_of(calls[1]["stdin"].get<std::string>()).dump());
  auto un = f.ext(
      {"undeploy", "gloo", "add-header", "--kubectl", support("fake_kubectl.py").string()}, env);
  INFO(un.err);
  REQUIRE(un.exit_code == 0);
  calls = read_log(log);
  REQUIRE(calls.size() == 4);
  auto after = yaml_of(calls[3]["stdin"].get<std::string>());
  auto& af = after["spec"]["httpGateway"]["options"]["wasm"]["filters"];
  REQUIRE(af.size() == 1);
  CHECK(af[0]["name"] == "other");
}

TEST_CASE("e2e deploy envoy --run: fake envoy becomes ready, VM active, Ctrl-C forwarded",
          "[deploy][e2e]") {
  Fixture f;
  auto log = f.dir.path() / "envoy.log";
  std::string admin = "127.0.0.1:" + std::to_string(test::free_port());
  std::string listen = "127.0.0.1:" + std::to_string(test::free_port());
  std::map<std::string, std::string> env{{"FAKE_ENVOY_LOG", log.string()},
                                         {"FAKE_ENVOY_EXIT_AFTER", "0.3"}};
  auto r = f.ext({"deploy", "envoy", f.wasm.string(), "--name", "add-header", "--listen", listen,
                  "--admin", admin, "--run", "--envoy", support("fake_envoy.py").string()},
                 env);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.err.find("envoy is ready: http://" + listen) != std::string::npos);
  CHECK(r.err.find("wasm VM active (wasm.envoy.wasm.runtime.v8.active: 1)") != std::string::npos);
  auto calls = read_log(log);
  REQUIRE(calls.size() == 2);
  auto argv = calls[0]["argv"];
  REQUIRE(argv.size() == 4);
  CHECK(argv[1] == "-c");
  CHECK(argv[3] == "--disable-hot-restart");
  fs::path cfg = argv[2].get<std::string>();
  CHECK(cfg == f.dir.path() / "data/ext/run/envoy-add-header.yaml");
  CHECK(calls[1]["active"] == 1);

  // SIGINT to ext alone (no terminal): ext asks Envoy to quit through the admin API, exits 130.
  env.erase("FAKE_ENVOY_EXIT_AFTER");
  util::ProcessSpec spec;
  spec.argv = {"timeout",
               "--foreground",
               "--preserve-status",
               "-s",
               "INT",
               "3",
               test::ext_binary().string(),
               "--store",
               f.store.string(),
               "deploy",
               "envoy",
               f.wasm.string(),
               "--listen",
               listen,
               "--admin",
               admin,
               "--run",
               "--envoy",
               support("fake_envoy.py").string()};
  spec.env = env;
  spec.env["HOME"] = f.dir.path().string();
  util::SubprocessRunner runner{ext::test::host_environment()};
  auto sig = runner.run(spec);
  INFO(sig.err);
  CHECK(sig.exit_code == 130);
  CHECK(sig.err.find("stopping Envoy") != std::string::npos);
  calls = read_log(log);
  REQUIRE(calls.size() == 4);
  CHECK(calls[3]["exit"] == "quit");
}

TEST_CASE("e2e deploy envoy --run --docker: image, read-only mounts, host network",
          "[deploy][e2e]") {
  Fixture f;
  auto log = f.dir.path() / "docker.log";
  auto bin = f.dir.path() / "bin";
  fs::create_directories(bin);
  fs::create_symlink(support("fake_envoy.py"), bin / "podman");
  std::string admin = "127.0.0.1:" + std::to_string(test::free_port());
  const char* path = std::getenv("PATH");
  std::map<std::string, std::string> env{{"FAKE_ENVOY_LOG", log.string()},
                                         {"FAKE_ENVOY_EXIT_AFTER", "0.2"},
                                         {"PATH", bin.string() + ":" + (path ? path : "")}};
  auto r =
      f.ext({"deploy", "envoy", f.wasm.string(), "--name", "add-header", "--admin", admin, "--run",
             "--docker", "envoyproxy/envoy:v1.32-latest", "--container-tool", "podman"},
            env);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto calls = read_log(log);
  REQUIRE(calls.size() == 2);
  auto argv = calls[0]["argv"];
  auto cfg = (f.dir.path() / "data/ext/run/envoy-add-header.yaml").string();
  nlohmann::json expect = {(bin / "podman").string(),
                           "run",
                           "--rm",
                           "--name",
                           "ext-envoy-add-header",
                           "--network",
                           "host",
                           "-v",
                           cfg + ":/etc/ext/envoy.yaml:ro",
                           "-v",
                           fs::absolute(f.wasm).string() + ":/etc/ext/add-header.wasm:ro",
                           "--entrypoint",
                           "envoy",
                           "envoyproxy/envoy:v1.32-latest",
                           "-c",
                           "/etc/ext/envoy.yaml",
                           "--disable-hot-restart"};
  argv[0] = (bin / "podman").string();  // argv[0] as the script saw it
  CHECK(argv == expect);
  // The bootstrap names the module where the container sees it.
  auto b = yaml_of(util::read_file(cfg));
  CHECK(first_http_filter(b)["typed_config"]["config"]["vm_config"]["code"]["local"]["filename"] ==
        "/etc/ext/add-header.wasm");
  CHECK(calls[1]["active"] == 1);
}
