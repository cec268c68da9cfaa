// ext::auth — WWW-Authenticate challenges (RFC 7235 §4.1, RFC 6750 §3; distribution/distribution
// docs/content/spec/auth/token.md "How to authenticate", @0d6b721): a real tokenizer (quoted
// strings with escapes and commas), several challenges per header.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "ext/core/result.hpp"

namespace ext::auth {

struct Challenge {
  std::string scheme;                         // lowercase: "bearer", "basic", ...
  std::map<std::string, std::string> params;  // names lowercase

  std::string param(const std::string& name) const {
    auto it = params.find(name);
    return it == params.end() ? std::string() : it->second;
  }
};

// Every challenge in one header value.
Result<std::vector<Challenge>> parse_challenges(std::string_view header);

// Across several header values: the Bearer challenge if any, else Basic, else the first;
// nullopt when there is none.
std::optional<Challenge> pick_challenge(const std::vector<std::string>& header_values);

}  // namespace ext::auth
