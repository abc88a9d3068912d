//! Opening a plugin library: version gate first, then the manifest. Libraries are
//! never unloaded (the `Library` is leaked), so the table and functions stay valid for
//! the life of the process.

use crate::adapter::PluginProvider;
use crate::error::PluginError;
use cloudwall_plugin_protocol::abi::{EntryFn, PluginTableHeader};
use cloudwall_plugin_protocol::{
    Manifest, PluginBuffer, PluginTable, ABI_VERSION, ENTRY_SYMBOL, PROTOCOL_VERSION,
};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Loads the plugin library at `path` (as the user named it).
///
/// Order of checks: the file exists and is a file; it loads as a shared library; it
/// exports the entry symbol; the table's ABI version is exactly [`ABI_VERSION`]; the
/// table's protocol version is caret-compatible with [`PROTOCOL_VERSION`]; only then is
/// the manifest asked for and checked.
pub fn load(path: &Path) -> Result<PluginProvider, PluginError> {
    let shown = path.to_path_buf();
    let meta = std::fs::metadata(path).map_err(|source| PluginError::NotFound {
        path: shown.clone(),
        source,
    })?;
    if !meta.is_file() {
        return Err(PluginError::NotAFile { path: shown });
    }
    // An absolute path, so that the dynamic loader never searches its own directories.
    let absolute = std::fs::canonicalize(path).map_err(|source| PluginError::NotFound {
        path: shown.clone(),
        source,
    })?;

    // SAFETY: loading a library runs its initializers; that is the trust the user
    // expresses by naming the plugin. The path is absolute, so no search happens.
    let library =
        unsafe { libloading::Library::new(&absolute) }.map_err(|e| PluginError::Open {
            path: shown.clone(),
            message: e.to_string(),
        })?;
    // Never unloaded: the table, its functions and the plugin's statics stay valid.
    let library: &'static libloading::Library = Box::leak(Box::new(library));

    // SAFETY: the symbol is looked up with the signature the ABI fixes for it
    // (`extern "C" fn() -> *const PluginTable`); a plugin that exports the name with
    // another signature breaks the ABI contract and cannot be detected here.
    let entry: EntryFn = match unsafe { library.get::<EntryFn>(ENTRY_SYMBOL) } {
        Ok(sym) => *sym,
        Err(_) => return Err(PluginError::NotAPlugin { path: shown }),
    };
    let table_ptr = entry();
    if table_ptr.is_null() {
        return Err(PluginError::NullTable { path: shown });
    }
    // SAFETY: every ABI version's table starts with this header, so reading it is
    // valid whatever version the plugin was built for; the pointer refers to a static
    // of the never-unloaded library.
    let header: PluginTableHeader = unsafe { *(table_ptr as *const PluginTableHeader) };
    if header.abi_version != ABI_VERSION {
        return Err(PluginError::AbiMismatch {
            path: shown,
            found: header.abi_version,
            expected: ABI_VERSION,
        });
    }
    let expected_size = std::mem::size_of::<PluginTable>() as u32;
    if header.table_size != expected_size {
        return Err(PluginError::TableSize {
            path: shown,
            abi: ABI_VERSION,
            found: header.table_size,
            expected: expected_size,
        });
    }
    // SAFETY: the ABI version and size match, so the pointer refers to a `PluginTable`
    // of this layout, in a static of a library that is never unloaded.
    let table: &'static PluginTable = unsafe { &*table_ptr };
    if !PROTOCOL_VERSION.host_accepts(table.protocol_version) {
        return Err(PluginError::ProtocolMismatch {
            path: shown,
            plugin: table.protocol_version,
            host: PROTOCOL_VERSION,
            plugin_major: table.protocol_version.major,
        });
    }

    let text =
        call_for_text(table, (table.manifest)()).map_err(|message| PluginError::Manifest {
            path: shown.clone(),
            message,
        })?;
    let manifest = parse_manifest(&text, table).map_err(|message| PluginError::Manifest {
        path: shown.clone(),
        message,
    })?;
    Ok(PluginProvider::new(shown, absolute, manifest, table))
}

/// Loads several plugins, skipping a library named twice, and refusing two libraries
/// that provide the same name.
pub fn load_all(
    paths: impl IntoIterator<Item = PathBuf>,
) -> Result<Vec<PluginProvider>, PluginError> {
    let mut loaded: Vec<PluginProvider> = Vec::new();
    let mut by_name: BTreeMap<String, usize> = BTreeMap::new();
    for path in paths {
        let plugin = load(&path)?;
        if loaded
            .iter()
            .any(|p| p.library_path() == plugin.library_path())
        {
            continue;
        }
        if let Some(&i) = by_name.get(&plugin.manifest().name) {
            return Err(PluginError::DuplicateName {
                name: plugin.manifest().name.clone(),
                first: loaded[i].path().to_path_buf(),
                second: path,
            });
        }
        by_name.insert(plugin.manifest().name.clone(), loaded.len());
        loaded.push(plugin);
    }
    Ok(loaded)
}

/// Copies a plugin-owned buffer into a `String` and gives the buffer back to the
/// plugin's `free`.
pub(crate) fn call_for_text(
    table: &'static PluginTable,
    buffer: PluginBuffer,
) -> Result<String, String> {
    let bytes = if buffer.ptr.is_null() || buffer.len == 0 {
        Vec::new()
    } else {
        // SAFETY: the plugin returned `len` initialized bytes at `ptr`, which stay
        // valid until we hand the buffer to its `free` just below.
        unsafe { std::slice::from_raw_parts(buffer.ptr, buffer.len) }.to_vec()
    };
    (table.free)(buffer);
    if bytes.is_empty() {
        return Err("the plugin returned an empty answer".to_string());
    }
    String::from_utf8(bytes).map_err(|e| format!("the plugin's answer is not UTF-8 text: {e}"))
}

/// A provider name is also an output folder name: keep it to a safe, portable word.
pub(crate) fn valid_provider_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
}

fn parse_manifest(text: &str, table: &PluginTable) -> Result<Manifest, String> {
    let value: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| format!("malformed JSON ({e}): {}", excerpt(text)))?;
    if let Some(err) = value.get("error").and_then(|e| e.as_str()) {
        return Err(format!("the plugin could not describe itself: {err}"));
    }
    let m: Manifest =
        serde_json::from_value(value).map_err(|e| format!("{e}: {}", excerpt(text)))?;
    if !valid_provider_name(&m.name) {
        return Err(format!(
            "provider name `{}` must be 1-64 characters of a-z, 0-9, `-`, `_`, starting with a letter",
            m.name.escape_debug()
        ));
    }
    if m.abi_version != table.abi_version || m.protocol_version != table.protocol_version {
        return Err(format!(
            "the manifest says ABI {} / protocol {}, the function table ABI {} / protocol {}",
            m.abi_version, m.protocol_version, table.abi_version, table.protocol_version
        ));
    }
    Ok(m)
}

/// The start of a plugin's answer, quoted, for error messages.
pub(crate) fn excerpt(text: &str) -> String {
    let cut: String = text.chars().take(80).collect();
    let more = if cut.len() < text.len() { "..." } else { "" };
    format!("{:?}{more}", cut)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_names_are_folder_safe() {
        for ok in ["nftables", "on-prem_fw2"] {
            assert!(valid_provider_name(ok), "{ok}");
        }
        for bad in ["", "../x", "a/b", "Nft", "1fw", "a b", ".", &"x".repeat(65)] {
            assert!(!valid_provider_name(bad), "{bad}");
        }
    }

    #[test]
    fn excerpts_are_short_and_quoted() {
        assert_eq!(excerpt("{oops"), "\"{oops\"");
        assert!(excerpt(&"x".repeat(200)).ends_with("\"..."));
    }
}
