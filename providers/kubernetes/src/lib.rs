//! Kubernetes NetworkPolicies for the workloads of a Policy that run on a cluster
//! (`kubernetes/network-policies.yaml`), shared by every cloud provider.
//!
//! Security groups stop at the node; inside the cluster the same rules are written as
//! NetworkPolicies: a namespace-wide default deny (ingress and egress), DNS to the
//! cluster DNS, and per in-cluster workload one ingress and one egress policy with one
//! list item per Policy rule. Pods are selected by `app.kubernetes.io/name=<workload>`.
//! How each peer is mapped, and what is not rendered, is documented in [`plan`].
//!
//! Pure: no I/O, no clock; the same Policy and options always give the same text.

use cloudwall_core::policy::Policy;
use ipnet::IpNet;

mod emit;
pub mod plan;
pub mod text;

pub use plan::WORKLOAD_LABEL;

/// What the calling provider knows that the Policy does not.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options<'a> {
    /// How the provider's clusters enforce NetworkPolicies, e.g. "Amazon VPC CNI
    /// enforces NetworkPolicies only with network policy enabled (v1.14+,
    /// enableNetworkPolicy=true)". Written into the file's header.
    pub cni_note: &'a str,
    /// The address ranges where groups outside the cluster live (the VPC / VNet CIDR,
    /// the data subnets), when known at render time. Rules toward or from such groups
    /// are then limited to these ranges; `None` (or empty): to their ports only, the
    /// node-level filter restricting the other side.
    pub cluster_external_cidrs: Option<&'a [IpNet]>,
}

/// The NetworkPolicy manifests (multi-document YAML), or `None` when the Policy has no
/// Kubernetes scope.
pub fn render(policy: &Policy, opts: &Options) -> Option<String> {
    let scope = policy.kubernetes.as_ref()?;
    let docs = plan::plan(policy, opts)?;
    let header = header(policy, opts);
    Some(emit::file(
        &header,
        &scope.namespace,
        &part_of(policy),
        &docs,
    ))
}

/// The `app.kubernetes.io/part-of` label value: the deployment name, as a label value.
fn part_of(policy: &Policy) -> String {
    let name = &policy.deployment.name;
    let valid = !name.is_empty()
        && name.len() <= 63
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name.ends_with(|c: char| c.is_ascii_alphanumeric())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if valid {
        name.clone()
    } else {
        text::dns_label(name)
    }
}

fn header(policy: &Policy, opts: &Options) -> Vec<String> {
    let scope = policy.kubernetes.as_ref();
    let ns = scope.map(|s| s.namespace.as_str()).unwrap_or_default();
    let mut lines = vec![
        format!(
            "Kubernetes NetworkPolicies for namespace {} of deployment {} ({}).",
            text::comment(ns),
            text::comment(&policy.deployment.name),
            text::comment(&policy.deployment.env)
        ),
        "Security groups stop at the node; these policies filter the traffic of each pod.".into(),
        "Apply with: kubectl apply -f network-policies.yaml (the namespace must exist).".into(),
        String::new(),
        "Enforcement: the cluster's network plugin enforces NetworkPolicies. Without a plugin"
            .into(),
        "that implements them they are accepted by the API server and have no effect.".into(),
    ];
    lines.extend(
        opts.cni_note
            .lines()
            .map(str::to_string)
            .filter(|l| !l.trim().is_empty()),
    );
    lines.extend(
        [
            "",
            "Pods: label each workload's pods app.kubernetes.io/name=<workload>.",
            "Policies are additive: default-deny-all isolates every pod of the namespace, allow-dns",
            "opens the cluster DNS, allow-ingress-<workload> / allow-egress-<workload> open the",
            "profile's rules, one list item per rule (metadata.annotations: rule id -> description).",
            "",
            "Peers:",
            "- in-cluster workloads: podSelector on their label, in this namespace;",
            "- the public-tier load balancer, when an ingress namespace is given: that namespace",
            "  (the ingress controller forwards the load balancer's traffic to the pods);",
            "- CIDRs (internet, external parties, egress allow-list): ipBlock;",
            "- host-name allow-list entries: public addresses on the entry's ports (private,",
            "  shared and link-local ranges excepted); the egress filter enforces the names;",
        ]
        .map(String::from),
    );
    match opts.cluster_external_cidrs.filter(|c| !c.is_empty()) {
        Some(c) => {
            lines.push(
                "- groups outside the cluster (managed databases, private endpoints): ipBlock of"
                    .into(),
            );
            lines.push(format!(
                "  {} (the networks outside the cluster) on the rule's ports.",
                c.iter()
                    .map(|n| n.trunc().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        None => lines.extend(
            [
                "- groups outside the cluster (managed databases, private endpoints): the rule's",
                "  ports only, to or from any address. Their addresses are not known here; the",
                "  node-level filter (the nodes' security group / NSG / firewall rules) restricts",
                "  the other side. A rule on every port toward such a group is not rendered.",
            ]
            .map(String::from),
        ),
    }
    lines.push(
        "ICMP cannot be expressed in a NetworkPolicy: such rules stay with the node-level filter."
            .into(),
    );
    lines
}
