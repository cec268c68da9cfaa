#include "prompt.hpp"

#include <signal.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>

#include "ext/core/cancel.hpp"
#include "ext/core/error.hpp"

namespace ext::cli {

namespace {

constexpr size_t k_max_answer = 64u << 10;

// For its lifetime: SIGINT and SIGTERM keep their handlers but interrupt a blocking read
// (no SA_RESTART); terminal echo off when asked.
class PromptGuard {
 public:
  explicit PromptGuard(bool echo) {
    for (int i = 0; i < 2; ++i) {
      struct sigaction sa {};
      if (::sigaction(k_signals[i], nullptr, &m_old[i]) != 0) continue;
      sa = m_old[i];
      sa.sa_flags &= ~SA_RESTART;
      m_saved[i] = ::sigaction(k_signals[i], &sa, nullptr) == 0;
    }
    if (!echo && ::isatty(0) && ::tcgetattr(0, &m_term) == 0) {
      struct termios quiet = m_term;
      quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
      quiet.c_lflag |= ECHONL;  // the Enter still moves to the next line
      m_term_saved = ::tcsetattr(0, TCSANOW, &quiet) == 0;
    }
  }
  ~PromptGuard() {
    if (m_term_saved) ::tcsetattr(0, TCSANOW, &m_term);
    for (int i = 0; i < 2; ++i)
      if (m_saved[i]) ::sigaction(k_signals[i], &m_old[i], nullptr);
  }
  PromptGuard(const PromptGuard&) = delete;
  PromptGuard& operator=(const PromptGuard&) = delete;

 private:
  static constexpr int k_signals[2] = {SIGINT, SIGTERM};
  struct sigaction m_old[2]{};
  bool m_saved[2] = {false, false};
  struct termios m_term {};
  bool m_term_saved = false;
};

}  // namespace

std::string read_terminal_line(const std::string& prompt, bool echo) {
  PromptGuard guard(echo);  // echo off before the prompt shows: nothing typed after it echoes
  std::cerr << prompt << std::flush;
  std::string line;
  for (;;) {
    throw_if_interrupted();
    char c = 0;
    ssize_t n = ::read(0, &c, 1);
    if (n < 0) {
      if (errno == EINTR) continue;  // a signal: interrupted() decides at the loop's top
      throw Error(Errc::io, std::string("cannot read the answer: ") + std::strerror(errno));
    }
    if (n == 0) {
      if (line.empty()) throw Error(Errc::interrupted, "no answer (end of input)");
      break;
    }
    if (c == '\n') break;
    if (line.size() >= k_max_answer)
      throw Error(Errc::invalid_argument, "the answer is longer than 64 KiB");
    line.push_back(c);
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

}  // namespace ext::cli
