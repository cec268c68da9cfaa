//! A minimal proxy-wasm (ABI 0.2.1) HTTP filter with no dependencies: it adds the response
//! header `x-rust: nodeps` and logs once when configured.
use std::alloc::{alloc, Layout};

#[link(wasm_import_module = "env")]
extern "C" {
    fn proxy_log(level: u32, message: *const u8, size: usize) -> u32;
    fn proxy_add_header_map_value(
        map: u32,
        key: *const u8,
        key_size: usize,
        value: *const u8,
        value_size: usize,
    ) -> u32;
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
pub extern "C" fn proxy_on_configure(_root_id: u32, _size: usize) -> u32 {
    let msg = b"rust-nodeps configured";
    unsafe { proxy_log(2, msg.as_ptr(), msg.len()) };
    1
}

#[no_mangle]
pub extern "C" fn proxy_on_response_headers(_id: u32, _headers: usize, _eos: u32) -> u32 {
    let (k, v) = (b"x-rust", b"nodeps");
    unsafe { proxy_add_header_map_value(2, k.as_ptr(), k.len(), v.as_ptr(), v.len()) };
    0
}
