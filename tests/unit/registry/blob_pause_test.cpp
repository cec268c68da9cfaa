// The pauses of blob transfers (registry/blob_transfer.cpp) wait on the client's clock: a cut
// download resumed with Range, a monolithic upload restarted in a new session, a chunk resent
// after the upload-status check. The shared FakeRegistry plays the registry, answering the
// failures from its script; a FakeClock takes the pauses, so the test asserts them, never times.
#include <catch2/catch.hpp>

#include <algorithm>

#include "ext/oci/descriptor.hpp"
#include "ext/registry/client.hpp"
#include "support/fake_clock.hpp"
#include "support/registry/fake_registry.hpp"

using namespace ext;
using namespace std::chrono_literals;
using Ms = std::vector<std::chrono::milliseconds>;

namespace {

struct PauseRig {
  std::shared_ptr<test::FakeRegistry> registry = std::make_shared<test::FakeRegistry>();
  test::FakeClock clock;
  std::string blob;
  oci::Descriptor desc;

  explicit PauseRig(size_t size = 10000) {
    for (size_t i = 0; i < size; ++i) blob.push_back(static_cast<char>('a' + i * 7 % 26));
    desc = oci::Descriptor::for_bytes("application/octet-stream", blob);
  }
  registry::Client client(registry::ClientOptions o = {}) {
    o.registry = "registry.example.com";
    o.base_url = "https://registry.example.com";
    o.clock = &clock;
    return registry::Client(registry, o);
  }
  std::string blob_url() const { return "/v2/acme/f/blobs/" + desc.digest.to_string(); }
};

std::string read_all(store::BlobReader& r) {
  std::string out;
  char buf[1024];
  while (size_t n = r.read(buf, sizeof buf)) out.append(buf, n);
  return out;
}

}  // namespace

TEST_CASE("blob download: a cut body is resumed after a pause on the client's clock",
          "[registry][faults][clock]") {
  PauseRig rig;
  rig.registry->put_blob("acme/f", rig.blob);
  // The first GET of the blob ends after 4000 of its 10000 bytes.
  rig.registry->answer_for("GET " + rig.blob_url(), {.body = rig.blob.substr(0, 4000)}, 1);
  auto client = rig.client();
  auto reader = client.open_blob("acme/f", rig.desc);
  CHECK(read_all(*reader) == rig.blob);
  CHECK(rig.clock.sleeps() == Ms{100ms});  // the pause, taken on the fake clock
  auto requests = rig.registry->requests();
  REQUIRE(requests.size() == 2);
  CHECK(requests[1].headers.get("Range") == "bytes=4000-");  // resumed, not started over
}

TEST_CASE("blob upload: a lost session is restarted after a pause on the client's clock",
          "[registry][faults][clock]") {
  PauseRig rig;
  // The registry forgets the session before the PUT (distribution-spec BLOB_UPLOAD_UNKNOWN).
  rig.registry->answer_for(
      "PUT /v2/acme/f/blobs/uploads/",
      {.status = 404,
       .body = R"({"errors":[{"code":"BLOB_UPLOAD_UNKNOWN","message":"upload unknown"}]})"},
      1);
  auto client = rig.client();
  auto writer = client.create_blob("acme/f", rig.desc);
  writer->write(rig.blob.data(), rig.blob.size());
  writer->commit();
  CHECK(rig.registry->blob("acme/f", rig.desc.digest.to_string()) == rig.blob);
  CHECK(rig.clock.sleeps() == Ms{100ms});
  auto log = rig.registry->log();
  CHECK(std::count_if(log.begin(), log.end(), [](const std::string& l) {
          return l == "POST /v2/acme/f/blobs/uploads/";
        }) == 2);  // a new session
}

TEST_CASE("chunked upload: a failed chunk is resent after pauses on the client's clock",
          "[registry][faults][clock]") {
  PauseRig rig;
  registry::ClientOptions o;
  o.monolithic_max = 1000;
  o.chunk_size = 4096;
  // The first PATCH loses its connection, the second gets a 500: each time the writer asks the
  // session's status, pauses 100 ms x attempt, and sends the chunk again.
  rig.registry->answer_for("PATCH ", {.drop = true}, 1);
  rig.registry->answer_for("PATCH ", {.status = 500}, 1);
  auto client = rig.client(o);
  auto writer = client.create_blob("acme/f", rig.desc);
  writer->write(rig.blob.data(), rig.blob.size());
  writer->commit();
  CHECK(rig.registry->blob("acme/f", rig.desc.digest.to_string()) == rig.blob);
  CHECK(rig.clock.sleeps() == Ms{100ms, 200ms});
}
