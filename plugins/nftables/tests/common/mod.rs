//! Shared by the nftables plugin's integration tests: the plugin loaded through the
//! real host, the example profile's Policy, the reachability oracle, and `nft -c` in a
//! throwaway network namespace.

#![allow(dead_code)]

use cloudwall_core::policy::Policy;
use cloudwall_core::ports::Proto;
use cloudwall_plugin_host::PluginProvider;
use std::io::Write;
use std::process::{Command, Stdio};
use std::sync::OnceLock;

/// The nftables cdylib, built by cargo into this test's target dir and loaded by the host.
pub fn nftables_plugin() -> &'static PluginProvider {
    static PLUGIN: OnceLock<PluginProvider> = OnceLock::new();
    PLUGIN.get_or_init(|| {
        let path = cloudwall_plugin_host::testing::build_plugin("cloudwall-nftables")
            .unwrap_or_else(|e| panic!("{e}"));
        cloudwall_plugin_host::load(&path).unwrap_or_else(|e| panic!("{e}"))
    })
}

/// The nft table of a workload, as the plugin names it.
pub fn table_of(policy: &Policy, workload: &str) -> String {
    format!("{}-fw", policy.group(workload).unwrap().name)
}

/// The Policy of `examples/onprem-nftables.toml`, through the real parser and compiler.
pub fn example_policy() -> Policy {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/onprem-nftables.toml");
    let profile = cloudwall_core::profile::load(&path).unwrap_or_else(|e| {
        let msgs: Vec<String> = e
            .diagnostics
            .iter()
            .map(|d| d.headline(&e.sources))
            .collect();
        panic!("{} does not load:\n{}", path.display(), msgs.join("\n"))
    });
    let policy = cloudwall_core::compile::compile(&profile);
    let errors: Vec<String> = cloudwall_core::rules::check(&profile, &policy)
        .iter()
        .filter(|d| d.is_error())
        .map(|d| d.headline(&profile.sources))
        .collect();
    assert!(
        errors.is_empty(),
        "the example breaks a mandatory rule:\n{}",
        errors.join("\n")
    );
    policy
}

/// The core reachability evaluator: can `from` reach `to` over TCP on `port`? Ends are
/// group ids or literal outside addresses.
pub fn reachable(policy: &Policy, from: &str, to: &str, proto: Proto, port: u16) -> bool {
    cloudwall_core::reach::evaluate(policy, from, to, proto, port)
        .unwrap_or_else(|e| panic!("{e}"))
        .reachable
}

/// Under CI (`CI` set, not `false`/`0`) every tool is installed: a skip would hide a
/// broken setup.
pub fn in_ci() -> bool {
    matches!(std::env::var("CI"), Ok(v) if !v.is_empty() && v != "false" && v != "0")
}

/// Why nft cannot run in a throwaway network namespace here (needs root, `unshare` and
/// nftables), or `None` when it can.
pub fn nft_unusable() -> Option<String> {
    static WHY: OnceLock<Option<String>> = OnceLock::new();
    WHY.get_or_init(|| match Command::new("unshare").args(["--net", "--", "nft", "list", "ruleset"]).output() {
        Err(e) => Some(format!("cannot run unshare: {e}")),
        Ok(o) if o.status.success() => None,
        Ok(o) => Some(format!("`unshare --net -- nft list ruleset` failed: {}", String::from_utf8_lossy(&o.stderr).trim())),
    })
    .clone()
}

/// `true` when nft can check rulesets here; otherwise says why the check is skipped
/// (and fails under CI, which installs nftables and runs as root).
pub fn nft_ready(what: &str) -> bool {
    match nft_unusable() {
        None => true,
        Some(why) => {
            assert!(!in_ci(), "{what}: nft must run under CI: {why}");
            eprintln!("SKIP {what}: {why}");
            false
        }
    }
}

/// `nft -c -f -` on `text` in a throwaway network namespace: `Err` with nft's message
/// when it refuses the ruleset. Call [`nft_ready`] first.
pub fn nft_check(text: &str) -> Result<(), String> {
    let mut child = Command::new("unshare")
        .args(["--net", "--", "nft", "-c", "-f", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| e.to_string())?;
    child.stdin.take().expect("piped").write_all(text.as_bytes()).map_err(|e| e.to_string())?;
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}
