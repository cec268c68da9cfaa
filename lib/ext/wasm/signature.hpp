// ext::wasm — the text of wasm value types and function types, "(i32,i32)->i32": the form
// module.hpp, the ABI tables (abi_tables.hpp) and the host's import checks compare. One owner for
// the module reader and the host (lib/DEPS: host may include wasm). Takes WABT's types, declared
// here only by name: WABT's headers stay in the .cpp files of the modules that own it.
#pragma once

#include <cstddef>
#include <string>

namespace wabt {
class Type;
}

namespace ext::wasm {

// "i32", "i64", "f32", "f64", "v128", "funcref", "externref"; WABT's own name for any other.
std::string type_name(const wabt::Type& t);
// "(i32,i64)->i32"; "()->()" without parameters or results; "(i32)->(i32,i32)" for several.
std::string signature(const wabt::Type* params, size_t np, const wabt::Type* results, size_t nr);

}  // namespace ext::wasm
