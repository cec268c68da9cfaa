#include "ext/http/retry_transport.hpp"

#include <cstdio>
#include <thread>

#include "ext/core/cancel.hpp"
#include "ext/core/error.hpp"
#include "ext/core/reporter.hpp"

namespace ext::http {

bool RetryBudget::charge(std::chrono::milliseconds spent) {
  int64_t total = m_spent.fetch_add(std::max<int64_t>(spent.count(), 0)) + spent.count();
  return total <= m_limit.count();
}

bool RetryBudget::allows(std::chrono::milliseconds next) const {
  return m_spent.load() + next.count() <= m_limit.count();
}

std::string RetryBudget::describe() const {
  char buf[128];
  std::snprintf(buf, sizeof buf, "retry budget of %.0f s used up (%.1f s spent on failures)",
                static_cast<double>(m_limit.count()) / 1000.0,
                static_cast<double>(m_spent.load()) / 1000.0);
  return buf;
}

bool is_retryable_status(int status) {
  return Error::temporary_status(status);
}

RetryingTransport::RetryingTransport(std::shared_ptr<Transport> inner, RetryPolicy policy,
                                     Reporter* reporter)
    : m_inner(std::move(inner)),
      m_policy(std::move(policy)),
      m_reporter(reporter),
      m_rng(std::random_device{}()) {
  if (!m_policy.clock) m_policy.clock = &system_clock();
  if (m_policy.max_attempts < 1) m_policy.max_attempts = 1;
  if (!m_policy.budget) m_policy.budget = std::make_shared<RetryBudget>();
}

void RetryingTransport::charge_failure(Clock::time_point started) {
  m_policy.budget->charge(
      std::chrono::duration_cast<std::chrono::milliseconds>(m_policy.clock->now() - started));
}

std::chrono::milliseconds RetryingTransport::backoff(int attempt) {
  auto cap = m_policy.base_delay.count();
  for (int i = 1; i < attempt && cap < m_policy.max_delay.count(); ++i) cap *= 2;
  cap = std::min<int64_t>(cap, m_policy.max_delay.count());
  std::uniform_int_distribution<int64_t> dist(0, std::max<int64_t>(cap, 0));
  return std::chrono::milliseconds(dist(m_rng));
}

std::optional<std::chrono::milliseconds> RetryingTransport::next_delay(
    int attempt, const Headers* headers, std::chrono::milliseconds waited, bool* by_budget) {
  if (attempt >= m_policy.max_attempts) return std::nullopt;
  std::chrono::milliseconds d = backoff(attempt);
  if (headers) {
    if (auto ra = headers->get("Retry-After")) {
      if (auto parsed = parse_retry_after(*ra)) {
        if (*parsed > m_policy.max_retry_after) return std::nullopt;
        d = std::max(d, *parsed);
      }
    }
  }
  if (waited + d > m_policy.max_total) return std::nullopt;
  if (!m_policy.budget->allows(d)) {
    if (by_budget) *by_budget = true;
    if (m_reporter) m_reporter->debug(1, m_policy.budget->describe() + "; not retrying");
    return std::nullopt;
  }
  return d;
}

void RetryingTransport::wait(std::chrono::milliseconds d, const std::string& why) {
  if (m_reporter) m_reporter->debug(1, why + "; retrying in " + std::to_string(d.count()) + " ms");
  m_policy.budget->charge(d);
  m_policy.clock->sleep_for(d);
  throw_if_interrupted();
}

Response RetryingTransport::send(const Request& req) {
  std::chrono::milliseconds waited{0};
  for (int attempt = 1;; ++attempt) {
    auto started = m_policy.clock->now();
    try {
      Response r = m_inner->send(req);
      if (!is_retryable_status(r.status)) return r;
      charge_failure(started);
      auto d = next_delay(attempt, &r.headers, waited);
      if (!d || !req.rewind_body()) return r;
      wait(*d, describe(req) + ": HTTP " + std::to_string(r.status));
      waited += *d;
    } catch (const Error& e) {
      if (!e.temporary()) throw;  // TLS, auth, ...: retrying cannot help
      charge_failure(started);
      bool by_budget = false;
      auto d = next_delay(attempt, nullptr, waited, &by_budget);
      if (!d || !req.rewind_body()) {
        std::string why;
        if (attempt > 1) why = "after " + std::to_string(attempt) + " attempts";
        if (by_budget) why += (why.empty() ? "" : "; ") + m_policy.budget->describe();
        if (!why.empty()) throw e.with_context(why);
        throw;
      }
      wait(*d, e.message());
      waited += *d;
    }
  }
}

std::unique_ptr<ResponseStream> RetryingTransport::open(const Request& req) {
  std::chrono::milliseconds waited{0};
  for (int attempt = 1;; ++attempt) {
    auto started = m_policy.clock->now();
    try {
      auto s = m_inner->open(req);
      if (!is_retryable_status(s->status())) return s;
      charge_failure(started);
      Headers headers = s->headers();
      int status = s->status();
      auto d = next_delay(attempt, &headers, waited);
      if (!d || !req.rewind_body()) return s;
      s.reset();
      wait(*d, describe(req) + ": HTTP " + std::to_string(status));
      waited += *d;
    } catch (const Error& e) {
      if (!e.temporary()) throw;  // TLS, auth, ...: retrying cannot help
      charge_failure(started);
      bool by_budget = false;
      auto d = next_delay(attempt, nullptr, waited, &by_budget);
      if (!d || !req.rewind_body()) {
        std::string why;
        if (attempt > 1) why = "after " + std::to_string(attempt) + " attempts";
        if (by_budget) why += (why.empty() ? "" : "; ") + m_policy.budget->describe();
        if (!why.empty()) throw e.with_context(why);
        throw;
      }
      wait(*d, e.message());
      waited += *d;
    }
  }
}

}  // namespace ext::http
