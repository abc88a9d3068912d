//! Phase 7, verification: `verify/verify.sh`, a bash script that reads the live state of one
//! VPC with the `aws` CLI and checks it against the profile (exposure of sensitive ports,
//! the generated groups and their exact rules, default egress, descriptions, attachment,
//! SSM coverage, private endpoints, flow logs), and the report's "Verification" section.
//!
//! The script prints one line per check (`PASS <check>`, `FAIL <check>: <found>`,
//! `WARN <check>: <found>`, `ERROR <check>: <why it could not run>`) and exits 0 when all
//! pass, 1 when one failed, 2 when one could not run (and none failed). Only the checks
//! that apply to the profile are in the script; their names are stable ([`CHECKS`]).

use super::Contribution;
use crate::names;
use crate::plan::{Plan, SgPeer, CLOUDFRONT_PREFIX_LIST};
use crate::report::md_cell;
use crate::shell::quote;
use cloudwall_core::policy::{Access, Direction, Policy};
use cloudwall_core::ports::SENSITIVE_PORTS;
use cloudwall_core::profile::model::{Bastion, FlowLogDestination, FlowLogTraffic};
use std::collections::BTreeSet;
use std::fmt::Write as _;

/// Where the script goes in the provider folder.
pub const SCRIPT_PATH: &str = "verify/verify.sh";

/// Every check the script can hold: (name, what passes, when it applies).
pub const CHECKS: &[(&str, &str, &str)] = &[
    (
        "no-internet-sensitive-port",
        "no security group of the VPC admits `0.0.0.0/0` or `::/0` on a management or database port (22, 3389, 3306, 5432, 1433, 6379, 27017, 9200, 11211, 5601, 9042, 2379, 8500), named or inside a range, or on all protocols",
        "always",
    ),
    (
        "no-internet-all-traffic",
        "no security group of the VPC admits all traffic (protocol `-1`, or every TCP/UDP port) from `0.0.0.0/0` or `::/0`",
        "always",
    ),
    ("groups-present", "every security group of the profile exists in the VPC (found by name)", "always"),
    (
        "default-egress-revoked",
        "no group of the profile keeps the allow-all egress AWS adds to new groups (`-1` to `0.0.0.0/0` or `::/0`)",
        "always",
    ),
    ("rules-described", "every rule of the profile's groups has a description", "always"),
    (
        "rules-match-policy",
        "the profile's groups hold exactly the profile's rules (direction, protocol, ports, peer group or CIDR); extra rules (drift) and missing ones are listed",
        "always",
    ),
    (
        "groups-attached",
        "every group of the profile is attached to a network interface; a `WARN` (not a failure) unless `VERIFY_REQUIRE_ATTACHED=1`",
        "always",
    ),
    (
        "ssm-coverage",
        "every running instance in scope is online in SSM (the uncovered instance ids are listed)",
        "operator access through SSM Session Manager",
    ),
    (
        "endpoints-present",
        "every private endpoint of the profile exists in the VPC, `available`, of the right type; interface endpoints with private DNS, behind the endpoint group",
        "private endpoints in the profile or SSM access",
    ),
    ("flow-logs-on", "an active flow log of the VPC records the expected traffic to the expected destination", "flow logs on"),
];

/// An endpoint type as `describe-vpc-endpoints` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum EndpointType {
    Gateway,
    Interface,
}

impl EndpointType {
    pub fn as_str(self) -> &'static str {
        match self {
            EndpointType::Gateway => "Gateway",
            EndpointType::Interface => "Interface",
        }
    }
}

/// The endpoints operator access through SSM Session Manager needs.
pub const SSM_ENDPOINTS: &[&str] = &["ssm", "ssmmessages", "ec2messages"];

/// Does operator access (or part of it, for `hybrid`) go through SSM Session Manager?
/// The provider's managed access (no choice), `ssm-session-manager`, and the migration
/// away from an `existing-ssh-bastion` all use it.
pub fn uses_ssm(access: &Access) -> bool {
    match access.strategy {
        None | Some(Bastion::SsmSessionManager) | Some(Bastion::ExistingSshBastion) => true,
        Some(Bastion::Hybrid) => access.per_tier.values().any(|b| is_managed(*b)),
        Some(_) => false,
    }
}

fn is_managed(b: Bastion) -> bool {
    matches!(b, Bastion::SsmSessionManager | Bastion::ExistingSshBastion)
}

/// The AWS service suffixes (`com.amazonaws.<region>.<suffix>`) one profile endpoint
/// service stands for, with their endpoint type. Services of another provider map to none.
pub fn aws_services(service: &str) -> Vec<(String, EndpointType)> {
    let kind = |s: &str| {
        if s == "s3" || s == "dynamodb" {
            EndpointType::Gateway
        } else {
            EndpointType::Interface
        }
    };
    let names: Vec<&str> = match service {
        "object-storage" => vec!["s3"],
        "secrets" => vec!["secretsmanager"],
        "container-registry" => vec!["ecr.api", "ecr.dkr", "s3"],
        "queue" => vec!["sqs"],
        "database-api" => vec!["rds"],
        other => match other.split_once(':') {
            Some(("aws", s)) => vec![s],
            Some(_) => vec![],
            None => vec![other],
        },
    };
    names.into_iter().map(|s| (s.to_string(), kind(s))).collect()
}

/// Every endpoint the VPC must hold: the profile's services and, with SSM access, SSM's.
pub fn expected_endpoints(policy: &Policy) -> Vec<(String, EndpointType)> {
    let mut out: Vec<(String, EndpointType)> = Vec::new();
    let ssm: Vec<String> = if uses_ssm(&policy.access) { SSM_ENDPOINTS.iter().map(|s| s.to_string()).collect() } else { vec![] };
    for service in policy.endpoints.iter().map(|e| e.service.clone()).chain(ssm) {
        for e in aws_services(&service) {
            if !out.iter().any(|(s, _)| *s == e.0) {
                out.push(e);
            }
        }
    }
    out
}

/// The group names whose instances must be reachable through SSM: empty means every
/// running instance of the VPC (the whole deployment uses SSM), otherwise the groups of
/// the `hybrid` tiers that use it.
fn ssm_scope(plan: &Plan<'_>) -> Vec<String> {
    let a = &plan.policy.access;
    if a.strategy != Some(Bastion::Hybrid) {
        return vec![];
    }
    plan.groups
        .iter()
        .filter(|g| g.group.kind.is_some() && a.per_tier.get(&g.group.tier).is_some_and(|b| is_managed(*b)))
        .map(|g| g.name.clone())
        .collect()
}

/// The expected rules as the script compares them: group, direction, protocol, from, to,
/// peer (group name or CIDR); `-1 -1` for all ports.
pub fn expected_rules(plan: &Plan<'_>) -> BTreeSet<[String; 6]> {
    let dir_word = |ingress: bool| if ingress { "ingress" } else { "egress" };
    let mut out: BTreeSet<[String; 6]> = plan
        .rules
        .iter()
        .map(|r| {
            let (from, to) = r.ports.unwrap_or((-1, -1));
            let peer = match r.peer {
                SgPeer::Group(i) => plan.groups[i].name.clone(),
                SgPeer::Cidr(n) => n.to_string(),
                SgPeer::CloudFront => format!("prefix-list:{CLOUDFRONT_PREFIX_LIST}"),
                SgPeer::EdgeLink => plan.edge.link.as_ref().map(|l| l.name.clone()).unwrap_or_default(),
            };
            let dir = dir_word(r.direction() == Direction::Ingress);
            [plan.groups[r.group].name.clone(), dir.into(), r.protocol.into(), from.to_string(), to.to_string(), peer]
        })
        .collect();
    // The API Gateway VPC link's group: its egress to the fronted load balancers.
    if let Some(link) = &plan.edge.link {
        for r in &plan.edge.link_rules {
            let (from, to) = r.ports.unwrap_or((-1, -1));
            let lb = plan.groups[r.lb].name.clone();
            out.insert([link.name.clone(), "egress".into(), r.protocol.into(), from.to_string(), to.to_string(), lb]);
        }
    }
    // Host-name egress adds rules to the profile's groups (to the internet through the
    // firewall, or to the egress proxy's group) and, in proxy mode, the proxy's own rules.
    let proxy = super::egress::proxy_group_name(plan).0;
    for x in super::egress::extra_rules(plan) {
        let group = x.group.map_or_else(|| proxy.clone(), |g| plan.groups[g].name.clone());
        let peer = match x.peer {
            Ok(Some(i)) => plan.groups[i].name.clone(),
            Ok(None) => proxy.clone(),
            Err(cidr) => cidr.to_string(),
        };
        out.insert([
            group,
            dir_word(x.ingress).into(),
            x.ports.proto.as_str().into(),
            x.ports.from.to_string(),
            x.ports.to.to_string(),
            peer,
        ]);
    }
    out
}

/// Every security group `apply.sh` creates: the profile's, the API Gateway VPC link's and
/// the egress proxy's.
pub fn expected_groups(plan: &Plan<'_>) -> Vec<String> {
    let mut out: Vec<String> = plan.groups.iter().map(|g| g.name.clone()).collect();
    if let Some(link) = &plan.edge.link {
        out.push(link.name.clone());
    }
    if super::egress::extra_rules(plan).iter().any(|x| x.group.is_none() || matches!(x.peer, Ok(None))) {
        out.push(super::egress::proxy_group_name(plan).0);
    }
    out
}

fn flow_log_words(policy: &Policy) -> Option<(&'static str, &'static str)> {
    policy.controls.flow_logs.as_ref().map(|f| {
        let traffic = match f.traffic {
            FlowLogTraffic::All => "ALL",
            FlowLogTraffic::Reject => "REJECT",
            FlowLogTraffic::Accept => "ACCEPT",
        };
        let dest = match f.destination {
            FlowLogDestination::Logs => "cloud-watch-logs",
            FlowLogDestination::ObjectStorage => "s3",
        };
        (traffic, dest)
    })
}

/// The names of the checks this profile's script runs, in output order.
pub fn checks_of(plan: &Plan<'_>) -> Vec<&'static str> {
    let p = plan.policy;
    CHECKS
        .iter()
        .map(|c| c.0)
        .filter(|name| match *name {
            "ssm-coverage" => uses_ssm(&p.access),
            "endpoints-present" => !expected_endpoints(p).is_empty(),
            "flow-logs-on" => p.controls.flow_logs.is_some(),
            _ => true,
        })
        .collect()
}

const BODY: &str = include_str!("verify_sh.bash");

fn words_array(s: &mut String, name: &str, items: &[String]) {
    if items.is_empty() {
        let _ = writeln!(s, "{name}=()");
        return;
    }
    let _ = writeln!(s, "{name}=(");
    for i in items {
        let _ = writeln!(s, "  {}", quote(i));
    }
    s.push_str(")\n");
}

/// The text of `verify/verify.sh`.
pub fn script(plan: &Plan<'_>) -> String {
    let p = plan.policy;
    let d = &p.deployment;
    let mut s = String::new();
    s.push_str("#!/usr/bin/env bash\n");
    let _ = writeln!(s, "# Verification of {} ({}): the live state of one VPC checked against the profile.", names::aws_text(&d.name), names::aws_text(&d.env));
    s.push_str(
        "# Inputs: VPC_ID (required); AWS_REGION (default: the profile's region);\n\
         # VERIFY_REQUIRE_ATTACHED=1 makes a group attached to nothing a failure (default: a warning).\n\
         # AWS_ENDPOINT_URL, AWS_PROFILE and the other aws CLI settings apply as usual.\n\
         # Output: one line per check: PASS <check>, FAIL <check>: <found>, WARN <check>: <found>,\n\
         # or ERROR <check>: <why it could not run>. Needs bash 4.4 or later.\n\
         # Exit status: 0 every check passed, 1 a check failed, 2 a check could not run.\n",
    );
    s.push_str(BODY.split_once("\n# ---- live state").map(|(a, _)| a).unwrap_or(BODY));
    let _ = writeln!(s, "\nREGION=\"${{AWS_REGION:-}}\"\nif [ -z \"$REGION\" ]; then\n  REGION={}\nfi", quote(&plan.region));

    s.push_str(&super::topology::verify_inputs(plan));
    s.push_str("\n# ---- expected state, from the profile ----\n");
    s.push_str("# Management and database ports never open to the internet: port:name.\n");
    let sensitive: Vec<String> = SENSITIVE_PORTS.iter().map(|(p, n)| format!("{p}:{n}")).collect();
    words_array(&mut s, "SENSITIVE_PORTS", &sensitive);
    s.push_str("# The security groups of the profile (with the VPC link's and the egress proxy's).\n");
    let groups = expected_groups(plan);
    words_array(&mut s, "EXPECTED_GROUPS", &groups);
    s.push_str("# Their rules: group, direction, protocol, from, to, peer (group name or CIDR).\n");
    let rules = expected_rules(plan);
    if rules.is_empty() {
        s.push_str("expected_rules() {\n  :\n}\n");
    } else {
        s.push_str("expected_rules() {\n  printf '%s\\t%s\\t%s\\t%s\\t%s\\t%s\\n'");
        for r in &rules {
            let words: Vec<String> = r.iter().map(|w| quote(w)).collect();
            let _ = write!(s, " \\\n    {}", words.join(" "));
        }
        s.push_str("\n}\n");
    }
    let checks = checks_of(plan);
    if checks.contains(&"ssm-coverage") {
        s.push_str("# Groups whose instances must be online in SSM (empty: every running instance of the VPC).\n");
        words_array(&mut s, "SSM_GROUPS", &ssm_scope(plan));
    }
    if checks.contains(&"endpoints-present") {
        s.push_str("# Private endpoints: service (com.amazonaws.<region>.<service>) and type.\n");
        let eps: Vec<String> = expected_endpoints(p).iter().map(|(svc, t)| format!("{svc} {}", t.as_str())).collect();
        words_array(&mut s, "EXPECTED_ENDPOINTS", &eps);
        let group = plan.groups.iter().find(|g| g.group.id == cloudwall_core::policy::ENDPOINTS_GROUP);
        let _ = writeln!(s, "ENDPOINT_GROUP={}", quote(group.map_or("", |g| g.name.as_str())));
        // Hub-spoke: the shared private hosted zones answer instead of the endpoints' own DNS.
        let _ = writeln!(s, "ENDPOINT_PRIVATE_DNS={}", !super::topology::shares_endpoint_dns(plan));
    }
    if let Some((traffic, dest)) = flow_log_words(p) {
        s.push_str("# Flow logs: traffic type and destination.\n");
        let _ = writeln!(s, "FLOW_LOG_TRAFFIC={traffic}\nFLOW_LOG_DESTINATION={dest}");
    }
    s.push('\n');
    s.push_str(BODY.split_once("\n# ---- live state").map(|(_, b)| b).map(|b| format!("# ---- live state{b}")).as_deref().unwrap_or(""));

    s.push_str("\n# ---- run ----\n");
    s.push_str("check_internet\ncheck_groups_present\ncheck_default_egress\ncheck_described\ncheck_match\ncheck_attached\n");
    if checks.contains(&"ssm-coverage") {
        s.push_str("check_ssm\n");
    }
    if checks.contains(&"endpoints-present") {
        s.push_str("check_endpoints\n");
    }
    if checks.contains(&"flow-logs-on") {
        s.push_str("check_flow_logs\n");
    }
    s.push_str(
        "\nif [ \"$FAILED\" -ne 0 ]; then\n  exit 1\nfi\nif [ \"$BROKEN\" -ne 0 ]; then\n  exit 2\nfi\nexit 0\n",
    );
    s
}

/// The report's "Verification" section.
pub fn report(plan: &Plan<'_>) -> String {
    let p = plan.policy;
    let mut s = String::new();
    s.push_str("## Verification\n\n");
    s.push_str(
        "`verify/verify.sh` reads the live state of the VPC with the `aws` CLI and checks it \
         against this profile. Run it after every apply and on a schedule: a rule added by hand \
         \"temporarily\" shows up as drift.\n\n",
    );
    s.push_str("```bash\nVPC_ID=vpc-0123456789abcdef0 bash verify/verify.sh\n```\n\n");
    s.push_str(
        "`AWS_REGION` overrides the region (default: the profile's, `",
    );
    s.push_str(&md_cell(&plan.region));
    s.push_str(
        "`); `AWS_PROFILE`, `AWS_ENDPOINT_URL` and the other `aws` CLI settings apply. \
         It prints one line per check, `PASS <check>`, `FAIL <check>: <what was found>`, \
         `WARN <check>: ...` or `ERROR <check>: <why it could not run>`, and exits 0 when \
         every check passed, 1 when a check failed, 2 when a check could not run (the `aws` \
         CLI missing, an API error, no `VPC_ID`) and none failed.\n\n",
    );
    s.push_str("| Check | Passes when |\n|---|---|\n");
    for name in checks_of(plan) {
        let (_, what, _) = CHECKS.iter().find(|c| c.0 == name).expect("known check");
        let _ = writeln!(s, "| {name} | {what} |");
    }
    s.push('\n');
    if uses_ssm(&p.access) {
        s.push_str(
            "`ssm-coverage` compares the running instances in scope (`describe-instances`) with \
             the instances online in SSM (`ssm describe-instance-information`); with no running \
             instance there is nothing to cover and it passes.\n",
        );
    }
    s.push_str(
        "`groups-attached` warns on a fresh VPC with no workloads yet; set \
         `VERIFY_REQUIRE_ATTACHED=1` once they run to make an unused group a failure.\n",
    );
    s
}

pub fn render(plan: &Plan<'_>) -> Contribution {
    Contribution { files: vec![(SCRIPT_PATH.into(), script(plan))], script: String::new(), report: report(plan) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cloudwall_core::{compile, profile};
    use std::path::Path;

    fn policy(text: &str) -> Policy {
        let prof = profile::parse_str(Path::new("p.toml"), text).unwrap_or_else(|e| panic!("{:?}", e.diagnostics));
        compile::compile(&prof)
    }

    const BASE: &str = r#"
[deployment]
name = "shop"
env = "prod"
provider = "aws"
region = "eu-west-1"
compliance = []
public = "load-balancer-only"
[[workload]]
name = "alb"
tier = "public"
kind = "load-balancer"
[[workload]]
name = "api"
tier = "app"
kind = "vm"
[[flow]]
from = "internet"
to = "alb"
ports = ["443/tcp"]
purpose = "public site"
[[flow]]
from = "alb"
to = "api"
ports = ["8080/tcp"]
purpose = "forward"
"#;

    #[test]
    fn endpoint_names_follow_the_profile_table() {
        let names = |s: &str| aws_services(s).into_iter().map(|(n, t)| format!("{n} {}", t.as_str())).collect::<Vec<_>>();
        assert_eq!(names("object-storage"), ["s3 Gateway"]);
        assert_eq!(names("container-registry"), ["ecr.api Interface", "ecr.dkr Interface", "s3 Gateway"]);
        assert_eq!(names("secrets"), ["secretsmanager Interface"]);
        assert_eq!(names("queue"), ["sqs Interface"]);
        assert_eq!(names("database-api"), ["rds Interface"]);
        assert_eq!(names("aws:ecr.dkr"), ["ecr.dkr Interface"]);
        assert!(names("gcp:storage").is_empty());
    }

    #[test]
    fn checks_follow_the_profile() {
        let p = policy(BASE);
        let plan = Plan::new(&p).unwrap();
        let checks = checks_of(&plan);
        // No bastion choice: the provider's managed access, SSM, with its three endpoints.
        assert!(checks.contains(&"ssm-coverage") && checks.contains(&"endpoints-present"));
        assert!(!checks.contains(&"flow-logs-on"));
        let eps: Vec<String> = expected_endpoints(&p).into_iter().map(|e| e.0).collect();
        assert_eq!(eps, ["ssm", "ssmmessages", "ec2messages"]);

        let vpn = BASE.replace("public = \"load-balancer-only\"", "public = \"load-balancer-only\"\nbastion = \"vpn-only\"\ncompliance = [\"soc2\"]")
            .replace("compliance = []\n", "")
            + "[vpn]\nclient_cidr = \"172.20.0.0/16\"\n";
        let p = policy(&vpn);
        let plan = Plan::new(&p).unwrap();
        let checks = checks_of(&plan);
        assert!(!checks.contains(&"ssm-coverage") && !checks.contains(&"endpoints-present"), "{checks:?}");
        assert!(checks.contains(&"flow-logs-on"));
        let script = script(&plan);
        assert!(script.contains("FLOW_LOG_TRAFFIC=ALL\nFLOW_LOG_DESTINATION=cloud-watch-logs\n"));
        assert!(script.contains("\ncheck_flow_logs\n") && !script.contains("\ncheck_ssm\n"));
    }

    #[test]
    fn script_holds_the_expected_state_quoted() {
        let p = policy(BASE);
        let plan = Plan::new(&p).unwrap();
        let s = script(&plan);
        assert!(s.starts_with("#!/usr/bin/env bash\n"));
        assert!(s.contains("set -uo pipefail\n") && !s.contains("set -e"));
        assert!(s.contains("  REGION=eu-west-1\n"));
        assert!(s.contains("    prod-app-api-sg ingress tcp 8080 8080 prod-public-alb-sg"), "{s}");
        assert!(s.contains("    prod-public-alb-sg ingress tcp 443 443 0.0.0.0/0"));
        assert!(s.contains("    prod-public-alb-sg ingress tcp 443 443 ::/0"));
        assert!(s.contains("  22:SSH\n") && s.contains("  8500:Consul\n"));
        for c in checks_of(&plan) {
            assert!(report(&plan).contains(&format!("| {c} |")), "{c}");
        }
        assert!(!s.to_lowercase().contains("cloudwall"));
    }

    #[test]
    fn script_is_valid_bash() {
        let p = policy(BASE);
        let plan = Plan::new(&p).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("verify.sh");
        std::fs::write(&path, script(&plan)).unwrap();
        let out = std::process::Command::new("bash").arg("-n").arg(&path).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
}
