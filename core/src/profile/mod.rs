//! Reading a profile: TOML or JSON text -> span-carrying tree -> `extends` merge ->
//! typed [`Profile`] -> semantic validation.
//!
//! Every failure is a [`Diagnostic`] that points at `file:line:col`. Error codes:
//! `CW100` unreadable file / syntax, `CW101` unknown key, `CW102` wrong type or word,
//! `CW103` missing field, `CW104` unknown reference, `CW105` invalid port, `CW106`
//! invalid CIDR / address / FQDN, `CW107` duplicate or reserved name, `CW108` control
//! characters or invalid name, `CW109` flow needing ports, `CW110` `extends` problems,
//! `CW111` inconsistent profile.

pub mod decode;
pub mod merge;
pub mod model;
pub mod tree;
pub mod validate;

pub use model::*;

use crate::diag::Diagnostic;
use crate::source::{FileId, SourceMap, Span};
use std::path::Path;

/// A profile that could not be read: the diagnostics, with the sources they point into.
#[derive(Debug)]
pub struct LoadError {
    pub sources: SourceMap,
    pub diagnostics: Vec<Diagnostic>,
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, d) in self.diagnostics.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{}", d.headline(&self.sources))?;
        }
        Ok(())
    }
}

impl std::error::Error for LoadError {}

/// Reads, merges (`extends`), decodes and validates the profile at `path`.
pub fn load(path: &Path) -> Result<Profile, LoadError> {
    let text = match std::fs::read(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(t) => t,
            Err(e) => {
                let mut sources = SourceMap::new();
                sources.add(path, String::new());
                return Err(LoadError {
                    sources,
                    diagnostics: vec![Diagnostic::error(
                        "CW100",
                        format!("cannot read {}: not UTF-8 text (invalid byte at offset {})", path.display(), e.utf8_error().valid_up_to()),
                    )
                    .at(Span::new(FileId(0), 0, 0), "not UTF-8")],
                });
            }
        },
        Err(e) => {
            let mut sources = SourceMap::new();
            sources.add(path, String::new());
            return Err(LoadError {
                sources,
                diagnostics: vec![Diagnostic::error("CW100", format!("cannot read {}: {e}", path.display()))
                    .at(Span::new(FileId(0), 0, 0), "unreadable file")],
            });
        }
    };
    parse_str(path, &text)
}

/// Like [`load`] with the profile's text given; `path` names it in diagnostics, decides
/// TOML or JSON (by the `.json` extension) and anchors relative `extends` paths.
pub fn parse_str(path: &Path, text: &str) -> Result<Profile, LoadError> {
    let mut sources = SourceMap::new();
    let mut diags = Vec::new();
    let root = merge::load_tree(path, text.to_string(), &mut sources, &mut diags);
    let Some(root) = root else {
        return Err(finish(sources, diags));
    };
    let (profile, mut more) = decode::decode(&root, &sources);
    diags.append(&mut more);
    if let Some(p) = &profile {
        diags.extend(validate::validate(p));
    }
    match profile {
        Some(p) if !diags.iter().any(Diagnostic::is_error) => Ok(p),
        _ => Err(finish(sources, diags)),
    }
}

/// Orders the diagnostics by file and position.
fn finish(sources: SourceMap, mut diagnostics: Vec<Diagnostic>) -> LoadError {
    diagnostics.sort_by_key(|d| {
        d.labels.first().map(|l| match &l.anchor {
            crate::diag::Anchor::Span(s) => (s.file.0, s.start),
            crate::diag::Anchor::Location(_) => (u32::MAX, 0),
        })
    });
    LoadError { sources, diagnostics }
}
