//! The contract between the cloudwall host and a plugin: types only, no I/O.
//!
//! Two layers:
//!
//! - [`abi`]: the C ABI. A plugin library exports one symbol, [`abi::ENTRY_SYMBOL`],
//!   that returns a `#[repr(C)]` [`abi::PluginTable`]: an ABI version (exact match),
//!   a protocol version (semver, caret-compatible) and three functions (manifest,
//!   render, free) that exchange JSON in plugin-owned buffers.
//! - [`messages`]: the JSON payloads (manifest, render request, render response,
//!   findings). Enums tolerate unknown values and no type refuses unknown fields, so a
//!   newer peer with extra fields still talks to an older one within a protocol major.
//!
//! [`version`] holds the version rules both sides apply.

pub mod abi;
pub mod messages;
pub mod version;

pub use abi::{PluginBuffer, PluginTable, ABI_VERSION, ENTRY_SYMBOL};
pub use messages::{
    Finding, Manifest, RenderOutput, RenderRequest, RenderResponse, WirePhase, WireSeverity,
};
pub use version::{ProtocolVersion, PROTOCOL_VERSION};
