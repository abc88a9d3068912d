//! `cloudwall plugins list`: the providers this binary can render, and where they come from.

use super::exit;
use crate::args::Format;
use crate::console::Console;
use crate::providers::{Origin, Registry};

pub fn list(format: Format, console: &Console, registry: &Registry) -> u8 {
    let entries = registry.list();
    match format {
        Format::Json => {
            let items: Vec<serde_json::Value> = entries
                .iter()
                .map(|(info, origin)| {
                    let (kind, path, abi, protocol) = match origin {
                        Origin::BuiltIn => ("built-in", None, None, None),
                        Origin::Plugin { path, abi, protocol } => {
                            ("plugin", Some(path.clone()), Some(abi.clone()), Some(protocol.clone()))
                        }
                    };
                    serde_json::json!({
                        "name": info.name,
                        "version": info.version,
                        "description": info.description,
                        "phases": info.phases,
                        "origin": kind,
                        "path": path,
                        "abi": abi,
                        "protocol": protocol,
                    })
                })
                .collect();
            console.json(&serde_json::Value::Array(items));
        }
        Format::Text => {
            let rows: Vec<[String; 5]> = entries
                .iter()
                .map(|(info, origin)| {
                    let phases: Vec<&str> = info.phases.iter().map(|p| p.as_str()).collect();
                    [info.name.clone(), info.version.clone(), origin.label(), phases.join(","), info.description.clone()]
                })
                .collect();
            let header = ["NAME", "VERSION", "ORIGIN", "PHASES", "DESCRIPTION"].map(String::from);
            let mut widths = [0usize; 4];
            for row in std::iter::once(&header).chain(rows.iter()) {
                for (w, cell) in widths.iter_mut().zip(row.iter()) {
                    *w = (*w).max(cell.chars().count());
                }
            }
            let mut text = String::new();
            for row in std::iter::once(&header).chain(rows.iter()) {
                for (i, cell) in row.iter().enumerate() {
                    if i < 4 {
                        text.push_str(&format!("{cell:<width$}  ", width = widths[i]));
                    } else {
                        text.push_str(cell);
                    }
                }
                text.push('\n');
            }
            console.data(&text);
        }
    }
    exit::OK
}
