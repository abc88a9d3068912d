//! Golden trees: a provider's rendered artifacts for one profile compared, file by file,
//! with a reviewed copy on disk (`tests/golden/<example>/<provider>/`). A difference is
//! shown as a unified diff of the first changed file and the list of added and removed
//! files. `UPDATE_GOLDEN=1` rewrites the copy from the render instead, for review in the
//! commit's diff.

use cloudwall_core::provider::Artifacts;
use std::collections::BTreeMap;
use std::path::Path;

/// Every file under `root`, by `/`-separated relative path.
pub fn read_tree(root: &Path) -> BTreeMap<String, String> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                let rel = p.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
                let text = std::fs::read_to_string(&p)
                    .unwrap_or_else(|e| panic!("{}: {e}", p.display()));
                out.insert(rel, text);
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

/// Whether this run rewrites golden copies (`UPDATE_GOLDEN` set and not `0`).
pub fn updating() -> bool {
    matches!(std::env::var("UPDATE_GOLDEN"), Ok(v) if !v.is_empty() && v != "0")
}

/// What differs between `rendered` and the golden tree `golden`: `None` when they are
/// equal, otherwise a report naming the added and removed files and showing a unified
/// diff (golden -> rendered) of each changed file, up to `max_diffs` files.
pub fn compare(golden: &BTreeMap<String, String>, rendered: &Artifacts, max_diffs: usize) -> Option<String> {
    let mut report = String::new();
    for rel in rendered.keys().filter(|k| !golden.contains_key(*k)) {
        report.push_str(&format!("new file (not in the golden tree): {rel}\n"));
    }
    for rel in golden.keys().filter(|k| !rendered.contains_key(*k)) {
        report.push_str(&format!("missing file (in the golden tree, not rendered): {rel}\n"));
    }
    let changed: Vec<&String> =
        rendered.iter().filter(|(k, v)| golden.get(*k).is_some_and(|g| g != *v)).map(|(k, _)| k).collect();
    for rel in changed.iter().take(max_diffs) {
        let diff = similar::TextDiff::from_lines(golden[*rel].as_str(), rendered[*rel].as_str());
        report.push_str(
            &diff
                .unified_diff()
                .context_radius(3)
                .header(&format!("golden/{rel}"), &format!("rendered/{rel}"))
                .to_string(),
        );
    }
    if changed.len() > max_diffs {
        report.push_str(&format!(
            "... and {} more changed files: {}\n",
            changed.len() - max_diffs,
            changed[max_diffs..].iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
        ));
    }
    (!report.is_empty()).then_some(report)
}

/// Checks `rendered` against the golden tree in `dir`, or rewrites `dir` from it under
/// `UPDATE_GOLDEN=1`. Panics with [`compare`]'s report on a difference.
pub fn check_tree(dir: &Path, rendered: &Artifacts) {
    if updating() {
        let _ = std::fs::remove_dir_all(dir);
        for (rel, text) in rendered {
            let p = dir.join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, text).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        }
        return;
    }
    let golden = read_tree(dir);
    assert!(
        !golden.is_empty(),
        "no golden tree in {}: render it with UPDATE_GOLDEN=1 and review it",
        dir.display()
    );
    if let Some(report) = compare(&golden, rendered, 3) {
        panic!(
            "the render differs from the golden tree {}:\n{report}\n\
             If the change is intended, rerun with UPDATE_GOLDEN=1 and review the diff.",
            dir.display()
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(files: &[(&str, &str)]) -> BTreeMap<String, String> {
        files.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn equal_trees_compare_equal() {
        let t = tree(&[("a/b.tf", "x\ny\n"), ("r.md", "# r\n")]);
        assert_eq!(compare(&t, &t, 3), None);
    }

    #[test]
    fn differences_are_named_and_diffed() {
        let golden = tree(&[("a.tf", "one\ntwo\nthree\n"), ("gone.sh", "x\n")]);
        let rendered = tree(&[("a.tf", "one\n2\nthree\n"), ("new.md", "y\n")]);
        let r = compare(&golden, &rendered, 3).unwrap();
        assert!(r.contains("new file (not in the golden tree): new.md"), "{r}");
        assert!(r.contains("missing file (in the golden tree, not rendered): gone.sh"), "{r}");
        assert!(r.contains("--- golden/a.tf\n+++ rendered/a.tf\n"), "{r}");
        assert!(r.contains("-two\n+2\n"), "{r}");
    }

    #[test]
    fn only_the_first_diffs_are_shown() {
        let golden = tree(&[("a", "1\n"), ("b", "1\n"), ("c", "1\n")]);
        let rendered = tree(&[("a", "2\n"), ("b", "2\n"), ("c", "2\n")]);
        let r = compare(&golden, &rendered, 1).unwrap();
        assert!(r.contains("rendered/a") && !r.contains("rendered/b"), "{r}");
        assert!(r.contains("... and 2 more changed files: b, c"), "{r}");
    }
}
