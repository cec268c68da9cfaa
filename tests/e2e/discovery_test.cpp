// Discover and share (docs/discovery.md), end to end with the built binary: ext.yaml metadata as
// annotations, ORAS's default layout, remote inspect, referrers (attach, discover, README on
// push), remote delete, copy between registries, search. Registries: real docker-registry on
// loopback (support/registry), which has no referrers API (the tag schema is used).
#include <unistd.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "ext/digest/digest.hpp"
#include "ext/util/files.hpp"
#include "support/expect.hpp"
#include "support/paths.hpp"
#include "support/registry/registry_server.hpp"

// Everything of this file in its own namespace: its helpers and using-directives stay out of
// the other test files of its unity batch (tests/CMakeLists.txt).
namespace e2e_discovery_test {

using ext::test::has;
using ext::test::json_ok;
using ext::test::unique;

using namespace ext;
using ext::test::RegistryServer;
using ext::test::run_ext;
namespace fs = std::filesystem;

namespace {

std::string module_bytes() {
  auto wat = util::read_file(test::data_dir() / "artifact" / "http_filter.wat");
  return test::wat_to_wasm(wat, {"--debug-names"});
}

// A project (language: custom) whose command copies a prebuilt module; `extra` is more ext.yaml.
fs::path make_project(const fs::path& dir, const std::string& name, const std::string& extra) {
  fs::create_directories(dir);
  util::write_file_atomic(dir / "prebuilt.wasm", module_bytes());
  util::write_file_atomic(dir / "ext.yaml",
                          "name: " + name +
                              "\nversion: 1.2.3\nlanguage: custom\nfilter_type: http\n"
                              "build: {command: 'cp prebuilt.wasm out.wasm', output: out.wasm}\n" +
                              extra);
  return dir;
}

const char* const k_meta = R"(description: Adds an x-ext header to every response
authors: [Ann <ann@example.com>, Bob]
license: Apache-2.0
homepage: https://example.com/add-header
source: https://github.com/acme/add-header
documentation: https://example.com/add-header/docs
keywords: [headers, demo]
platform: istio
platform_version: "1.22"
root_id: add_header
)";

}  // namespace

TEST_CASE("ext build writes ext.yaml's metadata as OCI annotations, runtime config unchanged",
          "[e2e][discovery]") {
  util::TempDir tmp;
  auto proj = make_project(tmp.path() / "p", "add-header", k_meta);
  auto store = tmp.path() / "store";
  json_ok(run_ext({"--json", "build", proj.string(), "-t", "acme/add-header:v1"}, store));
  auto j = json_ok(run_ext({"--json", "inspect", "acme/add-header:v1"}, store));
  auto a = j["annotations"];
  CHECK(a["org.opencontainers.image.title"] == "add-header");
  CHECK(a["org.opencontainers.image.version"] == "1.2.3");
  CHECK(a["org.opencontainers.image.description"] == "Adds an x-ext header to every response");
  CHECK(a["org.opencontainers.image.authors"] == "Ann <ann@example.com>, Bob");
  CHECK(a["org.opencontainers.image.licenses"] == "Apache-2.0");
  CHECK(a["org.opencontainers.image.url"] == "https://example.com/add-header");
  CHECK(a["org.opencontainers.image.source"] == "https://github.com/acme/add-header");
  CHECK(a["org.opencontainers.image.documentation"] == "https://example.com/add-header/docs");
  CHECK(a["ext.dev/keywords"] == "headers,demo");
  CHECK(a["ext.dev/root-ids"] == R"(["add_header"])");
  CHECK(a["ext.dev/platforms"] == "istio@1.22");
  CHECK(a["module.wasm.runtime/filter_type"] == "http");
  CHECK(a["module.wasm.runtime/abi_version"] == "v0.2.1");
  // The runtime config Istio, Gloo and wasme read keeps its three keys only.
  CHECK(j["layout"] == "oci");
  CHECK(j["config_content"] ==
        nlohmann::json::parse(R"({"type":"envoy_proxy","abiVersions":["v0.2.1"],)"
                              R"("config":{"rootIds":["add_header"]}})"));
}

TEST_CASE("ext build refuses a malformed keyword list and stores nothing", "[e2e][discovery]") {
  util::TempDir tmp;
  auto proj = make_project(tmp.path() / "p", "bad-keywords", "keywords: headers, demo\n");
  auto store = tmp.path() / "store";
  auto r = run_ext({"build", proj.string(), "-t", "acme/bad:v1"}, store);
  CHECK(r.exit_code == 1);
  CHECK(has(r.err, "ext.yaml:6:11: \"keywords\" must be a list of keywords"));
  auto l = json_ok(run_ext({"--json", "list"}, store))["images"];
  CHECK(l.empty());
}

namespace {

// Pushes hand-made content (support/registry/push_raw.py); returns what it prints, trimmed.
std::string push_raw(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {test::python(),
                                   (test::registry_support_dir() / "push_raw.py").string()};
  argv.insert(argv.end(), args.begin(), args.end());
  auto out = test::run_checked(argv);
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out;
}

std::string skopeo_raw(const std::string& ref) {
  return test::run_checked({"skopeo", "inspect", "--raw", "--tls-verify=false", "docker://" + ref});
}

// Builds the project in `dir` as `ref` into `store` and pushes it (README included when there
// is one); returns push's JSON.
nlohmann::json build_and_push(const fs::path& proj, const std::string& ref, const fs::path& store,
                              const std::vector<std::string>& push_flags = {}) {
  json_ok(run_ext({"--json", "build", proj.string(), "-t", ref}, store));
  std::vector<std::string> args = {"--json", "push", ref, "--project", proj.string()};
  args.insert(args.end(), push_flags.begin(), push_flags.end());
  return json_ok(run_ext(args, store));
}

}  // namespace

TEST_CASE(
    "push adds the README as a referrer, attach and discover, read back by skopeo and the "
    "referrers tag",
    "[e2e][discovery][registry]") {
  REQUIRE(test::have_program("skopeo"));
  auto& server = test::shared_registry(RegistryServer::Mode::plain);
  util::TempDir tmp;
  // The project's name is the repository's last component: its README goes with the image.
  auto name = unique("readme-filter");
  auto proj = make_project(tmp.path() / "p", name, k_meta);
  util::write_file_atomic(proj / "README.md", "# readme-filter\n\nAdds a header.\n");
  auto repo = server.host() + "/disc/" + name;
  auto store = tmp.path() / "store";
  auto p = build_and_push(proj, repo + ":v1", store);
  auto image = p["digest"].get<std::string>();
  auto readme = p["readme_digest"].get<std::string>();
  CHECK(readme.rfind("sha256:", 0) == 0);

  // The referrer, read by skopeo: subject = the image, its own artifactType, empty config.
  auto m = nlohmann::json::parse(skopeo_raw(repo + "@" + readme));
  CHECK(m["artifactType"] == "application/vnd.ext.readme.v1+markdown");
  CHECK(m["subject"]["digest"] == image);
  CHECK(m["config"]["mediaType"] == "application/vnd.oci.empty.v1+json");
  CHECK(m["layers"][0]["mediaType"] == "text/markdown");
  CHECK(m["layers"][0]["annotations"]["org.opencontainers.image.title"] == "README.md");
  // docker-registry 2.8 has no referrers API: the referrers tag sha256-<hex> lists it.
  auto tag = "sha256-" + image.substr(7);
  auto idx = nlohmann::json::parse(skopeo_raw(repo + ":" + tag));
  CHECK(idx["mediaType"] == "application/vnd.oci.image.index.v1+json");
  REQUIRE(idx["manifests"].size() == 1);
  CHECK(idx["manifests"][0]["digest"] == readme);
  CHECK(idx["manifests"][0]["artifactType"] == "application/vnd.ext.readme.v1+markdown");

  // Pushing again lists it once.
  build_and_push(proj, repo + ":v1", store);
  CHECK(nlohmann::json::parse(skopeo_raw(repo + ":" + tag))["manifests"].size() == 1);

  // attach an SBOM, and a signature of the SBOM (a referrer of a referrer).
  auto sbom = tmp.path() / "sbom.spdx.json";
  util::write_file_atomic(sbom, R"({"spdxVersion":"SPDX-2.3"})");
  auto a = json_ok(run_ext({"--json", "attach", repo + ":v1", sbom.string(), "--artifact-type",
                            "application/spdx+json", "--annotation", "org.example.tool=test"},
                           store));
  CHECK(a["subject_digest"] == image);
  CHECK(a["recorded_by"] == "tag-schema");
  CHECK(a["referrers_tag"] == tag);
  auto sig = tmp.path() / "sbom.sig";
  util::write_file_atomic(sig, "signature bytes");
  auto s = json_ok(run_ext({"--json", "attach", repo + "@" + a["digest"].get<std::string>(),
                            sig.string(), "--artifact-type", "application/vnd.example.sig.v1"},
                           store));
  CHECK(nlohmann::json::parse(skopeo_raw(
            repo + "@" + s["digest"].get<std::string>()))["subject"]["digest"] == a["digest"]);

  auto d = json_ok(run_ext({"--json", "discover", repo + ":v1"}, store));
  CHECK(d["digest"] == image);
  CHECK(d["source"] == "tag-schema");
  REQUIRE(d["referrers"].size() == 2);
  CHECK(d["referrers"][0]["digest"] == readme);
  CHECK(d["referrers"][1]["digest"] == a["digest"]);
  CHECK(d["referrers"][1]["annotations"]["org.example.tool"] == "test");
  REQUIRE(d["referrers"][1]["referrers"].size() == 1);
  CHECK(d["referrers"][1]["referrers"][0]["digest"] == s["digest"]);
  auto filtered = json_ok(run_ext(
      {"--json", "discover", repo + ":v1", "--artifact-type", "application/spdx+json"}, store));
  CHECK(filtered["referrers"].size() == 1);
  auto text = run_ext({"discover", repo + ":v1"}, store);
  CHECK(text.exit_code == 0);
  CHECK(has(text.out, "├── " + readme + "  application/vnd.ext.readme.v1+markdown  README.md"));
  CHECK(has(text.out, "    └── " + s["digest"].get<std::string>()));

  SECTION("inspect --remote shows them, and writes nothing to the store") {
    auto empty_store = tmp.path() / "untouched";
    auto i = json_ok(run_ext({"--json", "inspect", repo + ":v1"}, empty_store));
    CHECK(i["side"] == "remote");
    CHECK(i["referrers"].size() == 2);
    CHECK(i["referrers_source"] == "tag-schema");
    CHECK(i["annotations"]["ext.dev/keywords"] == "headers,demo");
    CHECK(!fs::exists(empty_store / "index.json"));
  }
  SECTION("rm --remote of a referrer removes it from the referrers tag") {
    auto r = json_ok(
        run_ext({"--json", "rm", "--remote", repo + "@" + s["digest"].get<std::string>()}, store));
    CHECK(r["deleted"][0]["referrers_tag_updated"] == true);
    auto d2 = json_ok(run_ext({"--json", "discover", repo + ":v1"}, store));
    CHECK(d2["referrers"][1]["referrers"].empty());
  }
}

TEST_CASE("a README over the size cap fails the push before anything is stored",
          "[e2e][discovery][registry]") {
  auto& server = test::shared_registry(RegistryServer::Mode::plain);
  util::TempDir tmp;
  auto name = unique("big-readme");
  auto proj = make_project(tmp.path() / "p", name, "readme: docs/BIG.md\n");
  fs::create_directories(proj / "docs");
  util::write_file_atomic(proj / "docs" / "BIG.md", std::string((256u << 10) + 1, 'x'));
  auto repo = server.host() + "/disc/" + name;
  auto store = tmp.path() / "store";
  json_ok(run_ext({"--json", "build", proj.string(), "-t", repo + ":v1"}, store));
  auto r = run_ext({"push", repo + ":v1", "--project", proj.string()}, store);
  CHECK(r.exit_code == 1);
  CHECK(has(r.err, "is 262145 bytes, over the limit of 262144"));
  CHECK(has(r.err, "--no-readme"));
  auto t = run_ext({"--json", "tags", repo}, store);
  CHECK(t.exit_code != 0);  // the repository was never created
  // --no-readme pushes the image only.
  auto ok = json_ok(
      run_ext({"--json", "push", repo + ":v1", "--project", proj.string(), "--no-readme"}, store));
  CHECK(ok["readme"].is_null());
}

TEST_CASE("a registry that lists a referrer pointing elsewhere is a clear error",
          "[e2e][discovery][registry]") {
  auto& server = test::shared_registry(RegistryServer::Mode::plain);
  util::TempDir tmp;
  auto proj = make_project(tmp.path() / "p", "liar", "");
  auto repo = server.host() + "/" + unique("disc/liar");
  auto store = tmp.path() / "store";
  auto p = build_and_push(proj, repo + ":v1", store);
  auto image = p["digest"].get<std::string>();
  // A referrer of ANOTHER manifest, listed under this image's referrers tag.
  auto note = tmp.path() / "note.txt";
  util::write_file_atomic(note, "note");
  auto other = tmp.path() / "other.wasm";
  util::write_file_atomic(other, module_bytes());
  auto empty = tmp.path() / "empty.json";
  util::write_file_atomic(empty, "{}");
  auto name = repo.substr(server.host().size() + 1);
  auto note_digest = push_raw({server.host(), name, "blob", note.string()});
  auto empty_digest = push_raw({server.host(), name, "blob", empty.string()});
  std::string elsewhere = "sha256:" + std::string(64, 'e');
  nlohmann::json m = {
      {"schemaVersion", 2},
      {"mediaType", "application/vnd.oci.image.manifest.v1+json"},
      {"artifactType", "text/plain"},
      {"config",
       {{"mediaType", "application/vnd.oci.empty.v1+json"}, {"digest", empty_digest}, {"size", 2}}},
      {"layers", {{{"mediaType", "text/plain"}, {"digest", note_digest}, {"size", 4}}}},
      {"subject",
       {{"mediaType", "application/vnd.oci.image.manifest.v1+json"},
        {"digest", elsewhere},
        {"size", 10}}}};
  auto mfile = tmp.path() / "m.json";
  util::write_file_atomic(mfile, m.dump());
  auto md = push_raw({server.host(), name, "manifest", "elsewhere-note",
                      "application/vnd.oci.image.manifest.v1+json", mfile.string()});
  nlohmann::json idx = {{"schemaVersion", 2},
                        {"mediaType", "application/vnd.oci.image.index.v1+json"},
                        {"manifests",
                         {{{"mediaType", "application/vnd.oci.image.manifest.v1+json"},
                           {"digest", md},
                           {"size", m.dump().size()},
                           {"artifactType", "text/plain"}}}}};
  auto ifile = tmp.path() / "i.json";
  util::write_file_atomic(ifile, idx.dump());
  push_raw({server.host(), name, "manifest", "sha256-" + image.substr(7),
            "application/vnd.oci.image.index.v1+json", ifile.string()});

  auto r = run_ext({"discover", repo + ":v1"}, store);
  CHECK(r.exit_code == 1);
  CHECK(has(r.err,
            "lists " + md + " as a referrer of " + image + ", but its subject is " + elsewhere));
  // copy refuses it too, after copying nothing of the referrer.
  auto target = server.host() + "/" + unique("disc/liar-copy") + ":v1";
  auto c = run_ext({"copy", repo + ":v1", target}, store);
  CHECK(c.exit_code == 1);
  CHECK(has(c.err, "but its subject is"));
  // Checked before anything was written: the target repository does not exist.
  CHECK(run_ext({"tags", target.substr(0, target.rfind(':'))}, store).exit_code != 0);
}

TEST_CASE(
    "copy an image and its referrers between two registries (one with token auth), and "
    "within one by mount",
    "[e2e][discovery][registry]") {
  auto& plain = test::shared_registry(RegistryServer::Mode::plain);
  auto& token = test::shared_registry(RegistryServer::Mode::token);
  util::TempDir tmp;
  auto name = unique("copied");
  auto proj = make_project(tmp.path() / "p", name, k_meta);
  util::write_file_atomic(proj / "README.md", "# copied\n");
  auto repo = plain.host() + "/disc/" + name;
  auto store = tmp.path() / "store";
  auto p = build_and_push(proj, repo + ":v1", store);
  json_ok(run_ext({"--json", "tag", "--remote", repo + ":v1", "v2"}, store));
  auto sbom = tmp.path() / "sbom.json";
  util::write_file_atomic(sbom, "{}");
  json_ok(run_ext(
      {"--json", "attach", repo + ":v1", sbom.string(), "--artifact-type", "application/spdx+json"},
      store));
  auto cfg = tmp.path() / "auth.json";
  const std::string pw = RegistryServer::k_password;
  REQUIRE(run_ext({"login", token.host(), "-u", RegistryServer::k_user, "--password-stdin",
                   "--registry-config", cfg.string()},
                  store, pw + "\n")
              .exit_code == 0);
  auto target = token.host() + "/" + unique("disc/copied");

  auto c = json_ok(run_ext(
      {"--json", "copy", repo + ":v1", target + ":v1", "--registry-config", cfg.string()}, store));
  CHECK(c["copied"][0]["digest"] == p["digest"]);
  CHECK(c["referrers_copied"] == 2);
  CHECK(c["blobs_mounted"] == 0);
  auto d = json_ok(
      run_ext({"--json", "discover", target + ":v1", "--registry-config", cfg.string()}, store));
  CHECK(d["digest"] == p["digest"]);
  CHECK(d["referrers"].size() == 2);
  auto i = json_ok(
      run_ext({"--json", "inspect", "--remote", target + ":v1", "--registry-config", cfg.string()},
              tmp.path() / "s2"));
  CHECK(i["layout"] == "oci");
  CHECK(i["module"]["module_digest"] == p["module_digest"]);

  SECTION("--all-tags copies every tag, not the referrers tag as a tag") {
    auto all = target + "-all";
    auto c2 = json_ok(run_ext(
        {"--json", "copy", "--all-tags", repo, all, "--registry-config", cfg.string()}, store));
    CHECK(c2["copied"].size() == 2);
    auto t = json_ok(run_ext({"--json", "tags", all, "--registry-config", cfg.string()}, store));
    auto tags = t["tags"].get<std::vector<std::string>>();
    std::sort(tags.begin(), tags.end());
    // v1, v2 and the referrers tag the target's referrers were recorded under.
    REQUIRE(tags.size() == 3);
    CHECK(tags[0].rfind("sha256-", 0) == 0);
    CHECK(tags[1] == "v1");
    CHECK(tags[2] == "v2");
  }
  SECTION("within one registry, blobs are mounted") {
    auto same = plain.host() + "/" + unique("disc/mounted") + ":v1";
    auto c3 = json_ok(run_ext({"--json", "copy", repo + ":v1", same}, store));
    CHECK(c3["blobs_mounted"].get<int>() >= 2);
    CHECK(c3["referrers_copied"] == 2);
  }
}

TEST_CASE("inspect --remote and pull read ORAS's default layout", "[e2e][discovery][registry]") {
  auto& server = test::shared_registry(RegistryServer::Mode::plain);
  util::TempDir tmp;
  auto name = unique("disc/oras");
  auto wasm = tmp.path() / "my-filter.wasm";
  util::write_file_atomic(wasm, module_bytes());
  auto readme = tmp.path() / "README.md";
  util::write_file_atomic(readme, "# oras\n");
  auto empty = tmp.path() / "empty.json";
  util::write_file_atomic(empty, "{}");
  auto wd = push_raw({server.host(), name, "blob", wasm.string()});
  auto rd = push_raw({server.host(), name, "blob", readme.string()});
  auto ed = push_raw({server.host(), name, "blob", empty.string()});
  auto layer = [](const std::string& d, uint64_t size, const std::string& title) {
    return nlohmann::json{{"mediaType", "application/vnd.oci.image.layer.v1.tar"},
                          {"digest", d},
                          {"size", size},
                          {"annotations", {{"org.opencontainers.image.title", title}}}};
  };
  // What `oras push REG/REPO:v1 README.md my-filter.wasm` writes (oras-go v2.6.0 defaults).
  nlohmann::json m = {{"schemaVersion", 2},
                      {"mediaType", "application/vnd.oci.image.manifest.v1+json"},
                      {"artifactType", "application/vnd.unknown.artifact.v1"},
                      {"config",
                       {{"mediaType", "application/vnd.oci.empty.v1+json"},
                        {"digest", ed},
                        {"size", 2},
                        {"data", "e30="}}},
                      {"layers",
                       {layer(rd, fs::file_size(readme), "README.md"),
                        layer(wd, fs::file_size(wasm), "my-filter.wasm")}}};
  auto mfile = tmp.path() / "m.json";
  util::write_file_atomic(mfile, m.dump());
  push_raw({server.host(), name, "manifest", "v1", "application/vnd.oci.image.manifest.v1+json",
            mfile.string()});
  auto ref = server.host() + "/" + name + ":v1";
  auto store = tmp.path() / "store";
  auto i = json_ok(run_ext({"--json", "inspect", "--remote", ref}, store));
  CHECK(i["layout"] == "oras");
  CHECK(i["module"]["module_digest"] == wd);
  CHECK(i["module"]["abi"] == "v0.2.1");
  CHECK(!fs::exists(store / "index.json"));
  auto out = tmp.path() / "out.wasm";
  auto pl = json_ok(run_ext({"--json", "pull", ref, "-o", out.string()}, store));
  CHECK(pl["layout"] == "oras");
  CHECK(util::read_file(out) == module_bytes());
}

TEST_CASE("rm --remote deletes a manifest", "[e2e][discovery][registry]") {
  auto& server = test::shared_registry(RegistryServer::Mode::plain);
  util::TempDir tmp;
  auto proj = make_project(tmp.path() / "p", "doomed", "");
  auto repo = server.host() + "/" + unique("disc/doomed");
  auto store = tmp.path() / "store";
  auto p = build_and_push(proj, repo + ":v1", store);
  auto r = json_ok(run_ext({"--json", "rm", "--remote", repo + ":v1"}, store));
  CHECK(r["deleted"][0]["digest"] == p["digest"]);
  auto i = run_ext({"inspect", "--remote", repo + ":v1"}, tmp.path() / "s2");
  CHECK(i.exit_code == 1);
  CHECK(has(i.err, "no image " + repo + ":v1 in " + server.host()));
  // A registry that does not allow deletes (405, as docker-registry without
  // storage.delete.enabled answers): said so, exit 1, the manifest stays.
  auto repo2 = server.host() + "/" + unique("disc/kept");
  auto p2 = build_and_push(proj, repo2 + ":v1", store);
  test::FaultProxy proxy(server.host());
  proxy.arm("DELETE ", {"405"});
  auto through = proxy.host() + repo2.substr(server.host().size());
  auto refused = run_ext({"rm", "--remote", through + ":v1"}, store);
  CHECK(refused.exit_code == 1);
  CHECK(has(refused.err, "does not allow deleting manifests"));
  CHECK(has(refused.err, "HTTP 405"));
  CHECK(json_ok(run_ext({"--json", "inspect", "--remote", repo2 + ":v1"},
                        tmp.path() / "s3"))["digest"] == p2["digest"]);
  // The local store keeps its copy: rm --remote touches the registry only.
  CHECK(json_ok(run_ext({"--json", "inspect", "--local", repo + ":v1"}, store))["side"] == "local");
}

TEST_CASE(
    "search across two registries (one with token auth), with the cache, filters, an "
    "unreachable registry and a catalog that lists an empty repository",
    "[e2e][discovery][registry][search]") {
  auto& plain = test::shared_registry(RegistryServer::Mode::plain);
  auto& token = test::shared_registry(RegistryServer::Mode::token);
  test::FaultProxy proxy(plain.host());
  util::TempDir tmp;
  auto prefix = unique("bulk");
  auto wasm = tmp.path() / "f.wasm";
  util::write_file_atomic(wasm, module_bytes());
  push_raw({plain.host(), "disc/" + prefix, "fill", "55", wasm.string()});
  // One filter in the token registry, built from ext.yaml (its keywords carry the prefix).
  auto store = tmp.path() / "store";
  auto cfg = tmp.path() / "auth.json";
  REQUIRE(run_ext({"login", token.host(), "-u", RegistryServer::k_user, "--password-stdin",
                   "--registry-config", cfg.string()},
                  store, std::string(RegistryServer::k_password) + "\n")
              .exit_code == 0);
  auto proj = make_project(tmp.path() / "p", "tokfilter", k_meta);
  // keywords: replace the demo list with one naming the prefix.
  auto yaml = util::read_file(proj / "ext.yaml");
  yaml.replace(yaml.find("keywords: [headers, demo]"), 25, "keywords: [headers, " + prefix + "]");
  util::write_file_atomic(proj / "ext.yaml", yaml);
  auto tref = token.host() + "/" + unique("disc/tokfilter") + ":v1";
  json_ok(run_ext({"--json", "build", proj.string(), "-t", tref}, store));
  json_ok(
      run_ext({"--json", "push", tref, "--no-readme", "--registry-config", cfg.string()}, store));

  auto data = tmp.path() / "data";
  auto search = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = {"--json",     "--data-dir",        data.string(), "search",
                                     prefix,       "--registry",        proxy.host(),  "--registry",
                                     token.host(), "--registry-config", cfg.string()};
    args.insert(args.end(), extra.begin(), extra.end());
    return json_ok(run_ext(args, store, std::nullopt, {{"EXT_HTTP_RETRY_BUDGET", "1"}}));
  };
  proxy.clear();
  auto first = search({});
  CHECK(first["results"].size() == 56);
  CHECK(first["manifests_read"].get<int>() >= 56);
  auto first_requests = proxy.requests();
  int first_gets = 0;
  for (const auto& r : first_requests)
    first_gets += r.rfind("GET ", 0) == 0 && has(r, "/manifests/");
  CHECK(first_gets >= 55);
  for (const auto& hit : first["results"]) {
    if (!has(hit["reference"].get<std::string>(), "-0:")) continue;
    CHECK(hit["tag"] == "latest");
    CHECK(hit["description"] == "bulk filter number 0");
    CHECK(hit["abi"] == "v0.2.1");
    CHECK(hit["type"] == "http");
    CHECK(hit["size"].get<uint64_t>() > 100);
  }

  // The steps below run in order on the one setup above (as SECTIONs, Catch would repeat the
  // 56-image setup for each); the last one removes an image.
  {
    INFO("a second search within --max-age sends the catalog only; after it, HEADs and lists");
    proxy.clear();
    auto second = search({});
    CHECK(second["results"] == first["results"]);
    CHECK(second["manifests_read"] == 0);
    CHECK(second["cache_hits"].get<int>() >= 56);
    // The catalog (and the tag lists of repositories with nothing cached: the shared registry
    // holds emptied repositories of other tests); no manifest request at all.
    auto reqs = proxy.requests();
    for (const auto& r : reqs) {
      INFO(r);
      CHECK_FALSE(has(r, "/manifests/"));
    }
    CHECK(reqs.size() * 10 < first_requests.size());
    // --max-age 0: each repository revalidated with its tag list and a HEAD, no manifest body.
    proxy.clear();
    auto third = search({"--max-age", "0"});
    CHECK(third["results"] == first["results"]);
    CHECK(third["manifests_read"] == 0);
    int gets = 0, heads = 0;
    for (const auto& r : proxy.requests()) {
      gets += r.rfind("GET ", 0) == 0 && has(r, "/manifests/");
      heads += r.rfind("HEAD ", 0) == 0 && has(r, "/manifests/");
    }
    CHECK(gets == 0);
    CHECK(heads >= 55);
    // --refresh reads them again.
    proxy.clear();
    CHECK(search({"--refresh"})["manifests_read"].get<int>() >= 56);
  }
  {
    INFO("filters");
    CHECK(search({"--type", "network"})["results"].size() == 27);
    CHECK(search({"--platform", "istio@1.22"})["results"].size() == 1);
    CHECK(search({"--platform", "istio"})["results"].size() == 1);
    CHECK(search({"--license", "apache-2.0"})["results"].size() == 1);
    CHECK(search({"--abi", "0.2.1"})["results"].size() == 56);
    auto kw = search({"--type", "http"});
    CHECK(kw["results"].size() == 29);  // 28 even-numbered bulk filters + the token one
  }
  {
    INFO("an unreachable registry is a warning; the others still answer");
    auto dead = "127.0.0.1:" + std::to_string(test::free_port());
    auto r = search({"--registry", dead});
    CHECK(r["results"].size() == 56);
    bool warned = false;
    for (const auto& w : r["warnings"])
      warned = warned || has(w.get<std::string>(), "skipping " + dead);
    CHECK(warned);
  }
  {
    INFO("a catalog listing a repository with nothing in it: a warning, the rest answer");
    auto gone = plain.host() + "/disc/" + prefix + "-3:latest";
    json_ok(run_ext({"--json", "rm", "--remote", gone}, store));
    auto r = search({"--refresh"});
    CHECK(r["results"].size() == 55);
    bool warned = false;
    for (const auto& w : r["warnings"])
      warned = warned || has(w.get<std::string>(), "disc/" + prefix + "-3");
    CHECK(warned);
  }
}

TEST_CASE("search: a registry without the catalog API is searched through --repo",
          "[e2e][discovery][registry][search]") {
  auto& plain = test::shared_registry(RegistryServer::Mode::plain);
  test::FaultProxy proxy(plain.host());
  util::TempDir tmp;
  auto prefix = unique("nocat");
  auto wasm = tmp.path() / "f.wasm";
  util::write_file_atomic(wasm, module_bytes());
  push_raw({plain.host(), "disc/" + prefix, "fill", "2", wasm.string()});
  // The proxy answers the catalog with 404, as many hosted registries do.
  proxy.arm("GET /v2/_catalog", {"404", "404", "404"});
  auto data = tmp.path() / "data";
  auto r = run_ext({"--json", "--data-dir", data.string(), "search", "--registry", proxy.host()});
  auto j = json_ok(r);
  CHECK(j["results"].empty());
  CHECK(has(r.err, "does not list its repositories"));
  CHECK(has(r.err, "--repo " + proxy.host() + "/REPOSITORY"));
  auto named = run_ext({"--json", "--data-dir", data.string(), "search", "--repo",
                        proxy.host() + "/disc/" + prefix + "-1"});
  auto jn = json_ok(named);
  CHECK(has(named.err, "has no catalog API; searching the 1 repositories named with --repo"));
  REQUIRE(jn["results"].size() == 1);
  CHECK(jn["results"][0]["repository"] == "disc/" + prefix + "-1");
}

TEST_CASE("inspect --remote reads each layout ext pushes, writing nothing locally",
          "[e2e][discovery][registry]") {
  auto& server = test::shared_registry(RegistryServer::Mode::plain);
  util::TempDir tmp;
  auto wasm = tmp.path() / "f.wasm";
  util::write_file_atomic(wasm, module_bytes());
  auto store = tmp.path() / "store";
  auto repo = server.host() + "/" + unique("disc/layouts");
  for (std::string format : {"oci", "compat", "cncf"}) {
    INFO(format);
    auto ref = repo + ":" + format;
    json_ok(run_ext({"--json", "build", "--wasm", wasm.string(), "-t", ref, "--format", format,
                     "--filter-type", "http"},
                    store));
    json_ok(run_ext({"--json", "push", ref, "--no-readme"}, store));
    auto empty = tmp.path() / ("empty-" + format);
    auto i = json_ok(run_ext({"--json", "inspect", ref}, empty));
    CHECK(i["side"] == "remote");
    CHECK(i["layout"] == format);
    CHECK(i["module"]["module_digest"] == digest::sha256(module_bytes()).to_string());
    CHECK(i["referrers"].empty());
    CHECK(!fs::exists(empty / "index.json"));
    // --local refuses what the local store does not hold.
    auto l = run_ext({"inspect", "--local", ref}, empty);
    CHECK(l.exit_code == 1);
    CHECK(has(l.err, "in the local store"));
  }
  // A bare name stays local (no request to docker.io) and says how to look remotely.
  auto bare = run_ext({"inspect", "acme/nothing:v1"}, store);
  CHECK(bare.exit_code == 1);
  CHECK(has(bare.err, "ext inspect --remote"));
}

}  // namespace e2e_discovery_test
