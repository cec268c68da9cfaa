#include "ext/core/cancel.hpp"

#include <atomic>

#include "ext/core/error.hpp"

namespace ext {
namespace {
std::atomic<bool> g_interrupted{false};
static_assert(std::atomic<bool>::is_always_lock_free);
}  // namespace

void request_interrupt() noexcept {
  g_interrupted.store(true, std::memory_order_relaxed);
}
bool interrupted() noexcept {
  return g_interrupted.load(std::memory_order_relaxed);
}
void reset_interrupt() noexcept {
  g_interrupted.store(false, std::memory_order_relaxed);
}
void throw_if_interrupted() {
  if (interrupted()) throw Error(Errc::interrupted, "interrupted");
}

}  // namespace ext
