//! AWS findings on a Policy: rule quotas per security group (CW201) and group names
//! AWS would refuse (CW202).
//!
//! Rules are counted with their quota weight: a rule that references the CloudFront
//! origin-facing prefix list (`public = "multi-edge"`) counts as many rules as the list's
//! max entries.

use crate::names;
use cloudwall_core::diag::Diagnostic;
use crate::plan::CLOUDFRONT_PREFIX_LIST_WEIGHT;
use cloudwall_core::policy::{Direction, Peer, Policy};
use cloudwall_core::profile::model::{PublicMode, Tier, WorkloadKind};
use std::collections::BTreeSet;
use ipnet::IpNet;

/// Default quota of inbound (or outbound) rules per security group, counted separately
/// for IPv4 and IPv6 (quota L-0EA8095F).
pub const RULES_PER_DIRECTION: usize = 60;

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
                match &r.peer {
                    Peer::Group { .. } => {
                        v4 += 1;
                        v6 += 1;
                    }
                    Peer::Cidr { cidr: IpNet::V4(_), .. } => v4 += 1,
                    Peer::Cidr { cidr: IpNet::V6(_), .. } => v6 += 1,
                }
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
            }
        }
    }
    out
}
