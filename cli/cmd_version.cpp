// ext version [--json]: version, build and dependency versions.
#include <CLI/Version.hpp>
#include <sstream>

#include "commands.hpp"
#include "ext/archive/archive.hpp"
#include "ext/core/version.hpp"
#include "ext/digest/digest.hpp"
#include "ext/http/curl_transport.hpp"
#include "ext/wasm/module.hpp"

namespace ext::cli {
namespace {

void setup_version(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("version", "Print version, build and dependency versions");
  examples(cmd, {"ext version", "ext --json version"});
  cmd->callback([&ctx] {
    nlohmann::json deps = {
        {"openssl", digest::openssl_version()},
        {"libcurl", http::CurlTransport::version()},
        {"libarchive", archive::library_version()},
        {"wabt", wasm::wabt_version()},
        {"cli11", CLI11_VERSION},
        {"nlohmann_json", std::to_string(NLOHMANN_JSON_VERSION_MAJOR) + "." +
                              std::to_string(NLOHMANN_JSON_VERSION_MINOR) + "." +
                              std::to_string(NLOHMANN_JSON_VERSION_PATCH)},
    };
    nlohmann::json j = {
        {"version", std::string(ext::version())},
        {"build", {{"compiler", "gcc " __VERSION__}, {"cxx_standard", __cplusplus}}},
        {"dependencies", deps}};
    std::ostringstream human;
    human << "ext " << std::string(ext::version()) << "\n";
    for (auto& [k, v] : deps.items()) human << "  " << k << ": " << v.get<std::string>() << "\n";
    ctx.emit("version", j, human.str());
  });
}

}  // namespace
EXT_COMMAND(version, 90, setup_version)
}  // namespace ext::cli
