// ext::testing — reports of a run: text (one line per case, a readable diff on failure, the
// summary line "N passed, M failed"), JSON (--json) and JUnit XML (--junit FILE).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "ext/testing/runner.hpp"

namespace ext::testing {

std::string summary_line(const Report& r);  // "3 passed, 1 failed"
std::string render_text(const Report& r, bool color = false, bool verbose = false);
nlohmann::json render_json(const Report& r);
std::string render_junit(const Report& r);

}  // namespace ext::testing
