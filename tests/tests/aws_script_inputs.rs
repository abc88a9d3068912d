//! Every `apply.sh` the AWS provider writes (every example, random profiles, every region
//! of a multi-region profile) lists in its header each input one of its sections checks:
//! a variable a guard names (`apply.sh: NAME is not set`, `${NAME:?...}`, `for v in A B;
//! ... ${!v:-}`) or reads with an empty default (`${NAME:-}`) and never assigns itself.

use cloudwall_aws::Aws;
use cloudwall_core::{compile, profile};
use cloudwall_tests::{gen, pipeline};
use proptest::prelude::*;
use std::collections::BTreeSet;
use std::path::Path;

fn ident_at(s: &str) -> &str {
    let end = s.find(|c: char| !(c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')).unwrap_or(s.len());
    &s[..end]
}

/// The inputs the script's guards check.
fn guarded(script: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let assigned = |name: &str| {
        script.lines().any(|l| {
            let t = l.trim_start().trim_start_matches("local ").trim_start_matches("export ");
            let t = t.trim_start_matches("if ").trim_start_matches("! ");
            t.starts_with(&format!("{name}=")) || t.contains(&format!("read -r -a {name} ")) || t.starts_with(&format!("for {name} in"))
        })
    };
    for line in script.lines().filter(|l| !l.trim_start().starts_with('#')) {
        for marker in ["apply.sh: ", "${", "set "] {
            for (i, _) in line.match_indices(marker) {
                let name = ident_at(&line[i + marker.len()..]);
                let rest = &line[i + marker.len() + name.len()..];
                let guard = match marker {
                    "apply.sh: " => rest.starts_with(" is not set"),
                    "${" => rest.starts_with(":?") || rest.starts_with(":-}"),
                    _ => rest.starts_with(" to ") && line.contains(":?"),
                };
                if guard && name.len() > 2 && !assigned(name) {
                    out.insert(name.to_string());
                }
            }
        }
        // `for fw_var in A B C; do ... ${!fw_var:-}`: the names listed.
        if let Some(list) = line.trim_start().strip_prefix("for ").and_then(|r| r.split_once(" in ")).map(|(_, l)| l) {
            if script.contains("${!") {
                for w in list.split(';').next().unwrap_or_default().split_whitespace() {
                    if w.len() > 2 && ident_at(w) == w && w.chars().any(|c| c.is_ascii_uppercase()) {
                        out.insert(w.to_string());
                    }
                }
            }
        }
    }
    out
}

fn header_inputs(script: &str) -> BTreeSet<String> {
    script
        .lines()
        .take_while(|l| l.starts_with('#'))
        .filter_map(|l| l.strip_prefix("#   "))
        .map(|l| ident_at(l).to_string())
        .collect()
}

fn check(artifacts: &cloudwall_core::provider::Artifacts, what: &str) -> usize {
    let mut n = 0;
    for (path, text) in artifacts.iter().filter(|(p, _)| p.ends_with("apply.sh")) {
        // The multi-region root script only passes each region's inputs on.
        if path == "cli/apply.sh" && text.contains("\nrun_region() {") {
            continue;
        }
        let listed = header_inputs(text);
        assert!(listed.contains("VPC_ID"), "{what} {path}: header lists no VPC_ID");
        let missing: Vec<String> = guarded(text).difference(&listed).cloned().collect();
        assert!(missing.is_empty(), "{what} {path}: inputs checked but not in the header: {missing:?}\n{}", &text[..text.len().min(2000)]);
        n += 1;
    }
    n
}

#[test]
fn every_example_lists_its_inputs() {
    let mut n = 0;
    for example in pipeline::examples() {
        let policy = pipeline::policy_of(&example);
        if !policy.deployment.providers.iter().any(|p| p == "aws") {
            continue;
        }
        n += check(&pipeline::render_all(&Aws, &policy), &example.display().to_string());
    }
    assert!(n >= 10, "only {n} scripts checked");
}

#[test]
fn the_guard_finder_finds_guards() {
    let s = "#!/usr/bin/env bash\n# Inputs:\n#   VPC_ID: x\nif [ -z \"${VPC_ID:-}\" ]; then echo \"apply.sh: VPC_ID is not set\"; fi\n: \"${PRIVATE_ROUTE_TABLE_IDS:?apply.sh: set PRIVATE_ROUTE_TABLE_IDS to ...}\"\nfor fw_var in FIREWALL_SUBNET_IDS NAT_GATEWAY_IDS; do [ -n \"${!fw_var:-}\" ]; done\nACCESS_KEY=\"${ACCESS_KEY:-}\"\n";
    let want: BTreeSet<String> = ["VPC_ID", "PRIVATE_ROUTE_TABLE_IDS", "FIREWALL_SUBNET_IDS", "NAT_GATEWAY_IDS"].iter().map(|s| s.to_string()).collect();
    assert_eq!(guarded(s), want);
    assert_eq!(header_inputs(s), ["VPC_ID".to_string()].into_iter().collect());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(48), ..ProptestConfig::default() })]
    #[test]
    fn random_profiles_list_their_inputs(text in gen::profile_toml()) {
        let p = profile::parse_str(Path::new("random.toml"), &text).expect("generator makes valid profiles");
        let policy = compile::compile(&p);
        check(&pipeline::render_all(&Aws, &policy), "random profile");
    }
}
