//! The compiler: a validated [`Profile`] -> the provider-neutral [`Policy`].
//!
//! Owns the meaning of flows (one rule per side and per port range), of `[[egress]]`
//! entries (CIDR rules or an FQDN allow-list entry), of private endpoints (the shared
//! endpoint group and its consumers' 443/tcp rules) and the stable rule ids that
//! providers use as resource names.
//!
//! Two flows (or a flow and an `[[egress]]` entry) that ask for the very same rule
//! (group, direction, peer group or address, ports) give one rule: the first one, with
//! the other purposes and owners appended to its description. Real filters refuse or
//! duplicate identical rules; the ids of distinct rules never depend on such merges.
//!
//! Endpoint consumers: every workload of a compute kind (`containers`, `vm`,
//! `kubernetes`, `function`) outside the public tier. Those are the workloads that run
//! code calling cloud APIs; load balancers and managed datastores do not, and the public
//! tier holds only edge components that have no business reaching private endpoints.

use crate::policy::{
    Controls, EndpointRestriction, FlowLogSettings, RegionPlacement, VpnSettings,
    Access, DenyEntry, DeploymentInfo, Description, Direction, EndpointService, ExternalParty,
    FqdnEgress, Group, KubernetesScope, Peer, Policy, Rule, RuleSource, SpokeInfo, ENDPOINTS_GROUP,
    INTERNET,
};
use crate::ports::{PortRange, Proto};
use crate::profile::{EndpointRef, Profile, Tier, WorkloadKind};
use crate::source::{Location, Span};
use ipnet::IpNet;
use std::collections::{BTreeMap, BTreeSet};

/// The CIDRs that stand for "the internet": every IPv4 and every IPv6 address.
pub fn internet_cidrs() -> Vec<IpNet> {
    vec![
        "0.0.0.0/0".parse().expect("valid v4 any"),
        "::/0".parse().expect("valid v6 any"),
    ]
}

/// The port endpoint consumers reach the private endpoints on.
pub const ENDPOINT_PORT: PortRange = PortRange {
    proto: Proto::Tcp,
    from: 443,
    to: 443,
};

/// Does a workload of this kind, in this tier, consume the private endpoints?
pub fn is_endpoint_consumer(kind: WorkloadKind, tier: Tier) -> bool {
    tier != Tier::Public
        && matches!(
            kind,
            WorkloadKind::Containers
                | WorkloadKind::Vm
                | WorkloadKind::Kubernetes
                | WorkloadKind::Function
        )
}

/// Compiles a validated profile. Never fails: validation has refused whatever could not
/// be compiled; the mandatory rules are checked on the result ([`crate::rules`]).
pub fn compile(profile: &Profile) -> Policy {
    let loc = |span: Span| profile.sources.locate(span);
    let dep = &profile.deployment;
    let env = dep.env.value.clone();
    let default_owner = dep.owner.value.clone();

    let deployment = DeploymentInfo {
        name: dep.name.value.clone(),
        env: env.clone(),
        providers: dep.providers.iter().map(|p| p.value.clone()).collect(),
        region: dep.region.as_ref().map(|r| r.value.clone()),
        regions: dep.regions.iter().map(|r| r.value.clone()).collect(),
        topology: dep.topology.value,
        compliance: dep.compliance.iter().map(|c| c.value).collect(),
        public: dep.public.value,
        owner: default_owner.clone(),
        availability_zones: dep.availability_zones.value,
        source: profile.path().display().to_string(),
    };

    let mut groups: Vec<Group> = profile
        .workloads
        .iter()
        .map(|w| Group {
            id: w.name.value.clone(),
            name: group_name(&env, w.tier.value, &w.name.value),
            tier: w.tier.value,
            kind: Some(w.kind.value),
            summary: format!(
                "{} ({}) in the {} tier",
                w.name.value,
                kind_phrase(w.kind.value),
                w.tier.value
            ),
            origin: loc(w.span),
        })
        .collect();
    groups.sort_by(|a, b| a.id.cmp(&b.id));

    let mut externals = vec![ExternalParty {
        name: INTERNET.to_string(),
        cidrs: internet_cidrs(),
        purpose: None,
        origin: loc(dep.span),
    }];
    externals.extend(profile.external.iter().map(|e| ExternalParty {
        name: e.name.value.clone(),
        cidrs: e.cidrs.iter().map(|c| c.value).collect(),
        purpose: e.purpose.as_ref().map(|p| p.value.clone()),
        origin: loc(e.span),
    }));

    let mut rules = RuleSet::default();

    // Flows: the destination's ingress and the source's egress, per port range.
    for (index, flow) in profile.flows.iter().enumerate() {
        let from = resolve(profile, &flow.from.value);
        let to = resolve(profile, &flow.to.value);
        let ports: Vec<(PortRange, Span)> = if flow.ports.is_empty() {
            match &to {
                End::Workload(w) => w
                    .kind
                    .value
                    .default_port()
                    .map(|p| vec![(p, flow.ports_span)])
                    .unwrap_or_default(),
                _ => Vec::new(),
            }
        } else {
            flow.ports.iter().map(|p| (p.value, p.span)).collect()
        };
        let purpose = flow
            .purpose
            .as_ref()
            .map(|p| p.value.clone())
            .unwrap_or_default();
        let owner = flow
            .owner
            .as_ref()
            .map(|o| o.value.clone())
            .unwrap_or_else(|| default_owner.clone());
        let justification = flow.justification.as_ref().map(|j| j.value.clone());
        let source = RuleSource::Flow { index };
        for (range, span) in ports {
            let origin = loc(span);
            let description = Description {
                source: from.name(),
                destination: to.name(),
                ports: range.to_string(),
                purpose: purpose.clone(),
                owner: owner.clone(),
            };
            if let End::Workload(dst) = &to {
                for (peer, token) in peers_of(&from) {
                    let group = dst.name.value.clone();
                    let base = format!("{}_in_from_{}_{}", group, token, ports_token(range));
                    rules.push_placed(
                        &base,
                        Rule {
                            id: String::new(),
                            group,
                            direction: Direction::Ingress,
                            peer,
                            ports: range,
                            description: description.clone(),
                            justification: justification.clone(),
                            source: source.clone(),
                            origin: origin.clone(),
                        },
                        flow.across_regions.value,
                    );
                }
            }
            if let End::Workload(src) = &from {
                for (peer, token) in peers_of(&to) {
                    let group = src.name.value.clone();
                    let base = format!("{}_out_to_{}_{}", group, token, ports_token(range));
                    rules.push_placed(
                        &base,
                        Rule {
                            id: String::new(),
                            group,
                            direction: Direction::Egress,
                            peer,
                            ports: range,
                            description: description.clone(),
                            justification: justification.clone(),
                            source: source.clone(),
                            origin: origin.clone(),
                        },
                        flow.across_regions.value,
                    );
                }
            }
        }
    }

    // [[egress]]: CIDR destinations become rules, FQDN destinations an allow-list entry.
    let mut fqdn_egress = Vec::new();
    for (index, eg) in profile.egress.iter().enumerate() {
        let ports: Vec<(PortRange, Span)> = if eg.ports.is_empty() {
            vec![(PortRange::tcp(443), eg.ports_span)]
        } else {
            eg.ports.iter().map(|p| (p.value, p.span)).collect()
        };
        let purpose = eg
            .purpose
            .as_ref()
            .map(|p| p.value.clone())
            .unwrap_or_default();
        let owner = eg
            .owner
            .as_ref()
            .map(|o| o.value.clone())
            .unwrap_or_else(|| default_owner.clone());
        let group = eg.from.value.clone();
        for cidr in &eg.cidrs {
            for (range, span) in &ports {
                let base = format!(
                    "{}_out_to_{}_{}",
                    group,
                    cidr_token(&cidr.value),
                    ports_token(*range)
                );
                rules.push(
                    &base,
                    Rule {
                        id: String::new(),
                        group: group.clone(),
                        direction: Direction::Egress,
                        peer: Peer::Cidr {
                            cidr: cidr.value,
                            party: cidr.value.to_string(),
                        },
                        ports: *range,
                        description: Description {
                            source: group.clone(),
                            destination: cidr.value.to_string(),
                            ports: range.to_string(),
                            purpose: purpose.clone(),
                            owner: owner.clone(),
                        },
                        justification: None,
                        source: RuleSource::Egress { index },
                        origin: loc(*span),
                    },
                );
            }
        }
        if !eg.fqdns.is_empty() {
            let fqdns = dedup_fqdns(eg.fqdns.iter().map(|f| f.value.as_str()));
            let port_list: Vec<PortRange> = ports.iter().map(|(p, _)| *p).collect();
            fqdn_egress.push(FqdnEgress {
                group: group.clone(),
                description: Description {
                    source: group.clone(),
                    destination: fqdns.join(", "),
                    ports: port_list
                        .iter()
                        .map(|p| p.to_string())
                        .collect::<Vec<_>>()
                        .join(", "),
                    purpose: purpose.clone(),
                    owner: owner.clone(),
                },
                fqdns,
                ports: port_list,
                origin: loc(eg.fqdns[0].span),
            });
        }
    }

    let access = Access {
        strategy: dep.bastion.as_ref().map(|b| b.value),
        per_tier: profile.access.iter().map(|(t, b)| (*t, b.value)).collect(),
        origin: loc(dep.bastion.as_ref().map(|b| b.span).unwrap_or(dep.span)),
    };

    let placement = RegionPlacement {
        groups: profile
            .workloads
            .iter()
            .filter(|w| !w.regions.is_empty())
            .map(|w| (w.name.value.clone(), w.regions.iter().map(|r| r.value.clone()).collect()))
            .collect(),
        across_rules: rules.across.clone(),
    };
    let mut policy = Policy {
        deployment,
        groups,
        rules: rules.rules,
        externals,
        fqdn_egress,
        endpoints: Vec::new(),
        access,
        deny: profile
            .deny
            .iter()
            .map(|d| DenyEntry {
                cidrs: d.cidrs.iter().map(|c| c.value).collect(),
                purpose: d
                    .purpose
                    .as_ref()
                    .map(|p| p.value.clone())
                    .unwrap_or_default(),
                origin: loc(d.span),
            })
            .collect(),
        kubernetes: profile.kubernetes.as_ref().map(|k| KubernetesScope {
            namespace: k.namespace.value.clone(),
            ingress_namespace: k.ingress_namespace.as_ref().map(|n| n.value.clone()),
            workloads: k.workloads.iter().map(|w| w.value.clone()).collect(),
            origin: loc(k.span),
        }),
        spokes: profile
            .spokes
            .iter()
            .map(|s| SpokeInfo {
                name: s.name.value.clone(),
                workloads: s.workloads.iter().map(|w| w.value.clone()).collect(),
            })
            .collect(),
        hosts: profile
            .hosts
            .iter()
            .map(|(k, v)| (k.clone(), v.value.iter().map(|a| a.value).collect()))
            .collect::<BTreeMap<_, _>>(),
        controls: controls(profile),
        placement,
    };

    // Private endpoints listed by the user.
    let pe = &profile.private_endpoints;
    for svc in &pe.services {
        add_service(&mut policy, &svc.value, false, loc(svc.span));
    }
    if !policy.endpoints.is_empty() {
        let origin = loc(pe.span.unwrap_or(pe.services[0].span));
        ensure_endpoint_group(&mut policy, origin);
    }
    policy
}

/// The settings of the controls beyond groups and rules, defaults already applied by the
/// parser.
fn controls(profile: &Profile) -> Controls {
    let loc = |span: Span| profile.sources.locate(span);
    let fl = &profile.flow_logs;
    Controls {
        egress_mode: profile.egress_filtering.mode.value,
        egress_log_retention_days: profile.egress_filtering.log_retention_days.value,
        flow_logs: fl.enabled.value.then(|| FlowLogSettings {
            destination: fl.destination.value,
            retention_days: fl.retention_days.value,
            traffic: fl.traffic.value,
            origin: loc(fl.enabled.span),
        }),
        vpn: profile.vpn.as_ref().map(|v| VpnSettings {
            client_cidr: v.client_cidr.value,
            split_tunnel: v.split_tunnel.value,
            origin: loc(v.span),
        }),
        session_idle_timeout_minutes: profile.session_logging.idle_timeout_minutes.value,
        session_log_retention_days: profile.session_logging.retention_days.value,
        endpoint_restrictions: profile
            .private_endpoints
            .restrict
            .iter()
            .map(|r| EndpointRestriction {
                service: r.service.value.clone(),
                resources: r.resources.iter().map(|x| x.value.clone()).collect(),
                actions: r.actions.iter().map(|x| x.value.clone()).collect(),
                origin: loc(r.span),
            })
            .collect(),
    }
}

/// Adds private endpoint services that a provider's access strategy needs (e.g. the
/// endpoints a managed-shell service reaches instances through), creating the shared
/// endpoint group and its consumers' 443/tcp rules if the profile listed none.
/// Providers call it on a clone of the Policy inside `render`.
///
/// Idempotent: a service already listed is not added again, the group and the consumer
/// rules exist at most once. The purpose of every endpoint rule is refreshed to name
/// all the services the endpoint group fronts.
pub fn add_endpoint_services(policy: &mut Policy, services: &[&str], for_access: bool) {
    let origin = policy.access.origin.clone();
    let mut added = false;
    for s in services {
        added |= add_service(policy, s, for_access, origin.clone());
    }
    if added || !policy.endpoints.is_empty() {
        let origin = policy
            .group(ENDPOINTS_GROUP)
            .map(|g| g.origin.clone())
            .unwrap_or(origin);
        ensure_endpoint_group(policy, origin);
    }
}

/// The provider-neutral group name `{env}-{tier}-{role}`.
pub fn group_name(env: &str, tier: Tier, role: &str) -> String {
    format!("{env}-{tier}-{role}")
}

/// Adds one service to the endpoint list (kept sorted); `false` if it was already there.
fn add_service(policy: &mut Policy, service: &str, for_access: bool, origin: Location) -> bool {
    if policy.endpoints.iter().any(|e| e.service == service) {
        return false;
    }
    policy.endpoints.push(EndpointService {
        service: service.to_string(),
        for_access,
        origin,
    });
    policy.endpoints.sort_by(|a, b| a.service.cmp(&b.service));
    true
}

/// Creates the endpoint group if missing, and every consumer's egress 443/tcp rule to it
/// with the matching ingress rule on the endpoint group; refreshes the rules' purpose.
fn ensure_endpoint_group(policy: &mut Policy, origin: Location) {
    if policy.endpoints.is_empty() {
        return;
    }
    let names: Vec<&str> = policy
        .endpoints
        .iter()
        .map(|e| e.service.as_str())
        .collect();
    let purpose = format!("private endpoint access: {}", names.join(", "));
    if policy.group(ENDPOINTS_GROUP).is_none() {
        policy.groups.push(Group {
            id: ENDPOINTS_GROUP.to_string(),
            name: format!(
                "{}-{}-{}",
                policy.deployment.env,
                Tier::Mgmt,
                ENDPOINTS_GROUP
            ),
            tier: Tier::Mgmt,
            kind: None,
            // Kept free of the service list: a group's description cannot change
            // without replacing the group on some platforms; the rules name the services.
            summary: "private endpoints of the cloud services the workloads use".to_string(),
            origin: origin.clone(),
        });
        policy.groups.sort_by(|a, b| a.id.cmp(&b.id));
    }
    let consumers: Vec<String> = policy
        .groups
        .iter()
        .filter(|g| g.kind.is_some_and(|k| is_endpoint_consumer(k, g.tier)))
        .map(|g| g.id.clone())
        .collect();
    let mut ids = IdAllocator::default();
    for r in &policy.rules {
        ids.used.insert(r.id.clone());
    }
    let owner = policy.deployment.owner.clone();
    for c in consumers {
        let desc = Description {
            source: c.clone(),
            destination: ENDPOINTS_GROUP.to_string(),
            ports: ENDPOINT_PORT.to_string(),
            purpose: purpose.clone(),
            owner: owner.clone(),
        };
        let sides = [
            (
                c.clone(),
                Direction::Egress,
                ENDPOINTS_GROUP.to_string(),
                format!(
                    "{}_out_to_{}_{}",
                    c,
                    ENDPOINTS_GROUP,
                    ports_token(ENDPOINT_PORT)
                ),
            ),
            (
                ENDPOINTS_GROUP.to_string(),
                Direction::Ingress,
                c.clone(),
                format!(
                    "{}_in_from_{}_{}",
                    ENDPOINTS_GROUP,
                    c,
                    ports_token(ENDPOINT_PORT)
                ),
            ),
        ];
        for (group, direction, peer_id, base) in sides {
            let exists = policy.rules.iter().any(|r| {
                r.source == RuleSource::Endpoint
                    && r.group == group
                    && r.direction == direction
                    && r.peer
                        == Peer::Group {
                            id: peer_id.clone(),
                        }
                    && r.ports == ENDPOINT_PORT
            });
            if exists {
                continue;
            }
            let id = ids.allocate(&base);
            policy.rules.push(Rule {
                id,
                group,
                direction,
                peer: Peer::Group { id: peer_id },
                ports: ENDPOINT_PORT,
                description: desc.clone(),
                justification: None,
                source: RuleSource::Endpoint,
                origin: origin.clone(),
            });
        }
    }
    for r in policy
        .rules
        .iter_mut()
        .filter(|r| r.source == RuleSource::Endpoint)
    {
        r.description.purpose = purpose.clone();
    }
}

/// A flow endpoint resolved against the profile.
enum End<'a> {
    Internet,
    Workload(&'a crate::profile::Workload),
    External(&'a crate::profile::External),
    /// A name validation should have refused; compiled as nothing.
    Unknown(String),
}

impl End<'_> {
    fn name(&self) -> String {
        match self {
            End::Internet => INTERNET.to_string(),
            End::Workload(w) => w.name.value.clone(),
            End::External(e) => e.name.value.clone(),
            End::Unknown(n) => n.clone(),
        }
    }
}

fn resolve<'a>(profile: &'a Profile, r: &EndpointRef) -> End<'a> {
    match r {
        EndpointRef::Internet => End::Internet,
        EndpointRef::Named(n) if n == INTERNET => End::Internet,
        EndpointRef::Named(n) => {
            if let Some(w) = profile.workload(n) {
                End::Workload(w)
            } else if let Some(e) = profile.external.iter().find(|e| e.name.value == *n) {
                End::External(e)
            } else {
                End::Unknown(n.clone())
            }
        }
    }
}

/// The peers a rule toward/from this end references, with their id token.
fn peers_of(end: &End<'_>) -> Vec<(Peer, String)> {
    match end {
        End::Workload(w) => vec![(
            Peer::Group {
                id: w.name.value.clone(),
            },
            sanitize(&w.name.value),
        )],
        End::Internet => internet_cidrs()
            .into_iter()
            .map(|c| {
                let token = if c.addr().is_ipv4() {
                    "internet_v4"
                } else {
                    "internet_v6"
                };
                (
                    Peer::Cidr {
                        cidr: c,
                        party: INTERNET.to_string(),
                    },
                    token.to_string(),
                )
            })
            .collect(),
        End::External(e) => e
            .cidrs
            .iter()
            .map(|c| {
                (
                    Peer::Cidr {
                        cidr: c.value,
                        party: e.name.value.clone(),
                    },
                    format!("{}_{}", sanitize(&e.name.value), cidr_token(&c.value)),
                )
            })
            .collect(),
        End::Unknown(_) => Vec::new(),
    }
}

/// `443_tcp`, `8000_8100_tcp`, `icmp`, `all`.
pub fn ports_token(p: PortRange) -> String {
    match p.proto {
        Proto::All => "all".to_string(),
        Proto::Icmp => "icmp".to_string(),
        proto if p.from == p.to => format!("{}_{}", p.from, proto.as_str()),
        proto => format!("{}_{}_{}", p.from, p.to, proto.as_str()),
    }
}

/// `13.55.0.0/16` -> `13_55_0_0_16`; `2001:db8::/32` -> `2001_db8_32`; `fd00::1/128`
/// -> `fd00__1_128` (an inner `::` stays visible, a trailing one is implied).
pub fn cidr_token(c: &IpNet) -> String {
    let addr: String = c
        .addr()
        .to_string()
        .to_ascii_lowercase()
        .chars()
        .map(|ch| if ch.is_ascii_alphanumeric() { ch } else { '_' })
        .collect();
    format!("{}_{}", addr.trim_end_matches('_'), c.prefix_len())
        .trim_matches('_')
        .to_string()
}

/// Lowercase `[a-z0-9_]`, runs of other characters become one `_`.
fn sanitize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        let c = ch.to_ascii_lowercase();
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            out.push(c);
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    out.trim_matches('_').to_string()
}

/// The rules being compiled: one rule per (group, direction, peer address or group,
/// ports). A second flow or egress entry that asks for exactly the same rule adds its
/// purpose and owner to the first rule's description instead of a duplicate rule (which
/// real filters refuse or keep twice).
#[derive(Default)]
struct RuleSet {
    ids: IdAllocator,
    rules: Vec<Rule>,
    seen: BTreeMap<(String, Direction, String, PortRange, bool), usize>,
    /// Ids of the rules of `across_regions = true` flows (kept apart from same-region ones).
    across: BTreeSet<String>,
}

impl RuleSet {
    fn push(&mut self, base: &str, rule: Rule) {
        self.push_placed(base, rule, false)
    }

    fn push_placed(&mut self, base: &str, mut rule: Rule, across_regions: bool) {
        let peer = match &rule.peer {
            Peer::Group { id } => format!("group:{id}"),
            Peer::Cidr { cidr, .. } => format!("cidr:{cidr}"),
        };
        let key = (rule.group.clone(), rule.direction, peer, rule.ports, across_regions);
        if let Some(&i) = self.seen.get(&key) {
            self.rules[i].absorb(&rule);
            return;
        }
        rule.id = self.ids.allocate(base);
        if across_regions {
            self.across.insert(rule.id.clone());
        }
        self.seen.insert(key, self.rules.len());
        self.rules.push(rule);
    }
}

/// Hands out unique rule ids: `[a-z0-9_]`, starting with a letter, `_2`, `_3` on collision.
#[derive(Default)]
struct IdAllocator {
    used: BTreeSet<String>,
}

impl IdAllocator {
    fn allocate(&mut self, base: &str) -> String {
        let mut base: String = base
            .chars()
            .map(|c| {
                let c = c.to_ascii_lowercase();
                if c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        if !base.starts_with(|c: char| c.is_ascii_lowercase()) {
            base = format!("r_{base}");
        }
        let mut id = base.clone();
        let mut n = 2;
        while self.used.contains(&id) {
            id = format!("{base}_{n}");
            n += 1;
        }
        self.used.insert(id.clone());
        id
    }
}

/// Removes exact duplicates (case-insensitive, trailing dot ignored) and names covered by
/// a domain entry (`.example.com` covers `example.com` and every subdomain); sorted,
/// lowercase, with `*.example.com` written in its equivalent `.example.com` form.
pub fn dedup_fqdns<'a>(fqdns: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let norm: BTreeSet<String> = fqdns
        .into_iter()
        .map(|f| {
            let f = f.trim().trim_end_matches('.').to_ascii_lowercase();
            match f.strip_prefix("*.") {
                Some(rest) => format!(".{rest}"),
                None => f,
            }
        })
        .filter(|f| !f.is_empty())
        .collect();
    let wildcards: Vec<&String> = norm.iter().filter(|f| f.starts_with('.')).collect();
    norm.iter()
        .filter(|f| {
            !wildcards.iter().any(|w| {
                // w = ".example.com": covers "example.com", "a.example.com", ".a.example.com"
                *f != *w && (f.ends_with(w.as_str()) || f.as_str() == &w[1..])
            })
        })
        .cloned()
        .collect()
}

fn kind_phrase(k: WorkloadKind) -> &'static str {
    match k {
        WorkloadKind::LoadBalancer => "load balancer",
        WorkloadKind::Containers => "containers",
        WorkloadKind::Vm => "virtual machines",
        WorkloadKind::Kubernetes => "Kubernetes workloads",
        WorkloadKind::Function => "serverless functions",
        WorkloadKind::Postgres => "PostgreSQL database",
        WorkloadKind::Mysql => "MySQL database",
        WorkloadKind::Mssql => "SQL Server database",
        WorkloadKind::Redis => "Redis cache",
        WorkloadKind::Mongodb => "MongoDB database",
        WorkloadKind::Elasticsearch => "Elasticsearch cluster",
        WorkloadKind::Memcached => "Memcached cache",
        WorkloadKind::Kibana => "Kibana dashboard",
        WorkloadKind::Cassandra => "Cassandra cluster",
        WorkloadKind::Etcd => "etcd cluster",
        WorkloadKind::Consul => "Consul cluster",
        WorkloadKind::Http => "HTTP service",
        WorkloadKind::Https => "HTTPS service",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fqdns_are_deduplicated_and_sorted() {
        let got = dedup_fqdns([
            "b.example.com",
            "*.example.com",
            ".example.com",
            "example.com",
            "api.stripe.com",
            "API.stripe.com",
            "x.org.",
        ]);
        assert_eq!(got, vec![".example.com", "api.stripe.com", "x.org"]);
    }

    #[test]
    fn tokens() {
        assert_eq!(cidr_token(&"13.55.0.0/16".parse().unwrap()), "13_55_0_0_16");
        assert_eq!(cidr_token(&"2001:db8::/32".parse().unwrap()), "2001_db8_32");
        assert_eq!(cidr_token(&"fd00::1/128".parse().unwrap()), "fd00__1_128");
        assert_eq!(
            ports_token(PortRange::parse("8000-8100/tcp").unwrap()),
            "8000_8100_tcp"
        );
        assert_eq!(ports_token(PortRange::ALL), "all");
        let mut ids = IdAllocator::default();
        assert_eq!(
            ids.allocate("1db_in_from_x_5432_tcp"),
            "r_1db_in_from_x_5432_tcp"
        );
        assert_eq!(ids.allocate("a-b_out"), "a_b_out");
        assert_eq!(ids.allocate("a_b_out"), "a_b_out_2");
    }
}
