//! The Policy: the provider-neutral intermediate representation every provider renders.
//!
//! A Policy is what the profile *means*: one group per workload (plus the shared
//! endpoint group), one rule per (flow, port range) on each side of a flow, external
//! parties as CIDRs, the FQDN egress allow-list, the chosen access strategy and the
//! private endpoints. It is plain data (serde, no spans) so that it can cross the plugin
//! boundary as JSON; every rule keeps the profile [`Location`] it came from.

use crate::ports::PortRange;
use crate::profile::model::{
    Bastion, Compliance, EgressMode, FlowLogDestination, FlowLogTraffic, PublicMode, Tier, Topology, WorkloadKind,
};
use crate::source::Location;
use ipnet::IpNet;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The name of the synthetic group that fronts the private endpoints.
pub const ENDPOINTS_GROUP: &str = "endpoints";
/// The reserved flow endpoint meaning "anywhere on the internet".
pub const INTERNET: &str = "internet";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    pub deployment: DeploymentInfo,
    /// Sorted by id.
    pub groups: Vec<Group>,
    /// In profile order: flows, then egress entries, then endpoint and access rules.
    pub rules: Vec<Rule>,
    /// `internet` first, then the `[[external]]` parties in profile order.
    pub externals: Vec<ExternalParty>,
    /// FQDN egress allow-list entries (CIDR egress entries become rules).
    pub fqdn_egress: Vec<FqdnEgress>,
    /// Private endpoint services, as written (neutral or `provider:service`), sorted.
    pub endpoints: Vec<EndpointService>,
    pub access: Access,
    pub deny: Vec<DenyEntry>,
    pub kubernetes: Option<KubernetesScope>,
    pub spokes: Vec<SpokeInfo>,
    /// Workload id -> addresses (on-prem providers).
    pub hosts: BTreeMap<String, Vec<IpNet>>,
    /// Settings of the controls beyond groups and rules (egress filtering, flow logs,
    /// VPN, session logging, endpoint restrictions).
    #[serde(default)]
    pub controls: Controls,
    /// Where workloads run and which rules cross regions (`multi-region`); empty otherwise.
    #[serde(default)]
    pub placement: RegionPlacement,
}

/// The regions of a `multi-region` deployment's workloads and flows.
///
/// A rule whose id is not in `across_rules` applies inside each region where both its
/// group and its peer group run; a rule in `across_rules` connects its group in any of its
/// regions to the peer group in any of the peer's regions.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RegionPlacement {
    /// Workload group id -> the regions it runs in (empty map: not multi-region).
    /// Groups not listed (the endpoint group, provider-added groups) run in every region.
    pub groups: BTreeMap<String, Vec<String>>,
    /// Ids of the rules compiled from `across_regions = true` flows.
    pub across_rules: std::collections::BTreeSet<String>,
}

/// A rule of an `across_regions` flow seen from one region, toward a peer group in another
/// region: filters that cannot name a group in another region express the peer as that
/// region's address ranges of the peer's tier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrossRegionRule {
    /// The rule (merged with the rules of the same shape toward the same tier and region).
    pub rule: Rule,
    /// The region the peer group runs in (not the rule's own).
    pub peer_region: String,
    /// The peer group's tier.
    pub peer_tier: Tier,
}

impl RegionPlacement {
    /// Whether group `id` runs in `region` (always true outside `multi-region`).
    pub fn runs_in(&self, id: &str, region: &str) -> bool {
        self.groups.get(id).is_none_or(|rs| rs.iter().any(|r| r == region))
    }
}

/// Settings of the controls beyond groups and rules, with the profile's defaults applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Controls {
    /// How FQDN egress is enforced: a managed stateful firewall or a forward proxy.
    pub egress_mode: EgressMode,
    /// Retention of the egress filter's logs.
    pub egress_log_retention_days: u32,
    /// `None`: no flow logs.
    pub flow_logs: Option<FlowLogSettings>,
    /// The client VPN, when VPN access is used.
    pub vpn: Option<VpnSettings>,
    pub session_idle_timeout_minutes: u32,
    pub session_log_retention_days: u32,
    /// Endpoint policies: what may be reached through a private endpoint.
    pub endpoint_restrictions: Vec<EndpointRestriction>,
}

impl Default for Controls {
    fn default() -> Self {
        Controls {
            egress_mode: EgressMode::Firewall,
            egress_log_retention_days: 365,
            flow_logs: None,
            vpn: None,
            session_idle_timeout_minutes: 20,
            session_log_retention_days: 365,
            endpoint_restrictions: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlowLogSettings {
    pub destination: FlowLogDestination,
    pub retention_days: u32,
    pub traffic: FlowLogTraffic,
    pub origin: Location,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VpnSettings {
    pub client_cidr: IpNet,
    pub split_tunnel: bool,
    pub origin: Location,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndpointRestriction {
    /// The endpoint service as written (`object-storage`).
    pub service: String,
    /// Resource names (buckets...); empty = any.
    pub resources: Vec<String>,
    /// Neutral words (`read`, `write`, `list`, `delete`) or `prefix:Action`; empty = any.
    pub actions: Vec<String>,
    pub origin: Location,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeploymentInfo {
    pub name: String,
    pub env: String,
    pub providers: Vec<String>,
    /// `None`: the provider's default region.
    pub region: Option<String>,
    pub regions: Vec<String>,
    pub topology: Topology,
    pub compliance: Vec<Compliance>,
    pub public: PublicMode,
    pub owner: String,
    pub availability_zones: u32,
    /// The profile file the policy came from.
    pub source: String,
}

/// A set of workloads that share rules: a security group, an NSG/ASG, a firewall tag...
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Group {
    /// The workload name (the `{role}`), or [`ENDPOINTS_GROUP`].
    pub id: String,
    /// `{env}-{tier}-{role}`; providers append their suffix (`-sg`, `-nsg`, `-fw`).
    pub name: String,
    pub tier: Tier,
    /// `None` for the synthetic endpoint group.
    pub kind: Option<WorkloadKind>,
    /// One sentence on what the group is for.
    pub summary: String,
    pub origin: Location,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Ingress,
    Egress,
}

/// The other side of a rule.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Peer {
    /// Another group, by id: always how internal traffic is expressed (mandatory rule 2).
    Group { id: String },
    /// An external CIDR: the internet (`0.0.0.0/0`, `::/0`) or a declared party.
    Cidr { cidr: IpNet, party: String },
}

impl Peer {
    pub fn is_internet(&self) -> bool {
        matches!(self, Peer::Cidr { cidr, .. } if cidr.prefix_len() == 0)
    }
}

/// Why a rule exists, in the parts of the description template
/// `{source} -> {destination} : {port/proto} - {purpose} - {owner}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Description {
    pub source: String,
    pub destination: String,
    pub ports: String,
    pub purpose: String,
    pub owner: String,
}

impl Description {
    /// The description in the template, with plain ASCII separators.
    pub fn text(&self) -> String {
        format!(
            "{} -> {} : {} - {} - {}",
            self.source, self.destination, self.ports, self.purpose, self.owner
        )
    }
}

/// What produced a rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum RuleSource {
    /// The `index`-th `[[flow]]` (0-based).
    Flow { index: usize },
    /// The `index`-th `[[egress]]` (0-based).
    Egress { index: usize },
    /// Access to the private endpoints (`[private_endpoints]` or the bastion choice).
    Endpoint,
    /// Managed or VPN access to instances (the bastion choice).
    Access,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rule {
    /// Stable, unique, `[a-z0-9_]`: usable as a resource name.
    pub id: String,
    /// The group the rule belongs to.
    pub group: String,
    pub direction: Direction,
    pub peer: Peer,
    pub ports: PortRange,
    pub description: Description,
    /// Why a non-edge workload is exposed to the internet, when it is.
    pub justification: Option<String>,
    pub source: RuleSource,
    pub origin: Location,
}

impl Rule {
    /// Folds a rule of the same shape (group, direction, peer, ports) into this one: its
    /// purpose and owner join this rule's description (each once), and its justification
    /// is kept when this rule has none. Real filters refuse or keep a duplicate rule twice,
    /// so a second flow asking for the same rule is written as one.
    pub fn absorb(&mut self, dup: &Rule) {
        fn add(list: &mut String, item: &str, sep: &str) {
            let item = item.trim();
            if item.is_empty() || list.split(sep).any(|x| x.trim() == item) {
                return;
            }
            if list.trim().is_empty() {
                *list = item.to_string();
            } else {
                list.push_str(sep);
                list.push_str(item);
            }
        }
        add(&mut self.description.source, &dup.description.source, ", ");
        add(&mut self.description.destination, &dup.description.destination, ", ");
        add(&mut self.description.purpose, &dup.description.purpose, "; ");
        add(&mut self.description.owner, &dup.description.owner, ", ");
        let blank = |j: &Option<String>| j.as_deref().is_none_or(|j| j.trim().is_empty());
        if blank(&self.justification) && !blank(&dup.justification) {
            self.justification = dup.justification.clone();
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExternalParty {
    /// `internet` or the `[[external]]` name.
    pub name: String,
    pub cidrs: Vec<IpNet>,
    pub purpose: Option<String>,
    pub origin: Location,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FqdnEgress {
    /// Group id of the workload allowed out.
    pub group: String,
    /// As written: `api.example.com` (exact) or `.example.com` (apex and subdomains).
    pub fqdns: Vec<String>,
    pub ports: Vec<PortRange>,
    pub description: Description,
    pub origin: Location,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndpointService {
    /// As written in the profile: `object-storage`, or `aws:ecr.dkr`.
    pub service: String,
    /// `true` when added by the access strategy rather than listed by the user.
    pub for_access: bool,
    pub origin: Location,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Access {
    /// `None`: the provider's own managed access (SSM, Azure Bastion, IAP-TCP).
    pub strategy: Option<Bastion>,
    /// Per-tier choice when the strategy is `hybrid`.
    pub per_tier: BTreeMap<Tier, Bastion>,
    pub origin: Location,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DenyEntry {
    pub cidrs: Vec<IpNet>,
    pub purpose: String,
    pub origin: Location,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KubernetesScope {
    pub namespace: String,
    pub ingress_namespace: Option<String>,
    /// Group ids of the workloads that run on the cluster.
    pub workloads: Vec<String>,
    pub origin: Location,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpokeInfo {
    pub name: String,
    pub workloads: Vec<String>,
}

impl Policy {
    pub fn group(&self, id: &str) -> Option<&Group> {
        self.groups.iter().find(|g| g.id == id)
    }
    /// Rules that belong to a group, in one direction, in policy order.
    pub fn rules_of<'a>(&'a self, group: &'a str, dir: Direction) -> impl Iterator<Item = &'a Rule> + 'a {
        self.rules.iter().filter(move |r| r.group == group && r.direction == dir)
    }
    pub fn external(&self, name: &str) -> Option<&ExternalParty> {
        self.externals.iter().find(|e| e.name == name)
    }

    /// `multi-region` with its regions (the other topologies: one region, no placement).
    pub fn is_multi_region(&self) -> bool {
        self.deployment.topology == Topology::MultiRegion && !self.deployment.regions.is_empty()
    }

    /// The part of a `multi-region` Policy that applies inside `region`, as a one-region
    /// Policy (`deployment.region` set, `regions` and placement cleared): the groups that run
    /// there, and the rules whose group runs there and whose peer is an address range or a
    /// group that runs there too. A rule of an `across_regions` flow keeps its same-region
    /// part unless a same-region rule of the same shape already covers it; its parts toward
    /// other regions are [`Policy::cross_region_rules`].
    pub fn for_region(&self, region: &str) -> Policy {
        let pl = &self.placement;
        let here = |id: &str| pl.runs_in(id, region);
        let mut p = self.clone();
        p.deployment.region = Some(region.to_string());
        p.deployment.regions = Vec::new();
        p.placement = RegionPlacement::default();
        p.groups.retain(|g| here(&g.id));
        let shape = |r: &Rule| (r.group.clone(), r.direction, r.peer.clone(), r.ports);
        let mut kept = std::collections::BTreeSet::new();
        let mut rules = Vec::new();
        // Same-region rules first, then the same-region parts of cross-region rules.
        for across in [false, true] {
            for r in self.rules.iter().filter(|r| pl.across_rules.contains(&r.id) == across) {
                let peer_here = match &r.peer {
                    Peer::Group { id } => here(id),
                    Peer::Cidr { .. } => true,
                };
                if here(&r.group) && peer_here && kept.insert(shape(r)) {
                    rules.push(r.clone());
                }
            }
        }
        let order: BTreeMap<&str, usize> = self.rules.iter().enumerate().map(|(i, r)| (r.id.as_str(), i)).collect();
        rules.sort_by_key(|r| order[r.id.as_str()]);
        p.rules = rules;
        p.fqdn_egress.retain(|e| here(&e.group));
        if let Some(k) = &mut p.kubernetes {
            k.workloads.retain(|w| here(w));
        }
        p.hosts.retain(|w, _| here(w));
        p
    }

    /// The rules of `across_regions` flows whose group runs in `region`, once per other
    /// region their peer group runs in. Seen from one region, a peer in another region is
    /// that region's address ranges of the peer's tier, so rules that differ only in which
    /// group of that tier they name are one rule there: they are merged (descriptions
    /// joined, the first rule's id kept), never written twice.
    pub fn cross_region_rules(&self, region: &str) -> Vec<CrossRegionRule> {
        let pl = &self.placement;
        let mut out: Vec<CrossRegionRule> = Vec::new();
        let mut seen: BTreeMap<(String, Direction, PortRange, String, Tier), usize> = BTreeMap::new();
        for r in self.rules.iter().filter(|r| pl.across_rules.contains(&r.id) && pl.runs_in(&r.group, region)) {
            let Peer::Group { id } = &r.peer else { continue };
            let Some(peer) = self.group(id) else { continue };
            for other in self.deployment.regions.iter().filter(|o| *o != region && pl.runs_in(id, o)) {
                let key = (r.group.clone(), r.direction, r.ports, other.clone(), peer.tier);
                if let Some(&i) = seen.get(&key) {
                    out[i].rule.absorb(r);
                    continue;
                }
                seen.insert(key, out.len());
                out.push(CrossRegionRule { rule: r.clone(), peer_region: other.clone(), peer_tier: peer.tier });
            }
        }
        out
    }
}
