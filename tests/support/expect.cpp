#include "support/expect.hpp"

#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>

namespace ext::test {

nlohmann::json json_ok(const ExtRun& r) {
  INFO("stdout: " << r.out << "\nstderr: " << r.err);
  REQUIRE(r.exit_code == 0);
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  REQUIRE_FALSE(j.is_discarded());
  return j;
}

nlohmann::json json_of(const ExtRun& r) {
  INFO("stdout: " << r.out << "\nstderr: " << r.err);
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  REQUIRE_FALSE(j.is_discarded());
  return j;
}

nlohmann::json run_json(const std::vector<std::string>& args, const std::filesystem::path& store) {
  std::vector<std::string> a = {"--json"};
  a.insert(a.end(), args.begin(), args.end());
  return json_ok(run_ext(a, store));
}

std::string unique(const std::string& prefix) {
  static std::atomic<int> n{0};
  return prefix + "-" + std::to_string(::getpid()) + "-" + std::to_string(++n);
}

}  // namespace ext::test
