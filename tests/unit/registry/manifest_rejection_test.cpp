// A registry that refuses a custom artifact manifest (405/415, MANIFEST_INVALID) gets the hint to
// push with --format compat; other failures do not. The shared FakeTransport plays the registry,
// refusing every request the same way.
#include <catch2/catch.hpp>

#include "ext/core/error.hpp"
#include "ext/digest/digest.hpp"
#include "ext/http/transport.hpp"
#include "ext/oci/media_types.hpp"
#include "ext/registry/client.hpp"
#include "support/http/fake_transport.hpp"

using namespace ext;

namespace {

Error put_refused(int status, const std::string& body, const std::string& media_type) {
  auto transport = std::make_shared<test::FakeTransport>();
  transport->answer_for("", {.status = status, .body = body});
  registry::ClientOptions o;
  o.registry = "registry.example.com";
  o.base_url = "https://registry.example.com";
  registry::Client client(transport, o);
  std::string manifest = R"({"schemaVersion":2})";
  oci::Descriptor d;
  d.media_type = media_type;
  d.digest = digest::sha256(manifest);
  d.size = static_cast<int64_t>(manifest.size());
  try {
    client.put_manifest("acme/filter", "v1", d, manifest);
  } catch (const Error& e) {
    REQUIRE(transport->log() == std::vector<std::string>{"PUT /v2/acme/filter/manifests/v1"});
    // The manifest's own Content-Type.
    CHECK(transport->requests()[0].headers.get("Content-Type").value_or("") == media_type);
    return e;
  }
  FAIL("the PUT was expected to fail");
  return Error(Errc::failed, "");
}

}  // namespace

TEST_CASE("a refused custom manifest hints at --format compat", "[registry]") {
  for (int status : {405, 415}) {
    INFO(status);
    auto e = put_refused(status, "", oci::media::k_manifest);
    CHECK_THAT(e.message(), Catch::Contains("acme/filter:v1"));
    CHECK_THAT(e.hint(), Catch::Contains("--format compat"));
  }
  auto invalid =
      put_refused(400, R"({"errors":[{"code":"MANIFEST_INVALID","message":"unknown media type"}]})",
                  oci::media::k_manifest);
  CHECK_THAT(invalid.message(), Catch::Contains("MANIFEST_INVALID"));
  CHECK_THAT(invalid.hint(), Catch::Contains("--format compat"));

  // Not a media-type problem: no such hint.
  auto denied = put_refused(
      403,
      R"({"errors":[{"code":"DENIED","message":"requested access to the resource is denied"}]})",
      oci::media::k_manifest);
  CHECK_THAT(denied.hint(), !Catch::Contains("--format compat"));
  auto server = put_refused(500, "", oci::media::k_manifest);
  CHECK_THAT(server.hint(), !Catch::Contains("--format compat"));
}
