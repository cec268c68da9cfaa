// The `ext test` spec parser (YAML with limits on nodes, depth and alias expansion): errors are
// fine, crashes and blow-ups are not.
#include "ext/testing/spec.hpp"
#include "fuzz.hpp"

EXT_FUZZ_TARGET(spec) {
  (void)ext::testing::parse_spec(ext::fuzz::as_text(data, size), "fuzz.test.yaml");
  return 0;
}
