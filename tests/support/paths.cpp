#include "support/paths.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>

#include "ext/core/error.hpp"

extern char** environ;

namespace ext::test {

const util::Environment& host_environment() {
  static const util::Environment e = util::Environment::from_envp(environ);
  return e;
}

std::filesystem::path source_dir() {
  return EXT_SOURCE_DIR;
}
std::filesystem::path data_dir() {
  return EXT_TEST_DATA;
}
std::filesystem::path ext_binary() {
  return EXT_BINARY;
}

namespace {
const std::filesystem::path& private_home() {
  static util::TempDir dir("ext-test-home-");
  return dir.path();
}
// HOME, DOCKER_CONFIG and XDG_* point into a private folder; ext's own variables are unset.
void isolate(util::ProcessSpec& spec) {
  const auto& home = private_home();
  spec.env = {{"HOME", home.string()},
              {"DOCKER_CONFIG", (home / ".docker").string()},
              {"XDG_CONFIG_HOME", (home / ".config").string()},
              {"XDG_DATA_HOME", (home / ".local/share").string()},
              {"XDG_RUNTIME_DIR", (home / "run").string()}};
  spec.unset_env = {"EXT_STORE", "EXT_CONFIG", "REGISTRY_AUTH_FILE", "NO_COLOR"};
}

}  // namespace

ExtRun run_ext(const std::vector<std::string>& args, const std::filesystem::path& store,
               std::optional<std::string> stdin_data,
               const std::map<std::string, std::string>& env) {
  util::ProcessSpec spec;
  spec.argv.push_back(ext_binary().string());
  if (!store.empty()) {
    spec.argv.push_back("--store");
    spec.argv.push_back(store.string());
  }
  spec.argv.insert(spec.argv.end(), args.begin(), args.end());
  spec.stdin_data = std::move(stdin_data);
  isolate(spec);
  for (const auto& [k, v] : env) spec.env[k] = v;
  util::SubprocessRunner runner{ext::test::host_environment()};
  auto r = runner.run(spec);
  return {r.exit_code, r.out, r.err};
}

ExtRun run_ext_on_tty(const std::vector<std::string>& args, const std::filesystem::path& cwd,
                      const std::vector<std::pair<std::string, std::string>>& dialog) {
  util::ProcessSpec spec;
  spec.argv = {python(), (source_dir() / "tests/support/cli/pty_session.py").string(), "--timeout",
               "60"};
  for (const auto& [expect, send] : dialog)
    spec.argv.insert(spec.argv.end(), {"--expect", expect, "--send", send});
  spec.argv.insert(spec.argv.end(), {"--", ext_binary().string()});
  spec.argv.insert(spec.argv.end(), args.begin(), args.end());
  spec.cwd = cwd;
  isolate(spec);
  spec.unset_env.push_back("EXT_TEMPLATES_DIR");
  util::SubprocessRunner runner{ext::test::host_environment()};
  auto r = runner.run(spec);
  return {r.exit_code, r.out, r.err};
}

std::string wat_to_wasm(const std::string& wat, const std::vector<std::string>& flags) {
  util::TempDir dir("ext-wat-");
  auto out = dir.path() / "m.wasm";
  auto in = dir.path() / "m.wat";
  util::write_file_atomic(in, wat);
  util::ProcessSpec spec;
  spec.argv = {"wat2wasm", in.string(), "-o", out.string()};
  spec.argv.insert(spec.argv.end(), flags.begin(), flags.end());
  util::SubprocessRunner runner{ext::test::host_environment()};
  auto r = runner.run(spec);
  if (r.exit_code != 0) throw Error(Errc::parse, "wat2wasm failed: " + r.err);
  return util::read_file(out);
}

std::pair<std::string, std::string> flatc_build(const std::string& fbs, const std::string& json) {
  require_tool("flatc");
  util::TempDir dir("ext-flatc-");
  util::write_file_atomic(dir.path() / "s.fbs", fbs);
  util::write_file_atomic(dir.path() / "d.json", json);
  util::SubprocessRunner runner{ext::test::host_environment()};
  for (std::vector<std::string> argv :
       {std::vector<std::string>{"flatc", "-b", "--schema", "-o", dir.path().string(), "s.fbs"},
        std::vector<std::string>{"flatc", "-b", "-o", dir.path().string(), "s.fbs", "d.json"}}) {
    util::ProcessSpec spec;
    spec.argv = argv;
    spec.cwd = dir.path();
    auto r = runner.run(spec);
    if (r.exit_code != 0) throw Error(Errc::parse, "flatc failed: " + r.err + r.out);
  }
  return {util::read_file(dir.path() / "s.bfbs"), util::read_file(dir.path() / "d.bin")};
}

bool have_program(const std::string& name) {
  return util::find_program(name, host_environment().path()).has_value();
}

std::string python() {
  return std::filesystem::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
}

int free_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    close(fd);
    throw Error(Errc::io, "bind failed");
  }
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  int port = ntohs(a.sin_port);
  close(fd);
  return port;
}

void require_tool(const std::string& name) {
  if (!have_program(name))
    throw Error(Errc::not_found, name + " is required by this test and not on PATH",
                "run scripts/setup: it installs every tool the suite needs");
}

}  // namespace ext::test
