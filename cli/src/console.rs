//! All terminal output: data to stdout, diagnostics and progress to stderr.
//!
//! Colour is used only when the stream is a terminal, and never with `--no-color` or a
//! non-empty `NO_COLOR`. `-q` silences progress and informational messages (errors and
//! data still print); `-v` adds detail.

use cloudwall_core::diag::{Diagnostic, Severity};
use cloudwall_core::source::SourceMap;
use indicatif::{ProgressBar, ProgressStyle};
use std::io::{IsTerminal, Write};

#[derive(Debug, Clone)]
pub struct Console {
    color_out: bool,
    color_err: bool,
    quiet: bool,
    verbose: bool,
    stderr_tty: bool,
}

const RED: &str = "\x1b[31m";
const YELLOW: &str = "\x1b[33m";
const GREEN: &str = "\x1b[32m";
const CYAN: &str = "\x1b[36m";
const BOLD: &str = "\x1b[1m";
const RESET: &str = "\x1b[0m";

impl Console {
    pub fn new(no_color: bool, quiet: u8, verbose: u8) -> Self {
        let env_off = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let allowed = !no_color && !env_off;
        let stderr_tty = std::io::stderr().is_terminal();
        Console {
            color_out: allowed && std::io::stdout().is_terminal(),
            color_err: allowed && stderr_tty,
            quiet: quiet > 0,
            verbose: verbose > 0 && quiet == 0,
            stderr_tty,
        }
    }

    fn paint(&self, on: bool, style: &str, text: &str) -> String {
        if on {
            format!("{style}{text}{RESET}")
        } else {
            text.to_string()
        }
    }

    /// Data (the command's result) to stdout.
    pub fn data(&self, text: &str) {
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(text.as_bytes());
        if !text.ends_with('\n') {
            let _ = out.write_all(b"\n");
        }
        let _ = out.flush();
    }

    /// A JSON value, pretty-printed, to stdout.
    pub fn json(&self, value: &serde_json::Value) {
        self.data(&serde_json::to_string_pretty(value).unwrap_or_default());
    }

    /// A unified diff to stdout, coloured on a terminal.
    pub fn diff(&self, text: &str) {
        if !self.color_out {
            return self.data(text);
        }
        let mut painted = String::with_capacity(text.len() + 64);
        for line in text.split_inclusive('\n') {
            let style = if line.starts_with("+++") || line.starts_with("---") {
                BOLD
            } else if line.starts_with('+') {
                GREEN
            } else if line.starts_with('-') {
                RED
            } else if line.starts_with("@@") {
                CYAN
            } else {
                ""
            };
            if style.is_empty() {
                painted.push_str(line);
            } else {
                let (body, nl) = line.strip_suffix('\n').map(|b| (b, "\n")).unwrap_or((line, ""));
                painted.push_str(&format!("{style}{body}{RESET}{nl}"));
            }
        }
        self.data(&painted)
    }

    fn err_line(&self, text: &str) {
        let mut err = std::io::stderr().lock();
        let _ = writeln!(err, "{text}");
    }

    /// An error message (always shown).
    pub fn error(&self, msg: &str) {
        let label = self.paint(self.color_err, &format!("{BOLD}{RED}"), "error");
        self.err_line(&format!("{label}: {msg}"));
    }

    /// A warning (hidden by `-q`).
    pub fn warn(&self, msg: &str) {
        if self.quiet {
            return;
        }
        let label = self.paint(self.color_err, &format!("{BOLD}{YELLOW}"), "warning");
        self.err_line(&format!("{label}: {msg}"));
    }

    /// Progress and outcome messages (hidden by `-q`).
    pub fn info(&self, msg: &str) {
        if !self.quiet {
            self.err_line(msg);
        }
    }

    /// A success line (hidden by `-q`).
    pub fn success(&self, msg: &str) {
        if !self.quiet {
            let text = self.paint(self.color_err, GREEN, msg);
            self.err_line(&text);
        }
    }

    /// Detail shown with `-v`.
    pub fn debug(&self, msg: &str) {
        if self.verbose {
            self.err_line(msg);
        }
    }

    /// Text to stderr as it is (a script's own stderr, already formatted).
    pub fn raw_err(&self, text: &str) {
        if text.is_empty() {
            return;
        }
        let mut err = std::io::stderr().lock();
        let _ = err.write_all(text.as_bytes());
        if !text.ends_with('\n') {
            let _ = err.write_all(b"\n");
        }
    }

    /// A diagnostic, to stderr: first line `file:line:col: error[CODE]: message` (whatever
    /// the terminal), then miette's snippet, labels and help. Warnings are hidden by `-q`.
    pub fn diagnostic(&self, diag: &Diagnostic, sources: &SourceMap) {
        if self.quiet && diag.severity == Severity::Warning {
            return;
        }
        let text = render_diagnostic(diag, sources, self.color_err);
        let mut err = std::io::stderr().lock();
        let _ = err.write_all(text.as_bytes());
    }

    /// A progress bar on stderr for `len` items, only on a terminal and without `-q`.
    pub fn progress(&self, len: usize, what: &str) -> Option<ProgressBar> {
        if self.quiet || !self.stderr_tty || len < 2 {
            return None;
        }
        let bar = ProgressBar::new(len as u64);
        let style = ProgressStyle::with_template("{spinner} {msg} [{bar:30}] {pos}/{len} {elapsed}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
        bar.set_style(style);
        bar.set_message(what.to_string());
        Some(bar)
    }
}

/// The text of one diagnostic as [`Console::diagnostic`] prints it.
pub fn render_diagnostic(diag: &Diagnostic, sources: &SourceMap, color: bool) -> String {
    let headline = diag.headline(sources);
    let first = if color {
        let style = match diag.severity {
            Severity::Error => format!("{BOLD}{RED}"),
            Severity::Warning => format!("{BOLD}{YELLOW}"),
        };
        format!("{style}{headline}{RESET}")
    } else {
        headline.clone()
    };
    let theme = if color { miette::GraphicalTheme::unicode() } else { miette::GraphicalTheme::unicode_nocolor() };
    let handler = miette::GraphicalReportHandler::new_themed(theme).with_links(false).with_width(100);
    let report = diag.to_report(sources);
    let mut body = String::new();
    if handler.render_report(&mut body, report.as_ref()).is_err() {
        return format!("{first}\n");
    }
    // miette opens with the code and the message; the headline above already says both.
    let mut skipping_message = false;
    let mut rest = Vec::new();
    for line in body.lines() {
        let plain = strip_ansi(line);
        if rest.is_empty() && !skipping_message {
            if plain.trim().is_empty() || plain.trim() == diag.code {
                continue;
            }
            if plain.trim_start().starts_with('×') || plain.trim_start().starts_with('⚠') {
                skipping_message = true;
                continue;
            }
        }
        if skipping_message {
            // wrapped continuation lines of the message are indented under it
            let continuation = (plain.starts_with("  │") || plain.starts_with("    "))
                && !plain.starts_with("   ")
                || plain.starts_with("    ") && !plain.trim_start().starts_with(['╭', '│', '·', '╰', '[']);
            if continuation {
                continue;
            }
            skipping_message = false;
        }
        rest.push(line.to_string());
    }
    while rest.last().is_some_and(|l| strip_ansi(l).trim().is_empty()) {
        rest.pop();
    }
    let mut out = first;
    out.push('\n');
    let has_body = !rest.is_empty();
    for line in rest {
        out.push_str(&line);
        out.push('\n');
    }
    if has_body {
        // a blank line between reports that carry a snippet or help
        out.push('\n');
    }
    out
}

fn strip_ansi(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            if chars.peek() == Some(&'[') {
                chars.next();
                for c in chars.by_ref() {
                    if c.is_ascii_alphabetic() {
                        break;
                    }
                }
            }
            continue;
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use cloudwall_core::source::Span;

    #[test]
    fn diagnostic_starts_with_location_and_code_without_a_terminal() {
        let mut sources = SourceMap::new();
        let text = "[deployment]\nname = \"x\"\n\n[[flow]]\nfrom = \"internet\"\nto = \"db\"\nports = [\"5432/tcp\"]\n";
        let id = sources.add("examples/x.toml", text.to_string());
        let start = text.find("\"5432/tcp\"").unwrap();
        let d = Diagnostic::error("CW001", "internet source on database port 5432")
            .at(Span::new(id, start, start + 10), "PostgreSQL from the internet")
            .with_help("remove the flow");
        let out = render_diagnostic(&d, &sources, false);
        let first = out.lines().next().unwrap();
        assert_eq!(first, "examples/x.toml:7:10: error[CW001]: internet source on database port 5432");
        assert!(out.contains("PostgreSQL from the internet"), "{out}");
        assert!(out.contains("remove the flow"), "{out}");
        assert_eq!(out.matches("internet source on database port").count(), 1, "{out}");
        assert!(!out.contains('\x1b'));
    }

    #[test]
    fn long_messages_are_not_repeated_below_the_headline() {
        let mut sources = SourceMap::new();
        let id = sources.add("p.toml", "a = 1\n".to_string());
        let long = format!("{} zebra-end", "words that go on and on ".repeat(12));
        let d = Diagnostic::warning("CW201", long.clone()).at(Span::new(id, 0, 1), "here");
        let out = render_diagnostic(&d, &sources, false);
        assert!(out.starts_with(&format!("p.toml:1:1: warning[CW201]: {long}\n")), "{out}");
        assert_eq!(out.matches("zebra-end").count(), 1, "{out}");
        assert!(out.contains("here"));
        let plain = Diagnostic::error("CW100", "cannot read x.toml");
        assert_eq!(render_diagnostic(&plain, &sources, false), "error[CW100]: cannot read x.toml\n");
    }
}
