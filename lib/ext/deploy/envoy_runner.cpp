#include "ext/deploy/envoy_runner.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <exception>
#include <sstream>
#include <thread>

#include "ext/core/cancel.hpp"
#include "ext/core/error.hpp"
#include "ext/util/strings.hpp"

namespace ext::deploy {

namespace {

constexpr size_t k_max_admin_body = 4u << 20;

class Fd {
 public:
  explicit Fd(int fd) : m_fd(fd) {}
  ~Fd() {
    if (m_fd >= 0) ::close(m_fd);
  }
  int get() const { return m_fd; }

 private:
  int m_fd;
};

bool wait_fd(int fd, short events, int timeout_ms) {
  pollfd p{fd, events, 0};
  for (;;) {
    int r = ::poll(&p, 1, timeout_ms);
    if (r < 0 && errno == EINTR) continue;
    return r > 0;
  }
}

}  // namespace

std::optional<AdminReply> SocketAdminClient::request(const std::string& method,
                                                     const std::string& path) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* res = nullptr;
  if (::getaddrinfo(m_host.c_str(), std::to_string(m_port).c_str(), &hints, &res) != 0 || !res)
    return std::nullopt;
  std::optional<AdminReply> out;
  for (addrinfo* ai = res; ai && !out; ai = ai->ai_next) {
    Fd fd(::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol));
    if (fd.get() < 0) continue;
    int flags = ::fcntl(fd.get(), F_GETFL, 0);
    ::fcntl(fd.get(), F_SETFL, flags | O_NONBLOCK);
    int c = ::connect(fd.get(), ai->ai_addr, ai->ai_addrlen);
    if (c != 0) {
      if (errno != EINPROGRESS || !wait_fd(fd.get(), POLLOUT, 500)) continue;
      int err = 0;
      socklen_t len = sizeof err;
      if (::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0) continue;
    }
    std::string req = method + " " + path + " HTTP/1.0\r\nHost: " + m_host +
                      "\r\nUser-Agent: ext\r\nContent-Length: 0\r\n\r\n";
    size_t off = 0;
    bool failed = false;
    while (off < req.size()) {
      if (!wait_fd(fd.get(), POLLOUT, 1000)) {
        failed = true;
        break;
      }
      ssize_t w = ::send(fd.get(), req.data() + off, req.size() - off, MSG_NOSIGNAL);
      if (w < 0 && (errno == EAGAIN || errno == EINTR)) continue;
      if (w <= 0) {
        failed = true;
        break;
      }
      off += static_cast<size_t>(w);
    }
    if (failed) continue;
    std::string resp;
    char buf[8192];
    for (;;) {
      if (!wait_fd(fd.get(), POLLIN, 2000)) {
        failed = true;
        break;
      }
      ssize_t r = ::recv(fd.get(), buf, sizeof buf, 0);
      if (r < 0 && (errno == EAGAIN || errno == EINTR)) continue;
      if (r < 0) {
        failed = true;
        break;
      }
      if (r == 0) break;
      resp.append(buf, static_cast<size_t>(r));
      if (resp.size() > k_max_admin_body) break;
    }
    if (failed && resp.empty()) continue;
    // "HTTP/1.1 200 OK\r\n...\r\n\r\nbody"
    if (resp.rfind("HTTP/", 0) != 0) continue;
    auto sp = resp.find(' ');
    if (sp == std::string::npos) continue;
    AdminReply reply;
    reply.status = std::atoi(resp.c_str() + sp + 1);
    auto body = resp.find("\r\n\r\n");
    if (body != std::string::npos) reply.body = resp.substr(body + 4);
    out = reply;
  }
  ::freeaddrinfo(res);
  return out;
}

std::vector<std::string> envoy_argv(const EnvoyRunOptions& opts) {
  std::vector<std::string> argv;
  if (opts.image.empty()) {
    argv = {opts.envoy.empty() ? "envoy" : opts.envoy, "-c", opts.config.string(),
            "--disable-hot-restart"};
  } else {
    std::string tool = opts.container_tool;
    if (tool.empty()) tool = util::find_program("docker", opts.path_env) ? "docker" : "podman";
    const std::string in_cfg = "/etc/ext/envoy.yaml";
    argv = {tool,
            "run",
            "--rm",
            "--name",
            opts.container_name,
            "--network",
            "host",
            "-v",
            opts.config.string() + ":" + in_cfg + ":ro",
            "-v",
            opts.module.string() + ":" + opts.module_in_container + ":ro",
            "--entrypoint",
            "envoy",
            opts.image,
            "-c",
            in_cfg,
            "--disable-hot-restart"};
  }
  argv.insert(argv.end(), opts.extra_args.begin(), opts.extra_args.end());
  return argv;
}

std::optional<long> wasm_active_gauge(const std::string& stats, const std::string& runtime) {
  const std::string key = "wasm." + runtime + ".active:";
  std::istringstream in(stats);
  std::string line;
  while (std::getline(in, line)) {
    auto t = util::trim(line);
    if (t.rfind(key, 0) != 0) continue;
    auto v = util::trim(t.substr(key.size()));
    if (v.empty() || v.find_first_not_of("0123456789") != std::string_view::npos)
      return std::nullopt;
    return std::atol(std::string(v).c_str());
  }
  return std::nullopt;
}

EnvoyRunResult run_envoy(const EnvoyRunOptions& opts, util::ProcessRunner& runner,
                         AdminClient& admin, Reporter& reporter, Clock& clock) {
  EnvoyRunResult result;
  result.argv = envoy_argv(opts);
  bool container = !opts.image.empty();
  reporter.info("starting: " + util::shell_quote(result.argv));

  util::ProcessSpec spec;
  spec.argv = result.argv;
  spec.capture = false;  // Envoy's log goes to the terminal
  std::atomic<bool> done{false};
  std::exception_ptr failure;
  util::ProcessResult proc;
  std::thread worker([&] {
    try {
      proc = runner.run(spec);
    } catch (...) {
      failure = std::current_exception();
    }
    done = true;
  });

  enum class Phase { ready, wasm, idle } phase = Phase::ready;
  auto deadline = clock.now() + opts.ready_timeout;
  bool quit_sent = false;
  while (!done) {
    if (ext::interrupted() && !quit_sent) {
      quit_sent = true;
      result.interrupted = true;
      reporter.info("stopping Envoy");
      admin.request("POST", "/quitquitquit");
      if (container) {
        util::ProcessSpec stop;
        stop.argv = {result.argv[0], "stop", "--time", "5", opts.container_name};
        try {
          runner.run(stop);
        } catch (const Error&) {
        }
      }
    }
    if (!quit_sent && phase != Phase::idle) {
      if (phase == Phase::ready) {
        auto r = admin.request("GET", "/ready");
        if (r && r->status == 200) {
          result.ready = true;
          reporter.info("envoy is ready" + (opts.listen_url.empty() ? "" : ": " + opts.listen_url));
          phase = Phase::wasm;
          deadline = clock.now() + opts.ready_timeout;
        }
      }
      if (phase == Phase::wasm) {
        auto r = admin.request("GET", "/stats?filter=wasm");
        if (r && r->status == 200) {
          auto n = wasm_active_gauge(r->body, opts.runtime);
          if (n && *n > 0) {
            result.wasm_active = true;
            result.wasm_stat = "wasm." + opts.runtime + ".active: " + std::to_string(*n);
            reporter.info("wasm VM active (" + result.wasm_stat + "); Ctrl-C stops Envoy");
            phase = Phase::idle;
          }
        }
      }
      if (phase != Phase::idle && clock.now() > deadline) {
        reporter.warn(phase == Phase::ready
                          ? "Envoy is not ready after " +
                                std::to_string(opts.ready_timeout.count() / 1000) + "s"
                          : "Envoy reports no active wasm VM (" + opts.runtime +
                                "); check its log for the module load error");
        phase = Phase::idle;
      }
    }
    auto until = clock.now() + opts.poll_interval;
    while (!done && clock.now() < until && !(ext::interrupted() && !quit_sent))
      clock.sleep_for(std::chrono::milliseconds(10));
  }
  worker.join();
  if (failure) {
    try {
      std::rethrow_exception(failure);
    } catch (const Error& e) {
      if (e.code() == Errc::not_found)
        throw Error(Errc::not_found, e.message(),
                    container ? "install docker or podman, or run a local envoy with --envoy PATH"
                              : "install Envoy (or func-e), pass --envoy PATH, or use --docker "
                                "envoyproxy/envoy:v1.31-latest");
      throw;
    }
  }
  result.exit_code = proc.exit_code;
  if (ext::interrupted()) result.interrupted = true;
  return result;
}

}  // namespace ext::deploy
