// ext::core — cooperative cancellation. cli/ installs a SIGINT handler that calls
// request_interrupt(); long loops call throw_if_interrupted() between steps.
#pragma once

namespace ext {

void request_interrupt() noexcept;  // async-signal-safe
bool interrupted() noexcept;
void reset_interrupt() noexcept;
// Throws Error(Errc::interrupted) when an interrupt was requested.
void throw_if_interrupted();

}  // namespace ext
