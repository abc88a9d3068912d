//! `docs/profile.md` stays true: every TOML and JSON example in it loads without a single
//! diagnostic, it opens with the worked example, and it documents every key, word and
//! error code the reader knows.

use cloudwall_core::profile::{self, decode, *};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn doc() -> String {
    std::fs::read_to_string(root().join("docs/profile.md")).expect("docs/profile.md")
}

/// The fenced blocks of a language, with the line each starts on.
fn blocks(text: &str, lang: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut current: Option<(usize, String)> = None;
    for (i, line) in text.lines().enumerate() {
        match &mut current {
            None if line.trim_end() == format!("```{lang}") => current = Some((i + 2, String::new())),
            None => {}
            Some(_) if line.trim_end() == "```" => out.push(current.take().unwrap()),
            Some((_, body)) => {
                body.push_str(line);
                body.push('\n');
            }
        }
    }
    assert!(current.is_none(), "an unclosed ```{lang} block");
    out
}

/// `# name.toml` on the first line names a file that other examples extend.
fn file_name(block: &str) -> Option<&str> {
    let first = block.lines().next()?.strip_prefix("# ")?.trim();
    first.ends_with(".toml").then_some(first)
}

#[test]
fn every_profile_example_in_the_docs_loads_cleanly() {
    let text = doc();
    let toml_blocks = blocks(&text, "toml");
    assert!(toml_blocks.len() >= 20, "only {} TOML examples", toml_blocks.len());
    let mut checked = 0;
    let mut failures = Vec::new();
    let dir = tempfile::tempdir().unwrap();
    // named files first, so that the examples extending them find them
    for (_, body) in &toml_blocks {
        if let Some(name) = file_name(body) {
            std::fs::write(dir.path().join(name), body).unwrap();
        }
    }
    for (line, body) in &toml_blocks {
        let result = match file_name(body) {
            Some(name) => profile::load(&dir.path().join(name)),
            None => {
                assert!(
                    body.lines().any(|l| l.trim_end() == "[deployment]"),
                    "the TOML example at docs/profile.md:{line} is not a whole profile"
                );
                profile::parse_str(&dir.path().join(format!("example-{line}.toml")), body)
            }
        };
        checked += 1;
        if let Err(e) = result {
            failures.push(format!("docs/profile.md:{line}:\n{e}"));
        }
    }
    for (line, body) in blocks(&text, "json") {
        checked += 1;
        if let Err(e) = profile::parse_str(Path::new("example.json"), &body) {
            failures.push(format!("docs/profile.md:{line} (JSON):\n{e}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert!(checked > 20);
}

#[test]
fn the_examples_that_start_with_deployment_are_all_tested() {
    // the brief of the test above, stated on its own: every block starting with
    // [deployment] is a whole profile that parses without diagnostics
    let text = doc();
    let mut n = 0;
    for (line, body) in blocks(&text, "toml") {
        if body.starts_with("[deployment]") {
            n += 1;
            profile::parse_str(Path::new("p.toml"), &body).unwrap_or_else(|e| panic!("docs/profile.md:{line}:\n{e}"));
        }
    }
    assert!(n >= 15, "only {n} examples start with [deployment]");
}

#[test]
fn the_docs_open_with_the_worked_example() {
    let text = doc();
    let example = std::fs::read_to_string(root().join("examples/webapp-aws.toml")).unwrap();
    let (_, first) = blocks(&text, "toml").into_iter().next().expect("a TOML block");
    assert_eq!(first.trim_end(), example.trim_end());
}

#[test]
fn every_key_word_and_code_is_documented() {
    let text = doc();
    let mut missing = Vec::new();
    for key in decode::TOP_KEYS {
        // a key (`extends`), a table (`[vpn]`) or an array of tables (`[[flow]]`)
        let forms = [format!("`{key}`"), format!("`[{key}]`"), format!("`[[{key}]]`")];
        if !forms.iter().any(|f| text.contains(f.as_str())) {
            missing.push(forms[0].clone());
        }
    }
    let mut need = |s: String| {
        if !text.contains(&s) {
            missing.push(s);
        }
    };
    for (section, keys) in decode::SECTION_KEYS {
        need(format!("[{section}]"));
        for key in *keys {
            need(format!("`{key}`"));
        }
    }
    let words = [
        Topology::WORDS,
        Compliance::WORDS,
        PublicMode::WORDS,
        Bastion::WORDS,
        Tier::WORDS,
        WorkloadKind::WORDS,
        EgressMode::WORDS,
        FlowLogDestination::WORDS,
        FlowLogTraffic::WORDS,
        ENDPOINT_SERVICES,
        ENDPOINT_ACTIONS,
    ];
    for list in words {
        for w in list {
            need(format!("`{w}`"));
        }
    }
    for k in WorkloadKind::ALL {
        if let Some(p) = k.default_port() {
            need(format!("| `{k}` | {p} |"));
        }
    }
    for n in (1..=6).map(|i| format!("`CW00{i}`")).chain((100..=111).map(|i| format!("`CW{i}`"))) {
        need(n);
    }
    assert!(missing.is_empty(), "docs/profile.md does not mention: {missing:?}");
}
