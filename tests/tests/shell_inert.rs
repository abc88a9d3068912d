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
/// output file) and answers what the security-group part of apply.sh asks.
const FAKE_AWS: &str = r#"#!/usr/bin/env bash
{ printf '%s\0' "$@"; printf '\n'; } >> "$FAKE_AWS_LOG"
case " $* " in
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
        let script = dir.path().join("apply.sh");
        std::fs::write(&script, &files["cli/apply.sh"]).unwrap();
        let work = dir.path().join("work");
        std::fs::create_dir_all(&work).unwrap();
        let log = dir.path().join("aws.log");
        let path = format!("{}:/usr/bin:/bin", bin.display());
        let out = Command::new("bash")
            .arg(&script)
            .current_dir(&work)
            .env_clear()
            .env("PATH", path)
            .env("FAKE_AWS_LOG", &log)
            .env("VPC_ID", "vpc-0123456789abcdef0")
            .env("AWS_REGION", "us-east-1")
            .env("PUBLIC_SUBNET_IDS", "subnet-0aaa00000000000a1 subnet-0aaa00000000000a2")
            .env("APP_SUBNET_IDS", "subnet-0bbb00000000000b1 subnet-0bbb00000000000b2")
            .env("DATA_SUBNET_IDS", "subnet-0ccc00000000000c1 subnet-0ccc00000000000c2")
            .env("PRIVATE_ROUTE_TABLE_IDS", "rtb-0ddd00000000000d1")
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
