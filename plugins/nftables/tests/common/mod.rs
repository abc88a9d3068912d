//! Shared by the nftables plugin's integration tests: the plugin loaded through the
//! real host, the example profile's Policy, and the reachability oracle.

#![allow(dead_code)]

use cloudwall_core::policy::Policy;
use cloudwall_core::ports::Proto;
use cloudwall_plugin_host::PluginProvider;
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
pub fn reachable(policy: &Policy, from: &str, to: &str, port: u16) -> bool {
    cloudwall_core::reach::evaluate(policy, from, to, Proto::Tcp, port)
        .unwrap_or_else(|e| panic!("{e}"))
        .reachable
}
