//! The mandatory rules on real profile text: every refusal of issue 2, the place each
//! finding points at, and clean profiles that give no finding.

use cloudwall_core::compile::compile;
use cloudwall_core::diag::{Anchor, Diagnostic, Severity};
use cloudwall_core::profile::{self, Profile};
use cloudwall_core::rules::{check, check_policy};
use std::path::Path;

const HEADER: &str = r#"[deployment]
name = "webapp"
env = "prod"
provider = "aws"
owner = "platform team"

[[workload]]
name = "alb"
tier = "public"
kind = "load-balancer"

[[workload]]
name = "ecs"
tier = "app"
kind = "containers"

[[workload]]
name = "rds"
tier = "data"
kind = "postgres"

[[workload]]
name = "redis"
tier = "data"
kind = "redis"

[[workload]]
name = "jump"
tier = "mgmt"
kind = "vm"
"#;

struct Checked {
    text: String,
    profile: Profile,
    diags: Vec<Diagnostic>,
}

impl Checked {
    fn codes(&self) -> Vec<&'static str> {
        self.diags.iter().map(|d| d.code).collect()
    }
    fn with(&self, code: &str) -> Vec<&Diagnostic> {
        self.diags.iter().filter(|d| d.code == code).collect()
    }
    /// The text of the line the diagnostic's primary label points at.
    fn line_of(&self, d: &Diagnostic) -> String {
        let loc = d.location(&self.profile.sources).expect("a label");
        self.text
            .lines()
            .nth(loc.line - 1)
            .unwrap()
            .trim()
            .to_string()
    }
}

fn run(body: &str) -> Checked {
    let text = format!("{HEADER}\n{body}");
    let profile = profile::parse_str(Path::new("p.toml"), &text).unwrap_or_else(|e| {
        panic!(
            "profile refused: {:?}",
            e.diagnostics
                .iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
        )
    });
    let policy = compile(&profile);
    let diags = check(&profile, &policy);
    for d in &diags {
        assert_eq!(d.severity, Severity::Error, "{d}");
        assert!(
            matches!(d.labels.first().map(|l| &l.anchor), Some(Anchor::Span(_))),
            "label into the profile: {d}"
        );
        assert!(d.message.contains("mandatory rule"), "names the rule: {d}");
    }
    // the Policy-only check finds the same codes
    let mut a: Vec<&str> = diags.iter().map(|d| d.code).collect();
    let mut b: Vec<&str> = check_policy(&policy).iter().map(|d| d.code).collect();
    a.sort();
    a.dedup();
    b.sort();
    b.dedup();
    assert_eq!(a, b, "check and check_policy agree on the rules broken");
    Checked {
        text,
        profile,
        diags,
    }
}

#[test]
fn internet_to_postgres_is_refused_even_with_a_justification() {
    let c = run(r#"
[[flow]]
from = "internet"
to = "rds"
ports = ["5432/tcp"]
purpose = "analyst access"
justification = "the analysts have no VPN"
"#);
    assert_eq!(c.codes(), vec!["CW001"]);
    let d = c.with("CW001")[0];
    assert!(d.message.contains("5432/tcp (PostgreSQL)"), "{}", d.message);
    assert!(d.message.contains("prod-data-rds"), "{}", d.message);
    assert_eq!(c.line_of(d), r#"ports = ["5432/tcp"]"#);

    // without a justification: the exposure rule too
    let c = run(r#"
[[flow]]
from = "internet"
to = "rds"
purpose = "analyst access"
"#);
    assert_eq!(
        c.codes(),
        vec!["CW003", "CW001"]
            .into_iter()
            .collect::<Vec<_>>()
            .tap_sort()
    );
}

trait TapSort {
    fn tap_sort(self) -> Self;
}
impl TapSort for Vec<&'static str> {
    fn tap_sort(mut self) -> Self {
        self.sort();
        self
    }
}

#[test]
fn internet_to_ssh_is_refused_by_rules_1_and_4() {
    let c = run(r#"
[[flow]]
from = "internet"
to = "jump"
ports = ["443/tcp", "22/tcp"]
purpose = "admin shell"
justification = "legacy bastion"
"#);
    assert_eq!(c.codes(), vec!["CW001", "CW004"]);
    for d in &c.diags {
        assert!(d.message.contains("22/tcp (SSH)"), "{}", d.message);
        assert_eq!(c.line_of(d), r#"ports = ["443/tcp", "22/tcp"]"#);
        // the label is on the "22/tcp" value itself, not on 443
        assert_eq!(d.location(&c.profile.sources).unwrap().col, 21);
    }
}

#[test]
fn an_internet_range_containing_rdp_is_refused() {
    let c = run(r#"
[[flow]]
from = "internet"
to = "ecs"
ports = ["3000-4000/tcp"]
purpose = "dev servers"
justification = "temporary"
"#);
    assert_eq!(c.codes(), vec!["CW001", "CW004"]);
    let one = c.with("CW001")[0];
    assert!(one.message.contains("3000-4000/tcp"), "{}", one.message);
    assert!(
        one.message.contains("3306/tcp (MySQL), 3389/tcp (RDP)"),
        "{}",
        one.message
    );
    let four = c.with("CW004")[0];
    assert!(
        four.message.contains("3389/tcp (RDP)") && !four.message.contains("22/tcp"),
        "{}",
        four.message
    );
}

#[test]
fn all_from_the_internet_is_refused() {
    let c = run(r#"
[[flow]]
from = "internet"
to = "alb"
ports = ["all"]
purpose = "everything"
"#);
    assert_eq!(c.codes(), vec!["CW001", "CW004"]);
    let d = c.with("CW001")[0];
    assert!(d.message.contains("`all`"), "{}", d.message);
    for p in ["22/tcp (SSH)", "5432/tcp (PostgreSQL)", "8500/tcp (Consul)"] {
        assert!(d.message.contains(p), "{p} in {}", d.message);
    }
}

#[test]
fn a_v6_any_external_party_on_redis_is_an_internet_source() {
    let c = run(r#"
[[external]]
name = "anywhere6"
cidrs = ["::/0"]
purpose = "IPv6 clients"

[[flow]]
from = "anywhere6"
to = "redis"
purpose = "cache for mobile clients"
justification = "latency"
"#);
    assert_eq!(c.codes(), vec!["CW001"]);
    let d = c.with("CW001")[0];
    assert!(
        d.message.contains("6379/tcp (Redis)") && d.message.contains("::/0"),
        "{}",
        d.message
    );
}

#[test]
fn udp_on_a_sensitive_port_from_the_internet_is_refused() {
    let c = run(r#"
[[flow]]
from = "internet"
to = "ecs"
ports = ["3389/udp"]
purpose = "remote desktop transport"
justification = "x"
"#);
    assert_eq!(c.codes(), vec!["CW001", "CW004"]);
    assert!(c.diags[0].message.contains("3389/udp (RDP)"));
}

#[test]
fn flows_without_purpose_are_refused_at_the_flow() {
    let c = run(r#"
[[flow]]
from = "alb"
to = "ecs"
ports = ["8080/tcp", "8081/tcp"]
"#);
    assert_eq!(
        c.codes(),
        vec!["CW003"],
        "one finding per flow, not per rule"
    );
    assert_eq!(c.line_of(&c.diags[0]), "[[flow]]");
    assert!(c.diags[0].message.contains("alb -> ecs"));

    let c = run(r#"
[[flow]]
from = "alb"
to = "ecs"
ports = ["8080/tcp"]
purpose = "   "
"#);
    assert_eq!(c.codes(), vec!["CW003"]);
    assert_eq!(c.line_of(&c.diags[0]), r#"purpose = "   ""#);
}

#[test]
fn internet_exposure_of_a_non_edge_workload_needs_a_justification() {
    let body = |j: &str| {
        format!(
            r#"
[[flow]]
from = "internet"
to = "ecs"
ports = ["8443/tcp"]
purpose = "direct api"
{j}
"#
        )
    };
    let c = run(&body(""));
    assert_eq!(c.codes(), vec!["CW003"]);
    assert!(
        c.diags[0].message.contains("prod-app-ecs"),
        "{}",
        c.diags[0].message
    );
    assert!(run(&body(
        r#"justification = "websocket traffic the load balancer cannot carry""#
    ))
    .diags
    .is_empty());
    assert_eq!(run(&body(r#"justification = "  ""#)).codes(), vec!["CW003"]);
}

#[test]
fn a_private_range_external_needs_a_purpose() {
    let c = run(r#"
[[external]]
name = "vpn"
cidrs = ["203.0.113.0/24", "10.8.0.0/16"]

[[flow]]
from = "vpn"
to = "ecs"
ports = ["443/tcp"]
purpose = "staff access"
"#);
    assert_eq!(c.codes(), vec!["CW002"]);
    assert!(c.diags[0].message.contains("10.8.0.0/16") && c.diags[0].message.contains("RFC 1918"));
    assert!(
        c.line_of(&c.diags[0]).contains("cidrs"),
        "{}",
        c.line_of(&c.diags[0])
    );

    for cidr in [
        "100.64.0.0/10",
        "fd12:3456::/48",
        "169.254.10.0/24",
        "127.0.0.1/32",
    ] {
        let c = run(&format!(
            "[[external]]\nname = \"x\"\ncidrs = [\"{cidr}\"]\n"
        ));
        assert_eq!(c.codes(), vec!["CW002"], "{cidr}");
    }
    let c = run(
        "[[external]]\nname = \"vpn\"\ncidrs = [\"10.8.0.0/16\"]\npurpose = \"corporate VPN\"\n",
    );
    assert!(c.diags.is_empty());
}

#[test]
fn egress_to_anywhere_is_refused() {
    let c = run(r#"
[[egress]]
from = "ecs"
cidrs = ["0.0.0.0/0"]
ports = ["all"]
purpose = "updates"
"#);
    assert_eq!(c.codes(), vec!["CW005"]);
    assert_eq!(c.line_of(&c.diags[0]), r#"cidrs = ["0.0.0.0/0"]"#);

    let c = run(r#"
[[flow]]
from = "ecs"
to = "internet"
ports = ["443/tcp"]
purpose = "updates"
"#);
    assert_eq!(c.codes(), vec!["CW005"], "v4 and v6 give one finding");
}

#[test]
fn egress_without_purpose_is_refused() {
    let c = run(r#"
[[egress]]
from = "ecs"
cidrs = ["13.55.0.0/16", "13.56.0.0/16"]
fqdns = ["api.stripe.com"]
ports = ["443/tcp"]
"#);
    assert_eq!(c.codes(), vec!["CW005"], "one finding for the entry");
    assert_eq!(c.line_of(&c.diags[0]), "[[egress]]");
}

#[test]
fn generator_mentions_are_refused() {
    let c = run(r#"
[[flow]]
from = "alb"
to = "ecs"
ports = ["8080/tcp"]
purpose = "Generated  by the CloudWall wizard"
"#);
    assert_eq!(c.codes(), vec!["CW006"]);
    assert_eq!(
        c.line_of(&c.diags[0]),
        r#"purpose = "Generated  by the CloudWall wizard""#
    );
    let c = run("[[flow]]\nfrom = \"alb\"\nto = \"ecs\"\nports = [\"8080/tcp\"]\npurpose = \"fwd\"\nowner = \"auto-generated\"\n");
    assert_eq!(c.codes(), vec!["CW006"]);
}

#[test]
fn the_worked_example_is_clean() {
    let path = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../examples/webapp-aws.toml"
    ));
    let profile = profile::load(path).unwrap_or_else(|e| panic!("{e}"));
    let policy = compile(&profile);
    assert_eq!(check(&profile, &policy), vec![]);
    assert_eq!(check_policy(&policy), vec![]);
    assert_eq!(policy.rules.len(), 13);
}

#[test]
fn findings_are_sorted_by_place_then_code_without_duplicates() {
    let c = run(r#"
[[flow]]
from = "internet"
to = "jump"
ports = ["22/tcp"]

[[flow]]
from = "internet"
to = "rds"
purpose = "x"
justification = "y"

[[egress]]
from = "ecs"
cidrs = ["::/0"]
ports = ["443/tcp"]
purpose = "z"
"#);
    let locs: Vec<(usize, usize, &str, &str)> = c
        .diags
        .iter()
        .map(|d| {
            let l = d.location(&c.profile.sources).unwrap();
            (l.line, l.col, d.code, d.message.as_str())
        })
        .collect();
    let mut sorted = locs.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(locs, sorted);
    // flow 1: no purpose (CW003 at the flow), no justification (CW003), CW001+CW004 at ports
    assert_eq!(
        c.codes(),
        vec!["CW003", "CW003", "CW001", "CW004", "CW001", "CW005"]
    );
}
