// ops::Env: the default folders come from the environment it is given (never the test
// process's), the defaults a test leaves unset (never null), and config.yaml loaded once per Env.
#include <catch2/catch.hpp>

#include "ext/core/error.hpp"
#include "ext/ops/env.hpp"
#include "ext/util/files.hpp"

using namespace ext;
namespace fs = std::filesystem;

TEST_CASE("ops::Env: default store, data and settings paths from the given environment",
          "[ops][environment]") {
  util::Environment none;
  CHECK(ops::default_store_root(none) == "/tmp/.local/share/ext/store");  // no HOME: /tmp
  CHECK(ops::default_settings_path(none) == "/tmp/.config/ext/config.yaml");

  util::Environment home{{"HOME", "/home/u"}};
  CHECK(ops::default_store_root(home) == "/home/u/.local/share/ext/store");
  CHECK(ops::default_data_root(home) == "/home/u/.local/share/ext");
  CHECK(ops::default_settings_path(home) == "/home/u/.config/ext/config.yaml");

  util::Environment xdg{{"HOME", "/home/u"}, {"XDG_DATA_HOME", "/d"}, {"XDG_CONFIG_HOME", "/c"}};
  CHECK(ops::default_store_root(xdg) == "/d/ext/store");
  CHECK(ops::default_data_root(xdg) == "/d/ext");
  CHECK(ops::default_settings_path(xdg) == "/c/ext/config.yaml");

  util::Environment ext_vars{
      {"HOME", "/home/u"}, {"EXT_STORE", "/s"}, {"EXT_DATA_DIR", "/dd"}, {"EXT_CONFIG", "/c.yaml"}};
  CHECK(ops::default_store_root(ext_vars) == "/s");
  CHECK(ops::default_data_root(ext_vars) == "/dd");
  CHECK(ops::default_settings_path(ext_vars) == "/c.yaml");
  // A flag wins; an empty variable counts as unset.
  CHECK(ops::default_store_root(ext_vars, "/flag") == "/flag");
  util::Environment empty_var{{"HOME", "/h"}, {"EXT_STORE", ""}};
  CHECK(ops::default_store_root(empty_var) == "/h/.local/share/ext/store");
}

TEST_CASE("util::Environment: from envp, first entry wins, PATH default", "[ops][environment]") {
  const char* envp[] = {"A=1", "B=", "A=2", "NOEQUALS", "=x", nullptr};
  auto e = util::Environment::from_envp(envp);
  CHECK(e.get("A") == "1");  // as getenv(3): the first one
  CHECK(e.get("B") == "");
  CHECK_FALSE(e.non_empty("B"));
  CHECK_FALSE(e.get("NOEQUALS"));
  CHECK(e.vars().size() == 2);
  CHECK(e.path() == "/usr/local/bin:/usr/bin:/bin");
  e.set("PATH", "");
  CHECK(e.path().empty());  // set but empty: no folder, as before
}

TEST_CASE("ops::Env: config.yaml is loaded once per Env, again by a copy", "[ops][environment]") {
  util::TempDir dir;
  ops::Env env;
  env.settings_path = dir.path() / "config.yaml";
  CHECK(env.settings()->default_registry.empty());  // no file: empty settings
  util::write_file_atomic(env.settings_path, "default_registry: a.example\n");
  CHECK(env.settings()->default_registry.empty());  // kept for the rest of the use case
  ops::Env copy = env;
  CHECK(copy.settings()->default_registry == "a.example");
  copy.set_settings(project::Settings{});
  CHECK(copy.settings()->default_registry.empty());
}

TEST_CASE("ops::Env: holds a reporter, a runner, a clock and a transport factory, never null",
          "[ops][environment]") {
  ops::Env env;  // what a test leaves unset
  CHECK(&env.reporter.get() == &null_reporter());
  CHECK(&env.clock.get() == &system_clock());
  CHECK(&env.runner.get() == &util::no_process_runner());
  CHECK(static_cast<bool>(env.http_transport));  // libcurl's
  // The default runner starts nothing: no program runs with an environment nobody gave it.
  try {
    env.runner.get().run(util::ProcessSpec{{"true"}});
    FAIL("the default runner ran a program");
  } catch (const Error& e) {
    CHECK(e.code() == Errc::internal);
    CHECK_THAT(e.message(), Catch::Contains("true"));
  }
  // A copy rebinds its own (the hub gives each request its own reporter); the original keeps its.
  CollectingReporter rep;
  ops::Env copy = env;
  copy.reporter = rep;
  copy.reporter.get().warn("to the copy's reporter");
  CHECK(rep.entries().size() == 1);
  CHECK(&env.reporter.get() == &null_reporter());
}
