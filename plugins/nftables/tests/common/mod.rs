//! Shared by the nftables plugin's integration tests: the plugin loaded through the
//! real host, the example profile's Policy, and the reachability oracle.

#![allow(dead_code)]

use cloudwall_core::policy::*;
use cloudwall_core::ports::{PortRange, Proto};
use cloudwall_core::profile::model::{PublicMode, Tier, Topology, WorkloadKind};
use cloudwall_core::source::Location;
use cloudwall_plugin_host::PluginProvider;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// The nftables cdylib, built by cargo into this test's target dir and loaded by the host.
pub fn nftables_plugin() -> &'static PluginProvider {
    static PLUGIN: OnceLock<PluginProvider> = OnceLock::new();
    PLUGIN.get_or_init(|| {
        let path = cloudwall_plugin_host::testing::build_plugin("cloudwall-nftables")
            .unwrap_or_else(|e| panic!("{e}"));
        cloudwall_plugin_host::load(&path).unwrap_or_else(|e| panic!("{e}"))
    })
}

/// The nft table of a workload, as the plugin names it.
pub fn table_of(policy: &Policy, workload: &str) -> String {
    format!("{}-fw", policy.group(workload).unwrap().name)
}

fn loc(line: usize) -> Location {
    Location {
        file: "examples/onprem-nftables.toml".into(),
        line,
        col: 1,
    }
}

/// The Policy of `examples/onprem-nftables.toml`, built by hand (interim, until the
/// profile parser and compiler are on main).
pub fn example_policy() -> Policy {
    let groups = [
        ("api", Tier::App, WorkloadKind::Vm),
        ("cache", Tier::Data, WorkloadKind::Redis),
        ("db", Tier::Data, WorkloadKind::Postgres),
        ("lb", Tier::Public, WorkloadKind::LoadBalancer),
        ("web", Tier::App, WorkloadKind::Vm),
    ]
    .into_iter()
    .map(|(id, tier, kind)| Group {
        id: id.into(),
        name: format!("prod-{tier}-{id}"),
        tier,
        kind: Some(kind),
        summary: format!("the {id} workload"),
        origin: loc(1),
    })
    .collect();
    let internet = ExternalParty {
        name: INTERNET.into(),
        cidrs: vec!["0.0.0.0/0".parse().unwrap(), "::/0".parse().unwrap()],
        purpose: None,
        origin: loc(1),
    };
    let partner = ExternalParty {
        name: "partner".into(),
        cidrs: vec!["203.0.113.0/24".parse().unwrap()],
        purpose: Some("payment partner network".into()),
        origin: loc(2),
    };
    let mut rules = Vec::new();
    let desc = |s: &str, d: &str, p: PortRange, purpose: &str| Description {
        source: s.into(),
        destination: d.into(),
        ports: p.to_string(),
        purpose: purpose.into(),
        owner: "infrastructure team".into(),
    };
    let flows: [(&str, &str, u16, &str); 7] = [
        ("internet", "lb", 443, "public site traffic"),
        ("internet", "lb", 80, "HTTP redirect to HTTPS"),
        ("lb", "web", 8080, "request forward"),
        ("web", "api", 9000, "order API calls"),
        ("partner", "api", 8443, "partner order callbacks"),
        ("api", "db", 5432, "order writes"),
        ("api", "cache", 6379, "session cache"),
    ];
    for (i, (from, to, port, purpose)) in flows.iter().enumerate() {
        let ports = PortRange::tcp(*port);
        let d = desc(from, to, ports, purpose);
        let ext = [&internet, &partner].into_iter().find(|e| e.name == *from);
        match ext {
            Some(e) => {
                for c in e.cidrs.iter().filter(|c| matches!(c, ipnet::IpNet::V4(_))) {
                    rules.push(Rule {
                        id: format!("f{i}_in"),
                        group: to.to_string(),
                        direction: Direction::Ingress,
                        peer: Peer::Cidr {
                            cidr: *c,
                            party: e.name.clone(),
                        },
                        ports,
                        description: d.clone(),
                        justification: None,
                        source: RuleSource::Flow { index: i },
                        origin: loc(10 + i),
                    });
                }
            }
            None => {
                rules.push(Rule {
                    id: format!("f{i}_in"),
                    group: to.to_string(),
                    direction: Direction::Ingress,
                    peer: Peer::Group {
                        id: from.to_string(),
                    },
                    ports,
                    description: d.clone(),
                    justification: None,
                    source: RuleSource::Flow { index: i },
                    origin: loc(10 + i),
                });
                rules.push(Rule {
                    id: format!("f{i}_out"),
                    group: from.to_string(),
                    direction: Direction::Egress,
                    peer: Peer::Group { id: to.to_string() },
                    ports,
                    description: d,
                    justification: None,
                    source: RuleSource::Flow { index: i },
                    origin: loc(10 + i),
                });
            }
        }
    }
    let p443 = PortRange::tcp(443);
    rules.push(Rule {
        id: "e0".into(),
        group: "api".into(),
        direction: Direction::Egress,
        peer: Peer::Cidr {
            cidr: partner.cidrs[0],
            party: "partner".into(),
        },
        ports: p443,
        description: desc("api", "partner", p443, "payment partner API"),
        justification: None,
        source: RuleSource::Egress { index: 0 },
        origin: loc(30),
    });
    let hosts: BTreeMap<String, Vec<ipnet::IpNet>> = [
        ("lb", vec!["198.51.100.10/32"]),
        ("web", vec!["198.51.100.20/32", "198.51.100.21/32"]),
        ("api", vec!["198.51.100.30/32"]),
        ("db", vec!["198.51.100.40/32"]),
        ("cache", vec!["198.51.100.50/32"]),
    ]
    .into_iter()
    .map(|(w, a)| {
        (
            w.to_string(),
            a.into_iter().map(|s| s.parse().unwrap()).collect(),
        )
    })
    .collect();
    Policy {
        deployment: DeploymentInfo {
            name: "orders".into(),
            env: "prod".into(),
            providers: vec!["nftables".into()],
            region: None,
            regions: vec![],
            topology: Topology::ThreeTier,
            compliance: vec![],
            public: PublicMode::LoadBalancerOnly,
            owner: "infrastructure team".into(),
            availability_zones: 1,
            source: "examples/onprem-nftables.toml".into(),
        },
        groups,
        rules,
        externals: vec![internet, partner],
        fqdn_egress: vec![],
        endpoints: vec![],
        access: Access {
            strategy: None,
            per_tier: BTreeMap::new(),
            origin: loc(1),
        },
        deny: vec![],
        kubernetes: None,
        spokes: vec![],
        hosts,
    }
}

/// Interim oracle (until `reach::evaluate` is on main): a TCP connection from endpoint
/// `from` to `to` on `port` needs the source's egress rule and the destination's
/// ingress rule, each naming the other side; external sides have no rules.
pub fn reachable(policy: &Policy, from: &str, to: &str, port: u16) -> bool {
    let is_group = |n: &str| policy.group(n).is_some();
    let admits = |r: &Rule, other: &str| {
        r.ports.admits(Proto::Tcp, port)
            && match &r.peer {
                Peer::Group { id } => id == other,
                Peer::Cidr { party, .. } => party == other,
            }
    };
    let out_ok = !is_group(from)
        || policy
            .rules_of(from, Direction::Egress)
            .any(|r| admits(r, to));
    let in_ok = !is_group(to)
        || policy
            .rules_of(to, Direction::Ingress)
            .any(|r| admits(r, from));
    (is_group(from) || is_group(to)) && out_ok && in_ok
}
