// Referrers (distribution-spec v1.1.1) and manifest deletes with the shared in-memory registry
// (tests/support/registry/fake_registry.hpp): the
// referrers API when the registry has it (OCI-Subject), the referrers tag schema when it does
// not, a tag that holds something else, a delete the registry does not allow.
#include <catch2/catch.hpp>
#include <map>

#include "ext/core/error.hpp"
#include "ext/oci/media_types.hpp"
#include "ext/registry/client.hpp"
#include "ext/registry/referrers.hpp"
#include "support/registry/fake_registry.hpp"

using namespace ext;

namespace {

registry::Client client_for(std::shared_ptr<test::FakeRegistry> fake) {
  registry::ClientOptions o;
  o.registry = "registry.example.com";
  o.base_url = "https://registry.example.com";
  return registry::Client(fake, o);
}

oci::Manifest referrer_of(const oci::Descriptor& subject, const std::string& type) {
  oci::Manifest m;
  m.artifact_type = type;
  m.config = oci::Descriptor::for_bytes(oci::media::k_empty, "{}");
  m.layers = {oci::Descriptor::for_bytes("text/plain", type)};
  m.subject = subject;
  m.annotations = {{"org.example.kind", type}};
  return m;
}

}  // namespace

TEST_CASE("referrers tag schema: sha256-<hex>", "[registry][discovery]") {
  auto d = digest::sha256("x");
  CHECK(registry::referrers_tag(d) == "sha256-" + d.hex());
}

TEST_CASE("referrers without the API: the tag schema's index is kept up to date",
          "[registry][discovery]") {
  auto fake = std::make_shared<test::FakeRegistry>();
  fake->referrers_api = false;
  auto client = client_for(fake);
  auto subject = oci::Descriptor::for_bytes(oci::media::k_manifest, "{\"subject\":1}");
  CHECK(registry::list_referrers(client, "acme/f", subject.digest).manifests.empty());

  auto m = referrer_of(subject, "application/spdx+json");
  auto bytes = m.serialize();
  auto d = oci::Descriptor::for_bytes(oci::media::k_manifest, bytes);
  auto pushed = registry::push_referrer(client, "acme/f", m, d, bytes);
  CHECK_FALSE(pushed.via_api);
  CHECK(pushed.tag_updated);
  // Pushed twice: listed once (distribution-spec: no duplicate entries).
  registry::push_referrer(client, "acme/f", m, d, bytes);
  auto list = registry::list_referrers(client, "acme/f", subject.digest);
  CHECK_FALSE(list.from_api);
  REQUIRE(list.manifests.size() == 1);
  CHECK(list.manifests[0].digest == d.digest);
  CHECK(list.manifests[0].artifact_type == "application/spdx+json");
  CHECK(list.manifests[0].annotations.at("org.example.kind") == "application/spdx+json");
  // The filter applies to the tag schema (client side).
  CHECK(registry::list_referrers(client, "acme/f", subject.digest, "x/y").manifests.empty());
  // No artifactType: the config's media type (distribution-spec "Pushing Manifests with Subject").
  auto m2 = m;
  m2.artifact_type.clear();
  m2.config = oci::Descriptor::for_bytes("application/vnd.example.config+json", "{}");
  auto b2 = m2.serialize();
  registry::push_referrer(client, "acme/f", m2,
                          oci::Descriptor::for_bytes(oci::media::k_manifest, b2), b2);
  list = registry::list_referrers(client, "acme/f", subject.digest);
  REQUIRE(list.manifests.size() == 2);
  CHECK(list.manifests[1].artifact_type == "application/vnd.example.config+json");
  // Deleting drops the entry.
  CHECK(registry::remove_from_referrers_tag(client, "acme/f", subject.digest, d.digest));
  CHECK(registry::list_referrers(client, "acme/f", subject.digest).manifests.size() == 1);
}

TEST_CASE("referrers with the API: OCI-Subject, no tag written", "[registry][discovery]") {
  auto fake = std::make_shared<test::FakeRegistry>();
  fake->referrers_api = true;
  auto client = client_for(fake);
  auto subject = oci::Descriptor::for_bytes(oci::media::k_manifest, "{\"s\":2}");
  auto m = referrer_of(subject, "application/vnd.dev.cosign.simplesigning.v1+json");
  auto bytes = m.serialize();
  auto d = oci::Descriptor::for_bytes(oci::media::k_manifest, bytes);
  auto pushed = registry::push_referrer(client, "acme/f", m, d, bytes);
  CHECK(pushed.via_api);
  CHECK_FALSE(pushed.tag_updated);
  for (const auto& line : fake->log()) CHECK(line.find("sha256-") == std::string::npos);
  auto list = registry::list_referrers(client, "acme/f", subject.digest);
  CHECK(list.from_api);
  REQUIRE(list.manifests.size() == 1);
  CHECK(list.manifests[0].digest == d.digest);
}

TEST_CASE("a referrers tag that holds no index is an error, not an empty list",
          "[registry][discovery]") {
  auto fake = std::make_shared<test::FakeRegistry>();
  fake->referrers_api = false;
  auto client = client_for(fake);
  auto subject = oci::Descriptor::for_bytes(oci::media::k_manifest, "{\"s\":3}");
  oci::Manifest other;
  other.config = oci::Descriptor::for_bytes(oci::media::k_empty, "{}");
  auto body = other.serialize();
  fake->put_manifest("acme/f", registry::referrers_tag(subject.digest), oci::media::k_manifest,
                     body);
  try {
    registry::list_referrers(client, "acme/f", subject.digest);
    FAIL("expected an error");
  } catch (const Error& e) {
    CHECK(e.code() == Errc::registry);
    CHECK_THAT(e.message(), Catch::Contains("not an image index"));
  }
}

TEST_CASE("delete_manifest: a registry without deletes says so", "[registry][discovery]") {
  auto fake = std::make_shared<test::FakeRegistry>();
  auto client = client_for(fake);
  auto d = digest::sha256("m");
  CHECK(fake->put_manifest("acme/f", "", oci::media::k_manifest, "m") == d.to_string());
  client.delete_manifest("acme/f", d);
  CHECK(fake->log().back() == "DELETE /v2/acme/f/manifests/" + d.to_string());
  CHECK_FALSE(fake->manifest("acme/f", d.to_string()));
  fake->deletes_allowed = false;
  try {
    client.delete_manifest("acme/f", d);
    FAIL("expected an error");
  } catch (const Error& e) {
    CHECK(e.code() == Errc::unsupported);
    CHECK_THAT(e.message(), Catch::Contains("does not allow deleting manifests"));
    CHECK(e.http_status() == 405);
  }
}
