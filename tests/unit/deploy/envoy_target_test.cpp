// EnvoyTarget: generated bootstraps (golden), patching a user's bootstrap, removal, errors.
#include <catch2/catch.hpp>

#include "ext/deploy/envoy_target.hpp"
#include "ext/util/files.hpp"
#include "support/deploy/deploy_support.hpp"
#include "support/paths.hpp"

using namespace ext;
using namespace ext::deploy;

namespace {

Plugin http_plugin() {
  Plugin p;
  p.name = "add-header";
  p.root_id = "add_header";
  p.config = *parse_config_arg(R"({"header":"x-ext","value":"hello"})");
  return p;
}

const Json& wasm_config_of(const Json& filter) {
  return filter.at("typed_config").at("config");
}

Json load(const std::string& name) {
  return *parse_yaml(util::read_file(test::data_dir() / "deploy" / name));
}

// Golden check plus: our reader and PyYAML both read the YAML back to the same document.
void check_golden(const std::string& name, const Rendered& r) {
  std::string yaml = r.yaml();
  CHECK(test::golden_diff(name, yaml) == "");
  auto back = parse_yaml_documents(yaml);
  REQUIRE(back);
  REQUIRE(back->size() == r.documents.size());
  for (size_t i = 0; i < r.documents.size(); ++i) CHECK((*back)[i].dump() == r.documents[i].dump());
  auto py = test::pyyaml_load(yaml);
  for (size_t i = 0; i < r.documents.size(); ++i)
    CHECK(py[i] == nlohmann::json::parse(r.documents[i].dump()));
}

}  // namespace

TEST_CASE("envoy: default bootstrap for an HTTP filter", "[deploy]") {
  EnvoyOptions o;
  o.module_filename = "/home/u/.local/share/ext/modules/abc.wasm";
  auto r = EnvoyTarget(o).render(http_plugin());
  REQUIRE(r);
  check_golden("envoy_http_default.yaml", *r);

  auto b = *parse_yaml(r->yaml());
  CHECK(b["admin"]["address"]["socket_address"]["address"] == "127.0.0.1");
  CHECK(b["admin"]["address"]["socket_address"]["port_value"] == 9901);
  auto& l = b["static_resources"]["listeners"][0];
  CHECK(l["address"]["socket_address"]["address"] == "127.0.0.1");
  CHECK(l["address"]["socket_address"]["port_value"] == 8080);
  auto& hcm = l["filter_chains"][0]["filters"][0];
  CHECK(hcm["name"] == "envoy.filters.network.http_connection_manager");
  CHECK(hcm["typed_config"]["@type"] == k_hcm_type);
  auto& hf = hcm["typed_config"]["http_filters"];
  REQUIRE(hf.size() == 2);
  // Every filter carries typed_config, the router included, and the router is last.
  for (auto& f : hf) CHECK(f["typed_config"]["@type"].is_string());
  CHECK(hf[0]["name"] == "envoy.filters.http.wasm");
  CHECK(hf[0]["typed_config"]["@type"] == k_http_wasm_type);
  CHECK(hf[1]["typed_config"]["@type"] == k_router_type);
  auto& c = wasm_config_of(hf[0]);
  CHECK(c["name"] == "add-header");
  CHECK(c["root_id"] == "add_header");
  CHECK(c["failure_policy"] == "FAIL_CLOSED");
  CHECK_FALSE(c.contains("fail_open"));
  CHECK(c["configuration"]["@type"] == "type.googleapis.com/google.protobuf.StringValue");
  CHECK(c["configuration"]["value"] == R"({"header":"x-ext","value":"hello"})");
  CHECK(c["vm_config"]["runtime"] == "envoy.wasm.runtime.v8");
  CHECK(c["vm_config"]["code"]["local"]["filename"] == "/home/u/.local/share/ext/modules/abc.wasm");
  // No --upstream: a direct response, no cluster.
  auto& route = hcm["typed_config"]["route_config"]["virtual_hosts"][0]["routes"][0];
  CHECK(route["direct_response"]["status"] == 200);
  CHECK_FALSE(b["static_resources"].contains("clusters"));
}

TEST_CASE("envoy: --listen, --admin, --upstream, --runtime, fail open", "[deploy]") {
  EnvoyOptions o;
  o.module_filename = "/srv/f.wasm";
  o.listen = "[::1]:10000";
  o.admin = "127.0.0.1:19000";
  o.upstream = "httpbin.local:8000";
  o.runtime = "wamr";
  auto p = http_plugin();
  p.fail = FailStrategy::fail_open;
  p.config.reset();
  auto r = EnvoyTarget(o).render(p);
  REQUIRE(r);
  check_golden("envoy_http_upstream.yaml", *r);
  auto b = *parse_yaml(r->yaml());
  auto& l = b["static_resources"]["listeners"][0];
  CHECK(l["address"]["socket_address"]["address"] == "::1");
  CHECK(l["address"]["socket_address"]["port_value"] == 10000);
  CHECK(b["admin"]["address"]["socket_address"]["port_value"] == 19000);
  auto& hcm = l["filter_chains"][0]["filters"][0]["typed_config"];
  CHECK(hcm["route_config"]["virtual_hosts"][0]["routes"][0]["route"]["cluster"] == "upstream");
  auto& c = wasm_config_of(hcm["http_filters"][0]);
  CHECK(c["failure_policy"] == "FAIL_OPEN");
  CHECK(c["vm_config"]["runtime"] == "envoy.wasm.runtime.wamr");
  CHECK_FALSE(c.contains("configuration"));
  auto& cl = b["static_resources"]["clusters"][0];
  CHECK(cl["name"] == "upstream");
  CHECK(cl["type"] == "STRICT_DNS");
  CHECK(cl["load_assignment"]["endpoints"][0]["lb_endpoints"][0]["endpoint"]["address"]
          ["socket_address"]["address"] == "httpbin.local");
  CHECK(cl["load_assignment"]["endpoints"][0]["lb_endpoints"][0]["endpoint"]["address"]
          ["socket_address"]["port_value"] == 8000);

  o.upstream = "10.0.0.5:80";
  auto ip = EnvoyTarget(o).render(p);
  REQUIRE(ip);
  CHECK(ip->documents[0]["static_resources"]["clusters"][0]["type"] == "STATIC");
}

TEST_CASE("envoy: a network filter goes into the TCP chain before tcp_proxy", "[deploy]") {
  EnvoyOptions o;
  o.module_filename = "/srv/net.wasm";
  o.upstream = "127.0.0.1:5432";
  Plugin p;
  p.name = "conn-count";
  p.root_id = "conn_count";
  p.type = FilterType::network;
  auto r = EnvoyTarget(o).render(p);
  REQUIRE(r);
  check_golden("envoy_network_tcp.yaml", *r);
  auto& filters =
      r->documents[0]["static_resources"]["listeners"][0]["filter_chains"][0]["filters"];
  REQUIRE(filters.size() == 2);
  CHECK(filters[0]["name"] == "envoy.filters.network.wasm");
  CHECK(filters[0]["typed_config"]["@type"] == k_network_wasm_type);
  CHECK(filters[0]["typed_config"]["config"]["root_id"] == "conn_count");
  CHECK(filters[1]["name"] == "envoy.filters.network.tcp_proxy");
  CHECK(filters[1]["typed_config"]["@type"] == k_tcp_proxy_type);
  CHECK(filters[1]["typed_config"]["cluster"] == "upstream");

  // Without an upstream the network filter precedes the HCM (direct response).
  o.upstream.clear();
  auto r2 = EnvoyTarget(o).render(p);
  REQUIRE(r2);
  auto& f2 = r2->documents[0]["static_resources"]["listeners"][0]["filter_chains"][0]["filters"];
  REQUIRE(f2.size() == 2);
  CHECK(f2[0]["name"] == "envoy.filters.network.wasm");
  CHECK(f2[1]["name"] == "envoy.filters.network.http_connection_manager");
}

TEST_CASE("envoy: --bootstrap inserts before the router of every HCM, keeps the rest", "[deploy]") {
  EnvoyOptions o;
  o.module_filename = "/srv/f.wasm";
  auto in = load("bootstrap_in.yaml");
  auto r = EnvoyTarget(o).patch(in, http_plugin());
  REQUIRE(r);
  check_golden("envoy_bootstrap_patched.yaml", *r);
  auto& out = r->documents[0];
  // Everything else unchanged: compare with the input after removing our filter again.
  auto removed = EnvoyTarget::remove(out, "add-header");
  REQUIRE(removed);
  auto expect = in;
  // The router without typed_config got one (Envoy >= 1.22 needs it).
  expect["static_resources"]["listeners"][0]["filter_chains"][0]["filters"][0]["typed_config"]
        ["http_filters"][1]["typed_config"]["@type"] = k_router_type;
  CHECK(removed->documents[0].dump() == expect.dump());

  auto& ls = out["static_resources"]["listeners"];
  auto& pub = ls[0]["filter_chains"][0]["filters"][0]["typed_config"]["http_filters"];
  REQUIRE(pub.size() == 3);
  CHECK(pub[0]["name"] == "envoy.filters.http.cors");
  CHECK(wasm_config_of(pub[1])["name"] == "add-header");
  CHECK(pub[2]["name"] == "envoy.filters.http.router");
  CHECK(pub[2]["typed_config"]["@type"] == k_router_type);
  auto& internal = ls[1]["filter_chains"][0]["filters"][0]["typed_config"]["http_filters"];
  REQUIRE(internal.size() == 2);
  CHECK(wasm_config_of(internal[0])["name"] == "add-header");
  // The TCP listener is untouched by an HTTP filter.
  CHECK(ls[2]["filter_chains"][0]["filters"].size() == 1);
  CHECK(out["node"]["id"] == "edge-1");
  CHECK(out["static_resources"]["clusters"][0]["connect_timeout"] == "0.25s");

  // Same name again: updated in place, not duplicated.
  auto p2 = http_plugin();
  p2.config = *parse_config_arg(R"({"header":"x-ext","value":"v2"})");
  auto again = EnvoyTarget(o).patch(out, p2);
  REQUIRE(again);
  auto& pub2 = again->documents[0]["static_resources"]["listeners"][0]["filter_chains"][0]
                               ["filters"][0]["typed_config"]["http_filters"];
  REQUIRE(pub2.size() == 3);
  CHECK(wasm_config_of(pub2[1])["configuration"]["value"] == R"({"header":"x-ext","value":"v2"})");
  CHECK(again->notes[0].find("updated add-header in place") != std::string::npos);

  // A second filter keeps an explicit order: --before add-header puts it first of the two.
  Plugin second;
  second.name = "auth";
  second.root_id = "auth";
  EnvoyOptions o2 = o;
  o2.placement.before = "add-header";
  o2.listener = "public";
  auto both = EnvoyTarget(o2).patch(again->documents[0], second);
  REQUIRE(both);
  auto& pub3 = both->documents[0]["static_resources"]["listeners"][0]["filter_chains"][0]["filters"]
                              [0]["typed_config"]["http_filters"];
  REQUIRE(pub3.size() == 4);
  CHECK(wasm_config_of(pub3[1])["name"] == "auth");
  CHECK(wasm_config_of(pub3[2])["name"] == "add-header");
  // --listener public: the internal listener did not get "auth".
  auto& int3 = both->documents[0]["static_resources"]["listeners"][1]["filter_chains"][0]["filters"]
                              [0]["typed_config"]["http_filters"];
  CHECK(int3.size() == 2);
  // Default placement for a third one: after the other wasm filters, before the router.
  Plugin third;
  third.name = "stats";
  EnvoyOptions o3 = o;
  o3.listener = "public";
  auto three = EnvoyTarget(o3).patch(both->documents[0], third);
  REQUIRE(three);
  auto& pub4 = three->documents[0]["static_resources"]["listeners"][0]["filter_chains"][0]
                               ["filters"][0]["typed_config"]["http_filters"];
  REQUIRE(pub4.size() == 5);
  CHECK(wasm_config_of(pub4[3])["name"] == "stats");
  CHECK(pub4[4]["name"] == "envoy.filters.http.router");

  // Remove takes out only that plugin.
  auto rm = EnvoyTarget::remove(three->documents[0], "auth");
  REQUIRE(rm);
  auto& pub5 = rm->documents[0]["static_resources"]["listeners"][0]["filter_chains"][0]["filters"]
                            [0]["typed_config"]["http_filters"];
  CHECK(pub5.size() == 4);
  CHECK(EnvoyTarget::remove(rm->documents[0], "auth").error().code() == Errc::not_found);
}

TEST_CASE("envoy: network filter into an existing bootstrap goes before each terminal",
          "[deploy]") {
  EnvoyOptions o;
  o.module_filename = "/srv/net.wasm";
  o.listener = "db";
  Plugin p;
  p.name = "conn-count";
  p.type = FilterType::network;
  auto r = EnvoyTarget(o).patch(load("bootstrap_in.yaml"), p);
  REQUIRE(r);
  auto& f = r->documents[0]["static_resources"]["listeners"][2]["filter_chains"][0]["filters"];
  REQUIRE(f.size() == 2);
  CHECK(f[0]["typed_config"]["@type"] == k_network_wasm_type);
  CHECK(f[1]["name"] == "envoy.filters.network.tcp_proxy");
}

TEST_CASE("envoy: bad bootstraps and options", "[deploy]") {
  EnvoyOptions o;
  o.module_filename = "/srv/f.wasm";
  // Only a TCP listener: no HTTP connection manager.
  auto in = load("bootstrap_in.yaml");
  EnvoyOptions only_db = o;
  only_db.listener = "db";
  auto no_hcm = EnvoyTarget(only_db).patch(in, http_plugin());
  REQUIRE_FALSE(no_hcm);
  CHECK(no_hcm.error().code() == Errc::validation);
  CHECK(no_hcm.error().message() ==
        "the bootstrap has no HTTP connection manager in listener \"db\"");

  EnvoyOptions missing = o;
  missing.listener = "nope";
  auto nl = EnvoyTarget(missing).patch(in, http_plugin());
  REQUIRE_FALSE(nl);
  CHECK(nl.error().code() == Errc::not_found);

  auto dyn = EnvoyTarget(o).patch(load("bootstrap_dynamic.yaml"), http_plugin());
  REQUIRE_FALSE(dyn);
  CHECK(dyn.error().message() == "the bootstrap has no static listeners");
  CHECK(dyn.error().hint().find("xDS") != std::string::npos);

  EnvoyOptions before = o;
  before.placement.before = "missing-filter";
  auto nb = EnvoyTarget(before).patch(in, http_plugin());
  REQUIRE_FALSE(nb);
  CHECK(nb.error().message().find("no filter named \"missing-filter\"") != std::string::npos);

  for (std::string bad : {"8080", "host:", "host:99999", "::1:80", "[::1]80"}) {
    INFO(bad);
    EnvoyOptions b = o;
    b.listen = bad;
    auto r = EnvoyTarget(b).render(http_plugin());
    REQUIRE_FALSE(r);
    CHECK(r.error().code() == Errc::invalid_argument);
  }
  EnvoyOptions same = o;
  same.admin = "127.0.0.1:8080";
  CHECK_FALSE(EnvoyTarget(same).render(http_plugin()));
  EnvoyOptions wavm = o;
  wavm.runtime = "wavm";
  auto w = EnvoyTarget(wavm).render(http_plugin());
  REQUIRE_FALSE(w);
  CHECK(w.error().code() == Errc::unsupported);
  CHECK(*runtime_name("envoy.wasm.runtime.wasmtime") == "envoy.wasm.runtime.wasmtime");
}
