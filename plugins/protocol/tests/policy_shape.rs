//! The Policy travels to plugins as JSON inside the render request, so its shape is part
//! of the protocol. This test pins that shape (every field path, and the tag of every
//! tagged enum, seen over the compiled examples) to `PROTOCOL_VERSION`: a change to the
//! Policy's serialized form fails here until the version and `policy-shape.txt` move
//! together. Additions an older plugin can ignore (a new optional field) bump the minor;
//! anything an older plugin would misread or refuse (a removed or renamed field, a new
//! tag or enum value) bumps the major.

use cloudwall_plugin_protocol::PROTOCOL_VERSION;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;

/// Field paths of `v`: `rules[].peer{type=group}.id`. Map keys that are data (hosts,
/// per-tier tables) are written `*`.
fn paths(v: &Value, at: &str, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(map) => {
            let tag = map.get("type").and_then(Value::as_str).map(|t| format!("{{type={t}}}")).unwrap_or_default();
            let here = format!("{at}{tag}");
            out.insert(here.clone());
            let data_keys = ["hosts", "per_tier", "groups_by_region", "artifacts"].iter().any(|k| at.ends_with(k))
                || at.ends_with("placement.groups");
            for (k, x) in map {
                let key = if data_keys { "*" } else { k.as_str() };
                paths(x, &format!("{here}.{key}"), out);
            }
        }
        Value::Array(items) => {
            for x in items {
                paths(x, &format!("{at}[]"), out);
            }
        }
        _ => {
            out.insert(at.to_string());
        }
    }
}

fn shape_of_examples() -> BTreeSet<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let mut files: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    let mut out = BTreeSet::new();
    for f in files.iter().filter(|f| f.extension().is_some_and(|e| e == "toml")) {
        let profile = cloudwall_core::profile::load(f).unwrap_or_else(|_| panic!("{} loads", f.display()));
        let policy = serde_json::to_value(cloudwall_core::compile::compile(&profile)).unwrap();
        paths(&policy, "policy", &mut out);
    }
    out
}

#[test]
fn the_policy_shape_moves_only_with_the_protocol_version() {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/policy-shape.txt");
    let mut now = format!("protocol {PROTOCOL_VERSION}\n");
    for p in shape_of_examples() {
        now.push_str(&p);
        now.push('\n');
    }
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&file, &now).unwrap();
    }
    let pinned = std::fs::read_to_string(&file).unwrap_or_default();
    if pinned != now {
        let diff = similar::TextDiff::from_lines(&pinned, &now).unified_diff().header("pinned", "now").to_string();
        panic!(
            "the Policy as plugins receive it changed without the protocol version:\n{diff}\n\
             bump PROTOCOL_VERSION (minor for an optional addition, major for anything an older plugin \
             would misread), then accept with UPDATE_GOLDEN=1 cargo test -p cloudwall-plugin-protocol \
             (when the Policy did not change and a new example only shows a field no example showed \
             before, accept it without a bump)"
        );
    }
}
