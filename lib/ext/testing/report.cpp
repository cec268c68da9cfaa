#include "ext/testing/report.hpp"

#include <cstdio>
#include <sstream>

#include "ext/util/strings.hpp"

namespace ext::testing {

namespace {

std::string ms_text(double ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f ms", ms);
  return buf;
}

}  // namespace

std::string summary_line(const Report& r) {
  return std::to_string(r.passed) + " passed, " + std::to_string(r.failed) + " failed";
}

std::string render_text(const Report& r, bool color, bool verbose) {
  const char* green = color ? "\033[32m" : "";
  const char* red = color ? "\033[31m" : "";
  const char* reset = color ? "\033[0m" : "";
  std::ostringstream o;
  for (const auto& s : r.specs) {
    o << s.source << "\n";
    if (s.error && s.cases.empty()) o << "  " << red << "ERROR" << reset << " " << *s.error << "\n";
    for (const auto& c : s.cases) {
      o << "  " << (c.passed ? green : red) << (c.passed ? "PASS" : "FAIL") << reset << " "
        << c.name << " (" << ms_text(c.ms) << ")\n";
      for (const auto& f : c.failures) o << "       " << f << "\n";
      if (verbose)
        for (const auto& l : c.logs)
          o << "       log [" << host::to_string(l.level) << "] " << l.message << "\n";
    }
  }
  o << summary_line(r) << "\n";
  return o.str();
}

nlohmann::json render_json(const Report& r) {
  nlohmann::json specs = nlohmann::json::array();
  for (const auto& s : r.specs) {
    nlohmann::json cases = nlohmann::json::array();
    for (const auto& c : s.cases) {
      nlohmann::json logs = nlohmann::json::array();
      for (const auto& l : c.logs)
        logs.push_back({{"level", host::to_string(l.level)}, {"message", l.message}});
      nlohmann::json failures = nlohmann::json::array();
      for (const auto& f : c.failed_checks) {
        nlohmann::json jf = {{"check", f.check}, {"message", f.message}, {"detail", f.detail}};
        jf["expected"] = f.expected ? nlohmann::json(*f.expected) : nlohmann::json(nullptr);
        jf["actual"] = f.actual ? nlohmann::json(*f.actual) : nlohmann::json(nullptr);
        failures.push_back(std::move(jf));
      }
      cases.push_back({{"name", c.name},
                       {"line", c.line},
                       {"passed", c.passed},
                       {"failures", failures},
                       {"duration_ms", c.ms},
                       {"logs", logs}});
    }
    nlohmann::json js = {{"spec", s.source}, {"cases", cases}};
    if (s.error) js["error"] = *s.error;
    specs.push_back(js);
  }
  // Names of docs/json.md "Vocabulary": abi as "v0.2.1" (null when none).
  nlohmann::json abi = nullptr;
  if (!r.abi_version.empty())
    abi = r.abi_version.front() == 'v' ? r.abi_version : "v" + r.abi_version;
  return {{"source", r.module}, {"abi", abi},   {"passed", r.passed},
          {"failed", r.failed}, {"ok", r.ok()}, {"duration_s", r.seconds},
          {"specs", specs}};
}

std::string render_junit(const Report& r) {
  std::ostringstream o;
  o << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  o << "<testsuites name=\"ext test\" tests=\"" << (r.passed + r.failed) << "\" failures=\""
    << r.failed << "\" time=\"" << r.seconds << "\">\n";
  for (const auto& s : r.specs) {
    int failures = 0;
    double secs = 0;
    for (const auto& c : s.cases) {
      failures += c.passed ? 0 : 1;
      secs += c.ms / 1000;
    }
    size_t tests = s.cases.size();
    if (s.error && s.cases.empty()) {
      ++failures;
      ++tests;
    }
    o << "  <testsuite name=\"" << util::markup_escape(s.source) << "\" tests=\"" << tests
      << "\" failures=\"" << failures << "\" errors=\"0\" time=\"" << secs << "\">\n";
    if (s.error && s.cases.empty())
      o << "    <testcase name=\"plugin start\" classname=\"" << util::markup_escape(s.source)
        << "\" time=\"0\">\n      <failure message=\"" << util::markup_escape(*s.error) << "\"/>\n"
        << "    </testcase>\n";
    for (const auto& c : s.cases) {
      o << "    <testcase name=\"" << util::markup_escape(c.name) << "\" classname=\""
        << util::markup_escape(s.source) << "\" time=\"" << c.ms / 1000 << "\">\n";
      if (!c.passed) {
        std::string all;
        for (const auto& f : c.failures) all += f + "\n";
        o << "      <failure message=\""
          << util::markup_escape(c.failures.empty() ? "failed" : c.failures[0]) << "\">"
          << util::markup_escape(all) << "</failure>\n";
      }
      if (!c.logs.empty()) {
        o << "      <system-out>";
        for (const auto& l : c.logs)
          o << util::markup_escape(std::string("[") + host::to_string(l.level) + "] " + l.message)
            << "\n";
        o << "</system-out>\n";
      }
      o << "    </testcase>\n";
    }
    o << "  </testsuite>\n";
  }
  o << "</testsuites>\n";
  return o.str();
}

}  // namespace ext::testing
