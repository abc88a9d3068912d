//! The AWS provider: renders a cloudwall Policy as Terraform, `aws` CLI scripts and a report.

pub mod check;
pub mod cli_script;
pub mod hcl;
pub mod inputs;
pub mod logs;
pub mod names;
pub mod phases;
pub mod plan;
pub mod regions;
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
            phases: {
                let mut p: Vec<Phase> = std::iter::once(Phase::Groups)
                    .chain(phases::all().into_iter().map(|(p, _)| p))
                    .chain(std::iter::once(Phase::Report))
                    .collect();
                p.sort();
                p.dedup();
                p
            },
        }
    }

    fn render(&self, policy: &Policy, phases: &[Phase]) -> Result<Artifacts, RenderError> {
        if policy.is_multi_region() {
            // Every region's full set of controls, composed (`regions.rs`).
            return regions::render(policy, phases, render_one);
        }
        render_one(policy, phases)
    }

    fn effective_policy(&self, policy: &Policy) -> Policy {
        phases::access::prepare(policy)
    }

    fn check(&self, policy: &Policy) -> Vec<Diagnostic> {
        check::check(policy)
    }
}

/// Renders a one-region Policy.
fn render_one(policy: &Policy, phases: &[Phase]) -> Result<Artifacts, RenderError> {
    {
        // Managed access adds its endpoints and the client-VPN group before planning.
        let policy = &phases::access::prepare(policy);
        let plan = plan::Plan::new(policy).map_err(|message| RenderError { provider: "aws".into(), message })?;
        let mut out = Artifacts::new();
        let mut script = String::new();
        let mut sections = String::new();
        for (phase, render) in phases::all() {
            if !phases.contains(&phase) {
                continue;
            }
            let c = render(&plan);
            out.extend(c.files);
            if !c.script.is_empty() {
                script.push('\n');
                script.push_str(&c.script);
            }
            if !c.report.is_empty() {
                sections.push('\n');
                sections.push_str(&c.report);
            }
        }
        if phases.contains(&Phase::Groups) {
            terraform::render_groups(&plan, &mut out);
            let mut apply = cli_script::render(&plan);
            // The log-group helper, once, when a phase keeps logs.
            if script.contains("cw_log_group ") {
                apply.push('\n');
                apply.push_str(logs::ENSURE_LOG_GROUP_SH);
            }
            apply.push_str(&script);
            let apply = cli_script::header(&plan, &apply) + &apply;
            out.insert("cli/apply.sh".into(), apply);
        }
        if phases.contains(&Phase::Report) {
            let mut report = report::render(&plan);
            report.push_str(&sections);
            let waivers = report::waivers(out.iter().map(|(p, t)| (p.as_str(), t.as_str())));
            report.push('\n');
            report.push_str(&report::waivers_section(&waivers));
            out.insert("report.md".into(), report);
        }
        Ok(out)
    }
}
