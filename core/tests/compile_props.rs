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
use std::collections::BTreeMap;

fn cidr(c: &str, party: &str) -> Peer {
    Peer::Cidr {
        cidr: c.parse().unwrap(),
        party: party.to_string(),
    }
}

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

        // Every (side, peer, port range) of every flow has exactly one rule; a rule asked
        // for by several flows carries all their purposes.
        let mut expected: BTreeMap<(String, Direction, Peer, PortRange), Vec<usize>> = BTreeMap::new();
        for (i, f) in flows.iter().enumerate() {
            let (from, to) = (ENDS[f.from], ENDS[f.to]);
            let ranges: Vec<PortRange> = if f.ports.is_empty() {
                vec![WORKLOADS[f.to].2.default_port().unwrap()]
            } else {
                f.ports.iter().map(|p| PortRange::parse(p).unwrap()).collect()
            };
            let peers = |end: usize| -> Vec<Peer> {
                match ENDS[end] {
                    "internet" => vec![cidr("0.0.0.0/0", "internet"), cidr("::/0", "internet")],
                    "partner" => vec![cidr("198.51.100.0/24", "partner"), cidr("2001:db8::/32", "partner")],
                    w => vec![Peer::Group { id: w.to_string() }],
                }
            };
            for range in &ranges {
                if f.to < 5 {
                    for peer in peers(f.from) {
                        expected.entry((to.to_string(), Direction::Ingress, peer, *range)).or_default().push(i);
                    }
                }
                if f.from < 5 {
                    for peer in peers(f.to) {
                        expected.entry((from.to_string(), Direction::Egress, peer, *range)).or_default().push(i);
                    }
                }
                // every port of every flow is reachable
                let (proto, port) = match range.proto { Proto::Tcp | Proto::Udp => (range.proto, range.to), p => (p, 0) };
                let v = evaluate(&policy, from, to, proto, port).unwrap();
                prop_assert!(v.reachable, "{} -> {} {}: {}", from, to, range, v.explanation);
            }
        }
        for ((group, dir, peer, ports), contributors) in &expected {
            let found: Vec<_> = policy.rules.iter().filter(|r| &r.group == group && r.direction == *dir && &r.peer == peer && r.ports == *ports).collect();
            prop_assert_eq!(found.len(), 1, "{} {:?} {:?} {}", group, dir, peer, ports);
            let r = found[0];
            prop_assert_eq!(r.source.clone(), RuleSource::Flow { index: contributors[0] });
            if contributors.len() == 1 {
                let f = &flows[contributors[0]];
                let owner = f.owner.clone().unwrap_or_else(|| "platform team".to_string());
                prop_assert_eq!(
                    r.description.text(),
                    format!("{} -> {} : {} - purpose {} - {owner}", ENDS[f.from], ENDS[f.to], r.ports, contributors[0])
                );
            }
            for i in contributors {
                let want = format!("purpose {i}");
                prop_assert!(r.description.purpose.split("; ").any(|p| p == want), "{}", r.description.purpose);
            }
        }
        prop_assert_eq!(policy.rules.len(), expected.len());
    }
}
