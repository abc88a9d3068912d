//! Every error code at its exact `line:col`, over a table of invalid profiles.

mod common;
use common::{errors_of, ok};

/// Ten lines every "prelude" case starts with: two workloads, `app` (containers, no
/// default port) and `db` (postgres). The snippet starts on line 11.
const PRELUDE: &str = r#"[deployment]
name = "web"
[[workload]]
name = "app"
tier = "app"
kind = "containers"
[[workload]]
name = "db"
tier = "data"
kind = "postgres"
"#;

struct Case {
    name: &'static str,
    prelude: bool,
    text: &'static str,
    /// The expected diagnostics: (code, line, col), in order.
    want: &'static [(&'static str, usize, usize)],
    /// Text that the first diagnostic's message or help must contain.
    mentions: &'static str,
}

const fn c(
    name: &'static str,
    text: &'static str,
    want: &'static [(&'static str, usize, usize)],
    mentions: &'static str,
) -> Case {
    Case {
        name,
        prelude: true,
        text,
        want,
        mentions,
    }
}
const fn full(
    name: &'static str,
    text: &'static str,
    want: &'static [(&'static str, usize, usize)],
    mentions: &'static str,
) -> Case {
    Case {
        name,
        prelude: false,
        text,
        want,
        mentions,
    }
}

const CASES: &[Case] = &[
    // CW100 syntax
    c("toml syntax", "[[flow]\nfrom = \"app\"", &[("CW100", 11, 8)], "TOML syntax error"),
    c("toml duplicate key", "[[flow]]\nfrom = \"app\"\nfrom = \"db\"", &[("CW100", 13, 1)], "duplicate"),
    // CW101 unknown keys
    c("unknown key with suggestion", "[[flow]]\nfrom = \"app\"\nto = \"db\"\npurpse = \"x\"", &[("CW101", 14, 1)], "did you mean `purpose`?"),
    c("unknown top-level table", "[[workloads]]\nname = \"x\"", &[("CW101", 11, 3)], "did you mean `workload`?"),
    full("unknown deployment key", "[deployment]\nname = \"web\"\nregoin = \"eu-west-1\"", &[("CW101", 3, 1)], "did you mean `region`?"),
    c("access key not a tier", "[access]\napq = \"vpn-only\"", &[("CW101", 12, 1)], "did you mean `app`?"),
    // CW102 types and words
    full("topology word", "[deployment]\nname = \"web\"\ntopology = \"3tier\"", &[("CW102", 3, 12)], "did you mean `3-tier`?"),
    full("public word lists the allowed words", "[deployment]\nname = \"web\"\npublic = \"open\"", &[("CW102", 3, 10)], "none, load-balancer-only, multi-edge, api-gateway"),
    full("compliance word", "[deployment]\nname = \"web\"\ncompliance = [\"soc2\", \"hippa\"]", &[("CW102", 3, 23)], "did you mean `hipaa`?"),
    full("bastion word", "[deployment]\nname = \"web\"\nbastion = \"ssm\"", &[("CW102", 3, 11)], "ssm-session-manager"),
    full("availability zones range", "[deployment]\nname = \"web\"\navailability_zones = 7", &[("CW102", 3, 22)], "1 to 6"),
    full("availability zones type", "[deployment]\nname = \"web\"\navailability_zones = \"2\"", &[("CW102", 3, 22)], "integer"),
    full("name type", "[deployment]\nname = 5", &[("CW102", 2, 8)], "string"),
    c("kind word", "[[workload]]\nname = \"x\"\ntier = \"app\"\nkind = \"postgress\"", &[("CW102", 14, 8)], "did you mean `postgres`?"),
    c("tier word", "[[workload]]\nname = \"x\"\ntier = \"frontend\"\nkind = \"vm\"", &[("CW102", 13, 8)], "public, app, data, mgmt"),
    c("ports not an array", "[[flow]]\nfrom = \"app\"\nto = \"db\"\nports = \"443/tcp\"", &[("CW102", 14, 9)], "array"),
    full("workload not an array of tables", "workload = \"app\"\n[deployment]\nname = \"web\"", &[("CW102", 1, 12)], "[[workload]]"),
    full("deployment not a table", "deployment = \"web\"", &[("CW102", 1, 14)], "table"),
    // CW103 missing
    full("no deployment", "[[workload]]\nname = \"a\"\ntier = \"app\"\nkind = \"vm\"", &[("CW103", 1, 1)], "[deployment]"),
    c("flow without to", "[[flow]]\nfrom = \"app\"\nports = [\"1/tcp\"]", &[("CW103", 11, 1)], "`to`"),
    c("egress without ports", "[[egress]]\nfrom = \"app\"\nfqdns = [\"api.example.com\"]", &[("CW103", 11, 1)], "`ports`"),
    c("workload without kind", "[[workload]]\nname = \"x\"\ntier = \"app\"", &[("CW103", 11, 1)], "`kind`"),
    c("external without cidrs", "[[external]]\nname = \"vpn\"", &[("CW103", 11, 1)], "`cidrs`"),
    // CW104 references
    c("flow from unknown", "[[flow]]\nfrom = \"ap\"\nto = \"db\"", &[("CW104", 12, 8)], "did you mean `app`?"),
    c("flow to unknown lists what exists", "[[flow]]\nfrom = \"app\"\nto = \"cache\"\nports = [\"6379/tcp\"]", &[("CW104", 13, 6)], "known: app, db, internet"),
    c("egress from internet", "[[egress]]\nfrom = \"internet\"\ncidrs = [\"192.0.2.0/24\"]\nports = [\"443/tcp\"]", &[("CW104", 12, 8)], "not a workload"),
    c("kubernetes workload", "[kubernetes]\nworkloads = [\"app\", \"nope\"]", &[("CW104", 12, 21)], "nope"),
    c("spoke workload", "[[spoke]]\nname = \"s1\"\nworkloads = [\"dbb\"]", &[("CW104", 13, 14)], "did you mean `db`?"),
    c("hosts key", "[hosts]\nap = [\"10.0.0.1\"]", &[("CW104", 12, 1)], "did you mean `app`?"),
    // CW105 ports
    c("port out of range", "[[flow]]\nfrom = \"app\"\nto = \"db\"\nports = [\"70000/tcp\"]", &[("CW105", 14, 10)], "port 70000 is outside 1-65535"),
    c("reversed range", "[[flow]]\nfrom = \"app\"\nto = \"db\"\nports = [\"443/tcp\", \"90-80/tcp\"]", &[("CW105", 14, 21)], "reversed port range 90-80"),
    c("port without protocol", "[[flow]]\nfrom = \"app\"\nto = \"db\"\nports = [\"443\"]", &[("CW105", 14, 10)], "PORT/PROTO"),
    c("port as integer", "[[flow]]\nfrom = \"app\"\nto = \"db\"\nports = [5432]", &[("CW105", 14, 10)], "5432/tcp"),
    c("empty port list", "[[flow]]\nfrom = \"app\"\nto = \"db\"\nports = []", &[("CW105", 14, 9)], "empty"),
    c("unknown protocol", "[[egress]]\nfrom = \"app\"\nfqdns = [\"a.example.com\"]\nports = [\"443/sctp\"]", &[("CW105", 14, 10)], "sctp"),
    // CW106 addresses
    c("prefix too long", "[[external]]\nname = \"vpn\"\ncidrs = [\"10.0.0.0/33\"]", &[("CW106", 13, 10)], "10.0.0.0/33"),
    c("host bits set", "[[deny]]\ncidrs = [\"10.0.0.1/24\"]", &[("CW106", 12, 10)], "did you mean `10.0.0.0/24`?"),
    c("not an address", "[[external]]\nname = \"vpn\"\ncidrs = [\"vpn.example.com\"]", &[("CW106", 13, 10)], "vpn.example.com"),
    c("bad fqdn", "[[egress]]\nfrom = \"app\"\nfqdns = [\"api.example.com\", \"bad_host.example.com\"]\nports = [\"443/tcp\"]", &[("CW106", 13, 29)], "bad_host.example.com"),
    c("fqdn that is an ip", "[[egress]]\nfrom = \"app\"\nfqdns = [\"10.1.2.3\"]\nports = [\"443/tcp\"]", &[("CW106", 13, 10)], "cidrs"),
    c("hosts bad address", "[hosts]\napp = [\"10.0.0.300\"]", &[("CW106", 12, 8)], "10.0.0.300"),
    c("ipv6 host bits", "[[external]]\nname = \"v6\"\ncidrs = [\"2001:db8::1/32\"]", &[("CW106", 13, 10)], "2001:db8::/32"),
    // CW107 names
    c("duplicate workload", "[[workload]]\nname = \"app\"\ntier = \"app\"\nkind = \"vm\"", &[("CW107", 12, 8)], "duplicate name `app`"),
    c("workload and external", "[[external]]\nname = \"db\"\ncidrs = [\"10.0.0.0/8\"]", &[("CW107", 12, 8)], "already used by a workload"),
    c("reserved internet", "[[external]]\nname = \"internet\"\ncidrs = [\"10.0.0.0/8\"]", &[("CW107", 12, 8)], "reserved"),
    c("reserved endpoints", "[[workload]]\nname = \"endpoints\"\ntier = \"app\"\nkind = \"vm\"", &[("CW107", 12, 8)], "reserved"),
    c("duplicate endpoint service", "[private_endpoints]\nservices = [\"kms\", \"kms\"]", &[("CW107", 12, 20)], "kms"),
    // CW108 text and names
    c("newline in purpose", "[[flow]]\nfrom = \"app\"\nto = \"db\"\npurpose = \"a\\nb\"", &[("CW108", 14, 11)], "newline"),
    c("escape in owner", "[[flow]]\nfrom = \"app\"\nto = \"db\"\nowner = \"\\u001b[31mteam\"", &[("CW108", 14, 9)], "ESC"),
    c("tab in justification", "[[flow]]\nfrom = \"app\"\nto = \"db\"\njustification = \"a\\tb\"", &[("CW108", 14, 17)], "tab"),
    c("DEL in external purpose", "[[external]]\nname = \"vpn\"\ncidrs = [\"10.0.0.0/8\"]\npurpose = \"x\\u007f\"", &[("CW108", 14, 11)], "DEL"),
    c("uppercase workload name", "[[workload]]\nname = \"Api\"\ntier = \"app\"\nkind = \"vm\"", &[("CW108", 12, 8)], "lowercase"),
    c("long workload name", "[[workload]]\nname = \"a23456789012345678901234567890123\"\ntier = \"app\"\nkind = \"vm\"", &[("CW108", 12, 8)], "maximum is 32"),
    c("trailing dash", "[[external]]\nname = \"vpn-\"\ncidrs = [\"10.0.0.0/8\"]", &[("CW108", 12, 8)], "`-`"),
    c("spoke name", "[[spoke]]\nname = \"s 1\"\nworkloads = [\"app\"]", &[("CW108", 12, 8)], "spoke name"),
    full("env too long", "[deployment]\nname = \"web\"\nenv = \"production-eu-west\"", &[("CW108", 3, 7)], "maximum is 16"),
    full("deployment name underscore", "[deployment]\nname = \"web_app\"", &[("CW108", 2, 8)], "web-app"),
    full("NUL in deployment owner", "[deployment]\nname = \"web\"\nowner = \"a\\u0000\"", &[("CW108", 3, 9)], "NUL"),
    // CW109 flows needing ports
    c("flow to containers without ports", "[[flow]]\nfrom = \"db\"\nto = \"app\"", &[("CW109", 13, 6)], "containers"),
    c("flow to internet without ports", "[[flow]]\nfrom = \"app\"\nto = \"internet\"", &[("CW109", 13, 6)], "internet"),
    c("flow to external without ports", "[[external]]\nname = \"partner\"\ncidrs = [\"198.51.100.0/24\"]\n[[flow]]\nfrom = \"app\"\nto = \"partner\"", &[("CW109", 16, 6)], "external"),
    // CW111 consistency
    full("2-tier with mgmt", "[deployment]\nname = \"web\"\ntopology = \"2-tier\"\n[[workload]]\nname = \"jump\"\ntier = \"mgmt\"\nkind = \"vm\"", &[("CW111", 6, 8)], "2-tier"),
    c("access without hybrid", "[access]\napp = \"vpn-only\"", &[("CW111", 12, 7)], "hybrid"),
    full("access value not a strategy", "[deployment]\nname = \"web\"\nbastion = \"hybrid\"\n[access]\ndata = \"vpn\"", &[("CW111", 5, 8)], "vpn-only"),
    full("hybrid without access", "[deployment]\nname = \"web\"\nbastion = \"hybrid\"", &[("CW111", 3, 11)], "[access]"),
    c("internet to internet", "[[flow]]\nfrom = \"internet\"\nto = \"internet\"\nports = [\"443/tcp\"]", &[("CW111", 13, 6)], "internet"),
    c("external to external", "[[external]]\nname = \"a\"\ncidrs = [\"192.0.2.0/24\"]\n[[external]]\nname = \"b\"\ncidrs = [\"198.51.100.0/24\"]\n[[flow]]\nfrom = \"a\"\nto = \"b\"\nports = [\"443/tcp\"]", &[("CW111", 19, 6)], "two external"),
    full("multi-region without regions", "[deployment]\nname = \"web\"\ntopology = \"multi-region\"", &[("CW111", 3, 12)], "regions"),
    full("regions without multi-region", "[deployment]\nname = \"web\"\nregions = [\"us-east-1\", \"eu-west-1\"]", &[("CW111", 3, 12)], "multi-region"),
    full("hub-spoke without spokes", "[deployment]\nname = \"web\"\ntopology = \"hub-spoke\"", &[("CW111", 3, 12)], "[[spoke]]"),
    c("egress with neither cidrs nor fqdns", "[[egress]]\nfrom = \"app\"\nports = [\"443/tcp\"]", &[("CW111", 11, 1)], "neither"),
    c("unknown endpoint service", "[private_endpoints]\nservices = [\"object-storage\", \"secret\"]", &[("CW111", 12, 31)], "did you mean `secrets`?"),
    full("provider and providers", "[deployment]\nname = \"web\"\nprovider = \"aws\"\nproviders = [\"aws\", \"gcp\"]", &[("CW111", 4, 1)], "not both"),
    full("internet flow with public none", "[deployment]\nname = \"web\"\npublic = \"none\"\n[[workload]]\nname = \"lb\"\ntier = \"public\"\nkind = \"https\"\n[[flow]]\nfrom = \"internet\"\nto = \"lb\"", &[("CW111", 9, 8)], "public = \"none\""),
];

#[test]
fn every_invalid_snippet_gives_its_code_at_its_location() {
    let mut failures = Vec::new();
    for case in CASES {
        let text = if case.prelude {
            format!("{PRELUDE}{}", case.text)
        } else {
            case.text.to_string()
        };
        let got = errors_of("p.toml", &text);
        let got_codes: Vec<(&str, usize, usize)> = got.iter().map(|(c, l, col, _)| (c.as_str(), *l, *col)).collect();
        if got_codes != case.want {
            failures.push(format!("{}: want {:?}, got {:?}", case.name, case.want, got));
            continue;
        }
        if !got[0].3.contains(case.mentions) {
            failures.push(format!(
                "{}: message/help {:?} does not mention {:?}",
                case.name, got[0].3, case.mentions
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        CASES.len(),
        failures.join("\n")
    );
}

#[test]
fn the_prelude_itself_is_valid() {
    let p = ok(PRELUDE);
    assert_eq!(p.workloads.len(), 2);
}

#[test]
fn several_independent_errors_are_reported_in_one_run() {
    let text = format!(
        "{PRELUDE}[[flow]]\nfrom = \"app\"\nto = \"db\"\nports = [\"99999/tcp\"]\n[[external]]\nname = \"vpn\"\ncidrs = [\"10.0.0.0/33\"]\n[[flow]]\nfrom = \"app\"\nto = \"db\"\npurpse = \"x\"\n"
    );
    let got: Vec<String> = errors_of("p.toml", &text).into_iter().map(|e| e.0).collect();
    assert_eq!(got, ["CW105", "CW106", "CW101"]);
}

#[test]
fn a_broken_workload_does_not_cascade_into_reference_errors() {
    // the workload's kind is wrong: the flow to it is neither an unknown reference nor
    // a flow missing ports
    let text = format!("{PRELUDE}[[workload]]\nname = \"cache\"\ntier = \"data\"\nkind = \"redys\"\n[[flow]]\nfrom = \"app\"\nto = \"cache\"\n");
    let got: Vec<String> = errors_of("p.toml", &text).into_iter().map(|e| e.0).collect();
    assert_eq!(got, ["CW102"]);
}

#[test]
fn mandatory_rule_matters_are_not_parse_errors() {
    // blank purpose, internet to a database port, 0.0.0.0/0 egress, private external
    // without purpose: all for the mandatory rules, not the reader
    let p = ok(&format!(
        "{PRELUDE}[[flow]]\nfrom = \"internet\"\nto = \"db\"\npurpose = \"\"\n[[egress]]\nfrom = \"app\"\ncidrs = [\"0.0.0.0/0\"]\nports = [\"443/tcp\"]\n[[external]]\nname = \"corp\"\ncidrs = [\"10.0.0.0/8\"]\n"
    ));
    assert_eq!(p.flows[0].purpose.as_ref().unwrap().value, "");
    assert!(p.flows[0].ports.is_empty());
    assert!(p.external[0].purpose.is_none());
    assert_eq!(p.egress[0].cidrs[0].value.to_string(), "0.0.0.0/0");
}

#[test]
fn json_errors_have_the_same_codes_and_exact_locations() {
    let text = "{\n  \"deployment\": {\"name\": \"web\", \"topolgy\": \"3-tier\"},\n  \"workload\": [{\"name\": \"a\", \"tier\": \"app\", \"kind\": \"vm\"}],\n  \"flow\": [{\"from\": \"a\", \"to\": \"b\", \"ports\": [\"1/tcp\"]}]\n}\n";
    let got: Vec<(String, usize, usize)> = errors_of("p.json", text).into_iter().map(|e| (e.0, e.1, e.2)).collect();
    assert_eq!(got, [("CW101".to_string(), 2, 33), ("CW104".to_string(), 4, 32)]);
    // strict JSON: no trailing commas, no comments
    let got = errors_of("p.json", "{\"deployment\": {\"name\": \"web\",}}");
    assert_eq!(got[0].0, "CW100");
    assert_eq!((got[0].1, got[0].2), (1, 30));
    let got = errors_of("p.json", "// c\n{\"deployment\": {\"name\": \"web\"}}");
    assert_eq!(got[0].0, "CW100");
    let got = errors_of("p.json", "{\"deployment\": {\"name\": \"web\"}, \"deployment\": {}}");
    assert_eq!(got[0].0, "CW100");
    assert_eq!((got[0].1, got[0].2), (1, 33));
}

#[test]
fn valid_variants_are_accepted() {
    let p = ok(&format!(
        "{PRELUDE}[[egress]]\nfrom = \"app\"\nfqdns = [\".stripe.com\", \"*.example.org\", \"api.example.com\"]\nports = [\"443/tcp\", \"8000-8100/tcp\", \"53/udp\", \"icmp\"]\n[private_endpoints]\nservices = [\"aws:ecr.dkr\", \"object-storage\"]\n[hosts]\napp = [\"10.0.0.5\", \"10.0.1.0/24\", \"2001:db8::/64\"]\n"
    ));
    assert_eq!(p.egress[0].fqdns.len(), 3);
    assert_eq!(p.egress[0].ports.len(), 4);
    assert_eq!(p.hosts["app"].value[0].value.to_string(), "10.0.0.5/32");
    assert_eq!(p.private_endpoints.services[0].value, "aws:ecr.dkr");
}

#[test]
fn the_json_form_of_every_case_gives_the_same_codes() {
    let mut failures = Vec::new();
    let mut compared = 0;
    for case in CASES {
        let text = if case.prelude { format!("{PRELUDE}{}", case.text) } else { case.text.to_string() };
        // cases that are TOML syntax errors have no JSON form
        let Ok(value) = text.parse::<toml::Table>() else { continue };
        let json = serde_json::to_string_pretty(&value).unwrap();
        let mut want: Vec<&str> = case.want.iter().map(|w| w.0).collect();
        let got_json = errors_of("p.json", &json);
        let mut got: Vec<&str> = got_json.iter().map(|e| e.0.as_str()).collect();
        want.sort();
        got.sort();
        compared += 1;
        if want != got {
            failures.push(format!("{}: want {want:?}, got {got_json:?}\n{json}", case.name));
        }
    }
    assert!(compared > 60, "only {compared} cases had a JSON form");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
