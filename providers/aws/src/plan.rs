//! The Policy seen through AWS: each group with its security-group name, description and
//! identifiers, each rule with its EC2 protocol, ports and peer. Terraform, the CLI
//! script and the report all render from this one plan, so they cannot disagree.

use crate::names;
use cloudwall_core::policy::{Direction, Group, Peer, Policy, Rule};
use cloudwall_core::ports::Proto;
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
        let mut rule_used = BTreeSet::new();
        let mut rules = Vec::with_capacity(policy.rules.len());
        for r in &policy.rules {
            let group = index(&r.group).ok_or_else(|| format!("rule `{}` belongs to unknown group `{}`", r.id, r.group))?;
            let peer = match &r.peer {
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
            let mut description = names::aws_text(&r.description.text());
            if description.is_empty() {
                description = names::aws_text(&format!("{} {} {}", r.group, r.direction_word(), r.ports));
            }
            let tf = unique(&mut rule_used, names::tf_ident(&r.id));
            rules.push(SgRule { rule: r, group, tf, peer, protocol, ports, description });
        }
        Ok(Plan { policy, region, groups, rules })
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
