// scripts/package builds the Debian package (CPack, lintian with no error); installed into a
// scratch root with `dpkg -x`, its ext runs: version, init, build. Hidden from the discovered
// tests ("[.]"): tests/CMakeLists.txt adds it once as the CTest test `package.deb` (label
// `package`).
#include <catch2/catch.hpp>

#include "ext/util/files.hpp"
#include "ext/util/process.hpp"
#include "ext/util/strings.hpp"
#include "support/expect.hpp"
#include "support/paths.hpp"

using ext::test::has;

namespace {

ext::util::ProcessResult run(const std::vector<std::string>& argv,
                             const std::map<std::string, std::string>& env = {},
                             const std::filesystem::path& cwd = {}) {
  ext::util::ProcessSpec spec;
  spec.argv = argv;
  spec.env = env;
  spec.cwd = cwd;
  ext::util::SubprocessRunner runner{ext::test::host_environment()};
  return runner.run(spec);
}

}  // namespace

TEST_CASE("scripts/package: a lintian-clean .deb whose ext runs from a scratch root",
          "[.][package]") {
  for (const char* tool : {"cpack", "lintian", "dpkg-deb", "dpkg-shlibdeps", "help2man"})
    ext::test::require_tool(tool);
  ext::util::TempDir tmp("ext-package-");
  auto build = ext::test::ext_binary().parent_path().parent_path();
  auto pkg =
      run({(ext::test::source_dir() / "scripts/package").string()},
          {{"EXT_BUILD_DIR", build.string()}, {"EXT_PACKAGE_DIR", (tmp.path() / "out").string()}});
  INFO(pkg.err);
  REQUIRE(pkg.exit_code == 0);  // lintian found no error
  std::string deb(ext::util::trim(pkg.out.substr(pkg.out.rfind('\n', pkg.out.size() - 2) + 1)));
  REQUIRE(std::filesystem::exists(deb));
  CHECK_FALSE(has(pkg.err, "E: "));
  CHECK_FALSE(has(pkg.err, "W: "));  // and no warning (scripts/package says so)

  // The control fields: Depends from dpkg-shlibdeps (the libraries the binary links).
  auto control = run({"dpkg-deb", "-f", deb});
  REQUIRE(control.exit_code == 0);
  INFO(control.out);
  CHECK(has(control.out, "Package: ext\n"));
  CHECK(has(control.out, "Section: devel\n"));
  CHECK(has(control.out, "Maintainer: "));
  for (const char* lib : {"libc6", "libcurl4", "libarchive13", "libssl3", "libyaml-cpp"})
    CHECK(has(control.out, lib));

  auto root = tmp.path() / "root";
  REQUIRE(run({"dpkg-deb", "-x", deb, root.string()}).exit_code == 0);
  auto ext = root / "usr/bin/ext";
  REQUIRE(std::filesystem::exists(ext));
  for (const char* f :
       {"usr/share/man/man1/ext.1.gz", "usr/share/bash-completion/completions/ext",
        "usr/share/zsh/vendor-completions/_ext", "usr/share/fish/vendor_completions.d/ext.fish",
        "usr/share/doc/ext/copyright", "usr/share/doc/ext/changelog.gz"})
    CHECK(std::filesystem::exists(root / f));
  // The man page documents every command (scripts/lib/man-include), deploy's targets included.
  auto man = run({"sh", "-c", "gzip -dc " + (root / "usr/share/man/man1/ext.1.gz").string()});
  CHECK(has(man.out, ".SH COMMANDS"));
  for (const char* verb :
       {"ext init", "ext build", "ext push", "ext deploy istio", "ext completion"})
    CHECK(has(man.out, std::string(".SS \"") + verb + "\""));

  // The installed ext: version, then a project from scratch, built and packaged.
  std::map<std::string, std::string> env = {
      {"HOME", (tmp.path() / "home").string()},
      {"XDG_DATA_HOME", (tmp.path() / "home/.local/share").string()},
      {"XDG_CONFIG_HOME", (tmp.path() / "home/.config").string()},
      {"EXT_STORE", (tmp.path() / "store").string()}};
  auto version = run({ext.string(), "version"}, env);
  CHECK(version.exit_code == 0);
  CHECK(has(version.out, "ext "));
  auto init = run({ext.string(), "init", "hello", "--no-prompt"}, env, tmp.path());
  INFO(init.err);
  REQUIRE(init.exit_code == 0);
  auto built =
      run({ext.string(), "--json", "build", "-t", "acme/hello:v1"}, env, tmp.path() / "hello");
  INFO(built.err);
  REQUIRE(built.exit_code == 0);
  CHECK(has(built.out, "docker.io/acme/hello:v1"));
  auto tested = run({ext.string(), "test"}, env, tmp.path() / "hello");
  CHECK(tested.exit_code == 0);
}
