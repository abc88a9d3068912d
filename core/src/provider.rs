//! The `Provider` trait: how a cloud (built-in crate or plugin) turns a Policy into files.
//!
//! A provider renders a [`Policy`] into [`Artifacts`] (relative path -> text) for the
//! phases asked for. Rendering is a pure function: no I/O, no clock, no randomness, so
//! that the same Policy gives byte-identical files. Providers may add their own
//! findings (quota warnings) through [`Provider::check`].

use crate::diag::Diagnostic;
use crate::policy::Policy;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// The seven phases of the reference, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Phase {
    /// Tiers and security groups / NSGs / firewall rules.
    Groups,
    /// Stateless subnet filters (NACLs) and Kubernetes NetworkPolicies.
    Nacls,
    /// Managed access that replaces SSH bastions.
    Access,
    /// Private endpoints for cloud services.
    Endpoints,
    /// Default-deny egress and the FQDN allow-list.
    Egress,
    /// Verification scripts against live state.
    Verify,
    /// The human-readable report.
    Report,
}

impl Phase {
    pub const ALL: &'static [Phase] =
        &[Phase::Groups, Phase::Nacls, Phase::Access, Phase::Endpoints, Phase::Egress, Phase::Verify, Phase::Report];

    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Groups => "groups",
            Phase::Nacls => "nacls",
            Phase::Access => "access",
            Phase::Endpoints => "endpoints",
            Phase::Egress => "egress",
            Phase::Verify => "verify",
            Phase::Report => "report",
        }
    }

    /// Accepts the phase names and their aliases (`tiers`, `security-groups`, `network-policy`).
    pub fn parse(s: &str) -> Option<Phase> {
        Some(match s {
            "groups" | "tiers" | "security-groups" => Phase::Groups,
            "nacls" | "network-policy" => Phase::Nacls,
            "access" | "bastion" => Phase::Access,
            "endpoints" | "private-connectivity" => Phase::Endpoints,
            "egress" => Phase::Egress,
            "verify" | "verification" => Phase::Verify,
            "report" => Phase::Report,
            _ => return None,
        })
    }
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Rendered files: relative path (with `/`, never absolute, never `..`) -> content.
pub type Artifacts = BTreeMap<String, String>;

/// What a provider says about itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderInfo {
    /// The name profiles use (`provider = "aws"`).
    pub name: String,
    pub version: String,
    pub description: String,
    /// The phases it can render.
    pub phases: Vec<Phase>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{provider}: {message}")]
pub struct RenderError {
    pub provider: String,
    pub message: String,
}

/// A target platform.
pub trait Provider: Send + Sync {
    fn info(&self) -> ProviderInfo;

    /// Renders the phases asked for (those the provider does not support are skipped).
    /// Must be pure and deterministic.
    fn render(&self, policy: &Policy, phases: &[Phase]) -> Result<Artifacts, RenderError>;

    /// The Policy as this provider renders it: with the groups and rules its own managed
    /// services add (e.g. the endpoints of managed operator access). Tests and readers of
    /// the artifacts compare against this. Default: the Policy unchanged.
    fn effective_policy(&self, policy: &Policy) -> Policy {
        policy.clone()
    }

    /// Provider-specific findings on a Policy (quotas, names the platform refuses).
    fn check(&self, _policy: &Policy) -> Vec<Diagnostic> {
        Vec::new()
    }
}

/// Checks that an artifact path stays inside the output folder.
pub fn is_safe_relative_path(path: &str) -> bool {
    let drive_letter = path.len() >= 2 && path.as_bytes()[1] == b':';
    let forbidden = path.starts_with('/') || path.contains('\\') || path.contains('\0');
    !path.is_empty()
        && !drive_letter
        && !forbidden
        && path.split('/').all(|c| !c.is_empty() && c != ".." && c != ".")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn artifact_paths_cannot_escape() {
        assert!(is_safe_relative_path("terraform/main.tf"));
        for bad in ["", "/etc/passwd", "../x", "a/../../x", "a//b", "./a", "C:/x", "a\\b"] {
            assert!(!is_safe_relative_path(bad), "{bad}");
        }
    }
}
