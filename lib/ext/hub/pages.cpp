#include "ext/hub/pages.hpp"

#include <ctime>
#include <set>

#include "ext/hub/html.hpp"
#include "ext/util/strings.hpp"

namespace ext::hub {
namespace {

using json = nlohmann::json;

// Shown rows per <tbody> of the catalog (hub.css, hub.js).
constexpr size_t k_chunk_rows = 50;

std::string E(std::string_view s) {
  return escape(s);
}

std::string str(const json& j, const char* key) {
  if (!j.is_object()) return {};
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return {};
  return it->get<std::string>();
}

std::string human_time(int64_t t) {
  if (t == 0) return "never";
  char buf[32];
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
  return buf;
}

std::string layout(const std::string& title, const std::string& body, const PageContext& ctx) {
  std::string out;
  out.reserve(body.size() + 1024);
  out += "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  out += "<meta name=\"hub-token\" content=\"" + E(ctx.token) + "\">\n";
  out += "<title>" + E(title) + " · ext hub</title>\n";
  out += "<link rel=\"stylesheet\" href=\"/static/hub.css\">\n";
  out += "<script src=\"/static/hub.js\" defer></script>\n</head><body>\n";
  out +=
      "<header><a class=\"brand\" href=\"/\">ext hub</a>"
      "<span class=\"tagline\">Wasm filters for Envoy, Istio and Gloo</span></header>\n";
  out += "<main>\n" + body + "</main>\n</body></html>\n";
  return out;
}

std::string filter_href(const std::string& registry, const std::string& repository) {
  return "/filter?ref=" + url_encode(registry + "/" + repository);
}

void banner(std::string& out, const std::vector<RegistryStatus>& regs) {
  for (const auto& r : regs) {
    if (r.reachable) continue;
    out += "<div class=\"banner\" role=\"status\" data-registry=\"" + E(r.registry) + "\">";
    out += "<strong>" + E(r.registry) + " is unreachable</strong>";
    if (r.read)
      out += ": showing the catalog read at " + E(human_time(r.read_at));
    else
      out += ": nothing read from it yet";
    if (!r.message.empty()) out += " <span class=\"why\">(" + E(r.message) + ")</span>";
    out += "</div>\n";
  }
}

void options(std::string& out, const char* id, const char* label,
             const std::set<std::string>& values, const std::string& selected) {
  out += "<label>" + std::string(label) + " <select name=\"" + id + "\" id=\"" + id + "\">";
  out += "<option value=\"\">any</option>";
  for (const auto& v : values) {
    out += "<option value=\"" + E(v) + "\"" + (v == selected ? " selected" : "") + ">" + E(v) +
           "</option>";
  }
  out += "</select></label>\n";
}

}  // namespace

std::string catalog_page(const CatalogSnapshot& s, const std::vector<size_t>& shown,
                         const CatalogQuery& query, const PageContext& ctx) {
  std::string out;
  out.reserve(512 * s.filters.size() + 4096);
  banner(out, s.registries);
  std::set<std::string> types, abis, platforms, licenses;
  for (const auto& h : s.filters) {
    if (!h.type.empty()) types.insert(h.type);
    if (!h.abi.empty()) abis.insert(h.abi[0] == 'v' ? h.abi.substr(1) : h.abi);
    for (const auto& p : h.platforms) {
      platforms.insert(p.substr(0, p.find('@')));
      platforms.insert(p);
    }
    if (!h.license.empty()) licenses.insert(h.license);
  }
  out += "<form id=\"search\" class=\"search\" method=\"get\" action=\"/\">\n";
  out +=
      "<input type=\"search\" name=\"q\" id=\"q\" placeholder=\"Search name, description, "
      "keywords\" autocomplete=\"off\" value=\"" +
      E(query.q) + "\">\n";
  options(out, "type", "Type", types, query.type);
  options(out, "abi", "ABI", abis, query.abi);
  options(out, "platform", "Platform", platforms, query.platform);
  options(out, "license", "License", licenses, query.license);
  out += "<button type=\"submit\">Search</button></form>\n";
  out += "<p class=\"count\"><span id=\"count\">" + std::to_string(shown.size()) + "</span> of " +
         std::to_string(s.filters.size()) + " filters in ";
  for (size_t i = 0; i < s.registries.size(); ++i)
    out += (i ? ", " : "") + std::string("<code>") + E(s.registries[i].registry) + "</code>";
  out += " <button type=\"button\" id=\"refresh\" hidden>Read the registries again</button></p>\n";
  out +=
      "<table id=\"catalog\" class=\"catalog\"><thead><tr><th>Filter</th><th>Description</th>"
      "<th>Latest</th><th>ABI</th><th>Type</th><th>Platforms</th><th>License</th>"
      "<th>Updated</th></tr></thead><tbody>\n";
  std::vector<bool> visible(s.filters.size(), false);
  for (auto i : shown) visible[i] = true;
  // tbody chunks of k_chunk_rows shown rows (hub.css: a chunk out of view is skipped whole).
  size_t in_chunk = 0;
  for (size_t i = 0; i < s.filters.size(); ++i) {
    if (in_chunk == k_chunk_rows && visible[i]) {
      out += "</tbody><tbody>\n";
      in_chunk = 0;
    }
    if (visible[i]) ++in_chunk;
    const auto& h = s.filters[i];
    std::string text =
        util::to_lower(h.repository + "\n" + h.description + "\n" + util::join(h.keywords, "\n"));
    std::string abi = h.abi.size() && h.abi[0] == 'v' ? h.abi.substr(1) : h.abi;
    out += "<tr class=\"filter\" data-text=\"" + E(text) + "\" data-type=\"" + E(h.type) +
           "\" data-abi=\"" + E(abi) + "\" data-platforms=\"" + E(util::join(h.platforms, " ")) +
           "\" data-license=\"" + E(util::to_lower(h.license)) + "\"" +
           (visible[i] ? "" : " hidden") + ">";
    out += "<td><a href=\"" + E(filter_href(h.registry, h.repository)) + "\">" + E(h.repository) +
           "</a><br><small>" + E(h.registry) + "</small></td>";
    out += "<td>" + E(h.description) + "</td>";
    out += "<td><code>" + E(h.tag) + "</code></td>";
    out += "<td>" + E(h.abi) + "</td><td>" + E(h.type) + "</td>";
    out += "<td>" + E(util::join(h.platforms, ", ")) + "</td>";
    out += "<td>" + E(h.license) + "</td><td>" + E(h.updated) + "</td></tr>\n";
  }
  out += "</tbody></table>\n";
  if (s.filters.empty()) out += "<p class=\"empty\">No filters found in these registries.</p>\n";
  return layout("Catalog", out, ctx);
}

std::string filter_page(const json& d, const PageContext& ctx) {
  std::string out;
  const json& hit = d.value("catalog", json::object());
  const json& ins = d.value("inspect", json::object());
  std::string ref = str(d, "reference");
  out +=
      "<nav class=\"crumbs\"><a href=\"/\">Catalog</a> / " + E(str(d, "repository")) + "</nav>\n";
  out += "<h1>" + E(str(d, "repository")) + "</h1>\n";
  out += "<p class=\"ref\"><code>" + E(ref) + "</code></p>\n";
  auto ann = ins.value("annotations", json::object());
  std::string desc = str(hit, "description");
  if (desc.empty()) desc = str(ann, "org.opencontainers.image.description");
  if (!desc.empty()) out += "<p class=\"description\">" + E(desc) + "</p>\n";
  out += "<p><a class=\"button\" id=\"deploy-link\" href=\"/deploy?ref=" + E(url_encode(ref)) +
         "\">Deploy…</a></p>\n";
  for (const auto& w : d.value("warnings", json::array()))
    if (w.is_string()) out += "<div class=\"warning\">" + E(w.get<std::string>()) + "</div>\n";

  out += "<section id=\"readme\"><h2>README</h2>\n";
  if (d.contains("readme_html") && d["readme_html"].is_string())
    out += "<div class=\"markdown\">" + d["readme_html"].get<std::string>() + "</div>\n";
  else
    out += "<p class=\"empty\">No README was pushed with this filter.</p>\n";
  out += "</section>\n";

  out +=
      "<section id=\"versions\"><h2>Versions</h2><table><thead><tr><th>Tag</th><th>Digest</th>"
      "<th>Size</th><th>Created</th></tr></thead><tbody>\n";
  for (const auto& v : d.value("versions", json::array())) {
    out += "<tr><td><a href=\"/filter?ref=" +
           E(url_encode(str(d, "registry") + "/" + str(d, "repository") + ":" + str(v, "tag"))) +
           "\"><code>" + E(str(v, "tag")) + "</code></a></td><td><code>" + E(str(v, "digest")) +
           "</code></td><td>" + E(util::human_size(v.value("size", uint64_t{0}))) + "</td><td>" +
           E(str(v, "created")) + "</td></tr>\n";
  }
  out += "</tbody></table></section>\n";

  if (ins.is_object() && !ins.empty()) {
    out += "<section id=\"module\"><h2>Module</h2>\n";
    const json& m = ins.value("module", json());
    if (m.is_object()) {
      out += "<dl><dt>ABI</dt><dd>" + E(str(m, "abi")) + "</dd>";
      out += "<dt>Type</dt><dd>" + E(str(m, "filter_type")) + "</dd>";
      out +=
          "<dt>Size</dt><dd>" + E(util::human_size(m.value("module_size", uint64_t{0}))) + "</dd>";
      out += "<dt>Digest</dt><dd><code>" + E(str(m, "module_digest")) + "</code></dd></dl>\n";
      out += "<h3>Imports</h3><ul class=\"mono\">";
      for (const auto& i : m.value("imports", json::array()))
        out += "<li>" + E(str(i, "module")) + "." + E(str(i, "name")) + " " +
               E(str(i, "signature")) + "</li>";
      out += "</ul>\n<h3>Exports</h3><ul class=\"mono\">";
      for (const auto& e : m.value("exports", json::array()))
        out += "<li>" + E(str(e, "name")) + " " + E(str(e, "signature")) + "</li>";
      out += "</ul>\n";
    } else {
      out += "<p class=\"empty\">The module could not be read: " + E(str(ins, "module_error")) +
             "</p>\n";
    }
    out += "</section>\n<section id=\"runtime-config\"><h2>Runtime config</h2>";
    if (ins.contains("runtime_config"))
      out += "<pre>" + E(ins["runtime_config"].dump(2)) + "</pre>";
    else
      out += "<p class=\"empty\">none</p>";
    out += "</section>\n<section id=\"annotations\"><h2>Annotations</h2><table><tbody>\n";
    for (const auto& [k, v] : ann.items())
      out += "<tr><th><code>" + E(k) + "</code></th><td>" +
             E(v.is_string() ? v.get<std::string>() : v.dump()) + "</td></tr>\n";
    out +=
        "</tbody></table></section>\n<section id=\"referrers\"><h2>Referrers</h2><table>"
        "<thead><tr><th>Artifact type</th><th>Digest</th><th>Size</th></tr></thead><tbody>\n";
    for (const auto& r : ins.value("referrers", json::array()))
      out += "<tr><td>" + E(str(r, "artifactType")) + "</td><td><code>" + E(str(r, "digest")) +
             "</code></td><td>" + E(std::to_string(r.value("size", int64_t{0}))) + "</td></tr>\n";
    out += "</tbody></table></section>\n";
  }
  return layout(str(d, "repository"), out, ctx);
}

namespace {

void field(std::string& out, const char* name, const char* label, const json& form,
           const char* placeholder = "") {
  out += "<label>" + std::string(label) + " <input name=\"" + name + "\" id=\"f-" + name +
         "\" value=\"" + E(str(form, name)) + "\" placeholder=\"" + E(placeholder) +
         "\"></label>\n";
}

void hidden_fields(std::string& out, const json& form) {
  for (const auto& [k, v] : form.items())
    if (v.is_string())
      out += "<input type=\"hidden\" name=\"" + E(k) + "\" value=\"" + E(v.get<std::string>()) +
             "\">\n";
}

}  // namespace

std::string deploy_page(const json& form, const json& result, const std::string& error,
                        const PageContext& ctx) {
  std::string out;
  std::string ref = str(form, "ref");
  std::string platform = str(form, "platform");
  if (platform.empty()) platform = "istio";
  out += "<nav class=\"crumbs\"><a href=\"/\">Catalog</a> / <a href=\"/filter?ref=" +
         E(url_encode(ref)) + "\">" + E(ref) + "</a> / deploy</nav>\n";
  out += "<h1>Deploy <code>" + E(ref) + "</code></h1>\n";
  out += "<form id=\"deploy\" method=\"get\" action=\"/deploy\" class=\"deploy\">\n";
  out += "<input type=\"hidden\" name=\"ref\" value=\"" + E(ref) + "\">\n";
  out += "<label>Platform <select name=\"platform\" id=\"f-platform\">";
  for (const char* p : {"istio", "envoy", "gloo"})
    out += std::string("<option value=\"") + p + "\"" + (platform == p ? " selected" : "") + ">" +
           p + "</option>";
  out += "</select></label>\n";
  field(out, "platform_version", "Platform version", form, "newest known");
  field(out, "name", "Name", form, "the filter's name");
  field(out, "namespace", "Namespace", form, "istio: kubectl's; gloo: gloo-system");
  field(out, "selector", "Selector (istio)", form, "app=web,tier=front");
  field(out, "target_ref", "Target (istio)", form, "Gateway/NAME");
  field(out, "gateway", "Gateway (gloo)", form, "gateway-proxy");
  out +=
      "<label class=\"wide\">Configuration (JSON) <textarea name=\"config\" id=\"f-config\" "
      "rows=\"4\">" +
      E(str(form, "config")) + "</textarea></label>\n";
  out += "<button type=\"submit\">Show the configuration</button></form>\n";
  if (!error.empty()) out += "<div class=\"error\" id=\"deploy-error\">" + E(error) + "</div>\n";
  if (result.is_object()) {
    for (const auto& w : result.value("warnings", json::array()))
      out += "<div class=\"warning\">" + E(w.get<std::string>()) + "</div>\n";
    for (const auto& n : result.value("notes", json::array()))
      out += "<div class=\"note\">" + E(n.get<std::string>()) + "</div>\n";
    out += "<h2>The command</h2><pre id=\"command\">" + E(str(result, "command")) + "</pre>\n";
    out +=
        "<h2>The configuration</h2><p class=\"actions\">"
        "<button type=\"button\" id=\"copy\" hidden>Copy</button> "
        "<a class=\"button\" id=\"download\" href=\"" +
        E(str(result, "download")) + "\" download=\"" + E(str(result, "file_name")) +
        "\">Download " + E(str(result, "file_name")) + "</a></p>\n";
    out += "<pre id=\"yaml\">" + E(str(result, "yaml")) + "</pre>\n";
    if (ctx.allow_apply && platform != "envoy") {
      out += "<form method=\"post\" action=\"/deploy/apply\" id=\"apply\">\n";
      hidden_fields(out, form);
      out += "<input type=\"hidden\" name=\"token\" value=\"" + E(ctx.token) + "\">\n";
      out += "<button type=\"submit\">Apply to the cluster…</button></form>\n";
    }
  }
  return layout("Deploy " + ref, out, ctx);
}

std::string confirm_page(const json& form, const json& target, const std::string& yaml,
                         const PageContext& ctx) {
  std::string out = "<h1>Apply to the cluster?</h1>\n";
  out += "<dl id=\"target\"><dt>kubectl context</dt><dd><code>" + E(str(target, "context")) +
         "</code></dd><dt>Namespace</dt><dd><code>" + E(str(target, "namespace")) +
         "</code></dd></dl>\n";
  out += "<pre id=\"yaml\">" + E(yaml) + "</pre>\n";
  out += "<form method=\"post\" action=\"/deploy/apply\" id=\"confirm\">\n";
  hidden_fields(out, form);
  out += "<input type=\"hidden\" name=\"token\" value=\"" + E(ctx.token) + "\">\n";
  out += "<input type=\"hidden\" name=\"confirm\" value=\"" +
         E(str(target, "context") + "/" + str(target, "namespace")) + "\">\n";
  out += "<button type=\"submit\">Apply</button> <a href=\"/\">Cancel</a></form>\n";
  return layout("Apply", out, ctx);
}

std::string applied_page(const json& result, const std::string& error, const PageContext& ctx) {
  std::string out = error.empty() ? "<h1>Applied</h1>\n" : "<h1>Not applied</h1>\n";
  if (!error.empty()) out += "<div class=\"error\">" + E(error) + "</div>\n";
  if (result.is_object())
    out += "<pre id=\"kubectl\">" + E(str(result, "kubectl_output")) + "</pre>\n";
  out += "<p><a href=\"/\">Back to the catalog</a></p>\n";
  return layout("Apply", out, ctx);
}

std::string error_page(int status, const std::string& message, const PageContext& ctx) {
  std::string out = "<h1>" + std::to_string(status) + "</h1><div class=\"error\">" + E(message) +
                    "</div><p><a href=\"/\">Back to the catalog</a></p>\n";
  return layout("Error", out, ctx);
}

}  // namespace ext::hub
