// The one fake process runner of the test suite: records every spec and answers from a script
// (push), else from a handler (set_handler), else exit 0 with no output. Thread-safe: build
// drivers run several commands at once.
#pragma once

#include <deque>
#include <functional>
#include <mutex>
#include <vector>

#include "ext/util/process.hpp"

namespace ext::test {

class FakeRunner : public util::ProcessRunner {
 public:
  using Handler = std::function<util::ProcessResult(const util::ProcessSpec&)>;
  void push(util::ProcessResult r);
  void set_handler(Handler h);
  util::ProcessResult run(const util::ProcessSpec& spec) override;
  std::vector<util::ProcessSpec> calls() const;

 private:
  mutable std::mutex m_mutex;
  std::vector<util::ProcessSpec> m_calls;
  std::deque<util::ProcessResult> m_script;
  Handler m_handler;
};

}  // namespace ext::test
