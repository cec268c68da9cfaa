// ext::http — RetryingTransport: a Transport decorator that retries connection failures, 5xx
// (not 501) and 429, with exponential backoff and full jitter, honouring Retry-After
// (specs.md §1.2 "Any request may also yield ... 429 ... SHOULD carry Retry-After"). Bounded in
// attempts and in total time; a request whose streamed body cannot rewind is not retried.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <random>

#include "ext/http/transport.hpp"

namespace ext::http {

using Sleeper = std::function<void(std::chrono::milliseconds)>;

struct RetryPolicy {
  int max_attempts = 5;                        // first try included
  std::chrono::milliseconds base_delay{250};   // doubles per attempt
  std::chrono::milliseconds max_delay{8000};   // cap on one backoff step
  std::chrono::milliseconds max_total{60000};  // cap on the time spent waiting overall
  std::chrono::milliseconds max_retry_after{30000};
  Sleeper sleep;  // default: std::this_thread::sleep_for
};

// True for statuses worth retrying: 408, 429, 500, 502, 503, 504.
bool is_retryable_status(int status);

class RetryingTransport final : public Transport {
 public:
  RetryingTransport(std::shared_ptr<Transport> inner, RetryPolicy policy = {},
                    Reporter* reporter = nullptr);

  Response send(const Request& req) override;
  std::unique_ptr<ResponseStream> open(const Request& req) override;
  // Streamed bodies cannot be sent twice: passed through, the caller restarts the upload.
  std::unique_ptr<UploadStream> upload(const Request& req) override { return m_inner->upload(req); }

  // The delay before retry number `attempt` (1-based) without Retry-After: a uniformly random
  // value in [0, min(max_delay, base * 2^(attempt-1))] (full jitter).
  std::chrono::milliseconds backoff(int attempt);

 private:
  // How long to wait before another try, or nullopt to give up.
  std::optional<std::chrono::milliseconds> next_delay(int attempt, const Headers* headers,
                                                      std::chrono::milliseconds waited);
  void wait(std::chrono::milliseconds d, const std::string& why);

  std::shared_ptr<Transport> m_inner;
  RetryPolicy m_policy;
  Reporter* m_reporter;
  std::mt19937_64 m_rng;
};

}  // namespace ext::http
