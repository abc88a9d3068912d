//! One profile through the core: load -> compile -> mandatory rules and provider checks
//! -> render; and the batch runner that does many profiles in parallel.

use crate::console::Console;
use crate::providers::Registry;
use cloudwall_core::diag::Diagnostic;
use cloudwall_core::provider::{is_safe_relative_path, Phase};
use cloudwall_core::source::SourceMap;
use cloudwall_core::{compile, profile, rules, Policy, Profile};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// Code of the finding "the profile names a provider this binary does not have".
pub const UNKNOWN_PROVIDER: &str = "CW190";

/// A loaded, compiled and checked profile.
#[derive(Debug)]
pub struct Analysis {
    pub profile: Profile,
    pub policy: Policy,
    /// Mandatory-rule findings, then provider findings.
    pub findings: Vec<Diagnostic>,
    /// The providers to render, in profile order.
    pub providers: Vec<String>,
}

impl Analysis {
    pub fn has_errors(&self) -> bool {
        self.findings.iter().any(Diagnostic::is_error)
    }
}

/// The result of one profile in a command: what to print and how it ended.
#[derive(Debug)]
pub struct Outcome<T> {
    pub path: PathBuf,
    pub sources: SourceMap,
    pub diagnostics: Vec<Diagnostic>,
    pub result: Result<T, String>,
}

impl<T> Outcome<T> {
    pub fn failed(path: &Path, message: impl Into<String>) -> Self {
        Outcome { path: path.to_path_buf(), sources: SourceMap::new(), diagnostics: vec![], result: Err(message.into()) }
    }

    pub fn print_diagnostics(&self, console: &Console) {
        for d in &self.diagnostics {
            console.diagnostic(d, &self.sources);
        }
    }

    pub fn diagnostics_json(&self) -> Vec<serde_json::Value> {
        self.diagnostics.iter().map(|d| d.to_json(&self.sources)).collect()
    }

    /// A failed outcome of another result type (the error and diagnostics kept).
    pub fn into_failure<U>(self) -> Outcome<U> {
        Outcome {
            path: self.path,
            sources: self.sources,
            diagnostics: self.diagnostics,
            result: Err(self.result.err().unwrap_or_else(|| "failed".into())),
        }
    }

    pub fn has_error_diagnostics(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Loads, compiles and checks one profile. `only` restricts the providers to render
/// (it must name providers of the profile). On failure: the outcome to report.
pub fn analyse(path: &Path, registry: &Registry, only: &[String]) -> Result<Analysis, Outcome<()>> {
    let profile = profile::load(path).map_err(|e| Outcome {
        path: path.to_path_buf(),
        sources: e.sources,
        diagnostics: e.diagnostics,
        result: Err("invalid profile".into()),
    })?;

    let mut unknown = Vec::new();
    for name in &profile.deployment.providers {
        if let Err(miss) = registry.get(&name.value) {
            unknown.push(
                Diagnostic::error(UNKNOWN_PROVIDER, miss.to_string())
                    .at(name.span, "no such provider")
                    .with_help(format!(
                        "available providers: {}; a plugin provider is loaded with --plugin PATH, CLOUDWALL_PLUGIN_PATH or `plugins = [...]` in the profile",
                        miss.available.join(", ")
                    )),
            );
        }
    }
    if !unknown.is_empty() {
        return Err(Outcome {
            path: path.to_path_buf(),
            sources: profile.sources.clone(),
            diagnostics: unknown,
            result: Err("invalid profile".into()),
        });
    }
    let declared: Vec<String> = profile.deployment.providers.iter().map(|p| p.value.clone()).collect();
    let providers = if only.is_empty() {
        declared.clone()
    } else {
        if let Some(missing) = only.iter().find(|n| !declared.contains(n)) {
            return Err(Outcome::failed(
                path,
                format!("--provider {missing}: the profile's providers are {}", declared.join(", ")),
            ));
        }
        declared.iter().filter(|n| only.contains(n)).cloned().collect()
    };

    let policy = compile::compile(&profile);
    let mut findings = rules::check(&profile, &policy);
    for name in &providers {
        if let Ok(p) = registry.get(name) {
            findings.extend(p.check(&policy));
        }
    }
    Ok(Analysis { profile, policy, findings, providers })
}

/// Renders the analysis' providers: `<provider>/<path>` -> content.
pub fn render(analysis: &Analysis, registry: &Registry, phases: &[Phase]) -> Result<BTreeMap<String, String>, String> {
    let mut files = BTreeMap::new();
    for name in &analysis.providers {
        let provider = registry.get(name).map_err(|e| e.to_string())?;
        let artifacts = provider.render(&analysis.policy, phases).map_err(|e| e.to_string())?;
        for (rel, content) in artifacts {
            if !is_safe_relative_path(&rel) {
                return Err(format!("provider `{name}` rendered an unsafe path `{rel}`"));
            }
            files.insert(format!("{name}/{rel}"), content);
        }
    }
    Ok(files)
}

/// `--phase` words -> phases (all of them when none is given).
/// (profile, output folder) pairs.
pub type Work = Vec<(PathBuf, PathBuf)>;

/// The phases asked for and the (profile, output folder) pairs of a `generate`/`diff` run.
pub fn plan_work(r: &crate::args::RenderArgs) -> Result<(Vec<Phase>, Work), String> {
    let phases = parse_phases(&r.phase)?;
    let dirs = output_dirs(&r.profiles, &r.output)?;
    Ok((phases, r.profiles.iter().cloned().zip(dirs).collect()))
}

pub fn parse_phases(words: &[String]) -> Result<Vec<Phase>, String> {
    if words.is_empty() {
        return Ok(Phase::ALL.to_vec());
    }
    let mut phases = Vec::new();
    for w in words {
        let w = w.trim();
        let p = Phase::parse(w).ok_or_else(|| {
            let known: Vec<&str> = Phase::ALL.iter().map(|p| p.as_str()).collect();
            format!("unknown phase `{w}`: expected one of {}", known.join(", "))
        })?;
        if !phases.contains(&p) {
            phases.push(p);
        }
    }
    phases.sort();
    Ok(phases)
}

/// The output folder of each profile: `out` for one, `out/<file stem>` for several.
pub fn output_dirs(profiles: &[PathBuf], out: &Path) -> Result<Vec<PathBuf>, String> {
    if profiles.len() == 1 {
        return Ok(vec![out.to_path_buf()]);
    }
    let mut seen: BTreeMap<String, &Path> = BTreeMap::new();
    let mut dirs = Vec::new();
    for p in profiles {
        let stem = p
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .filter(|s| !s.is_empty() && s != "." && s != "..")
            .ok_or_else(|| format!("{}: cannot name an output folder after this path", p.display()))?;
        if let Some(other) = seen.insert(stem.clone(), p) {
            return Err(format!(
                "{} and {} would both write to {}: rename one of them",
                other.display(),
                p.display(),
                out.join(&stem).display()
            ));
        }
        dirs.push(out.join(stem));
    }
    Ok(dirs)
}

/// `--jobs`, or the number of cores.
pub fn jobs(requested: Option<usize>) -> usize {
    requested.filter(|&n| n > 0).unwrap_or_else(|| std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1))
}

/// Runs `f` on every item with at most `jobs` threads; results in item order. A panic in
/// one item becomes that item's `Err` (the others complete).
pub fn run_parallel<T: Sync, R: Send>(
    items: &[T],
    jobs: usize,
    console: &Console,
    what: &str,
    f: impl Fn(&T) -> R + Sync,
) -> Vec<Result<R, String>> {
    let bar = console.progress(items.len(), what);
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Result<R, String>>>> = Mutex::new((0..items.len()).map(|_| None).collect());
    let workers = jobs.clamp(1, items.len().max(1));
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                if i >= items.len() {
                    break;
                }
                let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(&items[i]))).map_err(|p| {
                    let msg = p
                        .downcast_ref::<&str>()
                        .map(|s| s.to_string())
                        .or_else(|| p.downcast_ref::<String>().cloned())
                        .unwrap_or_else(|| "unknown panic".into());
                    format!("internal error: {msg}")
                });
                results.lock().unwrap_or_else(|e| e.into_inner())[i] = Some(r);
                if let Some(b) = &bar {
                    b.inc(1);
                }
            });
        }
    });
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    results
        .into_inner()
        .unwrap_or_else(|e| e.into_inner())
        .into_iter()
        .map(|r| r.unwrap_or_else(|| Err("not run".into())))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phases_parse_with_aliases_and_refuse_unknown_words() {
        assert_eq!(parse_phases(&[]).unwrap(), Phase::ALL.to_vec());
        let p = parse_phases(&["report".into(), "tiers".into(), "groups".into()]).unwrap();
        assert_eq!(p, vec![Phase::Groups, Phase::Report]);
        assert!(parse_phases(&["grups".into()]).unwrap_err().contains("groups, nacls"));
    }

    #[test]
    fn several_profiles_get_one_folder_each_and_clashing_stems_are_refused() {
        let out = Path::new("out");
        assert_eq!(output_dirs(&["a/p.toml".into()], out).unwrap(), vec![PathBuf::from("out")]);
        assert_eq!(
            output_dirs(&["a/p.toml".into(), "q.json".into()], out).unwrap(),
            vec![PathBuf::from("out/p"), PathBuf::from("out/q")]
        );
        assert!(output_dirs(&["a/p.toml".into(), "b/p.json".into()], out).is_err());
    }

    #[test]
    fn parallel_runner_keeps_order_and_survives_a_panic() {
        let console = Console::new(true, 1, 0);
        let items: Vec<u32> = (0..20).collect();
        let prev = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        let r = run_parallel(&items, 4, &console, "t", |&i| {
            if i == 7 {
                panic!("boom");
            }
            i * 2
        });
        std::panic::set_hook(prev);
        assert_eq!(r.len(), 20);
        assert_eq!(r[3], Ok(6));
        assert_eq!(r[7], Err("internal error: boom".into()));
        assert_eq!(r[19], Ok(38));
    }
}
