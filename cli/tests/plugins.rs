//! The `cloudwall` binary with plugins: `--plugin`, `CLOUDWALL_PLUGIN_PATH` and a
//! profile's `plugins = [...]` load the nftables plugin (built here by cargo); every
//! broken fixture plugin ends the command with its own error, exit 1, and nothing written.

use cloudwall_plugin_host::testing::build_plugin;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn example() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/onprem-nftables.toml");
    std::fs::read_to_string(path).unwrap()
}

fn plugin(package: &str) -> PathBuf {
    build_plugin(package).unwrap_or_else(|e| panic!("{e}"))
}

fn cloudwall(args: &[&str], cwd: &Path, env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_cloudwall"));
    c.args(args).current_dir(cwd).env("NO_COLOR", "1").env_remove("CLOUDWALL_PLUGIN_PATH").stdin(Stdio::null());
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().expect("the binary runs")
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

#[test]
fn generate_with_the_nftables_plugin_writes_the_rulesets() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("site.toml"), example()).unwrap();
    let lib = plugin("cloudwall-nftables");
    let o = cloudwall(&["generate", "site.toml", "--plugin", lib.to_str().unwrap(), "-o", "out"], dir.path(), &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    for w in ["api", "cache", "db", "lb", "web"] {
        let f = dir.path().join(format!("out/nftables/rulesets/{w}.nft"));
        assert!(std::fs::read_to_string(&f).unwrap().contains("policy drop;"), "{}", f.display());
    }
    assert!(dir.path().join("out/nftables/verify/verify.sh").exists());
    assert!(dir.path().join("out/nftables/report.md").exists());

    // Without the plugin, the provider is unknown and the message lists what is available.
    let o = cloudwall(&["generate", "site.toml", "-o", "out2"], dir.path(), &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o).contains("unknown provider `nftables`") && text(&o).contains("aws"), "{}", text(&o));
    assert!(!dir.path().join("out2").exists());
}

#[test]
fn plugins_come_from_the_environment_and_the_profile_too() {
    let dir = tempfile::tempdir().unwrap();
    let lib = plugin("cloudwall-nftables");
    std::fs::create_dir_all(dir.path().join("conf/lib")).unwrap();
    std::fs::copy(&lib, dir.path().join("conf/lib/libnft.so")).unwrap();
    std::fs::write(dir.path().join("conf/site.toml"), format!("plugins = [\"lib/libnft.so\"]\n{}", example())).unwrap();
    let o = cloudwall(&["generate", "conf/site.toml", "-o", "out"], dir.path(), &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(dir.path().join("out/nftables/rulesets/api.nft").exists());

    let o = cloudwall(&["plugins", "list", "--format", "json"], dir.path(), &[("CLOUDWALL_PLUGIN_PATH", lib.to_str().unwrap())]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let list: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let nft = list.as_array().unwrap().iter().find(|p| p["name"] == "nftables").expect("nftables listed");
    assert_eq!(nft["origin"], "plugin");
    assert_eq!(nft["abi"], cloudwall_plugin_host::ABI_VERSION.to_string());
    assert_eq!(nft["protocol"], cloudwall_plugin_host::PROTOCOL_VERSION.to_string());
    assert_eq!(nft["phases"], serde_json::json!(["groups", "egress", "verify", "report"]));
    assert!(list.as_array().unwrap().iter().any(|p| p["name"] == "aws" && p["origin"] == "built-in"));

    // The same library named twice (flag and environment) loads once.
    let o = cloudwall(
        &["plugins", "list", "--plugin", lib.to_str().unwrap()],
        dir.path(),
        &[("CLOUDWALL_PLUGIN_PATH", lib.to_str().unwrap())],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("plugin (ABI 1, protocol 1.0.0)"), "{}", text(&o));
}

#[test]
fn every_broken_plugin_fails_clearly_and_writes_nothing() {
    let cases: [(&str, &str, &str); 6] = [
        ("not-a-plugin", "infrastructure team", "not a cloudwall plugin"),
        ("wrong-abi", "infrastructure team", "built for plugin ABI version"),
        ("bad-protocol", "infrastructure team", "speaks plugin protocol 2.0.0"),
        ("panics", "infrastructure team", "the plugin panicked: no rules for deployment orders"),
        ("bad-json", "infrastructure team", "returned malformed JSON"),
        ("escaping-path", "../../escape.txt", "must stay inside the output folder"),
    ];
    for (name, owner, expected) in cases {
        let dir = tempfile::tempdir().unwrap();
        let profile = example()
            .replace("provider = \"nftables\"", &format!("provider = \"{name}\""))
            .replace("owner    = \"infrastructure team\"", &format!("owner    = \"{owner}\""));
        std::fs::create_dir_all(dir.path().join("a/b")).unwrap();
        std::fs::write(dir.path().join("a/b/site.toml"), profile).unwrap();
        let lib = plugin(&format!("cloudwall-fixture-{name}"));
        let o = cloudwall(&["generate", "a/b/site.toml", "--plugin", lib.to_str().unwrap(), "-o", "a/b/out"], dir.path(), &[]);
        assert_eq!(o.status.code(), Some(1), "{name}: {}", text(&o));
        assert!(text(&o).contains(expected), "{name}: {}", text(&o));
        assert!(!dir.path().join("a/b/out").exists(), "{name}: partial output written");
        assert!(!dir.path().join("a/escape.txt").exists() && !dir.path().join("escape.txt").exists(), "{name}");
    }
}

#[test]
fn a_broken_plugin_on_the_path_does_not_break_commands_that_need_no_provider() {
    let dir = tempfile::tempdir().unwrap();
    let lib = plugin("cloudwall-fixture-wrong-abi");
    let env = [("CLOUDWALL_PLUGIN_PATH", lib.to_str().unwrap())];
    let o = cloudwall(&["completions", "bash"], dir.path(), &env);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    // Commands that render still refuse it, with its error.
    let o = cloudwall(&["plugins", "list"], dir.path(), &env);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("built for plugin ABI version"), "{}", text(&o));
}
