// The catalog page's rows (lib/ext/hub/pages.cpp, hub/hub.css): in <tbody> chunks of 50 shown
// rows, so the browser can skip a chunk out of view whole (content-visibility: auto) and hub.js
// can size it by its shown rows; a hidden row stays in the chunk of the shown rows before it.
#include <catch2/catch.hpp>
#include <cstdio>

#include "ext/hub/pages.hpp"

using namespace ext;

namespace {

hub::CatalogSnapshot snapshot(size_t n) {
  hub::CatalogSnapshot s;
  s.registries.push_back({"127.0.0.1:5999", true, true, "", 1, 1});
  for (size_t i = 0; i < n; ++i) {
    ops::SearchHit h;
    h.registry = "127.0.0.1:5999";
    char name[32];
    std::snprintf(name, sizeof name, "acme/f%03zu", i);
    h.repository = name;
    h.tag = "v1";
    h.type = i % 2 ? "http" : "network";
    s.filters.push_back(h);
  }
  return s;
}

// Per <tbody>: {rows, shown rows}.
std::vector<std::pair<int, int>> chunks(const std::string& page) {
  std::vector<std::pair<int, int>> out;
  auto body = page.substr(page.find("<tbody>"));
  body = body.substr(0, body.find("</table>"));
  size_t at = 0;
  while ((at = body.find("<tbody>", at)) != std::string::npos) {
    auto end = body.find("</tbody>", at);
    auto part = body.substr(at, end - at);
    int rows = 0, shown = 0;
    for (size_t r = 0; (r = part.find("<tr class=\"filter\"", r)) != std::string::npos; ++r) {
      ++rows;
      auto close = part.find('>', r);
      if (part.substr(r, close - r).find(" hidden") == std::string::npos) ++shown;
    }
    out.push_back({rows, shown});
    at = end;
  }
  return out;
}

}  // namespace

TEST_CASE("catalog page: rows in tbody chunks of 50 shown rows", "[hub][pages]") {
  hub::PageContext ctx{"t", false};
  auto s = snapshot(120);
  std::vector<size_t> all(120);
  for (size_t i = 0; i < all.size(); ++i) all[i] = i;
  using C = std::vector<std::pair<int, int>>;
  CHECK(chunks(hub::catalog_page(s, all, {}, ctx)) == C{{50, 50}, {50, 50}, {20, 20}});

  // Every other row shown (the server's filter without JavaScript): each chunk holds 50 shown
  // rows and the hidden rows between them.
  std::vector<size_t> odd;
  for (size_t i = 1; i < 120; i += 2) odd.push_back(i);
  CHECK(chunks(hub::catalog_page(s, odd, {"", "http", "", "", ""}, ctx)) == C{{101, 50}, {19, 10}});

  // Nothing shown: one chunk of hidden rows.
  CHECK(chunks(hub::catalog_page(s, {}, {"zzz", "", "", "", ""}, ctx)) == C{{120, 0}});
  CHECK(chunks(hub::catalog_page(snapshot(0), {}, {}, ctx)) == C{{0, 0}});
}
