//! The phases beyond the security groups. Each phase module turns the [`Plan`] into a
//! [`Contribution`]: its own Terraform file(s) (declaring any variables it needs in that
//! file), a fragment of `cli/apply.sh` that runs after the security groups exist, and a
//! section of `report.md`. `lib.rs` composes them; phases never edit each other's output.

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

/// The phases this provider renders beyond `Groups` and `Report`, in output order, with
/// the function that renders each. A phase is listed only once it really renders.
pub fn all() -> Vec<(Phase, fn(&Plan<'_>) -> Contribution)> {
    vec![(Phase::Verify, verify::render)]
}
