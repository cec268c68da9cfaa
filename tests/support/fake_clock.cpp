#include "support/fake_clock.hpp"

#include <thread>

namespace ext::test {

Clock::time_point FakeClock::now() {
  std::lock_guard lock(m_mutex);
  // An arbitrary fixed origin: only differences of this clock's times mean anything.
  return time_point{} + std::chrono::hours(1) + m_elapsed;
}

void FakeClock::sleep_for(std::chrono::milliseconds d) {
  {
    std::lock_guard lock(m_mutex);
    m_sleeps.push_back(d);
    m_elapsed += d;
  }
  // Lets another thread of the test (a fake process, a fake server) run between polls.
  std::this_thread::yield();
}

void FakeClock::advance(std::chrono::milliseconds d) {
  std::lock_guard lock(m_mutex);
  m_elapsed += d;
}

std::vector<std::chrono::milliseconds> FakeClock::sleeps() const {
  std::lock_guard lock(m_mutex);
  return m_sleeps;
}

std::chrono::milliseconds FakeClock::elapsed() const {
  std::lock_guard lock(m_mutex);
  return m_elapsed;
}

}  // namespace ext::test
