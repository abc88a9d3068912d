//! `cloudwall init`: the five questions (provider, topology, compliance, public exposure,
//! access) and a starter profile that passes `check`.
//!
//! Flags answer questions; the rest are asked with `inquire` on a terminal, or take the
//! documented defaults (aws, 3-tier, no compliance scope, load-balancer-only, the
//! provider's managed access) when there is no terminal.

use super::exit;
use crate::args::InitArgs;
use crate::console::Console;
use crate::providers::Registry;
use cloudwall_core::profile::{Bastion, Compliance, PublicMode, Topology};
use std::io::{IsTerminal, Write};

/// The five answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answers {
    pub provider: String,
    pub topology: Topology,
    pub compliance: Vec<Compliance>,
    pub public: PublicMode,
    /// `None`: the provider's managed access.
    pub bastion: Option<Bastion>,
}

fn word<T: Copy>(flag: &str, value: &str, from: fn(&str) -> Option<T>, words: &[&str]) -> Result<T, String> {
    from(value.trim()).ok_or_else(|| format!("--{flag} `{value}`: expected one of {}", words.join(", ")))
}

fn parse_compliance(values: &[String]) -> Result<Vec<Compliance>, String> {
    let mut out = Vec::new();
    for v in values {
        let v = v.trim();
        if v.is_empty() || v == "none" {
            continue;
        }
        let c = word("compliance", v, Compliance::from_word, Compliance::WORDS)?;
        if !out.contains(&c) {
            out.push(c);
        }
    }
    out.sort();
    Ok(out)
}

fn ask<T: Clone + std::fmt::Display>(prompt: &str, options: Vec<T>, default: usize) -> Result<T, String> {
    inquire::Select::new(prompt, options).with_starting_cursor(default).prompt().map_err(|e| e.to_string())
}

/// Resolves the answers from flags, asking for the missing ones when `interactive`.
pub fn resolve(args: &InitArgs, registry: &Registry, interactive: bool) -> Result<Answers, String> {
    let names = registry.names();
    let provider = match &args.provider {
        Some(p) => {
            registry.get(p).map_err(|e| format!("--provider: {e}"))?;
            p.clone()
        }
        None if interactive => ask("Cloud provider?", names.clone(), names.iter().position(|n| n == "aws").unwrap_or(0))?,
        None => "aws".to_string(),
    };
    let topology = match &args.topology {
        Some(t) => word("topology", t, Topology::from_word, Topology::WORDS)?,
        None if interactive => {
            ask("Topology?", Topology::ALL.to_vec(), Topology::ALL.iter().position(|t| *t == Topology::ThreeTier).unwrap_or(0))?
        }
        None => Topology::ThreeTier,
    };
    let compliance = match &args.compliance {
        Some(list) => parse_compliance(list)?,
        None if interactive => {
            let mut chosen = inquire::MultiSelect::new("Compliance scopes? (space to select, enter when done)", Compliance::ALL.to_vec())
                .prompt()
                .map_err(|e| e.to_string())?;
            chosen.sort();
            chosen
        }
        None => Vec::new(),
    };
    let public = match &args.public {
        Some(p) => word("public", p, PublicMode::from_word, PublicMode::WORDS)?,
        None if interactive => ask(
            "Public exposure?",
            PublicMode::ALL.to_vec(),
            PublicMode::ALL.iter().position(|p| *p == PublicMode::LoadBalancerOnly).unwrap_or(0),
        )?,
        None => PublicMode::LoadBalancerOnly,
    };
    let bastion = match &args.bastion {
        Some(b) if b == "default" || b == "managed" => None,
        Some(b) => Some(word("bastion", b, Bastion::from_word, Bastion::WORDS)?),
        None if interactive => {
            let mut options = vec!["the provider's managed access".to_string()];
            // other clouds' managed access does not apply to this provider
            let foreign: Vec<Bastion> = ["aws", "azure", "gcp"]
                .iter()
                .filter(|p| **p != provider)
                .filter_map(|p| managed_access(p))
                .collect();
            options.extend(Bastion::ALL.iter().filter(|b| !foreign.contains(b)).map(|b| b.as_str().to_string()));
            let pick = ask("Administrative access?", options, 0)?;
            Bastion::from_word(&pick)
        }
        None => None,
    };
    Ok(Answers { provider, topology, compliance, public, bastion })
}

/// The managed-access choice of the built-in clouds (for `hybrid`'s per-tier table).
fn managed_access(provider: &str) -> Option<Bastion> {
    match provider {
        "aws" => Some(Bastion::SsmSessionManager),
        "azure" => Some(Bastion::AzureBastion),
        "gcp" => Some(Bastion::IapTcp),
        _ => None,
    }
}

fn regions(provider: &str) -> Option<(&'static str, &'static str)> {
    match provider {
        "aws" => Some(("us-east-1", "us-west-2")),
        "azure" => Some(("eastus", "westus2")),
        "gcp" => Some(("us-central1", "us-east1")),
        _ => None,
    }
}

fn quoted(s: &str) -> String {
    // TOML basic string; every value written here is a known word, but stay safe.
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

struct W<'a> {
    name: &'a str,
    tier: &'a str,
    kind: &'a str,
}

/// The starter profile for a set of answers.
pub fn render(a: &Answers, name: &str) -> String {
    let mut t = String::new();
    t.push_str("# Network-security profile. Edit the workloads and flows to match your deployment,\n");
    t.push_str("# then run `cloudwall check` on this file. Every flow needs a purpose.\n\n");
    t.push_str("[deployment]\n");
    t.push_str(&format!("name       = {}\n", quoted(name)));
    t.push_str("env        = \"prod\"\n");
    t.push_str(&format!("provider   = {}\n", quoted(&a.provider)));
    match (a.topology, regions(&a.provider)) {
        (Topology::MultiRegion, Some((r1, r2))) => t.push_str(&format!("regions    = [{}, {}]\n", quoted(r1), quoted(r2))),
        (_, Some((r1, _))) => t.push_str(&format!("region     = {}\n", quoted(r1))),
        (_, None) => {}
    }
    t.push_str(&format!("topology   = {}\n", quoted(a.topology.as_str())));
    let scopes: Vec<String> = a.compliance.iter().map(|c| quoted(c.as_str())).collect();
    t.push_str(&format!("compliance = [{}]\n", scopes.join(", ")));
    t.push_str(&format!("public     = {}\n", quoted(a.public.as_str())));
    match a.bastion {
        Some(b) => t.push_str(&format!("bastion    = {}\n", quoted(b.as_str()))),
        None => t.push_str("# bastion: not set, so administrative access is the provider's managed access\n"),
    }
    t.push_str("owner      = \"platform team\"\n");
    t.push_str("availability_zones = 2\n");

    let public = a.public != PublicMode::None;
    let mut workloads = Vec::new();
    if public {
        workloads.push(W { name: "lb", tier: "public", kind: "load-balancer" });
    }
    let (app_kind, db_kind) = match a.topology {
        Topology::TwoTier => ("vm", "mysql"),
        _ => ("containers", "postgres"),
    };
    workloads.push(W { name: "app", tier: "app", kind: app_kind });
    workloads.push(W { name: "db", tier: "data", kind: db_kind });
    if a.topology != Topology::TwoTier {
        workloads.push(W { name: "cache", tier: "data", kind: "redis" });
    }
    for w in &workloads {
        t.push_str(&format!(
            "\n[[workload]]\nname = {}\ntier = {}\nkind = {}\n",
            quoted(w.name),
            quoted(w.tier),
            quoted(w.kind)
        ));
    }

    let mut flow = |from: &str, to: &str, ports: Option<&str>, purpose: &str| {
        t.push_str(&format!("\n[[flow]]\nfrom    = {}\nto      = {}\n", quoted(from), quoted(to)));
        if let Some(p) = ports {
            t.push_str(&format!("ports   = [{}]\n", quoted(p)));
        }
        t.push_str(&format!("purpose = {}\n", quoted(purpose)));
    };
    if public {
        flow("internet", "lb", Some("443/tcp"), "public HTTPS traffic");
        flow("lb", "app", Some("8080/tcp"), "forward requests to the application");
    }
    flow("app", "db", None, "application reads and writes");
    if a.topology != Topology::TwoTier {
        flow("app", "cache", None, "session and query cache");
    }

    if matches!(a.bastion, Some(Bastion::VpnOnly) | Some(Bastion::Hybrid)) {
        t.push_str("\n[vpn]\n");
        t.push_str("client_cidr  = \"10.100.0.0/22\"   # the VPN client pool: replace with yours\n");
        t.push_str("split_tunnel = true\n");
    }
    if a.bastion == Some(Bastion::Hybrid) {
        t.push_str("\n[access]\napp  = \"vpn-only\"\n");
        let data = managed_access(&a.provider).unwrap_or(Bastion::VpnOnly);
        t.push_str(&format!("data = {}\n", quoted(data.as_str())));
    }
    if a.topology == Topology::HubSpoke {
        let names: Vec<String> = workloads.iter().map(|w| quoted(w.name)).collect();
        t.push_str(&format!("\n[[spoke]]\nname      = \"workloads\"\nworkloads = [{}]\n", names.join(", ")));
    }
    t.push_str("\n[private_endpoints]\nservices = [\"object-storage\", \"secrets\", \"logs\"]\n");
    t
}

/// A deployment name from the file name: lowercase letters, digits and dashes.
fn name_from(path: &std::path::Path) -> String {
    let stem = path.file_stem().map(|s| s.to_string_lossy().to_lowercase()).unwrap_or_default();
    let mut name: String = stem.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
    name = name.trim_matches('-').to_string();
    if name.is_empty() || name == "cloudwall" || !name.starts_with(|c: char| c.is_ascii_lowercase()) {
        "webapp".to_string()
    } else {
        name
    }
}

pub fn run(args: &InitArgs, console: &Console, registry: &Registry) -> u8 {
    if args.output.exists() && !args.force {
        console.error(&format!("{} exists; pass --force to overwrite it", args.output.display()));
        return exit::FAILURE;
    }
    if args.output.exists() {
        console.warn(&format!("overwriting {} (--force)", args.output.display()));
    }
    let interactive = std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
    let answers = match resolve(args, registry, interactive) {
        Ok(a) => a,
        Err(e) => {
            console.error(&e);
            return exit::FAILURE;
        }
    };
    let text = render(&answers, &name_from(&args.output));
    if let Some(parent) = args.output.parent().filter(|p| !p.as_os_str().is_empty()) {
        if let Err(e) = std::fs::create_dir_all(parent) {
            console.error(&format!("{}: {e}", parent.display()));
            return exit::FAILURE;
        }
    }
    let mut open = std::fs::OpenOptions::new();
    open.write(true);
    if args.force {
        open.create(true).truncate(true);
    } else {
        open.create_new(true);
    }
    let written = open.open(&args.output).and_then(|mut f| f.write_all(text.as_bytes()));
    if let Err(e) = written {
        console.error(&format!("{}: {e}", args.output.display()));
        return exit::FAILURE;
    }
    console.success(&format!("wrote {}", args.output.display()));
    console.info(&format!("next: edit it, then `cloudwall check {}`", args.output.display()));
    exit::OK
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args() -> InitArgs {
        InitArgs {
            output: "x.toml".into(),
            provider: None,
            topology: None,
            compliance: None,
            public: None,
            bastion: None,
            force: false,
        }
    }

    #[test]
    fn defaults_without_a_terminal() {
        let a = resolve(&args(), &Registry::builtin(), false).unwrap();
        assert_eq!(
            a,
            Answers {
                provider: "aws".into(),
                topology: Topology::ThreeTier,
                compliance: vec![],
                public: PublicMode::LoadBalancerOnly,
                bastion: None
            }
        );
        let text = render(&a, "webapp");
        assert!(text.contains("topology   = \"3-tier\""));
        assert!(text.contains("from    = \"internet\"\nto      = \"lb\"\nports   = [\"443/tcp\"]"));
        assert_eq!(text.matches("[[flow]]").count(), text.matches("purpose = ").count());
    }

    #[test]
    fn flags_are_validated() {
        let mut a = args();
        a.topology = Some("4-tier".into());
        assert!(resolve(&a, &Registry::builtin(), false).unwrap_err().contains("2-tier, 3-tier"));
        let mut a = args();
        a.provider = Some("awz".into());
        assert!(resolve(&a, &Registry::builtin(), false).unwrap_err().contains("aws"));
        let mut a = args();
        a.compliance = Some(vec!["soc2".into(), "hipaa".into(), "soc2".into()]);
        a.public = Some("none".into());
        a.bastion = Some("hybrid".into());
        let r = resolve(&a, &Registry::builtin(), false).unwrap();
        assert_eq!(r.compliance, vec![Compliance::Hipaa, Compliance::Soc2]);
        let text = render(&r, "shop");
        assert!(!text.contains("internet"), "no internet flow with public = none");
        assert!(text.contains("[access]") && text.contains("client_cidr"));
    }

    #[test]
    fn every_combination_is_valid_toml_with_a_purpose_on_every_flow() {
        for &topology in Topology::ALL {
            for &public in PublicMode::ALL {
                for bastion in std::iter::once(None).chain(Bastion::ALL.iter().copied().map(Some)) {
                    let a = Answers { provider: "aws".into(), topology, compliance: Compliance::ALL.to_vec(), public, bastion };
                    let text = render(&a, "webapp");
                    let profile = match cloudwall_core::profile::parse_str(std::path::Path::new("p.toml"), &text) {
                        Ok(p) => p,
                        Err(e) => {
                            let msgs: Vec<String> = e.diagnostics.iter().map(|d| d.headline(&e.sources)).collect();
                            panic!("{a:?}: {msgs:#?}\n{text}");
                        }
                    };
                    let policy = cloudwall_core::compile::compile(&profile);
                    let mut findings = cloudwall_core::rules::check(&profile, &policy);
                    findings.extend(cloudwall_core::Provider::check(&cloudwall_aws::Aws, &policy));
                    let errors: Vec<String> =
                        findings.iter().filter(|d| d.is_error()).map(|d| d.headline(&profile.sources)).collect();
                    assert!(errors.is_empty(), "{a:?}: {errors:#?}\n{text}");
                    let table: toml::Table = toml::from_str(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
                    let flows = table["flow"].as_array().unwrap();
                    assert!(flows.iter().all(|f| f.get("purpose").is_some()));
                    let names: Vec<&str> =
                        table["workload"].as_array().unwrap().iter().map(|w| w["name"].as_str().unwrap()).collect();
                    for f in flows {
                        for end in ["from", "to"] {
                            let v = f[end].as_str().unwrap();
                            assert!(v == "internet" || names.contains(&v), "{v} in {text}");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn names_come_from_the_file() {
        assert_eq!(name_from(std::path::Path::new("profiles/Shop_API.toml")), "shop-api");
        assert_eq!(name_from(std::path::Path::new("cloudwall.toml")), "webapp");
        assert_eq!(name_from(std::path::Path::new("9x.toml")), "webapp");
    }
}
