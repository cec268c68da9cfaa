#include "ext/util/json.hpp"

#include <string>

namespace ext::util {

namespace {

struct TooDeep {};

template <class Json>
Result<Json> parse_with_limits(std::string_view text, const JsonLimits& limits) {
  if (text.size() > limits.max_bytes)
    return fail(Errc::parse, "JSON text of " + std::to_string(text.size()) +
                                 " bytes is larger than " + std::to_string(limits.max_bytes) +
                                 " (limit max_bytes)");
  // The callback sees every container as it opens, with the depth of its parent (0 at the top).
  const int max_depth = static_cast<int>(limits.max_depth);
  typename Json::parser_callback_t depth_check = [max_depth](int depth,
                                                             typename Json::parse_event_t event,
                                                             Json&) {
    if ((event == Json::parse_event_t::object_start || event == Json::parse_event_t::array_start) &&
        depth >= max_depth)
      throw TooDeep{};
    return true;
  };
  try {
    return Json::parse(text.begin(), text.end(), depth_check, true);
  } catch (const TooDeep&) {
    return fail(Errc::parse, "JSON nested deeper than " + std::to_string(limits.max_depth) +
                                 " levels (limit max_depth)");
  } catch (const nlohmann::json::exception& e) {
    std::string what = e.what();
    if (what.size() > 160) what = what.substr(0, 160) + "...";
    return fail(Errc::parse, "invalid JSON: " + what);
  }
}

}  // namespace

Result<nlohmann::json> parse_json(std::string_view text, const JsonLimits& limits) {
  return parse_with_limits<nlohmann::json>(text, limits);
}

Result<nlohmann::ordered_json> parse_ordered_json(std::string_view text, const JsonLimits& limits) {
  return parse_with_limits<nlohmann::ordered_json>(text, limits);
}

}  // namespace ext::util
