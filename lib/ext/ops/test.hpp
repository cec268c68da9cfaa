// ext::ops — `ext test [DIR|FILE.wasm|REF] [-f SPEC]... [--junit FILE]`: run a module in the
// built-in proxy-wasm host (ext::host) against test specs (ext::testing). A project directory
// is built first (ops::build_project) and its ext.yaml `tests:` are used; a REF is resolved in
// the local store and its module extracted (artifact::detect / extract_module).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "ext/ops/env.hpp"
#include "ext/testing/runner.hpp"

namespace ext::ops {

struct TestOptions {
  std::string target;                        // DIR | FILE.wasm | REF; empty: "."
  std::vector<std::filesystem::path> specs;  // -f; empty: ext.yaml tests:
  std::filesystem::path junit;               // --junit FILE (written when set)
  bool release = true;                       // build flavour for a project
  int repeat = 1;                            // --repeat N: each case N times
};

struct TestResult {
  testing::Report report;
  std::filesystem::path module;
  std::string source_kind;  // "project" | "file" | "image"
  std::vector<std::string> spec_files;
};

// Throws for what prevents running at all (no spec, unreadable spec, a module Envoy would not
// load); failing cases are in the report (report.ok() == false).
TestResult test(const TestOptions& opts, Env& env);

}  // namespace ext::ops
