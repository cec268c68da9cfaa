// ops::package_module — `ext build --wasm` and the packaging step of `ext build`: read and
// validate the module (docs/validate.md), pack it in the chosen format (docs/formats.md), name it
// in the local store. Nothing is written before the module and every reference have been checked.
#include "ext/ops/package.hpp"

#include <algorithm>

#include <cerrno>
#include <cstdlib>
#include <ctime>
#include <optional>

#include "ext/artifact/artifact.hpp"
#include "ext/core/error.hpp"
#include "ext/ref/reference.hpp"
#include "ext/store/oci_layout_store.hpp"
#include "ext/util/strings.hpp"
#include "ext/wasm/module.hpp"

namespace ext::ops {

namespace {

// SOURCE_DATE_EPOCH (reproducible-builds.org) as RFC 3339 UTC; empty when unset.
std::string created_from_env(const util::Environment& environment) {
  auto v = environment.non_empty("SOURCE_DATE_EPOCH");
  if (!v) return {};
  const std::string& s = *v;
  errno = 0;
  char* end = nullptr;
  long long secs = std::strtoll(s.c_str(), &end, 10);
  if (errno != 0 || end == s.c_str() || *end != '\0' || secs < 0 || secs > 253402300799LL)
    throw Error(Errc::invalid_argument,
                "SOURCE_DATE_EPOCH must be seconds since 1970, got \"" + s + "\"",
                "unset it, or set it to e.g. $(git log -1 --format=%ct)");
  std::time_t t = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string describe(const wasm::Finding& f) {
  std::string s = "[" + f.rule + "] " + f.message;
  return s;
}

}  // namespace

PackageResult package_module(const PackageOptions& opts, Env& env) {
  Reporter& rep = env.reporter;
  if (opts.refs.empty())
    throw Error(Errc::usage, "packaging needs at least one reference (-t REF)",
                "name the image: ext build --wasm filter.wasm -t acme/filter:v1");

  // 1. Everything the user typed, before anything is read or written.
  std::vector<ref::Reference> names;
  for (const auto& text : opts.refs) {
    auto r = ref::Reference::parse(text);
    if (!r) {
      // The parser's message names the reference already ("invalid reference \"X\": ...").
      auto msg = r.error().message();
      if (msg.find(text) == std::string::npos) msg = "invalid reference \"" + text + "\": " + msg;
      throw Error(Errc::invalid_argument, msg,
                  "references look like name:tag, registry/name:tag or "
                  "registry:port/org/name@sha256:<hex>");
    }
    if (r->digest())
      throw Error(Errc::invalid_argument, "cannot name a new image by digest: \"" + text + "\"",
                  "use a tag (name:tag); the manifest digest is printed after packaging");
    names.push_back(*r);
  }
  // --format, else config.yaml's default_format (docs/ext-yaml.md), else oci.
  std::string format_name = opts.format;
  if (format_name.empty()) {
    const auto& settings = env.settings();
    if (!settings) throw settings.error();
    format_name = settings->default_format.empty() ? "oci" : settings->default_format;
  }
  auto format = artifact::parse_format(format_name);
  if (!format) throw format.error();
  const std::string created = created_from_env(env.environment);

  // 2. The module: readable, a core module, no rule errors (warnings fail with strict).
  const std::string path = opts.module.string();
  auto info_r = wasm::read_module_file(opts.module);
  if (!info_r) {
    // read_module_file names the file already.
    if (info_r.error().message().find(path) != std::string::npos) throw info_r.error();
    throw info_r.error().with_context(path);
  }
  const auto& info = *info_r;
  auto findings = wasm::validate(info);
  std::vector<std::string> errors;
  PackageResult result;
  for (const auto& f : findings) {
    if (f.severity == wasm::Severity::error) {
      errors.push_back(describe(f));
    } else if (f.severity == wasm::Severity::info ||
               std::find(opts.expected_rules.begin(), opts.expected_rules.end(), f.rule) !=
                   opts.expected_rules.end()) {
      rep.debug(1, path + ": " + describe(f) + " (expected)");
    } else {
      result.warnings.push_back(describe(f));
    }
  }
  if (info.is_component && errors.empty())
    errors.push_back("[component] a WebAssembly component, not a core module");
  if (!errors.empty()) {
    std::string hint;
    for (const auto& f : findings)
      if (f.severity == wasm::Severity::error && !f.hint.empty()) {
        hint = f.hint;
        break;
      }
    if (hint.empty()) hint = "run `ext validate " + path + "` for every finding";
    throw Error(
        Errc::validation,
        path + " breaks the proxy-wasm ABI, so Envoy would refuse it: " + util::join(errors, "; "),
        hint);
  }
  for (const auto& w : result.warnings) rep.warn(path + ": " + w);
  if (opts.strict && !result.warnings.empty())
    throw Error(
        Errc::validation,
        path + " has " + std::to_string(result.warnings.size()) +
            " validation warning(s) and --strict is set: " + util::join(result.warnings, "; "),
        "fix the warnings, or drop --strict");

  // 3. The filter type: declared, or what the exports say; never guessed.
  std::optional<wasm::FilterKind> declared;
  if (!opts.filter_type.empty()) declared = wasm::parse_filter_type(opts.filter_type).value();
  auto kind = wasm::resolve_filter_type(info, declared, opts.filter_type_how);
  if (!kind) throw kind.error().with_context(path);

  // 4. Pack and name.
  artifact::PackOptions po;
  po.format = *format;
  po.root_ids = opts.root_ids;
  po.annotations = opts.annotations;
  po.created = created;
  po.filter_type = wasm::to_string(*kind);
  store::OciLayoutStore store(env.store_root);
  auto packed = with_context("packaging " + path,
                             [&] { return artifact::pack(store, opts.module, info, po); });
  with_context("naming the image",
               [&] { store.put_manifest(packed.manifest, packed.manifest_bytes, names); });
  rep.debug(1, "packed " + path + " as " + packed.manifest.digest.to_string() + " (" +
                   artifact::to_string(*format) + ")");

  result.module = opts.module;
  result.size = info.size;
  result.module_sha256 = info.sha256;
  result.abi_version = info.abi_version;
  result.filter_type = wasm::to_string(*kind);
  result.manifest_digest = packed.manifest.digest.to_string();
  result.format = artifact::to_string(*format);
  for (const auto& n : names) result.refs.push_back(n.to_string());
  return result;
}

}  // namespace ext::ops
