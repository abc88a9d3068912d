//! An on-prem host firewall provider, as a cloudwall plugin: one nftables ruleset per
//! workload host (`rulesets/<workload>.nft`, loaded with `nft -f`), a verification
//! script that compares the live ruleset with the rendered one (`verify/verify.sh`),
//! and a report (`report.md`).
//!
//! Built only as a `cdylib`: cloudwall loads it through the plugin host (the SDK's entry
//! point), never links it in; the integration tests do the same.

mod checks;
mod escape;
mod model;
mod report;
mod ruleset;
mod verify;

use cloudwall_plugin_sdk::{
    export_provider, Artifacts, Diagnostic, Phase, Policy, Provider, ProviderInfo, RenderError,
};

/// The provider name profiles use: `provider = "nftables"`.
pub const NAME: &str = "nftables";

/// The nftables provider.
#[derive(Debug, Default, Clone, Copy)]
pub struct Nftables;

impl Provider for Nftables {
    fn info(&self) -> ProviderInfo {
        ProviderInfo {
            name: NAME.to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
            description: "On-prem host firewalls: an nftables ruleset per workload host, default-deny both ways"
                .to_string(),
            phases: vec![Phase::Groups, Phase::Egress, Phase::Verify, Phase::Report],
        }
    }

    fn render(&self, policy: &Policy, phases: &[Phase]) -> Result<Artifacts, RenderError> {
        let model = model::Model::new(policy);
        let wants = |p: Phase| phases.contains(&p);
        // A ruleset is one nft table holding both chains (flows in, egress out), loaded
        // atomically: either phase renders the whole table, never half of it.
        let mut out = Artifacts::new();
        if wants(Phase::Groups) || wants(Phase::Egress) {
            for host in &model.hosts {
                out.insert(
                    format!("rulesets/{}.nft", host.file_stem),
                    ruleset::render(&model, host),
                );
            }
        }
        if wants(Phase::Verify) {
            out.insert(
                "verify/verify.sh".to_string(),
                verify::render(&model),
            );
        }
        if wants(Phase::Report) {
            out.insert(
                "report.md".to_string(),
                report::render(&model, &checks::check(&model)),
            );
        }
        Ok(out)
    }

    fn check(&self, policy: &Policy) -> Vec<Diagnostic> {
        checks::check(&model::Model::new(policy))
    }
}

export_provider!(Nftables);
