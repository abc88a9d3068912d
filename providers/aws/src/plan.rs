//! The Policy seen through AWS: each group with its security-group name, description and
//! identifiers, each rule with its EC2 protocol, ports and peer. Terraform, the CLI
//! script and the report all render from this one plan, so they cannot disagree.

use crate::names;
use cloudwall_core::policy::{Description, Direction, Group, Peer, Policy, Rule};
use cloudwall_core::ports::Proto;
use cloudwall_core::profile::model::{PublicMode, Tier, WorkloadKind};
use ipnet::IpNet;
use std::collections::BTreeSet;

/// The region used when the profile names none.
pub const DEFAULT_REGION: &str = "us-east-1";

/// A Policy group as a security group.
#[derive(Debug, Clone)]
pub struct SgGroup<'a> {
    pub group: &'a Group,
    /// `{env}-{tier}-{role}-sg`.
    pub name: String,
    pub description: String,
    /// Terraform resource name.
    pub tf: String,
    /// Shell variable holding the group id in `apply.sh`.
    pub var: String,
}

/// The other side of a rule, as EC2 knows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SgPeer {
    /// Index into [`Plan::groups`].
    Group(usize),
    Cidr(IpNet),
    /// The CloudFront origin-facing managed prefix list (`multi-edge`).
    CloudFront,
    /// The security group of the API Gateway VPC link (`api-gateway`), [`Edge::link`].
    EdgeLink,
}

/// The name of the AWS-managed prefix list of CloudFront's origin-facing addresses.
pub const CLOUDFRONT_PREFIX_LIST: &str = "com.amazonaws.global.cloudfront.origin-facing";
/// How many rules one reference to that prefix list counts against the rules-per-group
/// quota: its max entries (cloud-facts).
pub const CLOUDFRONT_PREFIX_LIST_WEIGHT: usize = 55;

/// An inline `#checkov:skip` on a rule that is a deliberate exception.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckovSkip {
    pub check: &'static str,
    /// One line of safe characters: the flow's purpose.
    pub reason: String,
}

/// The security group of the API Gateway VPC link (not a Policy group: it stands for the
/// managed API in front of the load balancer).
#[derive(Debug, Clone)]
pub struct EdgeLinkGroup {
    pub name: String,
    pub description: String,
    pub tf: String,
    pub var: String,
}

/// An egress rule of the VPC-link group to a fronted load balancer.
#[derive(Debug, Clone)]
pub struct EdgeLinkRule {
    /// Index into [`Plan::groups`] of the load balancer.
    pub lb: usize,
    pub tf: String,
    pub protocol: &'static str,
    pub ports: Option<(i32, i32)>,
    pub description: String,
    pub skips: Vec<CheckovSkip>,
}

/// What fronts the public load balancer(s), from `deployment.public`.
#[derive(Debug, Clone)]
pub struct Edge {
    pub mode: PublicMode,
    /// Public-tier load balancers whose internet ingress the edge replaces.
    pub fronted: Vec<usize>,
    /// `api-gateway`: the VPC-link group and its egress rules.
    pub link: Option<EdgeLinkGroup>,
    pub link_rules: Vec<EdgeLinkRule>,
    /// Internet rules not rendered because the edge covers them (the IPv6 twin of a rule:
    /// the CloudFront prefix list is IPv4, the VPC link is one group reference).
    pub dropped: Vec<String>,
}

/// A Policy rule as a security-group rule.
#[derive(Debug, Clone)]
pub struct SgRule<'a> {
    pub rule: &'a Rule,
    /// Index into [`Plan::groups`] of the group the rule belongs to.
    pub group: usize,
    /// Terraform resource name.
    pub tf: String,
    pub peer: SgPeer,
    /// `tcp`, `udp`, `icmp`, `icmpv6` or `-1`.
    pub protocol: &'static str,
    /// `(from, to)`; `None` for `-1`. ICMP is `(-1, -1)`: every type and code.
    pub ports: Option<(i32, i32)>,
    pub description: String,
    /// Checkov checks this rule deliberately fails, with the reason.
    pub skips: Vec<CheckovSkip>,
}

impl SgRule<'_> {
    pub fn direction(&self) -> Direction {
        self.rule.direction
    }
}

#[derive(Debug, Clone)]
pub struct Plan<'a> {
    pub policy: &'a Policy,
    pub region: String,
    pub groups: Vec<SgGroup<'a>>,
    pub rules: Vec<SgRule<'a>>,
    pub edge: Edge,
}

impl<'a> Plan<'a> {
    pub fn new(policy: &'a Policy) -> Result<Plan<'a>, String> {
        let region = policy.deployment.region.clone().unwrap_or_else(|| DEFAULT_REGION.to_string());
        if region.is_empty() || !region.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Err(format!("`{region}` is not an AWS region name"));
        }
        let mut tf_used = BTreeSet::new();
        let mut var_used = BTreeSet::new();
        let mut groups = Vec::with_capacity(policy.groups.len());
        for g in &policy.groups {
            let name = names::group_name(g)?;
            let tf = unique(&mut tf_used, names::tf_ident(&g.id));
            let var = unique(&mut var_used, format!("SG_{}", names::shell_ident(&g.id)));
            groups.push(SgGroup { group: g, name, description: names::group_description(g), tf, var });
        }
        let names_seen: BTreeSet<&str> = groups.iter().map(|g| g.name.as_str()).collect();
        if names_seen.len() != groups.len() {
            return Err("two groups have the same security-group name".into());
        }
        let index = |id: &str| policy.groups.iter().position(|g| g.id == id);
        let mode = policy.deployment.public;
        let fronted: Vec<usize> = if matches!(mode, PublicMode::MultiEdge | PublicMode::ApiGateway) {
            groups
                .iter()
                .enumerate()
                .filter(|(_, g)| g.group.tier == Tier::Public && g.group.kind == Some(WorkloadKind::LoadBalancer))
                .map(|(i, _)| i)
                .collect()
        } else {
            vec![]
        };
        let link = (mode == PublicMode::ApiGateway && !fronted.is_empty()).then(|| {
            let name = format!("{}-public-apigw-link-sg", names::tag_value(&policy.deployment.env));
            EdgeLinkGroup {
                description: names::aws_text(&format!("API Gateway VPC link of {} to the public load balancer", policy.deployment.env)),
                tf: unique(&mut tf_used, "apigw_vpc_link".into()),
                var: unique(&mut var_used, "SG_APIGW_VPC_LINK".into()),
                name,
            }
        });
        if let Some(l) = &link {
            if names_seen.contains(l.name.as_str()) || names::group_name_problem(&l.name).is_some() {
                return Err(format!("the VPC-link security group `{}` collides with a workload group or is not a valid name", l.name));
            }
        }
        let mut edge = Edge { mode, fronted, link, link_rules: vec![], dropped: vec![] };
        let mut fronted_seen = BTreeSet::new();
        let mut rule_used = BTreeSet::new();
        let mut rules = Vec::with_capacity(policy.rules.len());
        for r in &policy.rules {
            let group = index(&r.group).ok_or_else(|| format!("rule `{}` belongs to unknown group `{}`", r.id, r.group))?;
            let is_fronted = r.direction == Direction::Ingress && r.peer.is_internet() && edge.fronted.contains(&group);
            if is_fronted && !fronted_seen.insert((group, r.ports)) {
                edge.dropped.push(r.id.clone());
                continue;
            }
            let peer = match &r.peer {
                _ if is_fronted && mode == PublicMode::MultiEdge => SgPeer::CloudFront,
                _ if is_fronted => SgPeer::EdgeLink,
                Peer::Group { id } => {
                    SgPeer::Group(index(id).ok_or_else(|| format!("rule `{}` references unknown group `{id}`", r.id))?)
                }
                Peer::Cidr { cidr, .. } => SgPeer::Cidr(cidr.trunc()),
            };
            let v6 = matches!(peer, SgPeer::Cidr(IpNet::V6(_)));
            let (protocol, ports) = match r.ports.proto {
                Proto::Tcp => ("tcp", Some((i32::from(r.ports.from), i32::from(r.ports.to)))),
                Proto::Udp => ("udp", Some((i32::from(r.ports.from), i32::from(r.ports.to)))),
                Proto::Icmp if v6 => ("icmpv6", Some((-1, -1))),
                Proto::Icmp => ("icmp", Some((-1, -1))),
                Proto::All => ("-1", None),
            };
            let text = match peer {
                SgPeer::CloudFront => Description { source: "cloudfront".into(), ..r.description.clone() },
                SgPeer::EdgeLink => Description { source: "apigw-vpc-link".into(), ..r.description.clone() },
                _ => r.description.clone(),
            };
            let mut description = names::rule_description(&text);
            if description.is_empty() {
                description = names::aws_text(&format!("{} {} {}", r.group, r.direction_word(), r.ports));
            }
            let tf = unique(&mut rule_used, names::tf_ident(&r.id));
            let mut skips = vec![];
            if let SgPeer::Cidr(n) = peer {
                // Checkov's internet-ingress checks: 22 and 3389 (CKV_AWS_24/25) never reach
                // here (refused by the core), port 80 (CKV_AWS_260) is a deliberate exception.
                // On `aws_vpc_security_group_ingress_rule` CKV_AWS_260 reads `cidr_ipv4` only
                // (checkov 3.3 passes the `::/0` twin), so only the IPv4 rule carries the skip.
                if r.direction == Direction::Ingress && matches!(n, IpNet::V4(v) if v.prefix_len() == 0) && ports.is_none_or(|(f, t)| f <= 80 && 80 <= t && protocol == "tcp") {
                    skips.push(CheckovSkip { check: "CKV_AWS_260", reason: skip_reason(&r.description.purpose) });
                }
                // ICMP from the internet (a declared flow: path MTU discovery, probes) has
                // ports -1 (every ICMP type), which CKV_AWS_277 reads as "all ports".
                if r.direction == Direction::Ingress && matches!(n, IpNet::V4(v) if v.prefix_len() == 0) && protocol == "icmp" {
                    skips.push(CheckovSkip { check: "CKV_AWS_277", reason: skip_reason(&r.description.purpose) });
                }
            }
            let peer_name = match peer {
                SgPeer::Group(p) => Some(format!("the {} security group", groups[p].name)),
                SgPeer::EdgeLink => Some("the API Gateway VPC link security group".to_string()),
                SgPeer::CloudFront => Some("the CloudFront origin-facing prefix list".to_string()),
                SgPeer::Cidr(_) => None,
            };
            if let Some(peer_name) = peer_name {
                skips.extend(reference_skips(r.direction, ports, &peer_name, &r.description.purpose));
            }
            if peer == SgPeer::EdgeLink {
                let lb = &groups[group];
                let d = Description { source: "apigw-vpc-link".into(), destination: lb.group.id.clone(), ..r.description.clone() };
                edge.link_rules.push(EdgeLinkRule {
                    lb: group,
                    tf: unique(&mut rule_used, format!("apigw_vpc_link_to_{}", names::tf_ident(&r.id))),
                    protocol,
                    ports,
                    description: names::rule_description(&d),
                    skips: reference_skips(Direction::Egress, ports, &format!("the {} security group", lb.name), &r.description.purpose),
                });
            }
            rules.push(SgRule { rule: r, group, tf, peer, protocol, ports, description, skips });
        }
        Ok(Plan { policy, region, groups, rules, edge })
    }

    /// Rules of group `g` in one direction, in policy order.
    pub fn rules_of(&self, g: usize, dir: Direction) -> impl Iterator<Item = &SgRule<'a>> + '_ {
        self.rules.iter().filter(move |r| r.group == g && r.rule.direction == dir)
    }
}

trait DirectionWord {
    fn direction_word(&self) -> &'static str;
}

impl DirectionWord for Rule {
    fn direction_word(&self) -> &'static str {
        match self.direction {
            Direction::Ingress => "ingress",
            Direction::Egress => "egress",
        }
    }
}

/// A checkov skip reason: one line of letters, digits, spaces and `.,-_/()`, at most 200
/// characters.
pub fn skip_reason(purpose: &str) -> String {
    let mapped: String =
        purpose.chars().map(|c| if c.is_ascii_alphanumeric() || " .,-_/()".contains(c) { c } else { ' ' }).collect();
    let words: Vec<&str> = mapped.split_whitespace().collect();
    let s = names::truncate(&words.join(" "), 200).trim().to_string();
    if s.is_empty() {
        "deliberate internet exposure".into()
    } else {
        s
    }
}

/// checkov's open-port checks (CKV_AWS_24/25/260/277 ingress, CKV_AWS_382 egress) read a
/// rule with ports but no CIDR as open to the world. A rule whose peer is a security group
/// or a managed prefix list (`peer`) is not, so each check that would misfire on it is
/// skipped, the flow's purpose and the peer as the reason. (Without ports, protocol `-1`,
/// the checks pass by themselves.)
fn reference_skips(direction: Direction, ports: Option<(i32, i32)>, peer: &str, purpose: &str) -> Vec<CheckovSkip> {
    let Some((from, to)) = ports else { return vec![] };
    let (checks, side): (&[(i32, &'static str)], &str) = match direction {
        Direction::Ingress => (&[(22, "CKV_AWS_24"), (3389, "CKV_AWS_25"), (80, "CKV_AWS_260"), (-1, "CKV_AWS_277")], "source"),
        Direction::Egress => (&[(-1, "CKV_AWS_382")], "destination"),
    };
    checks
        .iter()
        .filter(|(port, _)| from <= *port && *port <= to)
        .map(|&(_, check)| CheckovSkip { check, reason: skip_reason(&format!("{purpose} - the {side} is {peer}, not an address range")) })
        .collect()
}

/// `base`, or `base_2`, `base_3`... so that every identifier is used once.
fn unique(used: &mut BTreeSet<String>, base: String) -> String {
    let mut candidate = base.clone();
    let mut n = 2;
    while used.contains(&candidate) {
        candidate = format!("{base}_{n}");
        n += 1;
    }
    used.insert(candidate.clone());
    candidate
}
