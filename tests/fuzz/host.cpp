// The host driving a mutated module (issue 11): the module loads or is refused, and when it
// loads one HTTP stream, one network stream and a few ticks run through it under small limits.
// Any input must end in a result or an error, never a crash, a hang or unbounded memory.
#include "ext/host/host.hpp"
#include "fuzz.hpp"

EXT_FUZZ_TARGET(host) {
  using namespace ext;
  host::HostOptions o;
  o.limits.instruction_budget = 1'000'000;
  o.limits.max_memory_pages = 256;  // 16 MiB
  o.limits.table_elements = 10'000;
  o.host_limits.hostcall_bytes = 1 << 20;
  o.host_limits.case_bytes = 4 << 20;
  o.host_limits.ticks_per_advance = 100;
  auto h = host::Host::create(ext::fuzz::as_text(data, size), o);
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
