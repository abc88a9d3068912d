//! The reachability evaluator: allowed and denied paths, explanations, outside parties,
//! literal addresses, the matrix.

mod compile_support;

use cloudwall_core::compile::compile;
use cloudwall_core::policy::{Direction, Peer, Policy};
use cloudwall_core::ports::Proto;
use cloudwall_core::profile::{Tier, WorkloadKind};
use cloudwall_core::reach::{evaluate, matrix, ReachError};
use compile_support::*;
use proptest::prelude::*;

fn example() -> Policy {
    compile(
        &worked_example()
            .external(
                "partner",
                &["198.51.100.0/24", "2001:db8::/32"],
                Some("partner integration"),
            )
            .flow("partner", "ecs", &["8443/tcp"], "partner api")
            .build(),
    )
}

#[test]
fn group_to_group_needs_both_sides() {
    let p = example();
    let v = evaluate(&p, "ecs", "rds", Proto::Tcp, 5432).unwrap();
    assert!(v.reachable);
    assert_eq!(
        v.rules,
        vec!["ecs_out_to_rds_5432_tcp", "rds_in_from_ecs_5432_tcp"]
    );
    assert!(
        v.explanation.contains(
            "allowed by ecs_out_to_rds_5432_tcp (egress of prod-app-ecs) and rds_in_from_ecs_5432_tcp (ingress of prod-data-rds)"
        ),
        "{}",
        v.explanation
    );

    let v = evaluate(&p, "ecs", "rds", Proto::Tcp, 22).unwrap();
    assert!(!v.reachable);
    assert!(v.rules.is_empty());
    assert!(
        v.explanation
            .contains("prod-data-rds has no ingress rule from ecs on 22/tcp"),
        "{}",
        v.explanation
    );
    assert!(
        v.explanation
            .contains("prod-app-ecs has no egress rule to rds on 22/tcp"),
        "{}",
        v.explanation
    );

    // flows are one-way: rds does not reach ecs
    assert!(
        !evaluate(&p, "rds", "ecs", Proto::Tcp, 5432)
            .unwrap()
            .reachable
    );
    // the right port over the wrong protocol
    assert!(
        !evaluate(&p, "ecs", "rds", Proto::Udp, 5432)
            .unwrap()
            .reachable
    );
    // the endpoint group
    assert!(
        evaluate(&p, "ecs", "endpoints", Proto::Tcp, 443)
            .unwrap()
            .reachable
    );
    assert!(
        !evaluate(&p, "rds", "endpoints", Proto::Tcp, 443)
            .unwrap()
            .reachable
    );
}

#[test]
fn one_sided_rules_are_not_enough() {
    let mut p = example();
    p.rules.retain(|r| r.id != "rds_in_from_ecs_5432_tcp");
    let v = evaluate(&p, "ecs", "rds", Proto::Tcp, 5432).unwrap();
    assert!(!v.reachable);
    assert_eq!(v.rules, vec!["ecs_out_to_rds_5432_tcp"]);
    assert!(
        v.explanation
            .contains("prod-data-rds has no ingress rule from ecs on 5432/tcp"),
        "{}",
        v.explanation
    );
    assert!(
        !v.explanation.contains("has no egress rule"),
        "{}",
        v.explanation
    );
}

#[test]
fn internet_and_parties() {
    let p = example();
    let v = evaluate(&p, "internet", "alb", Proto::Tcp, 443).unwrap();
    assert!(v.reachable);
    assert_eq!(
        v.rules,
        vec![
            "alb_in_from_internet_v4_443_tcp",
            "alb_in_from_internet_v6_443_tcp"
        ]
    );
    assert!(
        !evaluate(&p, "internet", "ecs", Proto::Tcp, 8080)
            .unwrap()
            .reachable
    );
    let v = evaluate(&p, "internet", "rds", Proto::Tcp, 5432).unwrap();
    assert!(!v.reachable);
    assert!(
        v.explanation
            .contains("prod-data-rds has no ingress rule from internet on 5432/tcp"),
        "{}",
        v.explanation
    );

    // a party reaches through its ranges; the internet is not the partner
    let v = evaluate(&p, "partner", "ecs", Proto::Tcp, 8443).unwrap();
    assert!(v.reachable);
    assert_eq!(v.rules.len(), 2);
    assert!(
        !evaluate(&p, "internet", "ecs", Proto::Tcp, 8443)
            .unwrap()
            .reachable
    );

    // egress to a CIDR: containment
    assert!(
        evaluate(&p, "ecs", "13.55.7.9", Proto::Tcp, 443)
            .unwrap()
            .reachable
    );
    assert!(
        evaluate(&p, "ecs", "13.55.128.0/17", Proto::Tcp, 443)
            .unwrap()
            .reachable
    );
    assert!(
        !evaluate(&p, "ecs", "13.0.0.0/8", Proto::Tcp, 443)
            .unwrap()
            .reachable
    );
    assert!(
        !evaluate(&p, "ecs", "13.56.0.1", Proto::Tcp, 443)
            .unwrap()
            .reachable
    );
    let v = evaluate(&p, "ecs", "internet", Proto::Tcp, 443).unwrap();
    assert!(!v.reachable, "a /16 egress rule does not open the internet");
    assert!(
        v.explanation
            .contains("prod-app-ecs has no egress rule to internet on 443/tcp"),
        "{}",
        v.explanation
    );

    // outside to outside never crosses the policy
    assert!(
        !evaluate(&p, "internet", "partner", Proto::Tcp, 443)
            .unwrap()
            .reachable
    );
}

#[test]
fn literal_addresses() {
    let p = example();
    let v = evaluate(&p, "203.0.113.7", "alb", Proto::Tcp, 443).unwrap();
    assert!(v.reachable);
    assert_eq!(v.rules, vec!["alb_in_from_internet_v4_443_tcp"]);
    assert!(
        evaluate(&p, "2001:db8::1", "alb", Proto::Tcp, 80)
            .unwrap()
            .reachable
    );
    assert!(
        evaluate(&p, "198.51.100.20", "ecs", Proto::Tcp, 8443)
            .unwrap()
            .reachable
    );
    assert!(
        evaluate(&p, "2001:db8:ffff::1", "ecs", Proto::Tcp, 8443)
            .unwrap()
            .reachable
    );
    assert!(
        !evaluate(&p, "198.51.101.20", "ecs", Proto::Tcp, 8443)
            .unwrap()
            .reachable
    );
    assert!(
        !evaluate(&p, "203.0.113.7", "rds", Proto::Tcp, 5432)
            .unwrap()
            .reachable
    );
}

#[test]
fn unknown_endpoints_are_errors_that_list_the_known_ones() {
    let p = example();
    let e = evaluate(&p, "ecz", "rds", Proto::Tcp, 5432).unwrap_err();
    let ReachError::UnknownEndpoint { name, known } = &e;
    assert_eq!(name, "ecz");
    assert!(
        known.contains("`ecs`") && known.contains("`internet`") && known.contains("`partner`"),
        "{known}"
    );
    assert!(e.to_string().contains("unknown endpoint `ecz`"));
}

#[test]
fn matrix_covers_every_pair_and_port() {
    let p = example();
    let ports = [(Proto::Tcp, 443), (Proto::Tcp, 5432), (Proto::Tcp, 8080)];
    let m = matrix(&p, &ports);
    let ends = p.groups.len() + p.externals.len(); // 5 groups + internet + partner
    assert_eq!(ends, 7);
    assert_eq!(m.len(), ends * ends * ports.len());
    let allowed: Vec<(&str, &str, u16)> = m
        .iter()
        .filter(|e| e.4)
        .map(|(a, b, _, port, _)| (a.as_str(), b.as_str(), *port))
        .collect();
    assert_eq!(
        allowed,
        vec![
            ("alb", "ecs", 8080),
            ("ecs", "endpoints", 443),
            ("ecs", "rds", 5432),
            ("internet", "alb", 443),
            // the partner's addresses are internet addresses: the /0 rules admit them
            ("partner", "alb", 443),
        ]
    );
    // every entry agrees with evaluate
    for (a, b, proto, port, ok) in &m {
        assert_eq!(evaluate(&p, a, b, *proto, *port).unwrap().reachable, *ok);
    }
}

proptest! {
    /// A group-to-group verdict is "reachable" exactly when the two rules it names exist,
    /// belong to the right groups and sides, and admit the port.
    #[test]
    fn verdicts_are_backed_by_the_rules_they_name(
        flows in proptest::collection::vec((0usize..4, 0usize..4, 1u16..200), 0..10),
        q in (0usize..4, 0usize..4, 1u16..200),
    ) {
        let names = ["a", "b", "c", "d"];
        let mut bld = B::new("dev");
        for n in names {
            bld = bld.workload(n, Tier::App, WorkloadKind::Vm);
        }
        for (f, t, port) in &flows {
            bld = bld.flow(names[*f], names[*t], &[&format!("{port}/tcp")], "p");
        }
        let p = compile(&bld.build());
        let (f, t, port) = q;
        let v = evaluate(&p, names[f], names[t], Proto::Tcp, port).unwrap();
        let declared = flows.iter().any(|(a, b, pp)| *a == f && *b == t && *pp == port);
        prop_assert_eq!(v.reachable, declared);
        if v.reachable {
            prop_assert_eq!(v.rules.len(), 2);
            let out = p.rules.iter().find(|r| r.id == v.rules[0]).unwrap();
            let inn = p.rules.iter().find(|r| r.id == v.rules[1]).unwrap();
            prop_assert_eq!(out.direction, Direction::Egress);
            prop_assert_eq!(&out.group, names[f]);
            prop_assert_eq!(&out.peer, &Peer::Group { id: names[t].to_string() });
            prop_assert_eq!(inn.direction, Direction::Ingress);
            prop_assert_eq!(&inn.group, names[t]);
            prop_assert!(out.ports.admits(Proto::Tcp, port) && inn.ports.admits(Proto::Tcp, port));
        }
    }
}

#[test]
fn host_names_are_reached_through_the_fqdn_allow_list() {
    let p = compile(
        &worked_example()
            .egress(
                "ecs",
                &[],
                &[".stripe.com", "pypi.org"],
                &["443/tcp"],
                Some("payments, packages"),
            )
            .build(),
    );
    let v = evaluate(&p, "ecs", "api.stripe.com", Proto::Tcp, 443).unwrap();
    assert!(v.reachable, "{}", v.explanation);
    assert!(v.rules.is_empty());
    assert!(
        v.explanation.contains("`.stripe.com`") && v.explanation.contains("prod-app-ecs"),
        "{}",
        v.explanation
    );
    assert!(
        evaluate(&p, "ecs", "stripe.com", Proto::Tcp, 443)
            .unwrap()
            .reachable
    );
    assert!(
        evaluate(&p, "ecs", "PyPI.org", Proto::Tcp, 443)
            .unwrap()
            .reachable
    );
    assert!(
        !evaluate(&p, "ecs", "files.pypi.org", Proto::Tcp, 443)
            .unwrap()
            .reachable
    );
    assert!(
        !evaluate(&p, "ecs", "notstripe.com", Proto::Tcp, 443)
            .unwrap()
            .reachable
    );
    assert!(
        !evaluate(&p, "ecs", "api.stripe.com", Proto::Tcp, 80)
            .unwrap()
            .reachable
    );
    assert!(
        !evaluate(&p, "rds", "api.stripe.com", Proto::Tcp, 443)
            .unwrap()
            .reachable
    );
    assert!(
        !evaluate(&p, "api.stripe.com", "ecs", Proto::Tcp, 443)
            .unwrap()
            .reachable
    );
}

#[test]
fn deny_ranges_are_dropped_before_any_allow_rule() {
    use cloudwall_core::policy::DenyEntry;
    use cloudwall_core::source::Location;
    let mut p = example();
    p.deny.push(DenyEntry {
        cidrs: vec!["203.0.113.0/24".parse().unwrap(), "198.51.100.128/25".parse().unwrap(), "13.55.7.0/24".parse().unwrap()],
        purpose: "scanner networks".into(),
        origin: Location { file: "profile.toml".into(), line: 40, col: 1 },
    });

    // an address inside a deny range: the internet rule no longer lets it in
    let v = evaluate(&p, "203.0.113.7", "alb", Proto::Tcp, 443).unwrap();
    assert!(!v.reachable, "{}", v.explanation);
    assert!(v.rules.is_empty());
    assert!(
        v.explanation.contains("dropped by the [[deny]] entry `scanner networks` (203.0.113.0/24, profile.toml:40:1)")
            && v.explanation.contains("alb_in_from_internet_v4_443_tcp"),
        "{}",
        v.explanation
    );
    // nor out: the egress rule to 13.55.0.0/16 no longer reaches the denied /24 in it
    assert!(evaluate(&p, "ecs", "13.55.8.9", Proto::Tcp, 443).unwrap().reachable);
    let v = evaluate(&p, "ecs", "13.55.7.9", Proto::Tcp, 443).unwrap();
    assert!(!v.reachable, "{}", v.explanation);
    assert!(v.explanation.contains("(13.55.7.0/24, profile.toml:40:1)"), "{}", v.explanation);

    // the internet as a whole still reaches the load balancer, minus the carved-out ranges
    let v = evaluate(&p, "internet", "alb", Proto::Tcp, 443).unwrap();
    assert!(v.reachable);
    assert!(
        v.explanation.contains("except the [[deny]] ranges 203.0.113.0/24, 198.51.100.128/25"),
        "{}",
        v.explanation
    );
    assert!(evaluate(&p, "192.0.2.7", "alb", Proto::Tcp, 443).unwrap().reachable);

    // a party with one range partly denied and one outside it: still reachable, the
    // denied half noted; a party address inside the denied half is not
    let v = evaluate(&p, "partner", "ecs", Proto::Tcp, 8443).unwrap();
    assert!(v.reachable);
    assert!(v.explanation.contains("except the [[deny]] ranges 198.51.100.128/25"), "{}", v.explanation);
    assert!(!evaluate(&p, "198.51.100.200", "ecs", Proto::Tcp, 8443).unwrap().reachable);
    assert!(evaluate(&p, "198.51.100.20", "ecs", Proto::Tcp, 8443).unwrap().reachable);

    // a party entirely inside a deny range is not reachable at all
    p.deny.push(DenyEntry {
        cidrs: vec!["2001:db8::/32".parse().unwrap(), "198.51.100.0/24".parse().unwrap()],
        purpose: "partner offboarded".into(),
        origin: Location { file: "profile.toml".into(), line: 44, col: 1 },
    });
    let v = evaluate(&p, "partner", "ecs", Proto::Tcp, 8443).unwrap();
    assert!(!v.reachable, "{}", v.explanation);
    assert!(v.explanation.contains("`partner offboarded`"), "{}", v.explanation);
}
