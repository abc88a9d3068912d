//! Property tests: free text is accepted exactly when it has no control characters,
//! whatever the characters, in TOML and in JSON.

mod common;
use proptest::prelude::*;
use std::path::Path;

fn bad(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200B}' | '\u{FEFF}')
}

/// A TOML basic string with every character that needs it escaped.
fn toml_str(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

const PRELUDE: &str = "[deployment]\nname = \"p\"\n[[workload]]\nname = \"a\"\ntier = \"app\"\nkind = \"vm\"\n[[workload]]\nname = \"b\"\ntier = \"data\"\nkind = \"redis\"\n";

proptest! {
    #[test]
    fn purpose_is_refused_exactly_when_it_has_a_control_character(s in "\\PC{0,12}[\\x00-\\x1f\\x7f\\u{202e}]?\\PC{0,12}") {
        let text = format!("{PRELUDE}[[flow]]\nfrom = \"a\"\nto = \"b\"\npurpose = {}\n", toml_str(&s));
        let toml = cloudwall_core::profile::parse_str(Path::new("p.toml"), &text);
        let json_text = format!(
            "{{\"deployment\": {{\"name\": \"p\"}}, \"workload\": [{{\"name\": \"a\", \"tier\": \"app\", \"kind\": \"vm\"}}, {{\"name\": \"b\", \"tier\": \"data\", \"kind\": \"redis\"}}], \"flow\": [{{\"from\": \"a\", \"to\": \"b\", \"purpose\": {}}}]}}",
            serde_json::to_string(&s).unwrap()
        );
        let json = cloudwall_core::profile::parse_str(Path::new("p.json"), &json_text);
        if s.chars().any(bad) {
            let e = toml.expect_err("control character accepted in TOML");
            prop_assert_eq!(e.diagnostics.iter().map(|d| d.code).collect::<Vec<_>>(), vec!["CW108"]);
            let loc = e.diagnostics[0].location(&e.sources).unwrap();
            prop_assert_eq!((loc.line, loc.col), (14, 11));
            let e = json.expect_err("control character accepted in JSON");
            prop_assert_eq!(e.diagnostics.iter().map(|d| d.code).collect::<Vec<_>>(), vec!["CW108"]);
        } else {
            let t = toml.map_err(|e| TestCaseError::fail(e.to_string()))?;
            let j = json.map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(&t.flows[0].purpose.as_ref().unwrap().value, &s);
            prop_assert_eq!(common::summary(&t), common::summary(&j));
        }
    }

    #[test]
    fn any_port_number_is_accepted_exactly_in_1_to_65535(n in 0u32..70000) {
        let text = format!("{PRELUDE}[[flow]]\nfrom = \"a\"\nto = \"b\"\nports = [\"{n}/udp\"]\n");
        let r = cloudwall_core::profile::parse_str(Path::new("p.toml"), &text);
        if (1..=65535).contains(&n) {
            prop_assert!(r.is_ok());
        } else {
            let e = r.unwrap_err();
            prop_assert_eq!(e.diagnostics[0].code, "CW105");
            prop_assert!(e.diagnostics[0].message.contains(&n.to_string()));
        }
    }
}
