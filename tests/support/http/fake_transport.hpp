// The one fake HTTP transport of the test suite: logs every request, answers from a script first
// (a status with headers and body, or a failed connection), then from the standing answers for a
// URL (the same answer every time: a registry that always refuses, pages that link to each other),
// then from answer(), which a subclass overrides (test::FakeRegistry in support/registry plays a
// whole registry). No socket, no thread, no sleep. Thread-safe.
#pragma once

#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "ext/core/error.hpp"
#include "ext/http/transport.hpp"

namespace ext::test {

class FakeTransport : public http::Transport {
 public:
  // One answer: `status` with `headers` and `body`, or, with `drop`, an Error(`error`) instead
  // of any answer (network: a reset connection; tls: a failed handshake).
  struct Reply {
    int status = 200;
    http::Headers headers;
    std::string body;
    bool drop = false;
    Errc error = Errc::network;
  };

  // Answers the next request (after those already scripted).
  void push_script(Reply r);
  void push_status(int status);
  // Drops the connection on the next `n` requests.
  void drop_next(int n);
  // Answers the requests whose log line ("PUT /v2/acme/f/blobs/uploads/3?digest=...", see
  // log()) contains `match` ("" for every request) with `r`: the next `times` of them, or every
  // one with times < 0. Comes after the script; the first match in the order added wins.
  void answer_for(std::string match, Reply r, int times = -1);

  http::Response send(const http::Request& req) override;
  // The response of send(), its body read as a stream.
  std::unique_ptr<http::ResponseStream> open(const http::Request& req) override;

  // "METHOD /path?query" (from "/v2/" on when the URL has it, else the whole URL) of every
  // request, in order.
  std::vector<std::string> log() const;
  int calls() const;
  // Every request as received (method, URL, headers, body; a streamed body is not kept).
  std::vector<http::Request> requests() const;

 protected:
  // The answer when the script is empty (this class: 200, empty body). Called without the
  // transport's lock held.
  virtual http::Response answer(const http::Request& req);

 private:
  mutable std::mutex m_mutex;
  std::deque<Reply> m_script;
  struct Standing {
    std::string match;
    Reply reply;
    int times;  // left; < 0: every time
  };
  std::vector<Standing> m_standing;
  std::vector<std::string> m_log;
  std::vector<http::Request> m_requests;
};

}  // namespace ext::test
