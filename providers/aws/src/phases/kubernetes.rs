//! Kubernetes NetworkPolicies for the workloads that run on a cluster
//! (`kubernetes/network-policies.yaml`, rendered by `cloudwall-kubernetes`), and the
//! report's note on what enforces them on EKS.

use crate::phases::Contribution;
use crate::plan::Plan;
use crate::report::md_cell;
use std::fmt::Write as _;

/// What enforces NetworkPolicies on an EKS cluster.
pub const CNI_NOTE: &str = "On EKS the Amazon VPC CNI enforces NetworkPolicies only when network policy is enabled (VPC CNI v1.14+, enableNetworkPolicy=true, Kubernetes 1.25+); Calico or Cilium also enforce them. Without an enforcing CNI these objects are accepted and ignored.";

pub fn render(plan: &Plan<'_>) -> Contribution {
    let opts = cloudwall_kubernetes::Options { cni_note: CNI_NOTE, cluster_external_cidrs: None };
    let (Some(scope), Some(yaml)) =
        (plan.policy.kubernetes.as_ref(), cloudwall_kubernetes::render(plan.policy, &opts))
    else {
        return Contribution::default();
    };
    let mut report = String::from("## Kubernetes NetworkPolicies\n\n");
    let _ = writeln!(
        report,
        "Security groups stop at the node: inside the cluster, `kubernetes/network-policies.yaml` applies the same rules to the pods of namespace `{}` (workloads: {}), with a namespace-wide default deny.\n",
        md_cell(&scope.namespace),
        md_cell(&scope.workloads.join(", "))
    );
    let _ = writeln!(report, "{}\n", md_cell(CNI_NOTE));
    Contribution { files: vec![("kubernetes/network-policies.yaml".into(), yaml)], script: String::new(), report }
}
