//! Rule ids (stable under reordering, unique, `[a-z0-9_]`), external parties, FQDN egress.

mod compile_support;

use cloudwall_core::compile::compile;
use cloudwall_core::policy::{Direction, Peer, RuleSource};
use cloudwall_core::ports::PortRange;
use cloudwall_core::profile::{Tier, WorkloadKind};
use compile_support::*;
use proptest::prelude::*;
use std::collections::BTreeSet;

fn base() -> B {
    use Tier::*;
    use WorkloadKind::*;
    B::new("prod")
        .workload("alb", Public, LoadBalancer)
        .workload("ecs", App, Containers)
        .workload("rds", Data, Postgres)
        .workload("api", App, Vm)
}

#[test]
fn external_party_rules_and_ranges() {
    let p = compile(
        &base()
            .external(
                "partner",
                &["198.51.100.0/24", "2001:db8::/32"],
                Some("partner integration"),
            )
            .flow("partner", "api", &["8000-8100/tcp"], "partner batch upload")
            .flow("api", "partner", &["443/tcp"], "callbacks")
            .build(),
    );
    let ids: Vec<&str> = p.rules.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(
        ids,
        vec![
            "api_in_from_partner_198_51_100_0_24_8000_8100_tcp",
            "api_in_from_partner_2001_db8_32_8000_8100_tcp",
            "api_out_to_partner_198_51_100_0_24_443_tcp",
            "api_out_to_partner_2001_db8_32_443_tcp",
        ]
    );
    assert_eq!(
        p.rules[0].peer,
        Peer::Cidr {
            cidr: "198.51.100.0/24".parse().unwrap(),
            party: "partner".into()
        }
    );
    assert_eq!(p.rules[0].ports, PortRange::parse("8000-8100/tcp").unwrap());
    assert_eq!(
        p.rules[0].description.text(),
        "partner -> api : 8000-8100/tcp - partner batch upload - platform team"
    );
    assert_eq!(
        p.externals
            .iter()
            .map(|e| e.name.as_str())
            .collect::<Vec<_>>(),
        vec!["internet", "partner"]
    );
}

#[test]
fn internal_traffic_is_always_a_group_peer() {
    let p = compile(
        &base()
            .flow("ecs", "rds", &[], "db")
            .flow("alb", "ecs", &["8080/tcp", "9090/tcp"], "fwd")
            .build(),
    );
    assert_eq!(p.rules.len(), 6);
    assert!(p.rules.iter().all(|r| matches!(r.peer, Peer::Group { .. })));
    // one rule per port range per side
    assert_eq!(
        p.rules
            .iter()
            .filter(|r| r.group == "ecs" && r.direction == Direction::Ingress)
            .count(),
        2
    );
}

#[test]
fn duplicate_rules_are_merged_not_repeated() {
    let p = compile(
        &base()
            .flow("alb", "ecs", &["8080/tcp"], "one")
            .flow_full(F {
                from: "alb",
                to: "ecs",
                ports: &["8080/tcp", "9090/tcp"],
                purpose: Some("two"),
                owner: Some("web team"),
                ..F::default()
            })
            .flow("alb", "ecs", &["8080/tcp"], "one")
            .build(),
    );
    let ids: Vec<&str> = p.rules.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(
        ids,
        vec![
            "ecs_in_from_alb_8080_tcp",
            "alb_out_to_ecs_8080_tcp",
            "ecs_in_from_alb_9090_tcp",
            "alb_out_to_ecs_9090_tcp"
        ]
    );
    assert_eq!(
        p.rules[0].description.text(),
        "alb -> ecs : 8080/tcp - one; two - platform team, web team"
    );
    assert_eq!(p.rules[0].source, RuleSource::Flow { index: 0 });

    // the same address from two parties: one rule (a filter would refuse the second)
    let p = compile(
        &base()
            .external("anyone", &["0.0.0.0/0"], Some("everyone"))
            .flow("internet", "alb", &["443/tcp"], "site")
            .flow("anyone", "alb", &["443/tcp"], "site again")
            .build(),
    );
    let ids: Vec<&str> = p.rules.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(
        ids,
        vec![
            "alb_in_from_internet_v4_443_tcp",
            "alb_in_from_internet_v6_443_tcp"
        ]
    );
    assert_eq!(p.rules[0].description.purpose, "site; site again");
}

#[test]
fn ids_get_numbered_only_on_a_real_collision() {
    use Tier::*;
    use WorkloadKind::*;
    // workload `b-1-2-3-4-32` and party `b` at 1.2.3.4/32 sanitise to the same token
    let p = compile(
        &B::new("prod")
            .workload("a", App, Vm)
            .workload("b-1-2-3-4-32", App, Vm)
            .external("b", &["1.2.3.4/32"], Some("office"))
            .flow("b-1-2-3-4-32", "a", &["443/tcp"], "internal")
            .flow("b", "a", &["443/tcp"], "office")
            .build(),
    );
    let ids: Vec<&str> = p.rules.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(
        ids,
        vec![
            "a_in_from_b_1_2_3_4_32_443_tcp",
            "b_1_2_3_4_32_out_to_a_443_tcp",
            "a_in_from_b_1_2_3_4_32_443_tcp_2"
        ]
    );
}

#[test]
fn names_that_are_not_identifiers_are_sanitised() {
    use Tier::*;
    use WorkloadKind::*;
    let p = compile(
        &B::new("prod")
            .workload("9-web", Public, LoadBalancer)
            .workload("order-svc", App, Containers)
            .flow("9-web", "order-svc", &["8080/tcp"], "fwd")
            .flow("order-svc", "order-svc", &["icmp"], "self ping")
            .build(),
    );
    let ids: Vec<&str> = p.rules.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(
        ids,
        vec![
            "order_svc_in_from_9_web_8080_tcp",
            "r_9_web_out_to_order_svc_8080_tcp",
            "order_svc_in_from_order_svc_icmp",
            "order_svc_out_to_order_svc_icmp"
        ]
    );
}

#[test]
fn fqdn_egress_is_deduplicated_and_sorted() {
    let p = compile(
        &base()
            .egress(
                "ecs",
                &[],
                &[
                    "api.stripe.com",
                    ".stripe.com",
                    "hooks.stripe.com",
                    "stripe.com",
                    "pypi.org",
                    "pypi.org",
                    "files.pythonhosted.org",
                ],
                &["443/tcp"],
                Some("payments and packages"),
            )
            .build(),
    );
    assert!(p.rules.is_empty(), "FQDN egress makes no CIDR rule");
    assert_eq!(p.fqdn_egress.len(), 1);
    let f = &p.fqdn_egress[0];
    assert_eq!(f.group, "ecs");
    assert_eq!(
        f.fqdns,
        vec![".stripe.com", "files.pythonhosted.org", "pypi.org"]
    );
    assert_eq!(f.ports, vec![PortRange::tcp(443)]);
    assert_eq!(f.description.purpose, "payments and packages");
    assert_eq!(f.description.owner, "platform team");
}

#[test]
fn cidr_egress_makes_one_rule_per_cidr_and_port() {
    let p = compile(
        &base()
            .egress(
                "ecs",
                &["13.55.0.0/16", "2600:1f18::/32"],
                &[],
                &["443/tcp", "8443/tcp"],
                Some("partner api"),
            )
            .build(),
    );
    let ids: Vec<&str> = p.rules.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(
        ids,
        vec![
            "ecs_out_to_13_55_0_0_16_443_tcp",
            "ecs_out_to_13_55_0_0_16_8443_tcp",
            "ecs_out_to_2600_1f18_32_443_tcp",
            "ecs_out_to_2600_1f18_32_8443_tcp"
        ]
    );
    assert!(p
        .rules
        .iter()
        .all(|r| r.direction == Direction::Egress && r.group == "ecs"));
}

/// The flows of a small profile, as (from, to, port, purpose).
const FLOWS: &[(&str, &str, &str, &str)] = &[
    ("internet", "alb", "443/tcp", "site"),
    ("alb", "ecs", "8080/tcp", "forward"),
    ("ecs", "rds", "5432/tcp", "db"),
    ("ecs", "api", "9000-9100/tcp", "internal api"),
    ("api", "rds", "5432/tcp", "reporting"),
    ("partner", "api", "8443/tcp", "partner"),
    ("api", "partner", "443/tcp", "callbacks"),
];

fn profile_with(order: &[usize]) -> cloudwall_core::Profile {
    let mut b = base().external("partner", &["198.51.100.0/24"], Some("partner"));
    for &i in order {
        let (f, t, port, purpose) = FLOWS[i];
        b = b.flow(f, t, &[port], purpose);
    }
    b.endpoints(&["secrets"]).build()
}

proptest! {
    /// Reordering flows renames nothing: each rule keeps its id.
    #[test]
    fn rule_ids_do_not_depend_on_flow_order(order in Just((0..FLOWS.len()).collect::<Vec<_>>()).prop_shuffle()) {
        let natural = compile(&profile_with(&(0..FLOWS.len()).collect::<Vec<_>>()));
        let shuffled = compile(&profile_with(&order));
        let key = |r: &cloudwall_core::policy::Rule| (r.group.clone(), r.direction, r.peer.clone(), r.ports, r.description.purpose.clone());
        let a: BTreeSet<_> = natural.rules.iter().map(|r| (key(r), r.id.clone())).collect();
        let b: BTreeSet<_> = shuffled.rules.iter().map(|r| (key(r), r.id.clone())).collect();
        prop_assert_eq!(a, b);
        prop_assert_eq!(&natural.groups, &shuffled.groups);
    }

    /// Ids are unique, `[a-z0-9_]`, and start with a letter, whatever the names.
    #[test]
    fn rule_ids_are_unique_identifiers(
        names in proptest::collection::vec("[a-z0-9][a-z0-9-]{0,10}", 2..5),
        ports in proptest::collection::vec(1u16..65535, 1..4),
    ) {
        let mut names = names;
        names.sort();
        names.dedup();
        prop_assume!(names.len() >= 2 && !names.iter().any(|n| n == "internet" || n == "endpoints"));
        let mut b = B::new("dev");
        for n in &names {
            b = b.workload(n, Tier::App, WorkloadKind::Vm);
        }
        let port_strings: Vec<String> = ports.iter().map(|p| format!("{p}/tcp")).collect();
        let port_refs: Vec<&str> = port_strings.iter().map(|s| s.as_str()).collect();
        for a in &names {
            for c in &names {
                b = b.flow(a, c, &port_refs, "p");
            }
        }
        b = b.flow("internet", &names[0], &port_refs, "p").endpoints(&["logs"]);
        let p = compile(&b.build());
        let mut seen = BTreeSet::new();
        for r in &p.rules {
            prop_assert!(r.id.bytes().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_'), "{}", r.id);
            prop_assert!(r.id.starts_with(|c: char| c.is_ascii_lowercase()), "{}", r.id);
            prop_assert!(seen.insert(r.id.clone()), "duplicate {}", r.id);
        }
    }
}
