// `ext hub --open` (lib/ext/hub/browser.hpp): the command that opens the page ($BROWSER, else
// xdg-open), run through the ProcessRunner, and what is said when it fails.
#include <catch2/catch.hpp>

#include "ext/core/error.hpp"
#include "ext/hub/browser.hpp"
#include "support/fake_runner.hpp"

using namespace ext;
using V = std::vector<std::string>;

TEST_CASE("hub --open: xdg-open by default, else $BROWSER's first command", "[hub][open]") {
  const std::string url = "http://127.0.0.1:8765/";
  CHECK(hub::opener_argv("", url) == V{"xdg-open", url});
  CHECK(hub::opener_argv("  ", url) == V{"xdg-open", url});
  CHECK(hub::opener_argv("firefox", url) == V{"firefox", url});
  CHECK(hub::opener_argv("chromium --new-window", url) == V{"chromium", "--new-window", url});
  CHECK(hub::opener_argv("w3m:lynx", url) == V{"w3m", url});
  CHECK(hub::opener_argv("open-it --url=%s --x", url) == V{"open-it", "--url=" + url, "--x"});
  // No shell: the variable's text is never interpreted.
  CHECK(hub::opener_argv("sh -c 'rm -rf ~'", url) == V{"sh", "-c", "'rm", "-rf", "~'", url});
}

TEST_CASE("hub --open: runs the opener through the runner, a failure is a warning", "[hub][open]") {
  const std::string url = "http://127.0.0.1:41234/";
  test::FakeRunner runner;
  CHECK_FALSE(hub::open_page(url, runner, ""));
  REQUIRE(runner.calls().size() == 1);
  CHECK(runner.calls()[0].argv == V{"xdg-open", url});
  // Not captured: a browser xdg-open starts inherits its output and would hold the hub back.
  CHECK_FALSE(runner.calls()[0].capture);

  runner.push({3, "", "no method available"});
  auto w = hub::open_page(url, runner, "my-browser");
  REQUIRE(w);
  CHECK(*w == "my-browser exited with 3: open " + url + " yourself");
  CHECK(runner.calls()[1].argv == V{"my-browser", url});

  runner.set_handler([](const util::ProcessSpec& s) -> util::ProcessResult {
    throw Error(Errc::not_found, s.argv[0] + " was not found");
  });
  w = hub::open_page(url, runner, "");
  REQUIRE(w);
  CHECK(*w == "xdg-open was not found: open " + url + " yourself");
}
