//! Every profile of `tests/fixtures/refused/` is refused by `check` with exit 1, a
//! `file:line:col` inside the offending table and the rule's code, and `generate` writes
//! nothing for it. Each fixture names its expected codes on its first line
//! (`# expect: CW001 CW004`) and marks the offending line with `# here`.

use std::path::{Path, PathBuf};
use std::process::Command;

fn fixtures() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/refused");
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("fixtures")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    v.sort();
    v
}

/// The 1-based line range of the paragraph (blank-line separated) holding `# here`.
fn marked_paragraph(text: &str) -> (usize, usize, usize) {
    let lines: Vec<&str> = text.lines().collect();
    let mark = lines.iter().position(|l| l.contains("# here")).expect("fixture has a `# here` marker");
    let start = (0..=mark).rev().find(|&i| lines[i].trim().is_empty()).map_or(0, |i| i + 1);
    let end = (mark..lines.len()).find(|&i| lines[i].trim().is_empty()).unwrap_or(lines.len()) - 1;
    (start + 1, mark + 1, end + 1)
}

#[test]
fn every_refused_profile_is_refused_with_its_rule_and_location() {
    let all = fixtures();
    assert!(all.len() >= 16, "expected the 16 refusal fixtures, found {}", all.len());
    for path in all {
        let text = std::fs::read_to_string(&path).unwrap();
        let codes: Vec<&str> = text.lines().next().unwrap().trim_start_matches("# expect:").split_whitespace().collect();
        let (first, mark, last) = marked_paragraph(&text);

        let out = Command::new(env!("CARGO_BIN_EXE_cloudwall")).arg("check").arg(&path).env("NO_COLOR", "1").output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{}: check must exit 1\n{stderr}", path.display());
        let shown = path.display().to_string();
        for code in &codes {
            // A headline `file:line:col: error[CODE]: ...` whose line is in the marked table.
            let hit = stderr.lines().find_map(|l| {
                let rest = l.strip_prefix(&format!("{shown}:"))?;
                let (line, rest) = rest.split_once(':')?;
                let (col, rest) = rest.split_once(':')?;
                let line: usize = line.parse().ok()?;
                let _col: usize = col.parse().ok()?;
                rest.contains(&format!("error[{code}]")).then_some(line)
            });
            let line = hit.unwrap_or_else(|| panic!("{}: no `{shown}:LINE:COL: error[{code}]` headline in:\n{stderr}", path.display()));
            assert!(
                (first..=last).contains(&line),
                "{}: {code} reported at line {line}, expected within lines {first}-{last} (marker at {mark})\n{stderr}",
                path.display()
            );
        }

        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("out");
        let out = Command::new(env!("CARGO_BIN_EXE_cloudwall"))
            .arg("generate")
            .arg(&path)
            .arg("-o")
            .arg(&target)
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{}: generate must exit 1", path.display());
        assert!(!target.exists(), "{}: generate wrote {} for a refused profile", path.display(), target.display());
        let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert!(leftovers.is_empty(), "{}: generate left files behind: {leftovers:?}", path.display());
    }
}
