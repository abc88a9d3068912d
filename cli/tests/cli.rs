//! End-to-end tests of the `cloudwall` binary: exit codes, output trees, batches.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

fn cloudwall(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cloudwall"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .env_remove("VPC_ID")
        .stdin(Stdio::null())
        .output()
        .expect("the binary runs")
}

fn code(o: &Output) -> i32 {
    o.status.code().expect("exited normally")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Copies fixtures into a temporary folder (so that paths in messages are short).
fn workspace(names: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for n in names {
        fs::copy(fixture(n), dir.path().join(n)).unwrap();
    }
    dir
}

/// Every file under a folder: relative path -> bytes.
fn tree(root: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for e in fs::read_dir(dir).unwrap() {
            let e = e.unwrap();
            let p = e.path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                out.insert(p.strip_prefix(root).unwrap().to_string_lossy().into_owned(), fs::read(&p).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

/// `FILE:LINE:COL: error[CWnnn]: ...` for the given file.
fn has_located_error(text: &str, file: &str) -> bool {
    text.lines().any(|l| {
        let Some(rest) = l.strip_prefix(file).and_then(|r| r.strip_prefix(':')) else { return false };
        let mut parts = rest.splitn(3, ':');
        let (Some(line), Some(col), Some(tail)) = (parts.next(), parts.next(), parts.next()) else { return false };
        line.parse::<usize>().is_ok() && col.parse::<usize>().is_ok() && tail.starts_with(" error[CW")
    })
}

// ---- commands that need nothing but the binary ----

#[test]
fn help_version_and_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(code(&cloudwall(&["--help"], dir.path())), 0);
    assert_eq!(code(&cloudwall(&["--version"], dir.path())), 0);
    let o = cloudwall(&["frobnicate"], dir.path());
    assert_eq!(code(&o), 1, "usage errors exit 1");
    assert!(stdout(&o).is_empty());
    assert_eq!(code(&cloudwall(&[], dir.path())), 1);
    // verify touches live state only when asked explicitly
    assert_eq!(code(&cloudwall(&["verify", "p.toml"], dir.path())), 1);
}

#[test]
fn completions_for_each_shell() {
    let dir = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish"] {
        let o = cloudwall(&["completions", shell], dir.path());
        assert_eq!(code(&o), 0, "{shell}");
        assert!(stdout(&o).contains("generate"), "{shell}");
    }
    assert_eq!(code(&cloudwall(&["completions", "tcsh"], dir.path())), 1);
}

#[test]
fn plugins_list_text_and_json() {
    let dir = tempfile::tempdir().unwrap();
    let o = cloudwall(&["plugins", "list"], dir.path());
    assert_eq!(code(&o), 0);
    let text = stdout(&o);
    assert!(text.lines().next().unwrap().starts_with("NAME"));
    assert!(text.lines().any(|l| l.starts_with("aws ") && l.contains("built-in") && l.contains("groups")), "{text}");
    let o = cloudwall(&["plugins", "list", "--format", "json"], dir.path());
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v[0]["name"], "aws");
    assert_eq!(v[0]["origin"], "built-in");
}

#[test]
fn init_writes_a_profile_and_refuses_to_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    let o = cloudwall(&["init", "-o", "profiles/shop.toml"], dir.path());
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let path = dir.path().join("profiles/shop.toml");
    let text = fs::read_to_string(&path).unwrap();
    assert!(text.contains("name       = \"shop\""));
    assert!(text.contains("provider   = \"aws\""));
    assert!(text.contains("topology   = \"3-tier\""));
    assert!(text.contains("public     = \"load-balancer-only\""));

    let o = cloudwall(&["init", "-o", "profiles/shop.toml", "--topology", "2-tier"], dir.path());
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("--force"));
    assert_eq!(fs::read_to_string(&path).unwrap(), text, "untouched");
    let o = cloudwall(&["init", "-o", "profiles/shop.toml", "--topology", "2-tier", "--force"], dir.path());
    assert_eq!(code(&o), 0);
    assert!(fs::read_to_string(&path).unwrap().contains("\"2-tier\""));

    let o = cloudwall(&["init", "-o", "x.toml", "--public", "everywhere"], dir.path());
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("load-balancer-only"));
    assert!(!dir.path().join("x.toml").exists());
}

#[test]
fn unreadable_profile_is_an_error_everywhere() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        vec!["check", "missing.toml"],
        vec!["generate", "missing.toml", "-o", "out"],
        vec!["diff", "missing.toml", "-o", "out"],
        vec!["explain", "missing.toml", "--from", "a", "--to", "b", "--port", "443"],
    ] {
        let o = cloudwall(&args, dir.path());
        assert_eq!(code(&o), 1, "{args:?}");
        assert!(stderr(&o).contains("missing.toml"), "{args:?}: {}", stderr(&o));
    }
    assert!(!dir.path().join("out").exists());
    let o = cloudwall(&["verify", "missing.toml", "--live"], dir.path());
    assert_eq!(code(&o), 2, "a check that cannot run");
}

#[test]
fn bad_arguments_are_refused_before_anything_is_written() {
    let dir = workspace(&["webapp.toml"]);
    let o = cloudwall(&["generate", "webapp.toml", "-o", "out", "--phase", "groups,firewalls"], dir.path());
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("unknown phase `firewalls`"));
    fs::create_dir(dir.path().join("b")).unwrap();
    fs::copy(fixture("webapp.toml"), dir.path().join("b/webapp.toml")).unwrap();
    let o = cloudwall(&["generate", "webapp.toml", "b/webapp.toml", "-o", "out"], dir.path());
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("rename one"));
    let o = cloudwall(&["explain", "webapp.toml", "--from", "alb", "--to", "ecs", "--port", "80-90/tcp"], dir.path());
    assert_eq!(code(&o), 1);
    assert!(!dir.path().join("out").exists());
}

// ---- commands that need the parser, compiler, rules and provider ----

#[test]
fn check_exit_codes_and_located_findings() {
    let dir = workspace(&["webapp.toml", "exposed-db.toml"]);
    let o = cloudwall(&["check", "webapp.toml"], dir.path());
    assert_eq!(code(&o), 0, "{}", stderr(&o));

    let o = cloudwall(&["check", "exposed-db.toml"], dir.path());
    assert_eq!(code(&o), 1);
    assert!(has_located_error(&stderr(&o), "exposed-db.toml"), "{}", stderr(&o));
    assert!(stdout(&o).is_empty(), "findings go to stderr");

    let o = cloudwall(&["check", "webapp.toml", "exposed-db.toml", "--format", "json"], dir.path());
    assert_eq!(code(&o), 1);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let list = v.as_array().unwrap();
    assert!(list.iter().any(|d| d["severity"] == "error" && d["file"] == "exposed-db.toml" && d["line"].is_u64()));
}

#[test]
fn generate_twice_gives_identical_trees() {
    let dir = workspace(&["webapp.toml"]);
    let o = cloudwall(&["generate", "webapp.toml", "-o", "out"], dir.path());
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let first = tree(&dir.path().join("out"));
    assert!(first.contains_key(".cloudwall-manifest.json"));
    assert!(first.keys().any(|k| k.starts_with("aws/")), "{:?}", first.keys());
    let o = cloudwall(&["generate", "webapp.toml", "-o", "out2"], dir.path());
    assert_eq!(code(&o), 0);
    assert_eq!(first, tree(&dir.path().join("out2")));
    let o = cloudwall(&["generate", "webapp.toml", "-o", "out"], dir.path());
    assert_eq!(code(&o), 0);
    assert_eq!(first, tree(&dir.path().join("out")));
}

#[test]
fn generate_refuses_hand_edits_without_force() {
    let dir = workspace(&["webapp.toml"]);
    assert_eq!(code(&cloudwall(&["generate", "webapp.toml", "-o", "out"], dir.path())), 0);
    let out = dir.path().join("out");
    let victim = tree(&out).into_keys().find(|k| k.starts_with("aws/")).unwrap();
    let edited = format!("{}\n# local tweak\n", fs::read_to_string(out.join(&victim)).unwrap());
    fs::write(out.join(&victim), &edited).unwrap();
    fs::write(out.join("NOTES.md"), "mine\n").unwrap();
    let before = tree(&out);

    let o = cloudwall(&["generate", "webapp.toml", "-o", "out"], dir.path());
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains(&victim), "names the file: {}", stderr(&o));
    assert_eq!(before, tree(&out), "nothing changed");

    let o = cloudwall(&["generate", "webapp.toml", "-o", "out", "--force"], dir.path());
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_ne!(fs::read_to_string(out.join(&victim)).unwrap(), edited);
    assert_eq!(fs::read_to_string(out.join("NOTES.md")).unwrap(), "mine\n", "the user's file is kept");
}

#[test]
fn generate_refuses_a_profile_with_findings_and_writes_nothing() {
    let dir = workspace(&["exposed-db.toml"]);
    let o = cloudwall(&["generate", "exposed-db.toml", "-o", "out"], dir.path());
    assert_eq!(code(&o), 1);
    assert!(has_located_error(&stderr(&o), "exposed-db.toml"), "{}", stderr(&o));
    assert!(!dir.path().join("out").exists());
}

#[test]
fn a_failing_profile_in_a_batch_does_not_stop_the_others() {
    let dir = workspace(&["webapp.toml", "exposed-db.toml", "shop.toml"]);
    let o = cloudwall(
        &["generate", "webapp.toml", "exposed-db.toml", "shop.toml", "-o", "out", "--jobs", "2"],
        dir.path(),
    );
    assert_eq!(code(&o), 1);
    let out = dir.path().join("out");
    assert!(out.join("webapp/.cloudwall-manifest.json").is_file(), "{}", stderr(&o));
    assert!(out.join("shop/.cloudwall-manifest.json").is_file());
    assert!(!out.join("exposed-db").exists());
    assert!(stderr(&o).contains("exposed-db.toml"));
    assert!(!out.join(".cloudwall-manifest.json").exists(), "each profile is its own tree");
}

#[test]
fn phases_and_provider_subsets() {
    let dir = workspace(&["webapp.toml"]);
    let o = cloudwall(&["generate", "webapp.toml", "-o", "out", "--phase", "report", "--provider", "aws"], dir.path());
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let files = tree(&dir.path().join("out"));
    assert!(files.keys().all(|k| k.starts_with("aws/") || k == ".cloudwall-manifest.json"));
    assert!(files.contains_key("aws/report.md"), "{:?}", files.keys());
    assert!(!files.keys().any(|k| k.ends_with(".tf")), "only the report phase: {:?}", files.keys());
    // a later run with every phase adds the rest
    let o = cloudwall(&["generate", "webapp.toml", "-o", "out"], dir.path());
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let all = tree(&dir.path().join("out"));
    assert!(all.len() > files.len());
    let o = cloudwall(&["generate", "webapp.toml", "-o", "out", "--provider", "gcp"], dir.path());
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("aws"));
}

#[test]
fn diff_exit_codes() {
    let dir = workspace(&["webapp.toml", "exposed-db.toml"]);
    let o = cloudwall(&["diff", "webapp.toml", "-o", "out"], dir.path());
    assert_eq!(code(&o), 2, "everything is new: {}", stderr(&o));
    assert!(stdout(&o).contains("+++ b/"));
    assert!(!dir.path().join("out").exists(), "diff writes nothing");

    assert_eq!(code(&cloudwall(&["generate", "webapp.toml", "-o", "out"], dir.path())), 0);
    let o = cloudwall(&["diff", "webapp.toml", "-o", "out"], dir.path());
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    assert!(stdout(&o).is_empty());

    let out = dir.path().join("out");
    let victim = tree(&out).into_keys().find(|k| k.starts_with("aws/")).unwrap();
    fs::write(out.join(&victim), "drifted\n").unwrap();
    let o = cloudwall(&["diff", "webapp.toml", "-o", "out", "--check"], dir.path());
    assert_eq!(code(&o), 2);
    let listed = stdout(&o);
    assert!(listed.contains("modified") && listed.contains(&victim), "{listed}");
    assert!(!listed.contains("@@"), "--check lists files only");

    let o = cloudwall(&["diff", "exposed-db.toml", "-o", "out"], dir.path());
    assert_eq!(code(&o), 1);
}

#[test]
fn init_output_passes_check() {
    let dir = tempfile::tempdir().unwrap();
    for (i, extra) in [
        vec![],
        vec!["--topology", "2-tier", "--public", "none"],
        vec!["--compliance", "pci-dss,soc2", "--public", "multi-edge"],
    ]
    .into_iter()
    .enumerate()
    {
        let file = format!("p{i}.toml");
        let mut args = vec!["init", "-o", file.as_str()];
        args.extend(extra.iter().copied());
        let o = cloudwall(&args, dir.path());
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        let o = cloudwall(&["check", &file], dir.path());
        assert_eq!(code(&o), 0, "{extra:?}: {}\n{}", stderr(&o), fs::read_to_string(dir.path().join(&file)).unwrap());
    }
}

#[test]
fn explain_exit_codes() {
    let dir = workspace(&["webapp.toml"]);
    let o = cloudwall(&["explain", "webapp.toml", "--from", "alb", "--to", "ecs", "--port", "8080/tcp"], dir.path());
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("reachable"));
    let o = cloudwall(&["explain", "webapp.toml", "--from", "internet", "--to", "rds", "--port", "5432"], dir.path());
    assert_eq!(code(&o), 1);
    assert!(stdout(&o).contains("not reachable"));
    let o = cloudwall(
        &["explain", "webapp.toml", "--from", "alb", "--to", "ecs", "--port", "8080", "--format", "json"],
        dir.path(),
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["reachable"], true);
    assert!(!v["rules"].as_array().unwrap().is_empty());
    let o = cloudwall(&["explain", "webapp.toml", "--from", "nobody", "--to", "ecs", "--port", "80"], dir.path());
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("nobody"));
}

#[test]
fn explain_refuses_a_profile_check_refuses_and_sees_the_providers_rules() {
    // The profile's rule would never be generated: explain does not call it reachable.
    let dir = workspace(&["exposed-db.toml"]);
    let o = cloudwall(&["explain", "exposed-db.toml", "--from", "internet", "--to", "db", "--port", "5432"], dir.path());
    assert_eq!(code(&o), 1, "{}{}", stdout(&o), stderr(&o));
    assert!(stderr(&o).contains("CW001") && stderr(&o).contains("does not pass `check`"), "{}", stderr(&o));
    assert!(!stdout(&o).contains("reachable"), "{}", stdout(&o));
    // The client VPN's group exists only in the provider's rendering: explain sees it.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let o = cloudwall(&["explain", "examples/vpn-only.toml", "--from", "client-vpn", "--to", "shop", "--port", "22"], &root);
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("(aws): reachable"), "{}", stdout(&o));
    let o = cloudwall(&["explain", "examples/vpn-only.toml", "--from", "internet", "--to", "shop", "--port", "22"], &root);
    assert_eq!(code(&o), 1, "{}{}", stdout(&o), stderr(&o));
    let o = cloudwall(
        &["explain", "examples/vpn-only.toml", "--from", "client-vpn", "--to", "shop", "--port", "22", "--provider", "gcp"],
        &root,
    );
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("--provider gcp"), "{}", stderr(&o));
}

#[test]
fn verify_without_live_inputs_does_not_pass() {
    let dir = workspace(&["webapp.toml", "exposed-db.toml"]);
    // No VPC_ID (removed from the environment): the script cannot run its checks.
    let o = cloudwall(&["verify", "webapp.toml", "--live"], dir.path());
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(stderr(&o).contains("VPC_ID is not set"), "{}", stderr(&o));
    let o = cloudwall(&["verify", "exposed-db.toml", "--live"], dir.path());
    assert_eq!(code(&o), 2);
}

#[test]
fn verify_against_an_emulated_vpc_reports_the_script_exit_code() {
    use cloudwall_tests::moto::Moto;
    let Some(moto) = Moto::start() else { return };
    let dir = workspace(&["webapp.toml"]);
    let run = |env: &[(String, String)]| {
        Command::new(env!("CARGO_BIN_EXE_cloudwall"))
            .args(["verify", "webapp.toml", "--live"])
            .current_dir(dir.path())
            .env("NO_COLOR", "1")
            .envs(moto.env())
            .envs(env.iter().cloned())
            .stdin(Stdio::null())
            .output()
            .expect("the binary runs")
    };
    // A VPC where nothing was applied: the groups are missing, a check fails (exit 1).
    let net = moto.network();
    let o = run(&net);
    assert_eq!(code(&o), 1, "{}\n{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("FAIL groups-present: missing in "), "{}", stdout(&o));
    assert!(stdout(&o).contains("PASS no-internet-sensitive-port"), "{}", stdout(&o));
    // A VPC that does not exist: the checks cannot run (exit 2).
    let o = run(&[("VPC_ID".into(), "vpc-0123456789abcdef0".into())]);
    assert_eq!(code(&o), 2, "{}\n{}", stdout(&o), stderr(&o));
    assert!(stderr(&o).contains("cannot read VPC vpc-0123456789abcdef0"), "{}", stderr(&o));
}
