//! Property tests: whatever text a profile holds, descriptions stay in the AWS set and
//! length, HCL strings stay inert, shell words round-trip, Markdown cells stay cells.

mod common;

use cloudwall_aws::{hcl as hclw, names, report, shell, Aws};
use cloudwall_core::profile::model::{Tier, WorkloadKind};
use cloudwall_core::provider::{Phase, Provider};
use proptest::prelude::*;

/// Strings rich in the characters that break things.
fn nasty() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("${var.x}".to_string()),
        Just("%{ if true }".to_string()),
        Just("$${".to_string()),
        Just("\"".to_string()),
        Just("'".to_string()),
        Just("\\".to_string()),
        Just("&".to_string()),
        Just("|".to_string()),
        Just("\n".to_string()),
        Just("\r\n".to_string()),
        Just("`rm -rf /`".to_string()),
        Just("$(id)".to_string()),
        Just("→ — – é ü 日本 🚀".to_string()),
        Just("<script>".to_string()),
        "[a-zA-Z0-9 ]{0,12}",
        any::<char>().prop_map(|c| c.to_string()),
    ];
    prop::collection::vec(piece, 0..12).prop_map(|v| v.concat())
}

fn parse_string_attr(hcl_src: &str) -> Option<String> {
    let body: hcl::Body = hcl::parse(&format!("a = {hcl_src}\n")).ok()?;
    let attr = body.attributes().next()?;
    match attr.expr() {
        hcl::Expression::String(s) => Some(s.clone()),
        hcl::Expression::TemplateExpr(t) => {
            // A template is only acceptable if evaluating it is a plain literal.
            let tpl = hcl::Template::from_expr(t).ok()?;
            let mut out = String::new();
            for el in tpl.elements() {
                match el {
                    hcl::template::Element::Literal(l) => out.push_str(l),
                    _ => return None,
                }
            }
            Some(out)
        }
        _ => None,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn aws_text_is_in_the_set_and_length(s in nasty()) {
        let t = names::aws_text(&s);
        prop_assert!(t.chars().count() <= 255);
        prop_assert!(t.chars().all(names::is_allowed_char), "{t:?}");
        prop_assert!(!t.starts_with(' ') && !t.ends_with(' ') && !t.contains("  "));
    }

    #[test]
    fn hcl_strings_are_inert(s in nasty()) {
        let lit = hclw::string(&s);
        prop_assert!(!lit.contains('\n'));
        prop_assert_eq!(parse_string_attr(&lit), Some(s));
    }

    #[test]
    fn shell_words_round_trip(s in nasty()) {
        prop_assume!(!s.contains('\0'));
        let q = shell::quote(&s);
        prop_assert_eq!(shlex::split(&q), Some(vec![s.clone()]));
        // Also when glued after other words, as in the script.
        prop_assert_eq!(shlex::split(&format!("cmd {q} x")), Some(vec!["cmd".to_string(), s, "x".to_string()]));
    }

    #[test]
    fn markdown_cells_stay_single_cells(s in nasty()) {
        let c = report::md_cell(&s);
        prop_assert!(!c.contains('\n') && !c.contains('\r'));
        let unescaped = c.char_indices().filter(|(i, ch)| *ch == '|' && !c[..*i].ends_with('\\')).count();
        prop_assert_eq!(unescaped, 0, "{}", c);
        prop_assert!(!c.contains('<'));
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// A whole policy with hostile text everywhere text can go.
    #[test]
    fn rendered_artifacts_stay_valid(summary in nasty(), purpose in nasty(), owner in nasty(), name in nasty()) {
        let mut p = common::PolicyBuilder::new(&name, "prod", Some("us-east-1"))
            .group("web", Tier::Public, Some(WorkloadKind::LoadBalancer), &summary)
            .group("app", Tier::App, Some(WorkloadKind::Containers), "app")
            .inbound(0, "internet", &["0.0.0.0/0", "::/0"], "web", "443/tcp", &purpose, &owner)
            .flow(1, "web", "app", "8080/tcp", &purpose, &owner)
            .egress(0, "app", &["203.0.113.0/24"], "all", &purpose, &owner)
            .build();
        p.rules[0].justification = Some(purpose.clone());
        let a = Aws.render(&p, Phase::ALL).unwrap();
        prop_assert_eq!(&a, &Aws.render(&p, Phase::ALL).unwrap());
        for (path, text) in a.iter().filter(|(p, _)| p.ends_with(".tf")) {
            let body = hcl::parse(text);
            prop_assert!(body.is_ok(), "{}: {:?}", path, body.err());
            // Files interpolate their own references (account, partition, region, their
            // resources); user text is escaped (`$${`) first, so nothing else may open one.
            // Comments are inert whatever they hold.
            let code: String = text
                .lines()
                .filter(|l| !l.trim_start().starts_with('#'))
                .map(|l| format!("{l}\n"))
                .collect();
            let own = code
                .replace("$${", "#")
                .replace("${data.aws_", "")
                .replace("${var.region}", "")
                .replace("${aws_", "");
            prop_assert!(!own.contains("${"), "{}", path);
            prop_assert!(!code.replace("%%{", "").contains("%{"), "{}", path);
        }
        // Descriptions in the Terraform are in the AWS set.
        let sg = &a["terraform/security_groups.tf"];
        let body = hcl::parse(sg).unwrap();
        for block in body.blocks() {
            for attr in block.body().attributes().filter(|a| a.key() == "description") {
                let d = match attr.expr() {
                    hcl::Expression::String(s) => s.clone(),
                    other => return Err(TestCaseError::fail(format!("not a plain string: {other:?}"))),
                };
                prop_assert!(!d.is_empty() && d.chars().count() <= 255);
                prop_assert!(d.chars().all(names::is_allowed_char), "{:?}", d);
            }
        }
        // The script's words all parse; the JSON in them is valid.
        let script = &a["cli/apply.sh"];
        for line in script.lines().filter(|l| l.starts_with("authorize ") || l.starts_with("revoke_egress ")) {
            let words = shlex::split(line);
            prop_assert!(words.is_some(), "{}", line);
            let words = words.unwrap();
            let json = words.last().unwrap().replace("$SG_", "sg-");
            prop_assert!(serde_json::from_str::<serde_json::Value>(&json).is_ok(), "{}", json);
        }
        // Report rows: 6 cells each.
        let report = &a["report.md"];
        for row in report.lines().filter(|l| l.starts_with("| `")) {
            let seps = row.char_indices().filter(|(i, c)| *c == '|' && !row[..*i].ends_with('\\')).count();
            prop_assert_eq!(seps, 7, "{}", row);
        }
    }
}

#[test]
fn apply_sh_with_hostile_text_passes_bash_n() {
    let s = "x'; rm -rf / #\" $(id) `id` ${HOME} %{ if } \\ & | → \n next";
    let p = common::PolicyBuilder::new(s, "prod", None)
        .group("web", Tier::Public, None, s)
        .group("app", Tier::App, None, s)
        .inbound(0, s, &["0.0.0.0/0"], "web", "443/tcp", s, s)
        .flow(1, "web", "app", "8080-8090/tcp", s, s)
        .flow(2, "app", "web", "icmp", s, s)
        .egress(0, "app", &["2001:db8::/32"], "53/udp", s, s)
        .build();
    let a = Aws.render(&p, Phase::ALL).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("apply.sh");
    std::fs::write(&f, &a["cli/apply.sh"]).unwrap();
    match std::process::Command::new("bash").arg("-n").arg(&f).output() {
        Ok(out) => assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr)),
        Err(e) => eprintln!("SKIPPED: bash not runnable: {e}"),
    }
    if std::process::Command::new("terraform").arg("version").output().is_ok() {
        for (path, text) in a.iter().filter(|(p, _)| p.ends_with(".tf")) {
            std::fs::write(dir.path().join(path.trim_start_matches("terraform/")), text).unwrap();
        }
        let out = std::process::Command::new("terraform").args(["fmt", "-check", "-diff", "-no-color"]).arg(dir.path()).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    } else {
        eprintln!("SKIPPED (fmt part): terraform is not installed");
    }
    let sg = &a["terraform/security_groups.tf"];
    assert!(sg.contains("ip_protocol                  = \"icmp\""), "{sg}");
    assert!(sg.contains("from_port                    = 8080\n  to_port                      = 8090"), "{sg}");
    assert!(sg.contains("cidr_ipv6         = \"2001:db8::/32\""), "{sg}");
}
