//! Rendering the worked example: golden files, HCL that parses and references only
//! declared blocks, canonical `terraform fmt` style, `bash -n`, determinism, phases.

mod common;

use cloudwall_aws::Aws;
use cloudwall_core::policy::{Direction, Peer};
use cloudwall_core::provider::{Artifacts, Phase, Provider};
use std::collections::BTreeSet;
use std::process::Command;

fn render_all() -> Artifacts {
    Aws.render(&common::worked_example(), Phase::ALL).unwrap()
}

#[test]
fn renders_exactly_the_expected_files() {
    let files: Vec<String> = render_all().into_keys().collect();
    assert_eq!(
        files,
        vec![
            "cli/apply.sh",
            "report.md",
            "terraform/access.tf",
            "terraform/default_security_group.tf",
            "terraform/endpoints.tf",
            "terraform/nacls.tf",
            "terraform/outputs.tf",
            "terraform/security_groups.tf",
            "terraform/variables.tf",
            "terraform/versions.tf",
            "verify/verify.sh"
        ]
    );
    for f in &files {
        assert!(cloudwall_core::provider::is_safe_relative_path(f), "{f}");
    }
}

#[test]
fn phases_select_files() {
    let p = common::worked_example();
    let report = Aws.render(&p, &[Phase::Report]).unwrap();
    assert_eq!(report.keys().collect::<Vec<_>>(), vec!["report.md"]);
    let groups = Aws.render(&p, &[Phase::Groups, Phase::Nacls]).unwrap();
    assert!(groups.contains_key("cli/apply.sh") && !groups.contains_key("report.md"));
    let nacls = Aws.render(&p, &[Phase::Nacls]).unwrap();
    assert_eq!(nacls.keys().collect::<Vec<_>>(), vec!["terraform/nacls.tf"]);
    let access = Aws.render(&p, &[Phase::Access]).unwrap();
    assert_eq!(access.keys().collect::<Vec<_>>(), vec!["terraform/access.tf"]);
    let verify = Aws.render(&p, &[Phase::Verify]).unwrap();
    assert_eq!(verify.keys().collect::<Vec<_>>(), vec!["verify/verify.sh"]);
}

#[test]
fn golden_security_groups_tf() {
    insta::assert_snapshot!("security_groups_tf", render_all()["terraform/security_groups.tf"]);
}

#[test]
fn golden_access_tf() {
    insta::assert_snapshot!("access_tf", render_all()["terraform/access.tf"]);
}

#[test]
fn golden_module_files() {
    let a = render_all();
    insta::assert_snapshot!("versions_tf", a["terraform/versions.tf"]);
    insta::assert_snapshot!("variables_tf", a["terraform/variables.tf"]);
    insta::assert_snapshot!("outputs_tf", a["terraform/outputs.tf"]);
}

#[test]
fn golden_apply_sh() {
    insta::assert_snapshot!("apply_sh", render_all()["cli/apply.sh"]);
}

#[test]
fn golden_nacls_and_flow_logs() {
    insta::assert_snapshot!("nacls_tf", render_all()["terraform/nacls.tf"]);
    let mut p = common::worked_example();
    p.controls.flow_logs = Some(cloudwall_core::policy::FlowLogSettings {
        destination: cloudwall_core::profile::model::FlowLogDestination::Logs,
        retention_days: 366,
        traffic: cloudwall_core::profile::model::FlowLogTraffic::Reject,
        origin: common::loc(1),
    });
    let a = Aws.render(&p, Phase::ALL).unwrap();
    insta::assert_snapshot!("flow_logs_tf", a["terraform/flow_logs.tf"]);
    assert!(a["terraform/flow_logs.tf"].contains("retention_in_days = 400"));
}

#[test]
fn golden_report_md() {
    insta::assert_snapshot!("report_md", render_all()["report.md"]);
}

#[test]
fn deterministic() {
    assert_eq!(render_all(), render_all());
}

#[test]
fn region_defaults_to_the_aws_default() {
    let mut p = common::worked_example();
    p.deployment.region = None;
    let a = Aws.render(&p, Phase::ALL).unwrap();
    assert!(a["terraform/variables.tf"].contains("default     = \"us-east-1\""), "{}", a["terraform/variables.tf"]);
    p.deployment.region = Some("eu-west-3".into());
    let a = Aws.render(&p, Phase::ALL).unwrap();
    assert!(a["terraform/variables.tf"].contains("\"eu-west-3\""));
    assert!(a["cli/apply.sh"].contains("REGION=eu-west-3"));
}

/// Every `.tf` parses, and every `aws_security_group.X` it uses is declared.
#[test]
fn terraform_parses_and_references_resolve() {
    let a = render_all();
    let mut declared = BTreeSet::new();
    let mut rule_blocks = Vec::new();
    for (path, text) in a.iter().filter(|(p, _)| p.ends_with(".tf")) {
        let body = hcl::parse(text).unwrap_or_else(|e| panic!("{path}: {e}"));
        for block in body.blocks() {
            if block.identifier() == "resource" {
                let labels: Vec<&str> = block.labels().iter().map(|l| l.as_str()).collect();
                if labels[0] == "aws_security_group" {
                    declared.insert(labels[1].to_string());
                } else if labels[0].starts_with("aws_vpc_security_group_") {
                    rule_blocks.push((labels[0].to_string(), labels[1].to_string()));
                }
            }
        }
    }
    assert_eq!(declared, ["alb", "ecs", "endpoints", "rds", "redis"].iter().map(|s| s.to_string()).collect());
    let p = common::worked_example();
    assert_eq!(rule_blocks.len(), p.rules.len());
    for r in &p.rules {
        let kind = match r.direction {
            Direction::Ingress => "aws_vpc_security_group_ingress_rule",
            Direction::Egress => "aws_vpc_security_group_egress_rule",
        };
        assert!(rule_blocks.contains(&(kind.to_string(), r.id.clone())), "{} missing", r.id);
    }
    // Every reference in every file points to a declared group.
    for (path, text) in a.iter().filter(|(p, _)| p.ends_with(".tf")) {
        for (i, _) in text.match_indices("aws_security_group.") {
            let rest = &text[i + "aws_security_group.".len()..];
            let name: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-').collect();
            assert!(declared.contains(&name), "{path}: aws_security_group.{name} is not declared");
        }
    }
    // No inline rules on the groups; exactly one peer per rule.
    let sg = &a["terraform/security_groups.tf"];
    let body = hcl::parse(sg).unwrap();
    for block in body.blocks() {
        let labels: Vec<&str> = block.labels().iter().map(|l| l.as_str()).collect();
        let keys: Vec<&str> = block.body().attributes().map(|a| a.key()).collect();
        if labels[0] == "aws_security_group" {
            assert!(block.body().blocks().next().is_none(), "inline block in {}", labels[1]);
            assert!(!keys.contains(&"ingress") && !keys.contains(&"egress"));
        } else {
            let peers = ["referenced_security_group_id", "cidr_ipv4", "cidr_ipv6", "prefix_list_id"];
            assert_eq!(keys.iter().filter(|k| peers.contains(k)).count(), 1, "{}", labels[1]);
            assert!(keys.contains(&"description"));
        }
    }
    // Cross-check peers against the Policy.
    for r in &p.rules {
        let start = sg.find(&format!("\"{}\" {{", r.id)).unwrap();
        let block = &sg[start..start + sg[start..].find("\n}").unwrap()];
        match &r.peer {
            Peer::Group { id } => assert!(block.contains(&format!("aws_security_group.{id}.id")), "{block}"),
            Peer::Cidr { cidr, .. } => assert!(block.contains(&format!("\"{cidr}\"")), "{block}"),
        }
        assert!(block.contains(&format!("from_port                    = {}", r.ports.from)) || block.contains(&format!("from_port         = {}", r.ports.from)), "{block}");
    }
}

fn have(cmd: &str, arg: &str) -> bool {
    Command::new(cmd).arg(arg).output().map(|o| o.status.success()).unwrap_or(false)
}

#[test]
fn terraform_fmt_accepts_the_output() {
    if !have("terraform", "version") {
        eprintln!("SKIPPED: terraform is not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in render_all().iter().filter(|(p, _)| p.ends_with(".tf")) {
        let dest = dir.path().join(path.trim_start_matches("terraform/"));
        std::fs::write(dest, text).unwrap();
    }
    let out = Command::new("terraform").args(["fmt", "-check", "-diff", "-no-color"]).arg(dir.path()).output().unwrap();
    assert!(
        out.status.success(),
        "terraform fmt wants changes:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn bash_accepts_apply_sh() {
    if !have("bash", "--version") {
        eprintln!("SKIPPED: bash is not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("apply.sh");
    std::fs::write(&f, &render_all()["cli/apply.sh"]).unwrap();
    let out = Command::new("bash").arg("-n").arg(&f).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // Without VPC_ID it stops with a clear message and exit 1.
    let out = Command::new("bash").arg(&f).env_remove("VPC_ID").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("VPC_ID is not set"));
}

#[test]
fn no_generator_mention_or_timestamp() {
    for (path, text) in render_all() {
        // `kms:GenerateDataKey` is an IAM action name, not a generator banner.
        let lower = text.to_lowercase().replace("kms:generatedatakey", "");
        assert!(!lower.contains("cloudwall") && !lower.contains("generated"), "{path}");
        assert!(!text.contains("2026-") && !text.contains("UTC"), "{path}");
    }
}

#[test]
fn report_lists_every_rule_and_no_egress_groups() {
    let p = common::worked_example();
    let report = &render_all()["report.md"];
    let table_rows = report.lines().filter(|l| l.starts_with("| `")).count();
    // One row per rule (tier-table rows start with the tier word).
    assert_eq!(table_rows, p.rules.len());
    for g in ["prod-data-rds-sg", "prod-data-redis-sg"] {
        assert!(report.contains(&format!("- `{g}`: no egress")), "{g}");
    }
    assert!(!report.contains("- `prod-app-ecs-sg`: no egress"));
    assert!(report.contains("No rule opens a management or database port"));
    assert!(!report.contains("VIOLATED"));
}

#[test]
fn check_flags_quota_and_names() {
    use cloudwall_core::profile::model::Tier;
    let p = common::worked_example();
    assert!(Aws.check(&p).is_empty());

    let cidrs: Vec<String> = (0..61).map(|i| format!("10.{i}.0.0/16")).collect();
    let refs: Vec<&str> = cidrs.iter().map(|s| s.as_str()).collect();
    let p = common::PolicyBuilder::new("x", "prod", None)
        .group("web", Tier::Public, None, "web")
        .inbound(0, "partners", &refs, "web", "443/tcp", "partner API", "ops")
        .build();
    let all = Aws.check(&p);
    // 61 partner ranges also overflow the public NACL (CW203); both are warnings.
    assert!(all.iter().any(|d| d.code == "CW203" && !d.is_error()), "{all:?}");
    let d: Vec<_> = all.into_iter().filter(|d| d.code != "CW203").collect();
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0].code, "CW201");
    assert!(!d[0].is_error());

    // 59 IPv4 CIDRs + 1 group reference = 60: at the quota, no warning; one more warns.
    let p = common::PolicyBuilder::new("x", "prod", None)
        .group("web", Tier::Public, None, "web")
        .group("app", Tier::App, None, "app")
        .inbound(0, "partners", &refs[..59], "web", "443/tcp", "partner API", "ops")
        .flow(1, "app", "web", "443/tcp", "callback", "ops")
        .build();
    assert!(Aws.check(&p).iter().all(|d| d.code == "CW203"), "{:?}", Aws.check(&p));
    let p = common::PolicyBuilder::new("x", "prod", None)
        .group("web", Tier::Public, None, "web")
        .group("app", Tier::App, None, "app")
        .inbound(0, "partners", &refs[..60], "web", "443/tcp", "partner API", "ops")
        .flow(1, "app", "web", "443/tcp", "callback", "ops")
        .build();
    assert_eq!(Aws.check(&p).iter().filter(|d| d.code == "CW201").count(), 1);

    let mut p = common::worked_example();
    p.groups[0].name = "sg-public-alb".into();
    p.groups[1].name = "x".repeat(260);
    let d = Aws.check(&p);
    assert_eq!(d.iter().filter(|d| d.code == "CW202" && d.is_error()).count(), 2, "{d:?}");
    assert!(Aws.render(&p, &[Phase::Groups]).is_err());
}

#[test]
fn report_mentions_fqdn_egress_and_denies_it_cannot_express() {
    use cloudwall_core::policy::{DenyEntry, FqdnEgress};
    use cloudwall_core::ports::PortRange;
    let mut p = common::worked_example();
    p.fqdn_egress.push(FqdnEgress {
        group: "ecs".into(),
        fqdns: vec![".stripe.com".into(), "api|x.example.com".into()],
        ports: vec![PortRange::tcp(443)],
        description: p.rules[0].description.clone(),
        origin: common::loc(90),
    });
    p.deny.push(DenyEntry { cidrs: vec!["198.51.100.0/24".parse().unwrap()], purpose: "known bad".into(), origin: common::loc(95) });
    let report = &Aws.render(&p, &[Phase::Report]).unwrap()["report.md"];
    assert!(report.contains("`prod-app-ecs-sg` may reach `.stripe.com`, `api\\|x.example.com` on 443/tcp"), "{report}");
    assert!(report.contains("Denied: `198.51.100.0/24` (known bad)"), "{report}");
}

#[test]
fn policy_without_rules_or_groups_renders() {
    let p = common::PolicyBuilder::new("empty", "dev", None).build();
    let a = Aws.render(&p, Phase::ALL).unwrap();
    assert_eq!(a["terraform/security_groups.tf"], "");
    assert!(hcl::parse(&a["terraform/outputs.tf"]).is_ok());
    assert!(a["report.md"].contains("The policy has no rules"));
    let p = common::PolicyBuilder::new("lonely", "dev", None).group("db", cloudwall_core::profile::model::Tier::Data, None, "").build();
    let a = Aws.render(&p, Phase::ALL).unwrap();
    assert!(a["terraform/security_groups.tf"].contains("description = \"data tier security group for db\""));
    assert!(a["report.md"].contains("- `dev-data-db-sg`: accepts no inbound traffic; not reachable from the internet; no egress."), "{}", a["report.md"]);
}

/// A failing `aws` stops the script with a non-zero status before the summary table.
#[test]
fn apply_sh_stops_when_aws_fails() {
    if !have("bash", "--version") {
        eprintln!("SKIPPED: bash is not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    for (name, body) in [("fail", "echo 'An error occurred (UnauthorizedOperation)' >&2; exit 255"), ("empty", "exit 0")] {
        let fake = bin.join("aws");
        std::fs::write(&fake, format!("#!/bin/sh\n{body}\n")).unwrap();
        let mut perm = std::fs::metadata(&fake).unwrap().permissions();
        std::os::unix::fs::PermissionsExt::set_mode(&mut perm, 0o755);
        std::fs::set_permissions(&fake, perm).unwrap();
        let script = dir.path().join("apply.sh");
        std::fs::write(&script, &render_all()["cli/apply.sh"]).unwrap();
        let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
        let out = Command::new("bash").arg(&script).env("PATH", path).env("VPC_ID", "vpc-0abc").output().unwrap();
        assert_ne!(out.status.code(), Some(0), "{name}: {}", String::from_utf8_lossy(&out.stdout));
        assert!(!String::from_utf8_lossy(&out.stdout).contains("SECURITY GROUP"), "{name}");
    }
    // A VPC_ID that is not an id is refused before any call.
    let script = dir.path().join("apply.sh");
    let out = Command::new("bash").arg(&script).env("VPC_ID", "vpc-1; rm -rf /").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn check_flags_rules_times_groups_per_interface() {
    use cloudwall_core::profile::model::Tier;
    let cidrs: Vec<String> = (0..201).map(|i| format!("10.{}.{}.0/24", i / 200, i % 200)).collect();
    let refs: Vec<&str> = cidrs.iter().map(|s| s.as_str()).collect();
    let p = common::PolicyBuilder::new("x", "prod", None)
        .group("web", Tier::Public, None, "web")
        .inbound(0, "partners", &refs, "web", "443/tcp", "partner API", "ops")
        .build();
    assert!(Aws.check(&p).iter().any(|d| d.code == "CW204"));
    let p = common::PolicyBuilder::new("x", "prod", None)
        .group("web", Tier::Public, None, "web")
        .inbound(0, "partners", &refs[..200], "web", "443/tcp", "partner API", "ops")
        .build();
    assert!(!Aws.check(&p).iter().any(|d| d.code == "CW204"));
}
