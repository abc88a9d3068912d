//! `extends`: tables merge, arrays of tables append, the extending file overrides;
//! cycles and missing bases are CW110; errors point into the file they are in.

mod common;
use cloudwall_core::profile::{self, *};
use std::path::{Path, PathBuf};

fn fx(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/extends")
        .join(name)
}

/// (code, file name, line, col) of every diagnostic of a profile that must fail.
fn errors(name: &str) -> Vec<(String, String, usize, usize)> {
    let e = profile::load(&fx(name)).expect_err("the profile must not load");
    e.diagnostics
        .iter()
        .map(|d| {
            let loc = d.location(&e.sources).expect("located");
            let file = Path::new(&loc.file).file_name().unwrap().to_string_lossy().to_string();
            (d.code.to_string(), file, loc.line, loc.col)
        })
        .collect()
}

fn names(p: &Profile) -> Vec<&str> {
    p.workloads.iter().map(|w| w.name.value.as_str()).collect()
}

#[test]
fn tables_merge_arrays_of_tables_append_scalars_and_plain_arrays_override() {
    let p = profile::load(&fx("child.toml")).unwrap_or_else(|e| panic!("{e}"));
    let d = &p.deployment;
    assert_eq!(d.name.value, "child", "the extending file overrides a scalar");
    assert_eq!(d.env.value, "stage", "keys only in the base are kept");
    assert_eq!(d.owner.value, "platform");
    assert_eq!(
        d.compliance.iter().map(|c| c.value).collect::<Vec<_>>(),
        [Compliance::Hipaa],
        "plain arrays are replaced"
    );
    assert_eq!(names(&p), ["alb", "api"], "arrays of tables append, base first");
    assert_eq!(p.flows.len(), 2);
    assert_eq!(p.flows[0].from.value, EndpointRef::Internet);
    assert_eq!(p.flows[1].to.value, EndpointRef::Named("api".into()));
    let services: Vec<&str> = p.private_endpoints.services.iter().map(|s| s.value.as_str()).collect();
    assert_eq!(services, ["secrets"]);
    // every value keeps the file it came from
    assert_eq!(p.sources.files().count(), 2);
    assert!(p.path().ends_with("child.toml"));
    assert!(p.sources.locate(d.env.span).file.ends_with("base.toml"));
    assert_eq!(p.sources.locate(p.workloads[0].name.span).line, 9);
    assert!(p.sources.locate(d.name.span).file.ends_with("child.toml"));
}

#[test]
fn a_list_of_bases_applies_in_order_with_paths_relative_to_each_file() {
    let p = profile::load(&fx("multi.toml")).unwrap_or_else(|e| panic!("{e}"));
    let d = &p.deployment;
    assert_eq!(d.name.value, "multi");
    assert_eq!(d.env.value, "qa", "the later base overrides the earlier one");
    assert_eq!(
        d.region.as_ref().unwrap().value,
        "eu-west-1",
        "sub/extra.toml's own base, named ../second.toml"
    );
    assert_eq!(d.availability_zones.value, 3);
    assert_eq!(names(&p), ["alb", "db"]);
    assert_eq!(p.external[0].name.value, "vpn");
    assert!(p
        .sources
        .locate(p.external[0].name.span)
        .file
        .ends_with("sub/extra.toml"));
}

#[test]
fn a_toml_profile_can_extend_a_json_base() {
    let p = profile::load(&fx("over-json.toml")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(p.deployment.env.value, "dev");
    assert_eq!(names(&p), ["fn", "q"]);
}

#[test]
fn a_cycle_is_cw110_at_the_extends_value_that_closes_it() {
    assert_eq!(
        errors("cycle-a.toml"),
        [("CW110".to_string(), "cycle-b.toml".to_string(), 1, 11)]
    );
    assert_eq!(
        errors("self.toml"),
        [("CW110".to_string(), "self.toml".to_string(), 1, 11)]
    );
}

#[test]
fn a_missing_base_is_cw110_at_the_extends_value() {
    assert_eq!(
        errors("missing.toml"),
        [("CW110".to_string(), "missing.toml".to_string(), 1, 11)]
    );
    assert_eq!(
        errors("extends-type.toml"),
        [("CW110".to_string(), "extends-type.toml".to_string(), 1, 11)]
    );
}

#[test]
fn errors_in_a_base_point_into_the_base() {
    assert_eq!(
        errors("uses-bad-base.toml"),
        [
            ("CW104".to_string(), "uses-bad-base.toml".to_string(), 5, 6),
            ("CW101".to_string(), "bad-base.toml".to_string(), 13, 1),
        ]
    );
    let e = errors("uses-syntax-base.toml");
    assert_eq!(e.len(), 1);
    assert_eq!(
        (e[0].0.as_str(), e[0].1.as_str(), e[0].2),
        ("CW100", "syntax-base.toml", 1)
    );
}

#[test]
fn parse_str_resolves_extends_relative_to_the_named_path() {
    let text = "extends = \"base.toml\"\n[deployment]\nname = \"inline\"\n";
    let p = profile::parse_str(&fx("inline.toml"), text).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(p.deployment.name.value, "inline");
    assert_eq!(names(&p), ["alb"]);
}

#[test]
fn providers_in_the_extending_file_replaces_provider_of_the_base() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("base.toml"),
        "[deployment]\nname = \"b\"\nprovider = \"azure\"\n",
    )
    .unwrap();
    let child = dir.path().join("child.toml");
    std::fs::write(
        &child,
        "extends = \"base.toml\"\n[deployment]\nproviders = [\"aws\", \"gcp\"]\n",
    )
    .unwrap();
    let p = profile::load(&child).unwrap_or_else(|e| panic!("{e}"));
    let v: Vec<&str> = p.deployment.providers.iter().map(|p| p.value.as_str()).collect();
    assert_eq!(v, ["aws", "gcp"]);
    // in one file both spellings are still an error
    let e = profile::parse_str(
        &child,
        "[deployment]\nname = \"b\"\nprovider = \"azure\"\nproviders = [\"aws\"]\n",
    )
    .unwrap_err();
    assert_eq!(e.diagnostics[0].code, "CW111");
}

#[test]
fn an_unreadable_profile_is_cw100() {
    let e = profile::load(&fx("does-not-exist.toml")).unwrap_err();
    assert_eq!(e.diagnostics[0].code, "CW100");
    assert!(e.diagnostics[0].message.contains("does-not-exist.toml"));
    let loc = e.diagnostics[0].location(&e.sources).unwrap();
    assert!(loc.file.ends_with("does-not-exist.toml") && (loc.line, loc.col) == (1, 1));
}
