//! The sections added for the full output of a provider: `[egress_filtering]`,
//! `[flow_logs]`, `[vpn]`, `[session_logging]`, `[[private_endpoints.restrict]]`,
//! workload `regions` and flow `across_regions`: defaults, every error at its exact
//! `line:col`, and the same codes from the JSON form.

mod common;
use cloudwall_core::profile::*;
use common::{errors_of, ok, summary};
use std::path::Path;

/// A multi-region deployment with `api` only in us-east-1, `db` only in eu-west-1 and
/// `cache` everywhere. 18 lines: snippets start on line 19.
const MULTI: &str = r#"[deployment]
name = "web"
topology = "multi-region"
regions = ["us-east-1", "eu-west-1", "ap-south-1"]
[[workload]]
name = "api"
tier = "app"
kind = "containers"
regions = ["us-east-1"]
[[workload]]
name = "db"
tier = "data"
kind = "postgres"
regions = ["eu-west-1"]
[[workload]]
name = "cache"
tier = "data"
kind = "redis"
"#;

/// A 3-tier deployment listing two endpoint services; snippets start on line 5.
const ENDPOINTS: &str = r#"[deployment]
name = "web"
[private_endpoints]
services = ["object-storage", "kms"]
"#;

struct Case {
    name: &'static str,
    prelude: &'static str,
    text: &'static str,
    want: &'static [(&'static str, usize, usize)],
    mentions: &'static str,
}

const fn c(
    name: &'static str,
    prelude: &'static str,
    text: &'static str,
    want: &'static [(&'static str, usize, usize)],
    mentions: &'static str,
) -> Case {
    Case {
        name,
        prelude,
        text,
        want,
        mentions,
    }
}

const D: &str = "[deployment]\nname = \"web\"\n";

const CASES: &[Case] = &[
    // [egress_filtering]
    c("egress mode word", D, "[egress_filtering]\nmode = \"proxie\"", &[("CW102", 4, 8)], "did you mean `proxy`?"),
    c("egress mode lists the words", D, "[egress_filtering]\nmode = \"nat\"", &[("CW102", 4, 8)], "firewall, proxy"),
    c("egress retention zero", D, "[egress_filtering]\nlog_retention_days = 0", &[("CW102", 4, 22)], "from 1 to 3653"),
    c("egress retention too long", D, "[egress_filtering]\nlog_retention_days = 3654", &[("CW102", 4, 22)], "from 1 to 3653"),
    c("egress retention type", D, "[egress_filtering]\nlog_retention_days = \"365\"", &[("CW102", 4, 22)], "integer"),
    c("egress unknown key", D, "[egress_filtering]\nmod = \"proxy\"", &[("CW101", 4, 1)], "did you mean `mode`?"),
    c("egress table misspelled", D, "[egres_filtering]\nmode = \"proxy\"", &[("CW101", 3, 2)], "did you mean `egress_filtering`?"),
    c("egress not a table", "", "egress_filtering = \"proxy\"\n[deployment]\nname = \"web\"", &[("CW102", 1, 20)], "table"),
    c("egress filtering inside deployment", D, "egress_filtering = \"proxy\"", &[("CW101", 3, 1)], "write [egress_filtering]"),
    c("vpn inside deployment", D, "vpn = { client_cidr = \"10.100.0.0/22\" }", &[("CW101", 3, 1)], "outside [deployment]"),
    // [flow_logs]
    c("flow logs table misspelled", D, "[flow_log]\nenabled = true", &[("CW101", 3, 2)], "did you mean `flow_logs`?"),
    c("flow logs enabled type", D, "[flow_logs]\nenabled = \"yes\"", &[("CW102", 4, 11)], "boolean"),
    c("flow logs destination", D, "[flow_logs]\ndestination = \"s3\"", &[("CW102", 4, 15)], "logs, object-storage"),
    c("flow logs traffic", D, "[flow_logs]\ntraffic = \"rejected\"", &[("CW102", 4, 11)], "did you mean `reject`?"),
    c("flow logs retention", D, "[flow_logs]\nretention_days = 4000", &[("CW102", 4, 18)], "from 1 to 3653"),
    c("flow logs unknown key", D, "[flow_logs]\nretention = 30", &[("CW101", 4, 1)], "did you mean `retention_days`?"),
    // [vpn]
    c("vpn-only without vpn", D, "bastion = \"vpn-only\"", &[("CW103", 3, 11)], "client_cidr"),
    c("vpn table without client_cidr", D, "bastion = \"vpn-only\"\n[vpn]\nsplit_tunnel = false", &[("CW103", 3, 11)], "client_cidr"),
    c("hybrid vpn tier without vpn", D, "bastion = \"hybrid\"\n[access]\napp = \"vpn-only\"", &[("CW103", 3, 11)], "client_cidr"),
    c("vpn pool too small", D, "bastion = \"vpn-only\"\n[vpn]\nclient_cidr = \"10.100.0.0/24\"", &[("CW106", 5, 15)], "/12"),
    c("vpn pool too large", D, "bastion = \"vpn-only\"\n[vpn]\nclient_cidr = \"10.0.0.0/8\"", &[("CW106", 5, 15)], "/22"),
    c("vpn pool everything", D, "bastion = \"vpn-only\"\n[vpn]\nclient_cidr = \"0.0.0.0/0\"", &[("CW106", 5, 15)], "/0"),
    c("vpn pool v6 everything", D, "bastion = \"vpn-only\"\n[vpn]\nclient_cidr = \"::/0\"", &[("CW106", 5, 15)], "/0"),
    c("vpn pool host bits", D, "bastion = \"vpn-only\"\n[vpn]\nclient_cidr = \"10.100.0.1/22\"", &[("CW106", 5, 15)], "did you mean `10.100.0.0/22`?"),
    c("vpn pool not a cidr", D, "bastion = \"vpn-only\"\n[vpn]\nclient_cidr = \"vpn.example.com\"", &[("CW106", 5, 15)], "vpn.example.com"),
    c("vpn pool type", D, "bastion = \"vpn-only\"\n[vpn]\nclient_cidr = [\"10.100.0.0/22\"]", &[("CW102", 5, 15)], "string"),
    c("vpn split tunnel type", D, "bastion = \"vpn-only\"\n[vpn]\nclient_cidr = \"10.100.0.0/22\"\nsplit_tunnel = \"no\"", &[("CW102", 6, 16)], "boolean"),
    c("vpn unknown key", D, "bastion = \"vpn-only\"\n[vpn]\nclient_cidrs = \"10.100.0.0/22\"", &[("CW103", 3, 11), ("CW101", 5, 1)], "client_cidr"),
    c("vpn without vpn access", D, "bastion = \"ssm-session-manager\"\n[vpn]\nclient_cidr = \"10.100.0.0/22\"", &[("CW111", 5, 15)], "only used with VPN access"),
    c("vpn with default access", D, "[vpn]\nclient_cidr = \"10.100.0.0/22\"", &[("CW111", 4, 15)], "vpn-only"),
    c("vpn under hybrid without a vpn tier", D, "bastion = \"hybrid\"\n[access]\napp = \"ssm-session-manager\"\n[vpn]\nclient_cidr = \"10.100.0.0/22\"", &[("CW111", 7, 15)], "hybrid"),
    c("hybrid without access is not also a vpn error", D, "bastion = \"hybrid\"\n[vpn]\nclient_cidr = \"10.100.0.0/22\"", &[("CW111", 3, 11)], "[access]"),
    // [session_logging]
    c("idle timeout zero", D, "[session_logging]\nidle_timeout_minutes = 0", &[("CW102", 4, 24)], "from 1 to 60"),
    c("idle timeout too long", D, "[session_logging]\nidle_timeout_minutes = 61", &[("CW102", 4, 24)], "from 1 to 60"),
    c("idle timeout float", D, "[session_logging]\nidle_timeout_minutes = 20.5", &[("CW102", 4, 24)], "integer"),
    c("session retention", D, "[session_logging]\nretention_days = 0", &[("CW102", 4, 18)], "from 1 to 3653"),
    c("session unknown key", D, "[session_logging]\nidle_timeout = 10", &[("CW101", 4, 1)], "did you mean `idle_timeout_minutes`?"),
    // [[private_endpoints.restrict]]
    c("restrict unlisted service", ENDPOINTS, "[[private_endpoints.restrict]]\nservice = \"secrets\"\nactions = [\"read\"]", &[("CW104", 6, 11)], "listed: object-storage, kms"),
    c("restrict misspelled service", ENDPOINTS, "[[private_endpoints.restrict]]\nservice = \"object-storag\"\nactions = [\"read\"]", &[("CW104", 6, 11)], "did you mean `object-storage`?"),
    c("restrict without service", ENDPOINTS, "[[private_endpoints.restrict]]\nactions = [\"read\"]", &[("CW103", 5, 1)], "`service`"),
    c("restrict nothing", ENDPOINTS, "[[private_endpoints.restrict]]\nservice = \"kms\"", &[("CW103", 5, 1)], "neither"),
    c("restrict two empty lists", ENDPOINTS, "[[private_endpoints.restrict]]\nservice = \"kms\"\nresources = []\nactions = []", &[("CW103", 5, 1)], "neither"),
    c("bucket with uppercase", ENDPOINTS, "[[private_endpoints.restrict]]\nservice = \"object-storage\"\nresources = [\"logs\", \"My_Bucket\"]", &[("CW108", 7, 22)], "`M`"),
    c("bucket too short", ENDPOINTS, "[[private_endpoints.restrict]]\nservice = \"object-storage\"\nresources = [\"ab\"]", &[("CW108", 7, 14)], "3 to 63"),
    c("bucket too long", ENDPOINTS, "[[private_endpoints.restrict]]\nservice = \"object-storage\"\nresources = [\"a234567890123456789012345678901234567890123456789012345678901234\"]", &[("CW108", 7, 14)], "64 characters"),
    c("bucket ends with a dash", ENDPOINTS, "[[private_endpoints.restrict]]\nservice = \"object-storage\"\nresources = [\"logs-\"]", &[("CW108", 7, 14)], "start and end"),
    c("bucket with two dots", ENDPOINTS, "[[private_endpoints.restrict]]\nservice = \"object-storage\"\nresources = [\"a..b\"]", &[("CW108", 7, 14)], "`..`"),
    c("bucket shaped like an address", ENDPOINTS, "[[private_endpoints.restrict]]\nservice = \"object-storage\"\nresources = [\"192.168.5.4\"]", &[("CW108", 7, 14)], "IP address"),
    c("empty resource", ENDPOINTS, "[[private_endpoints.restrict]]\nservice = \"kms\"\nresources = [\"\"]", &[("CW108", 7, 14)], "empty"),
    c("control character in resource", ENDPOINTS, "[[private_endpoints.restrict]]\nservice = \"kms\"\nresources = [\"key\\n1\"]", &[("CW108", 7, 14)], "newline"),
    c("resources not strings", ENDPOINTS, "[[private_endpoints.restrict]]\nservice = \"kms\"\nresources = [1]", &[("CW102", 7, 14)], "strings"),
    c("duplicate resource", ENDPOINTS, "[[private_endpoints.restrict]]\nservice = \"object-storage\"\nresources = [\"logs\", \"logs\"]", &[("CW107", 7, 22)], "twice"),
    c("misspelled neutral action", ENDPOINTS, "[[private_endpoints.restrict]]\nservice = \"kms\"\nactions = [\"reed\"]", &[("CW102", 7, 12)], "did you mean `read`?"),
    c("action without colon", ENDPOINTS, "[[private_endpoints.restrict]]\nservice = \"object-storage\"\nactions = [\"s3GetObject\"]", &[("CW102", 7, 12)], "prefix:Action"),
    c("action with uppercase prefix", ENDPOINTS, "[[private_endpoints.restrict]]\nservice = \"object-storage\"\nactions = [\"S3:GetObject\"]", &[("CW102", 7, 12)], "`S3`"),
    c("action with a digit", ENDPOINTS, "[[private_endpoints.restrict]]\nservice = \"object-storage\"\nactions = [\"s3:Get2\"]", &[("CW102", 7, 12)], "letters and `*`"),
    c("duplicate action", ENDPOINTS, "[[private_endpoints.restrict]]\nservice = \"kms\"\nactions = [\"read\", \"kms:Decrypt\", \"read\"]", &[("CW107", 7, 35)], "twice"),
    c("restrict unknown key", ENDPOINTS, "[[private_endpoints.restrict]]\nservice = \"kms\"\naction = [\"read\"]", &[("CW103", 5, 1), ("CW101", 7, 1)], "neither"),
    c("restrict not an array of tables", ENDPOINTS, "[private_endpoints.restrict]\nservice = \"kms\"", &[("CW102", 5, 1)], "[[private_endpoints.restrict]]"),
    c("restrict of an invalid service is not reported twice", D, "[private_endpoints]\nservices = [\"secret\"]\n[[private_endpoints.restrict]]\nservice = \"secret\"\nactions = [\"read\"]", &[("CW111", 4, 13)], "did you mean `secrets`?"),
    // workload regions and across_regions
    c("workload regions outside multi-region", D, "[[workload]]\nname = \"api\"\ntier = \"app\"\nkind = \"vm\"\nregions = [\"us-east-1\"]", &[("CW111", 7, 11)], "multi-region"),
    c("workload region unknown", MULTI, "[[workload]]\nname = \"q\"\ntier = \"app\"\nkind = \"vm\"\nregions = [\"us-east-1\", \"eu-west-2\"]", &[("CW104", 23, 25)], "did you mean `eu-west-1`?"),
    c("workload region twice", MULTI, "[[workload]]\nname = \"q\"\ntier = \"app\"\nkind = \"vm\"\nregions = [\"us-east-1\", \"us-east-1\"]", &[("CW107", 23, 25)], "twice"),
    c("workload regions empty", MULTI, "[[workload]]\nname = \"q\"\ntier = \"app\"\nkind = \"vm\"\nregions = []", &[("CW103", 23, 11)], "at least one region"),
    c("workload regions type", MULTI, "[[workload]]\nname = \"q\"\ntier = \"app\"\nkind = \"vm\"\nregions = \"us-east-1\"", &[("CW102", 23, 11)], "array"),
    c("workload unknown key", MULTI, "[[workload]]\nname = \"q\"\ntier = \"app\"\nkind = \"vm\"\nregion = [\"us-east-1\"]", &[("CW101", 23, 1)], "did you mean `regions`?"),
    c("across regions outside multi-region", D, "[[workload]]\nname = \"a\"\ntier = \"app\"\nkind = \"vm\"\n[[flow]]\nfrom = \"a\"\nto = \"a\"\nports = [\"22/tcp\"]\nacross_regions = true", &[("CW111", 11, 18)], "multi-region"),
    c("across regions type", MULTI, "[[flow]]\nfrom = \"api\"\nto = \"db\"\nacross_regions = \"yes\"", &[("CW102", 22, 18)], "boolean"),
    c("across regions misspelled", MULTI, "[[flow]]\nfrom = \"api\"\nto = \"cache\"\nacross_region = true", &[("CW101", 22, 1)], "did you mean `across_regions`?"),
    c("flow between regions not declared", MULTI, "[[flow]]\nfrom = \"api\"\nto = \"db\"", &[("CW111", 21, 6)], "share no region"),
    c("across regions from the internet", MULTI, "[[workload]]\nname = \"lb\"\ntier = \"public\"\nkind = \"https\"\n[[flow]]\nfrom = \"internet\"\nto = \"lb\"\nacross_regions = true", &[("CW111", 26, 18)], "workload at both ends"),
    c("across regions within one region", MULTI, "[[workload]]\nname = \"worker\"\ntier = \"app\"\nkind = \"vm\"\nregions = [\"us-east-1\"]\n[[flow]]\nfrom = \"worker\"\nto = \"api\"\nports = [\"8080/tcp\"]\nacross_regions = true", &[("CW111", 28, 18)], "only in us-east-1"),
];

#[test]
fn every_invalid_addition_gives_its_code_at_its_location() {
    let mut failures = Vec::new();
    for case in CASES {
        let text = format!("{}{}", case.prelude, case.text);
        let got = errors_of("p.toml", &text);
        let codes: Vec<(&str, usize, usize)> = got.iter().map(|(c, l, col, _)| (c.as_str(), *l, *col)).collect();
        if codes != case.want {
            failures.push(format!("{}: want {:?}, got {:?}", case.name, case.want, got));
            continue;
        }
        if !got[0].3.contains(case.mentions) {
            failures.push(format!("{}: {:?} does not mention {:?}", case.name, got[0].3, case.mentions));
        }
    }
    assert!(failures.is_empty(), "{} of {} failed:\n{}", failures.len(), CASES.len(), failures.join("\n"));
}

#[test]
fn the_json_form_of_every_addition_case_gives_the_same_codes() {
    let mut failures = Vec::new();
    for case in CASES {
        let text = format!("{}{}", case.prelude, case.text);
        let value: toml::Table = text.parse().unwrap_or_else(|e| panic!("{}: {e}", case.name));
        let json = serde_json::to_string_pretty(&value).unwrap();
        let mut want: Vec<&str> = case.want.iter().map(|w| w.0).collect();
        let got_json = errors_of("p.json", &json);
        let mut got: Vec<&str> = got_json.iter().map(|e| e.0.as_str()).collect();
        want.sort();
        got.sort();
        if want != got {
            failures.push(format!("{}: want {want:?}, got {got_json:?}", case.name));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_preludes_are_valid() {
    ok(MULTI);
    ok(ENDPOINTS);
}

#[test]
fn defaults_of_the_added_sections() {
    let p = ok("[deployment]\nname = \"tiny\"\n");
    let e = &p.egress_filtering;
    assert_eq!(e.mode.value, EgressMode::Firewall);
    assert_eq!(e.log_retention_days.value, 365);
    assert!(e.span.is_none());
    let f = &p.flow_logs;
    assert!(!f.enabled.value, "no compliance scope: no flow logs by default");
    assert_eq!(f.destination.value, FlowLogDestination::Logs);
    assert_eq!(f.retention_days.value, 365);
    assert_eq!(f.traffic.value, FlowLogTraffic::All);
    assert!(p.vpn.is_none());
    let s = &p.session_logging;
    assert_eq!(s.idle_timeout_minutes.value, 20);
    assert_eq!(s.retention_days.value, 365);
    assert!(p.private_endpoints.restrict.is_empty());
    // defaulted values point at the [deployment] table
    for span in [e.mode.span, f.enabled.span, f.traffic.span, s.idle_timeout_minutes.span] {
        assert_eq!(p.sources.locate(span).line, 1);
    }
}

#[test]
fn flow_logs_default_on_with_any_compliance_scope_and_point_at_it() {
    for scope in Compliance::WORDS {
        let p = ok(&format!("[deployment]\nname = \"c\"\ncompliance = [\"{scope}\"]\n"));
        assert!(p.flow_logs.enabled.value, "{scope} turns flow logs on");
        let loc = p.sources.locate(p.flow_logs.enabled.span);
        assert_eq!((loc.line, loc.col), (3, 15), "{scope}");
    }
    // the other fields of a present table keep their defaults, with the table's span
    let p = ok("[deployment]\nname = \"c\"\ncompliance = [\"soc2\", \"hipaa\"]\n[flow_logs]\ntraffic = \"reject\"\n");
    assert!(p.flow_logs.enabled.value);
    assert_eq!(p.flow_logs.traffic.value, FlowLogTraffic::Reject);
    assert_eq!(p.flow_logs.retention_days.value, 365);
    assert_eq!(p.sources.locate(p.flow_logs.retention_days.span).line, 4);
    // an explicit choice wins over the compliance default, and carries its own span
    let p = ok("[deployment]\nname = \"c\"\ncompliance = [\"pci-dss\"]\n[flow_logs]\nenabled = false\n");
    assert!(!p.flow_logs.enabled.value);
    let loc = p.sources.locate(p.flow_logs.enabled.span);
    assert_eq!((loc.line, loc.col), (5, 11));
    let p = ok("[deployment]\nname = \"c\"\n[flow_logs]\nenabled = true\n");
    assert!(p.flow_logs.enabled.value);
}

const FULL: &str = r#"[deployment]
name = "all"
topology = "multi-region"
regions = ["us-east-1", "eu-west-1"]
bastion = "hybrid"
compliance = ["hipaa"]

[[workload]]
name = "api"
tier = "app"
kind = "containers"

[[workload]]
name = "db"
tier = "data"
kind = "postgres"
regions = ["eu-west-1"]

[[flow]]
from = "api"
to = "db"
across_regions = true
purpose = "replica writes"

[access]
app = "ssm-session-manager"
data = "vpn-only"

[vpn]
client_cidr = "172.20.0.0/16"
split_tunnel = false

[egress_filtering]
mode = "proxy"
log_retention_days = 90

[flow_logs]
enabled = true
destination = "object-storage"
retention_days = 3653
traffic = "accept"

[session_logging]
idle_timeout_minutes = 60
retention_days = 1

[private_endpoints]
services = ["object-storage", "kms", "aws:ecr.dkr"]

[[private_endpoints.restrict]]
service = "object-storage"
resources = ["app-artifacts", "logs.example.com"]
actions = ["read", "list", "s3:PutObject", "s3:Get*"]

[[private_endpoints.restrict]]
service = "kms"
resources = ["alias/app"]

[[private_endpoints.restrict]]
service = "aws:ecr.dkr"
actions = ["ecr:BatchGetImage"]
"#;

#[test]
fn every_added_field_is_read() {
    let p = ok(FULL);
    assert_eq!(
        p.workload("api").unwrap().regions.iter().map(|r| r.value.as_str()).collect::<Vec<_>>(),
        ["us-east-1", "eu-west-1"],
        "a workload runs in every region by default"
    );
    // the defaulted regions point at the workload
    assert_eq!(p.sources.locate(p.workload("api").unwrap().regions[0].span).line, 8);
    assert_eq!(p.workload("db").unwrap().regions[0].value, "eu-west-1");
    assert!(p.flows[0].across_regions.value);
    let loc = p.sources.locate(p.flows[0].across_regions.span);
    assert_eq!((loc.line, loc.col), (22, 18));
    let vpn = p.vpn.as_ref().unwrap();
    assert_eq!(vpn.client_cidr.value.to_string(), "172.20.0.0/16");
    assert!(!vpn.split_tunnel.value);
    assert_eq!(p.egress_filtering.mode.value, EgressMode::Proxy);
    assert_eq!(p.egress_filtering.log_retention_days.value, 90);
    let f = &p.flow_logs;
    assert!(f.enabled.value);
    assert_eq!(f.destination.value, FlowLogDestination::ObjectStorage);
    assert_eq!(f.retention_days.value, 3653);
    assert_eq!(f.traffic.value, FlowLogTraffic::Accept);
    assert_eq!(p.session_logging.idle_timeout_minutes.value, 60);
    assert_eq!(p.session_logging.retention_days.value, 1);
    let r = &p.private_endpoints.restrict;
    assert_eq!(r.len(), 3);
    assert_eq!(r[0].service.value, "object-storage");
    assert_eq!(r[0].resources.len(), 2);
    assert_eq!(
        r[0].actions.iter().map(|a| a.value.as_str()).collect::<Vec<_>>(),
        ["read", "list", "s3:PutObject", "s3:Get*"]
    );
    assert!(r[1].actions.is_empty(), "only resources restricted");
    assert_eq!(r[1].resources[0].value, "alias/app", "only object-storage names are bucket names");
    assert!(r[2].resources.is_empty());
    let loc = p.sources.locate(r[2].actions[0].span);
    assert_eq!((loc.line, loc.col), (61, 12));
}

#[test]
fn the_added_fields_read_the_same_from_json() {
    let t = ok(FULL);
    let value: toml::Table = FULL.parse().unwrap();
    let json = serde_json::to_string_pretty(&value).unwrap();
    let j = parse_str(Path::new("p.json"), &json).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(summary(&t), summary(&j));
    assert!(summary(&t).contains("vpn 172.20.0.0/16 false"));
    let min_t = ok("[deployment]\nname = \"c\"\ncompliance = [\"fedramp\"]\n");
    let min_j = parse_str(Path::new("p.json"), "{\"deployment\": {\"name\": \"c\", \"compliance\": [\"fedramp\"]}}").unwrap();
    assert_eq!(summary(&min_t), summary(&min_j));
    assert!(min_j.flow_logs.enabled.value);
}

#[test]
fn vpn_only_access_with_a_pool_is_accepted_at_both_bounds() {
    for cidr in ["10.16.0.0/12", "10.100.0.0/22", "fd00:10::/64"] {
        let p = ok(&format!("[deployment]\nname = \"v\"\nbastion = \"vpn-only\"\n[vpn]\nclient_cidr = \"{cidr}\"\n"));
        let vpn = p.vpn.unwrap();
        assert_eq!(vpn.client_cidr.value.to_string(), cidr);
        assert!(vpn.split_tunnel.value);
        assert_eq!(p.sources.locate(vpn.split_tunnel.span).line, 4, "the default points at [vpn]");
    }
    for cidr in ["10.0.0.0/11", "10.100.0.0/23"] {
        let e = errors_of("p.toml", &format!("[deployment]\nname = \"v\"\nbastion = \"vpn-only\"\n[vpn]\nclient_cidr = \"{cidr}\"\n"));
        assert_eq!(e.len(), 1, "{cidr}: {e:?}");
        assert_eq!(e[0].0, "CW106");
    }
}

#[test]
fn the_hybrid_vpn_error_also_points_at_the_vpn_tier() {
    let r = parse_str(
        Path::new("p.toml"),
        "[deployment]\nname = \"web\"\nbastion = \"hybrid\"\n[access]\napp = \"vpn-only\"\n",
    );
    let e = r.unwrap_err();
    assert_eq!(e.diagnostics.len(), 1);
    let labels: Vec<(usize, usize)> = e.diagnostics[0]
        .labels
        .iter()
        .map(|l| match &l.anchor {
            cloudwall_core::diag::Anchor::Span(s) => {
                let loc = e.sources.locate(*s);
                (loc.line, loc.col)
            }
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(labels, [(3, 11), (5, 7)]);
}

#[test]
fn cross_region_flows_are_accepted_where_they_make_sense() {
    // api (us-east-1) -> db (eu-west-1) declared as crossing; api -> cache (everywhere)
    // either way
    let p = ok(&format!(
        "{MULTI}[[flow]]\nfrom = \"api\"\nto = \"db\"\nacross_regions = true\n[[flow]]\nfrom = \"api\"\nto = \"cache\"\n[[flow]]\nfrom = \"api\"\nto = \"cache\"\nacross_regions = true\n"
    ));
    assert_eq!(p.flows.iter().map(|f| f.across_regions.value).collect::<Vec<_>>(), [true, false, true]);
    assert_eq!(p.workload("cache").unwrap().regions.len(), 3);
}

#[test]
fn extends_appends_restrictions_and_replaces_settings() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("base.toml"),
        "[deployment]\nname = \"base\"\n[private_endpoints]\nservices = [\"object-storage\"]\n[[private_endpoints.restrict]]\nservice = \"object-storage\"\nresources = [\"org-logs\"]\n[flow_logs]\ntraffic = \"reject\"\nretention_days = 400\n",
    )
    .unwrap();
    let child = dir.path().join("child.toml");
    std::fs::write(
        &child,
        "extends = \"base.toml\"\n[deployment]\nname = \"child\"\n[[private_endpoints.restrict]]\nservice = \"object-storage\"\nactions = [\"read\"]\n[flow_logs]\ntraffic = \"all\"\n",
    )
    .unwrap();
    let p = load(&child).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(p.private_endpoints.restrict.len(), 2);
    assert_eq!(p.private_endpoints.restrict[0].resources[0].value, "org-logs");
    assert!(p.sources.path(p.private_endpoints.restrict[0].span.file).ends_with("base.toml"));
    assert_eq!(p.flow_logs.traffic.value, FlowLogTraffic::All);
    assert_eq!(p.flow_logs.retention_days.value, 400);
}
