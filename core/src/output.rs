//! Writing artifacts: atomic output trees, the manifest of content hashes, and diffs.
//!
//! An output tree is a folder of rendered files plus [`MANIFEST`], a sorted JSON object
//! mapping every file written to the sha256 of its content. [`write_tree`] replaces a
//! whole tree at once: it builds the new tree in a temporary folder next to the target
//! (same filesystem), carries the user's own files over, and swaps it in with renames, so
//! that on any error the target is exactly as it was. The manifest is how it tells the
//! files it wrote (which it may replace or remove) from the user's (which it never
//! touches), and how it notices a generated file edited by hand since. [`diff_tree`]
//! compares what a write would produce with what the folder holds.

use crate::provider::is_safe_relative_path;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// The manifest's file name, at the root of every output tree.
pub const MANIFEST: &str = ".cloudwall-manifest.json";

/// What [`write_tree`] did, by relative path (the manifest not included).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WriteSummary {
    /// Generated files that did not exist before.
    pub added: Vec<String>,
    /// Generated files whose content changed.
    pub modified: Vec<String>,
    /// Files of the old manifest that the new render no longer produces.
    pub removed: Vec<String>,
    /// Generated files written again with the same content.
    pub unchanged: Vec<String>,
    /// The user's own files carried over into the new tree.
    pub kept: Vec<String>,
}

impl WriteSummary {
    /// Whether the tree on disk changed at all.
    pub fn changed(&self) -> bool {
        !(self.added.is_empty() && self.modified.is_empty() && self.removed.is_empty())
    }
}

/// Why an output tree was not written. In every case the target folder is untouched.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("refusing to write `{0}`: artifact paths must be relative, with no `..`, `.` or empty components")]
    UnsafePath(String),
    #[error("refusing to write `{MANIFEST}`: the name is reserved for the manifest")]
    ReservedPath,
    #[error("{}", hand_edit_message(edited, deleted))]
    HandEdited {
        /// Generated files whose content differs from the manifest's hash.
        edited: Vec<String>,
        /// Generated files that the manifest lists but that are gone.
        deleted: Vec<String>,
    },
    #[error("refusing to overwrite files that were not generated (not in `{MANIFEST}`): {}; move them away or pass --force", files.join(", "))]
    WouldOverwrite { files: Vec<String> },
    #[error("`{}` exists and is not a directory", path.display())]
    NotADirectory { path: PathBuf },
    #[error("`{}` is a symbolic link: name the folder it points to (the tree is replaced by renaming)", path.display())]
    Symlink { path: PathBuf },
    #[error("invalid manifest `{}`: {message}", path.display())]
    Manifest { path: PathBuf, message: String },
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

fn hand_edit_message(edited: &[String], deleted: &[String]) -> String {
    let mut parts = Vec::new();
    if !edited.is_empty() {
        parts.push(format!("edited by hand since they were generated: {}", edited.join(", ")));
    }
    if !deleted.is_empty() {
        parts.push(format!("deleted since they were generated: {}", deleted.join(", ")));
    }
    format!("refusing to overwrite generated files {}; pass --force to overwrite them", parts.join("; "))
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> OutputError + '_ {
    move |source| OutputError::Io { path: path.to_path_buf(), source }
}

/// The sha256 of a text, as lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut s = String::with_capacity(64);
    for b in digest.iter() {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

/// The manifest text for a set of files: sorted JSON, path -> sha256, newline-terminated.
pub fn manifest_text(files: &BTreeMap<String, String>) -> String {
    let map: BTreeMap<&str, String> = files.iter().map(|(p, c)| (p.as_str(), sha256_hex(c.as_bytes()))).collect();
    let mut text = serde_json::to_string_pretty(&map).expect("a map of strings serializes");
    text.push('\n');
    text
}

/// Reads the manifest of an existing tree; `None` when there is none.
pub fn read_manifest(out_dir: &Path) -> Result<Option<BTreeMap<String, String>>, OutputError> {
    let path = out_dir.join(MANIFEST);
    let text = match fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(OutputError::Io { path, source: e }),
    };
    let map: BTreeMap<String, String> =
        serde_json::from_str(&text).map_err(|e| OutputError::Manifest { path: path.clone(), message: e.to_string() })?;
    if let Some(bad) = map.keys().find(|p| !is_safe_relative_path(p) || p.as_str() == MANIFEST) {
        return Err(OutputError::Manifest { path, message: format!("it lists an unsafe path `{bad}`") });
    }
    Ok(Some(map))
}

fn validate_paths(files: &BTreeMap<String, String>) -> Result<(), OutputError> {
    for path in files.keys() {
        if path == MANIFEST {
            return Err(OutputError::ReservedPath);
        }
        if !is_safe_relative_path(path) {
            return Err(OutputError::UnsafePath(path.clone()));
        }
    }
    Ok(())
}

/// The state of the target folder before a write.
struct Existing {
    exists: bool,
    manifest: BTreeMap<String, String>,
    /// Every file (or symlink) in the tree, relative, `/`-separated, manifest excluded.
    entries: BTreeSet<String>,
    /// Every directory in the tree, relative (to carry empty user folders over).
    dirs: BTreeSet<String>,
}

fn scan_existing(out_dir: &Path) -> Result<Existing, OutputError> {
    let meta = match fs::symlink_metadata(out_dir) {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return Ok(Existing { exists: false, manifest: BTreeMap::new(), entries: BTreeSet::new(), dirs: BTreeSet::new() })
        }
        Err(e) => return Err(OutputError::Io { path: out_dir.to_path_buf(), source: e }),
    };
    if meta.file_type().is_symlink() {
        return Err(OutputError::Symlink { path: out_dir.to_path_buf() });
    }
    if !meta.is_dir() {
        return Err(OutputError::NotADirectory { path: out_dir.to_path_buf() });
    }
    let manifest = read_manifest(out_dir)?.unwrap_or_default();
    let mut entries = BTreeSet::new();
    let mut dirs = BTreeSet::new();
    walk(out_dir, "", &mut entries, &mut dirs)?;
    entries.remove(MANIFEST);
    Ok(Existing { exists: true, manifest, entries, dirs })
}

fn walk(root: &Path, prefix: &str, entries: &mut BTreeSet<String>, dirs: &mut BTreeSet<String>) -> Result<(), OutputError> {
    let dir = if prefix.is_empty() { root.to_path_buf() } else { root.join(prefix) };
    for entry in fs::read_dir(&dir).map_err(io_err(&dir))? {
        let entry = entry.map_err(io_err(&dir))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let rel = if prefix.is_empty() { name } else { format!("{prefix}/{name}") };
        let ty = entry.file_type().map_err(io_err(&entry.path()))?;
        if ty.is_dir() {
            dirs.insert(rel.clone());
            walk(root, &rel, entries, dirs)?;
        } else {
            entries.insert(rel);
        }
    }
    Ok(())
}

/// Reads a file's bytes; `None` when it does not exist.
fn read_opt(path: &Path) -> Result<Option<Vec<u8>>, OutputError> {
    match fs::read(path) {
        Ok(b) => Ok(Some(b)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(OutputError::Io { path: path.to_path_buf(), source: e }),
    }
}

fn file_mode(path: &str) -> u32 {
    if path.ends_with(".sh") {
        0o755
    } else {
        0o644
    }
}

#[cfg(unix)]
fn set_mode(path: &Path, mode: u32) -> Result<(), OutputError> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).map_err(io_err(path))
}

#[cfg(not(unix))]
fn set_mode(_path: &Path, _mode: u32) -> Result<(), OutputError> {
    Ok(())
}

fn write_file(root: &Path, rel: &str, content: &[u8], mode: u32) -> Result<(), OutputError> {
    let path = root.join(rel);
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(io_err(parent))?;
    }
    fs::write(&path, content).map_err(io_err(&path))?;
    set_mode(&path, mode)
}

/// Copies a user's file (or symlink) from the old tree into the new one, as it is.
fn carry_over(from_root: &Path, to_root: &Path, rel: &str) -> Result<(), OutputError> {
    let src = from_root.join(rel);
    let dst = to_root.join(rel);
    if let Some(parent) = dst.parent() {
        fs::create_dir_all(parent).map_err(io_err(parent))?;
    }
    let meta = fs::symlink_metadata(&src).map_err(io_err(&src))?;
    #[cfg(unix)]
    if meta.file_type().is_symlink() {
        let target = fs::read_link(&src).map_err(io_err(&src))?;
        return std::os::unix::fs::symlink(target, &dst).map_err(io_err(&dst));
    }
    if !meta.is_file() {
        // Sockets, fifos and devices are not content a tree can carry.
        return Err(OutputError::Io {
            path: src,
            source: io::Error::other("not a regular file; remove it from the output folder"),
        });
    }
    fs::copy(&src, &dst).map_err(io_err(&src))?;
    Ok(())
}

/// Writes a whole output tree atomically (see the module documentation).
///
/// `files` maps relative paths to content. Refuses unsafe paths, generated files edited
/// or deleted by hand since the last write (unless `force`), and generated paths that
/// would overwrite a file the user put there (unless `force`). On any error `out_dir`
/// is exactly as before.
pub fn write_tree(out_dir: &Path, files: &BTreeMap<String, String>, force: bool) -> Result<WriteSummary, OutputError> {
    validate_paths(files)?;
    let existing = scan_existing(out_dir)?;

    // Hand edits: every file the old manifest lists must still have the hash it had.
    let mut edited = Vec::new();
    let mut deleted = Vec::new();
    for (rel, hash) in &existing.manifest {
        match read_opt(&out_dir.join(rel))? {
            None => deleted.push(rel.clone()),
            Some(bytes) if &sha256_hex(&bytes) != hash => edited.push(rel.clone()),
            Some(_) => {}
        }
    }
    if !force && (!edited.is_empty() || !deleted.is_empty()) {
        return Err(OutputError::HandEdited { edited, deleted });
    }

    // The user's own files: everything on disk that the old manifest does not list.
    let user_files: Vec<&String> = existing.entries.iter().filter(|p| !existing.manifest.contains_key(*p)).collect();
    let clashes: Vec<String> = user_files.iter().filter(|p| files.contains_key(p.as_str())).map(|p| p.to_string()).collect();
    if !force && !clashes.is_empty() {
        return Err(OutputError::WouldOverwrite { files: clashes });
    }

    let mut summary = WriteSummary::default();
    for (rel, content) in files {
        match read_opt(&out_dir.join(rel))? {
            None => summary.added.push(rel.clone()),
            Some(old) if old == content.as_bytes() => summary.unchanged.push(rel.clone()),
            Some(_) => summary.modified.push(rel.clone()),
        }
    }
    summary.removed = existing.manifest.keys().filter(|p| !files.contains_key(*p)).cloned().collect();
    summary.kept = user_files.iter().filter(|p| !files.contains_key(p.as_str())).map(|p| p.to_string()).collect();
    let manifest = manifest_text(files);

    // Nothing to do: leave the tree (and its timestamps) alone.
    let old_manifest_bytes = if existing.exists { read_opt(&out_dir.join(MANIFEST))? } else { None };
    if existing.exists
        && !summary.changed()
        && old_manifest_bytes.as_deref() == Some(manifest.as_bytes())
        && files.keys().all(|rel| modes_match(&out_dir.join(rel), file_mode(rel)))
    {
        return Ok(summary);
    }

    // Build the new tree next to the target.
    let parent = match out_dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&parent).map_err(io_err(&parent))?;
    let base = out_dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "out".into());
    let staging = tempfile::Builder::new()
        .prefix(&format!(".{base}.new-"))
        .tempdir_in(&parent)
        .map_err(io_err(&parent))?;
    let new_root = staging.path();

    for (rel, content) in files {
        write_file(new_root, rel, content.as_bytes(), file_mode(rel))?;
    }
    write_file(new_root, MANIFEST, manifest.as_bytes(), 0o644)?;
    for rel in &summary.kept {
        carry_over(out_dir, new_root, rel)?;
    }
    // Empty folders of the user's come along too.
    for dir in &existing.dirs {
        let target = new_root.join(dir);
        let generated_below = files.keys().any(|p| p.starts_with(&format!("{dir}/")));
        let holds_user_content = summary.kept.iter().any(|p| p.starts_with(&format!("{dir}/")));
        let was_generated_only = existing.manifest.keys().any(|p| p.starts_with(&format!("{dir}/")));
        if !generated_below && !holds_user_content && !was_generated_only && !target.exists() {
            fs::create_dir_all(&target).map_err(io_err(&target))?;
        }
    }
    // The root keeps the old tree's permissions (a fresh temporary folder is 0700).
    let root_mode = if existing.exists { dir_mode(out_dir) } else { Some(0o755) };
    if let Some(mode) = root_mode {
        set_mode(new_root, mode)?;
    }

    // Swap: old -> backup, new -> target, drop backup; put the old one back on failure.
    let new_path = new_root.to_path_buf();
    let backup = PathBuf::from(format!("{}.old", new_path.display()));
    if existing.exists {
        fs::rename(out_dir, &backup).map_err(io_err(out_dir))?;
    }
    if let Err(e) = fs::rename(&new_path, out_dir) {
        if existing.exists {
            let _ = fs::rename(&backup, out_dir);
        }
        return Err(OutputError::Io { path: out_dir.to_path_buf(), source: e });
    }
    // The staging folder is now the target: keep the guard from removing anything.
    let _ = staging.keep();
    if existing.exists {
        // The new tree is in place; a leftover backup is only disk space.
        let _ = fs::remove_dir_all(&backup);
    }
    Ok(summary)
}

#[cfg(unix)]
fn modes_match(path: &Path, mode: u32) -> bool {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(path).map(|m| m.permissions().mode() & 0o7777 == mode).unwrap_or(false)
}

#[cfg(not(unix))]
fn modes_match(_path: &Path, _mode: u32) -> bool {
    true
}

#[cfg(unix)]
fn dir_mode(path: &Path) -> Option<u32> {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(path).ok().map(|m| m.permissions().mode() & 0o7777)
}

#[cfg(not(unix))]
fn dir_mode(_path: &Path) -> Option<u32> {
    None
}

/// How a file differs between the folder and what a write would produce.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    Added,
    Removed,
    Modified,
}

impl ChangeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Added => "added",
            ChangeKind::Removed => "removed",
            ChangeKind::Modified => "modified",
        }
    }
}

/// One changed file, with its unified diff (`a/PATH` -> `b/PATH`, `/dev/null` for a
/// side that does not exist).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FileChange {
    pub path: String,
    pub kind: ChangeKind,
    pub diff: String,
}

fn unified(path: &str, old: &str, new: &str, kind: ChangeKind) -> String {
    let a = if kind == ChangeKind::Added { "/dev/null".to_string() } else { format!("a/{path}") };
    let b = if kind == ChangeKind::Removed { "/dev/null".to_string() } else { format!("b/{path}") };
    similar::TextDiff::from_lines(old, new).unified_diff().context_radius(3).header(&a, &b).to_string()
}

/// Compares what [`write_tree`] would write for `files` (manifest included) with what
/// `out_dir` holds. Files the old manifest lists and the new render drops are
/// `Removed`; the user's own files are not compared. Sorted by path; unchanged files
/// are left out.
pub fn diff_tree(out_dir: &Path, files: &BTreeMap<String, String>) -> Result<Vec<FileChange>, OutputError> {
    validate_paths(files)?;
    let old_manifest = match fs::metadata(out_dir) {
        Ok(m) if m.is_dir() => read_manifest(out_dir)?.unwrap_or_default(),
        Ok(_) => return Err(OutputError::NotADirectory { path: out_dir.to_path_buf() }),
        Err(e) if e.kind() == io::ErrorKind::NotFound => BTreeMap::new(),
        Err(e) => return Err(OutputError::Io { path: out_dir.to_path_buf(), source: e }),
    };
    let manifest = manifest_text(files);
    let mut wanted: BTreeMap<&str, &str> = files.iter().map(|(p, c)| (p.as_str(), c.as_str())).collect();
    wanted.insert(MANIFEST, &manifest);

    let mut changes = Vec::new();
    for (rel, new) in &wanted {
        let old = read_opt(&out_dir.join(rel))?;
        match old {
            None => changes.push(FileChange {
                path: rel.to_string(),
                kind: ChangeKind::Added,
                diff: unified(rel, "", new, ChangeKind::Added),
            }),
            Some(bytes) if bytes == new.as_bytes() => {}
            Some(bytes) => {
                let old = String::from_utf8_lossy(&bytes);
                changes.push(FileChange {
                    path: rel.to_string(),
                    kind: ChangeKind::Modified,
                    diff: unified(rel, &old, new, ChangeKind::Modified),
                });
            }
        }
    }
    for rel in old_manifest.keys().filter(|p| !wanted.contains_key(p.as_str())) {
        if let Some(bytes) = read_opt(&out_dir.join(rel))? {
            let old = String::from_utf8_lossy(&bytes);
            changes.push(FileChange { path: rel.clone(), kind: ChangeKind::Removed, diff: unified(rel, &old, "", ChangeKind::Removed) });
        }
    }
    changes.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(changes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(entries: &[(&str, &str)]) -> BTreeMap<String, String> {
        entries.iter().map(|(p, c)| (p.to_string(), c.to_string())).collect()
    }

    /// Every file under a folder, relative path -> bytes (to compare whole trees).
    fn snapshot(root: &Path) -> BTreeMap<String, (Vec<u8>, u32)> {
        use std::os::unix::fs::PermissionsExt;
        let mut entries = BTreeSet::new();
        let mut dirs = BTreeSet::new();
        walk(root, "", &mut entries, &mut dirs).unwrap();
        entries
            .into_iter()
            .map(|p| {
                let path = root.join(&p);
                let mode = fs::metadata(&path).unwrap().permissions().mode() & 0o777;
                (p, (fs::read(&path).unwrap(), mode))
            })
            .collect()
    }

    fn siblings(parent: &Path) -> Vec<String> {
        let mut names: Vec<String> =
            fs::read_dir(parent).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        names.sort();
        names
    }

    #[test]
    fn writes_files_manifest_and_modes() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        let f = files(&[("aws/cli/apply.sh", "#!/bin/bash\n"), ("aws/report.md", "# Report\n")]);
        let s = write_tree(&out, &f, false).unwrap();
        assert_eq!(s.added, vec!["aws/cli/apply.sh", "aws/report.md"]);
        let snap = snapshot(&out);
        assert_eq!(snap["aws/cli/apply.sh"], (b"#!/bin/bash\n".to_vec(), 0o755));
        assert_eq!(snap["aws/report.md"].1, 0o644);
        let manifest: BTreeMap<String, String> = serde_json::from_slice(&snap[MANIFEST].0).unwrap();
        assert_eq!(manifest["aws/report.md"], sha256_hex(b"# Report\n"));
        assert_eq!(manifest.len(), 2);
        // sha256("abc"), a known vector
        assert_eq!(sha256_hex(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        // nothing left behind next to the target
        assert_eq!(siblings(tmp.path()), vec!["out"]);
    }

    #[test]
    fn identical_input_gives_a_byte_identical_tree() {
        let tmp = tempfile::tempdir().unwrap();
        let f = files(&[("b/x.tf", "x\n"), ("a.md", "a\n"), ("v/verify.sh", "exit 0\n")]);
        write_tree(&tmp.path().join("one"), &f, false).unwrap();
        write_tree(&tmp.path().join("two"), &f, false).unwrap();
        let first = snapshot(&tmp.path().join("one"));
        assert_eq!(first, snapshot(&tmp.path().join("two")));
        let again = write_tree(&tmp.path().join("one"), &f, false).unwrap();
        assert!(!again.changed());
        assert_eq!(again.unchanged.len(), 3);
        assert_eq!(first, snapshot(&tmp.path().join("one")));
        // the manifest has no timestamp: it is a pure function of the files
        assert_eq!(manifest_text(&f), manifest_text(&f.clone()));
    }

    #[test]
    fn unsafe_path_is_refused_and_old_tree_is_intact() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        write_tree(&out, &files(&[("a.txt", "old\n")]), false).unwrap();
        let before = snapshot(&out);
        for bad in ["../escape", "/abs", "a/./b", "x//y"] {
            let err = write_tree(&out, &files(&[("a.txt", "new\n"), (bad, "evil")]), false).unwrap_err();
            assert!(matches!(err, OutputError::UnsafePath(ref p) if p == bad), "{bad}: {err}");
        }
        assert!(matches!(write_tree(&out, &files(&[(MANIFEST, "{}")]), false), Err(OutputError::ReservedPath)));
        assert_eq!(before, snapshot(&out));
        assert!(!tmp.path().join("escape").exists());
        assert_eq!(siblings(tmp.path()), vec!["out"]);
    }

    #[test]
    fn failure_while_building_leaves_old_tree_and_no_debris() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        write_tree(&out, &files(&[("keep.md", "v1\n")]), false).unwrap();
        fs::write(out.join("notes.txt"), "mine").unwrap();
        let before = snapshot(&out);
        // `a` as a file and `a/b` below it cannot both exist: writing fails half-way.
        let err = write_tree(&out, &files(&[("a", "file\n"), ("a/b", "below\n"), ("keep.md", "v2\n")]), false)
            .unwrap_err();
        assert!(matches!(err, OutputError::Io { .. }), "{err}");
        assert_eq!(before, snapshot(&out));
        assert_eq!(siblings(tmp.path()), vec!["out"], "the staging folder is cleaned up");
    }

    #[test]
    fn parent_that_cannot_be_created_leaves_nothing() {
        let tmp = tempfile::tempdir().unwrap();
        fs::write(tmp.path().join("blocker"), "a file, not a folder").unwrap();
        let out = tmp.path().join("blocker").join("out");
        let err = write_tree(&out, &files(&[("a.md", "a")]), false).unwrap_err();
        assert!(matches!(err, OutputError::Io { .. } | OutputError::NotADirectory { .. }), "{err}");
        assert_eq!(fs::read_to_string(tmp.path().join("blocker")).unwrap(), "a file, not a folder");
        let file_target = tmp.path().join("blocker");
        assert!(matches!(write_tree(&file_target, &files(&[("a", "a")]), false), Err(OutputError::NotADirectory { .. })));
    }

    #[cfg(unix)]
    #[test]
    fn a_symlinked_output_folder_is_refused_not_replaced() {
        let tmp = tempfile::tempdir().unwrap();
        fs::create_dir(tmp.path().join("real")).unwrap();
        std::os::unix::fs::symlink("real", tmp.path().join("out")).unwrap();
        let err = write_tree(&tmp.path().join("out"), &files(&[("a", "a")]), false).unwrap_err();
        assert!(matches!(err, OutputError::Symlink { .. }), "{err}");
        assert!(fs::symlink_metadata(tmp.path().join("out")).unwrap().file_type().is_symlink());
        write_tree(&tmp.path().join("real"), &files(&[("a", "a")]), false).unwrap();
        assert_eq!(fs::read_to_string(tmp.path().join("out/a")).unwrap(), "a");
    }

    #[test]
    fn hand_edits_are_refused_unless_forced() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        let f = files(&[("t/main.tf", "resource\n"), ("report.md", "r\n"), ("gone.md", "g\n")]);
        write_tree(&out, &f, false).unwrap();
        fs::write(out.join("t/main.tf"), "resource # tweaked\n").unwrap();
        fs::remove_file(out.join("gone.md")).unwrap();
        let before = snapshot(&out);

        let err = write_tree(&out, &f, false).unwrap_err();
        match &err {
            OutputError::HandEdited { edited, deleted } => {
                assert_eq!(edited, &vec!["t/main.tf".to_string()]);
                assert_eq!(deleted, &vec!["gone.md".to_string()]);
            }
            other => panic!("unexpected {other}"),
        }
        let msg = err.to_string();
        assert!(msg.contains("t/main.tf") && msg.contains("gone.md") && msg.contains("--force"), "{msg}");
        assert_eq!(before, snapshot(&out));

        let s = write_tree(&out, &f, true).unwrap();
        assert_eq!(s.modified, vec!["t/main.tf"]);
        assert_eq!(s.added, vec!["gone.md"]);
        assert_eq!(fs::read_to_string(out.join("t/main.tf")).unwrap(), "resource\n");
        // and the tree is clean again
        write_tree(&out, &f, false).unwrap();
    }

    #[test]
    fn user_files_are_carried_over_and_stale_generated_files_removed() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        write_tree(&out, &files(&[("aws/a.tf", "a\n"), ("aws/old.tf", "old\n"), ("x/only.md", "o\n")]), false).unwrap();
        fs::write(out.join("README.md"), "my notes\n").unwrap();
        fs::write(out.join("aws/override.tf"), "# mine\n").unwrap();
        fs::create_dir_all(out.join("empty/inner")).unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink("README.md", out.join("link")).unwrap();

        let s = write_tree(&out, &files(&[("aws/a.tf", "a2\n"), ("aws/new.tf", "n\n")]), false).unwrap();
        assert_eq!(s.added, vec!["aws/new.tf"]);
        assert_eq!(s.modified, vec!["aws/a.tf"]);
        assert_eq!(s.removed, vec!["aws/old.tf", "x/only.md"]);
        assert_eq!(s.kept, vec!["README.md", "aws/override.tf", "link"]);
        assert_eq!(fs::read_to_string(out.join("README.md")).unwrap(), "my notes\n");
        assert_eq!(fs::read_to_string(out.join("aws/override.tf")).unwrap(), "# mine\n");
        assert_eq!(fs::read_link(out.join("link")).unwrap(), PathBuf::from("README.md"));
        assert!(out.join("empty/inner").is_dir());
        assert!(!out.join("aws/old.tf").exists());
        assert!(!out.join("x").exists(), "a folder only generated files lived in goes with them");
        let manifest = read_manifest(&out).unwrap().unwrap();
        assert_eq!(manifest.keys().collect::<Vec<_>>(), vec!["aws/a.tf", "aws/new.tf"]);
    }

    #[test]
    fn user_file_in_the_way_is_not_overwritten_unless_forced() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        fs::create_dir_all(out.join("aws")).unwrap();
        fs::write(out.join("aws/report.md"), "hand written\n").unwrap();
        let f = files(&[("aws/report.md", "generated\n")]);
        let err = write_tree(&out, &f, false).unwrap_err();
        assert!(matches!(err, OutputError::WouldOverwrite { ref files } if files == &vec!["aws/report.md".to_string()]));
        assert_eq!(fs::read_to_string(out.join("aws/report.md")).unwrap(), "hand written\n");
        write_tree(&out, &f, true).unwrap();
        assert_eq!(fs::read_to_string(out.join("aws/report.md")).unwrap(), "generated\n");
    }

    #[test]
    fn corrupt_manifest_is_an_error_not_a_silent_overwrite() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        write_tree(&out, &files(&[("a", "a")]), false).unwrap();
        fs::write(out.join(MANIFEST), "{\"../../etc/passwd\": \"00\"}").unwrap();
        assert!(matches!(write_tree(&out, &files(&[("a", "b")]), false), Err(OutputError::Manifest { .. })));
        fs::write(out.join(MANIFEST), "not json").unwrap();
        assert!(matches!(write_tree(&out, &files(&[("a", "b")]), true), Err(OutputError::Manifest { .. })));
        assert_eq!(fs::read_to_string(out.join("a")).unwrap(), "a");
    }

    #[test]
    fn diff_reports_added_modified_removed_and_manifest() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        let f1 = files(&[("a.tf", "one\ntwo\n"), ("b.tf", "b\n")]);
        // nothing on disk: everything is added, the manifest too
        let d = diff_tree(&out, &f1).unwrap();
        let kinds: Vec<(&str, ChangeKind)> = d.iter().map(|c| (c.path.as_str(), c.kind)).collect();
        assert_eq!(kinds, vec![(MANIFEST, ChangeKind::Added), ("a.tf", ChangeKind::Added), ("b.tf", ChangeKind::Added)]);
        assert!(d[1].diff.starts_with("--- /dev/null\n+++ b/a.tf\n"), "{}", d[1].diff);

        write_tree(&out, &f1, false).unwrap();
        assert!(diff_tree(&out, &f1).unwrap().is_empty());
        fs::write(out.join("mine.txt"), "user").unwrap();
        assert!(diff_tree(&out, &f1).unwrap().is_empty(), "user files are not changes");

        let f2 = files(&[("a.tf", "one\nTWO\n"), ("c.tf", "c\n")]);
        let d = diff_tree(&out, &f2).unwrap();
        let kinds: Vec<(&str, ChangeKind)> = d.iter().map(|c| (c.path.as_str(), c.kind)).collect();
        assert_eq!(
            kinds,
            vec![
                (MANIFEST, ChangeKind::Modified),
                ("a.tf", ChangeKind::Modified),
                ("b.tf", ChangeKind::Removed),
                ("c.tf", ChangeKind::Added)
            ]
        );
        assert_eq!(d[1].diff, "--- a/a.tf\n+++ b/a.tf\n@@ -1,2 +1,2 @@\n one\n-two\n+TWO\n");
        assert!(d[2].diff.starts_with("--- a/b.tf\n+++ /dev/null\n"));
        assert!(diff_tree(&out, &files(&[("../x", "")])).is_err());
    }
}
