// The one fake clock of the test suite: sleep_for returns at once and moves now() forward by the
// time asked, recording each wait, so backoff and polling loops run without real sleeps and a
// test can assert how long the code would have waited. Thread-safe.
#pragma once

#include <chrono>
#include <mutex>
#include <vector>

#include "ext/core/clock.hpp"

namespace ext::test {

class FakeClock final : public Clock {
 public:
  time_point now() override;
  void sleep_for(std::chrono::milliseconds d) override;
  // Moves time forward without a sleep (as if the code under test had been busy).
  void advance(std::chrono::milliseconds d);
  std::vector<std::chrono::milliseconds> sleeps() const;
  // Time since the clock was made (sleeps and advances together).
  std::chrono::milliseconds elapsed() const;

 private:
  mutable std::mutex m_mutex;
  std::chrono::milliseconds m_elapsed{0};
  std::vector<std::chrono::milliseconds> m_sleeps;
};

}  // namespace ext::test
