//! Random valid profiles for property tests, written as TOML text so that they go
//! through the real parser. Free text is drawn from a hostile alphabet (`${`, `%{`,
//! quotes, backslashes, backticks, `$(`, `&`, `|`, unicode) to prove escaping.

use proptest::prelude::*;
use proptest::sample::{select, subsequence};
use serde_json::{json, Map, Value};

const NAMES: &[&str] = &["web", "api", "db", "cache", "worker", "lb", "search", "jobs", "auth", "edge"];
const KINDS: &[&str] = &[
    "load-balancer", "containers", "vm", "kubernetes", "function", "postgres", "mysql", "mssql", "redis",
    "mongodb", "elasticsearch", "memcached", "kibana", "cassandra", "etcd", "consul", "http", "https",
];
/// Ports that may face the internet (none is, or contains, a sensitive port).
const PUBLIC_PORTS: &[&str] = &["443/tcp", "80/tcp", "8443/tcp", "8080-8090/tcp", "8000-8100/tcp", "3478/udp", "icmp"];
/// Any port between workloads.
const INTERNAL_PORTS: &[&str] = &[
    "443/tcp", "8080/tcp", "5432/tcp", "6379/tcp", "22/tcp", "9000-9100/tcp", "53/udp", "icmp", "all", "1-65535/tcp",
];
const EXTERNAL_CIDRS: &[&str] = &["198.51.100.0/24", "203.0.113.0/25", "192.0.2.0/24", "10.8.0.0/16", "2001:db8::/32"];
const FQDNS: &[&str] = &[".example.com", "api.example.com", "pay.example.org", ".example.net", "hooks.example.net"];

/// Free text: starts with a letter (never blank), then anything printable and hostile.
pub fn free_text() -> impl Strategy<Value = String> {
    "[a-zA-Z][a-zA-Z0-9 ${}%\"'\\\\`;&|<>()!#*?~=@,.:/\\[\\]+→—éß漢-]{0,40}"
}

fn workloads() -> impl Strategy<Value = Vec<(String, String, String)>> {
    (subsequence(NAMES, 2..=6), proptest::collection::vec((0usize..4, select(KINDS)), 6)).prop_map(|(names, attrs)| {
        names
            .into_iter()
            .zip(attrs)
            .map(|(n, (tier, kind))| (n.to_string(), ["public", "app", "data", "mgmt"][tier].to_string(), kind.to_string()))
            .collect()
    })
}

/// The optional tables: `[flow_logs]`, `[session_logging]`, `[egress_filtering]`,
/// `[[deny]]` and, for `bastion = "hybrid"`, `[access]` (each tier's strategy, by index).
type Extras = (
    Option<(&'static str, u32, &'static str)>,
    Option<(u32, u32)>,
    Option<(&'static str, u32)>,
    Option<(Vec<&'static str>, String)>,
    Option<Vec<usize>>,
    Option<(Vec<bool>, bool)>,
    Option<(Vec<&'static str>, Vec<&'static str>)>,
);

fn extras() -> impl Strategy<Value = Extras> {
    (
        proptest::option::of((select(&["logs", "object-storage"][..]), select(&[7u32, 90, 365, 400, 2190][..]), select(&["all", "reject", "accept"][..]))),
        proptest::option::of((1u32..=60, select(&[30u32, 365, 731][..]))),
        proptest::option::of((select(&["firewall", "proxy"][..]), select(&[14u32, 365][..]))),
        proptest::option::of((subsequence(&["198.18.0.0/15", "203.0.113.128/25", "2001:db8:bad::/48"][..], 1..=2), free_text())),
        proptest::option::of(proptest::collection::vec(0usize..2, 3)),
        // [kubernetes]: which workloads run on the cluster, and an ingress namespace or not.
        proptest::option::of((proptest::collection::vec(any::<bool>(), 6), any::<bool>())),
        // [[private_endpoints.restrict]] on object storage: buckets and actions.
        proptest::option::of((
            subsequence(&["records-raw", "records.curated", "logs-archive-1"][..], 0..=2),
            subsequence(&["read", "write", "list", "delete", "s3:GetObject", "s3:Put*"][..], 0..=3),
        )),
    )
}

/// A random valid profile as TOML.
pub fn profile_toml() -> impl Strategy<Value = String> {
    (
        workloads(),
        select(&["prod", "staging", "dev1"][..]),
        any::<bool>(), // 2-tier?
        select(&["none", "load-balancer-only", "multi-edge", "api-gateway"][..]),
        proptest::option::of(select(&["ssm-session-manager", "existing-ssh-bastion", "vpn-only"][..])),
        subsequence(&["hipaa", "pci-dss", "soc2", "fedramp"][..], 0..=2),
        proptest::collection::vec((0usize..16, 0usize..16, 0usize..8, free_text(), proptest::option::of(free_text())), 0..8),
        proptest::collection::vec((0usize..16, any::<bool>(), 0usize..5, free_text()), 0..3),
        subsequence(&["object-storage", "secrets", "kms", "sts", "container-registry", "logs", "monitoring"][..], 0..=4),
        free_text(),
        (free_text(), subsequence(EXTERNAL_CIDRS, 1..=2)),
        (
            proptest::option::of(proptest::collection::vec(0usize..3, 6)), // hub-spoke: each workload's spoke (0 = hub)
            proptest::option::of(proptest::collection::vec(0usize..3, 6)), // multi-region: 0 both, 1 us-east-1, 2 eu-west-1
            extras(),
        ),
    )
        .prop_map(
            |(wl, env, two_tier, public, bastion, compliance, flows, egress, endpoints, owner, (ext_purpose, ext_cidrs), (spokes, placement, extras))| {
                let (flow_logs, session_logging, egress_filtering, deny, hybrid, kubernetes, restrict) = extras;
                let placement = placement.filter(|_| !two_tier);
                let spokes = spokes.filter(|_| !two_tier && placement.is_none());
                const REGIONS: [&[&str]; 3] = [&["us-east-1", "eu-west-1"], &["us-east-1"], &["eu-west-1"]];
                let wl: Vec<(String, String, String)> = wl
                    .into_iter()
                    .map(|(n, t, k)| (n, if two_tier && t == "mgmt" { "app".into() } else { t }, k))
                    .collect();
                let regions_of = |n: &str| -> &[&str] {
                    match (&placement, wl.iter().position(|w| w.0 == n)) {
                        (Some(p), Some(i)) => REGIONS[p[i]],
                        _ => REGIONS[0],
                    }
                };
                let mut doc = Map::new();
                let mut dep = json!({
                    "name": "shop",
                    "env": env,
                    "provider": "aws",
                    "region": "us-east-1",
                    "topology": if two_tier { "2-tier" } else if spokes.is_some() { "hub-spoke" } else if placement.is_some() { "multi-region" } else { "3-tier" },
                    "compliance": compliance,
                    "public": public,
                    "owner": owner,
                });
                if let Some(b) = bastion {
                    dep["bastion"] = json!(b);
                    if b == "vpn-only" {
                        // VPN access needs the client address pool
                        doc.insert("vpn".into(), json!({ "client_cidr": "10.100.0.0/22" }));
                    }
                }
                if let Some(choice) = &hybrid {
                    // Every non-public tier with a workload names its strategy.
                    let mut access = Map::new();
                    for (i, tier) in ["app", "data", "mgmt"].iter().enumerate() {
                        if wl.iter().any(|w| w.1 == *tier) {
                            access.insert(tier.to_string(), json!(["ssm-session-manager", "vpn-only"][choice[i]]));
                        }
                    }
                    if !access.is_empty() {
                        dep["bastion"] = json!("hybrid");
                        if access.values().any(|v| v == "vpn-only") {
                            doc.insert("vpn".into(), json!({ "client_cidr": "10.100.0.0/22", "split_tunnel": choice[0] == 0 }));
                        } else {
                            doc.remove("vpn");
                        }
                        doc.insert("access".into(), Value::Object(access));
                    }
                }
                if let Some((destination, retention_days, traffic)) = flow_logs {
                    doc.insert("flow_logs".into(), json!({ "enabled": true, "destination": destination, "retention_days": retention_days, "traffic": traffic }));
                }
                if let Some((idle, retention_days)) = session_logging {
                    doc.insert("session_logging".into(), json!({ "idle_timeout_minutes": idle, "retention_days": retention_days }));
                }
                if let Some((mode, days)) = egress_filtering {
                    doc.insert("egress_filtering".into(), json!({ "mode": mode, "log_retention_days": days }));
                }
                if let Some((cidrs, purpose)) = deny {
                    doc.insert("deny".into(), json!([{ "cidrs": cidrs, "purpose": purpose }]));
                }
                if placement.is_some() {
                    dep.as_object_mut().unwrap().remove("region");
                    dep["regions"] = json!(REGIONS[0]);
                }
                doc.insert("deployment".into(), dep);
                if let Some(place) = &spokes {
                    // Spokes `a` and `b`; workloads placed in spoke 0 stay in the hub. A
                    // spoke may be empty, but there is at least one.
                    let members = |n: usize| -> Vec<String> {
                        wl.iter().zip(place).filter(|(_, p)| **p == n).map(|(w, _)| w.0.clone()).collect()
                    };
                    doc.insert(
                        "spoke".into(),
                        json!([{"name": "spoke-a", "workloads": members(1)}, {"name": "spoke-b", "workloads": members(2)}]),
                    );
                }
                doc.insert(
                    "workload".into(),
                    Value::Array(
                        wl.iter()
                            .map(|(n, t, k)| {
                                let mut w = json!({"name": n, "tier": t, "kind": k});
                                if placement.is_some() {
                                    w["regions"] = json!(regions_of(n));
                                }
                                w
                            })
                            .collect(),
                    ),
                );
                doc.insert(
                    "external".into(),
                    json!([{"name": "partner", "cidrs": ext_cidrs, "purpose": ext_purpose}]),
                );
                // Endpoints of flows: workloads, then `internet` and `partner`.
                let ends: Vec<String> =
                    wl.iter().map(|w| w.0.clone()).chain(["internet".to_string(), "partner".to_string()]).collect();
                let mut fl = vec![];
                for (a, b, p, purpose, owner) in flows {
                    let from = &ends[a % ends.len()];
                    let to = &ends[b % ends.len()];
                    let internal = |n: &str| wl.iter().any(|w| w.0 == n);
                    if from == to || (!internal(from) && !internal(to)) {
                        continue;
                    }
                    if from == "internet" && public == "none" {
                        continue;
                    }
                    if to == "internet" {
                        continue; // egress to the internet is refused by rule 5
                    }
                    let port = if from == "internet" {
                        PUBLIC_PORTS[p % PUBLIC_PORTS.len()]
                    } else {
                        INTERNAL_PORTS[p % INTERNAL_PORTS.len()]
                    };
                    let mut f = json!({"from": from, "to": to, "ports": [port], "purpose": purpose});
                    if placement.is_some() && internal(from) && internal(to) {
                        // Two workloads that share no region need across_regions; two that
                        // can be in different regions may have it (odd port choice).
                        let (a, b) = (regions_of(from), regions_of(to));
                        let shared = a.iter().any(|r| b.contains(r));
                        let can_differ = a.iter().any(|r| b.iter().any(|s| s != r));
                        if !shared || (can_differ && p % 2 == 1) {
                            f["across_regions"] = json!(true);
                        }
                    }
                    if let Some(o) = owner {
                        f["owner"] = json!(o);
                    }
                    if from == "internet" {
                        f["justification"] = json!(format!("exposed for {}", purpose));
                    }
                    fl.push(f);
                }
                doc.insert("flow".into(), Value::Array(fl));
                let mut eg = vec![];
                for (w, cidr, i, purpose) in egress {
                    let from = &wl[w % wl.len()].0;
                    let mut e = json!({"from": from, "ports": [PUBLIC_PORTS[i % 2]], "purpose": purpose});
                    if cidr {
                        let c = ["198.51.100.0/24", "203.0.113.64/26", "2001:db8:1::/48"][i % 3];
                        e["cidrs"] = json!([c]);
                    } else {
                        e["fqdns"] = json!([FQDNS[i % FQDNS.len()], FQDNS[(i + 1) % FQDNS.len()]]);
                    }
                    eg.push(e);
                }
                doc.insert("egress".into(), Value::Array(eg));
                if !endpoints.is_empty() {
                    let mut pe = json!({ "services": endpoints });
                    if let Some((resources, actions)) = restrict.filter(|(r, a)| !(r.is_empty() && a.is_empty())) {
                        if endpoints.contains(&"object-storage") {
                            pe["restrict"] = json!([{ "service": "object-storage", "resources": resources, "actions": actions }]);
                        }
                    }
                    doc.insert("private_endpoints".into(), pe);
                }
                if let Some((on, ingress)) = kubernetes {
                    let members: Vec<&String> = wl.iter().zip(on).filter(|(_, on)| *on).map(|(w, _)| &w.0).collect();
                    if !members.is_empty() {
                        let mut k = json!({ "namespace": "apps-1", "workloads": members });
                        if ingress {
                            k["ingress_namespace"] = json!("ingress-nginx");
                        }
                        doc.insert("kubernetes".into(), k);
                    }
                }
                toml::to_string(&Value::Object(doc)).expect("TOML")
            },
        )
}
