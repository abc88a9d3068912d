//! Diagnostics: the one type every error, finding and warning takes.
//!
//! Parse errors, validation errors and mandatory-rule findings are all a
//! [`Diagnostic`]: a stable code (`CW001`..`CW006` for the mandatory rules, `CW1xx` for
//! input errors, `CW2xx` for provider quota warnings), a message, the spans it is about
//! and an optional hint. The CLI renders them with miette ([`Diagnostic::to_report`])
//! or as JSON ([`Diagnostic::to_json`]).

use crate::source::{Location, SourceMap, Span};
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

/// Where a diagnostic points: a span in a loaded source (parse and validation time), or
/// an already-resolved location (findings on the compiled Policy, plugin findings).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Anchor {
    Span(Span),
    Location(Location),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    pub anchor: Anchor,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Stable id: `CW001`..`CW006` mandatory rules, `CW1xx` input errors, `CW2xx` warnings.
    pub code: &'static str,
    pub severity: Severity,
    pub message: String,
    /// The first label is the primary location.
    pub labels: Vec<Label>,
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn error(code: &'static str, message: impl Into<String>) -> Self {
        Diagnostic { code, severity: Severity::Error, message: message.into(), labels: vec![], help: None }
    }
    pub fn warning(code: &'static str, message: impl Into<String>) -> Self {
        Diagnostic { code, severity: Severity::Warning, message: message.into(), labels: vec![], help: None }
    }
    pub fn at(mut self, span: Span, text: impl Into<String>) -> Self {
        self.labels.push(Label { anchor: Anchor::Span(span), text: text.into() });
        self
    }
    pub fn at_location(mut self, loc: Location, text: impl Into<String>) -> Self {
        self.labels.push(Label { anchor: Anchor::Location(loc), text: text.into() });
        self
    }
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The `file:line:col` of the primary label, if any.
    pub fn location(&self, sources: &SourceMap) -> Option<Location> {
        self.labels.first().map(|l| match &l.anchor {
            Anchor::Span(s) => sources.locate(*s),
            Anchor::Location(loc) => loc.clone(),
        })
    }

    /// One line: `file:line:col: error[CW001]: message`.
    pub fn headline(&self, sources: &SourceMap) -> String {
        let sev = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        match self.location(sources) {
            Some(loc) => format!("{loc}: {sev}[{}]: {}", self.code, self.message),
            None => format!("{sev}[{}]: {}", self.code, self.message),
        }
    }

    /// A miette report with the source snippet of the primary span's file.
    pub fn to_report(&self, sources: &SourceMap) -> miette::Report {
        let primary_file = self.labels.iter().find_map(|l| match &l.anchor {
            Anchor::Span(s) => Some(s.file),
            Anchor::Location(_) => None,
        });
        let (src, labels) = match primary_file {
            Some(fid) => {
                let file = sources.file(fid);
                let src = miette::NamedSource::new(file.path.display().to_string(), file.text.clone());
                let labels = self
                    .labels
                    .iter()
                    .filter_map(|l| match &l.anchor {
                        Anchor::Span(s) if s.file == fid => Some(miette::LabeledSpan::new(
                            Some(l.text.clone()),
                            s.start,
                            s.len().max(1).min(file.text.len().saturating_sub(s.start)),
                        )),
                        _ => None,
                    })
                    .collect();
                (Some(src), labels)
            }
            None => (None, vec![]),
        };
        let mut help = self.help.clone();
        // Labels in other files (a base profile) or resolved locations go into the help text.
        let extra: Vec<String> = self
            .labels
            .iter()
            .filter_map(|l| match &l.anchor {
                Anchor::Span(s) if Some(s.file) != primary_file => {
                    Some(format!("{}: {}", sources.locate(*s), l.text))
                }
                Anchor::Location(loc) => Some(format!("{loc}: {}", l.text)),
                _ => None,
            })
            .collect();
        if !extra.is_empty() {
            let joined = extra.join("\n");
            help = Some(match help {
                Some(h) => format!("{joined}\n{h}"),
                None => joined,
            });
        }
        let diag = Rendered {
            code: self.code,
            severity: self.severity,
            message: self.headline(sources),
            labels,
            help,
        };
        match src {
            Some(src) => miette::Report::new(diag).with_source_code(src),
            None => miette::Report::new(diag),
        }
    }

    pub fn to_json(&self, sources: &SourceMap) -> serde_json::Value {
        let loc = self.location(sources);
        serde_json::json!({
            "code": self.code,
            "severity": self.severity,
            "message": self.message,
            "file": loc.as_ref().map(|l| l.file.clone()),
            "line": loc.as_ref().map(|l| l.line),
            "col": loc.as_ref().map(|l| l.col),
            "help": self.help,
        })
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}] {}", self.code, self.message)
    }
}

#[derive(Debug)]
struct Rendered {
    code: &'static str,
    severity: Severity,
    message: String,
    labels: Vec<miette::LabeledSpan>,
    help: Option<String>,
}

impl fmt::Display for Rendered {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Rendered {}

impl miette::Diagnostic for Rendered {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.code))
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        if self.labels.is_empty() {
            None
        } else {
            Some(Box::new(self.labels.iter().cloned()))
        }
    }
}
