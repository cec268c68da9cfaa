// ops::prune waits for the store's writers on the Env's clock (a FakeClock here: a minute of
// polls without a real minute), then says the store is busy.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include "ext/core/error.hpp"
#include "ext/ops/prune.hpp"
#include "ext/store/oci_layout_store.hpp"
#include "support/ops/ops_env.hpp"
#include "support/store/image_fixture.hpp"

using namespace ext;
using namespace std::chrono_literals;

TEST_CASE("ops::prune: a store another writer holds is busy after a minute of the Env's clock",
          "[ops][prune][clock]") {
  test::OpsEnv t;
  {
    store::OciLayoutStore local(t.env.store_root);
    test::put_image(local, {"registry.example/acme/f:v1"});
  }
  // Another process writing to the store: a shared lock on blobs.lock through its own file.
  int fd = ::open((t.env.store_root / store::OciLayoutStore::k_writers_lock).c_str(),
                  O_RDWR | O_CLOEXEC);
  REQUIRE(fd >= 0);
  REQUIRE(::flock(fd, LOCK_SH) == 0);
  try {
    ops::prune({}, t.env);
    FAIL("prune ran while another writer held the store");
  } catch (const Error& e) {
    CHECK(e.code() == Errc::failed);
    CHECK_THAT(e.message(), Catch::Contains("is busy"));
  }
  ::close(fd);
  CHECK(t.clock.elapsed() >= 60s);  // waited on the fake clock
  CHECK(t.clock.sleeps().front() == 50ms);
}
