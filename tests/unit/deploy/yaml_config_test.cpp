// YAML in/out, plugin configuration parsing, Kubernetes names, the platform/ABI table.
#include <catch2/catch.hpp>

#include "ext/deploy/kube.hpp"
#include "ext/deploy/platform.hpp"
#include "ext/deploy/plugin_config.hpp"
#include "ext/deploy/yaml.hpp"
#include "ext/util/files.hpp"
#include "support/deploy/deploy_support.hpp"

using namespace ext;
using namespace ext::deploy;

TEST_CASE("YAML emitter quotes every string that would read back as another type", "[deploy]") {
  Json doc = Json::object();
  doc["@type"] = "type.googleapis.com/google.protobuf.StringValue";
  doc["port"] = 8080;
  doc["port_text"] = "8080";
  doc["yes"] = "yes";
  doc["on"] = "on";
  doc["null_text"] = "null";
  doc["tilde"] = "~";
  doc["true_text"] = "true";
  doc["bool"] = true;
  doc["float_text"] = "1.5";
  doc["ip"] = "127.0.0.1";
  doc["star"] = Json::array({"*"});
  doc["json"] = "{\"header\":\"x-ext\",\"value\":\"hello: world # not a comment\"}";
  doc["multi"] = "line one\nline two\n";
  doc["empty"] = "";
  doc["empty_map"] = Json::object();
  doc["empty_list"] = Json::array();
  doc["dash"] = "-leading";
  doc["colon"] = "a: b";
  doc["unicode"] = "héllo ✓";
  doc["nested"] = Json::array(
      {Json::object({{"a", 1}, {"b", Json::array({1, "2", nullptr})}}), Json::array({"x", "y"})});
  std::string yaml = to_yaml(doc);

  // Our own reader gives the same value back, key order included.
  auto back = parse_yaml(yaml);
  REQUIRE(back);
  CHECK(back->dump() == doc.dump());
  // So does an independent reader (PyYAML, YAML 1.1 rules: yes/on would be booleans there).
  CHECK(test::pyyaml_load(yaml)[0] == nlohmann::json::parse(doc.dump()));
  CHECK(yaml.find("\"@type\": type.googleapis.com/google.protobuf.StringValue\n") !=
        std::string::npos);
  CHECK(yaml.find("port: 8080\n") != std::string::npos);
  CHECK(yaml.find("port_text: \"8080\"\n") != std::string::npos);
}

TEST_CASE("YAML reader: core schema scalars, quoted strings, errors with positions", "[deploy]") {
  auto j = parse_yaml("a: 1\nb: \"1\"\nc: true\nd: 'true'\ne: ~\nf: 1.5\ng: text\nh: [1, two]\n");
  REQUIRE(j);
  CHECK((*j)["a"] == 1);
  CHECK((*j)["b"] == "1");
  CHECK((*j)["c"] == true);
  CHECK((*j)["d"] == "true");
  CHECK((*j)["e"].is_null());
  CHECK((*j)["f"] == 1.5);
  CHECK((*j)["g"] == "text");
  CHECK((*j)["h"] == Json::array({1, "two"}));

  auto bad = parse_yaml("a: [1, 2\nb: 3\n", "in.yaml");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code() == Errc::parse);
  CHECK_THAT(bad.error().message(), Catch::Matches("in\\.yaml:[0-9]+:[0-9]+: .*"));
  auto key = parse_yaml("a: 1\n? [x]\n: 2\n", "k.yaml");
  REQUIRE_FALSE(key);
  CHECK(key.error().message() == "k.yaml:2:3: only scalar mapping keys are supported");
  CHECK_FALSE(parse_yaml(""));

  // YAML 1.2 core schema beyond JSON's numbers (as Envoy's and Kubernetes' readers resolve).
  auto core = parse_yaml("hex: 0x1F\nplus: +5\nhalf: .5\nbig: 99999999999999999999\n");
  REQUIRE(core);
  CHECK((*core)["hex"] == 31);
  CHECK((*core)["plus"] == 5);
  CHECK((*core)["half"] == 0.5);
  CHECK((*core)["big"] == "99999999999999999999");

  auto docs = parse_yaml_documents("a: 1\n---\n---\nb: 2\n");
  REQUIRE(docs);
  REQUIRE(docs->size() == 2);
  CHECK(to_yaml_documents(*docs) == "a: 1\n---\nb: 2\n");
}

TEST_CASE("YAML round trip: unchanged nodes keep their tags and quoting, aliases become copies",
          "[deploy]") {
  const std::string original =
      "!ignore defs:\n  timeout: &t 5s\nkeep: yes\nport: \"8080\"\nn: 0x10\n"
      "list:\n- name: a\n  v: 1\n- !local {x: 1}\nuse: *t\n";
  auto view = parse_yaml(original, "b.yaml");
  REQUIRE(view);
  CHECK_FALSE(view->contains("defs"));
  CHECK((*view)["keep"] == "yes");
  CHECK((*view)["use"] == "5s");
  Json changed = *view;
  changed["list"][0]["v"] = 2;
  changed["list"].push_back(Json::object({{"name", "true"}}));
  changed["added"] = "on";
  auto text = patch_yaml_text(original, changed, "b.yaml");
  REQUIRE(text);
  CHECK(*text ==
        "!<!ignore> defs:\n  timeout: 5s\nkeep: yes\nport: \"8080\"\nn: 0x10\nlist:\n"
        "- name: a\n  v: 2\n- !<!local>\n  x: 1\n- name: \"true\"\nuse: 5s\nadded: \"on\"\n");
  auto back = parse_yaml(*text);
  REQUIRE(back);
  CHECK(*back == changed);

  auto bad = patch_yaml_text("a: [1\n", Json::object(), "b.yaml");
  REQUIRE_FALSE(bad);
  CHECK_THAT(bad.error().message(), Catch::StartsWith("b.yaml:"));
}

TEST_CASE("plugin config (--config): JSON text, @file.json, @file.yaml, raw @file, clear errors",
          "[deploy]") {
  auto obj = parse_config_arg(R"({"header":"x-ext","value":"hello"})");
  REQUIRE(obj);
  CHECK(obj->raw == R"({"header":"x-ext","value":"hello"})");
  REQUIRE(obj->as_object());

  auto str = parse_config_arg(R"("world")");
  REQUIRE(str);
  CHECK(str->raw == "world");  // a JSON string is passed as its content
  CHECK_FALSE(str->as_object());

  auto bad = parse_config_arg("{header: x}");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code() == Errc::parse);
  CHECK(bad.error().message().find("invalid JSON in --config") != std::string::npos);
  CHECK(bad.error().message().find("line 1") != std::string::npos);
  CHECK_FALSE(parse_config_arg(""));

  util::TempDir dir;
  util::write_file_atomic(dir.path() / "c.json", "{\"b\": 2, \"a\": [1]}");
  util::write_file_atomic(dir.path() / "c.yaml", "header: x-ext\nvalue: \"42\"\nlist: [1, 2]\n");
  util::write_file_atomic(dir.path() / "bad.yaml", "a: [1\n");
  util::write_file_atomic(dir.path() / "bad.json", "{\"a\": }");
  util::write_file_atomic(dir.path() / "c.txt", "KEY=VALUE\n");

  auto fj = parse_config_arg("@c.json", dir.path());
  REQUIRE(fj);
  CHECK(fj->raw == R"({"b":2,"a":[1]})");  // key order kept
  auto fy = parse_config_arg("@" + (dir.path() / "c.yaml").string());
  REQUIRE(fy);
  CHECK(fy->raw == R"({"header":"x-ext","value":"42","list":[1,2]})");
  auto ft = parse_config_arg("@c.txt", dir.path());
  REQUIRE(ft);
  CHECK(ft->raw == "KEY=VALUE\n");
  CHECK_FALSE(ft->value);

  auto by = parse_config_arg("@bad.yaml", dir.path());
  REQUIRE_FALSE(by);
  CHECK(by.error().code() == Errc::parse);
  CHECK_THAT(by.error().message(), Catch::Matches(".*bad\\.yaml:[0-9]+:[0-9]+: .*"));
  auto bj = parse_config_arg("@bad.json", dir.path());
  REQUIRE_FALSE(bj);
  CHECK(bj.error().message().find("bad.json") != std::string::npos);
  auto missing = parse_config_arg("@nope.json", dir.path());
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code() == Errc::not_found);

  auto proj = config_from_project(Json("{\"header\":\"x-ext\"}"));
  CHECK(proj.raw == "{\"header\":\"x-ext\"}");
  CHECK(proj.as_object());
  auto proj_text = config_from_project(Json("KEY=VALUE"));
  CHECK(proj_text.raw == "KEY=VALUE");
  CHECK_FALSE(proj_text.value);
  auto proj_map = config_from_project(Json::parse(R"({"a":1})"));
  CHECK(proj_map.raw == R"({"a":1})");
}

TEST_CASE("Kubernetes names", "[deploy]") {
  CHECK(validate_kube_name("add-header"));
  CHECK(validate_kube_name("a"));
  CHECK(validate_kube_name("filter.v2"));
  CHECK(validate_kube_name(std::string(63, 'a')));
  for (std::string bad :
       std::vector<std::string>{"", "Add-Header", "add_header", "-a", "a-", "a..b", "a.-b",
                                std::string(64, 'a'), "a b", "a/b"}) {
    INFO(bad);
    auto r = validate_kube_name(bad, "--name");
    REQUIRE_FALSE(r);
    CHECK(r.error().code() == Errc::invalid_argument);
    CHECK(r.error().message().find("not a valid Kubernetes name") != std::string::npos);
  }
}

TEST_CASE("platform versions and ABI support", "[deploy]") {
  auto v = Version::parse("v1.22.3-distroless");
  REQUIRE(v);
  CHECK(*v == Version{1, 22, 3});
  CHECK(Version::parse("1.30")->minor == 30);
  CHECK_FALSE(Version::parse("latest"));
  CHECK_FALSE(Version::parse("1"));

  CHECK(check_compat(Platform::envoy, std::nullopt, "0.2.1", false).empty());
  CHECK(check_compat(Platform::envoy, Version{1, 30, 0}, "0.1.0", false).empty());
  auto old = check_compat(Platform::istio, Version{1, 6, 0}, "0.2.1", false);
  REQUIRE(old.size() == 1);
  CHECK(old[0].rule == "abi-unsupported");
  CHECK(old[0].message.find("supports only v0.1.0") != std::string::npos);
  auto istio18 = check_compat(Platform::istio, Version{1, 8, 0}, "0.2.1", false);
  REQUIRE(istio18.size() == 1);
  CHECK(check_compat(Platform::istio, Version{1, 8, 0}, "0.2.0", false).empty());
  auto none = check_compat(Platform::envoy, std::nullopt, "", false);
  REQUIRE(none.size() == 1);
  CHECK(none[0].rule == "abi-missing");
  CHECK(check_compat(Platform::gloo, std::nullopt, "0.2.1", true)[0].rule == "component");
  CHECK(check_compat(Platform::envoy, Version{1, 14, 0}, "0.2.1", false)[0].rule ==
        "platform-too-old");
}

TEST_CASE("kubectl invocations: argv, stdin, errors", "[deploy]") {
  test::FakeRunner fake;
  Kubectl k(fake, {"/opt/kubectl", "kind-dev"});
  util::ProcessResult ok;
  ok.exit_code = 0;
  ok.out = "wasmplugin.extensions.istio.io/f created\n";
  fake.push(ok);
  CHECK(k.apply("kind: X\n") == ok.out);
  auto calls = fake.calls();
  REQUIRE(calls.size() == 1);
  CHECK(calls[0].argv ==
        std::vector<std::string>{"/opt/kubectl", "--context", "kind-dev", "apply", "-f", "-"});
  CHECK(calls[0].stdin_data == std::optional<std::string>("kind: X\n"));

  util::ProcessResult denied;
  denied.exit_code = 1;
  denied.err = "error: You must be logged in to the server (Unauthorized)\nmore\n";
  fake.push(denied);
  try {
    k.apply("kind: X\n");
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.message() ==
          "kubectl apply failed (exit 1): error: You must be logged in to the server "
          "(Unauthorized)");
  }

  util::ProcessResult no_crd;
  no_crd.exit_code = 1;
  no_crd.err = "error: the server doesn't have a resource type \"envoyfilters\"\n";
  fake.push(no_crd);
  CHECK_FALSE(k.delete_by_label("envoyfilters.networking.istio.io", "prod", "a=b"));
  CHECK(fake.calls().back().argv ==
        std::vector<std::string>{"/opt/kubectl", "--context", "kind-dev", "delete",
                                 "envoyfilters.networking.istio.io", "-n", "prod", "-l", "a=b",
                                 "--ignore-not-found"});

  util::ProcessResult nf;
  nf.exit_code = 1;
  nf.err = "Error from server (NotFound): gateways.gateway.solo.io \"gw\" not found\n";
  fake.push(nf);
  try {
    k.get("gateways.gateway.solo.io", "gw", "gloo-system");
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.code() == Errc::not_found);
  }
}
