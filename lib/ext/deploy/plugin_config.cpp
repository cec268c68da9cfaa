#include "ext/deploy/plugin_config.hpp"

#include "ext/deploy/yaml.hpp"
#include "ext/util/files.hpp"
#include "ext/util/json.hpp"
#include "ext/util/strings.hpp"

namespace ext::deploy {

namespace {

constexpr uint64_t k_max_config_bytes = 1u << 20;

PluginConfig from_value(Json value) {
  PluginConfig c;
  // JSON text is UTF-8: bytes that are not become U+FFFD (nlohmann would throw otherwise).
  c.raw = value.is_string() ? value.get<std::string>()
                            : value.dump(-1, ' ', false, Json::error_handler_t::replace);
  c.value = std::move(value);
  return c;
}

Result<Json> parse_json_text(std::string_view text, const std::string& what) {
  // Untrusted text: size and depth limits first (JSON nested 100,000 deep crashed ext).
  auto limited = util::parse_ordered_json(text);
  if (limited) return std::move(*limited);
  if (limited.error().message().find("limit") != std::string::npos)
    return fail(Errc::parse, what + ": " + limited.error().message(),
                "--config takes a plugin configuration, not a document this large or deep");
  try {  // malformed: nlohmann's own message carries the position
    return Json::parse(text.begin(), text.end());
  } catch (const nlohmann::json::parse_error& e) {
    std::string msg = e.what();
    // "[json.exception.parse_error.101] parse error at line 1, column 2: ..." -> from "at".
    auto at = msg.find(" at line");
    return fail(
        Errc::parse,
        "invalid JSON in " + what + ":" + (at == std::string::npos ? " " + msg : msg.substr(at)),
        "--config takes JSON ('{\"key\":\"value\"}' or '\"text\"'), or @file.json, "
        "@file.yaml");
  }
}

}  // namespace

Result<nlohmann::ordered_json> PluginConfig::as_object() const {
  if (value && value->is_object()) return *value;
  return fail(Errc::invalid_argument,
              "Istio's pluginConfig must be a JSON/YAML object, got " +
                  std::string(value ? value->type_name() : "raw text"),
              "pass an object: --config '{\"key\":\"value\"}'");
}

Result<PluginConfig> parse_config_arg(std::string_view text,
                                      const std::filesystem::path& base_dir) {
  if (text.empty() || text.front() != '@') {
    if (util::trim(text).empty())
      return fail(Errc::invalid_argument, "--config is empty",
                  "give JSON ('{}'), or @file.json / @file.yaml");
    auto j = parse_json_text(text, "--config");
    if (!j) return fail(j.error());
    return from_value(std::move(*j));
  }
  std::filesystem::path path(std::string(text.substr(1)));
  if (path.empty()) return fail(Errc::invalid_argument, "--config @ needs a file name");
  if (path.is_relative() && !base_dir.empty()) path = base_dir / path;
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    return fail(Errc::not_found, "config file not found: " + path.string());
  std::string data;
  try {
    data = util::read_file(path, k_max_config_bytes);
  } catch (const Error& e) {
    return fail(e.with_context("reading config " + path.string()));
  }
  auto ext = util::to_lower(path.extension().string());
  if (ext == ".json") {
    auto j = parse_json_text(data, path.string());
    if (!j) return fail(j.error());
    return from_value(std::move(*j));
  }
  if (ext == ".yaml" || ext == ".yml") {
    auto j = parse_yaml(data, path.string());
    if (!j)
      return fail(Error(Errc::parse, j.error().message(),
                        "fix the YAML, or pass JSON with --config @file.json"));
    return from_value(std::move(*j));
  }
  PluginConfig c;
  c.raw = std::move(data);
  return c;
}

PluginConfig config_from_project(const nlohmann::ordered_json& value) {
  if (value.is_string()) {
    PluginConfig c;
    c.raw = value.get<std::string>();
    auto parsed = util::parse_ordered_json(c.raw);
    if (parsed && (parsed->is_object() || parsed->is_array())) c.value = std::move(*parsed);
    return c;
  }
  return from_value(value);
}

}  // namespace ext::deploy
