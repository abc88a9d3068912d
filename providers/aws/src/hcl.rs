//! A small HCL writer that prints blocks the way `terraform fmt` does: two-space
//! indentation, `=` aligned across consecutive one-line attributes, and string literals
//! escaped so that no user text can open an interpolation (`${`) or directive (`%{`).

/// An HCL string literal (with quotes) holding exactly `s`.
pub fn string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' | '%' if chars.peek() == Some(&'{') => {
                out.push(c);
                out.push(c);
            }
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// An expression: one line of HCL, or an object / a call spanning several lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr {
    /// Already valid HCL on one line (`var.vpc_id`, `"tcp"`, `443`).
    Raw(String),
    /// `{ key = value ... }` over several lines; keys are printed as given.
    Object(Vec<(String, Expr)>),
    /// `open` + inner + `close`, e.g. `merge(var.tags, ` `{...}` `)`.
    Wrap(String, Box<Expr>, String),
    /// `[ item, ... ]`: on one line when every item is one line, else one item a line,
    /// each followed by a comma.
    List(Vec<Expr>),
}

impl Expr {
    pub fn raw(s: impl Into<String>) -> Expr {
        Expr::Raw(s.into())
    }
    pub fn str(s: &str) -> Expr {
        Expr::Raw(string(s))
    }
    pub fn num(n: impl std::fmt::Display) -> Expr {
        Expr::Raw(n.to_string())
    }
    fn is_multiline(&self) -> bool {
        match self {
            Expr::Raw(_) => false,
            Expr::List(items) => items.iter().any(Expr::is_multiline),
            _ => true,
        }
    }
    fn write(&self, out: &mut String, indent: usize) {
        match self {
            Expr::Raw(s) => out.push_str(s),
            Expr::Object(items) => {
                out.push_str("{\n");
                write_attrs(out, indent + 2, items.iter().map(|(k, v)| (k.as_str(), v)));
                push_indent(out, indent);
                out.push('}');
            }
            Expr::Wrap(open, inner, close) => {
                out.push_str(open);
                inner.write(out, indent);
                out.push_str(close);
            }
            Expr::List(items) if !self.is_multiline() => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    item.write(out, indent);
                }
                out.push(']');
            }
            Expr::List(items) => {
                out.push_str("[\n");
                for item in items {
                    push_indent(out, indent + 2);
                    item.write(out, indent + 2);
                    out.push_str(",\n");
                }
                push_indent(out, indent);
                out.push(']');
            }
        }
    }
}

/// One item of a block body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    Attr(String, Expr),
    Block(Block),
    /// An empty line (ends an alignment run, as in `terraform fmt`).
    Blank,
    /// A `# ...` comment line (a scanner directive such as `checkov:skip=...`); the text
    /// must be one line.
    Comment(String),
}

/// A block: `type "label" ... { body }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    pub kind: String,
    pub labels: Vec<String>,
    pub body: Vec<Item>,
}

impl Block {
    pub fn new(kind: &str, labels: &[&str]) -> Block {
        Block { kind: kind.into(), labels: labels.iter().map(|l| l.to_string()).collect(), body: vec![] }
    }
    pub fn attr(mut self, key: &str, value: Expr) -> Block {
        self.body.push(Item::Attr(key.into(), value));
        self
    }
    pub fn blank(mut self) -> Block {
        self.body.push(Item::Blank);
        self
    }
    pub fn block(mut self, b: Block) -> Block {
        self.body.push(Item::Block(b));
        self
    }
    pub fn push(&mut self, item: Item) {
        self.body.push(item);
    }

    /// The block as text, at the given indentation, ending with a newline.
    pub fn render(&self, indent: usize) -> String {
        let mut out = String::new();
        self.write(&mut out, indent);
        out
    }

    fn write(&self, out: &mut String, indent: usize) {
        push_indent(out, indent);
        out.push_str(&self.kind);
        for l in &self.labels {
            out.push(' ');
            out.push_str(&string(l));
        }
        if self.body.is_empty() {
            out.push_str(" {\n");
            push_indent(out, indent);
            out.push_str("}\n");
            return;
        }
        out.push_str(" {\n");
        let mut run: Vec<(&str, &Expr)> = Vec::new();
        for item in &self.body {
            match item {
                Item::Attr(k, v) => run.push((k.as_str(), v)),
                Item::Blank => {
                    write_attrs(out, indent + 2, run.drain(..));
                    out.push('\n');
                }
                Item::Block(b) => {
                    write_attrs(out, indent + 2, run.drain(..));
                    b.write(out, indent + 2);
                }
                Item::Comment(text) => {
                    write_attrs(out, indent + 2, run.drain(..));
                    push_indent(out, indent + 2);
                    out.push_str("# ");
                    out.extend(text.chars().map(|c| if c.is_control() { ' ' } else { c }));
                    out.push('\n');
                }
            }
        }
        write_attrs(out, indent + 2, run.drain(..));
        push_indent(out, indent);
        out.push_str("}\n");
    }
}

fn push_indent(out: &mut String, n: usize) {
    out.extend(std::iter::repeat_n(' ', n));
}

/// Writes consecutive attributes with their `=` aligned; as `terraform fmt` does, a
/// multi-line value stands alone (it is aligned with neither its neighbours).
fn write_attrs<'a>(out: &mut String, indent: usize, attrs: impl IntoIterator<Item = (&'a str, &'a Expr)>) {
    let attrs: Vec<(&str, &Expr)> = attrs.into_iter().collect();
    let mut start = 0;
    while start < attrs.len() {
        let end = if attrs[start].1.is_multiline() {
            start + 1
        } else {
            let mut end = start;
            while end < attrs.len() && !attrs[end].1.is_multiline() {
                end += 1;
            }
            end
        };
        let width = attrs[start..end].iter().map(|(k, _)| k.chars().count()).max().unwrap_or(0);
        for (k, v) in &attrs[start..end] {
            push_indent(out, indent);
            out.push_str(k);
            push_indent(out, width - k.chars().count());
            out.push_str(" = ");
            v.write(out, indent);
            out.push('\n');
        }
        start = end;
    }
}

/// Blocks separated by one empty line: a whole `.tf` file.
pub fn file(blocks: &[Block]) -> String {
    blocks.iter().map(|b| b.render(0)).collect::<Vec<_>>().join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_inert() {
        assert_eq!(string("a\"b\\c"), r#""a\"b\\c""#);
        assert_eq!(string("${x} %{if} $x %x"), r#""$${x} %%{if} $x %x""#);
        assert_eq!(string("l1\nl2"), r#""l1\nl2""#);
    }

    #[test]
    fn aligns_like_fmt() {
        let b = Block::new("resource", &["a", "b"])
            .attr("name", Expr::str("x"))
            .attr("description", Expr::str("y"))
            .blank()
            .attr("tags", Expr::Object(vec![("Name".into(), Expr::str("x")), ("Tier".into(), Expr::str("app"))]));
        assert_eq!(
            b.render(0),
            "resource \"a\" \"b\" {\n  name        = \"x\"\n  description = \"y\"\n\n  tags = {\n    Name = \"x\"\n    Tier = \"app\"\n  }\n}\n"
        );
    }
}
