// host::cel: CEL expressions from modules (expr_create): parse and evaluate any text, bounded.
#include "ext/host/cel.hpp"
#include "fuzz.hpp"

EXT_FUZZ_TARGET(cel) {
  auto text = ext::fuzz::as_text(data, size);
  auto e = ext::host::cel::parse(text);
  if (!e) return 0;
  auto v = ext::host::cel::evaluate(
      *e, [](const std::vector<std::string>& path) -> std::optional<ext::host::cel::Value> {
        if (path.size() == 2 && path[0] == "request" && path[1] == "path")
          return ext::host::cel::Value::string("/p");
        return std::nullopt;
      });
  if (!v.is_error()) {
    auto out = ext::host::cel::serialize(v);
    EXT_FUZZ_CHECK(!out || out->size() <= 64u * ext::host::cel::k_max_value_bytes,
                   "a serialized CEL value beyond the size bound");
  }
  return 0;
}
