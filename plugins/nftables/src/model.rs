//! The Policy seen from the hosts: which workloads get a ruleset, the address set of
//! every group, and unique nft/file names for them.

use crate::escape::{file_stem, nft_ident, set_fragment};
use cloudwall_plugin_sdk::core::policy::Group;
use cloudwall_plugin_sdk::Policy;
use ipnet::IpNet;
use std::collections::{BTreeMap, BTreeSet};

/// A group's addresses, split by family and aggregated (no overlaps: nft interval sets
/// refuse overlapping elements).
#[derive(Debug, Clone)]
pub struct AddrSet {
    /// The set name without the family suffix, unique in every ruleset.
    pub base: String,
    /// The table of the group the addresses belong to (the set's comment).
    pub table: String,
    pub v4: Vec<IpNet>,
    pub v6: Vec<IpNet>,
}

impl AddrSet {
    pub fn name_v4(&self) -> String {
        format!("{}_v4", self.base)
    }
    pub fn name_v6(&self) -> String {
        format!("{}_v6", self.base)
    }
    pub fn is_empty(&self) -> bool {
        self.v4.is_empty() && self.v6.is_empty()
    }
    /// The families the set exists in: those with addresses; an address-less group keeps
    /// an empty IPv4 set, so that rules towards it are rendered (and match nothing).
    pub fn has_v4(&self) -> bool {
        !self.v4.is_empty() || self.is_empty()
    }
    pub fn has_v6(&self) -> bool {
        !self.v6.is_empty()
    }
}

/// A group: it gets a ruleset (its own addresses may be unknown: the ruleset does not
/// need them).
#[derive(Debug, Clone)]
pub struct Host<'a> {
    pub group: &'a Group,
    /// The nft table: `{env}-{tier}-{role}-fw`.
    pub table: String,
    /// `rulesets/<file_stem>.nft`.
    pub file_stem: String,
    pub addrs: AddrSet,
}

#[derive(Debug)]
pub struct Model<'a> {
    pub policy: &'a Policy,
    /// Every group, sorted by id.
    pub hosts: Vec<Host<'a>>,
    /// Group id -> its addresses (possibly none).
    pub sets: BTreeMap<String, AddrSet>,
    /// Groups with no `[hosts]` entry: rules towards them match nothing.
    pub without_hosts: Vec<&'a Group>,
}

/// Host bits cleared, sorted, deduplicated, and every prefix inside another one dropped
/// (nft interval sets refuse overlapping elements). Adjacent prefixes stay separate so
/// that each host address remains visible.
pub fn aggregate(nets: impl IntoIterator<Item = IpNet>) -> Vec<IpNet> {
    let mut list: Vec<IpNet> = nets.into_iter().map(|n| n.trunc()).collect();
    list.sort();
    list.dedup();
    let all = list.clone();
    list.retain(|n| !all.iter().any(|m| m != n && m.contains(n)));
    list
}

fn unique(base: String, taken: &mut BTreeSet<String>) -> String {
    let mut name = base.clone();
    let mut n = 2;
    while !taken.insert(name.clone()) {
        name = format!("{base}_{n}");
        n += 1;
    }
    name
}

impl<'a> Model<'a> {
    pub fn new(policy: &'a Policy) -> Self {
        let mut set_names = BTreeSet::new();
        let mut stems = BTreeSet::new();
        let mut sets = BTreeMap::new();
        let mut hosts = Vec::new();
        let mut without_hosts = Vec::new();
        let mut groups: Vec<&Group> = policy.groups.iter().collect();
        groups.sort_by(|a, b| a.id.cmp(&b.id));
        for g in groups {
            let nets = policy.hosts.get(&g.id).cloned().unwrap_or_default();
            let all = aggregate(nets);
            let table = nft_ident(&format!("{}-fw", g.name));
            let addrs = AddrSet {
                base: unique(format!("grp_{}", set_fragment(&g.id)), &mut set_names),
                table: table.clone(),
                v4: all
                    .iter()
                    .copied()
                    .filter(|n| matches!(n, IpNet::V4(_)))
                    .collect(),
                v6: all
                    .iter()
                    .copied()
                    .filter(|n| matches!(n, IpNet::V6(_)))
                    .collect(),
            };
            if addrs.is_empty() {
                without_hosts.push(g);
            }
            sets.insert(g.id.clone(), addrs.clone());
            hosts.push(Host {
                group: g,
                table,
                file_stem: unique(file_stem(&g.id), &mut stems),
                addrs,
            });
        }
        Model {
            policy,
            hosts,
            sets,
            without_hosts,
        }
    }
}

/// An address or prefix as nft prints it (a full-length prefix is a plain address).
pub fn nft_addr(n: &IpNet) -> String {
    if n.prefix_len() == n.max_prefix_len() {
        n.addr().to_string()
    } else {
        n.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aggregation_drops_contained_prefixes_only() {
        let nets = [
            "198.51.100.21/32",
            "198.51.100.20/32",
            "198.51.100.20/32",
            "10.0.0.0/8",
            "10.1.2.3/32",
            "10.9.9.9/16",
        ]
        .map(|s| s.parse::<IpNet>().unwrap());
        let got: Vec<String> = aggregate(nets).iter().map(nft_addr).collect();
        assert_eq!(got, vec!["10.0.0.0/8", "198.51.100.20", "198.51.100.21"]);
    }
}
