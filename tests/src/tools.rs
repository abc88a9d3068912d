//! Locating the external tools the end-to-end tests drive.
//!
//! `scripts/setup-tools.sh` installs them into `.venv/` and `scripts/test.sh` puts them on
//! `PATH`. When one is missing a test prints why it skips; under CI (`CI` set to anything
//! but `false`/`0`) a missing tool fails the test instead, so that a green CI means the
//! real tools ran.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The workspace root (the folder holding the top `Cargo.toml`).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("tests/ has a parent").to_path_buf()
}

pub fn in_ci() -> bool {
    matches!(std::env::var("CI"), Ok(v) if !v.is_empty() && v != "false" && v != "0")
}

/// Finds `name` on PATH or in the project's virtualenvs.
pub fn find(name: &str) -> Option<PathBuf> {
    let root = workspace_root();
    let mut dirs: Vec<PathBuf> = vec![root.join(".venv/tools/bin"), root.join(".venv/checkov/bin")];
    if let Some(path) = std::env::var_os("PATH") {
        dirs.extend(std::env::split_paths(&path));
    }
    dirs.into_iter().map(|d| d.join(name)).find(|p| p.is_file())
}

/// Returns the tool, or `None` after printing why the calling test skips.
/// Under CI a missing tool panics: CI installs every tool.
pub fn require(name: &str, why: &str) -> Option<PathBuf> {
    match find(name) {
        Some(p) => Some(p),
        None if in_ci() => panic!("`{name}` is not installed but CI must run it ({why}); see scripts/setup-tools.sh"),
        None => {
            eprintln!("SKIP: `{name}` not found ({why}); run scripts/setup-tools.sh or scripts/test.sh");
            None
        }
    }
}

/// The Python of `.venv/tools` (with python-hcl2), if installed.
pub fn tools_python() -> Option<PathBuf> {
    if let Ok(p) = std::env::var("CLOUDWALL_TOOLS_PYTHON") {
        let p = PathBuf::from(p);
        if p.is_file() {
            return Some(p);
        }
    }
    let p = workspace_root().join(".venv/tools/bin/python");
    if p.is_file() {
        Some(p)
    } else if in_ci() {
        panic!(".venv/tools/bin/python missing under CI: scripts/setup-tools.sh did not run")
    } else {
        eprintln!("SKIP: .venv/tools/bin/python not found; run scripts/setup-tools.sh");
        None
    }
}

/// Runs a command, returning (status code, stdout, stderr).
pub fn run(cmd: &mut Command) -> (i32, String, String) {
    let out = cmd.output().unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}
