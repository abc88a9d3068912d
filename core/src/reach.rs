//! The reachability evaluator: can A reach B on port P, and which rules allow it?
//!
//! Semantics are those of stateful filters (return traffic is implied):
//! - group A -> group B: A has an egress rule with peer group B admitting the port, and
//!   B has an ingress rule with peer group A admitting it;
//! - outside party X -> group B: B has an ingress rule whose CIDR contains one of X's
//!   ranges (for `internet`: a /0 rule);
//! - group A -> outside party X: A has an egress rule whose CIDR contains one of X's
//!   ranges. Containment, not overlap: a rule for `13.55.0.0/16` does not make the
//!   whole internet reachable, only the addresses it covers;
//! - outside -> outside: never reachable (no group of the policy is on the path);
//! - `[[deny]]` comes first: a range of an outside party that lies inside a deny entry's
//!   CIDR is dropped both ways before any allow rule is read (the filters put deny
//!   statements ahead of every accept), so it never counts as covered; the explanation
//!   names the entry by its purpose. A range that only overlaps a deny CIDR (the
//!   internet, a partner /16 around a denied /24) stays reachable for its other
//!   addresses, and the explanation says which denied ranges are carved out.
//!
//! An outside party is `internet`, an `[[external]]` name, or a literal address or CIDR
//! (`203.0.113.7`, `198.51.100.0/24`). A host name (`api.stripe.com`) is a destination
//! of the FQDN egress allow-list: a group reaches it when one of its allow-list entries
//! names it (exactly, or as `.domain`) on the port; such a verdict lists no rule ids
//! (allow-list entries have none) and names the entry in its explanation. When a party has several ranges, it is reachable
//! when at least one of them is entirely covered (addresses in that range can connect);
//! the explanation then names the ranges that are not.

use crate::policy::{DenyEntry, Direction, Peer, Policy, Rule};
use crate::ports::Proto;
use ipnet::IpNet;
use std::net::IpAddr;

/// The answer to "can `from` reach `to` on `proto`/`port`?".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub reachable: bool,
    /// Ids of the rules that allow it (egress rule of the source, ingress rule of the
    /// destination; only the internal side's rule when the other side is external).
    pub rules: Vec<String>,
    /// One or two sentences a person reads: which rule allows it, or what is missing.
    pub explanation: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReachError {
    #[error("unknown endpoint `{name}`: expected one of {known}")]
    UnknownEndpoint { name: String, known: String },
}

/// One end of the question.
#[derive(Debug, Clone)]
enum End {
    Group(String),
    /// Display name and ranges.
    Outside(String, Vec<IpNet>),
    /// A host name: a destination of the FQDN egress allow-list.
    Host(String),
}

/// Is `host` named by an allow-list entry (`api.example.com` exactly, `.example.com` for
/// the domain and its subdomains)?
pub fn fqdn_matches(entry: &str, host: &str) -> bool {
    let entry = entry.trim_end_matches('.').to_ascii_lowercase();
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    let domain = entry.strip_prefix("*.").or_else(|| entry.strip_prefix('.'));
    match domain {
        Some(d) => host == d || host.ends_with(&format!(".{d}")),
        None => host == entry,
    }
}

fn is_host_name(s: &str) -> bool {
    s.contains('.')
        && s.chars().any(|c| c.is_ascii_alphabetic())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
}

fn resolve(policy: &Policy, name: &str) -> Result<End, ReachError> {
    if policy.group(name).is_some() {
        return Ok(End::Group(name.to_string()));
    }
    if let Some(e) = policy.external(name) {
        return Ok(End::Outside(e.name.clone(), e.cidrs.clone()));
    }
    if let Ok(ip) = name.parse::<IpAddr>() {
        return Ok(End::Outside(name.to_string(), vec![IpNet::from(ip)]));
    }
    if let Ok(net) = name.parse::<IpNet>() {
        return Ok(End::Outside(name.to_string(), vec![net.trunc()]));
    }
    if is_host_name(name) {
        return Ok(End::Host(name.to_ascii_lowercase()));
    }
    let mut known: Vec<String> = policy
        .groups
        .iter()
        .map(|g| format!("`{}`", g.id))
        .collect();
    known.extend(policy.externals.iter().map(|e| format!("`{}`", e.name)));
    known.push("an IP address or CIDR".to_string());
    known.push("a host name of the FQDN allow-list".to_string());
    Err(ReachError::UnknownEndpoint {
        name: name.to_string(),
        known: known.join(", "),
    })
}

fn port_text(proto: Proto, port: u16) -> String {
    if proto.has_ports() {
        format!("{port}/{}", proto.as_str())
    } else {
        proto.as_str().to_string()
    }
}

fn group_name(policy: &Policy, id: &str) -> String {
    policy
        .group(id)
        .map(|g| g.name.clone())
        .unwrap_or_else(|| id.to_string())
}

/// The first rule of `group` in `dir` toward group `peer` admitting the traffic.
fn group_rule<'a>(
    policy: &'a Policy,
    group: &'a str,
    dir: Direction,
    peer: &str,
    proto: Proto,
    port: u16,
) -> Option<&'a Rule> {
    policy.rules_of(group, dir).find(|r| {
        matches!(&r.peer, Peer::Group { id } if id == peer) && r.ports.admits(proto, port)
    })
}

/// The first rule of `group` in `dir` whose CIDR contains `net` and admits the traffic.
fn cidr_rule<'a>(
    policy: &'a Policy,
    group: &'a str,
    dir: Direction,
    net: &IpNet,
    proto: Proto,
    port: u16,
) -> Option<&'a Rule> {
    policy.rules_of(group, dir).find(|r| {
        matches!(&r.peer, Peer::Cidr { cidr, .. } if cidr.contains(net))
            && r.ports.admits(proto, port)
    })
}

/// `from` and `to` are group ids (workload names), `internet`, external party names, or
/// literal addresses / CIDRs (outside sources and destinations).
pub fn evaluate(
    policy: &Policy,
    from: &str,
    to: &str,
    proto: Proto,
    port: u16,
) -> Result<Verdict, ReachError> {
    let a = resolve(policy, from)?;
    let b = resolve(policy, to)?;
    let pt = port_text(proto, port);
    Ok(match (a, b) {
        (End::Group(a), End::Group(b)) => {
            let out = group_rule(policy, &a, Direction::Egress, &b, proto, port);
            let inn = group_rule(policy, &b, Direction::Ingress, &a, proto, port);
            let (an, bn) = (group_name(policy, &a), group_name(policy, &b));
            match (out, inn) {
                (Some(o), Some(i)) => Verdict {
                    reachable: true,
                    rules: vec![o.id.clone(), i.id.clone()],
                    explanation: format!(
                        "{from} can reach {to} on {pt}: allowed by {} (egress of {an}) and {} (ingress of {bn})",
                        o.id, i.id
                    ),
                },
                (o, i) => {
                    let mut missing = Vec::new();
                    if o.is_none() {
                        missing.push(format!("{an} has no egress rule to {b} on {pt}"));
                    }
                    if i.is_none() {
                        missing.push(format!("{bn} has no ingress rule from {a} on {pt}"));
                    }
                    let mut rules = Vec::new();
                    let mut present = String::new();
                    if let Some(o) = o {
                        rules.push(o.id.clone());
                        present = format!(" ({} on the egress side is not enough)", o.id);
                    }
                    if let Some(i) = i {
                        rules.push(i.id.clone());
                        present = format!(" ({} on the ingress side is not enough)", i.id);
                    }
                    Verdict {
                        reachable: false,
                        rules,
                        explanation: format!("{from} cannot reach {to} on {pt}: {}{present}", missing.join(" and ")),
                    }
                }
            }
        }
        (End::Outside(xn, nets), End::Group(b)) => {
            let bn = group_name(policy, &b);
            let found: Vec<(IpNet, Option<&Rule>)> =
                nets.iter().map(|n| (*n, cidr_rule(policy, &b, Direction::Ingress, n, proto, port))).collect();
            let can = format!("{from} can reach {to}");
            let cannot = format!("{from} cannot reach {to} on {pt}");
            outside_verdict(policy, &xn, &can, &cannot, &format!("ingress of {bn}"), &pt, &found, || {
                format!("{cannot}: {bn} has no ingress rule from {xn} on {pt}")
            })
        }
        (End::Group(a), End::Outside(xn, nets)) => {
            let an = group_name(policy, &a);
            let found: Vec<(IpNet, Option<&Rule>)> =
                nets.iter().map(|n| (*n, cidr_rule(policy, &a, Direction::Egress, n, proto, port))).collect();
            let can = format!("{from} can reach {to}");
            let cannot = format!("{from} cannot reach {to} on {pt}");
            outside_verdict(policy, &xn, &can, &cannot, &format!("egress of {an}"), &pt, &found, || {
                format!("{cannot}: {an} has no egress rule to {xn} on {pt}")
            })
        }
        (End::Group(a), End::Host(h)) => {
            let an = group_name(policy, &a);
            let entry = policy.fqdn_egress.iter().find_map(|f| {
                let hit = f.group == a && f.ports.iter().any(|p| p.admits(proto, port));
                f.fqdns.iter().find(|e| hit && fqdn_matches(e, &h)).cloned()
            });
            match entry {
                Some(e) => Verdict {
                    reachable: true,
                    rules: vec![],
                    explanation: format!(
                        "{from} can reach {h} on {pt}: allowed by the FQDN egress allow-list of {an} (`{e}`)"
                    ),
                },
                None => Verdict {
                    reachable: false,
                    rules: vec![],
                    explanation: format!(
                        "{from} cannot reach {h} on {pt}: no FQDN egress allow-list entry of {an} names it on {pt}"
                    ),
                },
            }
        }
        (End::Host(h), _) | (End::Outside(..), End::Host(h)) => Verdict {
            reachable: false,
            rules: vec![],
            explanation: format!(
                "{from} cannot reach {to} through this policy: the host name {h} is only a destination of a group's FQDN egress allow-list"
            ),
        },
        (End::Outside(..), End::Outside(..)) => Verdict {
            reachable: false,
            rules: vec![],
            explanation: format!(
                "{from} cannot reach {to} through this policy: neither end is a group, and traffic between outside parties never crosses its rules"
            ),
        },
    })
}

/// The `[[deny]]` entry and CIDR whose range contains `net`, if any.
fn denied_by<'a>(policy: &'a Policy, net: &IpNet) -> Option<(&'a DenyEntry, &'a IpNet)> {
    policy
        .deny
        .iter()
        .find_map(|d| d.cidrs.iter().find(|c| c.contains(net)).map(|c| (d, c)))
}

/// The `[[deny]]` CIDRs that lie inside `net` (two CIDR blocks either nest or are
/// disjoint, so these are all the partial overlaps once `denied_by` found none).
fn carved_out<'a>(policy: &'a Policy, net: &IpNet) -> Vec<&'a IpNet> {
    policy
        .deny
        .iter()
        .flat_map(|d| &d.cidrs)
        .filter(|c| net.contains(*c))
        .collect()
}

/// The verdict for an outside party's ranges (`found`: each range with the rule that
/// covers it), once `[[deny]]` has had its say: denied ranges never count as covered.
#[allow(clippy::too_many_arguments)]
fn outside_verdict(
    policy: &Policy,
    party: &str,
    can: &str,
    cannot: &str,
    side: &str,
    pt: &str,
    found: &[(IpNet, Option<&Rule>)],
    missing: impl FnOnce() -> String,
) -> Verdict {
    let mut rules: Vec<String> = Vec::new();
    let mut denied: Vec<String> = Vec::new();
    let mut carved: Vec<String> = Vec::new();
    // Ranges no rule covers, or that a deny entry drops whatever covers them.
    let mut uncovered: Vec<String> = Vec::new();
    for (n, r) in found {
        let Some(r) = r else {
            uncovered.push(n.to_string());
            continue;
        };
        if let Some((d, c)) = denied_by(policy, n) {
            uncovered.push(n.to_string());
            denied.push(format!(
                "{n} is dropped by the [[deny]] entry `{}` ({c}, {}) before {} is read",
                d.purpose, d.origin, r.id
            ));
            continue;
        }
        if !rules.contains(&r.id) {
            rules.push(r.id.clone());
        }
        for c in carved_out(policy, n) {
            let c = c.to_string();
            if !carved.contains(&c) {
                carved.push(c);
            }
        }
    }
    if rules.is_empty() {
        return Verdict {
            reachable: false,
            rules,
            explanation: if denied.is_empty() {
                missing()
            } else {
                format!("{cannot}: {}", denied.join("; "))
            },
        };
    }
    let mut explanation = format!("{can} on {pt}: allowed by {} ({side})", rules.join(", "));
    if !uncovered.is_empty() {
        explanation.push_str(&format!(
            "; not from {party}'s other ranges: {}",
            uncovered.join(", ")
        ));
    }
    if !carved.is_empty() {
        explanation.push_str(&format!(
            "; except the [[deny]] ranges {}, dropped before any allow rule",
            carved.join(", ")
        ));
    }
    Verdict {
        reachable: true,
        rules,
        explanation,
    }
}

/// Reachability of every ordered pair of ends (groups sorted by id, then `internet` and
/// the external parties) on every given port: `(from, to, proto, port, reachable)`,
/// `ends² × ports` entries, in that order.
pub fn matrix(policy: &Policy, ports: &[(Proto, u16)]) -> Vec<(String, String, Proto, u16, bool)> {
    let mut ends: Vec<String> = policy.groups.iter().map(|g| g.id.clone()).collect();
    ends.extend(policy.externals.iter().map(|e| e.name.clone()));
    let mut out = Vec::with_capacity(ends.len() * ends.len() * ports.len());
    for a in &ends {
        for b in &ends {
            for &(proto, port) in ports {
                let ok = evaluate(policy, a, b, proto, port)
                    .map(|v| v.reachable)
                    .unwrap_or(false);
                out.push((a.clone(), b.clone(), proto, port, ok));
            }
        }
    }
    out
}
