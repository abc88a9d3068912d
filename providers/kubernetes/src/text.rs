//! Text safety: YAML scalars, YAML comments and Kubernetes names.
//!
//! Every string that comes from the Policy is written as a double-quoted YAML scalar
//! ([`quote`]) whose escapes are common to YAML 1.1 and 1.2 (libyaml, go-yaml and the
//! API server's decoder read it back unchanged), or, in a comment, with every character
//! that could end the comment line replaced ([`comment`]). Object names and annotation
//! keys are derived so that they are always valid ([`dns_label`], [`annotation_key`]).

use std::fmt::Write as _;

/// `s` as a double-quoted YAML scalar that reads back as exactly `s`.
///
/// Escaped: `"` and `\`, every C0/C1 control character, DEL, the characters YAML 1.1
/// treats as line breaks (U+0085, U+2028, U+2029), the byte-order mark, the
/// non-characters U+FFFE/U+FFFF, and the invisible or bidirectional formatting
/// characters (so that what a reviewer sees is what the cluster gets).
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if needs_escape(c) => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{85}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{FEFF}'
                | '\u{FFFE}'
                | '\u{FFFF}'
                | '\u{200B}'..='\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2066}'..='\u{2069}'
        )
}

/// `s` made safe inside a `#` comment: it cannot end the line or hide text.
pub fn comment(s: &str) -> String {
    s.chars()
        .map(|c| if needs_escape(c) { '?' } else { c })
        .collect()
}

/// Splits a possibly multi-line note into comment-safe lines.
pub fn comment_lines(s: &str) -> Vec<String> {
    s.split(['\n', '\r', '\u{85}', '\u{2028}', '\u{2029}'])
        .map(|l| comment(l.trim_end()))
        .collect()
}

/// FNV-1a, 64 bits: a stable, platform-independent digest for shortened names.
fn digest(s: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{:08x}", h >> 32)
}

/// A name that keeps `s` when valid, otherwise a cleaned prefix plus a digest of `s`
/// (so that two different inputs never share a name).
fn bounded(s: &str, allowed: impl Fn(char) -> bool, max: usize) -> String {
    let valid_ends = |t: &str| {
        t.starts_with(|c: char| c.is_ascii_alphanumeric())
            && t.ends_with(|c: char| c.is_ascii_alphanumeric())
    };
    if !s.is_empty() && s.len() <= max && s.chars().all(&allowed) && valid_ends(s) {
        return s.to_string();
    }
    let cleaned: String = s
        .chars()
        .map(|c| {
            let c = c.to_ascii_lowercase();
            if allowed(c) {
                c
            } else {
                '-'
            }
        })
        .collect();
    let tag = digest(s);
    let mut head: String = cleaned.chars().take(max - tag.len() - 1).collect();
    head = head
        .trim_matches(|c: char| !c.is_ascii_alphanumeric())
        .to_string();
    if head.is_empty() {
        format!("x-{tag}")
    } else {
        format!("{head}-{tag}")
    }
}

/// A DNS-1123 label (`[a-z0-9]([-a-z0-9]*[a-z0-9])?`, at most 63 characters): the
/// form of a NetworkPolicy's name.
pub fn dns_label(s: &str) -> String {
    bounded(
        s,
        |c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-',
        63,
    )
}

/// The name part of an annotation key (`[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?`, at
/// most 63 characters), from a rule id.
pub fn annotation_key(s: &str) -> String {
    bounded(
        s,
        |c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'),
        63,
    )
}

/// Is `s` a DNS-1123 label?
pub fn is_dns_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_escapes_what_yaml_would_read_differently() {
        assert_eq!(quote("a \"b\" \\ c"), r#""a \"b\" \\ c""#);
        assert_eq!(quote("x\u{2028}y\u{85}z"), r#""x\u2028y\u0085z""#);
        assert_eq!(quote("\u{7}\u{202E}"), r#""\u0007\u202E""#);
        assert_eq!(quote("café: #1 {&*!}"), "\"café: #1 {&*!}\"");
    }

    #[test]
    fn comments_cannot_break_lines() {
        assert_eq!(comment("a\nb\u{2028}c"), "a?b?c");
        assert_eq!(comment_lines("one\ntwo"), vec!["one", "two"]);
    }

    #[test]
    fn names_are_kept_when_valid_and_bounded_otherwise() {
        assert_eq!(dns_label("allow-ingress-ecs"), "allow-ingress-ecs");
        let long = format!("allow-ingress-{}", "a".repeat(80));
        let l = dns_label(&long);
        assert!(is_dns_label(&l) && l.len() <= 63, "{l}");
        assert_ne!(
            dns_label("allow-ingress-Web"),
            dns_label("allow-ingress-web")
        );
        assert!(is_dns_label(&dns_label("--")));
        assert_eq!(
            annotation_key("ecs_in_from_alb_8080_tcp"),
            "ecs_in_from_alb_8080_tcp"
        );
        let k = annotation_key(&"r_".repeat(40));
        assert!(k.len() <= 63 && k.ends_with(|c: char| c.is_ascii_alphanumeric()));
    }
}
