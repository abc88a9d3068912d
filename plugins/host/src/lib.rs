//! The cloudwall plugin host: loads provider plugins and makes them [`Provider`]s.
//!
//! Plugins are only ever loaded from paths the user names: `--plugin PATH`, the
//! `CLOUDWALL_PLUGIN_PATH` variable ([`paths_from_env`]) and the profile's
//! `plugins = [...]` list ([`profile_plugin_path`]). Nothing is searched for.
//!
//! ```ignore
//! let plugin = cloudwall_plugin_host::load(Path::new("target/debug/libcloudwall_nftables.so"))?;
//! println!("{} {} (ABI {}, protocol {})", plugin.manifest().name, plugin.manifest().version,
//!          plugin.manifest().abi_version, plugin.manifest().protocol_version);
//! let artifacts = plugin.render(&policy, Phase::ALL)?; // a Provider like any other
//! ```
//!
//! [`load`] checks the ABI version (exact) and the protocol version (caret) from the
//! function table before calling anything in the plugin, and never unloads a library.
//! The adapter ([`PluginProvider`]) refuses malformed answers and artifact paths that
//! would leave the output folder; a panicking plugin becomes a [`RenderError`].
//!
//! [`Provider`]: cloudwall_core::Provider
//! [`RenderError`]: cloudwall_core::provider::RenderError

// Loading a shared library, calling its entry point and reading the table and buffers
// it returns are unsafe operations by nature. They are confined to `loader.rs`, each
// block small and commented with what makes it sound.
#![allow(unsafe_code)]

mod adapter;
mod error;
mod loader;
mod paths;
pub mod testing;

pub use adapter::PluginProvider;
pub use cloudwall_plugin_protocol::{Manifest, ProtocolVersion, ABI_VERSION, PROTOCOL_VERSION};
pub use error::PluginError;
pub use loader::{load, load_all};
pub use paths::{
    paths_from_env, paths_from_env_value, profile_plugin_path, profile_plugin_paths,
    PLUGIN_PATH_ENV,
};
