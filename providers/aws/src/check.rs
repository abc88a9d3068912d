//! AWS findings on a Policy: rule quotas per security group (CW201), group names AWS
//! would refuse (CW202), rules per network ACL (CW203) and the rules-per-group times
//! groups-per-interface product (CW204).
//!
//! Rules are counted with their quota weight: a rule that references the CloudFront
//! origin-facing prefix list (`public = "multi-edge"`) counts as many rules as the list's
//! max entries.

use crate::names;
use crate::phases::nacls;
use cloudwall_core::diag::Diagnostic;
use crate::plan::CLOUDFRONT_PREFIX_LIST_WEIGHT;
use cloudwall_core::policy::{Direction, Peer, Policy, Rule};
use cloudwall_core::profile::model::{PublicMode, Tier, WorkloadKind};
use std::collections::BTreeSet;
use ipnet::IpNet;

/// Default quota of inbound (or outbound) rules per security group, counted separately
/// for IPv4 and IPv6 (quota L-0EA8095F).
pub const RULES_PER_DIRECTION: usize = 60;
/// Default quota of security groups per network interface (L-2AFB9258).
pub const GROUPS_PER_INTERFACE: usize = 5;
/// (rules per group) x (groups per interface) may not exceed this.
pub const RULES_TIMES_GROUPS: usize = 1000;

/// How many quota slots a rule takes, `(IPv4, IPv6)`: a rule referencing a group (or an
/// AWS-managed prefix list) counts once for each family; a CIDR rule counts once in its
/// own family. A prefix-list rule counts its weight (max entries; 55 for the CloudFront
/// origin-facing list) — callers holding such rules add them with [`count_rules`].
pub fn rule_weight(rule: &Rule) -> (usize, usize) {
    match &rule.peer {
        Peer::Group { .. } => (1, 1),
        Peer::Cidr { cidr: IpNet::V4(_), .. } => (1, 0),
        Peer::Cidr { cidr: IpNet::V6(_), .. } => (0, 1),
    }
}

/// The quota use of a set of rules from their weights, `(IPv4, IPv6)`.
pub fn count_rules(weights: impl IntoIterator<Item = (usize, usize)>) -> (usize, usize) {
    weights.into_iter().fold((0, 0), |(a, b), (x, y)| (a + x, b + y))
}

pub fn check(policy: &Policy) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for g in &policy.groups {
        let name = names::raw_group_name(g);
        if let Some(problem) = names::group_name_problem(&name) {
            out.push(
                Diagnostic::error("CW202", format!("security-group name of `{}` is invalid on AWS: {problem}", g.id))
                    .at_location(g.origin.clone(), "this workload")
                    .with_help("rename the workload or the env so that `{env}-{tier}-{role}-sg` has at most 255 characters and does not start with `sg-`"),
            );
        }
        let mode = policy.deployment.public;
        let fronted = matches!(mode, PublicMode::MultiEdge | PublicMode::ApiGateway)
            && g.tier == Tier::Public
            && g.kind == Some(WorkloadKind::LoadBalancer);
        for dir in [Direction::Ingress, Direction::Egress] {
            let (mut v4, mut v6) = (0usize, 0usize);
            let mut prefix_rules = 0usize;
            let mut edge_seen = BTreeSet::new();
            for r in policy.rules_of(&g.id, dir) {
                if fronted && dir == Direction::Ingress && r.peer.is_internet() {
                    // One rendered rule per port range, from the edge instead of the internet.
                    if edge_seen.insert(r.ports) {
                        if mode == PublicMode::MultiEdge {
                            prefix_rules += 1;
                            v4 += CLOUDFRONT_PREFIX_LIST_WEIGHT;
                        } else {
                            v4 += 1;
                            v6 += 1;
                        }
                    }
                    continue;
                }
                let (a, b) = count_rules([rule_weight(r)]);
                v4 += a;
                v6 += b;
            }
            let word = match dir {
                Direction::Ingress => "inbound",
                Direction::Egress => "outbound",
            };
            for (family, n) in [("IPv4", v4), ("IPv6", v6)] {
                if n > RULES_PER_DIRECTION {
                    out.push(
                        Diagnostic::warning(
                            "CW201",
                            format!(
                                "`{name}` needs {n} {word} {family} rules; the AWS default quota is {RULES_PER_DIRECTION} per direction"
                            ),
                        )
                        .at_location(g.origin.clone(), "this workload")
                        .with_help(if prefix_rules > 0 && family == "IPv4" {
                            format!("{prefix_rules} rule(s) reference the CloudFront origin-facing prefix list, which counts {CLOUDFRONT_PREFIX_LIST_WEIGHT} rules each: serve fewer ports, or merge them into one port range (one rule per range), or request a quota increase (L-0EA8095F)")
                        } else {
                            "request a quota increase (L-0EA8095F), merge port ranges, or use a prefix list".to_string()
                        }),
                    );
                }
                // Every interface of a workload carries one group, its own; but whatever the
                // rules quota is raised to, (rules per group) x (groups per interface) <= 1000
                // must hold with the default 5 groups per interface.
                if n * GROUPS_PER_INTERFACE > RULES_TIMES_GROUPS {
                    out.push(
                        Diagnostic::warning(
                            "CW204",
                            format!(
                                "`{name}` needs {n} {word} {family} rules: with {GROUPS_PER_INTERFACE} security groups per network interface AWS allows at most {} rules per group ({RULES_TIMES_GROUPS} / {GROUPS_PER_INTERFACE})",
                                RULES_TIMES_GROUPS / GROUPS_PER_INTERFACE
                            ),
                        )
                        .at_location(g.origin.clone(), "this workload")
                        .with_help("split the workload, merge port ranges, or lower the groups-per-interface quota (L-2AFB9258) when raising the rules quota"),
                    );
                }
            }
        }
    }
    let subnets = policy.deployment.availability_zones.max(1) as usize;
    for n in nacls::plan_nacls(policy) {
        for (egress, word) in [(false, "inbound"), (true, "outbound")] {
            let count = n.rule_count(egress, subnets);
            if count > nacls::NACL_RULES_PER_DIRECTION {
                out.push(
                    Diagnostic::warning(
                        "CW203",
                        format!(
                            "network ACL `{}` needs {count} {word} rules with {subnets} subnet(s) per tier; the AWS default quota is {} per direction",
                            n.name,
                            nacls::NACL_RULES_PER_DIRECTION
                        ),
                    )
                    .at_location(
                        policy.groups.iter().find(|g| g.tier == n.tier).map_or_else(|| policy.access.origin.clone(), |g| g.origin.clone()),
                        "a workload of this tier",
                    )
                    .with_help("request an increase (up to 40 per direction), merge port ranges, or fewer [[deny]] ranges; the NACL is still rendered"),
                );
            }
        }
    }
    out
}
