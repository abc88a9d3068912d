//! `deployment.topology = "multi-region"`: the whole AWS output once per region, composed.
//!
//! Each region gets the full set of controls rendered from its one-region view of the
//! Policy ([`Policy::for_region`]): `terraform/regions/<region>/` (a module), `cli/regions/
//! <region>/apply.sh`, `verify/regions/<region>/verify.sh` and the other files under
//! `<folder>/regions/<region>/`. The root `terraform/main.tf` configures one `aws` provider
//! per region and calls each module with it; the root `cli/apply.sh` and `verify/verify.sh`
//! run each region's script with that region's inputs (`NAME_<REGION>` environment
//! variables, e.g. `VPC_ID_US_EAST_1`).
//!
//! A rule of an `across_regions` flow toward a group in another region cannot reference
//! that group (security-group references do not cross regions): it becomes one rule per
//! address range of the peer region's tier, from `region_tier_cidrs` (Terraform) or
//! `PEER_CIDRS_<REGION>_<TIER>` (`apply.sh`), its description saying why.

use crate::hcl::{self, Block, Expr};
use crate::names;
use crate::plan::Plan;
use crate::shell::quote;
use crate::terraform::module::{AWS_PROVIDER_VERSION, TERRAFORM_VERSION};
use cloudwall_core::policy::{CrossRegionRule, Description, Direction, Policy};
use cloudwall_core::ports::Proto;
use cloudwall_core::provider::{Artifacts, Phase, RenderError};
use serde_json::json;
use std::fmt::Write as _;

/// `us-east-1` -> `us_east_1` (Terraform names).
pub fn region_tf(region: &str) -> String {
    names::tf_ident(region).replace('-', "_")
}

/// `us-east-1` -> `US_EAST_1` (environment variable suffixes).
pub fn region_env(region: &str) -> String {
    names::shell_ident(region)
}

/// The environment variable holding the address ranges of `tier` in `region`.
pub fn peer_cidrs_env(region: &str, tier: &str) -> String {
    format!("PEER_CIDRS_{}_{}", region_env(region), names::shell_ident(tier))
}

/// Where a one-region file goes: `terraform/x.tf` -> `terraform/regions/<r>/x.tf`,
/// `report.md` -> `regions/<r>/report.md`.
fn relocate(path: &str, region: &str) -> String {
    match path.split_once('/') {
        Some((dir, rest)) => format!("{dir}/regions/{region}/{rest}"),
        None => format!("regions/{region}/{path}"),
    }
}

/// The variable blocks of canonical HCL text: `(name, block text)`.
fn variable_blocks(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut cur: Option<(String, String)> = None;
    for line in text.lines() {
        if let Some((name, body)) = &mut cur {
            body.push_str(line);
            body.push('\n');
            if line == "}" {
                out.push((name.clone(), std::mem::take(body)));
                cur = None;
            }
        } else if let Some(rest) = line.strip_prefix("variable \"") {
            if let Some((name, _)) = rest.split_once('"') {
                cur = Some((name.to_string(), format!("{line}\n")));
            }
        }
    }
    out
}

/// `text` with every `var.NAME` reference (a whole identifier) renamed to `var.NEW`.
fn rename_var(text: &str, name: &str, new: &str) -> String {
    let pat = format!("var.{name}");
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(&pat) {
        let after = &rest[i + pat.len()..];
        let whole = !after.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        out.push_str(&rest[..i]);
        if whole {
            out.push_str("var.");
            out.push_str(new);
        } else {
            out.push_str(&pat);
        }
        rest = after;
    }
    out.push_str(rest);
    out
}

/// `versions.tf` of a region module: the pins, no provider configuration (the root passes
/// the region's provider).
fn module_versions() -> String {
    let aws = Expr::Object(vec![
        ("source".into(), Expr::str("hashicorp/aws")),
        ("version".into(), Expr::str(AWS_PROVIDER_VERSION)),
    ]);
    hcl::file(&[Block::new("terraform", &[])
        .attr("required_version", Expr::str(TERRAFORM_VERSION))
        .blank()
        .block(Block::new("required_providers", &[]).attr("aws", aws))])
}

/// The description of a cross-region rule: the template, the peer's region in the end
/// name, and why it is an address range.
fn cross_description(c: &CrossRegionRule, region: &str) -> String {
    let r = &c.rule;
    let (src, dst) = match r.direction {
        Direction::Ingress => (format!("{} in {}", r.description.source, c.peer_region), format!("{} in {region}", r.description.destination)),
        Direction::Egress => (format!("{} in {region}", r.description.source), format!("{} in {}", r.description.destination, c.peer_region)),
    };
    let purpose = format!(
        "{} (cross-region: {} tier ranges of {}, groups cannot be referenced across regions)",
        r.description.purpose, c.peer_tier, c.peer_region
    );
    names::rule_description(&Description { source: src, destination: dst, purpose, ..r.description.clone() })
}

fn proto_ports(c: &CrossRegionRule) -> (&'static str, Option<(i32, i32)>) {
    let p = c.rule.ports;
    match p.proto {
        Proto::Tcp => ("tcp", Some((i32::from(p.from), i32::from(p.to)))),
        Proto::Udp => ("udp", Some((i32::from(p.from), i32::from(p.to)))),
        Proto::Icmp => ("icmp", Some((-1, -1))),
        Proto::All => ("-1", None),
    }
}

/// `terraform/cross_region.tf` of one region, and its `apply.sh` fragment.
fn cross_region(plan: &Plan<'_>, cross: &[CrossRegionRule], region: &str) -> (String, String) {
    let mut blocks = vec![Block::new("variable", &["peer_region_cidrs"])
        .attr(
            "description",
            Expr::str("Region -> tier -> IPv4 CIDRs of that tier's subnets, for the rules of cross-region flows (security groups cannot be referenced across regions)."),
        )
        .attr("type", Expr::raw("map(map(list(string)))"))];
    let mut script = String::from("\n# Cross-region flows: the peer region's tier ranges (groups cannot be referenced across regions).\n");
    script.push_str(
        "# authorize_cidrs ingress|egress GROUP_ID CIDRS JSON_BEFORE JSON_AFTER: one rule per IPv4 CIDR.\n\
         authorize_cidrs() {\n  local cidr\n  for cidr in $3; do\n    \
         [[ \"$cidr\" =~ ^[0-9]{1,3}(\\.[0-9]{1,3}){3}/[0-9]{1,2}$ ]] || { echo \"apply.sh: '$cidr' is not an IPv4 CIDR\" >&2; return 1; }\n    \
         authorize \"$1\" \"$2\" \"$4$cidr$5\"\n  done\n}\n",
    );
    let mut used = std::collections::BTreeSet::new();
    for c in cross {
        let Some(g) = plan.groups.iter().find(|g| g.group.id == c.rule.group) else { continue };
        let mut tf = format!("{}_{}", names::tf_ident(&c.rule.id), region_tf(&c.peer_region));
        while !used.insert(tf.clone()) {
            tf.push('_');
        }
        let (protocol, ports) = proto_ports(c);
        let description = cross_description(c, region);
        let kind = match c.rule.direction {
            Direction::Ingress => "aws_vpc_security_group_ingress_rule",
            Direction::Egress => "aws_vpc_security_group_egress_rule",
        };
        let mut b = Block::new("resource", &[kind, &tf])
            .attr(
                "for_each",
                Expr::raw(format!("toset(var.peer_region_cidrs[{}][{}])", hcl::string(&c.peer_region), hcl::string(c.peer_tier.as_str()))),
            )
            .blank()
            .attr("security_group_id", Expr::raw(format!("aws_security_group.{}.id", g.tf)))
            .attr("cidr_ipv4", Expr::raw("each.value"))
            .attr("ip_protocol", Expr::str(protocol));
        if let Some((from, to)) = ports {
            b = b.attr("from_port", Expr::num(from)).attr("to_port", Expr::num(to));
        }
        blocks.push(b.attr("description", Expr::str(&description)));

        let env = peer_cidrs_env(&c.peer_region, c.peer_tier.as_str());
        let mut perm = serde_json::Map::new();
        perm.insert("IpProtocol".into(), json!(protocol));
        if let Some((from, to)) = ports {
            perm.insert("FromPort".into(), json!(from));
            perm.insert("ToPort".into(), json!(to));
        }
        perm.insert("IpRanges".into(), json!([{ "CidrIp": "\u{0}", "Description": description }]));
        let text = serde_json::Value::Array(vec![serde_json::Value::Object(perm)]).to_string();
        let (before, after) = text.split_once("\\u0000").expect("marker");
        let word = match c.rule.direction {
            Direction::Ingress => "ingress",
            Direction::Egress => "egress",
        };
        let _ = writeln!(
            script,
            ": \"${{{env}:?apply.sh: set {env} to the {} tier CIDRs of {} (space-separated), for cross-region flows}}\"\n\
             authorize_cidrs {word} \"${}\" \"${env}\" {} {}",
            c.peer_tier,
            c.peer_region,
            g.var,
            quote(before),
            quote(after)
        );
    }
    (hcl::file(&blocks), script)
}

/// The root `terraform/main.tf` and `terraform/variables.tf`.
fn root_terraform(policy: &Policy, module_vars: &[(String, Vec<(String, String)>)]) -> (String, String) {
    let aws = Expr::Object(vec![
        ("source".into(), Expr::str("hashicorp/aws")),
        ("version".into(), Expr::str(AWS_PROVIDER_VERSION)),
    ]);
    let mut main = vec![Block::new("terraform", &[])
        .attr("required_version", Expr::str(TERRAFORM_VERSION))
        .blank()
        .block(Block::new("required_providers", &[]).attr("aws", aws))];
    let mut vars = String::new();
    vars.push_str(&hcl::file(&[
        Block::new("variable", &["region_tier_cidrs"])
            .attr(
                "description",
                Expr::str("Region -> tier -> IPv4 CIDRs of that tier's subnets: the peers of cross-region flows, which cannot reference a security group in another region."),
            )
            .attr("type", Expr::raw("map(map(list(string)))"))
            .attr("default", Expr::raw("{}")),
        Block::new("variable", &["tags"])
            .attr("description", Expr::str("Tags added to every resource."))
            .attr("type", Expr::raw("map(string)"))
            .attr("default", Expr::raw("{}")),
    ]));
    for (region, blocks) in module_vars {
        let rt = region_tf(region);
        main.push(Block::new("provider", &["aws"]).attr("alias", Expr::str(&rt)).attr("region", Expr::str(region)));
        let mut m = Block::new("module", &[&rt])
            .attr("source", Expr::str(&format!("./regions/{region}")))
            .attr("providers", Expr::Object(vec![("aws".into(), Expr::raw(format!("aws.{rt}")))]))
            .blank()
            .attr("region", Expr::str(region))
            .attr("tags", Expr::raw("var.tags"))
            .attr("peer_region_cidrs", Expr::raw("var.region_tier_cidrs"));
        for (name, block) in blocks {
            if matches!(name.as_str(), "region" | "tags" | "peer_region_cidrs") {
                continue;
            }
            let new = format!("{rt}_{name}");
            let text = rename_var(&block.replacen(&format!("variable \"{name}\""), &format!("variable \"{new}\""), 1), name, &new);
            vars.push('\n');
            vars.push_str(&text);
            m = m.attr(name, Expr::raw(format!("var.{new}")));
        }
        main.push(m);
        main.push(
            Block::new("output", &[&format!("{rt}_security_group_ids")])
                .attr("description", Expr::str(&format!("Security-group ids in {region}, by workload.")))
                .attr("value", Expr::raw(format!("module.{rt}.security_group_ids"))),
        );
    }
    let _ = policy;
    (hcl::file(&main), vars)
}

/// A root script that runs each region's script with the region's inputs.
fn root_script(policy: &Policy, every: bool, file: &str, what: &str) -> String {
    let d = &policy.deployment;
    let mut s = String::from("#!/usr/bin/env bash\n");
    let _ = writeln!(s, "# {what} of {} ({}), region by region.", names::aws_text(&d.name), names::aws_text(&d.env));
    s.push_str(
        "# Inputs: the one-region inputs suffixed with the region (VPC_ID_US_EAST_1, APP_SUBNET_IDS_US_EAST_1...);\n\
         # each region's script gets them without the suffix, and AWS_REGION set to its region.\n\
         # PEER_CIDRS_<REGION>_<TIER>: the tier CIDRs of a region, for cross-region flows.\n\
         set -euo pipefail\n\
         here=\"$(cd \"$(dirname \"${BASH_SOURCE[0]}\")\" && pwd)\"\n\
         status=0\n\
         # run_region REGION SUFFIX\n\
         run_region() {\n  (\n    local name\n    unset VPC_ID\n    while IFS= read -r name; do\n      \
         case \"$name\" in\n        *_\"$2\") export \"${name%_\"$2\"}=${!name}\" ;;\n      esac\n    \
         done < <(compgen -e)\n    export AWS_REGION=\"$1\"\n",
    );
    let _ = writeln!(s, "    echo \"== region $1\" >&2\n    bash \"$here/regions/$1/{file}\"\n  )\n}}");
    for r in &d.regions {
        if every {
            // Verification: every region is checked; the worst status wins.
            let _ = writeln!(s, "run_region {} {} || {{ rc=$?; [ \"$rc\" -gt \"$status\" ] && status=$rc; }}", quote(r), region_env(r));
        } else {
            // Apply: stop at the first region that fails.
            let _ = writeln!(s, "run_region {} {}", quote(r), region_env(r));
        }
    }
    let _ = writeln!(s, "exit \"$status\"");
    s
}

/// Renders a multi-region Policy: every region with `render_one`, then the root files.
/// The `verify.sh` of one region with its cross-region rules expected too: the profile's
/// `expected_rules` becomes `profile_rules`, and a new `expected_rules` adds one line per
/// address range of `PEER_CIDRS_<REGION>_<TIER>` (required: without it the script cannot
/// tell these rules from drift, so it stops with status 2, "could not run").
fn verify_cross_region(script: &str, plan: &Plan<'_>, cross: &[CrossRegionRule]) -> String {
    const MARK: &str = "\n# ---- live state";
    let rules: Vec<(String, &str, &str, String, String, String)> = cross
        .iter()
        .filter_map(|c| {
            let g = plan.groups.iter().find(|g| g.group.id == c.rule.group)?;
            let (protocol, ports) = proto_ports(c);
            let (from, to) = ports.unwrap_or((-1, -1));
            let dir = if c.rule.direction == Direction::Ingress { "ingress" } else { "egress" };
            Some((g.name.clone(), dir, protocol, from.to_string(), to.to_string(), peer_cidrs_env(&c.peer_region, c.peer_tier.as_str())))
        })
        .collect();
    let (Some(at), false) = (script.find(MARK), rules.is_empty()) else {
        return script.to_string();
    };
    let mut envs: Vec<&String> = rules.iter().map(|r| &r.5).collect();
    envs.sort();
    envs.dedup();
    let mut add = String::from("\n# Cross-region flows: one rule per address range of the peer region's tier.\n");
    for env in &envs {
        let _ = writeln!(
            add,
            "if [ -z \"${{{env}:-}}\" ]; then\n  echo \"verify.sh: {env} is not set; export the peer tier's CIDRs (space-separated), as for apply.sh\" >&2\n  exit 2\nfi"
        );
    }
    add.push_str("expected_rules() {\n  profile_rules\n  local cidr\n");
    for (group, dir, protocol, from, to, env) in &rules {
        let _ = writeln!(
            add,
            "  for cidr in ${env}; do\n    printf '%s\\t%s\\t%s\\t%s\\t%s\\t%s\\n' {} {dir} {} {from} {to} \"$cidr\"\n  done",
            quote(group),
            quote(protocol)
        );
    }
    add.push_str("}\n");
    let (head, tail) = script.split_at(at);
    format!("{}{add}{tail}", head.replacen("\nexpected_rules() {\n", "\nprofile_rules() {\n", 1))
}

pub fn render(
    policy: &Policy,
    phases: &[Phase],
    render_one: impl Fn(&Policy, &[Phase]) -> Result<Artifacts, RenderError>,
) -> Result<Artifacts, RenderError> {
    let mut out = Artifacts::new();
    let mut module_vars = Vec::new();
    let mut report = String::new();
    let d = &policy.deployment;
    let _ = writeln!(report, "# Network security controls: {} ({})\n", crate::report::md_cell(&d.name), crate::report::md_cell(&d.env));
    report.push_str(
        "Topology `multi-region`: every region has its own full set of controls, rendered from the workloads that run \
         there and the flows between them. A flow with `across_regions = true` toward a workload in another region \
         cannot reference that workload's security group (references do not cross regions): it is a rule per address \
         range of the peer region's tier (`region_tier_cidrs` / `PEER_CIDRS_<REGION>_<TIER>`). A flow without \
         `across_regions` never leaves its region.\n\n",
    );
    report.push_str("| region | Terraform module | apply.sh inputs |\n|---|---|---|\n");
    for r in &d.regions {
        let _ = writeln!(report, "| `{r}` | `terraform/regions/{r}` (module `{}`) | `VPC_ID_{}`, `*_SUBNET_IDS_{}`, ... |", region_tf(r), region_env(r), region_env(r));
    }
    for region in &d.regions {
        let view = policy.for_region(region);
        let mut files = render_one(&view, phases)?;
        let prepared = crate::phases::access::prepare(&view);
        let plan = Plan::new(&prepared).map_err(|message| RenderError { provider: "aws".into(), message })?;
        let cross = policy.cross_region_rules(region);
        if phases.contains(&Phase::Groups) {
            files.insert("terraform/versions.tf".into(), module_versions());
            let (tf, script) = cross_region(&plan, &cross, region);
            files.insert("terraform/cross_region.tf".into(), tf);
            if let Some(apply) = files.get_mut("cli/apply.sh") {
                apply.push_str(&script);
                *apply = crate::cli_script::reheader(&plan, apply);
            }
            let mut vars = Vec::new();
            for (path, text) in files.iter().filter(|(p, _)| p.starts_with("terraform/") && p.ends_with(".tf")) {
                let _ = path;
                vars.extend(variable_blocks(text));
            }
            module_vars.push((region.clone(), vars));
        }
        if let Some(v) = files.get_mut("verify/verify.sh") {
            *v = verify_cross_region(v, &plan, &cross);
        }
        if let Some(mut r) = files.remove("report.md") {
            // The static-analysis section is one for the whole tree (below): checkov scans
            // the root and names a region's resources `module.<region>.T.N`.
            if let Some(at) = r.find(crate::report::WAIVERS_HEADING) {
                r.truncate(at);
            }
            let _ = writeln!(report, "\n## Region {region}\n");
            // The region's own title is replaced by the `Region` heading.
            for line in r.lines().skip_while(|l| l.starts_with("# ") || l.is_empty()) {
                if line.starts_with('#') {
                    let _ = writeln!(report, "#{line}");
                } else {
                    let _ = writeln!(report, "{line}");
                }
            }
            if !cross.is_empty() {
                let _ = writeln!(report, "\n### Cross-region rules in {region}\n\n| group | direction | ports | peer | address ranges |\n|---|---|---|---|---|");
                for c in &cross {
                    let _ = writeln!(
                        report,
                        "| `{}` | {} | {} | `{}` in {} | {} tier of {} (`{}`) |",
                        c.rule.group,
                        if c.rule.direction == Direction::Ingress { "ingress" } else { "egress" },
                        c.rule.ports,
                        crate::report::md_cell(&c.rule.peer.to_string_id()),
                        c.peer_region,
                        c.peer_tier,
                        c.peer_region,
                        peer_cidrs_env(&c.peer_region, c.peer_tier.as_str())
                    );
                }
            }
        }
        for (path, text) in files {
            out.insert(relocate(&path, region), text);
        }
    }
    if phases.contains(&Phase::Groups) {
        let (main, vars) = root_terraform(policy, &module_vars);
        out.insert("terraform/main.tf".into(), main);
        out.insert("terraform/variables.tf".into(), vars);
        out.insert("cli/apply.sh".into(), root_script(policy, false, "apply.sh", "Network security controls as aws CLI commands"));
    }
    if out.keys().any(|p| p.starts_with("verify/regions/")) {
        out.insert("verify/verify.sh".into(), root_script(policy, true, "verify.sh", "Live verification"));
    }
    if phases.contains(&Phase::Report) {
        let waivers = crate::report::waivers(out.iter().map(|(p, t)| (p.as_str(), t.as_str())));
        report.push('\n');
        report.push_str(&crate::report::waivers_section(&waivers));
        out.insert("report.md".into(), report);
    }
    Ok(out)
}

trait PeerId {
    fn to_string_id(&self) -> String;
}

impl PeerId for cloudwall_core::policy::Peer {
    fn to_string_id(&self) -> String {
        match self {
            cloudwall_core::policy::Peer::Group { id } => id.clone(),
            cloudwall_core::policy::Peer::Cidr { cidr, .. } => cidr.to_string(),
        }
    }
}
