//! What the file holds: the Policy's rules of the in-cluster workloads mapped onto
//! NetworkPolicy objects (no text yet; [`crate::emit`] writes them).
//!
//! Peer mapping, per Policy rule of an in-cluster workload:
//! - another in-cluster workload: `podSelector` on [`WORKLOAD_LABEL`] (same namespace);
//! - ingress from a public-tier group outside the cluster (the load balancer) when an
//!   ingress namespace is known: `namespaceSelector` on that namespace (the ingress
//!   controller receives the load balancer's traffic and forwards it to the pods);
//! - any other group outside the cluster (a managed database, the private endpoints):
//!   `ipBlock` of the cluster-external ranges when the caller knows them, otherwise no
//!   peer at all: the rule is limited to its ports and the node-level filter (the
//!   security group of the nodes) restricts the other side;
//! - a CIDR (internet, external party, `[[egress]]` range): `ipBlock`;
//! - an FQDN allow-list entry: `ipBlock` of the public address space (private,
//!   link-local and shared ranges excepted) on its ports; host names are enforced by
//!   the egress filter outside the cluster.
//!
//! Never rendered (a comment says why): ICMP, which a NetworkPolicy cannot express, and
//! a rule on every protocol and port whose other side would be every address (a /0, or
//! an outside group whose addresses are unknown): it would open the pods completely.

use cloudwall_core::policy::{Direction, Peer, Policy, Rule};
use cloudwall_core::ports::{PortRange, Proto};
use cloudwall_core::profile::Tier;
use ipnet::IpNet;

use crate::text::{annotation_key, comment, dns_label};
use crate::Options;

/// The label that selects a workload's pods: `app.kubernetes.io/name=<workload>`.
pub const WORKLOAD_LABEL: &str = "app.kubernetes.io/name";
/// The immutable label every namespace carries with its own name.
pub const NAMESPACE_LABEL: &str = "kubernetes.io/metadata.name";
/// The label of the cluster DNS pods (CoreDNS / kube-dns convention).
pub const DNS_LABEL: (&str, &str) = ("k8s-app", "kube-dns");
/// The namespace of the cluster DNS.
pub const DNS_NAMESPACE: &str = "kube-system";

/// Address ranges that are not the public internet: excepted from the FQDN allow-list
/// blocks so that host-name egress cannot be used to reach private or link-local
/// addresses (the instance metadata service among them).
const NOT_PUBLIC_V4: &[&str] = &[
    "10.0.0.0/8",
    "100.64.0.0/10",
    "169.254.0.0/16",
    "172.16.0.0/12",
    "192.168.0.0/16",
];
const NOT_PUBLIC_V6: &[&str] = &["fc00::/7", "fe80::/10"];

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Doc {
    pub name: String,
    /// Comment lines written above the object.
    pub comments: Vec<String>,
    /// Annotation key -> value (rule id -> rule description), in rule order.
    pub annotations: Vec<(String, String)>,
    /// `None`: every pod of the namespace (`podSelector: {}`).
    pub workload: Option<String>,
    pub ingress: Option<Vec<Entry>>,
    pub egress: Option<Vec<Entry>>,
}

/// One line of an `ingress` / `egress` list: a rule, or a note on a rule not rendered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    Rule(Item),
    Note(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub comment: String,
    /// Empty: no `from`/`to` (any peer); only ever with non-empty `ports`.
    pub peers: Vec<Sel>,
    /// Empty: every port and protocol.
    pub ports: Vec<PortSpec>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sel {
    Pods {
        workload: String,
    },
    Namespace {
        name: String,
    },
    NamespacePods {
        namespace: String,
        key: String,
        value: String,
    },
    Block {
        cidr: IpNet,
        except: Vec<IpNet>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PortSpec {
    pub proto: &'static str,
    pub port: u16,
    pub end: Option<u16>,
}

/// The documents, in file order: default deny, DNS, then per workload its ingress and
/// egress policies. `None` without a `[kubernetes]` scope.
pub fn plan(policy: &Policy, opts: &Options) -> Option<Vec<Doc>> {
    let scope = policy.kubernetes.as_ref()?;
    let mut workloads: Vec<&str> = Vec::new();
    for w in &scope.workloads {
        if !workloads.contains(&w.as_str()) {
            workloads.push(w);
        }
    }
    let ctx = Ctx {
        policy,
        opts,
        workloads: &workloads,
        ingress_ns: scope.ingress_namespace.as_deref(),
    };

    let mut docs = vec![
        Doc {
            name: "default-deny-all".into(),
            comments: vec![
                "Every pod of the namespace: no traffic in or out unless a policy below allows it."
                    .into(),
            ],
            annotations: Vec::new(),
            workload: None,
            ingress: Some(Vec::new()),
            egress: Some(Vec::new()),
        },
        Doc {
            name: "allow-dns".into(),
            comments: vec![
                format!(
                    "Every pod of the namespace may resolve names: the cluster DNS pods ({}={}) in {}, UDP and TCP 53.",
                    DNS_LABEL.0, DNS_LABEL.1, DNS_NAMESPACE
                ),
                "k8s-app=kube-dns is the CoreDNS/kube-dns convention; check the DNS pods' labels on your distribution.".into(),
                "With NodeLocal DNSCache the pods ask a link-local address on their node instead: allow that address too.".into(),
            ],
            annotations: Vec::new(),
            workload: None,
            ingress: None,
            egress: Some(vec![Entry::Rule(Item {
                comment: "cluster DNS".into(),
                peers: vec![Sel::NamespacePods {
                    namespace: DNS_NAMESPACE.into(),
                    key: DNS_LABEL.0.into(),
                    value: DNS_LABEL.1.into(),
                }],
                ports: vec![
                    PortSpec { proto: "UDP", port: 53, end: None },
                    PortSpec { proto: "TCP", port: 53, end: None },
                ],
            })]),
        },
    ];

    for w in &workloads {
        for dir in [Direction::Ingress, Direction::Egress] {
            if let Some(doc) = ctx.workload_doc(w, dir) {
                docs.push(doc);
            }
        }
    }
    Some(docs)
}

struct Ctx<'a> {
    policy: &'a Policy,
    opts: &'a Options<'a>,
    workloads: &'a [&'a str],
    ingress_ns: Option<&'a str>,
}

impl Ctx<'_> {
    fn in_cluster(&self, id: &str) -> bool {
        self.workloads.contains(&id)
    }

    fn workload_doc(&self, w: &str, dir: Direction) -> Option<Doc> {
        let rules: Vec<&Rule> = self.policy.rules_of(w, dir).collect();
        let fqdns: Vec<_> = match dir {
            Direction::Egress => self
                .policy
                .fqdn_egress
                .iter()
                .filter(|f| f.group == w)
                .collect(),
            Direction::Ingress => Vec::new(),
        };
        if rules.is_empty() && fqdns.is_empty() {
            return None;
        }
        let mut annotations: Vec<(String, String)> = Vec::new();
        let mut entries = Vec::new();
        for r in rules {
            let key = unique_key(&annotations, &r.id);
            match self.item(r, &key) {
                Ok(item) => {
                    annotations.push((key, r.description.text()));
                    entries.push(Entry::Rule(item));
                }
                Err(note) => entries.push(Entry::Note(note)),
            }
        }
        for (i, f) in fqdns.into_iter().enumerate() {
            let key = unique_key(&annotations, &format!("{w}_out_to_fqdn_{}", i + 1));
            let mut ports = Vec::new();
            for p in &f.ports {
                match port_specs(*p) {
                    PortsOr::Ports(specs) if !specs.is_empty() => {
                        for s in specs {
                            if !ports.contains(&s) {
                                ports.push(s);
                            }
                        }
                    }
                    PortsOr::Ports(_) => entries.push(Entry::Note(format!(
                        "{key}: not rendered on `all`: every port to every public address would be open; name the ports of the allow-list entry"
                    ))),
                    PortsOr::Skip(why) => {
                        entries.push(Entry::Note(format!("{key}: not rendered on {p}: {why}")))
                    }
                }
            }
            if !ports.is_empty() {
                annotations.push((key.clone(), f.description.text()));
                entries.push(Entry::Rule(Item {
                    comment: format!(
                        "{key}: host-name allow-list entry: public addresses only, the egress filter outside the cluster enforces the host names (behind an explicit forward proxy, allow the proxy's address instead)"
                    ),
                    peers: public_blocks(),
                    ports,
                }));
            }
        }
        let (prefix, what) = match dir {
            Direction::Ingress => ("allow-ingress-", "may receive"),
            Direction::Egress => ("allow-egress-", "may send"),
        };
        let doc = Doc {
            name: dns_label(&format!("{prefix}{w}")),
            comments: vec![format!(
                "Pods labelled {WORKLOAD_LABEL}={}: what they {what}, one list item per rule (annotations give each rule's description).",
                comment(w)
            )],
            annotations,
            workload: Some(w.to_string()),
            ingress: None,
            egress: None,
        };
        Some(match dir {
            Direction::Ingress => Doc {
                ingress: Some(entries),
                ..doc
            },
            Direction::Egress => Doc {
                egress: Some(entries),
                ..doc
            },
        })
    }

    /// One Policy rule as a list item, or the note saying why it is not rendered.
    fn item(&self, r: &Rule, key: &str) -> Result<Item, String> {
        let ports = match port_specs(r.ports) {
            PortsOr::Ports(p) => p,
            PortsOr::Skip(why) => return Err(format!("{key}: not rendered: {why}")),
        };
        let all_ports = ports.is_empty();
        let inward = r.direction == Direction::Ingress;
        let (peers, comment_text) = match &r.peer {
            Peer::Group { id } if self.in_cluster(id) => (
                vec![Sel::Pods { workload: id.clone() }],
                format!("{key}: pods of {}", comment(id)),
            ),
            Peer::Group { id } if inward && self.is_public_group(id) && self.ingress_ns.is_some() => {
                let ns = self.ingress_ns.unwrap_or_default();
                (
                    vec![Sel::Namespace { name: ns.to_string() }],
                    format!(
                        "{key}: {} is the public entry point outside the cluster; its traffic arrives through the ingress controller in namespace {}",
                        comment(id),
                        comment(ns)
                    ),
                )
            }
            Peer::Group { id } => match self.opts.cluster_external_cidrs.filter(|c| !c.is_empty()) {
                Some(cidrs) => {
                    let peers: Vec<Sel> = cidrs
                        .iter()
                        .map(|c| Sel::Block { cidr: c.trunc(), except: Vec::new() })
                        .collect();
                    if all_ports && cidrs.iter().any(|c| c.prefix_len() == 0) {
                        return Err(format!(
                            "{key}: not rendered: every port and protocol to or from {} would be open to every address; the node-level filter carries this rule",
                            comment(id)
                        ));
                    }
                    (
                        peers,
                        format!(
                            "{key}: {} is outside the cluster: limited to the networks outside the cluster",
                            comment(id)
                        ),
                    )
                }
                None if all_ports => {
                    return Err(format!(
                        "{key}: not rendered: {} is outside the cluster and its addresses are not known here, so every port and protocol would be open to every address; name the ports in the profile (the node-level filter carries this rule)",
                        comment(id)
                    ))
                }
                None => (
                    Vec::new(),
                    format!(
                        "{key}: {} is outside the cluster, its addresses are not known here: port only; the node-level filter restricts the {}",
                        comment(id),
                        if inward { "source" } else { "destination" }
                    ),
                ),
            },
            Peer::Cidr { cidr, party } => {
                if all_ports && cidr.prefix_len() == 0 {
                    return Err(format!(
                        "{key}: not rendered: every port and protocol with {cidr} would open the pods completely"
                    ));
                }
                let net = cidr.trunc().to_string();
                let text = if *party == cidr.to_string() || *party == net {
                    format!("{key}: {net}")
                } else {
                    format!("{key}: {} {net}", comment(party))
                };
                (vec![Sel::Block { cidr: cidr.trunc(), except: Vec::new() }], text)
            }
        };
        Ok(Item {
            comment: comment_text,
            peers,
            ports,
        })
    }

    fn is_public_group(&self, id: &str) -> bool {
        self.policy
            .group(id)
            .is_some_and(|g| g.tier == Tier::Public)
    }
}

enum PortsOr {
    /// Empty: every protocol and port.
    Ports(Vec<PortSpec>),
    Skip(&'static str),
}

fn port_specs(p: PortRange) -> PortsOr {
    let proto = match p.proto {
        Proto::All => return PortsOr::Ports(Vec::new()),
        Proto::Icmp => {
            return PortsOr::Skip(
                "ICMP cannot be expressed in a NetworkPolicy (TCP, UDP and SCTP only); the node-level filter carries it",
            )
        }
        Proto::Tcp => "TCP",
        Proto::Udp => "UDP",
    };
    if p.from == 0 || p.to < p.from {
        return PortsOr::Skip("the port range is invalid");
    }
    PortsOr::Ports(vec![PortSpec {
        proto,
        port: p.from,
        end: (p.to > p.from).then_some(p.to),
    }])
}

/// The public IPv4 and IPv6 address space, as two `ipBlock`s with exceptions.
fn public_blocks() -> Vec<Sel> {
    let parse =
        |list: &[&str]| -> Vec<IpNet> { list.iter().filter_map(|s| s.parse().ok()).collect() };
    vec![
        Sel::Block {
            cidr: "0.0.0.0/0".parse().expect("v4 any"),
            except: parse(NOT_PUBLIC_V4),
        },
        Sel::Block {
            cidr: "::/0".parse().expect("v6 any"),
            except: parse(NOT_PUBLIC_V6),
        },
    ]
}

/// An annotation key for `id` not yet used in `taken`.
fn unique_key(taken: &[(String, String)], id: &str) -> String {
    let base = annotation_key(id);
    let mut key = base.clone();
    let mut n = 2;
    while taken.iter().any(|(k, _)| *k == key) {
        let suffix = format!("_{n}");
        let head: String = base.chars().take(63 - suffix.len()).collect();
        key = annotation_key(&format!("{head}{suffix}"));
        n += 1;
    }
    key
}
