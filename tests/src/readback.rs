//! Reading rendered artifacts back into a provider-neutral list of rules, so that the
//! mandatory rules can be judged on what was written — not on the Policy it came from.
//!
//! Each provider (built-in or plugin) has a reader; the conformance suite
//! ([`crate::conformance`]) runs the same checks on every reader's output.

use cloudwall_core::ports::{PortRange, Proto};
use cloudwall_core::provider::Artifacts;
use hcl::expr::{Expression, TraversalOperator};
use ipnet::IpNet;

/// One allow rule as an artifact states it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadRule {
    /// The group (security group name, nft set name...) the rule belongs to.
    pub group: String,
    pub ingress: bool,
    pub ports: PortRange,
    pub peer: ReadPeer,
    /// The description as the platform will store it.
    pub description: String,
    /// Where it was read: `file: resource`.
    pub at: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadPeer {
    Group(String),
    Cidr(IpNet),
    /// A managed prefix list, by name (the CloudFront origin-facing list under multi-edge).
    PrefixList(String),
    /// The address ranges of one tier of another region (`multi-region` cross-region flows).
    RegionCidrs { region: String, tier: String },
}

/// The AWS artifacts of one region of a `multi-region` output (`terraform/regions/<r>/`,
/// `egress/regions/<r>/`...), read as a one-region output.
pub fn aws_terraform_region(files: &Artifacts, region: &str) -> ReadBack {
    // `<folder>/regions/<region>/<rest>` -> `<folder>/<rest>` (Terraform, squid.conf...).
    let mid = format!("/regions/{region}/");
    let one: Artifacts = files
        .iter()
        .filter_map(|(p, t)| p.split_once(&mid).map(|(dir, rest)| (format!("{dir}/{rest}"), t.clone())))
        .collect();
    assert!(one.keys().any(|p| p.starts_with("terraform/")), "no Terraform module for region {region}");
    aws_terraform(&one)
}

/// `toset(var.peer_region_cidrs["R"]["T"])` -> `(R, T)`.
fn region_cidrs_of(for_each: &str) -> Option<(String, String)> {
    let rest = for_each.split_once("var.peer_region_cidrs[\"")?.1;
    let (region, rest) = rest.split_once("\"][\"")?;
    let (tier, _) = rest.split_once("\"]")?;
    Some((region.to_string(), tier.to_string()))
}

/// Everything a reader finds.
#[derive(Debug, Clone, Default)]
pub struct ReadBack {
    pub groups: Vec<String>,
    pub rules: Vec<ReadRule>,
    /// Free-text values that must be plain literals (no interpolation): (where, value,
    /// literal?). A `false` means user text turned into code.
    pub literals: Vec<(String, String, bool)>,
    /// The host-name egress allow-list the artifacts enforce (a firewall's domain list, a
    /// proxy's domain ACL), as written there.
    pub allowed_names: Vec<String>,
}

/// `ssm.${var.region}.amazonaws.com`, `*.dkr.ecr.${var.region}.amazonaws.com`: an AWS
/// service's DNS name in the module's region, with nothing interpolated but the region.
fn is_service_dns_name(template: &str) -> bool {
    let Some((service, rest)) = template.split_once(".${var.region}.") else { return false };
    let service = service.strip_prefix("*.").unwrap_or(service);
    rest == "amazonaws.com"
        && !service.is_empty()
        && service.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-')
}

/// The `dstdomain` names of a squid configuration's `allowed_domains` ACL.
pub fn squid_allowed_domains(conf: &str) -> Vec<String> {
    conf.lines()
        .filter_map(|l| l.trim().strip_prefix("acl allowed_domains dstdomain "))
        .flat_map(|rest| rest.split_whitespace().map(str::to_string))
        .collect()
}

/// The first nested block of `body` named `name`.
fn sub_block<'b>(body: &'b hcl::Body, name: &str) -> Option<&'b hcl::Body> {
    body.blocks().find(|b| b.identifier() == name).map(|b| b.body())
}

/// Reads the AWS provider's Terraform (`terraform/*.tf`) with hcl-rs.
pub fn aws_terraform(files: &Artifacts) -> ReadBack {
    let mut out = ReadBack::default();
    let mut group_names = std::collections::BTreeMap::new();
    let mut raw_rules = vec![];
    let mut prefix_lists = std::collections::BTreeMap::new();
    for (path, text) in files.iter().filter(|(p, _)| p.starts_with("terraform/") && p.ends_with(".tf")) {
        let body: hcl::Body = hcl::parse(text).unwrap_or_else(|e| panic!("{path}: HCL parse error: {e}"));
        for block in body.blocks().filter(|b| b.identifier() == "data") {
            let labels: Vec<&str> = block.labels().iter().map(|l| l.as_str()).collect();
            if let ["aws_ec2_managed_prefix_list", name] = labels.as_slice() {
                if let Some(Expression::String(n)) = block.body().attributes().find(|a| a.key() == "name").map(|a| a.expr().clone()) {
                    prefix_lists.insert(name.to_string(), n);
                }
            }
        }
        for block in body.blocks().filter(|b| b.identifier() == "resource") {
            let labels: Vec<String> = block.labels().iter().map(|l| l.as_str().to_string()).collect();
            if labels.len() != 2 {
                continue;
            }
            let (ty, name) = (labels[0].as_str(), labels[1].as_str());
            let at = format!("{path}: {ty}.{name}");
            let attr = |k: &str| block.body().attributes().find(|a| a.key() == k).map(|a| a.expr().clone());
            for a in block.body().attributes() {
                if matches!(a.key(), "description" | "name" | "comment") {
                    match a.expr() {
                        Expression::String(s) => out.literals.push((format!("{at}.{}", a.key()), s.clone(), true)),
                        // The one generated template: a DNS name of an AWS service in the
                        // module's region (hub-spoke's shared endpoint zones), made of the
                        // fixed service vocabulary, never of profile text.
                        Expression::TemplateExpr(t) if a.key() == "name" && ty.starts_with("aws_route53_") && is_service_dns_name(&t.to_string()) => {}
                        Expression::TemplateExpr(t) => {
                            out.literals.push((format!("{at}.{}", a.key()), t.to_string(), false))
                        }
                        _ => {}
                    }
                }
            }
            match ty {
                "aws_security_group" => {
                    if let Some(Expression::String(n)) = attr("name") {
                        group_names.insert(name.to_string(), n.clone());
                        out.groups.push(n);
                    }
                }
                "aws_vpc_security_group_ingress_rule" | "aws_vpc_security_group_egress_rule" => {
                    raw_rules.push((ty == "aws_vpc_security_group_ingress_rule", at, block.body().clone()));
                }
                "aws_security_group_rule" => panic!("{at}: legacy rule resource"),
                "aws_networkfirewall_rule_group" => {
                    let list = sub_block(block.body(), "rule_group")
                        .and_then(|b| sub_block(b, "rules_source"))
                        .and_then(|b| sub_block(b, "rules_source_list"));
                    if let Some(list) = list {
                        let allow = list.attributes().any(|a| a.key() == "generated_rules_type" && *a.expr() == Expression::String("ALLOWLIST".into()));
                        assert!(allow, "{at}: a domain list that is not an ALLOWLIST");
                        if let Some(Expression::Array(targets)) = list.attributes().find(|a| a.key() == "targets").map(|a| a.expr().clone()) {
                            for t in targets {
                                match t {
                                    Expression::String(s) => out.allowed_names.push(s),
                                    other => panic!("{at}: target {other:?} is not a literal"),
                                }
                            }
                        }
                    }
                }
                _ => {}
            }
        }
    }
    for (path, text) in files.iter().filter(|(p, _)| p.ends_with("egress/squid.conf")) {
        let names = squid_allowed_domains(text);
        assert!(!names.is_empty(), "{path}: no allowed_domains ACL");
        out.allowed_names.extend(names);
    }
    for (ingress, at, body) in raw_rules {
        let attr = |k: &str| body.attributes().find(|a| a.key() == k).map(|a| a.expr().clone());
        let sg_ref = |e: Option<Expression>| -> Option<String> {
            match e? {
                Expression::Traversal(t) => {
                    let root = match &t.expr {
                        Expression::Variable(v) => v.as_str().to_string(),
                        _ => return None,
                    };
                    let name = match t.operators.first()? {
                        TraversalOperator::GetAttr(i) => i.as_str().to_string(),
                        _ => return None,
                    };
                    (root == "aws_security_group").then(|| group_names.get(&name).cloned().unwrap_or(name))
                }
                _ => None,
            }
        };
        let group = sg_ref(attr("security_group_id")).unwrap_or_else(|| panic!("{at}: no security_group_id reference"));
        let string = |k: &str| match attr(k) {
            Some(Expression::String(s)) => Some(s),
            _ => None,
        };
        let num = |k: &str| match attr(k) {
            Some(Expression::Number(n)) => n.as_i64(),
            _ => None,
        };
        let proto = string("ip_protocol").unwrap_or_else(|| panic!("{at}: no ip_protocol"));
        let ports = match proto.as_str() {
            "-1" => PortRange::ALL,
            "icmp" | "icmpv6" => PortRange::ICMP,
            p => {
                let proto = if p == "tcp" { Proto::Tcp } else { Proto::Udp };
                let from = num("from_port").unwrap_or_else(|| panic!("{at}: no from_port")) as u16;
                let to = num("to_port").unwrap_or_else(|| panic!("{at}: no to_port")) as u16;
                PortRange { proto, from, to }
            }
        };
        let each_value = matches!(attr("cidr_ipv4"), Some(Expression::Traversal(t)) if matches!(&t.expr, Expression::Variable(v) if v.as_str() == "each"));
        let peer = if each_value {
            let fe = attr("for_each").map(|e| e.to_string()).unwrap_or_default();
            let (region, tier) = region_cidrs_of(&fe).unwrap_or_else(|| panic!("{at}: cidr_ipv4 = each.value over {fe:?}, not a region's tier ranges"));
            ReadPeer::RegionCidrs { region, tier }
        } else if let Some(g) = sg_ref(attr("referenced_security_group_id")) {
            ReadPeer::Group(g)
        } else if let Some(c) = string("cidr_ipv4").or_else(|| string("cidr_ipv6")) {
            ReadPeer::Cidr(c.parse().unwrap_or_else(|e| panic!("{at}: bad CIDR {c}: {e}")))
        } else if let Some(e) = attr("prefix_list_id") {
            // `data.aws_ec2_managed_prefix_list.NAME.id` -> the list's name.
            let data_name = match &e {
                Expression::Traversal(t) => match (&t.expr, t.operators.as_slice()) {
                    (Expression::Variable(v), [TraversalOperator::GetAttr(ty), TraversalOperator::GetAttr(n), ..])
                        if v.as_str() == "data" && ty.as_str() == "aws_ec2_managed_prefix_list" =>
                    {
                        Some(n.as_str().to_string())
                    }
                    _ => None,
                },
                _ => None,
            };
            let name = data_name
                .and_then(|n| prefix_lists.get(&n).cloned())
                .unwrap_or_else(|| panic!("{at}: prefix_list_id is not a declared aws_ec2_managed_prefix_list"));
            ReadPeer::PrefixList(name)
        } else {
            panic!("{at}: rule with no peer")
        };
        out.rules.push(ReadRule { group, ingress, ports, peer, description: string("description").unwrap_or_default(), at });
    }
    out
}
