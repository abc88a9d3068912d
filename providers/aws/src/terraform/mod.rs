//! The Terraform module: `versions.tf`, `variables.tf`, `outputs.tf` and one file per
//! phase (`security_groups.tf` for the groups phase).

pub mod module;
pub mod security_groups;

use crate::plan::Plan;
use cloudwall_core::provider::Artifacts;

/// Adds `terraform/*.tf` for the groups phase.
pub fn render_groups(plan: &Plan<'_>, out: &mut Artifacts) {
    out.insert("terraform/versions.tf".into(), module::versions());
    out.insert("terraform/variables.tf".into(), module::variables(plan));
    out.insert("terraform/outputs.tf".into(), module::outputs(plan));
    out.insert("terraform/security_groups.tf".into(), security_groups::render(plan));
}
