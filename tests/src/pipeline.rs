//! The profile -> Policy -> artifacts pipeline, as the tests drive it.

use cloudwall_core::policy::Policy;
use cloudwall_core::provider::{Artifacts, Phase, Provider};
use cloudwall_core::{compile, profile, rules};
use std::path::{Path, PathBuf};

/// Loads, compiles and checks a profile; panics with the diagnostics when it is refused.
pub fn policy_of(path: &Path) -> Policy {
    let profile = profile::load(path).unwrap_or_else(|e| {
        let msgs: Vec<String> = e.diagnostics.iter().map(|d| d.headline(&e.sources)).collect();
        panic!("{} does not load:\n{}", path.display(), msgs.join("\n"))
    });
    let policy = compile::compile(&profile);
    let findings: Vec<String> = rules::check(&profile, &policy)
        .iter()
        .filter(|d| d.is_error())
        .map(|d| d.headline(&profile.sources))
        .collect();
    assert!(findings.is_empty(), "{} has findings:\n{}", path.display(), findings.join("\n"));
    policy
}

/// Every bundled example profile.
pub fn examples() -> Vec<PathBuf> {
    let dir = crate::tools::workspace_root().join("examples");
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("examples/")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("toml" | "json")))
        .collect();
    v.sort();
    v
}

/// Renders every phase of one provider.
pub fn render_all(provider: &dyn Provider, policy: &Policy) -> Artifacts {
    provider.render(policy, Phase::ALL).unwrap_or_else(|e| panic!("render failed: {e}"))
}

/// Renders `examples/<name>` with every phase and writes it to a new temporary folder.
pub fn render_example(provider: &dyn Provider, name: &str) -> (tempfile::TempDir, Artifacts) {
    let policy = policy_of(&crate::tools::workspace_root().join("examples").join(name));
    let files = render_all(provider, &policy);
    let dir = tempfile::tempdir().unwrap();
    write_artifacts(dir.path(), &files);
    (dir, files)
}

/// Writes artifacts under `dir` (plain writes: the CLI's atomic writer is tested in core).
pub fn write_artifacts(dir: &Path, files: &Artifacts) {
    for (rel, text) in files {
        let p = dir.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
    }
}

/// The AWS examples (their compiled Policy) that together show every feature `features`
/// finds in any AWS example, chosen greedily (most uncovered features first; ties by
/// name), each with the features it was chosen for; multi-region examples excepted. The slow suites (moto) run these
/// instead of every example: a new example with a new option joins the set by itself.
pub fn covering_aws_examples(features: impl Fn(&Policy) -> Vec<String>) -> Vec<(PathBuf, Policy, Vec<String>)> {
    let mut left: Vec<(PathBuf, Policy, std::collections::BTreeSet<String>)> = examples()
        .into_iter()
        .map(|p| (p.clone(), policy_of(&p)))
        .filter(|(_, pol)| pol.deployment.providers.iter().any(|p| p == "aws"))
        // The suites run each example in one region ([`crate::moto::Moto::network_for`]);
        // multi-region examples have their own emulator test (tests/tests/aws_topology.rs).
        .filter(|(_, pol)| !pol.is_multi_region())
        .map(|(p, pol)| {
            let f = features(&pol).into_iter().collect();
            (p, pol, f)
        })
        .collect();
    assert!(!left.is_empty(), "no AWS example");
    let mut covered = std::collections::BTreeSet::new();
    let mut out = vec![];
    loop {
        let best = left
            .iter()
            .enumerate()
            .map(|(i, (_, _, f))| (f.difference(&covered).count(), std::cmp::Reverse(i)))
            .max()
            .filter(|(n, _)| *n > 0);
        let Some((_, std::cmp::Reverse(i))) = best else { break };
        let (path, policy, f) = left.remove(i);
        let new: Vec<String> = f.difference(&covered).cloned().collect();
        covered.extend(f);
        out.push((path, policy, new));
    }
    for (path, _, new) in &out {
        eprintln!("{}: covers {}", path.file_name().unwrap().to_string_lossy(), new.join(", "));
    }
    out
}
