// proxy_wasm_intrinsics.h -- the include name the official proxy-wasm C++ SDK uses, so filters
// written for it compile against the `ext` SDK unchanged. See proxy_wasm.h.
#pragma once

#include "proxy_wasm.h"
#include "proxy_wasm_json.h"
