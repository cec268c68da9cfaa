// The one fake HTTP transport of the test suite: logs every request, answers from a script first
// (a status with headers and body, or a dropped connection), then from answer(), which a
// subclass overrides (test::FakeRegistry in support/registry plays a whole registry). No
// socket, no thread, no sleep. Thread-safe.
#pragma once

#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "ext/http/transport.hpp"

namespace ext::test {

class FakeTransport : public http::Transport {
 public:
  // One scripted answer: `status` with `headers` and `body`, or, with `drop`, a connection
  // error (Error(network), as a reset connection) instead of any answer.
  struct Reply {
    int status = 200;
    http::Headers headers;
    std::string body;
    bool drop = false;
  };

  // Answers the next request (after those already scripted).
  void push_script(Reply r);
  void push_status(int status);
  // Drops the connection on the next `n` requests.
  void drop_next(int n);

  http::Response send(const http::Request& req) override;
  // The response of send(), its body read as a stream.
  std::unique_ptr<http::ResponseStream> open(const http::Request& req) override;

  // "METHOD /path?query" (from "/v2/" on when the URL has it, else the whole URL) of every
  // request, in order.
  std::vector<std::string> log() const;
  int calls() const;

 protected:
  // The answer when the script is empty (this class: 200, empty body). Called without the
  // transport's lock held.
  virtual http::Response answer(const http::Request& req);

 private:
  mutable std::mutex m_mutex;
  std::deque<Reply> m_script;
  std::vector<std::string> m_log;
};

}  // namespace ext::test
