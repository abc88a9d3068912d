//! Where plugin paths come from: only what the user names.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

/// The environment variable listing plugin libraries, separated like `PATH` (`:` on Unix).
pub const PLUGIN_PATH_ENV: &str = "CLOUDWALL_PLUGIN_PATH";

/// The plugin libraries named in `CLOUDWALL_PLUGIN_PATH`, in order (empty entries skipped).
pub fn paths_from_env() -> Vec<PathBuf> {
    std::env::var_os(PLUGIN_PATH_ENV)
        .map(|v| paths_from_env_value(&v))
        .unwrap_or_default()
}

/// Splits a `CLOUDWALL_PLUGIN_PATH` value.
pub fn paths_from_env_value(value: &OsStr) -> Vec<PathBuf> {
    std::env::split_paths(value)
        .filter(|p| !p.as_os_str().is_empty())
        .collect()
}

/// A `plugins = [...]` entry: relative paths are relative to the folder of the file that lists it.
pub fn profile_plugin_path(profile_path: &Path, entry: &str) -> PathBuf {
    let entry = Path::new(entry);
    if entry.is_absolute() {
        return entry.to_path_buf();
    }
    match profile_path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.join(entry),
        _ => entry.to_path_buf(),
    }
}

/// Every `plugins = [...]` entry of a loaded profile, resolved against the folder of the
/// file that lists it (the profile, or a base it `extends`).
pub fn profile_plugin_paths(profile: &cloudwall_core::Profile) -> Vec<PathBuf> {
    profile
        .plugins
        .iter()
        .map(|p| profile_plugin_path(profile.sources.path(p.span.file), &p.value))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_value_splits_like_path() {
        let v = paths_from_env_value(OsStr::new("/a/libx.so::rel/liby.so:"));
        assert_eq!(
            v,
            vec![PathBuf::from("/a/libx.so"), PathBuf::from("rel/liby.so")]
        );
        assert!(paths_from_env_value(OsStr::new("")).is_empty());
    }

    #[test]
    fn profile_entries_are_relative_to_the_profile() {
        assert_eq!(
            profile_plugin_path(Path::new("conf/site.toml"), "plugins/libnft.so"),
            PathBuf::from("conf/plugins/libnft.so")
        );
        assert_eq!(
            profile_plugin_path(Path::new("site.toml"), "libnft.so"),
            PathBuf::from("libnft.so")
        );
        assert_eq!(
            profile_plugin_path(Path::new("conf/site.toml"), "/opt/libnft.so"),
            PathBuf::from("/opt/libnft.so")
        );
    }
}
