#include "ext/ops/validate.hpp"

#include <filesystem>

#include "ext/core/error.hpp"

namespace ext::ops {

namespace fs = std::filesystem;

namespace {

void finish(ValidateResult& r, const ValidateOptions& opts) {
  wasm::ValidateOptions vo;
  vo.max_module_size = opts.max_module_size;
  r.findings = wasm::validate(r.module, vo);
  for (const auto& f : r.findings) (f.severity == wasm::Severity::error ? r.errors : r.warnings)++;
  r.ok = r.errors == 0 && (!opts.strict || r.warnings == 0);
}

}  // namespace

ValidateResult validate(const ValidateOptions& opts, Env& env) {
  if (opts.target.empty()) throw Error(Errc::usage, "ext validate needs a FILE.wasm or REF");
  ValidateResult r;
  std::error_code ec;
  fs::path path(opts.target);
  if (fs::is_regular_file(path, ec)) {
    r.source = path.string();
    r.source_kind = "file";
    if (env.reporter) env.reporter->debug(1, "validating file " + r.source);
    r.module = wasm::read_module_file(path).value();
    finish(r, opts);
    return r;
  }
  if (fs::exists(path, ec))
    throw Error(Errc::invalid_argument, opts.target + " is not a regular file");
  throw Error(Errc::not_found, "no such file: " + opts.target,
              "pass a .wasm file (images in the local store are not supported yet)");
}

}  // namespace ext::ops
