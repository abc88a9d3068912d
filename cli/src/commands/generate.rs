//! `cloudwall generate PROFILE... -o DIR`: check, render and write each profile's tree.

use super::exit;
use crate::args::{Format, GenerateArgs};
use crate::console::Console;
use crate::pipeline::{self, Outcome};
use crate::providers::Registry;
use cloudwall_core::output::{self, WriteSummary};

pub fn run(args: &GenerateArgs, format: Format, console: &Console, registry: &Registry) -> u8 {
    let r = &args.render;
    let (phases, work) = match pipeline::plan_work(r) {
        Ok(w) => w,
        Err(e) => {
            console.error(&e);
            return exit::FAILURE;
        }
    };
    let outcomes = pipeline::run_parallel(&work, pipeline::jobs(r.jobs), console, "generating", |(path, dir)| {
        let analysis = match pipeline::analyse(path, registry, &r.provider) {
            Ok(a) => a,
            Err(failure) => return failure.into_failure(),
        };
        let failed = analysis.has_errors();
        let mut outcome = Outcome {
            path: path.clone(),
            sources: analysis.profile.sources.clone(),
            diagnostics: analysis.findings.clone(),
            result: Err(String::new()),
        };
        outcome.result = if failed {
            Err("check found errors; nothing written".into())
        } else {
            pipeline::render(&analysis, registry, &phases)
                .and_then(|files| output::write_tree(dir, &files, args.force).map_err(|e| e.to_string()))
        };
        outcome
    });

    let mut failed = false;
    let mut json = Vec::new();
    for ((path, dir), outcome) in work.iter().zip(outcomes) {
        let outcome: Outcome<WriteSummary> = outcome.unwrap_or_else(|msg| Outcome::failed(path, msg));
        failed |= outcome.result.is_err();
        if format == Format::Text {
            outcome.print_diagnostics(console);
        }
        match &outcome.result {
            Ok(s) => {
                console.success(&format!(
                    "{} -> {}: {} added, {} modified, {} removed, {} unchanged{}",
                    path.display(),
                    dir.display(),
                    s.added.len(),
                    s.modified.len(),
                    s.removed.len(),
                    s.unchanged.len(),
                    if s.kept.is_empty() { String::new() } else { format!(", {} of your files kept", s.kept.len()) }
                ));
                for f in &s.added {
                    console.debug(&format!("  added    {f}"));
                }
                for f in &s.modified {
                    console.debug(&format!("  modified {f}"));
                }
                for f in &s.removed {
                    console.debug(&format!("  removed  {f}"));
                }
            }
            Err(msg) => console.error(&format!("{}: {msg}", path.display())),
        }
        if format == Format::Json {
            let (status, summary, error) = match &outcome.result {
                Ok(s) => ("ok", Some(serde_json::json!({
                    "added": s.added, "modified": s.modified, "removed": s.removed,
                    "unchanged": s.unchanged, "kept": s.kept,
                })), None),
                Err(m) => ("failed", None, Some(m.clone())),
            };
            json.push(serde_json::json!({
                "profile": path.display().to_string(),
                "output": dir.display().to_string(),
                "status": status,
                "files": summary,
                "error": error,
                "diagnostics": outcome.diagnostics_json(),
            }));
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
