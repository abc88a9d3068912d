//! The YAML text: the header comment, then one `---` document per NetworkPolicy.
//!
//! Written by hand (block style, two-space indents) so that the file can carry the
//! comments that explain each rule; every string from the Policy goes through
//! [`crate::text::quote`], every comment through [`crate::text::comment`].

use std::fmt::Write as _;

use crate::plan::{Doc, Entry, Item, Sel, NAMESPACE_LABEL, WORKLOAD_LABEL};
use crate::text::{comment_lines, quote};

/// The whole file.
pub fn file(header: &[String], namespace: &str, part_of: &str, docs: &[Doc]) -> String {
    let mut out = String::new();
    for line in header {
        push_comment(&mut out, 0, line);
    }
    for d in docs {
        out.push_str("---\n");
        doc(&mut out, namespace, part_of, d);
    }
    out
}

fn push_comment(out: &mut String, indent: usize, line: &str) {
    for l in comment_lines(line) {
        let pad = " ".repeat(indent);
        if l.is_empty() {
            let _ = writeln!(out, "{pad}#");
        } else {
            let _ = writeln!(out, "{pad}# {l}");
        }
    }
}

fn doc(out: &mut String, namespace: &str, part_of: &str, d: &Doc) {
    for c in &d.comments {
        push_comment(out, 0, c);
    }
    out.push_str("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n");
    let _ = writeln!(out, "  name: {}", quote(&d.name));
    let _ = writeln!(out, "  namespace: {}", quote(namespace));
    out.push_str("  labels:\n");
    let _ = writeln!(
        out,
        "    {}: {}",
        quote("app.kubernetes.io/part-of"),
        quote(part_of)
    );
    if !d.annotations.is_empty() {
        out.push_str("  annotations:\n");
        for (k, v) in &d.annotations {
            let _ = writeln!(out, "    {}: {}", quote(k), quote(v));
        }
    }
    out.push_str("spec:\n");
    match &d.workload {
        None => out.push_str("  podSelector: {}\n"),
        Some(w) => {
            out.push_str("  podSelector:\n    matchLabels:\n");
            let _ = writeln!(out, "      {}: {}", quote(WORKLOAD_LABEL), quote(w));
        }
    }
    out.push_str("  policyTypes:\n");
    if d.ingress.is_some() {
        out.push_str("    - \"Ingress\"\n");
    }
    if d.egress.is_some() {
        out.push_str("    - \"Egress\"\n");
    }
    // A default-deny document lists no rules at all: the policy types alone isolate.
    let deny_only = d.workload.is_none()
        && d.ingress.as_ref().is_none_or(Vec::is_empty)
        && d.egress.as_ref().is_none_or(Vec::is_empty);
    if deny_only {
        return;
    }
    if let Some(entries) = &d.ingress {
        list(out, "ingress", "from", entries);
    }
    if let Some(entries) = &d.egress {
        list(out, "egress", "to", entries);
    }
}

fn list(out: &mut String, key: &str, peer_key: &str, entries: &[Entry]) {
    let has_rules = entries.iter().any(|e| matches!(e, Entry::Rule(_)));
    if !has_rules {
        for e in entries {
            if let Entry::Note(n) = e {
                push_comment(out, 2, n);
            }
        }
        let _ = writeln!(out, "  {key}: []");
        return;
    }
    let _ = writeln!(out, "  {key}:");
    for e in entries {
        match e {
            Entry::Note(n) => push_comment(out, 4, n),
            Entry::Rule(item) => rule(out, peer_key, item),
        }
    }
}

fn rule(out: &mut String, peer_key: &str, item: &Item) {
    push_comment(out, 4, &item.comment);
    // The first key of the list item follows the dash; the others align under it.
    let mut first = true;
    let mut lead = |out: &mut String| {
        if first {
            first = false;
            out.push_str("    - ");
        } else {
            out.push_str("      ");
        }
    };
    if !item.peers.is_empty() {
        lead(out);
        let _ = writeln!(out, "{peer_key}:");
        for p in &item.peers {
            selector(out, p);
        }
    }
    if !item.ports.is_empty() {
        lead(out);
        out.push_str("ports:\n");
        for p in &item.ports {
            let _ = writeln!(out, "        - protocol: {}", quote(p.proto));
            let _ = writeln!(out, "          port: {}", p.port);
            if let Some(end) = p.end {
                let _ = writeln!(out, "          endPort: {end}");
            }
        }
    }
}

fn selector(out: &mut String, s: &Sel) {
    let labels = |out: &mut String, first: &str, pad: &str, key: &str, value: &str| {
        let _ = writeln!(out, "{first}");
        let _ = writeln!(out, "{pad}matchLabels:");
        let _ = writeln!(out, "{pad}  {}: {}", quote(key), quote(value));
    };
    match s {
        Sel::Pods { workload } => labels(
            out,
            "        - podSelector:",
            "            ",
            WORKLOAD_LABEL,
            workload,
        ),
        Sel::Namespace { name } => labels(
            out,
            "        - namespaceSelector:",
            "            ",
            NAMESPACE_LABEL,
            name,
        ),
        Sel::NamespacePods {
            namespace,
            key,
            value,
        } => {
            labels(
                out,
                "        - namespaceSelector:",
                "            ",
                NAMESPACE_LABEL,
                namespace,
            );
            labels(out, "          podSelector:", "            ", key, value);
        }
        Sel::Block { cidr, except } => {
            out.push_str("        - ipBlock:\n");
            let _ = writeln!(out, "            cidr: {}", quote(&cidr.to_string()));
            if !except.is_empty() {
                out.push_str("            except:\n");
                for e in except {
                    let _ = writeln!(out, "              - {}", quote(&e.to_string()));
                }
            }
        }
    }
}
