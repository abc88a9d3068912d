//! Property tests over random Policies: the output always parses as YAML, passes the
//! structural checks (explicit policyTypes, valid names, descriptions read back, nothing
//! wide open), is deterministic, and a sample passes the real `kubernetes-validate`.

mod common;

use cloudwall_core::policy::{Direction, FqdnEgress, KubernetesScope, Peer, Policy};
use cloudwall_core::ports::{PortRange, Proto};
use cloudwall_core::profile::{Tier, WorkloadKind};
use cloudwall_kubernetes::{render, Options};
use common::*;
use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestRunner};

fn name() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9-]{0,14}[a-z0-9]"
}

fn ports() -> impl Strategy<Value = PortRange> {
    prop_oneof![
        (1u16..=65535).prop_map(PortRange::tcp),
        (1u16..=65535).prop_map(|p| PortRange::single(Proto::Udp, p)),
        (1u16..=65000, 1u16..=535).prop_map(|(a, n)| PortRange {
            proto: Proto::Tcp,
            from: a,
            to: a + n
        }),
        Just(PortRange::ICMP),
        Just(PortRange::ALL),
    ]
}

fn cidr() -> impl Strategy<Value = IpNet> {
    prop_oneof![
        (any::<u32>(), 0u8..=32).prop_map(|(a, l)| IpNet::V4(Ipv4Net::new(a.into(), l).unwrap())),
        (any::<u128>(), 0u8..=128).prop_map(|(a, l)| IpNet::V6(Ipv6Net::new(a.into(), l).unwrap())),
        Just("0.0.0.0/0".parse().unwrap()),
    ]
}

/// Free text: arbitrary Unicode, or one of the YAML-significant shapes.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[\"':#{}\\[\\],&*!|>%@`\\\\ -]{0,12}",
        Just("yes".to_string()),
        Just("null".to_string()),
        Just("- a: b".to_string()),
    ]
}

#[derive(Debug, Clone)]
enum RPeer {
    Group(usize),
    Cidr(IpNet, String),
}

#[derive(Debug, Clone)]
struct Case {
    policy: Policy,
    note: String,
    external: Option<Vec<IpNet>>,
}

fn case() -> impl Strategy<Value = Case> {
    let groups = prop::collection::btree_set(name(), 1..6);
    let tiers = prop::collection::vec(
        prop_oneof![
            Just(Tier::Public),
            Just(Tier::App),
            Just(Tier::Data),
            Just(Tier::Mgmt)
        ],
        6,
    );
    let rules = prop::collection::vec(
        (
            0usize..6,
            any::<bool>(),
            prop_oneof![
                (0usize..6).prop_map(RPeer::Group),
                (cidr(), text()).prop_map(|(c, t)| RPeer::Cidr(c, t))
            ],
            ports(),
            text(),
            text(),
        ),
        0..14,
    );
    let fqdns = prop::collection::vec(
        (0usize..6, prop::collection::vec(ports(), 1..3), text()),
        0..3,
    );
    let scope = (
        name(),
        prop::option::of(name()),
        prop::collection::vec(0usize..6, 0..5),
    );
    let external = prop::option::of(prop::collection::vec(cidr(), 0..3));
    (groups, tiers, rules, fqdns, scope, text(), external).prop_map(
        |(groups, tiers, rules, fqdns, scope, note, external)| {
            let ids: Vec<String> = groups.into_iter().collect();
            let mut p = empty_policy("app", "prod");
            for (i, id) in ids.iter().enumerate() {
                group(&mut p, id, tiers[i], WorkloadKind::Containers);
            }
            let g = |i: usize| ids[i % ids.len()].clone();
            for (n, (gi, ingress, peer, ports, purpose, owner)) in rules.into_iter().enumerate() {
                let dir = if ingress {
                    Direction::Ingress
                } else {
                    Direction::Egress
                };
                let (peer, other) = match peer {
                    RPeer::Group(j) => (Peer::Group { id: g(j) }, g(j)),
                    RPeer::Cidr(c, party) => (
                        Peer::Cidr {
                            cidr: c,
                            party: party.clone(),
                        },
                        party,
                    ),
                };
                let id = format!("r{n}_{}_{}", g(gi).replace('-', "_"), token(ports));
                p.rules.push(rule(
                    &id,
                    &g(gi),
                    dir,
                    peer,
                    ports,
                    desc(&g(gi), &other, ports, &purpose, &owner),
                ));
            }
            for (gi, ports, purpose) in fqdns {
                p.fqdn_egress.push(FqdnEgress {
                    group: g(gi),
                    fqdns: vec![".example.com".into()],
                    ports: ports.clone(),
                    description: desc(&g(gi), ".example.com", ports[0], &purpose, "team"),
                    origin: loc(),
                });
            }
            let (namespace, ingress_namespace, ws) = scope;
            p.kubernetes = Some(KubernetesScope {
                namespace,
                ingress_namespace,
                workloads: ws.into_iter().map(g).collect(),
                origin: loc(),
            });
            Case {
                policy: p,
                note,
                external,
            }
        },
    )
}

proptest! {
    #![proptest_config(Config { cases: 256, ..Config::default() })]

    #[test]
    fn every_random_policy_renders_valid_structured_yaml(c in case()) {
        let opts = Options { cni_note: &c.note, cluster_external_cidrs: c.external.as_deref() };
        let yaml = render(&c.policy, &opts).expect("a scope gives a file");
        structural_checks(&yaml, &c.policy, c.external.as_deref(), true);
        prop_assert_eq!(Some(yaml), render(&c.policy, &opts));
    }
}

#[test]
fn random_policies_pass_kubernetes_validate() {
    let dir = tempfile::tempdir().unwrap();
    let mut runner = TestRunner::deterministic();
    let mut files = Vec::new();
    for i in 0..24 {
        let c = case().new_tree(&mut runner).unwrap().current();
        let opts = Options {
            cni_note: &c.note,
            cluster_external_cidrs: c.external.as_deref(),
        };
        let f = dir.path().join(format!("random-{i}.yaml"));
        std::fs::write(&f, render(&c.policy, &opts).unwrap()).unwrap();
        files.push(f);
    }
    for f in &files {
        let yaml = std::fs::read_to_string(f).unwrap();
        if let Some(py) = pyyaml_docs(f) {
            assert_eq!(
                py,
                norway_docs_json(&yaml),
                "two YAML readers agree on {}",
                f.display()
            );
        }
    }
    validate_files(&files);
}

/// A random profile as TOML text, with a `[kubernetes]` section: names, tiers, kinds,
/// flows (some to the internet and external parties), CIDR and host-name egress, and
/// hostile purposes and owners.
fn profile_text() -> impl Strategy<Value = String> {
    let kinds = prop_oneof![
        Just("containers"),
        Just("vm"),
        Just("kubernetes"),
        Just("load-balancer"),
        Just("postgres"),
        Just("redis")
    ];
    let tiers = prop_oneof![Just("public"), Just("app"), Just("data")];
    let workloads = prop::collection::btree_map(name(), (tiers, kinds), 2..6);
    let port = prop_oneof![
        (1u16..=65535).prop_map(|p| format!("{p}/tcp")),
        (1u16..=65535).prop_map(|p| format!("{p}/udp")),
        (1u16..=60000, 1u16..=500).prop_map(|(a, n)| format!("{a}-{}/tcp", a + n)),
        Just("icmp".to_string()),
        Just("all".to_string()),
    ];
    let flows = prop::collection::vec(
        (
            0usize..8,
            0usize..8,
            prop::collection::vec(port.clone(), 1..3),
            "\\PC{0,20}",
            "\\PC{0,12}",
        ),
        0..8,
    );
    let egress = prop::collection::vec(
        (
            0usize..8,
            any::<bool>(),
            prop::collection::vec(port, 1..2),
            "\\PC{1,20}",
        ),
        0..3,
    );
    let k8s = (
        prop::collection::vec(0usize..8, 1..3),
        prop::option::of(name()),
    );
    (workloads, flows, egress, k8s).prop_map(|(workloads, flows, egress, (kw, ingress_ns))| {
        let q = |s: &str| serde_json::to_string(s).unwrap();
        let names: Vec<&String> = workloads.keys().collect();
        let mut t = String::from("[deployment]\nname = \"shop\"\nenv = \"prod\"\n\n");
        for (n, (tier, kind)) in &workloads {
            t += &format!("[[workload]]\nname = {}\ntier = \"{tier}\"\nkind = \"{kind}\"\n\n", q(n));
        }
        t += "[[external]]\nname = \"partner\"\ncidrs = [\"198.51.100.0/24\", \"2001:db8::/32\"]\npurpose = \"partner network\"\n\n";
        let end = |i: usize| -> String {
            match i {
                i if i < names.len() => names[i].clone(),
                i if i % 2 == 0 => "internet".into(),
                _ => "partner".into(),
            }
        };
        for (a, b, ports, purpose, owner) in flows {
            let ports: Vec<String> = ports.iter().map(|p| q(p)).collect();
            t += &format!(
                "[[flow]]\nfrom = {}\nto = {}\nports = [{}]\npurpose = {}\nowner = {}\njustification = \"exposed on purpose\"\n\n",
                q(&end(a)), q(names[b % names.len()]), ports.join(", "), q(&purpose), q(&owner)
            );
        }
        for (a, fqdn, ports, purpose) in egress {
            let ports: Vec<String> = ports.iter().map(|p| q(p)).collect();
            let dest = if fqdn { "fqdns = [\".example.com\"]" } else { "cidrs = [\"203.0.113.0/24\"]" };
            t += &format!(
                "[[egress]]\nfrom = {}\n{dest}\nports = [{}]\npurpose = {}\n\n",
                q(names[a % names.len()]), ports.join(", "), q(&purpose)
            );
        }
        let kw: Vec<String> = kw.iter().map(|i| q(names[i % names.len()])).collect();
        t += &format!("[kubernetes]\nnamespace = \"shop\"\nworkloads = [{}]\n", kw.join(", "));
        if let Some(ns) = ingress_ns {
            t += &format!("ingress_namespace = {}\n", q(&ns));
        }
        t
    })
}

proptest! {
    #![proptest_config(Config { cases: 96, ..Config::default() })]

    #[test]
    fn random_profiles_through_the_real_parser_and_compiler(text in profile_text()) {
        let profile = cloudwall_core::profile::parse_str(std::path::Path::new("random.toml"), &text);
        // Profiles the validator refuses never reach a provider.
        prop_assume!(profile.is_ok());
        let policy = cloudwall_core::compile::compile(&profile.unwrap());
        let opts = Options { cni_note: "note", cluster_external_cidrs: None };
        let yaml = render(&policy, &opts).expect("a [kubernetes] section gives a file");
        structural_checks(&yaml, &policy, None, true);
    }
}
