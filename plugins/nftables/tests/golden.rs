//! Golden output: the example profile's rendered tree, through the real loader, equals
//! the reviewed copy under `tests/golden/onprem-nftables/`. After an intended change,
//! regenerate with `UPDATE_GOLDEN=1 cargo test -p cloudwall-nftables --test golden` and
//! review the diff.

mod common;

use cloudwall_core::{Phase, Provider};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/onprem-nftables")
}

fn read_tree(root: &Path) -> BTreeMap<String, String> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                let rel = p.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
                out.insert(rel, std::fs::read_to_string(&p).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

#[test]
fn the_example_renders_its_golden_tree() {
    let rendered = common::nftables_plugin().render(&common::example_policy(), Phase::ALL).unwrap();
    let dir = golden_dir();
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        let _ = std::fs::remove_dir_all(&dir);
        for (rel, text) in &rendered {
            let p = dir.join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
    }
    let golden = read_tree(&dir);
    assert!(!golden.is_empty(), "no golden files in {}: run with UPDATE_GOLDEN=1", dir.display());
    let names = |m: &BTreeMap<String, String>| m.keys().cloned().collect::<Vec<_>>();
    assert_eq!(names(&rendered), names(&golden), "the set of files changed");
    for (rel, text) in &rendered {
        if text != &golden[rel] {
            let first = text
                .lines()
                .zip(golden[rel].lines())
                .position(|(a, b)| a != b)
                .unwrap_or_else(|| text.lines().count().min(golden[rel].lines().count()));
            panic!(
                "{rel} differs from its golden copy at line {}:\n  golden:   {:?}\n  rendered: {:?}\n\
                 (UPDATE_GOLDEN=1 to accept after review)",
                first + 1,
                golden[rel].lines().nth(first),
                text.lines().nth(first)
            );
        }
    }
}
