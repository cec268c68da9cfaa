// ext::hub — the pages, rendered on the server from the same JSON the API returns (docs/hub.md):
// the catalog (every filter, with the search box and filters; JavaScript filters the rendered
// rows as you type, the form works without it), a filter (README, versions, annotations,
// runtime config, module facts, referrers) and deploy (the form, the YAML `ext deploy` writes,
// the command line). Every string from a registry or a request goes through hub::escape.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ext/hub/catalog.hpp"

namespace ext::hub {

struct PageContext {
  std::string token;  // the per-run token, for the forms that change state
  bool allow_apply = false;
};

std::string catalog_page(const CatalogSnapshot& s, const std::vector<size_t>& shown,
                         const CatalogQuery& query, const PageContext& ctx);

// `details`: GET /api/filter's JSON.
std::string filter_page(const nlohmann::json& details, const PageContext& ctx);

// `form`: the request's fields (ref, platform, name, namespace, selector, target_ref, config,
// platform_version, gateway); `result`: GET /api/deploy's JSON, or null before the form is sent;
// `error`: why rendering failed.
std::string deploy_page(const nlohmann::json& form, const nlohmann::json& result,
                        const std::string& error, const PageContext& ctx);

// --allow-apply: the confirmation (context and namespace), then the outcome.
std::string confirm_page(const nlohmann::json& form, const nlohmann::json& target,
                         const std::string& yaml, const PageContext& ctx);
std::string applied_page(const nlohmann::json& result, const std::string& error,
                         const PageContext& ctx);

std::string error_page(int status, const std::string& message, const PageContext& ctx);

}  // namespace ext::hub
