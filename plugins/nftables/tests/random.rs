//! Random valid profiles (the shared hostile generator), given host addresses, render
//! rulesets that `nft -c` accepts, whatever the profile's text.

mod common;

use cloudwall_core::{compile, profile, rules, Phase, Provider};
use cloudwall_tests::gen;
use proptest::prelude::*;
use std::path::Path;

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]
    #[test]
    fn random_profiles_with_hosts_render_rulesets_nft_accepts(
        text in gen::profile_toml(),
        v6 in any::<bool>(),
        two in any::<bool>(),
    ) {
        if !common::nft_ready("random rulesets") {
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
            if let Err(e) = common::nft_check(ruleset) {
                panic!("nft refused {path}: {e}\n{ruleset}\nprofile:\n{text}");
            }
            n += 1;
        }
        prop_assert_eq!(n, policy.groups.len());
    }
}
