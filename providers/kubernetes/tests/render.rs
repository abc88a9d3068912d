//! The rendered manifests: golden snapshot of the worked example, the real pipeline,
//! peer mapping, skipped rules, hostile strings, and the real `kubernetes-validate`.

mod common;

use cloudwall_core::policy::{Direction, FqdnEgress, KubernetesScope};
use cloudwall_core::ports::{PortRange, Proto};
use cloudwall_core::profile::{Tier, WorkloadKind};
use cloudwall_kubernetes::{render, Options};
use common::*;
use ipnet::IpNet;
use serde_norway::Value;
use std::path::{Path, PathBuf};

const CNI: &str = "Amazon VPC CNI enforces NetworkPolicies only with network policy enabled (v1.14+, enableNetworkPolicy=true)";

fn opts() -> Options<'static> {
    Options {
        cni_note: CNI,
        cluster_external_cidrs: None,
    }
}

fn egress_items<'a>(
    by_name: &'a std::collections::BTreeMap<String, Value>,
    name: &str,
    key: &str,
) -> &'a Vec<Value> {
    by_name[name]["spec"][key].as_sequence().unwrap()
}

#[test]
fn worked_example_snapshot() {
    let p = worked_example();
    let yaml = render(&p, &opts()).unwrap();
    insta::assert_snapshot!("worked_example", yaml);
}

#[test]
fn worked_example_structure() {
    let p = worked_example();
    let yaml = render(&p, &opts()).unwrap();
    let by = structural_checks(&yaml, &p, None, true);
    let names: Vec<&str> = by.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "allow-dns",
            "allow-egress-ecs",
            "allow-ingress-ecs",
            "default-deny-all"
        ]
    );
    assert!(yaml.starts_with("# "), "header comment first");
    assert!(yaml.contains(CNI), "CNI note in the header");

    // alb (public tier, outside the cluster) -> ecs arrives from the ingress namespace.
    let ing = egress_items(&by, "allow-ingress-ecs", "ingress");
    assert_eq!(ing.len(), 1);
    assert_eq!(
        ing[0]["from"][0]["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"]
            .as_str(),
        Some("ingress-nginx")
    );
    assert_eq!(ing[0]["ports"][0]["port"].as_u64(), Some(8080));
    assert_eq!(
        by["allow-ingress-ecs"]["spec"]["podSelector"]["matchLabels"]["app.kubernetes.io/name"]
            .as_str(),
        Some("ecs")
    );

    // ecs -> rds and redis: outside the cluster, addresses unknown: port only.
    let eg = egress_items(&by, "allow-egress-ecs", "egress");
    assert_eq!(eg.len(), 3);
    for (item, port) in eg.iter().zip([5432, 6379]) {
        assert!(item.get("to").is_none());
        assert_eq!(item["ports"][0]["port"].as_u64(), Some(port));
    }
    assert_eq!(
        eg[2]["to"][0]["ipBlock"]["cidr"].as_str(),
        Some("13.55.0.0/16")
    );
    assert_eq!(eg[2]["ports"][0]["port"].as_u64(), Some(443));
    let ann = by["allow-egress-ecs"]["metadata"]["annotations"]
        .as_mapping()
        .unwrap();
    assert_eq!(
        ann.get("ecs_out_to_rds_5432_tcp").and_then(Value::as_str),
        Some("ecs -> rds : 5432/tcp - order service write path - payments team")
    );
}

#[test]
fn known_outside_ranges_become_ip_blocks() {
    let p = worked_example();
    let vpc: Vec<IpNet> = vec!["10.20.0.0/16".parse().unwrap()];
    let o = Options {
        cni_note: CNI,
        cluster_external_cidrs: Some(&vpc),
    };
    let yaml = render(&p, &o).unwrap();
    let by = structural_checks(&yaml, &p, Some(&vpc), true);
    let eg = egress_items(&by, "allow-egress-ecs", "egress");
    assert_eq!(
        eg[0]["to"][0]["ipBlock"]["cidr"].as_str(),
        Some("10.20.0.0/16")
    );
    assert_eq!(eg[0]["ports"][0]["port"].as_u64(), Some(5432));
    assert!(yaml.contains("#   10.20.0.0/16 (the networks outside the cluster)"));
}

#[test]
fn through_the_real_parser_and_compiler() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let profile = cloudwall_core::profile::load(&root.join("examples/webapp-aws.toml"))
        .expect("example loads");
    let p = cloudwall_core::compile::compile(&profile);
    let yaml = render(&p, &opts()).unwrap();
    let by = structural_checks(&yaml, &p, None, true);
    // The compiled example adds the private endpoints: ecs reaches them on 443.
    let eg = egress_items(&by, "allow-egress-ecs", "egress");
    let ports: Vec<u64> = eg
        .iter()
        .map(|i| i["ports"][0]["port"].as_u64().unwrap())
        .collect();
    for want in [5432, 6379, 443] {
        assert!(ports.contains(&want), "egress port {want} in {ports:?}");
    }
    assert!(
        !yaml.contains("allow-ingress-rds"),
        "only in-cluster workloads get policies"
    );
    let file = write_tmp("pipeline", &yaml);
    validate_files(&[file.1]);
}

#[test]
fn no_kubernetes_scope_gives_nothing() {
    let mut p = worked_example();
    p.kubernetes = None;
    assert_eq!(render(&p, &opts()), None);
}

#[test]
fn rendering_is_deterministic() {
    let p = worked_example();
    assert_eq!(render(&p, &opts()), render(&p.clone(), &opts()));
}

#[test]
fn in_cluster_peers_ranges_icmp_and_all() {
    let mut p = empty_policy("shop", "stage");
    group(&mut p, "web", Tier::App, WorkloadKind::Containers);
    group(&mut p, "api", Tier::App, WorkloadKind::Containers);
    group(&mut p, "db", Tier::Data, WorkloadKind::Postgres);
    group(&mut p, "lb", Tier::Public, WorkloadKind::LoadBalancer);
    flow(
        &mut p,
        "web",
        "api",
        PortRange {
            proto: Proto::Tcp,
            from: 8000,
            to: 8100,
        },
        "api calls",
        "shop team",
    );
    flow(&mut p, "web", "api", PortRange::ICMP, "ping", "shop team");
    flow(
        &mut p,
        "api",
        "web",
        PortRange::ALL,
        "callbacks",
        "shop team",
    );
    flow(
        &mut p,
        "api",
        "db",
        PortRange::ALL,
        "everything to the db",
        "shop team",
    );
    flow(
        &mut p,
        "lb",
        "web",
        PortRange::single(Proto::Udp, 4433),
        "quic",
        "shop team",
    );
    cidr_rule(
        &mut p,
        "api",
        Direction::Egress,
        "0.0.0.0/0",
        "internet",
        PortRange::ALL,
        "anything",
        "shop team",
    );
    p.fqdn_egress.push(FqdnEgress {
        group: "api".into(),
        fqdns: vec![".stripe.com".into()],
        ports: vec![PortRange::tcp(443), PortRange::ALL],
        description: desc(
            "api",
            ".stripe.com",
            PortRange::tcp(443),
            "payments",
            "shop team",
        ),
        origin: loc(),
    });
    p.kubernetes = Some(KubernetesScope {
        namespace: "shop".into(),
        ingress_namespace: None,
        workloads: vec!["web".into(), "api".into(), "web".into()],
        origin: loc(),
    });
    let yaml = render(&p, &opts()).unwrap();
    let by = structural_checks(&yaml, &p, None, true);

    // web -> api 8000-8100: podSelector + endPort on both sides.
    let api_in = egress_items(&by, "allow-ingress-api", "ingress");
    assert_eq!(
        api_in[0]["from"][0]["podSelector"]["matchLabels"]["app.kubernetes.io/name"].as_str(),
        Some("web")
    );
    assert_eq!(api_in[0]["ports"][0]["port"].as_u64(), Some(8000));
    assert_eq!(api_in[0]["ports"][0]["endPort"].as_u64(), Some(8100));
    assert_eq!(api_in.len(), 1, "ICMP is not rendered");
    assert!(
        yaml.contains("# web_in_from_api_icmp: not rendered")
            || yaml.contains("# api_in_from_web_icmp: not rendered")
    );
    // api -> web on all ports: in-cluster, so no ports and a pod selector.
    let web_in = egress_items(&by, "allow-ingress-web", "ingress");
    let all = web_in
        .iter()
        .find(|i| i.get("ports").is_none())
        .expect("all-ports rule");
    assert_eq!(
        all["from"][0]["podSelector"]["matchLabels"]["app.kubernetes.io/name"].as_str(),
        Some("api")
    );
    // lb -> web without an ingress namespace: the port only, UDP.
    let lb = web_in
        .iter()
        .find(|i| i["ports"][0]["port"].as_u64() == Some(4433))
        .unwrap();
    assert!(lb.get("from").is_none());
    assert_eq!(lb["ports"][0]["protocol"].as_str(), Some("UDP"));
    // api -> db on all ports (addresses unknown) and api -> 0.0.0.0/0 on all: not rendered.
    assert!(yaml.contains("# api_out_to_db_all: not rendered"));
    assert!(yaml.contains("# api_out_to_0_0_0_0_0_all: not rendered"));
    // FQDN: public addresses on 443, private ranges and link-local excepted; `all` not rendered.
    let api_out = egress_items(&by, "allow-egress-api", "egress");
    let fq = api_out
        .iter()
        .find(|i| i["to"][0]["ipBlock"]["cidr"].as_str() == Some("0.0.0.0/0"))
        .expect("fqdn rule");
    assert_eq!(fq["ports"][0]["port"].as_u64(), Some(443));
    let except: Vec<&str> = fq["to"][0]["ipBlock"]["except"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(except.contains(&"169.254.0.0/16") && except.contains(&"10.0.0.0/8"));
    assert!(yaml.contains("api_out_to_fqdn_1: not rendered on `all`"));
    // The duplicate workload entry gives one set of policies.
    assert_eq!(by.keys().filter(|k| k.ends_with("-web")).count(), 2);

    let file = write_tmp("mixed", &yaml);
    validate_files(&[file.1]);
}

#[test]
fn a_direction_with_only_unrenderable_rules_stays_closed() {
    let mut p = empty_policy("x", "prod");
    group(&mut p, "a", Tier::App, WorkloadKind::Vm);
    group(&mut p, "b", Tier::App, WorkloadKind::Vm);
    flow(&mut p, "b", "a", PortRange::ICMP, "ping", "ops");
    p.kubernetes = Some(KubernetesScope {
        namespace: "prod".into(),
        ingress_namespace: None,
        workloads: vec!["a".into()],
        origin: loc(),
    });
    let yaml = render(&p, &opts()).unwrap();
    let by = structural_checks(&yaml, &p, None, true);
    assert_eq!(
        by["allow-ingress-a"]["spec"]["ingress"]
            .as_sequence()
            .map(Vec::len),
        Some(0)
    );
    assert!(
        !by.contains_key("allow-egress-a"),
        "no egress rules: no egress policy"
    );
}

/// Strings that would change the YAML's meaning if they were not escaped.
const HOSTILE: &[&str] = &[
    "say \"hi\": now",
    "# not a comment",
    "{a: b}, [c]",
    "&anchor *alias !tag |block >fold",
    "yes",
    "~",
    "- item",
    "back\\slash ' single",
    "unicode: café ✓ 日本 🚀",
    "line\u{2028}sep\u{85}nel\u{feff}bom",
    "bidi \u{202e}reversed",
    "%YAML 1.2 --- ...",
    "",
];

#[test]
fn hostile_strings_stay_inert() {
    let mut p = worked_example();
    for (i, h) in HOSTILE.iter().enumerate() {
        let ports = PortRange::tcp(1000 + i as u16);
        flow(&mut p, "ecs", "redis", ports, h, h);
        cidr_rule(
            &mut p,
            "ecs",
            Direction::Egress,
            "198.51.100.0/24",
            h,
            ports,
            h,
            "owner",
        );
    }
    p.deployment.name = "shop: {x} # y".into();
    p.deployment.env = "\"e\"".into();
    let note = "CNI: \"quoted\" # hash\nsecond line\u{2028}third";
    let yaml = render(
        &p,
        &Options {
            cni_note: note,
            cluster_external_cidrs: None,
        },
    )
    .unwrap();
    let by = structural_checks(&yaml, &p, None, false);
    let ann = by["allow-egress-ecs"]["metadata"]["annotations"]
        .as_mapping()
        .unwrap();
    for r in p
        .rules
        .iter()
        .filter(|r| r.group == "ecs" && r.direction == Direction::Egress)
    {
        assert_eq!(
            ann.get(r.id.as_str()).and_then(Value::as_str),
            Some(r.description.text().as_str()),
            "{}",
            r.id
        );
    }
    // Comments cannot be escaped from: every line is a comment, blank or YAML of ours.
    for line in yaml.lines() {
        let t = line.trim_start();
        assert!(
            !t.contains('\u{2028}') && !t.contains('\u{85}'),
            "raw line separator in {line:?}"
        );
    }
    assert!(
        yaml.contains("# second line\n# third\n"),
        "a multi-line note stays comment lines"
    );
    let part_of = by["default-deny-all"]["metadata"]["labels"]["app.kubernetes.io/part-of"]
        .as_str()
        .unwrap();
    assert!(is_dns_label(part_of), "{part_of}");
    let file = write_tmp("hostile", &yaml);
    match pyyaml_docs(&file.1) {
        Some(py) => assert_eq!(
            py,
            norway_docs_json(&yaml),
            "two YAML readers read the same values"
        ),
        None => {
            assert!(!in_ci(), "the tools' Python (PyYAML) is missing in CI");
            eprintln!("SKIP: PyYAML cross-check: the tools' Python was not found");
        }
    }
    validate_files(&[file.1]);
}

#[test]
fn hostile_identifiers_are_quoted_and_names_stay_valid() {
    let mut p = empty_policy("x", "prod");
    let weird = "Web: {x}";
    group(&mut p, weird, Tier::App, WorkloadKind::Containers);
    group(&mut p, "db", Tier::Data, WorkloadKind::Postgres);
    flow(&mut p, weird, "db", PortRange::tcp(5432), "db", "ops");
    p.rules
        .iter_mut()
        .for_each(|r| r.id = format!("{}\"#{}", r.id, "z".repeat(70)));
    p.kubernetes = Some(KubernetesScope {
        namespace: "prod".into(),
        ingress_namespace: None,
        workloads: vec![weird.into()],
        origin: loc(),
    });
    let yaml = render(&p, &opts()).unwrap();
    let by = structural_checks(&yaml, &p, None, false);
    let eg = by
        .iter()
        .find(|(k, _)| k.starts_with("allow-egress-"))
        .expect("egress policy")
        .1;
    assert_eq!(
        eg["spec"]["podSelector"]["matchLabels"]["app.kubernetes.io/name"].as_str(),
        Some(weird),
        "label value read back as given"
    );
}

fn write_tmp(stem: &str, yaml: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join(format!("{stem}.yaml"));
    std::fs::write(&f, yaml).unwrap();
    // Keep the directory alive for the caller.
    let path = f.clone();
    (dir, path)
}

#[test]
fn worked_example_passes_kubernetes_validate() {
    let p = worked_example();
    let (_d, f) = write_tmp("worked", &render(&p, &opts()).unwrap());
    let vpc: Vec<IpNet> = vec!["10.0.0.0/16".parse().unwrap(), "fd00::/56".parse().unwrap()];
    let (_d2, f2) = write_tmp(
        "vpc",
        &render(
            &p,
            &Options {
                cni_note: CNI,
                cluster_external_cidrs: Some(&vpc),
            },
        )
        .unwrap(),
    );
    validate_files(&[f, f2]);
}

#[test]
fn kubernetes_validate_catches_a_broken_manifest() {
    // The validator itself must reject what is wrong, or its passes mean nothing.
    let Some(tool) = kubernetes_validate() else {
        assert!(!in_ci(), "kubernetes-validate missing in CI");
        eprintln!("SKIP: kubernetes-validate not found");
        return;
    };
    let yaml = render(&worked_example(), &opts())
        .unwrap()
        .replace("endPort", "endport")
        .replace("port: 8080", "port: 8080\n          protocl: \"TCP\"");
    let (_d, f) = write_tmp("broken", &yaml);
    let out = std::process::Command::new(tool)
        .arg("--strict")
        .arg(&f)
        .output()
        .unwrap();
    assert!(!out.status.success(), "a misspelt field must be refused");
}

/// The structural checks must catch what they claim to catch.
mod the_checks_catch {
    use super::*;

    fn check_mutated(from: &str, to: &str) {
        let p = worked_example();
        let yaml = render(&p, &opts()).unwrap();
        assert!(yaml.contains(from), "mutation target {from:?} present");
        structural_checks(&yaml.replacen(from, to, 1), &p, None, true);
    }

    #[test]
    #[should_panic(expected = "opens everything")]
    fn an_egress_rule_without_ports_or_peers() {
        check_mutated(
            "    - ports:\n        - protocol: \"TCP\"\n          port: 5432\n",
            "    - {}\n",
        );
    }

    #[test]
    #[should_panic(expected = "every port to 0.0.0.0/0")]
    fn an_egress_rule_to_everywhere_on_every_port() {
        check_mutated(
            "    - ports:\n        - protocol: \"TCP\"\n          port: 5432\n",
            "    - to:\n        - ipBlock:\n            cidr: \"0.0.0.0/0\"\n",
        );
    }

    #[test]
    #[should_panic(expected = "AND-ed in one element")]
    fn dns_selectors_in_separate_elements() {
        check_mutated(
            "          podSelector:\n            matchLabels:\n              \"k8s-app\"",
            "        - podSelector:\n            matchLabels:\n              \"k8s-app\"",
        );
    }

    #[test]
    #[should_panic(expected = "policyTypes explicit")]
    fn a_policy_without_policy_types() {
        check_mutated(
            "  policyTypes:\n    - \"Ingress\"\n  ingress:",
            "  ingress:",
        );
    }

    #[test]
    #[should_panic(expected = "read back unchanged")]
    fn a_changed_description() {
        check_mutated("session cache", "session cache!");
    }

    #[test]
    #[should_panic(expected = "not a DNS-1123 label")]
    fn an_invalid_name() {
        check_mutated("name: \"allow-egress-ecs\"", "name: \"allow_egress_ecs\"");
    }
}
