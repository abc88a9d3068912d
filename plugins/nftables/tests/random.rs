//! Random valid profiles (the shared hostile generator), given host addresses, render
//! rulesets that `nft -c` accepts, whatever the profile's text.

mod common;

use cloudwall_core::{compile, profile, rules, Phase, Provider};
use cloudwall_tests::gen;
use proptest::prelude::*;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

fn nft_available() -> bool {
    Command::new("unshare")
        .args(["--net", "--", "nft", "list", "ruleset"])
        .output()
        .is_ok_and(|o| o.status.success())
}

fn nft_check(text: &str) -> Result<(), String> {
    let mut child = Command::new("unshare")
        .args(["--net", "--", "nft", "-c", "-f", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| e.to_string())?;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .map_err(|e| e.to_string())?;
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]
    #[test]
    fn random_profiles_with_hosts_render_rulesets_nft_accepts(
        text in gen::profile_toml(),
        v6 in any::<bool>(),
        two in any::<bool>(),
    ) {
        if !nft_available() {
            let in_ci = matches!(std::env::var("CI"), Ok(v) if !v.is_empty() && v != "false" && v != "0");
            assert!(!in_ci, "nft cannot run in a throwaway network namespace under CI");
            eprintln!("SKIP: nft cannot run in a throwaway network namespace here (needs root and nftables)");
            return Ok(());
        }
        let text = text.replace("provider = \"aws\"", "provider = \"nftables\"");
        let first = profile::parse_str(Path::new("random.toml"), &text).expect("generator makes valid profiles");
        // Give every workload addresses (outside every range the generator uses).
        let mut hosts = String::from("\n[hosts]\n");
        for (i, w) in first.workloads.iter().enumerate() {
            let mut addrs = vec![format!("\"100.64.{i}.10\"")];
            if two {
                addrs.push(format!("\"100.64.{i}.11\""));
            }
            if v6 {
                addrs.push(format!("\"2001:db8:64:{i}::10\""));
            }
            hosts.push_str(&format!("{} = [{}]\n", w.name.value, addrs.join(", ")));
        }
        let text = format!("{text}{hosts}");
        let p = profile::parse_str(Path::new("random.toml"), &text)
            .unwrap_or_else(|e| panic!("{:?}\n{text}", e.diagnostics.iter().map(|d| d.headline(&e.sources)).collect::<Vec<_>>()));
        let policy = compile::compile(&p);
        prop_assert_eq!(policy.hosts.len(), p.workloads.len());
        prop_assume!(rules::check(&p, &policy).iter().all(|d| !d.is_error()));
        let out = common::nftables_plugin().render(&policy, Phase::ALL).unwrap();
        let mut n = 0;
        for (path, ruleset) in out.iter().filter(|(p, _)| p.ends_with(".nft")) {
            if let Err(e) = nft_check(ruleset) {
                panic!("nft refused {path}: {e}\n{ruleset}\nprofile:\n{text}");
            }
            n += 1;
        }
        prop_assert_eq!(n, policy.groups.len());
    }
}
