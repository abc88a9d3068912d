//! `cloudwall diff PROFILE... -o DIR [--check]`: what `generate` would change.

use super::exit;
use crate::args::{DiffArgs, Format};
use crate::console::Console;
use crate::pipeline::{self, Outcome};
use crate::providers::Registry;
use cloudwall_core::output::{self, FileChange};

pub fn run(args: &DiffArgs, format: Format, console: &Console, registry: &Registry) -> u8 {
    let r = &args.render;
    let (phases, work) = match pipeline::plan_work(r) {
        Ok(w) => w,
        Err(e) => {
            console.error(&e);
            return exit::FAILURE;
        }
    };
    let outcomes = pipeline::run_parallel(&work, pipeline::jobs(r.jobs), console, "comparing", |(path, dir)| {
        let analysis = match pipeline::analyse(path, registry, &r.provider) {
            Ok(a) => a,
            Err(failure) => return failure.into_failure(),
        };
        let result = if analysis.has_errors() {
            Err("check found errors; generate would write nothing".into())
        } else {
            pipeline::render(&analysis, registry, &phases)
                .and_then(|files| output::diff_tree(dir, &files).map_err(|e| e.to_string()))
        };
        Outcome { path: path.clone(), sources: analysis.profile.sources, diagnostics: analysis.findings, result }
    });

    let mut errors = false;
    let mut changes = false;
    let mut json = Vec::new();
    for ((path, dir), outcome) in work.iter().zip(outcomes) {
        let outcome: Outcome<Vec<FileChange>> = outcome.unwrap_or_else(|msg| Outcome::failed(path, msg));
        if format == Format::Text && (outcome.result.is_err() || outcome.has_error_diagnostics()) {
            outcome.print_diagnostics(console);
        }
        match &outcome.result {
            Err(msg) => {
                errors = true;
                console.error(&format!("{}: {msg}", path.display()));
                if format == Format::Json {
                    json.push(serde_json::json!({
                        "profile": path.display().to_string(), "output": dir.display().to_string(),
                        "error": msg, "diagnostics": outcome.diagnostics_json(),
                    }));
                }
            }
            Ok(list) => {
                changes |= !list.is_empty();
                match format {
                    Format::Json => {
                        let files: Vec<serde_json::Value> = list
                            .iter()
                            .map(|c| {
                                let mut v = serde_json::json!({ "path": c.path, "change": c.kind });
                                if !args.check {
                                    v["diff"] = serde_json::Value::String(c.diff.clone());
                                }
                                v
                            })
                            .collect();
                        json.push(serde_json::json!({
                            "profile": path.display().to_string(), "output": dir.display().to_string(),
                            "changes": files,
                        }));
                    }
                    Format::Text if args.check => {
                        let text: String = list
                            .iter()
                            .map(|c| format!("{:<9}{}\n", c.kind.as_str(), dir.join(&c.path).display()))
                            .collect();
                        if !text.is_empty() {
                            console.data(&text);
                        }
                    }
                    Format::Text => {
                        let prefix = if r.profiles.len() > 1 { dir.strip_prefix(&r.output).ok() } else { None };
                        for c in list {
                            match prefix {
                                Some(p) => console.diff(&reheader(&c.diff, &p.to_string_lossy())),
                                None => console.diff(&c.diff),
                            }
                        }
                    }
                }
                if list.is_empty() {
                    console.info(&format!("{}: {} is up to date", path.display(), dir.display()));
                } else {
                    console.info(&format!("{}: {} file(s) would change in {}", path.display(), list.len(), dir.display()));
                }
            }
        }
    }
    if format == Format::Json {
        console.json(&serde_json::Value::Array(json));
    }
    if errors {
        exit::FAILURE
    } else if changes {
        exit::CHANGES
    } else {
        exit::OK
    }
}

/// Puts a profile's sub-folder into a diff's `--- a/` / `+++ b/` header lines, so that
/// the paths of a batch's diffs stay relative to the output folder.
fn reheader(diff: &str, sub: &str) -> String {
    let mut out = String::with_capacity(diff.len() + 2 * sub.len());
    for (i, line) in diff.split_inclusive('\n').enumerate() {
        if i < 2 {
            if let Some(rest) = line.strip_prefix("--- a/") {
                out.push_str(&format!("--- a/{sub}/{rest}"));
                continue;
            }
            if let Some(rest) = line.strip_prefix("+++ b/") {
                out.push_str(&format!("+++ b/{sub}/{rest}"));
                continue;
            }
        }
        out.push_str(line);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn batch_diffs_name_the_profile_folder() {
        let d = "--- a/aws/x.tf\n+++ b/aws/x.tf\n@@ -1 +1 @@\n--- a/keep\n";
        assert_eq!(super::reheader(d, "shop"), "--- a/shop/aws/x.tf\n+++ b/shop/aws/x.tf\n@@ -1 +1 @@\n--- a/keep\n");
        let added = "--- /dev/null\n+++ b/aws/x.tf\n";
        assert_eq!(super::reheader(added, "shop"), "--- /dev/null\n+++ b/shop/aws/x.tf\n");
    }
}
