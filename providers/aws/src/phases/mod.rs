//! The phases beyond the security groups. Each phase module turns the [`Plan`] into a
//! [`Contribution`]: its own Terraform file(s) (declaring any variables it needs in that
//! file), a fragment of `cli/apply.sh` that runs after the security groups exist, and a
//! section of `report.md`. `lib.rs` composes them; phases never edit each other's output.

pub mod access;
pub mod default_security_group;
pub mod edge;
pub mod egress;
pub mod endpoints;
pub mod flow_logs;
pub mod kubernetes;
pub mod nacls;
pub mod topology;
pub mod verify;

use crate::plan::Plan;
use cloudwall_core::provider::Phase;

/// What one phase adds to the AWS output.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Contribution {
    /// Files, relative to the provider folder (`terraform/nacls.tf`, `egress/squid.conf`...).
    pub files: Vec<(String, String)>,
    /// Bash appended to `cli/apply.sh` after the security groups: it may use the prelude's
    /// helpers (`ec2`, `authorize`...), `$REGION`, `$VPC_ID` and the group-id variables
    /// (`SgGroup::var`). Starts with a `# ...` heading comment; empty when nothing to do.
    pub script: String,
    /// A Markdown section (starting with `## `) appended to `report.md`; may be empty.
    pub report: String,
}

/// A phase's renderer.
pub type RenderPhase = fn(&Plan<'_>) -> Contribution;

/// The phases this provider renders beyond `Groups` and `Report`, in output order, with
/// the function that renders each. A phase is listed only once it really renders.
pub fn all() -> Vec<(Phase, RenderPhase)> {
    vec![
        (Phase::Groups, default_security_group::render),
        (Phase::Groups, edge::render),
        (Phase::Groups, topology::render),
        (Phase::Nacls, nacls::render),
        (Phase::Nacls, flow_logs::render),
        (Phase::Nacls, kubernetes::render),
        (Phase::Access, access::render),
        (Phase::Endpoints, endpoints::render),
        (Phase::Endpoints, topology::render_endpoint_dns),
        (Phase::Egress, egress::render),
        (Phase::Verify, verify::render),
    ]
}
