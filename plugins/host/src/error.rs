//! Why a plugin could not be loaded.

use cloudwall_plugin_protocol::ProtocolVersion;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum PluginError {
    #[error("plugin {path}: cannot open it: {source}")]
    NotFound {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("plugin {path}: is not a file; name the plugin library itself (e.g. target/release/libmy_plugin.so)")]
    NotAFile { path: PathBuf },

    #[error("plugin {path}: cannot load it as a shared library: {message}")]
    Open { path: PathBuf, message: String },

    #[error(
        "plugin {path}: not a cloudwall plugin: the library exports no `cloudwall_plugin_entry` symbol \
         (a plugin is a cdylib that calls cloudwall_plugin_sdk::export_provider!)"
    )]
    NotAPlugin { path: PathBuf },

    #[error("plugin {path}: the entry point returned no function table")]
    NullTable { path: PathBuf },

    #[error(
        "plugin {path}: built for plugin ABI version {found}, but this cloudwall loads ABI version {expected} \
         only; rebuild the plugin against cloudwall-plugin-sdk for ABI {expected}"
    )]
    AbiMismatch {
        path: PathBuf,
        found: u32,
        expected: u32,
    },

    #[error("plugin {path}: its function table is {found} bytes, ABI {abi} needs {expected}; the library is corrupt or mislabelled")]
    TableSize {
        path: PathBuf,
        abi: u32,
        found: u32,
        expected: u32,
    },

    #[error(
        "plugin {path}: speaks plugin protocol {plugin}, which this cloudwall (protocol {host}) cannot serve \
         (needs ^{plugin}); use a cloudwall with protocol {plugin_major}.x at least {plugin}, or rebuild the plugin"
    )]
    ProtocolMismatch {
        path: PathBuf,
        plugin: ProtocolVersion,
        host: ProtocolVersion,
        plugin_major: u32,
    },

    #[error("plugin {path}: invalid manifest: {message}")]
    Manifest { path: PathBuf, message: String },

    #[error("plugins {first} and {second} both provide `{name}`; load only one of them")]
    DuplicateName {
        name: String,
        first: PathBuf,
        second: PathBuf,
    },
}

impl PluginError {
    /// The library the error is about.
    pub fn path(&self) -> &std::path::Path {
        match self {
            PluginError::NotFound { path, .. }
            | PluginError::NotAFile { path }
            | PluginError::Open { path, .. }
            | PluginError::NotAPlugin { path }
            | PluginError::NullTable { path }
            | PluginError::AbiMismatch { path, .. }
            | PluginError::TableSize { path, .. }
            | PluginError::ProtocolMismatch { path, .. }
            | PluginError::Manifest { path, .. } => path,
            PluginError::DuplicateName { second, .. } => second,
        }
    }
}
