//! `cloudwall check PROFILE...`: load, compile, mandatory rules and provider checks.

use super::exit;
use crate::args::{CheckArgs, Format};
use crate::console::Console;
use crate::pipeline::{self, Outcome};
use crate::providers::Registry;

pub fn run(args: &CheckArgs, format: Format, console: &Console, registry: &Registry) -> u8 {
    let outcomes = pipeline::run_parallel(&args.profiles, pipeline::jobs(None), console, "checking", |path| {
        match pipeline::analyse(path, registry, &[]) {
            Err(failure) => failure,
            Ok(a) => {
                let failed = a.has_errors();
                Outcome {
                    path: path.clone(),
                    sources: a.profile.sources,
                    diagnostics: a.findings,
                    result: if failed { Err("findings".into()) } else { Ok(()) },
                }
            }
        }
    });
    let mut failed = false;
    let mut json = Vec::new();
    for (path, outcome) in args.profiles.iter().zip(outcomes) {
        let outcome = outcome.unwrap_or_else(|msg| Outcome::failed(path, msg));
        failed |= outcome.result.is_err();
        match format {
            Format::Json => {
                json.extend(outcome.diagnostics_json());
                if outcome.diagnostics.is_empty() {
                    if let Err(msg) = &outcome.result {
                        json.push(serde_json::json!({
                            "code": null, "severity": "error", "message": msg,
                            "file": path.display().to_string(), "line": null, "col": null, "help": null,
                        }));
                    }
                }
            }
            Format::Text => {
                outcome.print_diagnostics(console);
                let warnings = outcome.diagnostics.iter().filter(|d| !d.is_error()).count();
                let errors = outcome.diagnostics.len() - warnings;
                match &outcome.result {
                    Ok(()) if warnings == 0 => console.success(&format!("{}: ok", path.display())),
                    Ok(()) => console.success(&format!("{}: ok ({warnings} warning(s))", path.display())),
                    Err(_) if errors > 0 => console.error(&format!("{}: {errors} error(s), {warnings} warning(s)", path.display())),
                    Err(msg) => console.error(&format!("{}: {msg}", path.display())),
                }
            }
        }
    }
    if format == Format::Json {
        console.json(&serde_json::Value::Array(json));
    }
    if failed {
        exit::FAILURE
    } else {
        exit::OK
    }
}
