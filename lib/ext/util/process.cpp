#include "ext/util/process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "ext/core/error.hpp"
#include "ext/util/strings.hpp"

namespace ext::util {

std::optional<std::filesystem::path> find_program(const std::string& name,
                                                  const std::string& path_list) {
  if (name.empty()) return std::nullopt;
  if (name.find('/') != std::string::npos) {
    if (::access(name.c_str(), X_OK) == 0) return std::filesystem::path(name);
    return std::nullopt;
  }
  for (const auto& dir : split(path_list, ':')) {
    if (dir.empty()) continue;
    std::filesystem::path p = std::filesystem::path(dir) / name;
    std::error_code ec;
    if (::access(p.c_str(), X_OK) == 0 && !std::filesystem::is_directory(p, ec)) return p;
  }
  return std::nullopt;
}

std::string shell_quote(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& a : argv) {
    if (!out.empty()) out += ' ';
    bool plain = !a.empty() && a.find_first_not_of(
                                   "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                   "0123456789-_./=:,+@%") == std::string::npos;
    if (plain) {
      out += a;
    } else {
      out += '\'';
      for (char c : a) {
        if (c == '\'')
          out += "'\\''";
        else
          out += c;
      }
      out += '\'';
    }
  }
  return out;
}

namespace {

std::vector<std::string> build_env(const Environment& base, const ProcessSpec& spec) {
  std::map<std::string, std::string> merged(base.vars().begin(), base.vars().end());
  for (const auto& k : spec.unset_env) merged.erase(k);
  for (const auto& [k, v] : spec.env) merged[k] = v;
  std::vector<std::string> out;
  for (const auto& [k, v] : merged) out.push_back(k + "=" + v);
  return out;
}

class NoProcessRunner final : public ProcessRunner {
 public:
  ProcessResult run(const ProcessSpec& spec) override {
    throw Error(Errc::internal, "no process runner to run " + shell_quote(spec.argv),
                "the ops::Env was made without one (cli/ gives a SubprocessRunner)");
  }
};

}  // namespace

ProcessRunner& no_process_runner() {
  static NoProcessRunner runner;
  return runner;
}

ProcessResult SubprocessRunner::run(const ProcessSpec& spec) {
  if (spec.argv.empty()) throw Error(Errc::internal, "empty command");
  auto program = find_program(spec.argv[0], m_env.path());
  if (!program) throw Error(Errc::not_found, "program not found: " + spec.argv[0]);

  int in_pipe[2] = {-1, -1}, out_pipe[2] = {-1, -1}, err_pipe[2] = {-1, -1};
  int exec_pipe[2];
  if (::pipe2(exec_pipe, O_CLOEXEC) != 0)
    throw Error(Errc::io, "pipe: " + std::string(std::strerror(errno)));
  // Every pipe is close-on-exec: a child started at the same time by another thread must not
  // inherit this one's pipe ends (it would hold our EOF back until it exits).
  if (spec.stdin_data && ::pipe2(in_pipe, O_CLOEXEC) != 0) throw Error(Errc::io, "pipe failed");
  if (spec.capture && (::pipe2(out_pipe, O_CLOEXEC) != 0 || ::pipe2(err_pipe, O_CLOEXEC) != 0))
    throw Error(Errc::io, "pipe failed");

  std::vector<std::string> env = build_env(m_env, spec);
  std::vector<char*> envp;
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::vector<std::string> args = spec.argv;
  std::vector<char*> argvp;
  for (auto& a : args) argvp.push_back(a.data());
  argvp.push_back(nullptr);
  std::string prog = program->string();

  pid_t pid = ::fork();
  if (pid < 0) throw Error(Errc::io, "fork: " + std::string(std::strerror(errno)));
  if (pid == 0) {
    // Child: only async-signal-safe calls from here.
    ::signal(SIGPIPE, SIG_DFL);
    if (spec.stdin_data) {
      ::dup2(in_pipe[0], 0);
      ::close(in_pipe[0]);
      ::close(in_pipe[1]);
    } else {
      int devnull = ::open("/dev/null", O_RDONLY);
      if (devnull >= 0) ::dup2(devnull, 0);
    }
    if (spec.capture) {
      ::dup2(out_pipe[1], 1);
      ::dup2(err_pipe[1], 2);
      ::close(out_pipe[0]);
      ::close(out_pipe[1]);
      ::close(err_pipe[0]);
      ::close(err_pipe[1]);
    }
    if (!spec.cwd.empty() && ::chdir(spec.cwd.c_str()) != 0) {
      int e = errno;
      (void)!::write(exec_pipe[1], &e, sizeof e);
      ::_exit(127);
    }
    ::execve(prog.c_str(), argvp.data(), envp.data());
    int e = errno;
    (void)!::write(exec_pipe[1], &e, sizeof e);
    ::_exit(127);
  }

  ::close(exec_pipe[1]);
  if (spec.stdin_data) ::close(in_pipe[0]);
  if (spec.capture) {
    ::close(out_pipe[1]);
    ::close(err_pipe[1]);
  }
  int child_errno = 0;
  ssize_t got;
  do {
    got = ::read(exec_pipe[0], &child_errno, sizeof child_errno);
  } while (got < 0 && errno == EINTR);
  ::close(exec_pipe[0]);

  ProcessResult result;
  // Feed stdin and drain stdout/stderr together so neither side blocks.
  size_t in_off = 0;
  const std::string empty;
  const std::string& input = spec.stdin_data ? *spec.stdin_data : empty;
  int in_fd = spec.stdin_data ? in_pipe[1] : -1;
  if (in_fd >= 0) ::fcntl(in_fd, F_SETFL, O_NONBLOCK);
  if (in_fd >= 0 && (got > 0 || input.empty())) {
    ::close(in_fd);
    in_fd = -1;
  }
  int out_fd = spec.capture ? out_pipe[0] : -1;
  int err_fd = spec.capture ? err_pipe[0] : -1;
  auto old_sigpipe = ::signal(SIGPIPE, SIG_IGN);
  while (in_fd >= 0 || out_fd >= 0 || err_fd >= 0) {
    pollfd fds[3];
    int n = 0;
    if (in_fd >= 0) fds[n++] = {in_fd, POLLOUT, 0};
    if (out_fd >= 0) fds[n++] = {out_fd, POLLIN, 0};
    if (err_fd >= 0) fds[n++] = {err_fd, POLLIN, 0};
    if (::poll(fds, static_cast<nfds_t>(n), -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int i = 0; i < n; ++i) {
      if (!fds[i].revents) continue;
      int fd = fds[i].fd;
      if (fd == in_fd) {
        ssize_t w = ::write(in_fd, input.data() + in_off, input.size() - in_off);
        if (w > 0) in_off += static_cast<size_t>(w);
        if ((w < 0 && errno != EAGAIN && errno != EINTR) || in_off >= input.size()) {
          ::close(in_fd);
          in_fd = -1;
        }
      } else {
        char buf[65536];
        ssize_t r = ::read(fd, buf, sizeof buf);
        if (r < 0 && (errno == EINTR || errno == EAGAIN)) continue;
        std::string& sink = fd == out_fd ? result.out : result.err;
        if (r <= 0) {
          ::close(fd);
          (fd == out_fd ? out_fd : err_fd) = -1;
        } else if (sink.size() < spec.max_output) {
          sink.append(buf, std::min(static_cast<size_t>(r), spec.max_output - sink.size()));
        }
      }
    }
  }
  ::signal(SIGPIPE, old_sigpipe);

  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) break;
  }
  if (got > 0) {
    throw Error(Errc::io, "cannot run " + spec.argv[0] + ": " + std::strerror(child_errno));
  }
  if (WIFEXITED(status))
    result.exit_code = WEXITSTATUS(status);
  else if (WIFSIGNALED(status))
    result.exit_code = 128 + WTERMSIG(status);
  return result;
}

}  // namespace ext::util
