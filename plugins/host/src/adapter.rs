//! [`PluginProvider`]: a loaded plugin behind the same [`Provider`] trait as a built-in.

use crate::loader::{call_for_text, excerpt};
use cloudwall_core::diag::Diagnostic;
use cloudwall_core::provider::{is_safe_relative_path, ProviderInfo, RenderError};
use cloudwall_core::{Artifacts, Phase, Policy, Provider};
use cloudwall_plugin_protocol::messages::{
    Finding, RenderOutput, RenderRequest, RenderResponse, WirePhase,
};
use cloudwall_plugin_protocol::{Manifest, PluginTable, PROTOCOL_VERSION};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// A loaded plugin. Cheap to keep around; the library stays loaded for the process.
#[derive(Debug)]
pub struct PluginProvider {
    path: PathBuf,
    library: PathBuf,
    manifest: Manifest,
    table: &'static PluginTable,
}

impl PluginProvider {
    pub(crate) fn new(
        path: PathBuf,
        library: PathBuf,
        manifest: Manifest,
        table: &'static PluginTable,
    ) -> Self {
        PluginProvider {
            path,
            library,
            manifest,
            table,
        }
    }

    /// Name, version, ABI and protocol versions and phases, as the plugin declared them.
    pub fn manifest(&self) -> &Manifest {
        &self.manifest
    }

    /// The path the user named.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The canonical path of the loaded library.
    pub fn library_path(&self) -> &Path {
        &self.library
    }

    fn error(&self, message: impl Into<String>) -> RenderError {
        RenderError {
            provider: self.manifest.name.clone(),
            message: format!("plugin {}: {}", self.path.display(), message.into()),
        }
    }

    /// One round trip: request -> plugin -> checked output.
    fn call(&self, policy: &Policy, phases: &[Phase]) -> Result<RenderOutput, RenderError> {
        let request = RenderRequest {
            protocol_version: PROTOCOL_VERSION,
            policy: policy.clone(),
            phases: phases.iter().copied().map(WirePhase::from).collect(),
        };
        let bytes = serde_json::to_vec(&request)
            .map_err(|e| self.error(format!("cannot encode the request: {e}")))?;
        let buffer = (self.table.render)(bytes.as_ptr(), bytes.len());
        let text = call_for_text(self.table, buffer).map_err(|e| self.error(e))?;
        let response: RenderResponse = serde_json::from_str(&text).map_err(|e| {
            self.error(format!("returned malformed JSON ({e}): {}", excerpt(&text)))
        })?;
        let output = match response {
            RenderResponse::Ok(out) => out,
            RenderResponse::Error { message } => {
                return Err(self.error(format!("render failed: {message}")))
            }
            RenderResponse::Unknown => {
                return Err(self.error(format!(
                    "answered with a status this cloudwall does not know: {}",
                    excerpt(&text)
                )))
            }
        };
        let escaping: Vec<String> = output
            .artifacts
            .keys()
            .filter(|p| !is_safe_relative_path(p))
            .map(|p| format!("{:?}", p))
            .collect();
        if !escaping.is_empty() {
            return Err(self.error(format!(
                "refused: artifact paths must stay inside the output folder (relative, `/`-separated, no `..`), got {}",
                escaping.join(", ")
            )));
        }
        Ok(output)
    }
}

impl Provider for PluginProvider {
    fn info(&self) -> ProviderInfo {
        ProviderInfo {
            name: self.manifest.name.clone(),
            version: self.manifest.version.clone(),
            description: self.manifest.description.clone(),
            phases: self.manifest.known_phases(),
        }
    }

    fn render(&self, policy: &Policy, phases: &[Phase]) -> Result<Artifacts, RenderError> {
        let supported = self.manifest.known_phases();
        let asked: Vec<Phase> = phases
            .iter()
            .copied()
            .filter(|p| supported.contains(p))
            .collect();
        if asked.is_empty() {
            return Ok(Artifacts::new());
        }
        Ok(self.call(policy, &asked)?.artifacts)
    }

    fn check(&self, policy: &Policy) -> Vec<Diagnostic> {
        match self.call(policy, &[]) {
            Ok(out) => out
                .findings
                .iter()
                .map(|f| to_diagnostic(&self.manifest.name, f))
                .collect(),
            Err(e) => vec![Diagnostic::error("CW290", format!("{e}"))
                .with_help("the plugin's own checks could not run")],
        }
    }
}

/// A plugin finding as a [`Diagnostic`]. Codes the plugin chose are interned (one
/// small allocation per distinct code for the life of the process); a code that is not
/// of the `AB123` form is replaced by `CW299` and kept in the message.
fn to_diagnostic(provider: &str, f: &Finding) -> Diagnostic {
    let (code, message) = match intern_code(&f.code) {
        Some(c) => (c, format!("{provider}: {}", f.message)),
        None => (
            "CW299",
            format!("{provider}: [{}] {}", f.code.escape_debug(), f.message),
        ),
    };
    let mut d = Diagnostic {
        code,
        severity: f.severity(),
        message,
        labels: vec![],
        help: f.help.clone(),
    };
    if let Some(loc) = &f.location {
        d = d.at_location(loc.clone(), f.label.clone().unwrap_or_else(|| "here".to_string()));
    }
    d
}

fn intern_code(code: &str) -> Option<&'static str> {
    static CODES: Mutex<BTreeSet<&'static str>> = Mutex::new(BTreeSet::new());
    let letters = code.bytes().take_while(|b| b.is_ascii_uppercase()).count();
    let digits = code.len() - letters;
    if !(1..=4).contains(&letters)
        || !(1..=4).contains(&digits)
        || !code[letters..].bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let mut codes = CODES.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(c) = codes.get(code) {
        return Some(c);
    }
    let leaked: &'static str = Box::leak(code.to_string().into_boxed_str());
    codes.insert(leaked);
    Some(leaked)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_interned_or_replaced() {
        let a = intern_code("CW250").unwrap();
        let b = intern_code("CW250").unwrap();
        assert!(std::ptr::eq(a, b));
        assert_eq!(intern_code("cw250"), None);
        assert_eq!(intern_code("CW25x"), None);
        assert_eq!(intern_code("CW"), None);
    }
}
