//! `cloudwall verify PROFILE... --live`: render each provider's verification script to a
//! temporary folder and run it with bash against live state (the environment passes
//! through: credentials, `VPC_ID`, endpoint overrides).

use super::exit;
use crate::args::{Format, VerifyArgs};
use crate::console::Console;
use crate::pipeline::{self, Outcome};
use crate::providers::Registry;
use cloudwall_core::output;
use cloudwall_core::provider::Phase;
use std::path::Path;
use std::process::Command;

/// Where each provider's script sits in its rendered folder.
pub const VERIFY_SCRIPT: &str = "verify/verify.sh";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Pass,
    Fail,
    CouldNotRun,
}

#[derive(Debug)]
struct Run {
    provider: String,
    status: Status,
    note: String,
    stdout: String,
    stderr: String,
}

fn run_provider(files: &std::collections::BTreeMap<String, String>, provider: &str, root: &Path) -> Run {
    let run = |status, note: String| Run { provider: provider.to_string(), status, note, stdout: String::new(), stderr: String::new() };
    let key = format!("{provider}/{VERIFY_SCRIPT}");
    if !files.contains_key(&key) {
        return run(Status::CouldNotRun, format!("provider `{provider}` renders no verify script ({VERIFY_SCRIPT}); nothing to verify"));
    }
    let dir = root.join(provider);
    let output = match Command::new("bash").arg(VERIFY_SCRIPT).current_dir(&dir).output() {
        Ok(o) => o,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return run(Status::CouldNotRun, "bash is not installed: cannot run the verify script".into())
        }
        Err(e) => return run(Status::CouldNotRun, format!("cannot run bash: {e}")),
    };
    let (status, note) = match output.status.code() {
        Some(0) => (Status::Pass, "all checks passed".to_string()),
        Some(1) => (Status::Fail, "a check failed".to_string()),
        Some(n) => (Status::CouldNotRun, format!("the verify script could not run its checks (exit {n})")),
        None => (Status::CouldNotRun, "the verify script was killed by a signal".to_string()),
    };
    Run {
        provider: provider.to_string(),
        status,
        note,
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

pub fn run(args: &VerifyArgs, format: Format, console: &Console, registry: &Registry) -> u8 {
    let outcomes = pipeline::run_parallel(&args.profiles, pipeline::jobs(args.jobs), console, "verifying", |path| {
        let analysis = match pipeline::analyse(path, registry, &args.provider) {
            Ok(a) => a,
            Err(failure) => return failure.into_failure(),
        };
        let sources = analysis.profile.sources.clone();
        let diagnostics = analysis.findings.clone();
        let result = (|| -> Result<Vec<Run>, String> {
            if analysis.has_errors() {
                return Err("check found errors; fix the profile before verifying".into());
            }
            let files = pipeline::render(&analysis, registry, &[Phase::Verify])?;
            let tmp = tempfile::Builder::new().prefix("cloudwall-verify-").tempdir().map_err(|e| e.to_string())?;
            let root = tmp.path().join("out");
            output::write_tree(&root, &files, true).map_err(|e| e.to_string())?;
            Ok(analysis.providers.iter().map(|p| run_provider(&files, p, &root)).collect())
        })();
        Outcome { path: path.clone(), sources, diagnostics, result }
    });

    let mut any_fail = false;
    let mut any_not_run = false;
    let mut json = Vec::new();
    for (path, outcome) in args.profiles.iter().zip(outcomes) {
        let outcome: Outcome<Vec<Run>> = outcome.unwrap_or_else(|m| Outcome::failed(path, m));
        match &outcome.result {
            Err(msg) => {
                any_not_run = true;
                if format == Format::Text {
                    outcome.print_diagnostics(console);
                }
                console.error(&format!("{}: {msg}", path.display()));
                if format == Format::Json {
                    json.push(serde_json::json!({
                        "profile": path.display().to_string(), "status": "could-not-run",
                        "error": msg, "diagnostics": outcome.diagnostics_json(),
                    }));
                }
            }
            Ok(runs) => {
                for r in runs {
                    let label = match r.status {
                        Status::Pass => "pass",
                        Status::Fail => "fail",
                        Status::CouldNotRun => "could-not-run",
                    };
                    match r.status {
                        Status::Pass => {}
                        Status::Fail => any_fail = true,
                        Status::CouldNotRun => any_not_run = true,
                    }
                    match format {
                        Format::Json => json.push(serde_json::json!({
                            "profile": path.display().to_string(), "provider": r.provider,
                            "status": label, "message": r.note, "stdout": r.stdout, "stderr": r.stderr,
                        })),
                        Format::Text => {
                            if args.profiles.len() > 1 || runs.len() > 1 {
                                console.data(&format!("== {} ({})", path.display(), r.provider));
                            }
                            if !r.stdout.is_empty() {
                                console.data(&r.stdout);
                            }
                            console.raw_err(&r.stderr);
                            let line = format!("{} ({}): {}", path.display(), r.provider, r.note);
                            match r.status {
                                Status::Pass => console.success(&line),
                                Status::Fail | Status::CouldNotRun => console.error(&line),
                            }
                        }
                    }
                }
            }
        }
    }
    if format == Format::Json {
        console.json(&serde_json::Value::Array(json));
    }
    if any_fail {
        exit::FAILURE
    } else if any_not_run {
        exit::COULD_NOT_RUN
    } else {
        exit::OK
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn run_script(body: &str) -> Run {
        let tmp = tempfile::tempdir().unwrap();
        let files: BTreeMap<String, String> = [(format!("p/{VERIFY_SCRIPT}"), body.to_string())].into_iter().collect();
        output::write_tree(&tmp.path().join("out"), &files, false).unwrap();
        run_provider(&files, "p", &tmp.path().join("out"))
    }

    #[test]
    fn script_exit_codes_map_to_pass_fail_and_could_not_run() {
        let pass = run_script("echo 'PASS groups'\nexit 0\n");
        assert_eq!(pass.status, Status::Pass);
        assert_eq!(pass.stdout, "PASS groups\n");
        let fail = run_script("echo 'FAIL port 22 open' >&2\nexit 1\n");
        assert_eq!(fail.status, Status::Fail);
        assert!(fail.stderr.contains("FAIL port 22"));
        assert_eq!(run_script("exit 3\n").status, Status::CouldNotRun);
        assert_eq!(run_script("kill -9 $$\n").status, Status::CouldNotRun);
        // the environment passes through
        std::env::set_var("CLOUDWALL_VERIFY_TEST_VAR", "vpc-123");
        let env = run_script("[ \"$CLOUDWALL_VERIFY_TEST_VAR\" = vpc-123 ] || exit 1\n");
        assert_eq!(env.status, Status::Pass);
    }

    #[test]
    fn a_provider_without_a_script_cannot_run() {
        let tmp = tempfile::tempdir().unwrap();
        let r = run_provider(&BTreeMap::new(), "p", tmp.path());
        assert_eq!(r.status, Status::CouldNotRun);
        assert!(r.note.contains("renders no verify script"));
    }
}
