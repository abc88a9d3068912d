//! `report.md`: the architecture in words, every security-group rule in one table, the
//! groups without egress, and how the output meets the mandatory rules.

use crate::names;
use crate::plan::{Plan, SgPeer, SgRule, CLOUDFRONT_PREFIX_LIST};
use cloudwall_core::policy::{Direction, Peer};
use cloudwall_core::ports::{Proto, SENSITIVE_PORTS};
use cloudwall_core::profile::model::Tier;
use std::fmt::Write as _;

/// Text made safe for one Markdown table cell (or inline text): no line breaks, no
/// column separator, no HTML.
pub fn md_cell(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '|' => out.push_str("\\|"),
            '\\' => out.push_str("\\\\"),
            '\n' | '\r' | '\t' => out.push(' '),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '`' => out.push('\''),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out.trim().to_string()
}

pub fn code(s: &str) -> String {
    format!("`{}`", md_cell(s))
}

pub fn ports_text(r: &SgRule<'_>) -> String {
    let p = r.rule.ports;
    match p.proto {
        Proto::All => "all protocols and ports".into(),
        Proto::Icmp => format!("{} (all types)", r.protocol),
        _ if p.from == p.to => format!("{} {}", p.proto.as_str(), p.from),
        _ => format!("{} {}-{}", p.proto.as_str(), p.from, p.to),
    }
}

pub fn peer_text(plan: &Plan<'_>, r: &SgRule<'_>) -> String {
    match (r.peer, &r.rule.peer) {
        (SgPeer::Group(p), _) => code(&plan.groups[p].name),
        (SgPeer::Cidr(n), Peer::Cidr { party, .. }) => format!("{} ({})", code(&n.to_string()), md_cell(party)),
        (SgPeer::Cidr(n), _) => code(&n.to_string()),
        (SgPeer::CloudFront, _) => format!("{} (CloudFront prefix list)", code(CLOUDFRONT_PREFIX_LIST)),
        (SgPeer::EdgeLink, _) => match &plan.edge.link {
            Some(l) => format!("{} (API Gateway VPC link)", code(&l.name)),
            None => "API Gateway VPC link".into(),
        },
    }
}

fn tier_title(t: Tier) -> &'static str {
    match t {
        Tier::Public => "public",
        Tier::App => "app",
        Tier::Data => "data",
        Tier::Mgmt => "mgmt",
    }
}

/// The paths the rules open, one line per (source, destination) with its ports, as a
/// text diagram: what each group takes in (ingress), and what leaves for addresses
/// outside (egress to a CIDR). Egress to a group is the other side of that group's
/// ingress, so it is not repeated.
fn traffic_paths(plan: &Plan<'_>) -> String {
    let mut edges: Vec<(String, String, Vec<String>)> = Vec::new();
    let short = |r: &SgRule<'_>| -> String {
        let p = r.rule.ports;
        match p.proto {
            Proto::All => "all".into(),
            Proto::Icmp => r.protocol.to_string(),
            _ => p.to_string(),
        }
    };
    let outside = |r: &SgRule<'_>| -> String {
        match (r.peer, &r.rule.peer) {
            (SgPeer::Group(p), _) => plan.groups[p].name.clone(),
            (SgPeer::CloudFront, _) => "CloudFront (origin-facing prefix list)".into(),
            (SgPeer::EdgeLink, _) => plan.edge.link.as_ref().map_or_else(|| "API Gateway VPC link".into(), |l| l.name.clone()),
            _ if r.rule.peer.is_internet() => "internet".into(),
            (SgPeer::Cidr(n), Peer::Cidr { party, .. }) if !party.is_empty() && *party != n.to_string() => format!("{party} ({n})"),
            (SgPeer::Cidr(n), _) => n.to_string(),
        }
    };
    // Outside sources first, then the groups' paths in plan order.
    let mut ordered: Vec<&SgRule<'_>> = plan.rules.iter().filter(|r| !matches!(r.peer, SgPeer::Group(_))).collect();
    ordered.extend(plan.rules.iter().filter(|r| matches!(r.peer, SgPeer::Group(_))));
    for r in ordered {
        let here = plan.groups[r.group].name.clone();
        let (from, to) = match (r.rule.direction, r.peer) {
            (Direction::Ingress, _) => (outside(r), here),
            (Direction::Egress, SgPeer::Group(_)) => continue,
            (Direction::Egress, _) => (here, outside(r)),
        };
        let ports = short(r);
        match edges.iter_mut().find(|(f, t, _)| *f == from && *t == to) {
            Some((_, _, list)) if !list.contains(&ports) => list.push(ports),
            Some(_) => {}
            None => edges.push((from, to, vec![ports])),
        }
    }
    let mut s = String::from("### Traffic paths\n\n");
    if edges.is_empty() {
        s.push_str("The rules open no path.\n\n");
        return s;
    }
    s.push_str("Every path the rules open, from source to destination, with its ports (security groups are stateful: replies need no rule):\n\n```text\n");
    let width = edges.iter().map(|(f, _, _)| f.chars().count()).max().unwrap_or(0);
    for (from, to, ports) in &edges {
        let _ = writeln!(s, "{from:<width$}  --[{}]-->  {to}", ports.join(", "));
    }
    s.push_str("```\n\n");
    s
}

pub fn render(plan: &Plan<'_>) -> String {
    let p = plan.policy;
    let d = &p.deployment;
    let mut s = String::new();
    let _ = writeln!(s, "# Network security: {} ({})\n", md_cell(&d.name), md_cell(&d.env));

    // Architecture.
    s.push_str("## Architecture\n\n");
    let _ = writeln!(s, "- Region: {}", code(&plan.region));
    let _ = writeln!(s, "- Topology: {}", md_cell(d.topology.as_str()));
    let _ = writeln!(s, "- Public exposure: {}", md_cell(d.public.as_str()));
    if !d.compliance.is_empty() {
        let c: Vec<&str> = d.compliance.iter().map(|c| c.as_str()).collect();
        let _ = writeln!(s, "- Compliance scope: {}", md_cell(&c.join(", ")));
    }
    let _ = writeln!(s, "- Owner: {}", md_cell(&d.owner));
    let _ = writeln!(s, "- Security groups: {}, rules: {}\n", plan.groups.len(), plan.rules.len());

    s.push_str("| Tier | Security group | Purpose |\n|---|---|---|\n");
    for tier in Tier::ALL {
        for g in plan.groups.iter().filter(|g| g.group.tier == *tier) {
            let _ = writeln!(s, "| {} | {} | {} |", tier_title(*tier), code(&g.name), md_cell(&g.group.summary));
        }
    }
    s.push('\n');

    s.push_str(&traffic_paths(plan));

    s.push_str("### Internet entry points\n\n");
    let entries: Vec<&SgRule<'_>> =
        plan.rules.iter().filter(|r| r.rule.direction == Direction::Ingress && r.rule.peer.is_internet()).collect();
    if entries.is_empty() {
        s.push_str("No security group accepts traffic from the internet.\n\n");
    } else {
        for r in &entries {
            let g = &plan.groups[r.group];
            let mut line = format!("- {} accepts {} from {}", code(&g.name), ports_text(r), peer_text(plan, r));
            if let Some(j) = &r.rule.justification {
                let _ = write!(line, "; justification: {}", md_cell(j));
            }
            let _ = writeln!(s, "{line}");
        }
        s.push('\n');
    }

    s.push_str("### Data tier isolation\n\n");
    let data: Vec<usize> =
        plan.groups.iter().enumerate().filter(|(_, g)| g.group.tier == Tier::Data).map(|(i, _)| i).collect();
    if data.is_empty() {
        s.push_str("The deployment has no data tier.\n\n");
    } else {
        for &i in &data {
            let g = &plan.groups[i];
            let ingress: Vec<&SgRule<'_>> = plan.rules_of(i, Direction::Ingress).collect();
            let from_groups: Vec<String> = ingress
                .iter()
                .filter_map(|r| match r.peer {
                    SgPeer::Group(p) => Some(format!("{} on {}", code(&plan.groups[p].name), ports_text(r))),
                    SgPeer::Cidr(_) | SgPeer::CloudFront | SgPeer::EdgeLink => None,
                })
                .collect();
            let cidrs: Vec<String> = ingress
                .iter()
                .filter(|r| matches!(r.peer, SgPeer::Cidr(_)))
                .map(|r| format!("{} on {}", peer_text(plan, r), ports_text(r)))
                .collect();
            let internet = ingress.iter().any(|r| r.rule.peer.is_internet());
            let mut line = format!("- {}: ", code(&g.name));
            if from_groups.is_empty() && cidrs.is_empty() {
                line.push_str("accepts no inbound traffic");
            } else {
                let mut parts = Vec::new();
                if !from_groups.is_empty() {
                    parts.push(format!("reachable only from {}", from_groups.join(", ")));
                }
                if !cidrs.is_empty() {
                    parts.push(format!("from external ranges {}", cidrs.join(", ")));
                }
                line.push_str(&parts.join("; "));
            }
            line.push_str(if internet { "; EXPOSED to the internet" } else { "; not reachable from the internet" });
            let egress = plan.rules_of(i, Direction::Egress).count();
            if egress == 0 {
                line.push_str("; no egress");
            } else {
                let _ = write!(line, "; {egress} egress rule(s)");
            }
            let _ = writeln!(s, "{line}.");
        }
        s.push('\n');
    }

    // Rule table.
    s.push_str("## Security group rules\n\n");
    if plan.rules.is_empty() {
        s.push_str("The policy has no rules: every group denies all traffic.\n\n");
    } else {
        s.push_str("| Group | Direction | Protocol/Ports | Source / Destination | Description purpose | Owner |\n");
        s.push_str("|---|---|---|---|---|---|\n");
        for r in &plan.rules {
            let dir = match r.rule.direction {
                Direction::Ingress => "ingress",
                Direction::Egress => "egress",
            };
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {} | {} |",
                code(&plan.groups[r.group].name),
                dir,
                ports_text(r),
                peer_text(plan, r),
                md_cell(&r.rule.description.purpose),
                md_cell(&r.rule.description.owner)
            );
        }
        s.push('\n');
    }

    s.push_str("### Egress\n\n");
    let mut any_without = false;
    for (i, g) in plan.groups.iter().enumerate() {
        if plan.rules_of(i, Direction::Egress).next().is_none() {
            any_without = true;
            let _ = writeln!(
                s,
                "- {}: no egress. The default allow-all egress rule is removed (Terraform does it on create, `cli/apply.sh` revokes it).",
                code(&g.name)
            );
        }
    }
    if !any_without {
        s.push_str("Every group has explicit egress rules; none keeps the default allow-all rule.\n");
    }
    s.push('\n');

    if !p.fqdn_egress.is_empty() || !p.deny.is_empty() {
        s.push_str("### Beyond security groups

");
        for f in &p.fqdn_egress {
            let group = plan.groups.iter().find(|g| g.group.id == f.group).map(|g| g.name.as_str()).unwrap_or(&f.group);
            let fqdns: Vec<String> = f.fqdns.iter().map(|d| code(d)).collect();
            let ports: Vec<String> = f.ports.iter().map(|p| p.to_string()).collect();
            let _ = writeln!(
                s,
                "- {} may reach {} on {} ({}). Security groups cannot match names: this allow-list is enforced by the egress phase (proxy or firewall), and no security-group rule above opens it.",
                code(group),
                fqdns.join(", "),
                md_cell(&ports.join(", ")),
                md_cell(&f.description.purpose)
            );
        }
        for d in &p.deny {
            let cidrs: Vec<String> = d.cidrs.iter().map(|c| code(&c.to_string())).collect();
            let _ = writeln!(
                s,
                "- Denied: {} ({}). Security groups only allow; explicit denies belong to the network ACLs.",
                cidrs.join(", "),
                md_cell(&d.purpose)
            );
        }
        s.push('\n');
    }

    // Mandatory rules, checked on the rules rendered above.
    s.push_str("## Mandatory rules\n\n");
    let exposed: Vec<String> = plan
        .rules
        .iter()
        .filter(|r| r.rule.peer.is_internet())
        .flat_map(|r| {
            r.rule.ports.sensitive_ports().into_iter().map(move |(port, what)| (r, port, what))
        })
        .map(|(r, port, what)| format!("{} ({what} {port})", code(&r.tf)))
        .collect();
    if exposed.is_empty() {
        let ports: Vec<String> = SENSITIVE_PORTS.iter().map(|(p, _)| p.to_string()).collect();
        let _ = writeln!(
            s,
            "1. No rule opens a management or database port ({}) to the internet.",
            ports.join(", ")
        );
    } else {
        let _ = writeln!(s, "1. VIOLATED: internet rules open sensitive ports: {}.", exposed.join(", "));
    }
    let internal_cidr = plan.rules.iter().any(|r| match &r.rule.peer {
        Peer::Cidr { party, .. } => p.group(party).is_some(),
        Peer::Group { .. } => false,
    });
    if internal_cidr {
        s.push_str("2. VIOLATED: a rule reaches a workload by CIDR instead of by its security group.\n");
    } else {
        s.push_str("2. Traffic between workloads references security groups; CIDRs are used only for the internet and declared external parties.\n");
    }
    let _ = writeln!(
        s,
        "3. Every rule carries a description `{{source}} to {{destination}} : {{port/proto}} - {{purpose}} - {{owner}}` (the template's `->` is written `to`: AWS refuses `>`), within the characters and the {}-character limit AWS accepts.",
        names::MAX_TEXT
    );
    let remote_shell = plan.rules.iter().any(|r| {
        r.rule.peer.is_internet() && cloudwall_core::ports::REMOTE_SHELL_PORTS.iter().any(|p| r.rule.ports.contains_port(*p))
    });
    if remote_shell {
        s.push_str("4. VIOLATED: SSH or RDP is reachable from the internet.\n");
    } else {
        s.push_str("4. No SSH or RDP port is reachable from the internet.\n");
    }
    s.push_str("5. Egress is default-deny: a group reaches only the groups and external destinations its egress rules list.\n");
    s.push_str("6. Security groups are named `{env}-{tier}-{role}-sg`.\n");
    s
}

/// A static-analysis (checkov) check that fails on one rendered resource by design, with
/// the reason it does not apply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waiver {
    pub check: &'static str,
    /// `type.name`, as checkov names the resource (data sources without `data.`; in a
    /// region module `module.<region>.type.name`).
    pub resource: String,
    pub reason: String,
}

/// `(kind, type, name, body)` of each top-level block of canonical Terraform text.
fn blocks(text: &str) -> Vec<(&str, &str, &str, &str)> {
    let mut out = vec![];
    let mut pos = 0;
    for line in text.split_inclusive('\n') {
        pos += line.len();
        let words: Vec<&str> = line.split_whitespace().collect();
        if !line.starts_with(' ') && words.len() == 4 && matches!(words[0], "resource" | "data") && words[3] == "{" {
            let end = text[pos..].find("\n}\n").map_or(text.len(), |i| pos + i + 3);
            out.push((words[0], words[1].trim_matches('"'), words[2].trim_matches('"'), &text[pos..end]));
        }
    }
    out
}

const SG_NOT_ATTACHED: &str = "attached by the resources that run the workload (instances, tasks, load balancers), which are not part of this network-security output; the group id is an output for them";
const NACL_SUBNETS_FROM_VARIABLE: &str = "associated with the subnets of its tier, given as a Terraform variable (subnet_ids = var.<tier>_subnet_ids), which a static scan cannot resolve";
const KEY_POLICY: &str = "a KMS key policy: a resource of * in a key policy means the key itself, and the account-root kms:* statement is AWS's default key policy, without which the key could not be administered";
const LOG_BUCKET_ACCESS_LOGGING: &str = "the bucket is itself a log archive (versioned, KMS-encrypted, public access blocked, TLS required by its policy); access logs of it would need yet another log bucket";
const LOG_BUCKET_EVENTS: &str = "a log archive that nothing consumes object by object; no event notification is needed";
const LOG_BUCKET_REPLICATION: &str = "a log archive that expires after the profile's retention; replicating it to a second region is a disaster-recovery choice the profile does not make";
const PUBLIC_API_ROUTE: &str = "the route of the public API the profile's internet flow declares; callers are authenticated by the application behind it, and the profile declares no authorizer";

/// The checks that fail on the rendered Terraform by design: each resource of `files`
/// (every `terraform/*.tf`) that a check cannot judge from the network layer alone.
pub fn waivers<'a>(files: impl IntoIterator<Item = (&'a str, &'a str)>) -> Vec<Waiver> {
    // A region module's resources (`terraform/regions/<region>/`) are `module.<region>.T.N`
    // to checkov, which scans the root.
    let tf: Vec<(String, &str)> = files
        .into_iter()
        .filter(|(p, _)| p.ends_with(".tf"))
        .map(|(p, t)| {
            let module = p.strip_prefix("terraform/regions/").and_then(|r| r.split_once('/')).map(|(region, _)| region);
            (module.map_or(String::new(), |r| format!("module.{}.", crate::regions::region_tf(r))), t)
        })
        .collect();
    let attached = |module: &str, name: &str| {
        let id = format!("aws_security_group.{name}.id");
        tf.iter().filter(|(m, _)| m == module).any(|(_, t)| {
            t.lines().any(|l| {
                let l = l.trim_start();
                (l.starts_with("security_group_ids") || l.starts_with("vpc_security_group_ids") || l.starts_with("security_groups"))
                    && l.contains(&id)
            })
        })
    };
    let mut out = vec![];
    for (module, text) in &tf {
        let mut add = |check: &'static str, ty: &str, name: &str, reason: &str| {
            out.push(Waiver { check, resource: format!("{module}{ty}.{name}"), reason: reason.to_string() });
        };
        for (kind, ty, name, body) in blocks(text) {
            match (kind, ty) {
                ("resource", "aws_security_group") if !attached(module, name) => add("CKV2_AWS_5", ty, name, SG_NOT_ATTACHED),
                ("resource", "aws_network_acl") if body.contains("subnet_ids = var.") => {
                    add("CKV2_AWS_1", ty, name, NACL_SUBNETS_FROM_VARIABLE)
                }
                ("resource", "aws_s3_bucket") => {
                    add("CKV_AWS_18", ty, name, LOG_BUCKET_ACCESS_LOGGING);
                    add("CKV_AWS_144", ty, name, LOG_BUCKET_REPLICATION);
                    add("CKV2_AWS_62", ty, name, LOG_BUCKET_EVENTS);
                }
                ("data", "aws_iam_policy_document") if body.contains("\"kms:*\"") => {
                    for check in ["CKV_AWS_109", "CKV_AWS_111", "CKV_AWS_356"] {
                        add(check, ty, name, KEY_POLICY);
                    }
                }
                ("resource", "aws_cloudwatch_log_group") => {
                    // CKV_AWS_338 wants a year; a shorter retention is the profile's choice.
                    let days = body.lines().find_map(|l| l.trim().strip_prefix("retention_in_days")).and_then(|v| v.trim().trim_start_matches('=').trim().parse::<u32>().ok());
                    if let Some(days) = days.filter(|d| *d < 365) {
                        add("CKV_AWS_338", ty, name, &format!("kept {days} days, the retention the profile sets for these logs (retention_days in [session_logging] or [flow_logs], log_retention_days in [egress_filtering]); a year or more satisfies the check, and pci-dss asks for a year of audit logs"));
                    }
                }
                ("resource", "aws_apigatewayv2_route") if body.contains("route_key = \"$default\"") => {
                    add("CKV_AWS_309", ty, name, PUBLIC_API_ROUTE)
                }
                _ => {}
            }
        }
    }
    out.sort_by(|a, b| (a.check, &a.resource).cmp(&(b.check, &b.resource)));
    out
}

/// The heading of the [`waivers_section`].
pub const WAIVERS_HEADING: &str = "## Static analysis findings that do not apply";

/// The report section listing [`waivers`]: check, resource, reason.
pub fn waivers_section(waivers: &[Waiver]) -> String {
    let mut s = format!("{WAIVERS_HEADING}\n\n");
    if waivers.is_empty() {
        s.push_str("None: no static-analysis check is expected to fail on this Terraform.\n");
        return s;
    }
    s.push_str(
        "checkov fails these checks on the Terraform above by design; every other failed check is a defect. The \
         network-security checks (CKV_AWS_23, 24, 25, 260, 277, 382, 229, 230, 231, 232, 352, CKV2_AWS_12) never \
         appear here: a deliberate exception to them is an inline `checkov:skip` on the rule, with the flow's purpose.\n\n",
    );
    s.push_str("| check | resource | why it does not apply |\n|---|---|---|\n");
    for w in waivers {
        let _ = writeln!(s, "| {} | {} | {} |", w.check, code(&w.resource), md_cell(&w.reason));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_log_group_kept_under_a_year_is_waived_with_the_profile_as_reason() {
        let tf = "resource \"aws_cloudwatch_log_group\" \"short\" {\n  name              = \"/a\"\n  retention_in_days = 30\n}\n\n\
                  resource \"aws_cloudwatch_log_group\" \"year\" {\n  name              = \"/b\"\n  retention_in_days = 365\n}\n";
        let w = waivers([("terraform/logs.tf", tf)]);
        assert_eq!(w.len(), 1, "{w:?}");
        assert_eq!((w[0].check, w[0].resource.as_str()), ("CKV_AWS_338", "aws_cloudwatch_log_group.short"));
        assert!(w[0].reason.starts_with("kept 30 days, the retention the profile sets"), "{}", w[0].reason);
    }
}
