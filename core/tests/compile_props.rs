//! Properties of the compiler over random profiles: both sides of every flow, per port
//! range; group peers inside; descriptions in the template; profile order; reachability
//! of every declared flow.

mod compile_support;

use cloudwall_core::compile::compile;
use cloudwall_core::policy::{Direction, Peer, RuleSource};
use cloudwall_core::ports::{PortRange, Proto};
use cloudwall_core::profile::{Tier, WorkloadKind};
use cloudwall_core::reach::evaluate;
use compile_support::*;
use proptest::prelude::*;

const WORKLOADS: &[(&str, Tier, WorkloadKind)] = &[
    ("lb", Tier::Public, WorkloadKind::LoadBalancer),
    ("api", Tier::App, WorkloadKind::Containers),
    ("worker", Tier::App, WorkloadKind::Vm),
    ("db", Tier::Data, WorkloadKind::Postgres),
    ("cache", Tier::Data, WorkloadKind::Redis),
];
/// Flow ends: the workloads, then `internet` and the external party `partner`.
const ENDS: &[&str] = &["lb", "api", "worker", "db", "cache", "internet", "partner"];

fn arb_port() -> impl Strategy<Value = String> {
    prop_oneof![
        (1u16..=65535).prop_map(|p| format!("{p}/tcp")),
        (1u16..=65535).prop_map(|p| format!("{p}/udp")),
        (1u16..60000, 0u16..100).prop_map(|(a, w)| format!("{a}-{}/tcp", a + w)),
        Just("icmp".to_string()),
    ]
}

#[derive(Debug, Clone)]
struct FlowSpec {
    from: usize,
    to: usize,
    ports: Vec<String>,
    owner: Option<String>,
}

fn arb_flow() -> impl Strategy<Value = FlowSpec> {
    (
        0..ENDS.len(),
        0..ENDS.len(),
        proptest::collection::vec(arb_port(), 0..3),
        proptest::option::of("[a-z]{1,8} team"),
    )
        .prop_filter("one end is a workload", |(f, t, _, _)| *f < 5 || *t < 5)
        .prop_filter(
            "implied ports need a destination kind with a default",
            |(_, t, ports, _)| !ports.is_empty() || matches!(*t, 3 | 4),
        )
        .prop_map(|(from, to, ports, owner)| FlowSpec {
            from,
            to,
            ports,
            owner,
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn every_flow_becomes_both_sides_per_port(flows in proptest::collection::vec(arb_flow(), 0..8)) {
        let mut b = B::new("prod");
        for (n, t, k) in WORKLOADS {
            b = b.workload(n, *t, *k);
        }
        b = b.external("partner", &["198.51.100.0/24", "2001:db8::/32"], Some("partner"));
        for (i, f) in flows.iter().enumerate() {
            let purpose = format!("purpose {i}");
            let ports: Vec<&str> = f.ports.iter().map(|s| s.as_str()).collect();
            b = b.flow_full(F {
                from: ENDS[f.from],
                to: ENDS[f.to],
                ports: &ports,
                purpose: Some(&purpose),
                owner: f.owner.as_deref(),
                justification: Some("test"),
            });
        }
        let policy = compile(&b.build());

        // profile order: flow indices never go back
        let idx: Vec<usize> = policy.rules.iter().map(|r| match r.source { RuleSource::Flow { index } => index, _ => usize::MAX }).collect();
        prop_assert!(idx.windows(2).all(|w| w[0] <= w[1]));

        let mut expected_rules = 0;
        for (i, f) in flows.iter().enumerate() {
            let (from, to) = (ENDS[f.from], ENDS[f.to]);
            let ranges: Vec<PortRange> = if f.ports.is_empty() {
                vec![WORKLOADS[f.to].2.default_port().unwrap()]
            } else {
                f.ports.iter().map(|p| PortRange::parse(p).unwrap()).collect()
            };
            let mine: Vec<_> = policy.rules.iter().filter(|r| r.source == RuleSource::Flow { index: i }).collect();
            let width = |end: usize| if end < 5 { 1 } else { 2 }; // groups: 1 peer; parties: 2 CIDRs
            let per_port = if f.to < 5 { width(f.from) } else { 0 } + if f.from < 5 { width(f.to) } else { 0 };
            prop_assert_eq!(mine.len(), per_port * ranges.len());
            expected_rules += mine.len();
            for r in &mine {
                prop_assert!(ranges.contains(&r.ports));
                let owner = f.owner.clone().unwrap_or_else(|| "platform team".to_string());
                prop_assert_eq!(
                    r.description.text(),
                    format!("{from} -> {to} : {} - purpose {i} - {owner}", r.ports)
                );
                let (mine_end, other) = match r.direction { Direction::Ingress => (to, f.from), Direction::Egress => (from, f.to) };
                prop_assert_eq!(&r.group, mine_end);
                match &r.peer {
                    Peer::Group { id } => prop_assert_eq!(id.as_str(), ENDS[other]),
                    Peer::Cidr { party, .. } => {
                        prop_assert!(other >= 5, "internal traffic is never a CIDR");
                        prop_assert_eq!(party.as_str(), ENDS[other]);
                    }
                }
            }
            // every port of every flow is reachable, both ends named
            for range in &ranges {
                let (proto, port) = match range.proto { Proto::Tcp | Proto::Udp => (range.proto, range.to), p => (p, 0) };
                let v = evaluate(&policy, from, to, proto, port).unwrap();
                if f.from < 5 || f.to < 5 {
                    prop_assert!(v.reachable, "{} -> {} {}: {}", from, to, range, v.explanation);
                }
            }
        }
        prop_assert_eq!(policy.rules.len(), expected_rules);
    }
}
