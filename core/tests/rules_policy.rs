//! The mandatory rules judged on a Policy alone (plugins, read-back artifacts), names,
//! and properties over random port ranges.

mod compile_support;

use cloudwall_core::compile::compile;
use cloudwall_core::diag::Anchor;
use cloudwall_core::policy::{Direction, Peer};
use cloudwall_core::ports::{PortRange, Proto, SENSITIVE_PORTS};
use cloudwall_core::profile::{Tier, WorkloadKind};
use cloudwall_core::rules::{check, check_policy};
use compile_support::*;
use proptest::prelude::*;

#[test]
fn an_internal_rule_with_a_cidr_peer_is_refused() {
    let mut p = compile(&worked_example().build());
    assert!(check_policy(&p).is_empty());
    let i = p
        .rules
        .iter()
        .position(|r| r.id == "ecs_out_to_rds_5432_tcp")
        .unwrap();
    p.rules[i].peer = Peer::Cidr {
        cidr: "10.0.2.0/24".parse().unwrap(),
        party: "rds".into(),
    };
    let d = check_policy(&p);
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0].code, "CW002");
    assert!(
        d[0].message.contains("workload `rds`") && d[0].message.contains("10.0.2.0/24"),
        "{}",
        d[0].message
    );
    assert_eq!(
        d[0].labels[0].anchor,
        Anchor::Location(p.rules[i].origin.clone())
    );

    // an undeclared party, and an `internet` peer that is not the whole internet
    p.rules[i].peer = Peer::Cidr {
        cidr: "192.0.2.0/24".parse().unwrap(),
        party: "onprem".into(),
    };
    assert_eq!(
        check_policy(&p).iter().map(|d| d.code).collect::<Vec<_>>(),
        vec!["CW002"]
    );
    p.rules[i].peer = Peer::Cidr {
        cidr: "192.0.2.0/24".parse().unwrap(),
        party: "internet".into(),
    };
    assert_eq!(
        check_policy(&p).iter().map(|d| d.code).collect::<Vec<_>>(),
        vec!["CW002"]
    );
}

#[test]
fn a_bad_env_is_reported_once() {
    use Tier::*;
    use WorkloadKind::*;
    let prof = B::new("Prod_1")
        .workload("alb", Public, LoadBalancer)
        .workload("ecs", App, Containers)
        .flow("alb", "ecs", &["8080/tcp"], "fwd")
        .build();
    let p = compile(&prof);
    let d = check(&prof, &p);
    assert_eq!(
        d.iter().map(|d| d.code).collect::<Vec<_>>(),
        vec!["CW006"],
        "{d:?}"
    );
    assert!(d[0].message.contains("env `Prod_1`"));
    let loc = d[0].location(&prof.sources).unwrap();
    let line = prof
        .sources
        .file(cloudwall_core::source::FileId(0))
        .text
        .lines()
        .nth(loc.line - 1)
        .unwrap();
    assert_eq!(line, "env = \"Prod_1\"");
}

#[test]
fn group_names_stay_within_every_provider_limit() {
    use Tier::*;
    use WorkloadKind::*;
    // "production-app-" is 15 characters: a 44-character role makes 59 (accepted), 45 makes 60.
    let ok = "a".repeat(44);
    let long = "b".repeat(45);
    let prof = B::new("production")
        .workload(&ok, App, Vm)
        .workload(&long, App, Vm)
        .build();
    let p = compile(&prof);
    let d = check(&prof, &p);
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0].code, "CW006");
    assert!(
        d[0].message.contains(&long) && d[0].message.contains("60 characters"),
        "{}",
        d[0].message
    );
}

#[test]
fn generator_mentions_anywhere_in_the_policy_are_refused() {
    let mut p = compile(&worked_example().build());
    p.groups[0].summary = "load balancer, auto-generated".into();
    p.fqdn_egress.clear();
    p.deny.push(cloudwall_core::policy::DenyEntry {
        cidrs: vec!["198.51.100.0/24".parse().unwrap()],
        purpose: "blocklist from cloudwall feed".into(),
        origin: Default::default(),
    });
    let d = check_policy(&p);
    assert_eq!(
        d.iter().map(|d| d.code).collect::<Vec<_>>(),
        vec!["CW006", "CW006"],
        "{d:?}"
    );
}

#[test]
fn endpoint_rules_are_clean_and_internal() {
    let p = compile(&worked_example().build());
    for r in p.rules.iter().filter(|r| {
        r.group == "endpoints" || matches!(&r.peer, Peer::Group { id } if id == "endpoints")
    }) {
        assert!(matches!(r.peer, Peer::Group { .. }));
        assert_eq!(r.ports, PortRange::tcp(443));
    }
    assert!(check_policy(&p).is_empty());
}

fn arb_range() -> impl Strategy<Value = PortRange> {
    prop_oneof![
        (1u16..=65535).prop_map(PortRange::tcp),
        (1u16..=65535).prop_map(|p| PortRange::single(Proto::Udp, p)),
        (1u16..=65535, 0u16..3000).prop_map(|(a, w)| PortRange {
            proto: Proto::Tcp,
            from: a,
            to: a.saturating_add(w)
        }),
        prop::sample::select(SENSITIVE_PORTS.iter().map(|p| p.0).collect::<Vec<_>>())
            .prop_map(PortRange::tcp),
        Just(PortRange::ALL),
        Just(PortRange::ICMP),
    ]
}

proptest! {
    /// When check_policy finds no CW001, no rule with an internet peer admits a sensitive
    /// port; when it finds no CW004, none admits SSH or RDP.
    #[test]
    fn no_cw001_means_no_sensitive_port_open_to_the_internet(
        ranges in proptest::collection::vec(arb_range(), 1..5),
        to_lb in any::<bool>(),
        v6_party in any::<bool>(),
    ) {
        use Tier::*;
        use WorkloadKind::*;
        let strings: Vec<String> = ranges.iter().map(|r| r.to_string()).collect();
        let refs: Vec<&str> = strings.iter().map(|s| s.as_str()).collect();
        let from = if v6_party { "any6" } else { "internet" };
        let to = if to_lb { "alb" } else { "ecs" };
        let prof = B::new("prod")
            .workload("alb", Public, LoadBalancer)
            .workload("ecs", App, Containers)
            .external("any6", &["::/0"], Some("IPv6 clients"))
            .flow_full(F { from, to, ports: &refs, purpose: Some("clients"), justification: Some("direct"), ..F::default() })
            .build();
        let policy = compile(&prof);
        let diags = check_policy(&policy);
        let has = |code: &str| diags.iter().any(|d| d.code == code);
        let exposed = |ports: &[u16]| policy.rules.iter().any(|r| {
            r.direction == Direction::Ingress && r.peer.is_internet()
                && ports.iter().any(|p| r.ports.admits(Proto::Tcp, *p) || r.ports.admits(Proto::Udp, *p))
        });
        let sensitive: Vec<u16> = SENSITIVE_PORTS.iter().map(|p| p.0).collect();
        prop_assert_eq!(has("CW001"), exposed(&sensitive));
        prop_assert_eq!(has("CW004"), exposed(&[22, 3389]));
        // the profile-anchored check agrees
        let codes = |v: &[cloudwall_core::Diagnostic]| {
            let mut c: Vec<&str> = v.iter().map(|d| d.code).collect();
            c.sort();
            c.dedup();
            c
        };
        prop_assert_eq!(codes(&check(&prof, &policy)), codes(&diags));
        for d in &diags {
            prop_assert!(d.is_error());
        }
    }
}

#[test]
fn a_party_range_inside_a_workload_address_is_internal_traffic() {
    let mut p = compile(
        &worked_example()
            .external("office", &["192.0.2.10/32"], Some("office gateway"))
            .flow("office", "ecs", &["8443/tcp"], "ops console")
            .build(),
    );
    assert!(check_policy(&p).is_empty());
    // the same address is the on-prem host of rds: office is rds spelled as a CIDR
    p.hosts
        .insert("rds".into(), vec!["192.0.2.0/28".parse().unwrap()]);
    let d = check_policy(&p);
    assert_eq!(
        d.iter().map(|d| d.code).collect::<Vec<_>>(),
        vec!["CW002"],
        "{d:?}"
    );
    assert!(d[0].message.contains("workload `rds`"), "{}", d[0].message);
}
