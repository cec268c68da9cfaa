// The proxy-wasm ABI is declared once (wasm/abi_list.hpp); the validator, the host and the C++
// driver's link lists are generated from it. These tests fail when one of them drifts: a row the
// host does not bind, a signature that differs, a name the link lists miss.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "ext/build/proxy_wasm_names.hpp"
#include "ext/host/hostcalls.hpp"
#include "ext/wasm/abi_list.hpp"
#include "ext/wasm/abi_tables.hpp"

using namespace ext;

namespace {

struct Row {
  std::string name;
  std::string signature;
  unsigned versions;
};

#define EXT_TEST_ROW(name, signature, versions) {#name, signature, wasm::abi::versions},
const std::vector<Row> k_env_rows = {EXT_PROXY_WASM_ENV_FUNCTIONS(EXT_TEST_ROW)};
const std::vector<Row> k_callback_rows = {EXT_PROXY_WASM_CALLBACKS(EXT_TEST_ROW)};
#undef EXT_TEST_ROW
#define EXT_TEST_WASI(name, signature, generation) {#name, signature, wasm::abi::k_all},
const std::vector<Row> k_wasi_rows = {EXT_PROXY_WASM_WASI_FUNCTIONS(EXT_TEST_WASI)};
#undef EXT_TEST_WASI

const host::HostCall* find(const std::vector<host::HostCall>& calls, const std::string& name) {
  for (const auto& c : calls)
    if (c.name == name) return &c;
  return nullptr;
}

bool contains(const std::vector<std::string_view>& v, const std::string& name) {
  return std::find(v.begin(), v.end(), name) != v.end();
}

}  // namespace

TEST_CASE("abi list: every env row is bound by the host with its signature and versions",
          "[host][abi]") {
  REQUIRE(k_env_rows.size() == host::env_calls().size());
  for (const auto& row : k_env_rows) {
    INFO(row.name);
    const auto* call = find(host::env_calls(), row.name);
    REQUIRE(call);
    CHECK(call->fn != nullptr);
    CHECK(call->signature == row.signature);
    const auto* v = wasm::abi::find_env_import(row.name);
    REQUIRE(v);
    CHECK(v->signature == row.signature);
    CHECK(v->versions == row.versions);
    // Host bits mirror the validator's version mask.
    CHECK(((call->abis & host::k_abi_010) != 0) == ((row.versions & wasm::abi::k_v010) != 0));
    CHECK(((call->abis & host::k_abi_020) != 0) == ((row.versions & wasm::abi::k_v020) != 0));
    CHECK(((call->abis & host::k_abi_021) != 0) == ((row.versions & wasm::abi::k_v021) != 0));
  }
}

TEST_CASE("abi list: every WASI row is bound by the host and known to the validator",
          "[host][abi]") {
  REQUIRE(k_wasi_rows.size() == host::wasi_calls().size());
  for (const auto& row : k_wasi_rows) {
    INFO(row.name);
    const auto* call = find(host::wasi_calls(), row.name);
    REQUIRE(call);
    CHECK(call->fn != nullptr);
    CHECK(call->signature == row.signature);
    const auto* v = wasm::abi::find_wasi_import(row.name);
    REQUIRE(v);
    CHECK(v->signature == row.signature);
  }
}

TEST_CASE("abi list: callbacks agree between validator, host and the C++ link", "[host][abi]") {
  for (const auto& row : k_callback_rows) {
    INFO(row.name);
    CHECK(contains(build::proxy_wasm_exports(), row.name));
    for (auto [abi, text] : {std::pair{host::AbiVersion::v0_1_0, "0.1.0"},
                             std::pair{host::AbiVersion::v0_2_0, "0.2.0"},
                             std::pair{host::AbiVersion::v0_2_1, "0.2.1"}}) {
      if (!(row.versions & wasm::abi::version_bit(text))) continue;
      auto sig = host::callback_signature(row.name, abi);
      REQUIRE(sig);
      CHECK(*sig == row.signature);
      const auto* v = wasm::abi::find_export(row.name, text);
      REQUIRE(v);
      CHECK(v->signature == row.signature);
    }
  }
  // The 0.1.0 headers callbacks have no end_of_stream argument; 0.1.0 has no foreign function.
  CHECK(*host::callback_signature("proxy_on_request_headers", host::AbiVersion::v0_1_0) ==
        "(i32,i32)->i32");
  CHECK(*host::callback_signature("proxy_on_request_headers", host::AbiVersion::v0_2_1) ==
        "(i32,i32,i32)->i32");
  CHECK_FALSE(host::callback_signature("proxy_on_foreign_function", host::AbiVersion::v0_1_0));
}

TEST_CASE("abi list: the C++ link allows every proxy-wasm host function and nothing else",
          "[host][abi]") {
  for (const auto& row : k_env_rows) {
    INFO(row.name);
    CHECK(contains(build::proxy_wasm_host_functions(), row.name) ==
          (row.name.rfind("proxy_", 0) == 0));
  }
  CHECK(build::proxy_wasm_host_functions().size() == 43);
}
