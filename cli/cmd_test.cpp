// ext test [DIR|FILE.wasm|REF] [-f SPEC]... [--junit FILE]
// Runs the module in the built-in proxy-wasm host; prints one line per case, a diff for each
// failure and "N passed, M failed"; exits 1 when any case fails.
#include "commands.hpp"
#include "ext/ops/test.hpp"
#include "ext/testing/report.hpp"

namespace ext::cli {
namespace {

struct TestFlags {
  std::string target;
  std::vector<std::string> specs;
  std::string junit;
  bool debug = false;
  int repeat = 1;
};

void setup_test(CLI::App& app, Context& ctx) {
  auto flags = std::make_shared<TestFlags>();
  auto* cmd = app.add_subcommand(
      "test", "Run the filter in the built-in proxy-wasm host against test specs");
  examples(
      cmd,
      {"ext test                                   # the project in ., specs from ext.yaml tests:",
       "ext test filter.wasm -f tests/filter.test.yaml",
       "ext test acme/filter:v1 -f smoke.test.yaml --junit report.xml",
       "ext test --repeat 1000 -f bench.test.yaml"});
  cmd->add_option("target", flags->target, "Project directory (default .), FILE.wasm, or REF");
  cmd->add_option("-f,--file", flags->specs, "Test spec (repeatable; default: ext.yaml tests:)")
      ->check(CLI::ExistingFile);
  cmd->add_option("--junit", flags->junit, "Also write a JUnit XML report to FILE");
  cmd->add_flag("--debug", flags->debug, "Build the project in debug mode first");
  cmd->add_option("--repeat", flags->repeat, "Run each case N times in the same VM")
      ->check(CLI::Range(1, 10000000));
  cmd->callback([flags, &ctx] {
    auto env = ctx.env();
    ops::TestOptions o;
    o.target = flags->target;
    for (const auto& s : flags->specs) o.specs.emplace_back(s);
    o.junit = flags->junit;
    o.release = !flags->debug;
    o.repeat = flags->repeat;
    auto r = ops::test(o, env);
    auto j = testing::render_json(r.report);
    j["source_kind"] = r.source_kind;
    j["spec_files"] = r.spec_files;
    if (!flags->junit.empty()) j["junit"] = flags->junit;
    ctx.emit("test", j,
             testing::render_text(r.report, ctx.color_stdout(), ctx.globals.verbose > 0));
    if (!r.report.ok()) ctx.exit_code = 1;
  });
}

}  // namespace
EXT_COMMAND(test, 10, setup_test)
}  // namespace ext::cli
