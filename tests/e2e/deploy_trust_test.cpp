// Deploy you can trust (docs/deploy.md): the facts about a filter travel unchanged from ext.yaml
// to the proxy (filter type, the empty root id), the pin is what the registry serves, the
// output is for the release asked, and round trips keep the user's documents.
#include <sys/stat.h>
#include <catch2/catch.hpp>

#include <sstream>

#include "ext/deploy/yaml.hpp"
#include "ext/util/files.hpp"
#include "support/expect.hpp"
#include "support/paths.hpp"
#include "support/registry/registry_server.hpp"

// Everything of this file in its own namespace: its helpers and using-directives stay out of
// the other test files of its unity batch (tests/CMakeLists.txt).
namespace e2e_deploy_trust_test {

using ext::test::json_ok;
using ext::test::unique;

using namespace ext;
using deploy::Json;
using test::RegistryServer;
namespace fs = std::filesystem;

namespace {

std::string wat_module(const std::string& name) {
  return test::wat_to_wasm(util::read_file(test::data_dir() / "wasm" / name));
}

// A module exporting both the HTTP and the network callbacks, as every SDK build does.
std::string both_module() {
  std::string wat = util::read_file(test::data_dir() / "wasm" / "http_0_2_1.wat");
  auto end = wat.rfind(')');
  wat.insert(end,
             "  (func (export \"proxy_on_new_connection\") (param i32) (result i32) (i32.const "
             "0))\n  (func (export \"proxy_on_downstream_data\") (param i32 i32 i32) (result "
             "i32) (i32.const 0))\n");
  return test::wat_to_wasm(wat);
}

struct Fixture {
  util::TempDir dir{"ext-deploy-trust-"};
  fs::path store = dir.path() / "store";
  fs::path http = dir.path() / "http.wasm";
  fs::path net = dir.path() / "net.wasm";
  fs::path both = dir.path() / "both.wasm";
  Fixture() {
    util::write_file_atomic(http, wat_module("http_0_2_1.wat"));
    util::write_file_atomic(net, wat_module("network_0_2_1.wat"));
    util::write_file_atomic(both, both_module());
  }
  test::ExtRun ext(std::vector<std::string> args) { return test::run_ext(args, store); }
};

}  // namespace

TEST_CASE("e2e deploy trust: the filter type is declared, never guessed", "[deploy][e2e]") {
  Fixture f;
  // A module exporting both sets: packaging without a type is an error asking for it.
  auto amb = f.ext({"build", "--wasm", f.both.string(), "-t", "acme/both:v1"});
  CHECK(amb.exit_code == 1);
  CHECK(amb.err.find("exports both HTTP and network callbacks") != std::string::npos);
  CHECK(amb.err.find("--filter-type") != std::string::npos);
  CHECK(f.ext({"list"}).out.find("acme/both") == std::string::npos);  // nothing stored

  // Declared network: the image says so, and every target uses it.
  auto b = json_ok(f.ext({"--json", "build", "--wasm", f.both.string(), "-t", "acme/both:v1",
                          "--filter-type", "network", "--root-id", "tcp_root"}));
  CHECK(b["filter_type"] == "network");
  auto envoy = f.ext({"deploy", "envoy", "acme/both:v1", "--upstream", "127.0.0.1:9000"});
  INFO(envoy.err);
  REQUIRE(envoy.exit_code == 0);
  auto boot = deploy::parse_yaml(envoy.out).value();
  const auto& filters = boot["static_resources"]["listeners"][0]["filter_chains"][0]["filters"];
  CHECK(filters[0]["name"] == "envoy.filters.network.wasm");
  CHECK(filters[0]["typed_config"]["config"]["root_id"] == "tcp_root");
  auto istio = f.ext({"deploy", "istio", "acme/both:v1", "--name", "both", "--offline"});
  REQUIRE(istio.exit_code == 0);
  CHECK(deploy::parse_yaml(istio.out).value()["spec"]["type"] == "NETWORK");
  auto gloo = f.ext({"deploy", "gloo", "acme/both:v1", "--name", "both", "--offline"});
  CHECK(gloo.exit_code == 1);
  CHECK(gloo.err.find("network filter") != std::string::npos);

  // --filter-type on deploy overrides; a type the exports do not back is refused.
  auto as_http = f.ext(
      {"deploy", "istio", "acme/both:v1", "--name", "both", "--offline", "--filter-type", "http"});
  REQUIRE(as_http.exit_code == 0);
  CHECK(deploy::parse_yaml(as_http.out).value()["spec"]["type"] == "HTTP");
  auto wrong = f.ext({"deploy", "envoy", f.http.string(), "--filter-type", "network"});
  CHECK(wrong.exit_code == 1);
  CHECK(wrong.err.find("only http callbacks") != std::string::npos);
  auto bad = f.ext({"deploy", "envoy", f.http.string(), "--filter-type", "tcp-ish"});
  CHECK(bad.exit_code == 2);
}

TEST_CASE("e2e deploy trust: the empty root id is kept everywhere", "[deploy][e2e]") {
  Fixture f;
  auto b = json_ok(f.ext(
      {"--json", "build", "--wasm", f.http.string(), "-t", "acme/empty:v1", "--root-id", ""}));
  auto insp = f.ext({"inspect", "acme/empty:v1"});
  CHECK(insp.out.find(R"("rootIds":[""])") != std::string::npos);
  CHECK(insp.out.find("root ids \"\"") != std::string::npos);
  auto envoy = f.ext({"deploy", "envoy", "acme/empty:v1"});
  REQUIRE(envoy.exit_code == 0);
  CHECK(envoy.out.find("root_id: \"\"") != std::string::npos);
  CHECK(envoy.err.find("no root id known") == std::string::npos);  // it is known: ""
  auto istio =
      json_ok(f.ext({"--json", "deploy", "istio", "acme/empty:v1", "--name", "e", "--offline"}));
  CHECK(istio["root_id"] == "");
  CHECK(istio["yaml"].get<std::string>().find("pluginName") == std::string::npos);
  auto gloo = f.ext({"deploy", "gloo", "acme/empty:v1", "--name", "e", "--offline"});
  REQUIRE(gloo.exit_code == 0);
  auto gw = deploy::parse_yaml(gloo.out).value();
  CHECK(gw["spec"]["httpGateway"]["options"]["wasm"]["filters"][0]["rootId"] == "");
}

TEST_CASE("e2e deploy trust: the pin is what the registry serves", "[deploy][e2e][registry]") {
  auto& server = test::shared_registry(RegistryServer::Mode::plain);
  Fixture f;
  auto ref = server.host() + "/" + unique("trust/pin") + ":v1";
  json_ok(f.ext({"--json", "build", "--wasm", f.http.string(), "-t", ref, "--root-id", "r"}));

  // Never pushed: an error with the push command as the hint, nothing written.
  auto out = f.dir.path() / "wp.yaml";
  auto unpushed = f.ext({"deploy", "istio", ref, "--name", "pin", "-f", out.string()});
  CHECK(unpushed.exit_code == 1);
  CHECK(unpushed.err.find("is not in the registry") != std::string::npos);
  CHECK(unpushed.err.find("hint: push it first: ext push " + ref) != std::string::npos);
  CHECK_FALSE(fs::exists(out));

  // Pushed: pinned to the digest the registry serves.
  auto pushed = json_ok(f.ext({"--json", "push", ref}));
  auto dep = json_ok(f.ext({"--json", "deploy", "istio", ref, "--name", "pin"}));
  auto wp = deploy::parse_yaml(dep["yaml"].get<std::string>()).value();
  CHECK(wp["spec"]["url"].get<std::string>().find(pushed["digest"].get<std::string>()) !=
        std::string::npos);
  auto gloo = f.ext({"deploy", "gloo", ref, "--name", "pin"});
  CHECK(gloo.exit_code == 0);

  // A local rebuild that was not pushed: the registry serves another digest.
  json_ok(f.ext({"--json", "build", "--wasm", f.http.string(), "-t", ref, "--root-id", "other"}));
  auto stale = f.ext({"deploy", "istio", ref, "--name", "pin"});
  CHECK(stale.exit_code == 1);
  CHECK(stale.err.find("but the local image is") != std::string::npos);
  CHECK(stale.err.find("ext push " + ref) != std::string::npos);
  // --offline keeps the local pin, with a warning; --strict makes that warning fail.
  auto offline = f.ext({"deploy", "istio", ref, "--name", "pin", "--offline"});
  CHECK(offline.exit_code == 0);
  CHECK(offline.err.find("warning: --offline") != std::string::npos);
  auto strict =
      f.ext({"deploy", "istio", ref, "--name", "pin", "--offline", "--strict", "-f", out.string()});
  CHECK(strict.exit_code == 1);
  CHECK_FALSE(fs::exists(out));
}

TEST_CASE("e2e deploy trust: releases decide the fields, bad versions and labels are errors",
          "[deploy][e2e]") {
  Fixture f;
  json_ok(
      f.ext({"--json", "build", "--wasm", f.http.string(), "-t", "acme/v:v1", "--root-id", "r"}));
  auto old = f.ext({"deploy", "envoy", "acme/v:v1", "--platform-version", "1.31"});
  REQUIRE(old.exit_code == 0);
  CHECK(old.out.find("failure_policy") == std::string::npos);  // Envoy 1.31 rejects it
  auto cur = f.ext({"deploy", "envoy", "acme/v:v1", "--platform-version", "1.33"});
  CHECK(cur.out.find("failure_policy: FAIL_CLOSED") != std::string::npos);
  auto reload = f.ext({"deploy", "envoy", "acme/v:v1", "--platform-version", "1.31",
                       "--fail-strategy", "FAIL_RELOAD"});
  CHECK(reload.exit_code == 1);
  CHECK(reload.err.find("Envoy 1.33") != std::string::npos);
  auto unknown = f.ext({"deploy", "envoy", "acme/v:v1", "--platform-version", "2.0"});
  CHECK(unknown.exit_code == 1);
  CHECK(unknown.err.find("not a release ext knows") != std::string::npos);
  auto refs = f.ext({"deploy", "istio", "acme/v:v1", "--name", "v", "--offline",
                     "--platform-version", "1.21", "--target-ref", "Gateway/edge"});
  CHECK(refs.exit_code == 1);
  CHECK(refs.err.find("Istio 1.22") != std::string::npos);
  auto label = f.ext({"deploy", "istio", "acme/v:v1", "--name", "v", "--offline", "--selector",
                      "app=" + std::string(70, 'a')});
  CHECK(label.exit_code == 1);
  CHECK(label.err.find("longer than 63") != std::string::npos);
  auto ns = f.ext({"deploy", "istio", "acme/v:v1", "--name", "v", "--offline", "-n", "a.b"});
  CHECK(ns.exit_code == 1);
}

TEST_CASE("e2e deploy trust: layouts a platform cannot load, --strict fails every warning",
          "[deploy][e2e]") {
  Fixture f;
  json_ok(f.ext({"--json", "build", "--wasm", f.http.string(), "-t", "acme/c:v1", "--root-id", "r",
                 "--format", "cncf"}));
  auto istio = f.ext({"deploy", "istio", "acme/c:v1", "--name", "c", "--offline"});
  CHECK(istio.exit_code == 0);
  CHECK(istio.err.find("Istio's wasm fetcher does not read") != std::string::npos);
  auto strict = f.ext({"deploy", "istio", "acme/c:v1", "--name", "c", "--offline", "--strict"});
  CHECK(strict.exit_code == 1);
  auto gloo = f.ext({"deploy", "gloo", "acme/c:v1", "--name", "c", "--offline", "--strict"});
  CHECK(gloo.exit_code == 1);
  CHECK(gloo.err.find("wasme \"oci\" layout") != std::string::npos);
}

TEST_CASE("e2e deploy trust: --bootstrap keeps tags and anchors, .json writes JSON",
          "[deploy][e2e]") {
  Fixture f;
  auto boot = f.dir.path() / "bootstrap.yaml";
  util::write_file_atomic(boot, R"(!ignore defs:
  timeout: &t 5s
admin:
  address:
    socket_address: {address: 127.0.0.1, port_value: 9901}
static_resources:
  listeners:
  - name: main
    address:
      socket_address: {address: 127.0.0.1, port_value: 8080}
    filter_chains:
    - filters:
      - name: envoy.filters.network.http_connection_manager
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
          stat_prefix: ingress
          stream_idle_timeout: *t
          route_config: {name: r, virtual_hosts: [{name: v, domains: ["*"], routes: [{match: {prefix: /}, direct_response: {status: 200}}]}]}
          http_filters:
          - name: envoy.filters.http.router
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router
)");
  auto out = f.dir.path() / "patched.yaml";
  auto r = f.ext({"deploy", "envoy", f.http.string(), "--name", "f", "--root-id", "r",
                  "--bootstrap", boot.string(), "-f", out.string()});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto text = util::read_file(out);
  // The !ignore key survives (yaml-cpp writes the tag in its verbatim form, !<!ignore>, which
  // Envoy's yaml-cpp reads back as the same tag); the alias is written as a copy of its value.
  CHECK(text.find("!ignore> defs") != std::string::npos);
  CHECK(text.find("envoy.filters.http.wasm") != std::string::npos);
  // Read back, the alias still resolves and !ignore keys stay out of the JSON view.
  auto back = deploy::parse_yaml(text).value();
  CHECK_FALSE(back.contains("defs"));
  const auto& hcm =
      back["static_resources"]["listeners"][0]["filter_chains"][0]["filters"][0]["typed_config"];
  CHECK(hcm["stream_idle_timeout"] == "5s");
  CHECK(hcm["http_filters"].size() == 2);

  // Undeploy writes back over the same document.
  auto un_out = f.dir.path() / "removed.yaml";
  auto un = f.ext({"undeploy", "envoy", "f", "--bootstrap", out.string(), "-f", un_out.string()});
  REQUIRE(un.exit_code == 0);
  auto removed = util::read_file(un_out);
  CHECK(removed.find("!ignore> defs") != std::string::npos);
  CHECK(removed.find("envoy.filters.http.wasm") == std::string::npos);

  // JSON when the file says .json: Envoy parses any other name as YAML only by extension.
  auto json_out = f.dir.path() / "envoy.json";
  auto j = f.ext({"deploy", "envoy", f.http.string(), "--root-id", "r", "-f", json_out.string()});
  REQUIRE(j.exit_code == 0);
  auto parsed = Json::parse(util::read_file(json_out));
  CHECK(parsed.contains("static_resources"));
}

TEST_CASE("e2e deploy trust: modules under the data directory, not beside --store",
          "[deploy][e2e]") {
  Fixture f;
  json_ok(
      f.ext({"--json", "build", "--wasm", f.http.string(), "-t", "acme/d:v1", "--root-id", "r"}));
  auto dep = json_ok(f.ext({"--json", "deploy", "envoy", "acme/d:v1"}));
  auto module = dep["module_file"].get<std::string>();
  CHECK(module.find(f.dir.path().string()) == std::string::npos);  // not beside the store
  CHECK(module.find("/.local/share/ext/modules/") != std::string::npos);
  CHECK_FALSE(fs::exists(f.dir.path() / "modules"));
  auto data = f.dir.path() / "data";
  auto dep2 =
      json_ok(f.ext({"--json", "--data-dir", data.string(), "deploy", "envoy", "acme/d:v1"}));
  CHECK(dep2["module_file"].get<std::string>().rfind((data / "modules").string(), 0) == 0);
}

TEST_CASE("e2e deploy trust: a pull secret file is 0600", "[deploy][e2e]") {
  Fixture f;
  json_ok(f.ext({"--json", "build", "--wasm", f.http.string(), "-t",
                 "registry.example.com/acme/s:v1", "--root-id", "r"}));
  auto docker = f.dir.path() / "docker";
  fs::create_directories(docker);
  util::write_file_atomic(docker / "config.json",
                          R"({"auths":{"registry.example.com":{"auth":"cm9ib3Q6czNjcjN0"}}})");
  auto out = f.dir.path() / "secret.yaml";
  auto r = test::run_ext(
      {"deploy", "istio", "registry.example.com/acme/s:v1", "--name", "s", "--offline",
       "--pull-secret", "regcred", "--create-pull-secret", "-f", out.string()},
      f.store, std::nullopt, {{"DOCKER_CONFIG", docker.string()}});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  struct stat st {};
  REQUIRE(::stat(out.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
}

TEST_CASE("e2e push --format F -t T writes T only, the repack equals build --format F",
          "[registry][e2e]") {
  auto& server = test::shared_registry(RegistryServer::Mode::plain);
  Fixture f;
  auto repo = server.host() + "/" + unique("trust/repack");
  auto b = json_ok(
      f.ext({"--json", "build", "--wasm", f.http.string(), "-t", repo + ":v1", "--root-id", "r"}));
  auto compat = json_ok(f.ext({"--json", "build", "--wasm", f.http.string(), "-t",
                               repo + ":compat-built", "--root-id", "r", "--format", "compat"}));
  json_ok(f.ext({"--json", "push", repo + ":v1"}));
  auto p =
      json_ok(f.ext({"--json", "push", repo + ":v1", "--format", "compat", "-t", "v1-compat"}));
  CHECK(p["tags"] == Json::array({"v1-compat"}));
  CHECK(p["digest"] == compat["package"]["digest"]);
  // v1 in the registry is still the oci image.
  auto pulled = json_ok(f.ext({"--json", "pull", repo + ":v1"}));
  CHECK(pulled["digest"] == b["package"]["digest"]);
}

TEST_CASE("e2e deploy istio --envoyfilter: a registry that needs credentials is refused",
          "[deploy][e2e][registry]") {
  auto& server = test::shared_registry(RegistryServer::Mode::tls_basic);
  Fixture f;
  auto ref = server.host() + "/" + unique("trust/ef") + ":v1";
  json_ok(f.ext({"--json", "build", "--wasm", f.http.string(), "-t", ref, "--root-id", "r"}));
  auto cfg = f.dir.path() / "auth.json";
  std::vector<std::string> tls = {"--ca-file", server.ca_file().string(), "--registry-config",
                                  cfg.string()};
  auto with = [&](std::vector<std::string> a) {
    a.insert(a.end(), tls.begin(), tls.end());
    return a;
  };
  auto login = test::run_ext(
      with({"login", server.host(), "-u", RegistryServer::k_user, "--password-stdin"}), f.store,
      std::string(RegistryServer::k_password) + "\n");
  INFO(login.err);
  REQUIRE(login.exit_code == 0);
  REQUIRE(f.ext(with({"push", ref})).exit_code == 0);
  // Envoy's remote fetch sends no credentials; the registry answers 401 to an anonymous GET.
  auto ef = f.ext(with({"deploy", "istio", ref, "--name", "ef", "--envoyfilter"}));
  CHECK(ef.exit_code == 1);
  CHECK(ef.err.find("anonymous") != std::string::npos);
  CHECK(ef.err.find("--module-url") != std::string::npos);
  // With a module URL of the user's, the EnvoyFilter is written (and its https is verified).
  auto ok = f.ext(with({"deploy", "istio", ref, "--name", "ef", "--envoyfilter", "--module-url",
                        "https://modules.example.com/ef.wasm"}));
  INFO(ok.err);
  REQUIRE(ok.exit_code == 0);
  CHECK(ok.out.find("trusted_ca") != std::string::npos);
}

TEST_CASE("e2e deploy --config: deep JSON and a YAML alias bomb are errors, not crashes",
          "[deploy][e2e]") {
  Fixture f;
  auto deep = f.dir.path() / "deep.json";
  util::write_file_atomic(deep, std::string(100000, '[') + std::string(100000, ']'));
  auto out = f.dir.path() / "never.yaml";
  auto r = f.ext({"deploy", "envoy", f.http.string(), "--root-id", "r", "--config",
                  "@" + deep.string(), "-f", out.string()});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("limit") != std::string::npos);
  CHECK_FALSE(fs::exists(out));
  // A billion laughs: nine levels of nine aliases.
  std::string lol = "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
  for (int i = 1; i <= 9; ++i) {
    std::string prev = "*a" + std::to_string(i - 1);
    lol += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [" + prev;
    for (int k = 0; k < 8; ++k) lol += ", " + prev;
    lol += "]\n";
  }
  auto bomb = f.dir.path() / "lol.yaml";
  util::write_file_atomic(bomb, lol);
  auto b = f.ext({"deploy", "envoy", f.http.string(), "--root-id", "r", "--config",
                  "@" + bomb.string(), "-f", out.string()});
  CHECK(b.exit_code == 1);
  CHECK(b.err.find("limit") != std::string::npos);
  CHECK_FALSE(fs::exists(out));
}

}  // namespace e2e_deploy_trust_test
