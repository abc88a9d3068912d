//! Escaping user text for each context it lands in: nft comments and identifiers,
//! `#` comment lines, shell words, Markdown table cells.

/// nft rejects comments longer than this many bytes.
pub const NFT_COMMENT_MAX: usize = 128;

/// Plain printable ASCII: common typographic characters transliterated, quotes and
/// backslashes replaced, every control character (newlines included) made a space,
/// anything else `?`.
pub fn ascii_line(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' | '\u{201c}' | '\u{201d}' | '\u{2018}' | '\u{2019}' | '`' => out.push('\''),
            '\\' => out.push('/'),
            '\u{2192}' => out.push_str("->"),
            '\u{2190}' => out.push_str("<-"),
            '\u{2013}' | '\u{2014}' | '\u{2212}' => out.push('-'),
            '\u{2026}' => out.push_str("..."),
            c if c.is_whitespace() || c.is_control() => out.push(' '),
            c if c.is_ascii_graphic() => out.push(c),
            _ => out.push('?'),
        }
    }
    out
}

/// The inside of an nft `comment "..."`: nft strings have no escapes, so nothing in
/// the text may end the string; at most [`NFT_COMMENT_MAX`] bytes (cut with `...`).
pub fn nft_comment(s: &str) -> String {
    let line = ascii_line(s);
    let line = line.trim();
    if line.len() <= NFT_COMMENT_MAX {
        return line.to_string();
    }
    // ASCII only, so byte and character positions agree.
    format!("{}...", line[..NFT_COMMENT_MAX - 3].trim_end())
}

/// Text for a `#` comment line (nft files and shell scripts): one line, ASCII.
pub fn hash_comment(s: &str) -> String {
    ascii_line(s).trim().to_string()
}

/// An nft identifier (table, set names): letters, digits, `_` and `-`, starting with
/// a letter.
pub fn nft_ident(s: &str) -> String {
    let mut out: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    if !out.starts_with(|c: char| c.is_ascii_alphabetic()) {
        out.insert_str(0, "x_");
    }
    out
}

/// A set-name fragment: like [`nft_ident`] without `-`.
pub fn set_fragment(s: &str) -> String {
    nft_ident(s).replace('-', "_")
}

/// One shell word, single-quoted.
pub fn sh_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// A file name from a workload id: the id when it is already a safe name.
pub fn file_stem(s: &str) -> String {
    let stem: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if stem.is_empty() || stem.starts_with('-') {
        format!("w{stem}")
    } else {
        stem
    }
}

/// A Markdown table cell: one line, pipes and Markdown punctuation escaped.
pub fn md_cell(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\n' | '\r' | '\t' => out.push(' '),
            '|' | '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '~' | '&' => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_cannot_break_out() {
        let c = nft_comment("a\" accept; drop \\ \n table inet x { }");
        assert!(
            !c.contains('"') && !c.contains('\n') && !c.contains('\\'),
            "{c}"
        );
        assert_eq!(nft_comment("web → api – “x”"), "web -> api - 'x'");
        let long = nft_comment(&"é".repeat(300));
        assert_eq!(long.len(), NFT_COMMENT_MAX);
        assert!(long.ends_with("..."));
        assert!(
            nft_comment(&"a".repeat(128)).len() == 128
                && !nft_comment(&"a".repeat(128)).ends_with("...")
        );
    }

    #[test]
    fn identifiers_words_and_cells() {
        assert_eq!(nft_ident("prod-app-api-fw"), "prod-app-api-fw");
        assert_eq!(nft_ident("9 lives;x"), "x_9_lives_x");
        assert_eq!(set_fragment("my-db"), "my_db");
        assert_eq!(sh_quote("it's $(x)"), r"'it'\''s $(x)'");
        assert_eq!(file_stem("../x"), "___x");
        assert_eq!(md_cell("a|b\nc*"), r"a\|b c\*");
    }
}
