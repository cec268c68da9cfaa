#include "support/registry/registry_server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "ext/core/error.hpp"
#include "ext/http/curl_transport.hpp"
#include "ext/util/process.hpp"
#include "ext/util/strings.hpp"
#include "support/paths.hpp"

namespace ext::test {

namespace fs = std::filesystem;

Background::Background(const std::vector<std::string>& argv,
                       const std::map<std::string, std::string>& env, const fs::path& log_file) {
  int pipefd[2];
  if (pipe2(pipefd, O_CLOEXEC) != 0) throw Error(Errc::io, "pipe failed");
  pid_t parent = getpid();
  m_pid = fork();
  if (m_pid < 0) throw Error(Errc::io, "fork failed");
  if (m_pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(1);
    setpgid(0, 0);
    dup2(pipefd[1], 1);
    int log = open(log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (log >= 0) dup2(log, 2);
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, 0);
    for (const auto& [k, v] : env) setenv(k.c_str(), v.c_str(), 1);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  close(pipefd[1]);
  m_out = pipefd[0];
}

Background::~Background() {
  stop();
}

std::string Background::wait_line(const std::string& prefix, int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (true) {
    size_t nl;
    while ((nl = m_pending.find('\n')) != std::string::npos) {
      std::string line = m_pending.substr(0, nl);
      m_pending.erase(0, nl + 1);
      if (line.starts_with(prefix)) return line.substr(prefix.size());
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - std::chrono::steady_clock::now())
                    .count();
    if (left <= 0) throw Error(Errc::failed, "timed out waiting for \"" + prefix + "\"");
    pollfd p{m_out, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left)) <= 0) continue;
    char buf[4096];
    ssize_t n = read(m_out, buf, sizeof buf);
    if (n <= 0) throw Error(Errc::failed, "process exited before printing \"" + prefix + "\"");
    m_pending.append(buf, static_cast<size_t>(n));
  }
}

bool Background::alive() {
  return m_pid > 0 && waitpid(m_pid, nullptr, WNOHANG) == 0;
}

void Background::stop() {
  if (m_pid > 0) {
    kill(-m_pid, SIGTERM);
    kill(m_pid, SIGTERM);
    for (int i = 0; i < 50; ++i) {
      if (waitpid(m_pid, nullptr, WNOHANG) == m_pid) {
        m_pid = -1;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (m_pid > 0) {
      kill(-m_pid, SIGKILL);
      kill(m_pid, SIGKILL);
      waitpid(m_pid, nullptr, 0);
      m_pid = -1;
    }
  }
  if (m_out >= 0) {
    close(m_out);
    m_out = -1;
  }
}

bool wait_port(int port, int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(static_cast<uint16_t>(port));
    bool ok = connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    close(fd);
    if (ok) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
  }
  return false;
}

fs::path registry_support_dir() {
  return source_dir() / "tests" / "support" / "registry";
}

std::string run_checked(const std::vector<std::string>& argv,
                        const std::map<std::string, std::string>& env) {
  util::ProcessSpec spec;
  spec.argv = argv;
  spec.env = env;
  util::SubprocessRunner runner{ext::test::host_environment()};
  auto r = runner.run(spec);
  if (r.exit_code != 0)
    throw Error(Errc::failed, util::shell_quote(argv) + " failed: " + r.err + r.out);
  return r.out;
}

namespace {

void write_text(const fs::path& p, const std::string& s) {
  util::write_file_atomic(p, s);
}

// CA + server certificate for 127.0.0.1/localhost, with the openssl CLI.
void make_tls(const fs::path& dir) {
  auto d = [&](const char* n) { return (dir / n).string(); };
  run_checked({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
               "/CN=ext test CA", "-keyout", d("ca.key"), "-out", d("ca.pem"), "-addext",
               "basicConstraints=critical,CA:TRUE", "-addext",
               "keyUsage=critical,keyCertSign,cRLSign"});
  write_text(dir / "server.ext",
             "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n"
             "basicConstraints=CA:FALSE\n");
  run_checked({"openssl", "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1",
               "-keyout", d("server.key"), "-out", d("server.csr")});
  run_checked({"openssl", "x509", "-req", "-in", d("server.csr"), "-CA", d("ca.pem"), "-CAkey",
               d("ca.key"), "-CAcreateserial", "-days", "2", "-out", d("server.pem"), "-extfile",
               d("server.ext")});
}

}  // namespace

RegistryServer::RegistryServer(Mode mode) : m_mode(mode) {
  const auto& dir = m_tmp.path();
  fs::create_directories(dir / "storage");
  std::string auth_yaml, tls_yaml;
  if (mode == Mode::tls_basic) {
    make_tls(dir);
    m_ca = dir / "ca.pem";
    auto line = run_checked({"htpasswd", "-Bbn", k_user, k_password});
    write_text(dir / "htpasswd", line);
    tls_yaml = "  tls:\n    certificate: " + (dir / "server.pem").string() +
               "\n    key: " + (dir / "server.key").string() + "\n";
    auth_yaml =
        "auth:\n  htpasswd:\n    realm: ext-test\n    path: " + (dir / "htpasswd").string() + "\n";
  } else if (mode == Mode::token) {
    run_checked({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
                 "/CN=ext token signer", "-keyout", (dir / "token.key").string(), "-out",
                 (dir / "token.pem").string()});
    m_token = std::make_unique<Background>(
        std::vector<std::string>{python(), (registry_support_dir() / "token_server.py").string(),
                                 "--key", (dir / "token.key").string(), "--cert",
                                 (dir / "token.pem").string(), "--users",
                                 std::string(k_user) + ":" + k_password, "--refresh",
                                 "rt-preissued=alice", "--lifetime", "1800"},
        std::map<std::string, std::string>{}, dir / "token.log");
    m_token_port = std::stoi(m_token->wait_line("PORT ", 15000));
    auth_yaml = "auth:\n  token:\n    realm: " + token_url() +
                "/token\n    service: ext-test-registry\n    issuer: ext-test-issuer\n"
                "    rootcertbundle: " +
                (dir / "token.pem").string() + "\n";
  }
  for (int attempt = 0; attempt < 3; ++attempt) {
    m_port = free_port();
    std::string config =
        "version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\n"
        "storage:\n  filesystem:\n    rootdirectory: " +
        (dir / "storage").string() +
        "\n  delete:\n    enabled: true\n  maintenance:\n    uploadpurging:\n      enabled: false\n"
        "http:\n  addr: 127.0.0.1:" +
        std::to_string(m_port) + "\n  secret: ext-test-secret\n" + tls_yaml + auth_yaml;
    write_text(dir / "config.yml", config);
    m_registry = std::make_unique<Background>(
        std::vector<std::string>{"docker-registry", "serve", (dir / "config.yml").string()},
        std::map<std::string, std::string>{}, dir / "registry.log");
    if (wait_port(m_port, 10000) && m_registry->alive()) return;
    m_registry.reset();
  }
  throw Error(Errc::failed,
              "docker-registry did not start; see " + (dir / "registry.log").string());
}

RegistryServer::~RegistryServer() {
  m_registry.reset();
  m_token.reset();
}

std::string RegistryServer::base_url() const {
  return (m_mode == Mode::tls_basic ? "https://" : "http://") + host();
}

std::string RegistryServer::token_url() const {
  return "http://127.0.0.1:" + std::to_string(m_token_port);
}

RegistryServer& shared_registry(RegistryServer::Mode mode) {
  static std::mutex mutex;
  static std::map<RegistryServer::Mode, std::unique_ptr<RegistryServer>> servers;
  std::lock_guard lock(mutex);
  auto& s = servers[mode];
  if (!s) s = std::make_unique<RegistryServer>(mode);
  return *s;
}

FaultProxy::FaultProxy(const std::string& upstream_host, double stall_seconds) {
  m_proc = std::make_unique<Background>(
      std::vector<std::string>{python(), (registry_support_dir() / "fault_proxy.py").string(),
                               "--upstream", upstream_host, "--stall",
                               std::to_string(stall_seconds), "--lifetime", "1800"},
      std::map<std::string, std::string>{}, m_tmp.path() / "proxy.log");
  m_port = std::stoi(m_proc->wait_line("PORT ", 15000));
}

std::string FaultProxy::control(const std::string& method, const std::string& body) {
  http::CurlTransport t;
  http::Request req;
  req.method = method;
  req.url = "http://" + host() + "/__faults";
  req.body = body;
  auto r = t.send(req);
  if (r.status != 200) throw Error(Errc::failed, "fault proxy control failed");
  return r.body;
}

void FaultProxy::arm(const std::string& match, const std::vector<std::string>& faults) {
  control("POST", nlohmann::json{{"match", match}, {"faults", faults}}.dump());
}

std::vector<std::string> FaultProxy::pending() {
  auto j = nlohmann::json::parse(control("GET", ""));
  return j["pending"].get<std::vector<std::string>>();
}

std::vector<std::string> FaultProxy::requests() {
  auto j = nlohmann::json::parse(control("GET", ""));
  std::vector<std::string> out;
  for (const auto& e : j["log"]) out.push_back(e["request"].get<std::string>());
  return out;
}

int FaultProxy::max_in_flight() {
  auto j = nlohmann::json::parse(control("GET", ""));
  return j["max_in_flight"].get<int>();
}

}  // namespace ext::test
