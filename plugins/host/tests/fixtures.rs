//! The host against real plugin libraries: every broken fixture gives its own clear
//! error (and never crashes the test process), a good one renders.
//!
//! The fixtures are workspace crates under `plugins/fixtures/`, built here with
//! `cargo build -p ...` into this test's target directory.

use cloudwall_core::{Phase, Policy, Provider};
use cloudwall_plugin_host::testing::build_plugin;
use cloudwall_plugin_host::{load, load_all, PluginError, ABI_VERSION, PROTOCOL_VERSION};
use std::path::PathBuf;

fn fixture(name: &str) -> PathBuf {
    build_plugin(&format!("cloudwall-fixture-{name}")).unwrap_or_else(|e| panic!("{e}"))
}

/// A small Policy made by hand (one workload, no rules): enough to drive a plugin.
fn policy(name: &str) -> Policy {
    owned_by(name, "ops")
}

fn owned_by(name: &str, owner: &str) -> Policy {
    serde_json::from_value(serde_json::json!({
        "deployment": {
            "name": name, "env": "prod", "providers": ["x"], "region": null, "regions": [],
            "topology": "2-tier", "compliance": [], "public": "none", "owner": owner,
            "availability_zones": 1, "source": "p.toml"
        },
        "groups": [{
            "id": "api", "name": "prod-app-api", "tier": "app", "kind": "vm",
            "summary": "the API", "origin": {"file": "p.toml", "line": 3, "col": 1}
        }],
        "rules": [], "externals": [], "fqdn_egress": [], "endpoints": [],
        "access": {"strategy": null, "per_tier": {}, "origin": {"file": "p.toml", "line": 1, "col": 1}},
        "deny": [], "kubernetes": null, "spokes": [],
        "hosts": {"api": ["198.51.100.10/32"]}
    }))
    .expect("hand-made policy")
}

#[test]
fn a_library_without_the_entry_point_is_not_a_plugin() {
    let path = fixture("not-a-plugin");
    let err = load(&path).unwrap_err();
    assert!(matches!(err, PluginError::NotAPlugin { .. }), "{err}");
    let msg = err.to_string();
    assert!(
        msg.contains("not a cloudwall plugin") && msg.contains("cloudwall_plugin_entry"),
        "{msg}"
    );
    assert!(msg.contains(&path.display().to_string()), "{msg}");
}

#[test]
fn a_file_that_is_no_library_and_a_missing_file_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("libfake.so");
    std::fs::write(&text, "not an ELF file").unwrap();
    let err = load(&text).unwrap_err();
    assert!(matches!(err, PluginError::Open { .. }), "{err}");
    assert!(
        err.to_string()
            .contains("cannot load it as a shared library"),
        "{err}"
    );

    let err = load(&dir.path().join("missing.so")).unwrap_err();
    assert!(matches!(err, PluginError::NotFound { .. }), "{err}");
    let err = load(dir.path()).unwrap_err();
    assert!(matches!(err, PluginError::NotAFile { .. }), "{err}");
}

#[test]
fn a_wrong_abi_version_is_refused_before_any_call() {
    // The fixture's functions abort the process: reaching this assertion proves the
    // host read nothing but the table header.
    let err = load(&fixture("wrong-abi")).unwrap_err();
    match &err {
        PluginError::AbiMismatch {
            found, expected, ..
        } => {
            assert_eq!(*expected, ABI_VERSION);
            assert_eq!(*found, ABI_VERSION + 41);
        }
        other => panic!("expected an ABI mismatch, got {other}"),
    }
    let msg = err.to_string();
    assert!(
        msg.contains(&format!("ABI version {}", ABI_VERSION + 41)) && msg.contains("rebuild"),
        "{msg}"
    );
}

#[test]
fn an_incompatible_protocol_version_is_refused_before_any_call() {
    let err = load(&fixture("bad-protocol")).unwrap_err();
    match &err {
        PluginError::ProtocolMismatch { plugin, host, .. } => {
            assert_eq!(*host, PROTOCOL_VERSION);
            assert_eq!(plugin.major, PROTOCOL_VERSION.major + 1);
        }
        other => panic!("expected a protocol mismatch, got {other}"),
    }
    assert!(err.to_string().contains("protocol"), "{err}");
}

#[test]
fn a_panic_in_render_becomes_an_error() {
    let plugin = load(&fixture("panics")).unwrap();
    assert_eq!(plugin.manifest().name, "panics");
    assert_eq!(plugin.manifest().abi_version, ABI_VERSION);
    assert_eq!(plugin.manifest().protocol_version, PROTOCOL_VERSION);
    let err = plugin.render(&policy("shop"), Phase::ALL).unwrap_err();
    assert_eq!(err.provider, "panics");
    assert!(
        err.message.contains("panicked") && err.message.contains("no rules for deployment shop"),
        "{err}"
    );
    // The host is still fine, and so is the plugin: a second call answers the same way.
    let again = plugin
        .render(&policy("shop"), &[Phase::Report])
        .unwrap_err();
    assert_eq!(again, err);
    // Phases it does not support are skipped without calling it.
    assert!(plugin
        .render(&policy("shop"), &[Phase::Verify])
        .unwrap()
        .is_empty());
}

#[test]
fn malformed_json_is_refused() {
    let plugin = load(&fixture("bad-json")).unwrap();
    assert_eq!(plugin.info().phases, vec![Phase::Groups, Phase::Report]);
    let err = plugin.render(&policy("shop"), Phase::ALL).unwrap_err();
    assert!(
        err.message.contains("malformed JSON") && err.message.contains("# half a"),
        "{err}"
    );
    // `check` cannot fail: it reports the broken plugin as an error finding.
    let findings = plugin.check(&policy("shop"));
    assert_eq!(findings.len(), 1);
    assert!(
        findings[0].is_error() && findings[0].message.contains("malformed JSON"),
        "{:?}",
        findings[0]
    );
}

#[test]
fn paths_escaping_the_output_folder_are_refused() {
    let plugin = load(&fixture("escaping-path")).unwrap();
    for bad in [
        "../escape.txt",
        "/tmp/absolute.txt",
        "a/../../b.txt",
        "./x",
        "a//b",
        "C:/x",
    ] {
        let err = plugin
            .render(&owned_by("shop", bad), &[Phase::Report])
            .unwrap_err();
        assert!(
            err.message.contains("refused") && err.message.contains(&format!("{bad:?}")),
            "{bad}: {err}"
        );
    }
    // The same plugin with a path that stays inside renders normally.
    let ok = plugin
        .render(&owned_by("shop", "nested/ok.txt"), &[Phase::Report])
        .unwrap();
    assert_eq!(
        ok.keys().collect::<Vec<_>>(),
        vec!["nested/ok.txt", "report.md"]
    );
}

#[test]
fn loading_twice_is_harmless_and_duplicate_names_are_refused() {
    let path = fixture("panics");
    let plugins = load_all([path.clone(), path.clone()]).unwrap();
    assert_eq!(plugins.len(), 1, "the same library named twice loads once");

    // A copy of the library under another name provides the same provider name.
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("libpanics_copy.so");
    std::fs::copy(&path, &copy).unwrap();
    let err = load_all([path, copy]).unwrap_err();
    assert!(
        matches!(err, PluginError::DuplicateName { ref name, .. } if name == "panics"),
        "{err}"
    );
}

#[test]
fn profile_plugin_entries_resolve_against_the_file_that_lists_them() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("base")).unwrap();
    std::fs::write(
        dir.path().join("base/base.toml"),
        "plugins = [\"lib/libbase.so\"]\n[deployment]\nname = \"b\"\nenv = \"prod\"\nprovider = \"nftables\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("site.toml"),
        "extends = \"base/base.toml\"\n[deployment]\nname = \"s\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("own.toml"),
        "extends = \"base/base.toml\"\nplugins = [\"libsite.so\"]\n[deployment]\nname = \"s\"\n",
    )
    .unwrap();
    let load = |name: &str| {
        cloudwall_core::profile::load(&dir.path().join(name)).unwrap_or_else(|e| {
            panic!(
                "{:?}",
                e.diagnostics
                    .iter()
                    .map(|d| d.headline(&e.sources))
                    .collect::<Vec<_>>()
            )
        })
    };
    // Inherited from the base: relative to the base's folder.
    let paths = cloudwall_plugin_host::profile_plugin_paths(&load("site.toml"));
    assert_eq!(paths, vec![dir.path().join("base/lib/libbase.so")]);
    // Listed by the profile itself (replacing the base's list): relative to the profile.
    let paths = cloudwall_plugin_host::profile_plugin_paths(&load("own.toml"));
    assert_eq!(paths, vec![dir.path().join("libsite.so")]);
}
