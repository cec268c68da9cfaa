// libFuzzer entry points for the host (issue 11): "the host driving a mutated module" and "the
// spec parser". Not built by ext_tests; a fuzz harness links these and calls them from its
// LLVMFuzzerTestOneInput. Any input must end in a result or an error, never a crash, a hang
// (budgets below keep one run short) or unbounded memory.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "ext/host/host.hpp"
#include "ext/testing/spec.hpp"

namespace ext::fuzz {

// Loads `data` as a module and, when it loads, drives one HTTP stream, one network stream and a
// few ticks through it, under small limits.
int fuzz_host_module(const uint8_t* data, size_t size) {
  host::HostOptions o;
  o.limits.instruction_budget = 1'000'000;
  o.limits.max_memory_pages = 256;  // 16 MiB
  o.limits.table_elements = 10'000;
  o.host_limits.hostcall_bytes = 1 << 20;
  o.host_limits.case_bytes = 4 << 20;
  o.host_limits.ticks_per_advance = 100;
  auto h = host::Host::create(std::string_view(reinterpret_cast<const char*>(data), size), o);
  if (!h) return 0;
  host::HttpInput in;
  in.request_headers = {{":method", "POST"}, {":path", "/"}, {":authority", "a"}};
  in.request_body = {"ab", "cd"};
  in.request_trailers = host::HeaderMap{{"t", "1"}};
  in.response_headers = {{":status", "200"}};
  in.response_body = {"ok"};
  (void)(*h)->run_http(in);
  if ((*h)->failed()) return 0;
  host::TcpInput tcp;
  tcp.downstream = {"x"};
  tcp.upstream = {"y"};
  (void)(*h)->run_tcp(tcp);
  (void)(*h)->advance(1000);
  return 0;
}

// Parses `data` as a test spec (YAML): errors are fine, crashes and blow-ups are not.
int fuzz_spec_parser(const uint8_t* data, size_t size) {
  (void)testing::parse_spec(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz");
  return 0;
}

}  // namespace ext::fuzz
