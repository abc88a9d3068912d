//! `extends`: reading a profile and the bases it extends, and merging their trees.
//!
//! `extends = "base.toml"` (or a list, applied in order) names files relative to the
//! extending file. Bases are read recursively, each into the [`SourceMap`] so that
//! diagnostics point into the right file. Merge rules: tables merge key by key, arrays
//! of tables append (base entries first), scalars and plain arrays of the extending
//! file replace the base's. Missing files and cycles are `CW110` at the `extends` value.

use super::tree::{self, Node, Table, Value};
use crate::diag::Diagnostic;
use crate::source::{SourceMap, Span};
use std::path::{Path, PathBuf};

/// Whether a path names a JSON profile (by its extension).
pub fn is_json(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
}

/// Reads the file `path` with text `text` (already read) and all its bases; returns the
/// merged root table, or `None` when a file could not be read or parsed (the reasons
/// are in `diags`).
pub fn load_tree(path: &Path, text: String, sources: &mut SourceMap, diags: &mut Vec<Diagnostic>) -> Option<Table> {
    let mut stack = vec![identity(path)];
    read_one(path, text, sources, diags, &mut stack)
}

/// The path used to detect cycles: canonical when possible.
fn identity(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

fn read_one(
    path: &Path,
    text: String,
    sources: &mut SourceMap,
    diags: &mut Vec<Diagnostic>,
    stack: &mut Vec<PathBuf>,
) -> Option<Table> {
    let file = sources.add(path, text);
    let parsed = tree::parse(file, &sources.file(file).text.clone(), is_json(path));
    let root = match parsed {
        Ok(n) => n,
        Err(mut d) => {
            diags.append(&mut d);
            return None;
        }
    };
    let Value::Table(mut table) = root.value else {
        return None;
    };
    let Some(ext) = table.remove("extends") else {
        return Some(table);
    };

    // the list of bases, with the span of each path
    let mut bases: Vec<(String, Span)> = Vec::new();
    match ext.node.value {
        Value::Str(s) => bases.push((s, ext.node.span)),
        Value::Array(items) => {
            for it in items {
                match it.value {
                    Value::Str(s) => bases.push((s, it.span)),
                    other => diags.push(
                        Diagnostic::error(
                            "CW110",
                            format!(
                                "`extends` entries must be file paths (strings), found {}",
                                other.type_name()
                            ),
                        )
                        .at(it.span, "expected a string"),
                    ),
                }
            }
        }
        other => {
            diags.push(
                Diagnostic::error(
                    "CW110",
                    format!(
                        "`extends` must be a file path or a list of file paths, found {}",
                        other.type_name()
                    ),
                )
                .at(ext.node.span, "expected a string or an array of strings"),
            );
            return None;
        }
    }

    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let mut merged: Option<Table> = None;
    let mut ok = true;
    for (rel, span) in bases {
        if rel.trim().is_empty() {
            diags.push(Diagnostic::error("CW110", "`extends` names an empty path").at(span, "empty path"));
            ok = false;
            continue;
        }
        let base_path = dir.join(&rel);
        let id = identity(&base_path);
        if let Some(pos) = stack.iter().position(|p| *p == id) {
            let chain: Vec<String> = stack[pos..]
                .iter()
                .map(|p| p.display().to_string())
                .chain([id.display().to_string()])
                .collect();
            diags.push(
                Diagnostic::error(
                    "CW110",
                    format!("`extends = \"{rel}\"` makes a cycle: {}", chain.join(" -> ")),
                )
                .at(span, "this base extends (directly or not) the file that names it")
                .with_help("remove the `extends` that points back to a profile already being read"),
            );
            ok = false;
            continue;
        }
        let text = match std::fs::read_to_string(&base_path) {
            Ok(t) => t,
            Err(e) => {
                diags.push(
                    Diagnostic::error(
                        "CW110",
                        format!("cannot read the base profile `{rel}` ({}): {e}", base_path.display()),
                    )
                    .at(span, "named here")
                    .with_help("`extends` paths are relative to the file that names them"),
                );
                ok = false;
                continue;
            }
        };
        stack.push(id);
        let base = read_one(&base_path, text, sources, diags, stack);
        stack.pop();
        match base {
            Some(b) => {
                merged = Some(match merged {
                    None => b,
                    Some(acc) => merge_tables(acc, b),
                })
            }
            None => ok = false,
        }
    }
    if !ok {
        return None;
    }
    Some(match merged {
        None => table,
        Some(base) => merge_tables(base, table),
    })
}

/// Merges `over` onto `base`: tables merge key by key, arrays of tables append (base
/// first), everything else in `over` replaces the base value. Keys keep the base's order,
/// new keys follow.
pub fn merge_tables(mut base: Table, over: Table) -> Table {
    for e in over.entries {
        // alternative spellings of one field: the extending file's choice replaces the base's
        for (a, b) in EXCLUSIVE_KEYS {
            if e.key == *a {
                base.remove(b);
            } else if e.key == *b {
                base.remove(a);
            }
        }
        match base.get_mut(&e.key) {
            None => base.entries.push(e),
            Some(b) => {
                let old = std::mem::replace(
                    &mut b.node,
                    Node {
                        value: Value::Null,
                        span: e.node.span,
                    },
                );
                b.node = merge_nodes(old, e.node);
                b.key_span = e.key_span;
            }
        }
    }
    base
}

/// Keys that are two spellings of one field (`provider = "x"` / `providers = [...]`).
const EXCLUSIVE_KEYS: &[(&str, &str)] = &[("provider", "providers")];

fn is_array_of_tables(items: &[Node]) -> bool {
    !items.is_empty() && items.iter().all(|n| matches!(n.value, Value::Table(_)))
}

fn merge_nodes(base: Node, over: Node) -> Node {
    match (base.value, over.value) {
        (Value::Table(b), Value::Table(o)) => Node {
            value: Value::Table(merge_tables(b, o)),
            span: over.span,
        },
        (Value::Array(mut b), Value::Array(o)) if is_array_of_tables(&b) && is_array_of_tables(&o) => {
            b.extend(o);
            Node {
                value: Value::Array(b),
                span: over.span,
            }
        }
        (_, v) => Node {
            value: v,
            span: over.span,
        },
    }
}
