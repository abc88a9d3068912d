//! The span-carrying document tree shared by the TOML and JSON readers.
//!
//! Both formats are turned into the same [`Node`] tree (tables keep their keys in source
//! order, with the span of every key and value), so that `extends` merging and decoding
//! are written once. Syntax errors become `CW100` diagnostics at the exact location.

use crate::diag::Diagnostic;
use crate::source::{FileId, Span};

/// A value with the span it was read from.
#[derive(Debug, Clone)]
pub struct Node {
    pub value: Value,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub enum Value {
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    /// JSON `null`.
    Null,
    /// A TOML date/time, kept as written.
    Datetime(String),
    Array(Vec<Node>),
    Table(Table),
}

impl Value {
    /// The type name used in "expected X, found Y" messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Str(_) => "a string",
            Value::Int(_) => "an integer",
            Value::Float(_) => "a float",
            Value::Bool(_) => "a boolean",
            Value::Null => "null",
            Value::Datetime(_) => "a date-time",
            Value::Array(_) => "an array",
            Value::Table(_) => "a table",
        }
    }
}

/// One `key = value` of a table.
#[derive(Debug, Clone)]
pub struct Entry {
    pub key: String,
    pub key_span: Span,
    pub node: Node,
}

/// A table (TOML table / JSON object), keys in source order.
#[derive(Debug, Clone, Default)]
pub struct Table {
    pub entries: Vec<Entry>,
}

impl Table {
    pub fn get(&self, key: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.key == key)
    }
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Entry> {
        self.entries.iter_mut().find(|e| e.key == key)
    }
    pub fn remove(&mut self, key: &str) -> Option<Entry> {
        let i = self.entries.iter().position(|e| e.key == key)?;
        Some(self.entries.remove(i))
    }
}

/// Parses `text` (TOML, or JSON when `json`) of file `file` into a tree whose root is a
/// table. Errors are `CW100` diagnostics.
pub fn parse(file: FileId, text: &str, json: bool) -> Result<Node, Vec<Diagnostic>> {
    if json {
        parse_json(file, text)
    } else {
        parse_toml(file, text)
    }
}

// ---------------------------------------------------------------- TOML

fn parse_toml(file: FileId, text: &str) -> Result<Node, Vec<Diagnostic>> {
    use toml::de::DeTable;
    let (root, errors) = DeTable::parse_recoverable(text);
    if !errors.is_empty() {
        let mut diags = Vec::new();
        for e in errors {
            let range = e.span().unwrap_or(0..0);
            let msg = e.message().trim().to_string();
            diags.push(
                Diagnostic::error("CW100", format!("TOML syntax error: {msg}"))
                    .at(Span::new(file, range.start, range.end), msg),
            );
        }
        return Err(diags);
    }
    let span = root.span();
    let table = toml_table(file, root.into_inner());
    Ok(Node {
        value: Value::Table(table),
        span: Span::new(file, span.start, span.end.max(span.start)),
    })
}

fn toml_table(file: FileId, t: toml::de::DeTable<'_>) -> Table {
    let mut entries: Vec<Entry> = t
        .into_iter()
        .map(|(k, v)| {
            let ks = k.span();
            Entry {
                key: k.into_inner().into_owned(),
                key_span: Span::new(file, ks.start, ks.end),
                node: toml_node(file, v),
            }
        })
        .collect();
    // the map may be sorted by key: restore the order of the file
    entries.sort_by_key(|e| e.key_span.start);
    Table { entries }
}

fn toml_node(file: FileId, v: toml::Spanned<toml::de::DeValue<'_>>) -> Node {
    use toml::de::DeValue;
    let r = v.span();
    let span = Span::new(file, r.start, r.end);
    let value = match v.into_inner() {
        DeValue::String(s) => Value::Str(s.into_owned()),
        DeValue::Integer(i) => {
            let digits = i.as_str().replace('_', "");
            match i64::from_str_radix(&digits, i.radix()) {
                Ok(n) => Value::Int(n),
                // beyond i64: keep it as a float so that range checks refuse it
                Err(_) => Value::Float(f64::INFINITY),
            }
        }
        DeValue::Float(f) => Value::Float(f.as_str().replace('_', "").parse().unwrap_or(f64::NAN)),
        DeValue::Boolean(b) => Value::Bool(b),
        DeValue::Datetime(d) => Value::Datetime(d.to_string()),
        DeValue::Array(a) => Value::Array(a.into_iter().map(|x| toml_node(file, x)).collect()),
        DeValue::Table(t) => Value::Table(toml_table(file, t)),
    };
    Node { value, span }
}

// ---------------------------------------------------------------- JSON

fn parse_json(file: FileId, text: &str) -> Result<Node, Vec<Diagnostic>> {
    use jsonc_parser::{parse_to_ast, CollectOptions, CommentCollectionStrategy, ParseOptions};
    let strict = ParseOptions {
        allow_comments: false,
        allow_loose_object_property_names: false,
        allow_trailing_commas: false,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        allow_bare_decimal_point_numbers: false,
        allow_non_finite_numbers: false,
        allow_extended_string_escapes: false,
    };
    let collect = CollectOptions {
        comments: CommentCollectionStrategy::Off,
        tokens: false,
    };
    let parsed = parse_to_ast(text, &collect, &strict).map_err(|e| {
        let r = e.range();
        let kind = e.kind().to_string();
        vec![Diagnostic::error("CW100", format!("JSON syntax error: {kind}")).at(Span::new(file, r.start, r.end), kind)]
    })?;
    let Some(root) = parsed.value else {
        return Err(vec![Diagnostic::error(
            "CW100",
            "the JSON file is empty: expected an object",
        )
        .at(Span::new(file, 0, 0), "empty file")]);
    };
    let mut diags = Vec::new();
    let node = json_node(file, root, &mut diags);
    if !matches!(node.value, Value::Table(_)) {
        diags.push(
            Diagnostic::error(
                "CW100",
                format!("a JSON profile must be an object, found {}", node.value.type_name()),
            )
            .at(node.span, "expected an object here"),
        );
    }
    if diags.is_empty() {
        Ok(node)
    } else {
        Err(diags)
    }
}

fn json_node(file: FileId, v: jsonc_parser::ast::Value<'_>, diags: &mut Vec<Diagnostic>) -> Node {
    use jsonc_parser::ast::{ObjectPropName, Value as J};
    let sp = |r: jsonc_parser::common::Range| Span::new(file, r.start, r.end);
    match v {
        J::StringLit(s) => Node {
            value: Value::Str(s.value.into_owned()),
            span: sp(s.range),
        },
        J::NumberLit(n) => {
            let value = if let Ok(i) = n.value.parse::<i64>() {
                Value::Int(i)
            } else {
                Value::Float(n.value.parse().unwrap_or(f64::NAN))
            };
            Node {
                value,
                span: sp(n.range),
            }
        }
        J::BooleanLit(b) => Node {
            value: Value::Bool(b.value),
            span: sp(b.range),
        },
        J::NullKeyword(n) => Node {
            value: Value::Null,
            span: sp(n.range),
        },
        J::Array(a) => Node {
            value: Value::Array(a.elements.into_iter().map(|x| json_node(file, x, diags)).collect()),
            span: sp(a.range),
        },
        J::Object(o) => {
            let mut table = Table::default();
            for p in o.properties {
                let (key, key_span) = match p.name {
                    ObjectPropName::String(s) => (s.value.into_owned(), sp(s.range)),
                    ObjectPropName::Word(w) => (w.value.to_string(), sp(w.range)),
                };
                if let Some(prev) = table.get(&key) {
                    let prev_span = prev.key_span;
                    diags.push(
                        Diagnostic::error("CW100", format!("duplicate key `{key}` in a JSON object"))
                            .at(key_span, "duplicate key")
                            .at(prev_span, "first defined here"),
                    );
                    continue;
                }
                let node = json_node(file, p.value, diags);
                table.entries.push(Entry { key, key_span, node });
            }
            Node {
                value: Value::Table(table),
                span: sp(o.range),
            }
        }
    }
}
