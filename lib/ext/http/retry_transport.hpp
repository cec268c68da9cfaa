// ext::http — RetryingTransport: a Transport decorator that retries connection failures, 5xx
// (not 501) and 429, with exponential backoff and full jitter, honouring Retry-After
// (OCI distribution-spec spec.md "Error Codes" @967efdc: a 429 SHOULD carry Retry-After). Bounded
// in attempts and in total time; a request whose streamed body cannot rewind is not retried. TLS
// failures (Errc::tls: an untrusted certificate, a failed handshake) are never retried.
// RetryBudget: one budget of retry time per command, shared by every layer that retries (this
// transport, the blob download's resume, a pull's second try), so the layers add up instead of
// multiplying (docs/limits.md "Retries").
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <random>

#include "ext/core/clock.hpp"
#include "ext/http/transport.hpp"

namespace ext::http {

// Time spent on failures for one command: failed attempts (a stall counts its stall timeout)
// and backoff waits. Once `limit` is spent, nothing retries any more and the last error stands.
// Thread-safe (concurrent blob transfers share it).
class RetryBudget {
 public:
  static constexpr std::chrono::milliseconds k_default_limit{60000};
  explicit RetryBudget(std::chrono::milliseconds limit = k_default_limit) : m_limit(limit) {}
  // Adds `spent`; true while the total stays within the limit.
  bool charge(std::chrono::milliseconds spent);
  // True when another `next` (a planned wait) still fits.
  bool allows(std::chrono::milliseconds next = std::chrono::milliseconds{0}) const;
  std::chrono::milliseconds spent() const { return std::chrono::milliseconds(m_spent.load()); }
  std::chrono::milliseconds limit() const { return m_limit; }
  // "retry budget of 60 s used up (61.2 s spent on failures)" for messages.
  std::string describe() const;

 private:
  std::chrono::milliseconds m_limit;
  std::atomic<int64_t> m_spent{0};
};

struct RetryPolicy {
  int max_attempts = 5;                        // first try included
  std::chrono::milliseconds base_delay{250};   // doubles per attempt
  std::chrono::milliseconds max_delay{8000};   // cap on one backoff step
  std::chrono::milliseconds max_total{60000};  // cap on the time spent waiting overall
  std::chrono::milliseconds max_retry_after{30000};
  Clock* clock = nullptr;  // backoff waits and failure times; null: the system clock
  // Shared with the other retrying layers of the command; null: one of its own (default limit).
  std::shared_ptr<RetryBudget> budget;
};

// True for statuses worth retrying: 408, 429, 500, 502, 503, 504.
bool is_retryable_status(int status);

class RetryingTransport final : public Transport {
 public:
  RetryingTransport(std::shared_ptr<Transport> inner, RetryPolicy policy = {},
                    Reporter* reporter = nullptr);

  const std::shared_ptr<RetryBudget>& budget() const { return m_policy.budget; }

  Response send(const Request& req) override;
  std::unique_ptr<ResponseStream> open(const Request& req) override;
  // Streamed bodies cannot be sent twice: passed through, the caller restarts the upload.
  std::unique_ptr<UploadStream> upload(const Request& req) override { return m_inner->upload(req); }

  // The delay before retry number `attempt` (1-based) without Retry-After: a uniformly random
  // value in [0, min(max_delay, base * 2^(attempt-1))] (full jitter).
  std::chrono::milliseconds backoff(int attempt);

 private:
  // How long to wait before another try, or nullopt to give up.
  // `by_budget` is set when the command's retry budget is what said no.
  std::optional<std::chrono::milliseconds> next_delay(int attempt, const Headers* headers,
                                                      std::chrono::milliseconds waited,
                                                      bool* by_budget = nullptr);
  void wait(std::chrono::milliseconds d, const std::string& why);
  void charge_failure(Clock::time_point started);

  std::shared_ptr<Transport> m_inner;
  RetryPolicy m_policy;
  Reporter* m_reporter;
  std::mt19937_64 m_rng;
};

}  // namespace ext::http
