//! The AWS provider's `kubernetes/network-policies.yaml` for random valid profiles with a
//! `[kubernetes]` table (the shared generator, fixed seed), checked by the real
//! `kubernetes-validate` in strict mode, all in one run of the tool.

use cloudwall_aws::Aws;
use cloudwall_tests::{gen, pipeline, tools};
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::TestRunner;
use std::process::Command;

#[test]
fn random_profiles_manifests_pass_kubernetes_validate() {
    let Some(tool) = tools::require("kubernetes-validate", "validates the generated NetworkPolicies") else { return };
    let mut runner = TestRunner::deterministic();
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    let mut tries = 0;
    while files.len() < 24 && tries < 400 {
        tries += 1;
        let text = gen::profile_toml().new_tree(&mut runner).expect("a profile").current();
        let p = cloudwall_core::profile::parse_str(std::path::Path::new("random.toml"), &text).expect("generator makes valid profiles");
        let policy = cloudwall_core::compile::compile(&p);
        let out = pipeline::render_all(&Aws, &policy);
        for (path, manifest) in out.iter().filter(|(p, _)| p.ends_with(".yaml")) {
            let f = dir.path().join(format!("{}-{}", files.len(), path.replace('/', "_")));
            std::fs::write(&f, manifest).unwrap();
            files.push((f, text.clone()));
        }
    }
    assert!(files.len() >= 10, "the generator made only {} manifests in {tries} profiles", files.len());
    let out = Command::new(&tool).args(["--strict", "--no-warn"]).args(files.iter().map(|(f, _)| f)).output().expect("run kubernetes-validate");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    if !out.status.success() {
        let bad: Vec<&(std::path::PathBuf, String)> =
            files.iter().filter(|(f, _)| text.lines().any(|l| l.contains(&*f.file_name().unwrap().to_string_lossy()) && !l.contains("passed"))).collect();
        panic!("kubernetes-validate refused manifests:\n{text}\nprofiles:\n{bad:#?}");
    }
    assert!(text.lines().filter(|l| l.contains("passed")).count() >= files.len(), "{text}");
}
