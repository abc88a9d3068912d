//! Profile text is inert in the generated shell: `cli/apply.sh` of random profiles full of
//! hostile text (`$(`, backticks, quotes, `${`, `;`, `|`, unicode) runs under bash against
//! a stand-in `aws` that records its arguments, and every description reaches `aws`
//! byte for byte as the Terraform states it — nothing was expanded, split or executed.

use cloudwall_aws::Aws;
use cloudwall_core::provider::{Phase, Provider};
use cloudwall_core::{compile, profile};
use cloudwall_tests::{gen, readback};
use proptest::prelude::*;
use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

/// A stand-in `aws`: appends its arguments (NUL-separated, one record per line of
/// output file) and answers what the security-group part of apply.sh asks (with, under
/// hub-spoke, the transit gateway's: created, available, nothing attached yet).
const FAKE_AWS: &str = r#"#!/usr/bin/env bash
{ printf '%s\0' "$@"; printf '\n'; } >> "$FAKE_AWS_LOG"
case " $* " in
  *" create-transit-gateway "*) echo tgw-0fake0000000000001 ;;
  *" describe-transit-gateways "*"--transit-gateway-ids "*) echo available ;;
  *" create-transit-gateway-vpc-attachment "*) n=$(wc -l < "$FAKE_AWS_LOG"); printf 'tgw-attach-%08d\n' "$n" ;;
  *" describe-transit-gateway-vpc-attachments "*"--transit-gateway-attachment-ids "*) echo available ;;
  *" create-transit-gateway-route-table "*) n=$(wc -l < "$FAKE_AWS_LOG"); printf 'tgw-rtb-%08d\n' "$n" ;;
  *" describe-vpcs "*) echo 10.31.0.0/16 ;;
  *" describe-transit-gateway"*|*" get-transit-gateway-route-table-"*) echo None ;;
  *" create-security-group "*) n=$(wc -l < "$FAKE_AWS_LOG"); printf 'sg-%08d\n' "$n" ;;
  *"Values=default"*) echo sg-default ;;
  *" --group-ids "*) echo '[]' ;;
  *" describe-security-groups "*) echo None ;;
  *" describe-managed-prefix-lists "*) echo pl-0123456789 ;;
esac
exit 0
"#;

fn descriptions_in_args(log: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for record in log.split("\0\n") {
        let args: Vec<&str> = record.split('\0').collect();
        for w in args.windows(2) {
            if w[0] == "--ip-permissions" {
                let v: serde_json::Value = serde_json::from_str(w[1]).unwrap_or_else(|e| panic!("not JSON ({e}): {}", w[1]));
                for perm in v.as_array().into_iter().flatten() {
                    for key in ["IpRanges", "Ipv6Ranges", "UserIdGroupPairs", "PrefixListIds"] {
                        for r in perm[key].as_array().into_iter().flatten() {
                            if let Some(d) = r["Description"].as_str() {
                                out.insert(d.to_string());
                            }
                        }
                    }
                }
            }
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(24), ..ProptestConfig::default() })]
    #[test]
    fn hostile_text_reaches_aws_verbatim(text in gen::profile_toml()) {
        let p = profile::parse_str(Path::new("random.toml"), &text).expect("valid");
        let policy = compile::compile(&p);
        let files = Aws.render(&policy, &[Phase::Groups]).expect("render");
        let dir = tempfile::tempdir().unwrap();
        let bin = dir.path().join("bin");
        std::fs::create_dir_all(&bin).unwrap();
        let fake = bin.join("aws");
        std::fs::write(&fake, FAKE_AWS).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        // Every script (a multi-region profile's root script runs `regions/<r>/apply.sh`).
        for (rel, text) in files.iter().filter(|(p, _)| p.starts_with("cli/")) {
            let p = dir.path().join(rel.trim_start_matches("cli/"));
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, text).unwrap();
        }
        let script = dir.path().join("apply.sh");
        let work = dir.path().join("work");
        std::fs::create_dir_all(&work).unwrap();
        let log = dir.path().join("aws.log");
        let path = format!("{}:/usr/bin:/bin", bin.display());
        let mut network: Vec<(String, String)> = [
            ("VPC_ID", "vpc-0123456789abcdef0"),
            ("PUBLIC_SUBNET_IDS", "subnet-0aaa00000000000a1 subnet-0aaa00000000000a2"),
            ("APP_SUBNET_IDS", "subnet-0bbb00000000000b1 subnet-0bbb00000000000b2"),
            ("DATA_SUBNET_IDS", "subnet-0ccc00000000000c1 subnet-0ccc00000000000c2"),
            ("PRIVATE_ROUTE_TABLE_IDS", "rtb-0ddd00000000000d1"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        // Multi-region: the same inputs per region (suffixed), and every region's tier ranges
        // for the cross-region rules.
        if policy.is_multi_region() {
            let one = std::mem::take(&mut network);
            for region in &policy.deployment.regions {
                let suffix = cloudwall_aws::regions::region_env(region);
                network.extend(one.iter().map(|(k, v)| (format!("{k}_{suffix}"), v.clone())));
                for tier in ["public", "app", "data", "mgmt"] {
                    network.push((cloudwall_aws::regions::peer_cidrs_env(region, tier), "192.0.2.0/26 192.0.2.64/26".into()));
                }
            }
        }
        // Hub-spoke: the hub's transit-gateway inputs and each spoke's network.
        let mut topology: Vec<(String, String)> = vec![];
        if !policy.spokes.is_empty() {
            topology.push(("HUB_TGW_SUBNET_IDS".into(), "subnet-0eee00000000000e1".into()));
            topology.push(("HUB_ROUTE_TABLE_IDS".into(), "rtb-0ddd00000000000d1".into()));
        }
        for (i, spoke) in policy.spokes.iter().enumerate() {
            let prefix = cloudwall_aws::phases::topology::spoke_env(spoke);
            topology.push((format!("{prefix}_VPC_ID"), format!("vpc-0f{i:015}")));
            topology.push((format!("{prefix}_TGW_SUBNET_IDS"), format!("subnet-0f{i:015}")));
            topology.push((format!("{prefix}_ROUTE_TABLE_IDS"), format!("rtb-0f{i:015}")));
        }
        let out = Command::new("bash")
            .arg(&script)
            .current_dir(&work)
            .env_clear()
            .env("PATH", path)
            .env("FAKE_AWS_LOG", &log)
            .env("AWS_REGION", "us-east-1")
            .envs(network)
            .envs(topology)
            .output()
            .unwrap();
        prop_assert!(out.status.success(), "apply.sh failed: {}\n{}", String::from_utf8_lossy(&out.stderr), text);
        // Nothing was executed as a side effect: the working folder stays empty.
        let created: Vec<_> = std::fs::read_dir(&work).unwrap().collect();
        prop_assert!(created.is_empty(), "apply.sh created files: {:?}", created);
        let sent = descriptions_in_args(&std::fs::read_to_string(&log).unwrap_or_default());
        let want: BTreeSet<String> = readback::aws_terraform(&files).rules.into_iter().map(|r| r.description).collect();
        prop_assert_eq!(sent, want);
    }
}
