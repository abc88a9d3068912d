//! The AWS provider: renders a cloudwall Policy as Terraform, `aws` CLI scripts and a report.

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
            description: "Amazon Web Services: security groups, NACLs, SSM, VPC endpoints".into(),
            phases: vec![Phase::Groups, Phase::Report],
        }
    }
    fn render(&self, policy: &Policy, phases: &[Phase]) -> Result<Artifacts, RenderError> {
        let _ = (policy, phases);
        Ok(Artifacts::new())
    }
}
