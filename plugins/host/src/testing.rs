//! For test suites: build a plugin `cdylib` of this workspace and get its path.
//!
//! [`build_plugin`] runs `cargo build -p <package>` into the target directory and
//! profile of the running test binary (so nothing is rebuilt twice), reads cargo's JSON
//! messages for the `cdylib` file, and caches the answer for the process. The
//! conformance suite uses it to load `cloudwall-nftables` through the real loader.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

/// Builds the workspace package `package` (a `cdylib`) and returns the library's path.
pub fn build_plugin(package: &str) -> Result<PathBuf, String> {
    static BUILT: Mutex<BTreeMap<String, PathBuf>> = Mutex::new(BTreeMap::new());
    let mut built = BUILT.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(p) = built.get(package) {
        return Ok(p.clone());
    }
    let path = build_uncached(package)?;
    built.insert(package.to_string(), path.clone());
    Ok(path)
}

/// `(target dir, profile dir name)` of the running executable
/// (`<target>/<profile>/deps/<test-binary>`), if it sits in a cargo target tree.
fn current_target() -> Option<(PathBuf, String)> {
    let exe = std::env::current_exe().ok()?;
    let mut dir = exe.parent()?;
    if dir.file_name()? == "deps" {
        dir = dir.parent()?;
    }
    let profile = dir.file_name()?.to_str()?.to_string();
    Some((dir.parent()?.to_path_buf(), profile))
}

fn build_uncached(package: &str) -> Result<PathBuf, String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(Path::new(env!("CARGO_MANIFEST_DIR")))
        .args([
            "build",
            "--lib",
            "--message-format=json-render-diagnostics",
            "-p",
            package,
        ]);
    if let Some((target, profile)) = current_target() {
        cmd.arg("--target-dir").arg(target);
        match profile.as_str() {
            "debug" => {}
            "release" => {
                cmd.arg("--release");
            }
            other => {
                cmd.args(["--profile", other]);
            }
        }
    }
    let out = cmd.output().map_err(|e| format!("cannot run cargo: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "cargo build -p {package} failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let crate_name = package.replace('-', "_");
    let mut found = None;
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let Ok(msg) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        if msg["reason"] != "compiler-artifact" || msg["target"]["name"] != crate_name.as_str() {
            continue;
        }
        let is_cdylib = msg["target"]["kind"]
            .as_array()
            .is_some_and(|k| k.iter().any(|k| k == "cdylib"));
        if !is_cdylib {
            continue;
        }
        let files = msg["filenames"].as_array().cloned().unwrap_or_default();
        found = files
            .iter()
            .filter_map(|f| f.as_str())
            .find(|f| [".so", ".dylib", ".dll"].iter().any(|ext| f.ends_with(ext)))
            .map(PathBuf::from);
    }
    found.ok_or_else(|| format!("cargo built {package} but reported no cdylib file"))
}
