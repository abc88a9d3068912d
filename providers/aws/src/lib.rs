//! The AWS provider: renders a cloudwall Policy as Terraform, `aws` CLI scripts and a report.

pub mod check;
pub mod cli_script;
pub mod hcl;
pub mod names;
pub mod plan;
pub mod report;
pub mod shell;
pub mod terraform;

use cloudwall_core::diag::Diagnostic;
use cloudwall_core::policy::Policy;
use cloudwall_core::provider::{Artifacts, Phase, Provider, ProviderInfo, RenderError};

/// The built-in AWS provider.
#[derive(Debug, Default, Clone, Copy)]
pub struct Aws;

impl Provider for Aws {
    fn info(&self) -> ProviderInfo {
        ProviderInfo {
            name: "aws".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            description: "Amazon Web Services: security groups as Terraform and aws CLI, with a report".into(),
            phases: vec![Phase::Groups, Phase::Report],
        }
    }

    fn render(&self, policy: &Policy, phases: &[Phase]) -> Result<Artifacts, RenderError> {
        let plan = plan::Plan::new(policy).map_err(|message| RenderError { provider: "aws".into(), message })?;
        let mut out = Artifacts::new();
        if phases.contains(&Phase::Groups) {
            terraform::render_groups(&plan, &mut out);
            out.insert("cli/apply.sh".into(), cli_script::render(&plan));
        }
        if phases.contains(&Phase::Report) {
            out.insert("report.md".into(), report::render(&plan));
        }
        Ok(out)
    }

    fn check(&self, policy: &Policy) -> Vec<Diagnostic> {
        check::check(policy)
    }
}
