#include "support/fake_runner.hpp"

namespace ext::test {

void FakeRunner::push(util::ProcessResult r) {
  std::lock_guard lock(m_mutex);
  m_script.push_back(std::move(r));
}

void FakeRunner::set_handler(Handler h) {
  std::lock_guard lock(m_mutex);
  m_handler = std::move(h);
}

std::vector<util::ProcessSpec> FakeRunner::calls() const {
  std::lock_guard lock(m_mutex);
  return m_calls;
}

util::ProcessResult FakeRunner::run(const util::ProcessSpec& spec) {
  Handler h;
  {
    std::lock_guard lock(m_mutex);
    m_calls.push_back(spec);
    if (!m_script.empty()) {
      auto r = m_script.front();
      m_script.pop_front();
      return r;
    }
    h = m_handler;
  }
  if (h) return h(spec);
  util::ProcessResult r;
  r.exit_code = 0;
  return r;
}

}  // namespace ext::test
