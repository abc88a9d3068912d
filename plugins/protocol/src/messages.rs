//! The JSON messages: manifest, render request and response, findings.
//!
//! Forward compatibility within a protocol major version: no type refuses unknown
//! fields, new fields are optional (`#[serde(default)]`), and the enums that may grow
//! ([`WirePhase`], [`WireSeverity`], [`RenderResponse`]) keep values they do not know
//! instead of failing.

use crate::version::ProtocolVersion;
use cloudwall_core::diag::{Anchor, Diagnostic, Severity};
use cloudwall_core::source::Location;
use cloudwall_core::{Phase, Policy};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// A phase name as it crosses the boundary: a phase this side knows, or one it does not.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(untagged)]
pub enum WirePhase {
    Known(Phase),
    /// A phase added by a newer peer; ignored by this side.
    Unknown(String),
}

impl WirePhase {
    pub fn known(&self) -> Option<Phase> {
        match self {
            WirePhase::Known(p) => Some(*p),
            WirePhase::Unknown(_) => None,
        }
    }
}

impl From<Phase> for WirePhase {
    fn from(p: Phase) -> Self {
        WirePhase::Known(p)
    }
}

impl fmt::Display for WirePhase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WirePhase::Known(p) => p.fmt(f),
            WirePhase::Unknown(s) => f.write_str(s),
        }
    }
}

/// What a plugin says about itself (the answer of `manifest`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    /// The provider name profiles use (`provider = "nftables"`).
    pub name: String,
    /// The plugin's own version.
    pub version: String,
    #[serde(default)]
    pub description: String,
    /// Repeats the table's ABI version (the host checks the table's, not this one).
    pub abi_version: u32,
    pub protocol_version: ProtocolVersion,
    /// The phases the plugin can render.
    #[serde(default)]
    pub phases: Vec<WirePhase>,
}

impl Manifest {
    /// The phases this side knows, in the plugin's order.
    pub fn known_phases(&self) -> Vec<Phase> {
        self.phases.iter().filter_map(WirePhase::known).collect()
    }
}

/// The host's request to `render`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RenderRequest {
    /// The host's protocol version.
    pub protocol_version: ProtocolVersion,
    pub policy: Policy,
    /// The phases to render; an empty list asks only for the plugin's findings.
    #[serde(default)]
    pub phases: Vec<WirePhase>,
}

/// The plugin's answer to `render`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "lowercase")]
pub enum RenderResponse {
    Ok(RenderOutput),
    /// Rendering failed (including a caught panic); `message` says why.
    Error {
        message: String,
    },
    /// A status this side does not know (a newer peer).
    #[serde(other)]
    Unknown,
}

/// What a successful render produced.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RenderOutput {
    /// Relative path (`/`-separated, inside the output folder) -> file content.
    #[serde(default)]
    pub artifacts: BTreeMap<String, String>,
    /// The provider's own findings on the Policy (its `check`).
    #[serde(default)]
    pub findings: Vec<Finding>,
}

/// A severity as it crosses the boundary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum WireSeverity {
    Known(Severity),
    Unknown(String),
}

/// A diagnostic as it crosses the boundary: owned strings, a resolved location.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// A stable code, e.g. `CW250`.
    pub code: String,
    pub severity: WireSeverity,
    pub message: String,
    /// Where in the profile the finding points (taken from the Policy's origins).
    #[serde(default)]
    pub location: Option<Location>,
    /// What the location shows (`this flow`).
    #[serde(default)]
    pub label: Option<String>,
    /// Further labels as `file:line:col: text` lines are folded into `help` by the sender.
    #[serde(default)]
    pub help: Option<String>,
}

impl Finding {
    /// Converts a diagnostic made on a Policy (its labels are resolved locations).
    pub fn from_diagnostic(d: &Diagnostic) -> Finding {
        let first = d.labels.iter().find_map(|l| match &l.anchor {
            Anchor::Location(loc) => Some((loc.clone(), l.text.clone())),
            Anchor::Span(_) => None,
        });
        let (location, label) = match first {
            Some((loc, text)) => (Some(loc), (!text.is_empty()).then_some(text)),
            None => (None, None),
        };
        Finding {
            code: d.code.to_string(),
            severity: WireSeverity::Known(d.severity),
            message: d.message.clone(),
            location,
            label,
            help: d.help.clone(),
        }
    }

    /// The severity to act on: unknown severities count as warnings.
    pub fn severity(&self) -> Severity {
        match &self.severity {
            WireSeverity::Known(s) => *s,
            WireSeverity::Unknown(_) => Severity::Warning,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::PROTOCOL_VERSION;

    #[test]
    fn unknown_phases_and_statuses_and_fields_are_tolerated() {
        let m: Manifest = serde_json::from_str(
            r#"{"name":"x","version":"1.0.0","abi_version":1,"protocol_version":"1.4.0",
                "phases":["groups","teleport"],"homepage":"https://example.invalid"}"#,
        )
        .unwrap();
        assert_eq!(
            m.phases,
            vec![
                WirePhase::Known(Phase::Groups),
                WirePhase::Unknown("teleport".into())
            ]
        );
        assert_eq!(m.known_phases(), vec![Phase::Groups]);
        assert_eq!(m.description, "");

        let r: RenderResponse =
            serde_json::from_str(r#"{"status":"deferred","ticket":3}"#).unwrap();
        assert_eq!(r, RenderResponse::Unknown);
        let r: RenderResponse =
            serde_json::from_str(r#"{"status":"ok","artifacts":{"a.txt":"x"},"extra":true}"#)
                .unwrap();
        let RenderResponse::Ok(out) = r else {
            panic!("not ok")
        };
        assert_eq!(out.artifacts["a.txt"], "x");
        assert!(out.findings.is_empty());

        let f: Finding = serde_json::from_str(
            r#"{"code":"CW250","severity":"fatal","message":"m","since":"1.1"}"#,
        )
        .unwrap();
        assert_eq!(f.severity(), Severity::Warning);
    }

    #[test]
    fn versions_travel_as_strings() {
        let m = Manifest {
            name: "n".into(),
            version: "0.1.0".into(),
            description: String::new(),
            abi_version: 1,
            protocol_version: PROTOCOL_VERSION,
            phases: vec![Phase::Report.into()],
        };
        let json = serde_json::to_value(&m).unwrap();
        assert_eq!(json["protocol_version"], PROTOCOL_VERSION.to_string());
        assert_eq!(json["phases"][0], "report");
        assert_eq!(serde_json::from_value::<Manifest>(json).unwrap(), m);
        assert!(serde_json::from_str::<Manifest>(
            r#"{"name":"x","version":"1","abi_version":1,"protocol_version":"one"}"#
        )
        .is_err());
    }

    #[test]
    fn errors_round_trip() {
        let e = RenderResponse::Error {
            message: "boom".into(),
        };
        let s = serde_json::to_string(&e).unwrap();
        assert_eq!(s, r#"{"status":"error","message":"boom"}"#);
        assert_eq!(serde_json::from_str::<RenderResponse>(&s).unwrap(), e);
    }
}
