//! Decoding the merged tree into the typed [`Profile`], applying the defaults.
//!
//! Owns the field-level checks: unknown keys (`CW101`), types and allowed words
//! (`CW102`), required fields (`CW103`), references (`CW104`), ports (`CW105`), CIDRs /
//! addresses / FQDNs (`CW106`), duplicate and reserved names (`CW107`), free text and
//! name syntax (`CW108`), flows that need ports (`CW109`). Whole-profile consistency
//! (`CW111`) is [`super::validate`]'s. Errors are collected, not stopped at; an item
//! with a broken field is left out of the result, but its name still counts as
//! declared so that references to it do not cascade into more errors.

use super::model::*;
use super::tree::{Node, Table, Value};
use crate::diag::Diagnostic;
use crate::ports::PortRange;
use crate::source::{SourceMap, Span, Spanned};
use ipnet::IpNet;
use std::collections::BTreeMap;
use std::net::IpAddr;

/// The reserved endpoint word for "anywhere on the internet".
pub const INTERNET: &str = "internet";
/// Names that may not be used for workloads or externals.
pub const RESERVED_NAMES: &[&str] = &["internet", "endpoints"];

pub const TOP_KEYS: &[&str] = &[
    "extends",
    "deployment",
    "workload",
    "flow",
    "egress",
    "external",
    "deny",
    "private_endpoints",
    "kubernetes",
    "spoke",
    "access",
    "hosts",
    "plugins",
    "egress_filtering",
    "flow_logs",
    "vpn",
    "session_logging",
];
const DEPLOYMENT_KEYS: &[&str] = &[
    "name",
    "env",
    "provider",
    "providers",
    "region",
    "regions",
    "topology",
    "compliance",
    "public",
    "bastion",
    "owner",
    "availability_zones",
];
const WORKLOAD_KEYS: &[&str] = &["name", "tier", "kind", "regions"];
const FLOW_KEYS: &[&str] = &["from", "to", "ports", "purpose", "owner", "justification", "across_regions"];
const EGRESS_KEYS: &[&str] = &["from", "cidrs", "fqdns", "ports", "purpose", "owner"];
const EXTERNAL_KEYS: &[&str] = &["name", "cidrs", "purpose"];
const DENY_KEYS: &[&str] = &["cidrs", "purpose"];
const ENDPOINTS_KEYS: &[&str] = &["services", "restrict"];
const RESTRICT_KEYS: &[&str] = &["service", "resources", "actions"];
const EGRESS_FILTERING_KEYS: &[&str] = &["mode", "log_retention_days"];
const FLOW_LOGS_KEYS: &[&str] = &["enabled", "destination", "retention_days", "traffic"];
const VPN_KEYS: &[&str] = &["client_cidr", "split_tunnel"];
const SESSION_LOGGING_KEYS: &[&str] = &["idle_timeout_minutes", "retention_days"];
const KUBERNETES_KEYS: &[&str] = &["namespace", "ingress_namespace", "workloads"];
const SPOKE_KEYS: &[&str] = &["name", "workloads"];

/// The keys of every table with a fixed set of keys, by the header that opens it
/// (`[access]` takes tier names and `[hosts]` workload names instead).
pub const SECTION_KEYS: &[(&str, &[&str])] = &[
    ("deployment", DEPLOYMENT_KEYS),
    ("workload", WORKLOAD_KEYS),
    ("flow", FLOW_KEYS),
    ("egress", EGRESS_KEYS),
    ("external", EXTERNAL_KEYS),
    ("deny", DENY_KEYS),
    ("private_endpoints", ENDPOINTS_KEYS),
    ("private_endpoints.restrict", RESTRICT_KEYS),
    ("kubernetes", KUBERNETES_KEYS),
    ("spoke", SPOKE_KEYS),
    ("egress_filtering", EGRESS_FILTERING_KEYS),
    ("flow_logs", FLOW_LOGS_KEYS),
    ("vpn", VPN_KEYS),
    ("session_logging", SESSION_LOGGING_KEYS),
];

/// Maximum length of workload, external, spoke and deployment names.
pub const MAX_NAME_LEN: usize = 32;
/// Maximum length of the `env` name.
pub const MAX_ENV_LEN: usize = 16;

/// `Ok(None)`: absent; `Err(())`: present but wrong (already reported).
type Got<T> = Result<Option<T>, ()>;

/// Whether VPN access is used: `Some((bastion value, the [access] entry choosing
/// vpn-only under hybrid))`.
type VpnUse = Option<(Span, Option<(Tier, Span)>)>;

trait Word: Sized + Copy {
    const WORDS: &'static [&'static str];
    const WHAT: &'static str;
    fn parse(s: &str) -> Option<Self>;
}
macro_rules! word {
    ($t:ty, $what:literal) => {
        impl Word for $t {
            const WORDS: &'static [&'static str] = <$t>::WORDS;
            const WHAT: &'static str = $what;
            fn parse(s: &str) -> Option<Self> {
                <$t>::from_word(s)
            }
        }
    };
}
word!(Topology, "topology");
word!(Compliance, "compliance scope");
word!(PublicMode, "public exposure mode");
word!(Bastion, "access strategy");
word!(Tier, "tier");
word!(WorkloadKind, "workload kind");
word!(EgressMode, "egress filtering mode");
word!(FlowLogDestination, "flow log destination");
word!(FlowLogTraffic, "flow log traffic selection");

/// The closest of `known` to `s`, if close enough to be a likely typo.
pub fn suggest<'k>(s: &str, known: impl IntoIterator<Item = &'k str>) -> Option<&'k str> {
    let mut best: Option<(f64, &str)> = None;
    for k in known {
        let score = strsim::jaro_winkler(s, k);
        let close = strsim::damerau_levenshtein(s, k) <= 2.max(k.len() / 4) || score > 0.85;
        if close && best.is_none_or(|(b, _)| score > b) {
            best = Some((score, k));
        }
    }
    best.map(|(_, k)| k)
}

fn did_you_mean<'k>(s: &str, known: impl IntoIterator<Item = &'k str>) -> Option<String> {
    suggest(s, known).map(|k| format!("did you mean `{k}`?"))
}

/// A control character, or an invisible bidirectional-override character.
fn bad_char(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200B}' | '\u{FEFF}')
}

fn describe_char(c: char) -> String {
    match c {
        '\n' => "a newline".into(),
        '\r' => "a carriage return".into(),
        '\t' => "a tab".into(),
        '\0' => "a NUL".into(),
        '\u{1b}' => "an escape (ESC)".into(),
        '\u{7f}' => "a DEL".into(),
        c => format!("the character U+{:04X}", c as u32),
    }
}

/// How a name declared in the profile can be referred to.
#[derive(Debug, Clone, Copy)]
enum Named {
    /// A workload, with its kind when that decoded.
    Workload(Option<WorkloadKind>),
    External,
}

/// Resolved reference of one flow end, for the CW109/CW111 checks.
#[derive(Debug, Clone, Copy)]
enum End {
    Internet,
    Workload(Option<WorkloadKind>),
    External,
    /// Unknown (reported) or undecodable.
    Unknown,
}

pub(crate) struct Decoder {
    pub diags: Vec<Diagnostic>,
    names: BTreeMap<String, Named>,
    /// Names in the order declared, for "known: ..." lists.
    workload_names: Vec<String>,
    external_names: Vec<String>,
    /// The decoded `[deployment]`'s topology and regions, for workload `regions`;
    /// `None` when the deployment did not decode (nothing to check against).
    topology_regions: Option<(Spanned<Topology>, Vec<Spanned<String>>)>,
}

/// Decodes `root` (file 0 is the profile the user named). Returns the profile when
/// nothing was wrong at this stage, and the diagnostics either way.
pub(crate) fn decode(root: &Table, sources: &SourceMap) -> (Option<Profile>, Vec<Diagnostic>) {
    let mut d = Decoder {
        diags: Vec::new(),
        names: BTreeMap::new(),
        workload_names: vec![],
        external_names: vec![],
        topology_regions: None,
    };
    let root_span = Span::new(crate::source::FileId(0), 0, 0);
    d.check_keys(root, TOP_KEYS, "the profile");

    let deployment = d.deployment(root, root_span);
    d.topology_regions = deployment.as_ref().map(|dep| (dep.topology.clone(), dep.regions.clone()));
    // where values of absent optional tables point: the [deployment] table
    let default_span = deployment
        .as_ref()
        .map(|dep| dep.span)
        .or_else(|| root.get("deployment").map(|e| e.node.span))
        .unwrap_or(root_span);
    d.declare_names(root);

    let workloads = d.array_of_tables(root, "workload", |d, t, s| d.workload(t, s));
    let external = d.array_of_tables(root, "external", |d, t, s| d.external(t, s));
    let flows = d.array_of_tables(root, "flow", |d, t, s| d.flow(t, s));
    let egress = d.array_of_tables(root, "egress", |d, t, s| d.egress(t, s));
    let deny = d.array_of_tables(root, "deny", |d, t, s| d.deny(t, s));
    let spokes = d.array_of_tables(root, "spoke", |d, t, s| d.spoke(t, s));
    let private_endpoints = d.private_endpoints(root);
    let kubernetes = d.kubernetes(root, deployment.as_ref());
    let errors_before_access = d.diags.len();
    let access = d.access(root);
    let access_ok = d.diags.len() == errors_before_access;
    let vpn = d.vpn(root, deployment.as_ref().filter(|_| access_ok), &access);
    let egress_filtering = d.egress_filtering(root, default_span);
    let flow_logs = d.flow_logs(root, deployment.as_ref(), default_span);
    let session_logging = d.session_logging(root, default_span);
    let hosts = d.hosts(root);
    let plugins = match d.str_list(root, "plugins", "the profile", true) {
        Ok(v) => v.unwrap_or_default(),
        Err(()) => vec![],
    };
    for p in &plugins {
        if p.value.trim().is_empty() {
            d.diags
                .push(Diagnostic::error("CW102", "`plugins` has an empty path").at(p.span, "empty path"));
        }
    }

    let profile = deployment.map(|deployment| Profile {
        sources: sources.clone(),
        deployment,
        workloads,
        flows,
        egress,
        external,
        deny,
        private_endpoints,
        kubernetes,
        spokes,
        access,
        hosts,
        plugins,
        egress_filtering,
        flow_logs,
        vpn,
        session_logging,
    });
    let ok = !d.diags.iter().any(Diagnostic::is_error);
    (if ok { profile } else { None }, d.diags)
}

impl Decoder {
    fn push(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    // ------------------------------------------------------------ generic helpers

    fn check_keys(&mut self, t: &Table, known: &[&str], ctx: &str) {
        for e in &t.entries {
            if !known.contains(&e.key.as_str()) {
                let mut d = Diagnostic::error("CW101", format!("unknown key `{}` in {ctx}", e.key))
                    .at(e.key_span, "unknown key");
                if TOP_KEYS.contains(&e.key.as_str()) {
                    // a section of its own written inside another table
                    let header = match &e.node.value {
                        Value::Array(_) => format!("[[{}]]", e.key),
                        _ => format!("[{}]", e.key),
                    };
                    self.push(d.with_help(format!(
                        "`{}` is a section of its own, not a key of {ctx}: write {header} outside {ctx}",
                        e.key
                    )));
                    continue;
                }
                d = match did_you_mean(&e.key, known.iter().copied()) {
                    Some(h) => d.with_help(format!("{h} (known keys: {})", known.join(", "))),
                    None => d.with_help(format!("known keys: {}", known.join(", "))),
                };
                self.push(d);
            }
        }
    }

    fn type_error(&mut self, key: &str, ctx: &str, expected: &str, node: &Node) {
        self.push(
            Diagnostic::error(
                "CW102",
                format!(
                    "`{key}` in {ctx} must be {expected}, found {}",
                    describe_value(&node.value)
                ),
            )
            .at(node.span, format!("expected {expected}")),
        );
    }

    fn missing(&mut self, key: &str, ctx: &str, span: Span) {
        self.push(
            Diagnostic::error("CW103", format!("missing required field `{key}` in {ctx}"))
                .at(span, format!("`{key}` is required here")),
        );
    }

    fn required<T>(&mut self, got: Got<T>, key: &str, ctx: &str, span: Span) -> Option<T> {
        match got {
            Ok(Some(v)) => Some(v),
            Ok(None) => {
                self.missing(key, ctx, span);
                None
            }
            Err(()) => None,
        }
    }

    /// Free text: refuses control characters (CW108).
    fn check_text(&mut self, s: &Spanned<String>, key: &str, ctx: &str) -> bool {
        if let Some(c) = s.value.chars().find(|c| bad_char(*c)) {
            self.push(
                Diagnostic::error(
                    "CW108",
                    format!("`{key}` in {ctx} contains {} in {:?}", describe_char(c), s.value),
                )
                .at(s.span, "control character in text")
                .with_help("text lands in rule descriptions, scripts and reports: keep it on one line, without control characters"),
            );
            return false;
        }
        true
    }

    /// A name: `^[a-z][a-z0-9-]*$`, no trailing `-`, at most `max` characters (CW108).
    fn check_name(&mut self, s: &Spanned<String>, what: &str, max: usize) -> bool {
        let v = &s.value;
        let problem = if v.is_empty() {
            Some("is empty".to_string())
        } else if let Some(c) = v.chars().find(|c| bad_char(*c)) {
            Some(format!("contains {}", describe_char(c)))
        } else if !v.starts_with(|c: char| c.is_ascii_lowercase()) {
            Some("must start with a lowercase letter".into())
        } else if let Some(c) = v
            .chars()
            .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-'))
        {
            Some(format!(
                "contains `{c}`: only lowercase letters, digits and `-` are allowed"
            ))
        } else if v.ends_with('-') {
            Some("must not end with `-`".into())
        } else if v.chars().count() > max {
            Some(format!(
                "is {} characters long; the maximum is {max}",
                v.chars().count()
            ))
        } else {
            None
        };
        match problem {
            None => true,
            Some(p) => {
                let mut d = Diagnostic::error("CW108", format!("{what} {v:?} {p}"))
                    .at(s.span, "invalid name")
                    .with_help("names match ^[a-z][a-z0-9-]*$, without a trailing `-`");
                let fixed = sanitize_name(v, max);
                if !fixed.is_empty() && fixed != *v {
                    d = d.with_help(format!(
                        "names match ^[a-z][a-z0-9-]*$ (at most {max} characters), e.g. `{fixed}`"
                    ));
                }
                self.push(d);
                false
            }
        }
    }

    fn string(&mut self, t: &Table, key: &str, ctx: &str) -> Got<Spanned<String>> {
        let Some(e) = t.get(key) else { return Ok(None) };
        match &e.node.value {
            Value::Str(s) => Ok(Some(Spanned::new(s.clone(), e.node.span))),
            _ => {
                self.type_error(key, ctx, "a string", &e.node);
                Err(())
            }
        }
    }

    /// A string of free text (control characters refused).
    fn text(&mut self, t: &Table, key: &str, ctx: &str) -> Got<Spanned<String>> {
        let s = self.string(t, key, ctx)?;
        if let Some(s) = &s {
            if !self.check_text(s, key, ctx) {
                return Err(());
            }
        }
        Ok(s)
    }

    fn word_of<W: Word>(&mut self, s: &Spanned<String>, key: &str, ctx: &str) -> Option<Spanned<W>> {
        match W::parse(&s.value) {
            Some(w) => Some(Spanned::new(w, s.span)),
            None => {
                let mut d = Diagnostic::error(
                    "CW102",
                    format!(
                        "{:?} is not a valid {} (`{key}` in {ctx}): expected one of {}",
                        s.value,
                        W::WHAT,
                        W::WORDS.join(", ")
                    ),
                )
                .at(s.span, format!("not a {}", W::WHAT));
                if let Some(h) = did_you_mean(&s.value, W::WORDS.iter().copied()) {
                    d = d.with_help(h);
                }
                self.push(d);
                None
            }
        }
    }

    fn word<W: Word>(&mut self, t: &Table, key: &str, ctx: &str) -> Got<Spanned<W>> {
        match self.string(t, key, ctx)? {
            None => Ok(None),
            Some(s) => self.word_of::<W>(&s, key, ctx).map(Some).ok_or(()),
        }
    }

    fn boolean(&mut self, t: &Table, key: &str, ctx: &str) -> Got<Spanned<bool>> {
        let Some(e) = t.get(key) else { return Ok(None) };
        match &e.node.value {
            Value::Bool(b) => Ok(Some(Spanned::new(*b, e.node.span))),
            _ => {
                self.type_error(key, ctx, "a boolean (true or false)", &e.node);
                Err(())
            }
        }
    }

    /// An integer within `range` (CW102 outside it or when not an integer).
    fn int_in(&mut self, t: &Table, key: &str, ctx: &str, range: std::ops::RangeInclusive<u32>) -> Got<Spanned<u32>> {
        let Some(e) = t.get(key) else { return Ok(None) };
        let (lo, hi) = (*range.start(), *range.end());
        match &e.node.value {
            Value::Int(n) if (i64::from(lo)..=i64::from(hi)).contains(n) => Ok(Some(Spanned::new(*n as u32, e.node.span))),
            Value::Int(n) => {
                self.push(
                    Diagnostic::error(
                        "CW102",
                        format!("{key} = {n} in {ctx} is out of range: expected an integer from {lo} to {hi}"),
                    )
                    .at(e.node.span, format!("expected {lo}..={hi}")),
                );
                Err(())
            }
            _ => {
                self.type_error(key, ctx, &format!("an integer from {lo} to {hi}"), &e.node);
                Err(())
            }
        }
    }

    fn array<'t>(&mut self, t: &'t Table, key: &str, ctx: &str) -> Got<(&'t [Node], Span)> {
        let Some(e) = t.get(key) else { return Ok(None) };
        match &e.node.value {
            Value::Array(items) => Ok(Some((items.as_slice(), e.node.span))),
            _ => {
                self.type_error(key, ctx, "an array", &e.node);
                Err(())
            }
        }
    }

    /// An array of strings; `text` refuses control characters in each.
    fn str_list(&mut self, t: &Table, key: &str, ctx: &str, text: bool) -> Got<Vec<Spanned<String>>> {
        let Some((items, _)) = self.array(t, key, ctx)? else {
            return Ok(None);
        };
        let mut out = Vec::new();
        let mut bad = false;
        for it in items {
            match &it.value {
                Value::Str(s) => {
                    let s = Spanned::new(s.clone(), it.span);
                    if text && !self.check_text(&s, key, ctx) {
                        bad = true;
                    }
                    out.push(s);
                }
                _ => {
                    self.type_error(key, ctx, "an array of strings", it);
                    bad = true;
                }
            }
        }
        if bad {
            Err(())
        } else {
            Ok(Some(out))
        }
    }

    fn ports(&mut self, t: &Table, ctx: &str) -> Got<(Vec<Spanned<PortRange>>, Span)> {
        let Some((items, span)) = self.array(t, "ports", ctx)? else {
            return Ok(None);
        };
        if items.is_empty() {
            self.push(
                Diagnostic::error("CW105", format!("`ports` in {ctx} is an empty list"))
                    .at(span, "no ports")
                    .with_help("name at least one port such as \"443/tcp\""),
            );
            return Err(());
        }
        let mut out = Vec::new();
        let mut bad = false;
        for it in items {
            match &it.value {
                Value::Str(s) => match PortRange::parse(s) {
                    Ok(p) => out.push(Spanned::new(p, it.span)),
                    Err(e) => {
                        self.push(
                            Diagnostic::error("CW105", format!("invalid port {s:?} in {ctx}: {e}"))
                                .at(it.span, "invalid port"),
                        );
                        bad = true;
                    }
                },
                Value::Int(n) => {
                    self.push(
                        Diagnostic::error("CW105", format!("invalid port {n} in {ctx}: a port names its protocol"))
                            .at(it.span, "port without protocol")
                            .with_help(format!("write \"{n}/tcp\" or \"{n}/udp\"")),
                    );
                    bad = true;
                }
                _ => {
                    self.type_error("ports", ctx, "an array of port strings", it);
                    bad = true;
                }
            }
        }
        if bad {
            Err(())
        } else {
            Ok(Some((out, span)))
        }
    }

    /// `cidrs` (or another key) as networks: CW106 on a bad one.
    fn nets(&mut self, t: &Table, key: &str, ctx: &str) -> Got<Vec<Spanned<IpNet>>> {
        let Some((items, _)) = self.array(t, key, ctx)? else {
            return Ok(None);
        };
        self.net_items(items, key, ctx).map(Some)
    }

    fn net_items(&mut self, items: &[Node], key: &str, ctx: &str) -> Result<Vec<Spanned<IpNet>>, ()> {
        let mut out = Vec::new();
        let mut bad = false;
        for it in items {
            match &it.value {
                Value::Str(s) => match parse_net(s) {
                    Ok(n) => out.push(Spanned::new(n, it.span)),
                    Err((msg, help)) => {
                        let mut d = Diagnostic::error("CW106", format!("{msg} (`{key}` in {ctx})"))
                            .at(it.span, "invalid address");
                        if let Some(h) = help {
                            d = d.with_help(h);
                        }
                        self.push(d);
                        bad = true;
                    }
                },
                _ => {
                    self.type_error(key, ctx, "an array of CIDR strings", it);
                    bad = true;
                }
            }
        }
        if bad {
            Err(())
        } else {
            Ok(out)
        }
    }

    fn array_of_tables<T>(
        &mut self,
        root: &Table,
        key: &str,
        f: impl FnMut(&mut Self, &Table, Span) -> Option<T>,
    ) -> Vec<T> {
        self.array_of_tables_in(root, key, "the profile", key, f)
    }

    /// `[[header]]` items under `key` of table `t` (`header` is how the file names them).
    fn array_of_tables_in<T>(
        &mut self,
        t: &Table,
        key: &str,
        ctx: &str,
        header: &str,
        mut f: impl FnMut(&mut Self, &Table, Span) -> Option<T>,
    ) -> Vec<T> {
        let Some(e) = t.get(key) else { return vec![] };
        let Value::Array(items) = &e.node.value else {
            self.type_error(key, ctx, &format!("an array of tables (`[[{header}]]`)"), &e.node);
            return vec![];
        };
        let mut out = Vec::new();
        for it in items {
            match &it.value {
                Value::Table(t) => {
                    if let Some(v) = f(self, t, it.span) {
                        out.push(v);
                    }
                }
                _ => self.type_error(key, ctx, "a table", it),
            }
        }
        out
    }

    fn table<'t>(&mut self, root: &'t Table, key: &str) -> Option<(&'t Table, Span)> {
        let e = root.get(key)?;
        match &e.node.value {
            Value::Table(t) => Some((t, e.node.span)),
            _ => {
                self.type_error(key, "the profile", &format!("a table (`[{key}]`)"), &e.node);
                None
            }
        }
    }

    // ------------------------------------------------------------ references

    /// First pass over `[[workload]]` and `[[external]]`: names (CW108), duplicates and
    /// reserved words (CW107); fills the table references resolve against.
    fn declare_names(&mut self, root: &Table) {
        let mut seen: BTreeMap<String, (Span, &'static str)> = BTreeMap::new();
        for (key, what) in [("workload", "workload"), ("external", "external")] {
            let Some(Value::Array(items)) = root.get(key).map(|e| &e.node.value) else {
                continue;
            };
            for it in items {
                let Value::Table(t) = &it.value else { continue };
                let Some(Value::Str(name)) = t.get("name").map(|e| &e.node.value) else {
                    continue;
                };
                let span = t.get("name").map(|e| e.node.span).unwrap_or(it.span);
                let sname = Spanned::new(name.clone(), span);
                if RESERVED_NAMES.contains(&name.as_str()) {
                    self.push(
                        Diagnostic::error("CW107", format!("`{name}` is a reserved word and cannot name a {what}"))
                            .at(span, "reserved name")
                            .with_help(format!("reserved: {}; choose another name", RESERVED_NAMES.join(", "))),
                    );
                    continue;
                }
                if !self.check_name(&sname, &format!("{what} name"), MAX_NAME_LEN) {
                    // still declared: references to it are not reported twice
                }
                if let Some((prev, prev_what)) = seen.get(name) {
                    self.push(
                        Diagnostic::error(
                            "CW107",
                            format!("duplicate name `{name}`: already used by a {prev_what}"),
                        )
                        .at(span, format!("second {what} named `{name}`"))
                        .at(*prev, "first declared here"),
                    );
                    continue;
                }
                seen.insert(name.clone(), (span, what));
                if key == "workload" {
                    let kind = match t.get("kind").map(|e| &e.node.value) {
                        Some(Value::Str(k)) => WorkloadKind::from_word(k),
                        _ => None,
                    };
                    self.names.insert(name.clone(), Named::Workload(kind));
                    self.workload_names.push(name.clone());
                } else {
                    self.names.insert(name.clone(), Named::External);
                    self.external_names.push(name.clone());
                }
            }
        }
    }

    fn unknown_ref(&mut self, s: &Spanned<String>, key: &str, ctx: &str, workloads_only: bool) {
        let mut candidates: Vec<&str> = self.workload_names.iter().map(String::as_str).collect();
        let what = if workloads_only {
            "a workload"
        } else {
            candidates.extend(self.external_names.iter().map(String::as_str));
            candidates.push(INTERNET);
            "a workload, an [[external]] or `internet`"
        };
        let known = if candidates.is_empty() {
            "none declared".to_string()
        } else {
            candidates.join(", ")
        };
        let mut help = format!("known: {known}");
        if let Some(h) = did_you_mean(&s.value, candidates.iter().copied()) {
            help = format!("{h} ({help})");
        }
        self.push(
            Diagnostic::error(
                "CW104",
                format!("unknown reference {:?} in `{key}` of {ctx}: not {what}", s.value),
            )
            .at(s.span, "unknown name")
            .with_help(help),
        );
    }

    fn resolve_end(&mut self, s: &Spanned<String>, key: &str, ctx: &str) -> End {
        if s.value == INTERNET {
            return End::Internet;
        }
        match self.names.get(&s.value) {
            Some(Named::Workload(k)) => End::Workload(*k),
            Some(Named::External) => End::External,
            None => {
                self.unknown_ref(s, key, ctx, false);
                End::Unknown
            }
        }
    }

    /// A workload reference (egress `from`, kubernetes/spoke workloads, hosts keys).
    fn workload_ref(&mut self, s: &Spanned<String>, key: &str, ctx: &str) -> bool {
        match self.names.get(&s.value) {
            Some(Named::Workload(_)) => true,
            _ => {
                self.unknown_ref(s, key, ctx, true);
                false
            }
        }
    }

    // ------------------------------------------------------------ sections

    fn deployment(&mut self, root: &Table, root_span: Span) -> Option<Deployment> {
        let ctx = "[deployment]";
        let Some((t, span)) = self.table(root, "deployment") else {
            if root.get("deployment").is_none() {
                self.push(
                    Diagnostic::error("CW103", "missing required table `[deployment]`")
                        .at(root_span, "the profile has no [deployment] table")
                        .with_help("the shortest profile is:\n[deployment]\nname = \"webapp\""),
                );
            }
            return None;
        };
        self.check_keys(t, DEPLOYMENT_KEYS, ctx);
        let mut ok = true;

        let name = self.string(t, "name", ctx);
        let name = self.required(name, "name", ctx, span);
        if let Some(n) = &name {
            ok &= self.check_name(n, "deployment name", MAX_NAME_LEN);
        }
        let env = match self.string(t, "env", ctx) {
            Ok(Some(e)) => {
                ok &= self.check_name(&e, "env", MAX_ENV_LEN);
                Some(e)
            }
            Ok(None) => Some(Spanned::new("prod".to_string(), span)),
            Err(()) => None,
        };

        // provider = "x" | providers = ["x", "y"]
        let provider = self.string(t, "provider", ctx);
        let providers = self.str_list(t, "providers", ctx, false);
        let providers: Option<Vec<Spanned<String>>> = match (provider, providers) {
            (Ok(Some(p)), Ok(Some(ps))) => {
                let second = t
                    .get("providers")
                    .map(|e| e.key_span)
                    .unwrap_or(ps.first().map(|x| x.span).unwrap_or(span));
                self.push(
                    Diagnostic::error("CW111", "both `provider` and `providers` are set in [deployment]")
                        .at(second, "`providers` here")
                        .at(p.span, "`provider` here")
                        .with_help("use `provider = \"x\"` for one provider or `providers = [\"x\", \"y\"]` for several, not both"),
                );
                None
            }
            (Ok(Some(p)), Ok(None)) => Some(vec![p]),
            (Ok(None), Ok(Some(ps))) => {
                if ps.is_empty() {
                    let s = t.get("providers").map(|e| e.node.span).unwrap_or(span);
                    self.push(
                        Diagnostic::error("CW102", "`providers` in [deployment] is an empty list")
                            .at(s, "name at least one provider"),
                    );
                    None
                } else {
                    Some(ps)
                }
            }
            (Ok(None), Ok(None)) => Some(vec![Spanned::new("aws".to_string(), span)]),
            _ => None,
        };
        if let Some(ps) = &providers {
            let mut seen: Vec<&Spanned<String>> = Vec::new();
            let mut dups = Vec::new();
            for p in ps {
                ok &= self.check_name(p, "provider name", MAX_NAME_LEN);
                if let Some(first) = seen.iter().find(|x| x.value == p.value) {
                    dups.push((p.clone(), first.span));
                } else {
                    seen.push(p);
                }
            }
            for (p, first) in dups {
                ok = false;
                self.push(
                    Diagnostic::error("CW107", format!("provider `{}` is listed twice", p.value))
                        .at(p.span, "duplicate provider")
                        .at(first, "first listed here"),
                );
            }
        }

        let region = self.text(t, "region", ctx);
        let regions = self.str_list(t, "regions", ctx, true);
        if let Ok(Some(rs)) = &regions {
            for (i, r) in rs.iter().enumerate() {
                if let Some(first) = rs[..i].iter().find(|x| x.value == r.value) {
                    ok = false;
                    self.push(
                        Diagnostic::error("CW107", format!("region `{}` is listed twice in `regions`", r.value))
                            .at(r.span, "duplicate region")
                            .at(first.span, "first listed here"),
                    );
                }
            }
        }
        let topology = self.word::<Topology>(t, "topology", ctx);
        let compliance = match self.str_list(t, "compliance", ctx, false) {
            Ok(Some(list)) => {
                let mut out: Vec<Spanned<Compliance>> = Vec::new();
                let mut bad = false;
                for s in &list {
                    match self.word_of::<Compliance>(s, "compliance", ctx) {
                        Some(c) => {
                            if let Some(first) = out.iter().find(|x| x.value == c.value) {
                                let fs = first.span;
                                self.push(
                                    Diagnostic::error(
                                        "CW107",
                                        format!("compliance scope `{}` is listed twice", s.value),
                                    )
                                    .at(s.span, "duplicate scope")
                                    .at(fs, "first listed here"),
                                );
                                bad = true;
                            } else {
                                out.push(c);
                            }
                        }
                        None => bad = true,
                    }
                }
                if bad {
                    Err(())
                } else {
                    Ok(out)
                }
            }
            Ok(None) => Ok(vec![]),
            Err(()) => Err(()),
        };
        let public = self.word::<PublicMode>(t, "public", ctx);
        let bastion = self.word::<Bastion>(t, "bastion", ctx);
        let owner = self.text(t, "owner", ctx);
        let azs = match t.get("availability_zones") {
            None => Ok(Spanned::new(2u32, span)),
            Some(e) => match &e.node.value {
                Value::Int(n) if (1..=6).contains(n) => Ok(Spanned::new(*n as u32, e.node.span)),
                Value::Int(n) => {
                    self.push(
                        Diagnostic::error(
                            "CW102",
                            format!("availability_zones = {n} is out of range: expected an integer from 1 to 6"),
                        )
                        .at(e.node.span, "expected 1..=6"),
                    );
                    Err(())
                }
                _ => {
                    self.type_error("availability_zones", ctx, "an integer from 1 to 6", &e.node);
                    Err(())
                }
            },
        };

        let (
            Some(name),
            Some(env),
            Some(providers),
            Ok(region),
            Ok(regions),
            Ok(topology),
            Ok(compliance),
            Ok(public),
            Ok(bastion),
            Ok(owner),
            Ok(azs),
        ) = (
            name, env, providers, region, regions, topology, compliance, public, bastion, owner, azs,
        )
        else {
            return None;
        };
        if !ok {
            return None;
        }
        Some(Deployment {
            span,
            name,
            env,
            providers,
            region,
            regions: regions.unwrap_or_default(),
            topology: topology.unwrap_or(Spanned::new(Topology::ThreeTier, span)),
            compliance,
            public: public.unwrap_or(Spanned::new(PublicMode::LoadBalancerOnly, span)),
            bastion,
            owner: owner.unwrap_or(Spanned::new("platform team".to_string(), span)),
            availability_zones: azs,
        })
    }

    fn workload(&mut self, t: &Table, span: Span) -> Option<Workload> {
        let ctx = match t.get("name").map(|e| &e.node.value) {
            Some(Value::Str(n)) => format!("workload `{n}`"),
            _ => "[[workload]]".to_string(),
        };
        self.check_keys(t, WORKLOAD_KEYS, &ctx);
        // the name itself was checked by `declare_names`
        let name = self.string(t, "name", &ctx);
        let name = self.required(name, "name", &ctx, span);
        let tier = self.word::<Tier>(t, "tier", &ctx);
        let tier = self.required(tier, "tier", &ctx, span);
        let kind = self.word::<WorkloadKind>(t, "kind", &ctx);
        let kind = self.required(kind, "kind", &ctx, span);
        let regions = match self.str_list(t, "regions", &ctx, true) {
            Ok(Some(rs)) => {
                let list_span = t.get("regions").map(|e| e.node.span).unwrap_or(span);
                self.workload_regions(rs, list_span, &ctx)
            }
            // default: every region of the deployment
            Ok(None) => Some(
                self.topology_regions
                    .as_ref()
                    .map(|(_, rs)| rs.iter().map(|r| Spanned::new(r.value.clone(), span)).collect())
                    .unwrap_or_default(),
            ),
            Err(()) => None,
        };
        Some(Workload {
            span,
            name: name?,
            tier: tier?,
            kind: kind?,
            regions: regions?,
        })
    }

    /// A workload's `regions`: non-empty, `multi-region` only, each one of
    /// `deployment.regions` (CW104), none twice (CW107).
    fn workload_regions(&mut self, rs: Vec<Spanned<String>>, list_span: Span, ctx: &str) -> Option<Vec<Spanned<String>>> {
        if rs.is_empty() {
            self.push(
                Diagnostic::error("CW103", format!("`regions` of {ctx} is empty: a workload runs in at least one region"))
                    .at(list_span, "empty list")
                    .with_help("leave `regions` out to run the workload in every region of the deployment"),
            );
            return None;
        }
        let Some((topology, known)) = self.topology_regions.clone() else {
            return Some(rs);
        };
        if topology.value != Topology::MultiRegion {
            self.push(
                Diagnostic::error(
                    "CW111",
                    format!(
                        "`regions` of {ctx} is only used with topology = \"multi-region\" (topology is `{}`)",
                        topology.value
                    ),
                )
                .at(list_span, "regions given here")
                .at(topology.span, "topology set here"),
            );
            return None;
        }
        let mut ok = true;
        for (i, r) in rs.iter().enumerate() {
            if !known.iter().any(|k| k.value == r.value) {
                ok = false;
                let names: Vec<&str> = known.iter().map(|k| k.value.as_str()).collect();
                let listed = format!("the deployment's regions: {}", names.join(", "));
                let help = match did_you_mean(&r.value, names.iter().copied()) {
                    Some(h) => format!("{h} ({listed})"),
                    None => listed,
                };
                self.push(
                    Diagnostic::error(
                        "CW104",
                        format!("unknown region {:?} in `regions` of {ctx}: not one of `regions` in [deployment]", r.value),
                    )
                    .at(r.span, "unknown region")
                    .with_help(help),
                );
            } else if let Some(first) = rs[..i].iter().find(|x| x.value == r.value) {
                ok = false;
                self.push(
                    Diagnostic::error("CW107", format!("region `{}` is listed twice in `regions` of {ctx}", r.value))
                        .at(r.span, "duplicate region")
                        .at(first.span, "first listed here"),
                );
            }
        }
        ok.then_some(rs)
    }

    fn external(&mut self, t: &Table, span: Span) -> Option<External> {
        let ctx = match t.get("name").map(|e| &e.node.value) {
            Some(Value::Str(n)) => format!("external `{n}`"),
            _ => "[[external]]".to_string(),
        };
        self.check_keys(t, EXTERNAL_KEYS, &ctx);
        let name = self.string(t, "name", &ctx);
        let name = self.required(name, "name", &ctx, span);
        let cidrs = self.nets(t, "cidrs", &ctx);
        let cidrs = self.required(cidrs, "cidrs", &ctx, span);
        if let Some(c) = &cidrs {
            if c.is_empty() {
                let s = t.get("cidrs").map(|e| e.node.span).unwrap_or(span);
                self.push(
                    Diagnostic::error(
                        "CW103",
                        format!("`cidrs` of {ctx} is empty: an external party needs at least one CIDR"),
                    )
                    .at(s, "empty list"),
                );
                return None;
            }
        }
        let purpose = self.text(t, "purpose", &ctx);
        Some(External {
            span,
            name: name?,
            cidrs: cidrs?,
            purpose: purpose.ok()?,
        })
    }

    fn flow(&mut self, t: &Table, span: Span) -> Option<Flow> {
        let ctx = match (t.get("from").map(|e| &e.node.value), t.get("to").map(|e| &e.node.value)) {
            (Some(Value::Str(a)), Some(Value::Str(b))) => format!("flow {a} -> {b}"),
            _ => "[[flow]]".to_string(),
        };
        self.check_keys(t, FLOW_KEYS, &ctx);
        let from = self.string(t, "from", &ctx);
        let from = self.required(from, "from", &ctx, span);
        let to = self.string(t, "to", &ctx);
        let to = self.required(to, "to", &ctx, span);
        let from_end = from.as_ref().map(|s| self.resolve_end(s, "from", &ctx));
        let to_end = to.as_ref().map(|s| self.resolve_end(s, "to", &ctx));
        let ports = self.ports(t, &ctx);
        let purpose = self.text(t, "purpose", &ctx);
        let owner = self.text(t, "owner", &ctx);
        let justification = self.text(t, "justification", &ctx);
        let across_regions = self.boolean(t, "across_regions", &ctx);

        let mut ok = true;
        if let (Some(f), Some(fe), Some(to_s), Some(te)) = (&from, from_end, &to, to_end) {
            match (fe, te) {
                (End::Internet, End::Internet) => {
                    ok = false;
                    self.push(
                        Diagnostic::error(
                            "CW111",
                            "a flow from `internet` to `internet` describes nothing in this network",
                        )
                        .at(to_s.span, "`to` is the internet too"),
                    );
                }
                (End::External, End::External) => {
                    ok = false;
                    self.push(
                        Diagnostic::error(
                            "CW111",
                            format!(
                                "a flow between two external parties (`{}` -> `{}`) never crosses this network",
                                f.value, to_s.value
                            ),
                        )
                        .at(to_s.span, "external destination")
                        .at(f.span, "external source"),
                    );
                }
                (End::Internet, End::External) | (End::External, End::Internet) => {
                    ok = false;
                    self.push(
                        Diagnostic::error(
                            "CW111",
                            format!(
                                "a flow between `internet` and the external party `{}` never crosses this network",
                                if matches!(fe, End::External) {
                                    &f.value
                                } else {
                                    &to_s.value
                                }
                            ),
                        )
                        .at(to_s.span, "destination")
                        .at(f.span, "source"),
                    );
                }
                _ => {}
            }
        }
        // CW109: no ports, and the destination gives none
        if let (Ok(None), Some(to_s), Some(te)) = (&ports, &to, to_end) {
            let why = match te {
                End::Internet => Some("the internet has no default port".to_string()),
                End::External => Some(format!(
                    "`{}` is an external party, which has no default port",
                    to_s.value
                )),
                End::Workload(Some(k)) if k.default_port().is_none() => {
                    Some(format!("`{}` is of kind `{k}`, which has no default port", to_s.value))
                }
                _ => None,
            };
            if let Some(why) = why {
                ok = false;
                let kinds_with_port: Vec<&str> = WorkloadKind::ALL
                    .iter()
                    .filter(|k| k.default_port().is_some())
                    .map(|k| k.as_str())
                    .collect();
                self.push(
                    Diagnostic::error("CW109", format!("{ctx} has no `ports` and {why}"))
                        .at(to_s.span, "destination without a default port")
                        .with_help(format!(
                            "add `ports = [\"PORT/tcp\"]` to the flow (only these kinds imply a port: {})",
                            kinds_with_port.join(", ")
                        )),
                );
            }
        }
        let (ports, ports_span) = match ports {
            Ok(Some((p, s))) => (p, s),
            Ok(None) => (vec![], span),
            Err(()) => return None,
        };
        let (Some(from), Some(to), Some(fe), Some(te)) = (from, to, from_end, to_end) else {
            return None;
        };
        if matches!(fe, End::Unknown) || matches!(te, End::Unknown) || !ok {
            return None;
        }
        let ep = |s: Spanned<String>| {
            s.map(|v| {
                if v == INTERNET {
                    EndpointRef::Internet
                } else {
                    EndpointRef::Named(v)
                }
            })
        };
        Some(Flow {
            span,
            from: ep(from),
            to: ep(to),
            ports,
            ports_span,
            purpose: purpose.ok()?,
            owner: owner.ok()?,
            justification: justification.ok()?,
            across_regions: across_regions.ok()?.unwrap_or(Spanned::new(false, span)),
        })
    }

    fn egress(&mut self, t: &Table, span: Span) -> Option<Egress> {
        let ctx = match t.get("from").map(|e| &e.node.value) {
            Some(Value::Str(a)) => format!("egress from `{a}`"),
            _ => "[[egress]]".to_string(),
        };
        self.check_keys(t, EGRESS_KEYS, &ctx);
        let from = self.string(t, "from", &ctx);
        let from = self.required(from, "from", &ctx, span);
        let from_ok = from
            .as_ref()
            .map(|f| self.workload_ref(f, "from", &ctx))
            .unwrap_or(false);
        let cidrs = self.nets(t, "cidrs", &ctx);
        let fqdns = self.str_list(t, "fqdns", &ctx, false);
        let mut fqdn_ok = true;
        if let Ok(Some(list)) = &fqdns {
            for f in list {
                if let Err(msg) = check_fqdn(&f.value) {
                    fqdn_ok = false;
                    self.push(
                        Diagnostic::error("CW106", format!("invalid FQDN {:?} in {ctx}: {msg}", f.value))
                            .at(f.span, "invalid FQDN")
                            .with_help("write a host name such as \"api.stripe.com\", or \".stripe.com\" for the domain and its subdomains"),
                    );
                }
            }
        }
        fn empty<T>(g: &Got<Vec<T>>) -> bool {
            matches!(g, Ok(None)) || matches!(g, Ok(Some(v)) if v.is_empty())
        }
        if empty(&cidrs) && empty(&fqdns) {
            self.push(
                Diagnostic::error(
                    "CW111",
                    format!("{ctx} has neither `cidrs` nor `fqdns`: it allows nothing"),
                )
                .at(span, "destination missing")
                .with_help("add `cidrs = [\"203.0.113.0/24\"]` or `fqdns = [\"api.example.com\"]`"),
            );
            return None;
        }
        let ports = self.ports(t, &ctx);
        let ports = self.required(ports, "ports", &ctx, span);
        let purpose = self.text(t, "purpose", &ctx);
        let owner = self.text(t, "owner", &ctx);
        let (ports, ports_span) = ports?;
        if !from_ok || !fqdn_ok {
            return None;
        }
        Some(Egress {
            span,
            from: from?,
            cidrs: cidrs.ok()?.unwrap_or_default(),
            fqdns: fqdns.ok()?.unwrap_or_default(),
            ports,
            ports_span,
            purpose: purpose.ok()?,
            owner: owner.ok()?,
        })
    }

    fn deny(&mut self, t: &Table, span: Span) -> Option<Deny> {
        let ctx = "[[deny]]";
        self.check_keys(t, DENY_KEYS, ctx);
        let cidrs = self.nets(t, "cidrs", ctx);
        let cidrs = self.required(cidrs, "cidrs", ctx, span);
        if let Some(c) = &cidrs {
            if c.is_empty() {
                let s = t.get("cidrs").map(|e| e.node.span).unwrap_or(span);
                self.push(Diagnostic::error("CW103", "`cidrs` of [[deny]] is empty").at(s, "empty list"));
                return None;
            }
        }
        let purpose = self.text(t, "purpose", ctx);
        Some(Deny {
            span,
            cidrs: cidrs?,
            purpose: purpose.ok()?,
        })
    }

    fn spoke(&mut self, t: &Table, span: Span) -> Option<Spoke> {
        let ctx = match t.get("name").map(|e| &e.node.value) {
            Some(Value::Str(n)) => format!("spoke `{n}`"),
            _ => "[[spoke]]".to_string(),
        };
        self.check_keys(t, SPOKE_KEYS, &ctx);
        let name = self.string(t, "name", &ctx);
        let name = self.required(name, "name", &ctx, span);
        let mut ok = true;
        if let Some(n) = &name {
            ok &= self.check_name(n, "spoke name", MAX_NAME_LEN);
        }
        let workloads = self.str_list(t, "workloads", &ctx, false);
        let workloads = self.required(workloads, "workloads", &ctx, span);
        if let Some(ws) = &workloads {
            for w in ws {
                ok &= self.workload_ref(w, "workloads", &ctx);
            }
        }
        if !ok {
            return None;
        }
        Some(Spoke {
            span,
            name: name?,
            workloads: workloads?,
        })
    }

    fn private_endpoints(&mut self, root: &Table) -> PrivateEndpoints {
        let Some((t, span)) = self.table(root, "private_endpoints") else {
            return PrivateEndpoints::default();
        };
        let ctx = "[private_endpoints]";
        self.check_keys(t, ENDPOINTS_KEYS, ctx);
        let (services, services_ok) = match self.str_list(t, "services", ctx, false) {
            Ok(v) => (v.unwrap_or_default(), true),
            Err(()) => (vec![], false),
        };
        // every name written, valid or not: a restriction of a service already reported
        // as invalid is not reported again
        let written: Vec<String> = services.iter().map(|s| s.value.clone()).collect();
        let mut out: Vec<Spanned<String>> = Vec::new();
        for s in services {
            if let Err(msg) = check_service(&s.value) {
                let mut d = Diagnostic::error(
                    "CW111",
                    format!("unknown private endpoint service {:?}: {msg}", s.value),
                )
                .at(s.span, "unknown service");
                let h = format!(
                    "neutral names: {}; or a provider-specific `provider:service` such as `aws:ecr.dkr`",
                    ENDPOINT_SERVICES.join(", ")
                );
                d = match did_you_mean(&s.value, ENDPOINT_SERVICES.iter().copied()) {
                    Some(dym) => d.with_help(format!("{dym} ({h})")),
                    None => d.with_help(h),
                };
                self.push(d);
                continue;
            }
            if let Some(first) = out.iter().find(|x| x.value == s.value) {
                let fs = first.span;
                self.push(
                    Diagnostic::error(
                        "CW107",
                        format!("private endpoint service `{}` is listed twice", s.value),
                    )
                    .at(s.span, "duplicate service")
                    .at(fs, "first listed here"),
                );
                continue;
            }
            out.push(s);
        }
        let restrict = self.array_of_tables_in(t, "restrict", ctx, "private_endpoints.restrict", |d, rt, rs| {
            d.restriction(rt, rs, &out, services_ok.then_some(written.as_slice()))
        });
        PrivateEndpoints {
            span: Some(span),
            services: out,
            restrict,
        }
    }

    /// One `[[private_endpoints.restrict]]`. `written` is every service name of the list
    /// (`None` when the list itself was unreadable: references are then not judged).
    fn restriction(
        &mut self,
        t: &Table,
        span: Span,
        services: &[Spanned<String>],
        written: Option<&[String]>,
    ) -> Option<EndpointRestriction> {
        let ctx = match t.get("service").map(|e| &e.node.value) {
            Some(Value::Str(n)) => format!("the restriction of `{n}`"),
            _ => "[[private_endpoints.restrict]]".to_string(),
        };
        self.check_keys(t, RESTRICT_KEYS, &ctx);
        let mut ok = true;
        let service = self.string(t, "service", &ctx);
        let service = self.required(service, "service", &ctx, span);
        if let (Some(s), Some(written)) = (&service, written) {
            if !services.iter().any(|x| x.value == s.value) {
                ok = false;
                if !written.contains(&s.value) {
                    let names: Vec<&str> = services.iter().map(|x| x.value.as_str()).collect();
                    let listed = if names.is_empty() {
                        "no services are listed".to_string()
                    } else {
                        format!("listed: {}", names.join(", "))
                    };
                    let help = match did_you_mean(&s.value, names.iter().copied()) {
                        Some(h) => format!("{h} ({listed})"),
                        None => format!("add it to `services`, or restrict a listed service ({listed})"),
                    };
                    self.push(
                        Diagnostic::error(
                            "CW104",
                            format!(
                                "{:?} in {ctx} is not one of the `services` of [private_endpoints]",
                                s.value
                            ),
                        )
                        .at(s.span, "service without an endpoint")
                        .with_help(help),
                    );
                }
            }
        }
        let resources = self.str_list(t, "resources", &ctx, true);
        if let (Ok(Some(list)), Some(s)) = (&resources, &service) {
            for r in list {
                let problem = if r.value.trim().is_empty() {
                    Some("is empty".to_string())
                } else if s.value == "object-storage" {
                    check_bucket_name(&r.value).err()
                } else {
                    None
                };
                if let Some(p) = problem {
                    ok = false;
                    let mut d = Diagnostic::error("CW108", format!("resource {:?} in {ctx} {p}", r.value))
                        .at(r.span, "invalid resource name");
                    if s.value == "object-storage" {
                        d = d.with_help("bucket names are 3-63 characters: lowercase letters, digits, `.` and `-`, starting and ending with a letter or digit");
                    }
                    self.push(d);
                }
            }
            ok &= self.no_duplicates(list, "resource", &ctx);
        }
        let actions = self.str_list(t, "actions", &ctx, false);
        if let Ok(Some(list)) = &actions {
            for a in list {
                if let Err(why) = check_action(&a.value) {
                    ok = false;
                    let h = format!(
                        "neutral actions: {}; or a provider-specific `prefix:Action` such as `s3:GetObject`",
                        ENDPOINT_ACTIONS.join(", ")
                    );
                    let mut d = Diagnostic::error("CW102", format!("{:?} is not a valid endpoint action (`actions` in {ctx}): {why}", a.value))
                        .at(a.span, "not an action");
                    d = match did_you_mean(&a.value, ENDPOINT_ACTIONS.iter().copied()) {
                        Some(dym) => d.with_help(format!("{dym} ({h})")),
                        None => d.with_help(h),
                    };
                    self.push(d);
                }
            }
            ok &= self.no_duplicates(list, "action", &ctx);
        }
        let (Ok(resources), Ok(actions)) = (resources, actions) else {
            return None;
        };
        let (resources, actions) = (resources.unwrap_or_default(), actions.unwrap_or_default());
        if resources.is_empty() && actions.is_empty() {
            self.push(
                Diagnostic::error("CW103", format!("{ctx} has neither `resources` nor `actions`: it restricts nothing"))
                    .at(span, "nothing restricted")
                    .with_help("add e.g. `resources = [\"my-bucket\"]` and/or `actions = [\"read\"]`, or remove the restriction"),
            );
            return None;
        }
        if !ok {
            return None;
        }
        Some(EndpointRestriction {
            span,
            service: service?,
            resources,
            actions,
        })
    }

    /// CW107 for a value listed twice; `true` when none is.
    fn no_duplicates(&mut self, list: &[Spanned<String>], what: &str, ctx: &str) -> bool {
        let mut ok = true;
        for (i, x) in list.iter().enumerate() {
            if let Some(first) = list[..i].iter().find(|y| y.value == x.value) {
                ok = false;
                self.push(
                    Diagnostic::error("CW107", format!("{what} `{}` is listed twice in {ctx}", x.value))
                        .at(x.span, format!("duplicate {what}"))
                        .at(first.span, "first listed here"),
                );
            }
        }
        ok
    }

    fn kubernetes(&mut self, root: &Table, deployment: Option<&Deployment>) -> Option<Kubernetes> {
        let (t, span) = self.table(root, "kubernetes")?;
        let ctx = "[kubernetes]";
        self.check_keys(t, KUBERNETES_KEYS, ctx);
        let mut ok = true;
        let namespace = match self.string(t, "namespace", ctx) {
            Ok(Some(n)) => {
                ok &= self.check_namespace(&n, "namespace");
                Some(n)
            }
            Ok(None) => deployment.map(|d| Spanned::new(d.env.value.clone(), span)),
            Err(()) => None,
        };
        let ingress = match self.string(t, "ingress_namespace", ctx) {
            Ok(Some(n)) => {
                ok &= self.check_namespace(&n, "ingress_namespace");
                Some(Some(n))
            }
            Ok(None) => Some(None),
            Err(()) => None,
        };
        let workloads = self.str_list(t, "workloads", ctx, false);
        let workloads = self.required(workloads, "workloads", ctx, span);
        if let Some(ws) = &workloads {
            for w in ws {
                ok &= self.workload_ref(w, "workloads", ctx);
            }
        }
        if !ok {
            return None;
        }
        Some(Kubernetes {
            span,
            namespace: namespace?,
            ingress_namespace: ingress?,
            workloads: workloads?,
        })
    }

    /// A Kubernetes namespace: an RFC 1123 label (CW108).
    fn check_namespace(&mut self, s: &Spanned<String>, key: &str) -> bool {
        let v = &s.value;
        let valid = !v.is_empty()
            && v.len() <= 63
            && v.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !v.starts_with('-')
            && !v.ends_with('-');
        if !valid {
            self.push(
                Diagnostic::error("CW108", format!("`{key}` {v:?} is not a valid Kubernetes namespace"))
                    .at(s.span, "invalid namespace")
                    .with_help("a namespace is 1-63 lowercase letters, digits and `-`, starting and ending with a letter or digit"),
            );
        }
        valid
    }

    fn access(&mut self, root: &Table) -> BTreeMap<Tier, Spanned<Bastion>> {
        let mut out = BTreeMap::new();
        let Some((t, _)) = self.table(root, "access") else {
            return out;
        };
        let ctx = "[access]";
        for e in &t.entries {
            let Some(tier) = Tier::from_word(&e.key) else {
                let mut d = Diagnostic::error("CW101", format!("unknown key `{}` in [access]: keys are tiers", e.key))
                    .at(e.key_span, "not a tier");
                let h = format!("tiers: {}", Tier::WORDS.join(", "));
                d = match did_you_mean(&e.key, Tier::WORDS.iter().copied()) {
                    Some(dym) => d.with_help(format!("{dym} ({h})")),
                    None => d.with_help(h),
                };
                self.push(d);
                continue;
            };
            let Value::Str(v) = &e.node.value else {
                self.type_error(&e.key, ctx, "a string (an access strategy)", &e.node);
                continue;
            };
            let strategies: Vec<&str> = Bastion::WORDS.iter().copied().filter(|w| *w != "hybrid").collect();
            match Bastion::from_word(v) {
                Some(b) if b != Bastion::Hybrid => {
                    out.insert(tier, Spanned::new(b, e.node.span));
                }
                _ => {
                    let mut d = Diagnostic::error(
                        "CW111",
                        format!(
                            "{v:?} is not an access strategy for tier `{}` in [access]: expected one of {}",
                            e.key,
                            strategies.join(", ")
                        ),
                    )
                    .at(e.node.span, "not an access strategy");
                    if let Some(h) = did_you_mean(v, strategies.iter().copied()) {
                        d = d.with_help(h);
                    }
                    self.push(d);
                }
            }
        }
        out
    }

    /// `[egress_filtering]`; absent values default with the table's span (or `default_span`).
    fn egress_filtering(&mut self, root: &Table, default_span: Span) -> EgressFiltering {
        let table = self.table(root, "egress_filtering");
        let span = table.map(|(_, s)| s);
        let at = span.unwrap_or(default_span);
        let empty = Table::default();
        let t = table.map(|(t, _)| t).unwrap_or(&empty);
        let ctx = "[egress_filtering]";
        self.check_keys(t, EGRESS_FILTERING_KEYS, ctx);
        let mode = self.word::<EgressMode>(t, "mode", ctx).ok().flatten();
        let days = self.int_in(t, "log_retention_days", ctx, RETENTION_DAYS).ok().flatten();
        EgressFiltering {
            span,
            mode: mode.unwrap_or(Spanned::new(EgressMode::Firewall, at)),
            log_retention_days: days.unwrap_or(Spanned::new(365, at)),
        }
    }

    /// `[flow_logs]`; `enabled` defaults to whether a compliance scope expects flow logs.
    fn flow_logs(&mut self, root: &Table, deployment: Option<&Deployment>, default_span: Span) -> FlowLogs {
        let table = self.table(root, "flow_logs");
        let span = table.map(|(_, s)| s);
        let at = span.unwrap_or(default_span);
        let empty = Table::default();
        let t = table.map(|(t, _)| t).unwrap_or(&empty);
        let ctx = "[flow_logs]";
        self.check_keys(t, FLOW_LOGS_KEYS, ctx);
        let enabled = self.boolean(t, "enabled", ctx).ok().flatten();
        let destination = self.word::<FlowLogDestination>(t, "destination", ctx).ok().flatten();
        let days = self.int_in(t, "retention_days", ctx, RETENTION_DAYS).ok().flatten();
        let traffic = self.word::<FlowLogTraffic>(t, "traffic", ctx).ok().flatten();
        let enabled = enabled.unwrap_or_else(|| {
            let scope = deployment.and_then(|d| d.compliance.iter().find(|c| c.value.wants_flow_logs()));
            match scope {
                Some(c) => Spanned::new(true, c.span),
                None => Spanned::new(false, at),
            }
        });
        FlowLogs {
            span,
            enabled,
            destination: destination.unwrap_or(Spanned::new(FlowLogDestination::Logs, at)),
            retention_days: days.unwrap_or(Spanned::new(365, at)),
            traffic: traffic.unwrap_or(Spanned::new(FlowLogTraffic::All, at)),
        }
    }

    /// `[session_logging]`.
    fn session_logging(&mut self, root: &Table, default_span: Span) -> SessionLogging {
        let table = self.table(root, "session_logging");
        let span = table.map(|(_, s)| s);
        let at = span.unwrap_or(default_span);
        let empty = Table::default();
        let t = table.map(|(t, _)| t).unwrap_or(&empty);
        let ctx = "[session_logging]";
        self.check_keys(t, SESSION_LOGGING_KEYS, ctx);
        let idle = self.int_in(t, "idle_timeout_minutes", ctx, IDLE_TIMEOUT_MINUTES).ok().flatten();
        let days = self.int_in(t, "retention_days", ctx, RETENTION_DAYS).ok().flatten();
        SessionLogging {
            span,
            idle_timeout_minutes: idle.unwrap_or(Spanned::new(20, at)),
            retention_days: days.unwrap_or(Spanned::new(365, at)),
        }
    }

    /// `[vpn]`: required when VPN access is used (CW103 at the `bastion` value), refused
    /// otherwise (CW111). `deployment` is `None` when it (or `[access]`) did not decode:
    /// the use of VPN is then unknown and only the table's own fields are checked.
    fn vpn(
        &mut self,
        root: &Table,
        deployment: Option<&Deployment>,
        access: &BTreeMap<Tier, Spanned<Bastion>>,
    ) -> Option<Vpn> {
        // (bastion value, the [access] entry that chose vpn-only under hybrid)
        // hybrid without [access] is reported on its own: whether VPN is used is unknown
        let hybrid_unknown = access.is_empty()
            && deployment.is_some_and(|d| d.bastion.as_ref().is_some_and(|b| b.value == Bastion::Hybrid));
        let deployment = deployment.filter(|_| !hybrid_unknown);
        let used: Option<VpnUse> = deployment.map(|d| match &d.bastion {
            Some(b) if b.value == Bastion::VpnOnly => Some((b.span, None)),
            Some(b) if b.value == Bastion::Hybrid => access
                .iter()
                .find(|(_, v)| v.value == Bastion::VpnOnly)
                .map(|(tier, v)| (b.span, Some((*tier, v.span)))),
            _ => None,
        });
        let table = self.table(root, "vpn");
        let ctx = "[vpn]";
        let Some((t, span)) = table else {
            if let Some(Some((b, tier))) = used {
                self.vpn_missing(b, tier, None);
            }
            return None;
        };
        self.check_keys(t, VPN_KEYS, ctx);
        let split = self.boolean(t, "split_tunnel", ctx);
        let cidr = match self.string(t, "client_cidr", ctx) {
            Ok(Some(c)) => match parse_net(&c.value) {
                Ok(net) => {
                    let p = net.prefix_len();
                    let problem = match net {
                        IpNet::V4(_) if !VPN_CLIENT_PREFIX_V4.contains(&p) => Some(format!(
                            "is a /{p}: an IPv4 client pool must be from /{} (largest) to /{} (smallest)",
                            VPN_CLIENT_PREFIX_V4.start(),
                            VPN_CLIENT_PREFIX_V4.end()
                        )),
                        IpNet::V6(_) if p == 0 => Some("is /0: the whole address space cannot be a client pool".into()),
                        _ => None,
                    };
                    match problem {
                        Some(why) => {
                            self.push(
                                Diagnostic::error("CW106", format!("client_cidr {:?} in [vpn] {why}", c.value))
                                    .at(c.span, "client pool size out of range")
                                    .with_help("managed client VPNs hand out addresses from a /12 to /22 pool, e.g. \"10.100.0.0/22\"; it must not overlap the network or routes clients need"),
                            );
                            Err(())
                        }
                        None => Ok(Some(Spanned::new(net, c.span))),
                    }
                }
                Err((msg, help)) => {
                    let mut d = Diagnostic::error("CW106", format!("{msg} (`client_cidr` in [vpn])")).at(c.span, "invalid address");
                    if let Some(h) = help {
                        d = d.with_help(h);
                    }
                    self.push(d);
                    Err(())
                }
            },
            Ok(None) => Ok(None),
            Err(()) => Err(()),
        };
        match used {
            // VPN not used: the table has no effect
            Some(None) => {
                let at = t.entries.first().map(|e| e.node.span).unwrap_or(span);
                let mut d = Diagnostic::error(
                    "CW111",
                    "a [vpn] table is only used with VPN access (bastion = \"vpn-only\", or a `vpn-only` tier under bastion = \"hybrid\")",
                )
                .at(at, "VPN settings given here")
                .with_help("remove [vpn], or choose VPN access for the tiers that need it");
                if let Some(b) = deployment.and_then(|d| d.bastion.as_ref()) {
                    d = d.at(b.span, format!("bastion is `{}`", b.value));
                }
                self.push(d);
                None
            }
            Some(Some((b, tier))) => {
                let cidr = cidr.ok()?;
                if cidr.is_none() {
                    self.vpn_missing(b, tier, Some(span));
                }
                Some(Vpn {
                    span,
                    client_cidr: cidr?,
                    split_tunnel: split.ok()?.unwrap_or(Spanned::new(true, span)),
                })
            }
            // unknown (the deployment did not decode): fields checked, nothing returned
            None => None,
        }
    }

    fn vpn_missing(&mut self, bastion: Span, tier: Option<(Tier, Span)>, table: Option<Span>) {
        let mut d = Diagnostic::error(
            "CW103",
            "VPN access is used but [vpn] names no `client_cidr` (the address pool of VPN clients)",
        )
        .at(bastion, "VPN access chosen here");
        if let Some((tier, s)) = tier {
            d = d.at(s, format!("the `{tier}` tier uses vpn-only"));
        }
        if let Some(s) = table {
            d = d.at(s, "[vpn] without `client_cidr`");
        }
        self.push(d.with_help("add\n[vpn]\nclient_cidr = \"10.100.0.0/22\"   # /12 to /22, outside the network's own ranges"));
    }

    fn hosts(&mut self, root: &Table) -> BTreeMap<String, Spanned<Vec<Spanned<IpNet>>>> {
        let mut out = BTreeMap::new();
        let Some((t, _)) = self.table(root, "hosts") else {
            return out;
        };
        let ctx = "[hosts]";
        for e in &t.entries {
            let key = Spanned::new(e.key.clone(), e.key_span);
            let known = self.workload_ref(&key, "hosts", ctx);
            let Value::Array(items) = &e.node.value else {
                self.type_error(&e.key, ctx, "an array of IP addresses or CIDRs", &e.node);
                continue;
            };
            let ctx_w = format!("[hosts] `{}`", e.key);
            if let Ok(nets) = self.net_items(items, &e.key, &ctx_w) {
                if known {
                    out.insert(e.key.clone(), Spanned::new(nets, e.node.span));
                }
            }
        }
        out
    }
}

/// "an integer `5`": the type of a value, with the value when it is short.
fn describe_value(v: &Value) -> String {
    let shown = match v {
        Value::Str(s) => format!("{s:?}"),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => f.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Datetime(d) => d.clone(),
        Value::Null | Value::Array(_) | Value::Table(_) => return v.type_name().to_string(),
    };
    if shown.chars().count() > 40 || shown.chars().any(bad_char) {
        v.type_name().to_string()
    } else {
        format!("{} `{shown}`", v.type_name())
    }
}

/// The name with invalid characters replaced, for a "e.g." hint.
fn sanitize_name(v: &str, max: usize) -> String {
    let mut s: String = v
        .to_ascii_lowercase()
        .chars()
        .map(|c| {
            if c.is_ascii_lowercase() || c.is_ascii_digit() {
                c
            } else {
                '-'
            }
        })
        .collect();
    while s.contains("--") {
        s = s.replace("--", "-");
    }
    let s = s.trim_start_matches(|c: char| !c.is_ascii_lowercase());
    let s: String = s.chars().take(max).collect();
    s.trim_end_matches('-').to_string()
}

/// Parses a CIDR or a bare IP address (a host: /32 or /128). Refuses host bits set.
pub fn parse_net(s: &str) -> Result<IpNet, (String, Option<String>)> {
    match s.split_once('/') {
        None => match s.parse::<IpAddr>() {
            Ok(ip) => Ok(IpNet::from(ip)),
            Err(_) => Err((
                format!("{s:?} is neither an IP address nor a CIDR"),
                Some("write e.g. \"10.0.0.0/16\" or \"192.0.2.10\"".into()),
            )),
        },
        Some((addr, len)) => {
            let Ok(ip) = addr.parse::<IpAddr>() else {
                return Err((
                    format!("{s:?} is not a valid CIDR: {addr:?} is not an IP address"),
                    None,
                ));
            };
            let max = if ip.is_ipv4() { 32 } else { 128 };
            let Ok(len) = len.parse::<u8>() else {
                return Err((
                    format!("{s:?} is not a valid CIDR: the prefix length {len:?} is not a number"),
                    None,
                ));
            };
            if len > max {
                return Err((
                    format!("{s:?} is not a valid CIDR: prefix length /{len} is larger than /{max}"),
                    None,
                ));
            }
            let net = IpNet::new(ip, len).map_err(|e| (format!("{s:?} is not a valid CIDR: {e}"), None))?;
            let trunc = net.trunc();
            if trunc != net {
                return Err((
                    format!("{s:?} has host bits set: it is not the network address of a /{len}"),
                    Some(format!("did you mean `{trunc}`? (a single host is `{ip}`)")),
                ));
            }
            Ok(net)
        }
    }
}

/// Checks an egress FQDN: a host name, or `.domain` / `*.domain` for a domain and its
/// subdomains.
pub fn check_fqdn(s: &str) -> Result<(), String> {
    let host = s.strip_prefix("*.").or_else(|| s.strip_prefix('.')).unwrap_or(s);
    let host = host.strip_suffix('.').unwrap_or(host);
    if host.is_empty() {
        return Err("it is empty".into());
    }
    if host.len() > 253 {
        return Err("it is longer than 253 characters".into());
    }
    let labels: Vec<&str> = host.split('.').collect();
    if labels.len() < 2 {
        return Err(
            "it needs at least one dot (a bare name such as `localhost` is not an internet destination)".into(),
        );
    }
    for l in &labels {
        if l.is_empty() {
            return Err("it has an empty label (`..`)".into());
        }
        if l.len() > 63 {
            return Err(format!("the label `{l}` is longer than 63 characters"));
        }
        if let Some(c) = l.chars().find(|c| !(c.is_ascii_alphanumeric() || *c == '-')) {
            return Err(match c {
                '*' => "a wildcard is only allowed as the leading `*.`".into(),
                c if bad_char(c) => format!("it contains {}", describe_char(c)),
                c => format!("it contains `{c}`"),
            });
        }
        if l.starts_with('-') || l.ends_with('-') {
            return Err(format!("the label `{l}` starts or ends with `-`"));
        }
    }
    if labels.last().is_some_and(|l| l.bytes().all(|b| b.is_ascii_digit())) {
        return Err("it looks like an IP address: put addresses in `cidrs`".into());
    }
    Ok(())
}

/// An object-storage bucket name: `^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`, without `..`
/// and not shaped like an IPv4 address.
pub fn check_bucket_name(s: &str) -> Result<(), String> {
    let n = s.chars().count();
    if !(3..=63).contains(&n) {
        return Err(format!("is {n} characters long: a bucket name has 3 to 63"));
    }
    if let Some(c) = s.chars().find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '.' || *c == '-')) {
        return Err(if bad_char(c) {
            format!("contains {}", describe_char(c))
        } else {
            format!("contains `{c}`: a bucket name has only lowercase letters, digits, `.` and `-`")
        });
    }
    let alnum = |c: Option<char>| c.is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    if !alnum(s.chars().next()) || !alnum(s.chars().last()) {
        return Err("must start and end with a lowercase letter or a digit".into());
    }
    if s.contains("..") {
        return Err("contains `..`: dots must separate non-empty labels".into());
    }
    if s.parse::<std::net::Ipv4Addr>().is_ok() {
        return Err("is shaped like an IP address, which a bucket name may not be".into());
    }
    Ok(())
}

/// An endpoint action: a word of [`ENDPOINT_ACTIONS`] or `^[a-z0-9-]+:[A-Za-z*]+$`.
pub fn check_action(s: &str) -> Result<(), String> {
    if ENDPOINT_ACTIONS.contains(&s) {
        return Ok(());
    }
    let Some((prefix, action)) = s.split_once(':') else {
        return Err(format!("expected one of {} or `prefix:Action`", ENDPOINT_ACTIONS.join(", ")));
    };
    if prefix.is_empty() || !prefix.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') {
        return Err(format!("the prefix `{prefix}` must be lowercase letters, digits and `-`"));
    }
    if action.is_empty() || !action.bytes().all(|b| b.is_ascii_alphabetic() || b == b'*') {
        return Err(format!("the action `{action}` must be letters and `*` (e.g. `GetObject`, `Get*`)"));
    }
    Ok(())
}

/// A neutral service name of profile.md or `provider:service`.
fn check_service(s: &str) -> Result<(), String> {
    if ENDPOINT_SERVICES.contains(&s) {
        return Ok(());
    }
    if let Some((p, svc)) = s.split_once(':') {
        let p_ok = p.starts_with(|c: char| c.is_ascii_lowercase())
            && p.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        let s_ok = !svc.is_empty()
            && svc.starts_with(|c: char| c.is_ascii_alphanumeric())
            && svc.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._".contains(&b));
        if p_ok && s_ok {
            return Ok(());
        }
        return Err("a provider-specific name is `provider:service` (lowercase provider, service of letters, digits, `.`, `-`, `_`)".into());
    }
    Err("not a provider-neutral service name".into())
}
