#include "support/ops/ops_env.hpp"

#include "ext/core/error.hpp"
#include "ext/http/transport.hpp"
#include "ext/ops/package.hpp"
#include "ext/util/process.hpp"
#include "support/wasm/fixtures.hpp"

namespace ext::test {

OpsEnv::OpsEnv(std::shared_ptr<FakeRegistry> r) : m_dir("ext-ops-"), registry(std::move(r)) {
  std::filesystem::create_directories(dir() / "home");
  env.reporter = reporter;
  env.runner = runner;
  env.clock = clock;
  env.store_root = dir() / "store";
  env.data_root = dir() / "data";
  env.settings_path = dir() / "config.yaml";  // absent: defaults
  env.environment = util::Environment{{"HOME", (dir() / "home").string()}};
  env.http_transport = [reg = registry](const http::TransportOptions&) {
    return std::shared_ptr<http::Transport>(reg);
  };
  // Nothing runs unless the test says what the program does.
  runner.set_handler([](const util::ProcessSpec& spec) -> util::ProcessResult {
    throw Error(Errc::internal,
                "the test did not expect a process: " + util::shell_quote(spec.argv));
  });
}

std::string OpsEnv::package_minimal_filter(const std::string& ref) {
  auto module = dir() / "minimal-filter.wasm";
  util::write_file_atomic(module, wasm::minimal_filter_bytes());
  ops::PackageOptions p;
  p.module = module;
  p.refs = {ref};
  p.filter_type = "http";
  return ops::package_module(p, env).manifest_digest;
}

}  // namespace ext::test
