//! The C ABI: one exported symbol returning a versioned `#[repr(C)]` function table.
//!
//! Calling sequence (the host's side):
//!
//! 1. look up [`ENTRY_SYMBOL`] (`extern "C" fn() -> *const PluginTable`) and call it;
//! 2. read [`PluginTable::abi_version`] (the first field, whose place never changes)
//!    and refuse anything but [`ABI_VERSION`] before reading further;
//! 3. check [`PluginTable::protocol_version`] (caret rules, [`crate::version`]);
//! 4. only then call `manifest`, and `render` as often as needed.
//!
//! Every buffer a plugin returns was allocated by the plugin and must be given back to
//! the same plugin's `free` (plugin and host may use different allocators). Request
//! bytes passed to `render` belong to the host and are only borrowed for the call.
//! No function may unwind across the boundary: the SDK catches every panic and turns it
//! into an error response.

use crate::version::ProtocolVersion;

/// The name of the one symbol a plugin exports (NUL-terminated for `dlsym`).
pub const ENTRY_SYMBOL: &[u8] = b"cloudwall_plugin_entry\0";

/// The ABI version: the layout of [`PluginTable`] and [`PluginBuffer`] and the meaning
/// of their fields. Host and plugin must agree exactly.
pub const ABI_VERSION: u32 = 1;

/// The signature of [`ENTRY_SYMBOL`].
pub type EntryFn = extern "C" fn() -> *const PluginTable;

/// Bytes owned by the plugin (JSON text, UTF-8). `ptr` is null only for an empty buffer.
#[repr(C)]
#[derive(Debug)]
pub struct PluginBuffer {
    pub ptr: *mut u8,
    pub len: usize,
    /// The allocation's capacity, for the plugin's `free`; the host does not read it.
    pub cap: usize,
}

/// The function table a plugin returns; lives for the whole process (a `static`).
#[repr(C)]
#[derive(Debug)]
pub struct PluginTable {
    /// Always the first field, in every ABI version.
    pub abi_version: u32,
    /// `size_of::<PluginTable>()` as the plugin sees it: a second guard on the layout.
    pub table_size: u32,
    /// The JSON protocol version the plugin was built against.
    pub protocol_version: ProtocolVersion,
    /// The plugin's [`crate::Manifest`] as JSON.
    pub manifest: extern "C" fn() -> PluginBuffer,
    /// Takes a [`crate::RenderRequest`] as JSON (`request`, `len` bytes) and returns a
    /// [`crate::RenderResponse`] as JSON.
    pub render: extern "C" fn(request: *const u8, len: usize) -> PluginBuffer,
    /// Releases a buffer returned by `manifest` or `render`.
    pub free: extern "C" fn(buffer: PluginBuffer),
}

/// The header every ABI version starts with; all the host reads before the version check.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct PluginTableHeader {
    pub abi_version: u32,
    pub table_size: u32,
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::mem::{offset_of, size_of};

    #[test]
    fn the_header_is_a_prefix_of_the_table() {
        assert_eq!(
            offset_of!(PluginTable, abi_version),
            offset_of!(PluginTableHeader, abi_version)
        );
        assert_eq!(
            offset_of!(PluginTable, table_size),
            offset_of!(PluginTableHeader, table_size)
        );
        assert!(size_of::<PluginTableHeader>() <= size_of::<PluginTable>());
        assert_eq!(ENTRY_SYMBOL.last(), Some(&0));
    }
}
