//! SDK-style filter: copies the request's x-user header into the response. Works in a lenient
//! host; in Envoy the request map is gone by then, the hostcall returns BAD_ARGUMENT and the
//! SDK's `get_map_value` panics ("unexpected status: 2").
use std::alloc::{alloc, Layout};

#[link(wasm_import_module = "env")]
extern "C" {
    fn proxy_get_header_map_value(
        map: u32,
        key: *const u8,
        key_size: usize,
        value: *mut *mut u8,
        value_size: *mut usize,
    ) -> u32;
    fn proxy_add_header_map_value(
        map: u32,
        key: *const u8,
        key_size: usize,
        value: *const u8,
        value_size: usize,
    ) -> u32;
}

const REQUEST_HEADERS: u32 = 0;
const RESPONSE_HEADERS: u32 = 2;

// As proxy-wasm-rust-sdk src/hostcalls.rs get_map_value: Ok -> Some, NotFound -> None,
// anything else -> panic!("unexpected status: {}", status).
fn get_map_value(map: u32, key: &str) -> Option<Vec<u8>> {
    let mut ptr: *mut u8 = std::ptr::null_mut();
    let mut size: usize = 0;
    let status =
        unsafe { proxy_get_header_map_value(map, key.as_ptr(), key.len(), &mut ptr, &mut size) };
    match status {
        0 => {
            if ptr.is_null() {
                Some(Vec::new())
            } else {
                Some(unsafe { Vec::from_raw_parts(ptr, size, size) })
            }
        }
        1 => None,
        status => panic!("unexpected status: {}", status),
    }
}

#[no_mangle]
pub extern "C" fn proxy_abi_version_0_2_1() {}

#[no_mangle]
pub extern "C" fn proxy_on_memory_allocate(size: usize) -> *mut u8 {
    if size == 0 {
        return std::ptr::null_mut();
    }
    unsafe { alloc(Layout::from_size_align_unchecked(size, 1)) }
}

#[no_mangle]
pub extern "C" fn proxy_on_context_create(_context_id: u32, _parent_context_id: u32) {}

#[no_mangle]
pub extern "C" fn proxy_on_request_headers(_id: u32, _headers: usize, _eos: u32) -> u32 {
    0
}

#[no_mangle]
pub extern "C" fn proxy_on_response_headers(_id: u32, _headers: usize, _eos: u32) -> u32 {
    if let Some(user) = get_map_value(REQUEST_HEADERS, "x-user") {
        let k = b"x-user";
        unsafe {
            proxy_add_header_map_value(RESPONSE_HEADERS, k.as_ptr(), k.len(), user.as_ptr(), user.len())
        };
    }
    0
}
