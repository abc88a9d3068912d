//! Reading generated Terraform back with HashiCorp's own HCL parser and formatter
//! (`tests/tools/hcl-check.js`), then checking the module's reference graph: every
//! reference points at a declared block and the graph has no cycle.

use crate::tools;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

/// What HashiCorp's parser made of a folder of `.tf` files.
#[derive(Debug)]
pub struct Parsed {
    /// Relative path -> the parsed body (hcl2json shape).
    pub files: BTreeMap<String, Value>,
    /// Files whose text differs from the canonical format, with the canonical text.
    pub unformatted: BTreeMap<String, String>,
}

/// Parses every `.tf` under `dir`; `None` (after a printed reason) without node or the
/// packages, outside CI. Panics on a parse error.
pub fn parse_dir(dir: &Path) -> Option<Parsed> {
    let node = tools::require("node", "runs HashiCorp's HCL parser (WebAssembly) on the generated Terraform")?;
    let modules = tools::workspace_root().join(".venv/npm/node_modules");
    if !modules.join("@cdktf/hcl2json").is_dir() {
        if tools::in_ci() {
            panic!("HCL parser packages missing under CI: scripts/setup-tools.sh did not install them");
        }
        eprintln!("SKIP: .venv/npm/node_modules/@cdktf/hcl2json missing; run scripts/setup-tools.sh");
        return None;
    }
    let script = tools::workspace_root().join("tests/tools/hcl-check.js");
    let mut cmd = Command::new(node);
    cmd.arg(script).arg(dir).env("NODE_PATH", &modules);
    let (code, out, err) = tools::run(&mut cmd);
    let v: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("hcl-check output is not JSON ({e}): {out}{err}"));
    let errors = v["errors"].as_array().cloned().unwrap_or_default();
    assert!(code == 0 && errors.is_empty(), "HCL parse errors in {}:\n{errors:#?}\n{err}", dir.display());
    let mut files = BTreeMap::new();
    let mut unformatted = BTreeMap::new();
    for (path, f) in v["files"].as_object().expect("files") {
        files.insert(path.clone(), f["parsed"].clone());
        if f["formatted_ok"] != Value::Bool(true) {
            unformatted.insert(path.clone(), f["formatted"].as_str().unwrap_or("").to_string());
        }
    }
    Some(Parsed { files, unformatted })
}

/// Addresses declared by a module: `T.N` (resources), `data.T.N`, `var.N`, `local.N`,
/// `module.N`, `output.N`.
pub fn declared(parsed: &Parsed) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for body in parsed.files.values() {
        for (addr, _) in blocks(body) {
            out.insert(addr);
        }
    }
    out
}

/// Every block of a body with its address and attribute body.
pub fn blocks(body: &Value) -> Vec<(String, &Value)> {
    let mut out = vec![];
    let obj = match body.as_object() {
        Some(o) => o,
        None => return out,
    };
    for (kind, v) in obj {
        match kind.as_str() {
            "resource" | "data" => {
                for (ty, names) in v.as_object().into_iter().flatten() {
                    for (name, bodies) in names.as_object().into_iter().flatten() {
                        let addr =
                            if kind == "data" { format!("data.{ty}.{name}") } else { format!("{ty}.{name}") };
                        out.push((addr, bodies));
                    }
                }
            }
            "variable" | "output" | "module" => {
                let prefix = match kind.as_str() {
                    "variable" => "var",
                    k => k,
                };
                for (name, bodies) in v.as_object().into_iter().flatten() {
                    out.push((format!("{prefix}.{name}"), bodies));
                }
            }
            "provider" => {
                // `provider "aws" { alias = "x" }` is referenced as `aws.x`.
                for (ty, bodies) in v.as_object().into_iter().flatten() {
                    for b in bodies.as_array().into_iter().flatten() {
                        if let Some(alias) = b["alias"].as_str() {
                            out.push((format!("{ty}.{alias}"), b));
                        }
                    }
                }
            }
            "locals" => {
                for l in v.as_array().into_iter().flatten() {
                    for (name, val) in l.as_object().into_iter().flatten() {
                        out.push((format!("local.{name}"), val));
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// The references made inside a parsed value (from its `${...}` interpolations).
pub fn references(v: &Value) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    collect_refs(v, &mut out);
    out
}

fn collect_refs(v: &Value, out: &mut BTreeSet<String>) {
    match v {
        Value::String(s) => {
            for expr in interpolations(s) {
                refs_in_expr(&expr, out);
            }
        }
        Value::Array(a) => a.iter().for_each(|x| collect_refs(x, out)),
        Value::Object(o) => {
            for (k, x) in o {
                match (k.as_str(), x.as_object()) {
                    // `dynamic "name" { ... }`: `name.key`/`name.value` (or the `iterator`'s
                    // name) is the block's own loop variable, not a reference.
                    ("dynamic", Some(blocks)) => {
                        for (name, bodies) in blocks {
                            let mut inner = BTreeSet::new();
                            collect_refs(bodies, &mut inner);
                            let iterator = bodies
                                .as_array()
                                .and_then(|a| a.first())
                                .and_then(|b| b["iterator"].as_str())
                                .unwrap_or(name);
                            out.extend(inner.into_iter().filter(|r| r.split('.').next() != Some(iterator)));
                        }
                    }
                    _ => collect_refs(x, out),
                }
            }
        }
        _ => {}
    }
}

/// The `${...}` parts of a template string, skipping escaped `$${`.
fn interpolations(s: &str) -> Vec<String> {
    let b = s.as_bytes();
    let mut out = vec![];
    let mut i = 0;
    while i + 1 < b.len() {
        if b[i] == b'$' && b[i + 1] == b'$' {
            i += 2;
            continue;
        }
        if b[i] == b'$' && b[i + 1] == b'{' {
            let mut depth = 0;
            let start = i + 2;
            let mut j = i + 1;
            while j < b.len() {
                match b[j] {
                    b'{' => depth += 1,
                    b'}' => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    _ => {}
                }
                j += 1;
            }
            out.push(s[start..j.min(s.len())].to_string());
            i = j + 1;
            continue;
        }
        i += 1;
    }
    out
}

/// The iteration variables a `for` expression declares (`for k, v in ...`).
fn for_variables(expr: &str) -> BTreeSet<String> {
    let words: Vec<&str> = expr.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ',')).filter(|w| !w.is_empty()).collect();
    let mut out = BTreeSet::new();
    for (i, w) in words.iter().enumerate() {
        if *w == "for" {
            for v in words[i + 1..].iter().take_while(|w| **w != "in").flat_map(|w| w.split(',')) {
                if !v.is_empty() {
                    out.insert(v.to_string());
                }
            }
        }
    }
    out
}

fn refs_in_expr(expr: &str, out: &mut BTreeSet<String>) {
    // Walk identifier chains `a.b.c`, skipping string literals inside the expression and
    // the variables of `for` expressions.
    let locals = for_variables(expr);
    let chars: Vec<char> = expr.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '"' {
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    i += 1;
                }
                i += 1;
            }
            i += 1;
            continue;
        }
        if c.is_ascii_alphabetic() || c == '_' {
            let prev_dot = i > 0 && chars[i - 1] == '.';
            let mut parts = vec![];
            let mut cur = String::new();
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_' || chars[i] == '-' || chars[i] == '.') {
                if chars[i] == '.' {
                    parts.push(std::mem::take(&mut cur));
                } else {
                    cur.push(chars[i]);
                }
                i += 1;
            }
            parts.push(cur);
            if prev_dot || parts.len() < 2 || locals.contains(&parts[0]) {
                continue;
            }
            let addr = match parts[0].as_str() {
                "var" | "local" | "module" => format!("{}.{}", parts[0], parts[1]),
                "data" if parts.len() >= 3 => format!("data.{}.{}", parts[1], parts[2]),
                "each" | "count" | "self" | "path" | "terraform" => continue,
                _ => format!("{}.{}", parts[0], parts[1]),
            };
            out.insert(addr);
            continue;
        }
        i += 1;
    }
}

/// References to blocks the module does not declare.
pub fn undeclared_references(parsed: &Parsed) -> Vec<(String, String)> {
    let decl = declared(parsed);
    let mut out = vec![];
    for body in parsed.files.values() {
        for (addr, b) in blocks(body) {
            for r in references(b) {
                if !decl.contains(&r) {
                    out.push((addr.clone(), r));
                }
            }
        }
    }
    out
}

/// A dependency cycle among the module's blocks, if there is one.
pub fn find_cycle(parsed: &Parsed) -> Option<Vec<String>> {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for body in parsed.files.values() {
        for (addr, b) in blocks(body) {
            // A variable's `validation` refers to the variable itself: not a dependency.
            let refs = references(b).into_iter().filter(|r| !(addr.starts_with("var.") && *r == addr));
            graph.entry(addr.clone()).or_default().extend(refs);
        }
    }
    // Iterative DFS with colours.
    let mut colour: BTreeMap<&str, u8> = BTreeMap::new();
    for start in graph.keys() {
        if colour.get(start.as_str()).copied().unwrap_or(0) != 0 {
            continue;
        }
        let mut stack: Vec<(&str, Vec<&str>)> =
            vec![(start.as_str(), graph[start].iter().map(String::as_str).collect())];
        colour.insert(start, 1);
        while let Some((node, pending)) = stack.last_mut() {
            let node = *node;
            match pending.pop() {
                Some(next) => match colour.get(next).copied().unwrap_or(0) {
                    1 => {
                        let mut cycle: Vec<String> = stack.iter().map(|(n, _)| n.to_string()).collect();
                        let pos = cycle.iter().position(|n| n == next).unwrap_or(0);
                        cycle.drain(..pos);
                        cycle.push(next.to_string());
                        return Some(cycle);
                    }
                    0 if graph.contains_key(next) => {
                        colour.insert(next, 1);
                        let succ = graph[next].iter().map(String::as_str).collect();
                        stack.push((next, succ));
                    }
                    _ => {}
                },
                None => {
                    colour.insert(node, 2);
                    stack.pop();
                }
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_skip_escapes_and_literals() {
        let v = serde_json::json!({
            "a": "${aws_security_group.alb.id}",
            "b": "literal $${aws_security_group.fake.id} text",
            "c": "${merge(var.tags, {Name = \"x.y\"})}",
            "d": "${data.aws_region.current.name}"
        });
        let r = references(&v);
        let want: BTreeSet<String> = ["aws_security_group.alb", "var.tags", "data.aws_region.current"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(r, want);
    }

    #[test]
    fn finds_a_cycle_between_two_groups() {
        let body = serde_json::json!({"resource": {"aws_security_group": {
            "a": [{"x": "${aws_security_group.b.id}"}],
            "b": [{"x": "${aws_security_group.a.id}"}]
        }}});
        let parsed = Parsed { files: [("m.tf".to_string(), body)].into_iter().collect(), unformatted: BTreeMap::new() };
        assert!(find_cycle(&parsed).is_some());
        let body = serde_json::json!({"resource": {"aws_security_group": {
            "a": [{"x": "${var.vpc_id}"}],
            "b": [{"x": "${aws_security_group.a.id}"}]
        }}, "variable": {"vpc_id": [{}]}});
        let parsed = Parsed { files: [("m.tf".to_string(), body)].into_iter().collect(), unformatted: BTreeMap::new() };
        assert_eq!(find_cycle(&parsed), None);
        assert!(undeclared_references(&parsed).is_empty());
    }
}
