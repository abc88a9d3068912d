//! Every diagnostic code the sources can emit (a `"CWnnn"` literal in core, the CLI, the
//! providers or the bundled plugins) has its row in docs/profile.md, so a new finding
//! cannot ship undocumented.

use cloudwall_tests::tools::workspace_root;
use std::collections::BTreeSet;
use std::path::Path;

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let p = e.unwrap().path();
        if p.is_dir() {
            if p.file_name().is_some_and(|n| n != "tests" && n != "target") {
                rust_files(&p, out);
            }
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The `"CWnnn"` string literals of `text`.
fn codes(text: &str) -> BTreeSet<String> {
    text.match_indices("\"CW")
        .filter_map(|(i, _)| {
            let code = text.get(i + 1..i + 6)?;
            (code[2..].bytes().all(|b| b.is_ascii_digit()) && text[i + 6..].starts_with('"')).then(|| code.to_string())
        })
        .collect()
}

#[test]
fn every_emitted_code_is_documented() {
    let root = workspace_root();
    let mut files = Vec::new();
    for dir in ["core/src", "cli/src", "providers", "plugins/nftables/src", "plugins/host/src", "plugins/sdk/src"] {
        rust_files(&root.join(dir), &mut files);
    }
    let mut found = BTreeSet::new();
    for f in &files {
        found.extend(codes(&std::fs::read_to_string(f).unwrap()));
    }
    assert!(found.contains("CW001") && found.contains("CW201") && found.contains("CW250"), "the scan found too little: {found:?}");
    let doc = std::fs::read_to_string(root.join("docs/profile.md")).unwrap();
    let missing: Vec<&String> = found.iter().filter(|c| !doc.contains(&format!("| `{c}` |"))).collect();
    assert!(missing.is_empty(), "codes without a row in docs/profile.md: {missing:?}");
}

#[test]
fn the_scan_reads_literals_only() {
    assert_eq!(codes(r#"Diagnostic::error("CW202", x); // CW999 "CW12" "CW1234""#), ["CW202".to_string()].into_iter().collect());
}
