// ext::core — Clock: the time the library waits on (retry backoff, the envoy runner's polls,
// deadlines). SystemClock is the real one; tests pass a fake (tests/support/fake_clock.hpp) whose
// sleep_for returns at once and moves its now() forward, so no test waits for real time.
#pragma once

#include <chrono>

namespace ext {

class Clock {
 public:
  using time_point = std::chrono::steady_clock::time_point;
  virtual ~Clock() = default;
  virtual time_point now() = 0;
  // Returns after `d` (of this clock's time). May be called from several threads.
  virtual void sleep_for(std::chrono::milliseconds d) = 0;
};

class SystemClock final : public Clock {
 public:
  time_point now() override;
  void sleep_for(std::chrono::milliseconds d) override;
};

// The process's one SystemClock (what a null Clock* stands for).
Clock& system_clock();

}  // namespace ext
