//! AWS names and free text: security-group names, descriptions, tag values and
//! Terraform/shell identifiers, brought into the character sets AWS accepts.
//!
//! AWS rule descriptions accept `[A-Za-z0-9 ._\-:/()#,@\[\]+=;{}!$*]` (no `&`: the
//! group-pair variant refuses it) and at most 255 characters; group names and group
//! descriptions accept the same set. Everything else is transliterated.

use cloudwall_core::policy::{Description, Group};

/// Longest security-group name, group description and rule description AWS accepts.
pub const MAX_TEXT: usize = 255;

/// Is `c` in the character set of AWS rule descriptions (without `&`)?
pub fn is_allowed_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || " ._-:/()#,@[]+=;{}!$*".contains(c)
}

/// An ASCII replacement for a character outside the allowed set ("" drops it).
fn transliterate(c: char) -> &'static str {
    match c {
        '&' => " and ",
        '→' | '⟶' | '➔' | '⇒' => " to ",
        '←' | '⇐' => " from ",
        '—' | '–' | '‐' | '‑' | '‒' | '−' => "-",
        '"' | '\'' | '`' | '‘' | '’' | '“' | '”' | '«' | '»' => "",
        '<' | '>' => " ",
        '|' => "/",
        '\\' => "/",
        '%' => " percent",
        '?' => "",
        '~' => "-",
        '^' => "",
        '…' => "...",
        '·' | '•' => "-",
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' => "a",
        'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' | 'Ā' => "A",
        'ç' | 'č' | 'ć' => "c",
        'Ç' | 'Č' | 'Ć' => "C",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ę' => "e",
        'È' | 'É' | 'Ê' | 'Ë' | 'Ē' | 'Ę' => "E",
        'ì' | 'í' | 'î' | 'ï' => "i",
        'Ì' | 'Í' | 'Î' | 'Ï' => "I",
        'ñ' | 'ń' => "n",
        'Ñ' | 'Ń' => "N",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' => "o",
        'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' | 'Ō' => "O",
        'ù' | 'ú' | 'û' | 'ü' | 'ū' => "u",
        'Ù' | 'Ú' | 'Û' | 'Ü' | 'Ū' => "U",
        'ý' | 'ÿ' => "y",
        'Ý' => "Y",
        'ß' => "ss",
        'æ' => "ae",
        'Æ' => "AE",
        'œ' => "oe",
        'Œ' => "OE",
        'ł' => "l",
        'Ł' => "L",
        'š' | 'ś' => "s",
        'Š' | 'Ś' => "S",
        'ž' | 'ź' | 'ż' => "z",
        'Ž' | 'Ź' | 'Ż' => "Z",
        _ => " ",
    }
}

/// `text` in the AWS description set: transliterated, spaces collapsed, trimmed and
/// truncated to 255 characters. Never empty when `text` has a letter or digit.
///
/// `>` is outside the set, so the arrow of the description template (`->`, `=>`, `→`)
/// becomes the word `to`.
pub fn aws_text(text: &str) -> String {
    truncate(&aws_text_whole(text), MAX_TEXT).trim_end().to_string()
}

/// [`aws_text`] without the length limit.
fn aws_text_whole(text: &str) -> String {
    let text = text.replace("->", " to ").replace("=>", " to ").replace("<-", " from ");
    let mut mapped = String::with_capacity(text.len());
    for c in text.chars() {
        if is_allowed_char(c) {
            mapped.push(c);
        } else {
            mapped.push_str(transliterate(c));
        }
    }
    let mut out = String::with_capacity(mapped.len());
    for word in mapped.split(' ').filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// A rule's description in the AWS set and length. When the template is too long, the
/// purpose is shortened (ending in `...`), never the ends, the ports or the owner: the
/// description keeps saying who owns the rule.
pub fn rule_description(d: &Description) -> String {
    let whole = aws_text_whole(&d.text());
    let mut over = whole.chars().count().saturating_sub(MAX_TEXT);
    if over == 0 {
        return whole;
    }
    let purpose: Vec<char> = d.purpose.chars().collect();
    loop {
        let keep = purpose.len().saturating_sub(over + 3);
        if keep == 0 {
            return aws_text(&d.text());
        }
        let short: String = purpose[..keep].iter().collect::<String>().trim_end().to_string() + "...";
        let text = aws_text_whole(&Description { purpose: short, ..d.clone() }.text());
        let n = text.chars().count();
        if n <= MAX_TEXT {
            return text;
        }
        over += n - MAX_TEXT;
    }
}

/// The first `max` characters of `s` (all ASCII here, but cut on a char boundary anyway).
pub fn truncate(s: &str, max: usize) -> &str {
    match s.char_indices().nth(max) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// The description of a group: its summary, or a sentence built from its name.
pub fn group_description(group: &Group) -> String {
    let d = aws_text(&group.summary);
    if d.is_empty() {
        aws_text(&format!("{} tier security group for {}", group.tier, group.id))
    } else {
        d
    }
}

/// The security-group name of a Policy group, before any check: `{group.name}-sg`.
pub fn raw_group_name(group: &Group) -> String {
    format!("{}-sg", group.name)
}

/// Why an AWS security-group name would be refused, if it would.
pub fn group_name_problem(name: &str) -> Option<String> {
    if name.is_empty() {
        return Some("the name is empty".into());
    }
    if name.to_ascii_lowercase().starts_with("sg-") {
        return Some(format!("`{name}` starts with `sg-`, which AWS reserves for group ids"));
    }
    let len = name.chars().count();
    if len > MAX_TEXT {
        return Some(format!("the name has {len} characters; AWS accepts at most {MAX_TEXT}"));
    }
    if let Some(c) = name.chars().find(|c| !(is_allowed_char(*c) || *c == '&')) {
        return Some(format!("`{name}` contains {c:?}, outside the characters AWS accepts in group names"));
    }
    None
}

/// The security-group name used in the artifacts: `{group.name}-sg`, or an error saying
/// why AWS would refuse it.
pub fn group_name(group: &Group) -> Result<String, String> {
    let name = raw_group_name(group);
    match group_name_problem(&name) {
        Some(p) => Err(format!("group `{}`: {p}", group.id)),
        None => Ok(name),
    }
}

/// A tag value in the set AWS allows everywhere (`letters digits space _ . : / = + - @`).
pub fn tag_value(s: &str) -> String {
    let v: String = s
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || " _.:/=+-@".contains(c) { c } else { '-' })
        .collect();
    truncate(&v, 256).to_string()
}

/// A Terraform identifier (resource or output name) for a Policy id: letters, digits,
/// `_` and `-`, starting with a letter or `_`.
pub fn tf_ident(id: &str) -> String {
    let mut s: String =
        id.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' || c == '-' { c } else { '_' }).collect();
    if !s.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        s.insert(0, '_');
    }
    s
}

/// A shell variable name fragment: `[A-Z0-9_]`, upper case.
pub fn shell_ident(id: &str) -> String {
    id.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_uppercase() } else { '_' }).collect()
}

/// `My App_2` -> `my-app-2`: lower-case letters, digits and single dashes.
pub fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        let c = if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' };
        if !(c == '-' && (out.is_empty() || out.ends_with('-'))) {
            out.push(c);
        }
    }
    out.trim_end_matches('-').to_string()
}

/// `{env}-{deployment name}` as a slug of at most 40 characters: the stem of the names of
/// account-wide resources (IAM, KMS aliases, log groups, the egress firewall), which two
/// deployments of one account must not share.
pub fn deployment_base(policy: &cloudwall_core::policy::Policy) -> String {
    let env = slug(&policy.deployment.env);
    let name = slug(&policy.deployment.name);
    truncate(&format!("{env}-{name}"), 40).trim_end_matches('-').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transliterates_into_the_aws_set() {
        assert_eq!(aws_text("ops & web → db — \"quoted\""), "ops and web to db - quoted");
        assert_eq!(aws_text("a -> b : 443/tcp - x - y"), "a to b : 443/tcp - x - y");
        assert_eq!(aws_text("a<b>c"), "a b c");
        assert_eq!(aws_text("  a\n\tb  "), "a b");
        assert_eq!(aws_text("café ${x} %{y}"), "cafe ${x} percent{y}");
        assert!(aws_text(&"x".repeat(400)).len() == 255);
        assert_eq!(aws_text("日本"), "");
    }

    #[test]
    fn names_that_aws_refuses() {
        assert!(group_name_problem("sg-web").is_some());
        assert!(group_name_problem("SG-web").is_some());
        assert!(group_name_problem(&"a".repeat(256)).is_some());
        assert!(group_name_problem("prod-app-ecs-sg").is_none());
        assert!(group_name_problem("prod app\"x").is_some());
    }

    #[test]
    fn identifiers() {
        assert_eq!(tf_ident("web-1"), "web-1");
        assert_eq!(tf_ident("1web"), "_1web");
        assert_eq!(tf_ident("a.b"), "a_b");
        assert_eq!(shell_ident("web-1"), "WEB_1");
    }
}
