#include "ext/deploy/platform.hpp"

#include <algorithm>
#include <cstdlib>

#include "ext/util/strings.hpp"

namespace ext::deploy {

const char* to_string(Platform p) {
  switch (p) {
    case Platform::envoy:
      return "envoy";
    case Platform::istio:
      return "istio";
    case Platform::gloo:
      return "gloo";
  }
  return "?";
}

Result<Version> Version::parse(std::string_view text) {
  auto t = util::trim(text);
  if (!t.empty() && (t.front() == 'v' || t.front() == 'V')) t.remove_prefix(1);
  auto cut = t.find_first_not_of("0123456789.");
  auto core = t.substr(0, cut);
  auto parts = util::split(core, '.');
  if (core.empty() || parts.size() < 2 || parts.size() > 3)
    return fail(Errc::invalid_argument, "invalid platform version \"" + std::string(text) + "\"",
                "use MAJOR.MINOR[.PATCH], e.g. 1.30 or 1.22.3");
  Version v;
  int* fields[] = {&v.major, &v.minor, &v.patch};
  for (size_t i = 0; i < parts.size(); ++i) {
    if (parts[i].empty() || parts[i].size() > 6)
      return fail(Errc::invalid_argument, "invalid platform version \"" + std::string(text) + "\"");
    *fields[i] = std::atoi(parts[i].c_str());
  }
  return v;
}

std::string Version::to_string() const {
  return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(patch);
}

std::vector<std::string> supported_abis(Platform p, const std::optional<Version>& version) {
  const std::vector<std::string> all{"0.1.0", "0.2.0", "0.2.1"};
  if (!version) return all;
  const Version& v = *version;
  switch (p) {
    case Platform::envoy:
      // Upstream Envoy gained the proxy-wasm host in 1.17 with all three markers (0.2.1 landed
      // in envoyproxy/envoy 2758575b, Oct 2020); earlier wasm builds were the envoy-wasm fork.
      if (v >= Version{1, 17, 0}) return all;
      return {};
    case Platform::istio:
      // Istio 1.9+ ships Envoy 1.17+; 1.7-1.8 used the 0.2.0 precursor; 1.5-1.6 only 0.1.0.
      if (v >= Version{1, 9, 0}) return all;
      if (v >= Version{1, 7, 0}) return {"0.1.0", "0.2.0"};
      if (v >= Version{1, 5, 0}) return {"0.1.0"};
      return {};
    case Platform::gloo:
      // Gloo Edge Enterprise 1.6+ (wasme's registry: Gloo 1.6.x -> v0.2.1).
      if (v >= Version{1, 6, 0}) return all;
      if (v >= Version{1, 5, 0}) return {"0.1.0"};
      return {};
  }
  return {};
}

std::vector<CompatFinding> check_compat(Platform p, const std::optional<Version>& version,
                                        const std::string& abi_version, bool is_component) {
  std::vector<CompatFinding> out;
  std::string where = std::string(to_string(p)) + (version ? " " + version->to_string() : "");
  if (is_component) {
    out.push_back({"component", "the module is a WebAssembly component; " + where +
                                    " loads only core modules (proxy-wasm ABI)"});
    return out;
  }
  auto abis = supported_abis(p, version);
  if (abis.empty()) {
    out.push_back({"platform-too-old", where + " has no proxy-wasm support ext can target"});
    return out;
  }
  if (abi_version.empty()) {
    out.push_back(
        {"abi-missing", "the module exports no proxy_abi_version_* marker; " + where +
                            " refuses it (\"Missing or unknown Proxy-Wasm ABI version\")"});
    return out;
  }
  if (std::find(abis.begin(), abis.end(), abi_version) == abis.end()) {
    out.push_back({"abi-unsupported",
                   "the module uses proxy-wasm ABI v" + abi_version + "; " + where + " supports " +
                       (abis.size() == 1 ? "only v" + abis[0] : "v" + util::join(abis, ", v"))});
  }
  return out;
}

}  // namespace ext::deploy
