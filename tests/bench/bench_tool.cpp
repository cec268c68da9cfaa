// ext_bench_tool: measures library pieces that have no verb of their own, for scripts/bench.
//   ext_bench_tool sha256 FILE     prints the sha256 hex of FILE (streamed, as the store does)
//   ext_bench_tool hub N [--serve] a hub over a fake catalog of N filters on 127.0.0.1:0: prints
//                                  the time of the first GET / (renders the page) and the
//                                  median of 20 more, of GET /api/catalog, and the process RSS;
//                                  with --serve it then prints "url: URL" and serves until stdin
//                                  closes (scripts/bench times the search in a browser)
#include <algorithm>
#include <chrono>
#include <cstring>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "ext/core/error.hpp"
#include "ext/core/reporter.hpp"
#include "ext/digest/digest.hpp"
#include "ext/http/curl_transport.hpp"
#include "ext/hub/server.hpp"
#include "ext/util/files.hpp"
#include "ext/util/process.hpp"

extern char** environ;

namespace {

long status_kib(const char* field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(field, 0) == 0) return std::stol(line.substr(std::strlen(field)));
  return -1;
}

ext::ops::SearchResult fake_catalog(int n) {
  ext::ops::SearchResult r;
  const char* words[] = {"auth", "header",  "rate",  "limit", "waf", "cors",
                         "geo",  "metrics", "cache", "trace", "jwt", "tcp"};
  for (int i = 0; i < n; ++i) {
    ext::ops::SearchHit h;
    h.registry = "127.0.0.1:5999";
    h.repository = "bench/" + std::string(words[i % 12]) + "-" + std::string(words[(i / 12) % 12]) +
                   "-" + std::to_string(i);
    h.tag = "1." + std::to_string(i % 7) + ".0";
    h.reference = h.registry + "/" + h.repository + ":" + h.tag;
    h.digest = "sha256:" + ext::digest::sha256(h.repository).hex();
    h.description = "Filter number " + std::to_string(i) + ": " + words[(i * 7) % 12] + " and " +
                    words[(i * 5) % 12] + " for <every> route";
    h.keywords = {words[i % 12], words[(i * 3) % 12]};
    h.abi = i % 5 == 0 ? "v0.2.0" : "v0.2.1";
    h.type = i % 4 == 0 ? "network" : "http";
    h.license = i % 3 == 0 ? "MIT" : "Apache-2.0";
    h.platforms = {"istio@1." + std::to_string(18 + i % 6), "envoy@1.3" + std::to_string(i % 4)};
    h.size = 100000 + static_cast<uint64_t>(i);
    h.updated = "2026-11-" + std::to_string(10 + i % 18) + "T12:00:00Z";
    r.hits.push_back(std::move(h));
  }
  return r;
}

double get_ms(ext::http::CurlTransport& c, const std::string& url, size_t* bytes) {
  ext::http::Request req;
  req.url = url;
  req.max_response = 64u << 20;
  auto t0 = std::chrono::steady_clock::now();
  auto r = c.send(req);
  auto t1 = std::chrono::steady_clock::now();
  if (r.status != 200) throw ext::Error(ext::Errc::failed, url + ": " + std::to_string(r.status));
  *bytes = r.body.size();
  return std::chrono::duration<double, std::milli>(t1 - t0).count();
}

int bench_hub(int n, bool serve) {
  ext::util::TempDir tmp("ext-bench-hub-");
  ext::NullReporter reporter;
  ext::util::SubprocessRunner runner{ext::util::Environment::from_envp(environ)};
  ext::ops::Env env;
  env.reporter = reporter;
  env.runner = runner;
  env.store_root = tmp.path() / "store";
  env.data_root = tmp.path() / "data";
  ext::hub::HubOptions o;
  o.registries = {"127.0.0.1:5999"};
  o.listen = "127.0.0.1:0";
  o.refresh_seconds = 0;
  auto catalog = fake_catalog(n);
  o.source = [&](const std::string&) { return catalog; };
  ext::hub::Hub hub(o, env);
  hub.start();
  ext::http::CurlTransport c;
  size_t bytes = 0, api_bytes = 0;
  double first = get_ms(c, hub.url(), &bytes);
  std::vector<double> page, api;
  for (int i = 0; i < 20; ++i) page.push_back(get_ms(c, hub.url(), &bytes));
  for (int i = 0; i < 20; ++i) api.push_back(get_ms(c, hub.url() + "api/catalog", &api_bytes));
  std::sort(page.begin(), page.end());
  std::sort(api.begin(), api.end());
  std::cout << "filters: " << n << "\n"
            << "page_bytes: " << bytes << "\n"
            << "first_get_ms: " << first << "\n"
            << "page_median_ms: " << page[page.size() / 2] << "\n"
            << "page_max_ms: " << page.back() << "\n"
            << "api_bytes: " << api_bytes << "\n"
            << "api_median_ms: " << api[api.size() / 2] << "\n"
            << "rss_kib: " << status_kib("VmRSS:") << "\n"
            << "peak_rss_kib: " << status_kib("VmHWM:") << "\n";
  if (serve) {
    std::cout << "url: " << hub.url() << std::endl;
    std::string line;
    while (std::getline(std::cin, line)) {
    }
    std::cout << "peak_rss_kib_after_browser: " << status_kib("VmHWM:") << std::endl;
  }
  hub.stop();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    if (argc == 3 && std::strcmp(argv[1], "sha256") == 0) {
      std::cout << ext::digest::sha256_file(argv[2]).hex() << "  " << argv[2] << "\n";
      return 0;
    }
    if ((argc == 3 || argc == 4) && std::strcmp(argv[1], "hub") == 0)
      return bench_hub(std::stoi(argv[2]), argc == 4 && std::strcmp(argv[3], "--serve") == 0);
    std::cerr << "usage: ext_bench_tool sha256 FILE | hub N [--serve]\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "ext_bench_tool: " << e.what() << "\n";
    return 1;
  }
}
