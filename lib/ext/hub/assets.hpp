// ext::hub — the CSS and JavaScript the pages load (/static/NAME), embedded into the binary from
// hub/ (hub/CMakeLists.txt): the page needs nothing from the network.
#pragma once

#include <optional>
#include <string_view>

namespace ext::hub {

// The file hub/<name> ("hub.css", "hub.js"), or nullopt.
std::optional<std::string_view> asset(std::string_view name);

}  // namespace ext::hub
