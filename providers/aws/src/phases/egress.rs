//! `Phase::Egress`: the FQDN egress allow-list. Security groups hold only declared egress;
//! names cannot be matched by address filters, so host-name destinations are enforced by
//! the chosen egress filter:
//! - `firewall`: AWS Network Firewall with a stateful domain allow-list (TLS SNI and HTTP
//!   Host), KMS-encrypted, deletion-protected, logging ALERT and FLOW to CloudWatch Logs.
//!   The workloads with host-name egress get a security-group egress rule on the entry's
//!   ports to `0.0.0.0/0`: a security group sees only addresses, so it cannot do better,
//!   and the firewall on the route to the internet is what narrows it to the names.
//! - `proxy`: a squid configuration (`egress/squid.conf`) and the proxy's security group:
//!   workloads reach only the proxy (3128/tcp, group reference), and the proxy alone may
//!   send to the internet, on the entries' ports.
//!
//! Renders `terraform/egress.tf`, `egress/squid.conf` (proxy mode), an `apply.sh`
//! fragment for the security-group side and the report section.

use super::Contribution;
use crate::hcl::{self, Block, Expr};
use crate::names;
use crate::plan::Plan;
use crate::report::md_cell;
use crate::shell::quote;
use cloudwall_core::ports::{PortRange, Proto};
use cloudwall_core::profile::model::EgressMode;
use serde_json::json;
use std::collections::BTreeSet;
use std::fmt::Write as _;

/// The port the proxy listens on.
pub const PROXY_PORT: u16 = 3128;
/// The role of the proxy's security group: `{env}-{tier}-egress-proxy-sg`.
pub const PROXY_ROLE: &str = "egress-proxy";
/// CloudWatch Logs accepts only these retention periods (days).
pub const LOG_RETENTION_DAYS: [u32; 22] = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
];

/// The smallest accepted retention period of at least `days`.
pub fn log_retention(days: u32) -> u32 {
    LOG_RETENTION_DAYS
        .iter()
        .copied()
        .find(|&d| d >= days)
        .unwrap_or(3653)
}

/// One host name, normalised: lowercase, no trailing dot, `*.x` written `.x`.
fn normalise(fqdn: &str) -> String {
    let f = fqdn.trim().trim_end_matches('.').to_ascii_lowercase();
    match f.strip_prefix("*.") {
        Some(rest) => format!(".{rest}"),
        None => f,
    }
}

/// Whether `name` is covered by the wildcard `.parent` (the apex or a name under it).
fn covered_by(name: &str, wildcard: &str) -> bool {
    let apex = &wildcard[1..];
    let bare = name.trim_start_matches('.');
    bare == apex || bare.ends_with(wildcard)
}

/// The merged allow-list: every entry's names, normalised, sorted, with each name that a
/// `.parent` wildcard already covers left out (squid rejects such overlaps, and they add
/// nothing to a firewall list).
pub fn allow_list<'a>(fqdns: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let all: BTreeSet<String> = fqdns
        .into_iter()
        .map(normalise)
        .filter(|f| !f.is_empty() && f != ".")
        .collect();
    let wildcards: Vec<&String> = all.iter().filter(|f| f.starts_with('.')).collect();
    all.iter()
        .filter(|f| !wildcards.iter().any(|w| *w != *f && covered_by(f, w)))
        .cloned()
        .collect()
}

/// Network Firewall rule-group capacity for `targets` names: each name yields one rule per
/// target type (TLS SNI, HTTP Host), doubled as headroom because capacity is fixed at
/// creation, rounded up to a hundred, at least 100 and at most the 50,000 limit.
pub fn capacity(targets: usize) -> usize {
    let need = targets * 2 * 2;
    need.div_ceil(100).saturating_mul(100).clamp(100, 50_000)
}

/// A security-group rule this phase adds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtraRule {
    /// Terraform resource name.
    pub tf: String,
    /// Index into `Plan::groups`, or `None` for the proxy group.
    pub group: Option<usize>,
    pub ingress: bool,
    pub ports: PortRange,
    /// `Some(index)`/`None` (the proxy) for a group peer; the CIDR otherwise.
    pub peer: Result<Option<usize>, &'static str>,
    pub description: String,
}

/// The proxy group's name and tier: the first of app, mgmt, public, data whose name no
/// workload group already uses.
pub fn proxy_group_name(plan: &Plan<'_>) -> (String, &'static str) {
    let env = &plan.policy.deployment.env;
    for tier in ["app", "mgmt", "public", "data"] {
        let name = format!("{env}-{tier}-{PROXY_ROLE}-sg");
        if plan.groups.iter().all(|g| g.name != name) {
            return (name, tier);
        }
    }
    (format!("{env}-app-{PROXY_ROLE}-2-sg"), "app")
}

/// Groups (indexes) with host-name egress, and the TCP ports each entry names.
fn fqdn_groups(plan: &Plan<'_>) -> Vec<(usize, Vec<PortRange>, String)> {
    let mut out: Vec<(usize, Vec<PortRange>, String)> = Vec::new();
    for e in &plan.policy.fqdn_egress {
        let Some(g) = plan.groups.iter().position(|g| g.group.id == e.group) else {
            continue;
        };
        let ports: Vec<PortRange> = e
            .ports
            .iter()
            .copied()
            .filter(|p| p.proto == Proto::Tcp)
            .collect();
        let text = names::aws_text(&format!(
            "{} -> {} : {} - {} - {}",
            e.description.source,
            e.description.destination,
            e.description.ports,
            e.description.purpose,
            e.description.owner
        ));
        match out.iter_mut().find(|(i, _, _)| *i == g) {
            Some((_, ps, _)) => {
                for p in ports {
                    if !ps.contains(&p) {
                        ps.push(p);
                    }
                }
            }
            None => out.push((g, ports, text)),
        }
    }
    out
}

/// The security-group rules the egress filter needs (see the module doc).
pub fn extra_rules(plan: &Plan<'_>) -> Vec<ExtraRule> {
    let mut rules = Vec::new();
    let groups = fqdn_groups(plan);
    match plan.policy.controls.egress_mode {
        EgressMode::Firewall => {
            for (g, ports, text) in &groups {
                for p in ports {
                    rules.push(ExtraRule {
                        tf: format!("{}_fqdn_egress_{}_{}", plan.groups[*g].tf, p.from, p.to),
                        group: Some(*g),
                        ingress: false,
                        ports: *p,
                        peer: Err("0.0.0.0/0"),
                        description: text.clone(),
                    });
                }
            }
        }
        EgressMode::Proxy => {
            let (proxy, _) = proxy_group_name(plan);
            let proxy_port = PortRange::tcp(PROXY_PORT);
            let mut out_ports: Vec<PortRange> = Vec::new();
            for (g, ports, _) in &groups {
                let sg = &plan.groups[*g];
                let purpose = "HTTP(S) through the egress proxy to the host-name allow-list";
                rules.push(ExtraRule {
                    tf: format!("{}_to_egress_proxy", sg.tf),
                    group: Some(*g),
                    ingress: false,
                    ports: proxy_port,
                    peer: Ok(None),
                    description: names::aws_text(&format!(
                        "{} -> {proxy} : {PROXY_PORT}/tcp - {purpose} - {}",
                        sg.name, plan.policy.deployment.owner
                    )),
                });
                rules.push(ExtraRule {
                    tf: format!("egress_proxy_from_{}", sg.tf),
                    group: None,
                    ingress: true,
                    ports: proxy_port,
                    peer: Ok(Some(*g)),
                    description: names::aws_text(&format!(
                        "{} -> {proxy} : {PROXY_PORT}/tcp - {purpose} - {}",
                        sg.name, plan.policy.deployment.owner
                    )),
                });
                for p in ports {
                    if !out_ports.contains(p) {
                        out_ports.push(*p);
                    }
                }
            }
            out_ports.sort();
            for p in out_ports {
                rules.push(ExtraRule {
                    tf: format!("egress_proxy_out_{}_{}", p.from, p.to),
                    group: None,
                    ingress: false,
                    ports: p,
                    peer: Err("0.0.0.0/0"),
                    description: names::aws_text(&format!(
                        "{proxy} -> internet : {p} - allow-listed host names only, enforced by the proxy - {}",
                        plan.policy.deployment.owner
                    )),
                });
            }
        }
    }
    rules
}

fn sg_tf(plan: &Plan<'_>, g: Option<usize>) -> String {
    match g {
        Some(i) => format!("aws_security_group.{}.id", plan.groups[i].tf),
        None => "aws_security_group.egress_proxy.id".into(),
    }
}

fn sg_var(plan: &Plan<'_>, g: Option<usize>) -> String {
    match g {
        Some(i) => plan.groups[i].var.clone(),
        None => "SG_EGRESS_PROXY".into(),
    }
}

fn rule_blocks(plan: &Plan<'_>, rules: &[ExtraRule]) -> Vec<Block> {
    rules
        .iter()
        .map(|r| {
            let kind = if r.ingress {
                "aws_vpc_security_group_ingress_rule"
            } else {
                "aws_vpc_security_group_egress_rule"
            };
            let mut b = Block::new("resource", &[kind, &r.tf])
                .attr("security_group_id", Expr::raw(sg_tf(plan, r.group)));
            b = match r.peer {
                Ok(g) => b.attr("referenced_security_group_id", Expr::raw(sg_tf(plan, g))),
                Err(cidr) => b.attr("cidr_ipv4", Expr::str(cidr)),
            };
            b.attr("ip_protocol", Expr::str("tcp"))
                .attr("from_port", Expr::num(r.ports.from))
                .attr("to_port", Expr::num(r.ports.to))
                .attr("description", Expr::str(&r.description))
        })
        .collect()
}

fn tags(plan: &Plan<'_>, name: &str) -> Expr {
    Expr::Wrap(
        "merge(var.tags, ".into(),
        Box::new(Expr::Object(vec![
            ("Name".into(), Expr::str(&names::tag_value(name))),
            (
                "Env".into(),
                Expr::str(&names::tag_value(&plan.policy.deployment.env)),
            ),
        ])),
        ")".into(),
    )
}

fn firewall_tf(plan: &Plan<'_>, list: &[String], rules: &[ExtraRule]) -> String {
    let env = &plan.policy.deployment.env;
    let name = names::tag_value(&format!("{env}-egress"));
    let retention = log_retention(plan.policy.controls.egress_log_retention_days);
    let targets = format!(
        "[{}]",
        list.iter()
            .map(|t| hcl::string(t))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let kms = || {
        Block::new("encryption_configuration", &[])
            .attr("key_id", Expr::raw("aws_kms_key.egress_firewall.arn"))
            .attr("type", Expr::str("CUSTOMER_KMS"))
    };
    let key_policy = "jsonencode({\n    Version = \"2012-10-17\"\n    Statement = [\n      {\n        Sid       = \"AccountAdministers\"\n        Effect    = \"Allow\"\n        Principal = { AWS = \"arn:aws:iam::${data.aws_caller_identity.current.account_id}:root\" }\n        Action    = \"kms:*\"\n        Resource  = \"*\"\n      },\n      {\n        Sid       = \"CloudWatchLogsEncrypts\"\n        Effect    = \"Allow\"\n        Principal = { Service = \"logs.${var.region}.amazonaws.com\" }\n        Action    = [\"kms:Encrypt*\", \"kms:Decrypt*\", \"kms:ReEncrypt*\", \"kms:GenerateDataKey*\", \"kms:Describe*\"]\n        Resource  = \"*\"\n      },\n    ]\n  })";
    let mut blocks = vec![
        Block::new("variable", &["home_net_cidrs"])
            .attr("description", Expr::str("CIDRs whose traffic the egress firewall inspects (HOME_NET): the VPC CIDR(s), and any spoke VPC routed through it."))
            .attr("type", Expr::raw("list(string)"))
,
        Block::new("variable", &["firewall_subnet_ids"])
            .attr("description", Expr::str("Dedicated firewall subnets, one per AZ; the private route tables send 0.0.0.0/0 to the firewall endpoint of their AZ."))
            .attr("type", Expr::raw("list(string)")),
        Block::new("data", &["aws_caller_identity", "current"]),
        Block::new("resource", &["aws_kms_key", "egress_firewall"])
            .attr("description", Expr::str("Encrypts the egress firewall and its logs."))
            .attr("enable_key_rotation", Expr::raw("true"))
            .attr("deletion_window_in_days", Expr::num(30))
            .blank()
            .attr("policy", Expr::raw(key_policy))
            .blank()
            .attr("tags", tags(plan, &format!("{env}-egress-firewall-key"))),
        Block::new("resource", &["aws_cloudwatch_log_group", "egress_firewall"])
            .attr("name", Expr::str(&format!("/{}/network-firewall/egress", names::tag_value(env))))
            .attr("retention_in_days", Expr::num(retention))
            .attr("kms_key_id", Expr::raw("aws_kms_key.egress_firewall.arn"))
            .blank()
            .attr("tags", tags(plan, &format!("{env}-egress-firewall-logs"))),
        Block::new("resource", &["aws_networkfirewall_rule_group", "egress_fqdn_allowlist"])
            .attr("name", Expr::str(&format!("{name}-fqdn-allowlist")))
            .attr("description", Expr::str("Host names the workloads may reach (TLS SNI and HTTP Host); other TLS and HTTP is dropped."))
            .attr("type", Expr::str("STATEFUL"))
            .attr("capacity", Expr::num(capacity(list.len())))
            .blank()
            .block(kms())
            .blank()
            .block(
                Block::new("rule_group", &[])
                    .block(Block::new("rule_variables", &[]).block(
                        Block::new("ip_sets", &[])
                            .attr("key", Expr::str("HOME_NET"))
                            .block(Block::new("ip_set", &[]).attr("definition", Expr::raw("var.home_net_cidrs"))),
                    ))
                    .block(Block::new("rules_source", &[]).block(
                        Block::new("rules_source_list", &[])
                            .attr("generated_rules_type", Expr::str("ALLOWLIST"))
                            .attr("target_types", Expr::raw("[\"TLS_SNI\", \"HTTP_HOST\"]"))
                            .attr("targets", Expr::raw(targets)),
                    )),
            )
            .blank()
            .attr("tags", tags(plan, &format!("{name}-fqdn-allowlist"))),
        Block::new("resource", &["aws_networkfirewall_firewall_policy", "egress"])
            .attr("name", Expr::str(&format!("{name}-policy")))
            .blank()
            .block(kms())
            .blank()
            .block(
                Block::new("firewall_policy", &[])
                    .attr("stateless_default_actions", Expr::raw("[\"aws:forward_to_sfe\"]"))
                    .attr("stateless_fragment_default_actions", Expr::raw("[\"aws:forward_to_sfe\"]"))
                    .blank()
                    .block(
                        Block::new("stateful_rule_group_reference", &[])
                            .attr("resource_arn", Expr::raw("aws_networkfirewall_rule_group.egress_fqdn_allowlist.arn")),
                    ),
            )
            .blank()
            .attr("tags", tags(plan, &format!("{name}-policy"))),
        Block::new("resource", &["aws_networkfirewall_firewall", "egress"])
            .attr("name", Expr::str(&format!("{name}-firewall")))
            .attr("firewall_policy_arn", Expr::raw("aws_networkfirewall_firewall_policy.egress.arn"))
            .attr("vpc_id", Expr::raw("var.vpc_id"))
            .attr("delete_protection", Expr::raw("true"))
            .attr("subnet_change_protection", Expr::raw("true"))
            .attr("firewall_policy_change_protection", Expr::raw("true"))
            .blank()
            .block(kms())
            .blank()
            .block(
                Block::new("dynamic", &["subnet_mapping"])
                    .attr("for_each", Expr::raw("toset(var.firewall_subnet_ids)"))
                    .blank()
                    .block(Block::new("content", &[]).attr("subnet_id", Expr::raw("subnet_mapping.value"))),
            )
            .blank()
            .attr("tags", tags(plan, &format!("{name}-firewall"))),
        Block::new("resource", &["aws_networkfirewall_logging_configuration", "egress"])
            .attr("firewall_arn", Expr::raw("aws_networkfirewall_firewall.egress.arn"))
            .blank()
            .block({
                let mut lc = Block::new("logging_configuration", &[]);
                for t in ["ALERT", "FLOW"] {
                    lc = lc.block(
                        Block::new("log_destination_config", &[])
                            .attr("log_destination_type", Expr::str("CloudWatchLogs"))
                            .attr("log_type", Expr::str(t))
                            .attr(
                                "log_destination",
                                Expr::Object(vec![("logGroup".into(), Expr::raw("aws_cloudwatch_log_group.egress_firewall.name"))]),
                            ),
                    );
                }
                lc
            }),
        Block::new("output", &["egress_firewall_endpoints"])
            .attr("description", Expr::str("Firewall endpoint of each AZ: the target of the private route tables' default route."))
            .attr("value", Expr::raw("aws_networkfirewall_firewall.egress.firewall_status[0].sync_states")),
    ];
    blocks.extend(rule_blocks(plan, rules));
    let text = hcl::file(&blocks);
    if retention >= 365 {
        return text;
    }
    // A shorter retention is the profile's explicit choice, not an oversight.
    let head = "resource \"aws_cloudwatch_log_group\" \"egress_firewall\" {\n";
    text.replacen(
        head,
        &format!("{head}  # checkov:skip=CKV_AWS_338:egress filter logs are kept {retention} days, as the profile's egress_filtering.log_retention_days asks\n"),
        1,
    )
}

fn proxy_tf(plan: &Plan<'_>, rules: &[ExtraRule]) -> String {
    let (name, tier) = proxy_group_name(plan);
    let env = &plan.policy.deployment.env;
    let group_tags = Expr::Object(vec![
        ("Name".into(), Expr::str(&names::tag_value(&name))),
        ("Env".into(), Expr::str(&names::tag_value(env))),
        ("Tier".into(), Expr::str(tier)),
        ("Role".into(), Expr::str(PROXY_ROLE)),
    ]);
    let mut blocks = vec![
        Block::new("resource", &["aws_security_group", "egress_proxy"])
            .attr("name", Expr::str(&name))
            .attr(
                "description",
                Expr::str(&format!(
                    "Egress proxy: forwards allow-listed host names on {PROXY_PORT}/tcp"
                )),
            )
            .attr("vpc_id", Expr::raw("var.vpc_id"))
            .blank()
            .attr(
                "tags",
                Expr::Wrap("merge(var.tags, ".into(), Box::new(group_tags), ")".into()),
            ),
    ];
    blocks.extend(rule_blocks(plan, rules));
    blocks.push(
        Block::new("output", &["egress_proxy_security_group_id"])
            .attr(
                "description",
                Expr::str("Security group to attach to the egress proxy instances."),
            )
            .attr("value", Expr::raw("aws_security_group.egress_proxy.id")),
    );
    hcl::file(&blocks)
}

/// `egress/squid.conf`: an explicit forward proxy that lets the workloads reach only the
/// allow-listed names (CONNECT for HTTPS, plain requests for HTTP), on the entries' ports.
pub fn squid_conf(list: &[String], ports: &[PortRange], retention_days: u32) -> String {
    let mut s = String::new();
    s.push_str("# Forward proxy for the workloads' host-name egress allow-list.\n");
    s.push_str("# Workloads use it as their HTTP(S) proxy: HTTPS_PROXY=http://<proxy>:3128.\n\n");
    s.push_str("# Who may use the proxy. Narrow this to the VPC CIDR (or the app subnets).\n");
    s.push_str("acl localnet src 10.0.0.0/8 172.16.0.0/12 192.168.0.0/16\n\n");
    s.push_str("# The allow-list (a leading dot: the domain and every name under it).\n");
    for chunk in list.chunks(8) {
        let _ = writeln!(s, "acl allowed_domains dstdomain {}", chunk.join(" "));
    }
    let tcp: Vec<String> = ports
        .iter()
        .filter(|p| p.proto == Proto::Tcp)
        .map(|p| {
            if p.from == p.to {
                p.from.to_string()
            } else {
                format!("{}-{}", p.from, p.to)
            }
        })
        .collect();
    let tcp = if tcp.is_empty() {
        vec!["443".to_string()]
    } else {
        tcp
    };
    let _ = writeln!(
        s,
        "\n# Destination ports the allow-list entries name.\nacl allowed_ports port {}",
        tcp.join(" ")
    );
    let tls: Vec<&String> = tcp.iter().filter(|p| p.as_str() != "80").collect();
    let tls = if tls.is_empty() {
        "443".to_string()
    } else {
        tls.iter().map(|p| p.as_str()).collect::<Vec<_>>().join(" ")
    };
    let _ = writeln!(
        s,
        "# HTTPS is tunnelled with CONNECT: only to the TLS ports.\nacl tls_ports port {tls}"
    );
    s.push_str("acl CONNECT method CONNECT\n\n");
    s.push_str("http_access deny !allowed_ports\n");
    s.push_str("http_access deny CONNECT !tls_ports\n");
    s.push_str("http_access deny manager\n");
    s.push_str("http_access allow localnet allowed_domains\n");
    s.push_str("http_access deny all\n\n");
    let _ = writeln!(s, "http_port {PROXY_PORT}");
    s.push_str("\n# A forwarding proxy only: nothing is cached.\ncache deny all\n\n");
    let _ = writeln!(
        s,
        "# Every request, allowed or denied, is logged; keep these logs {retention_days} days.\naccess_log daemon:/var/log/squid/access.log squid"
    );
    s.push_str("logfile_rotate 0\n\n");
    s.push_str("# No header that reveals the client's address.\nforwarded_for delete\n");
    s
}

fn script(plan: &Plan<'_>, rules: &[ExtraRule]) -> String {
    if rules.is_empty() {
        return String::new();
    }
    let mut s = String::new();
    match plan.policy.controls.egress_mode {
        EgressMode::Firewall => s.push_str(
            "# Host-name egress: the workloads' ports towards the internet; the Network Firewall\n\
             # (terraform/egress.tf) on the private route tables' default route narrows them to the allow-list.\n",
        ),
        EgressMode::Proxy => {
            let (name, tier) = proxy_group_name(plan);
            s.push_str("# Host-name egress: the egress proxy's security group; workloads reach only the proxy.\n");
            let filter = json!({ "Name": "group-name", "Values": [name] }).to_string();
            let tagspec = json!([{ "ResourceType": "security-group", "Tags": [
                { "Key": "Name", "Value": names::tag_value(&name) },
                { "Key": "Env", "Value": names::tag_value(&plan.policy.deployment.env) },
                { "Key": "Tier", "Value": tier },
                { "Key": "Role", "Value": PROXY_ROLE },
            ]}])
            .to_string();
            let desc = format!("Egress proxy: forwards allow-listed host names on {PROXY_PORT}/tcp");
            let _ = writeln!(s, "SG_EGRESS_PROXY=\"$(ensure_group {} {} {} {})\"", quote(&name), quote(&desc), quote(&filter), quote(&tagspec));
            s.push_str("revoke_egress \"$SG_EGRESS_PROXY\" '[{\"IpProtocol\":\"-1\",\"IpRanges\":[{\"CidrIp\":\"0.0.0.0/0\"}]}]'\n");
        }
    }
    for r in rules {
        let mut perm = serde_json::Map::new();
        perm.insert("IpProtocol".into(), json!("tcp"));
        perm.insert("FromPort".into(), json!(r.ports.from));
        perm.insert("ToPort".into(), json!(r.ports.to));
        let dir = if r.ingress { "ingress" } else { "egress" };
        let group = sg_var(plan, r.group);
        match r.peer {
            Err(cidr) => {
                perm.insert(
                    "IpRanges".into(),
                    json!([{ "CidrIp": cidr, "Description": r.description }]),
                );
                let text =
                    serde_json::Value::Array(vec![serde_json::Value::Object(perm)]).to_string();
                let _ = writeln!(s, "authorize {dir} \"${group}\" {}", quote(&text));
            }
            Ok(peer) => {
                const MARK: &str = "GROUP_ID_MARK";
                perm.insert(
                    "UserIdGroupPairs".into(),
                    json!([{ "GroupId": MARK, "Description": r.description }]),
                );
                let text =
                    serde_json::Value::Array(vec![serde_json::Value::Object(perm)]).to_string();
                let (a, b) = text.split_once(MARK).expect("mark");
                let _ = writeln!(
                    s,
                    "authorize {dir} \"${group}\" {}\"${}\"{}",
                    quote(a),
                    sg_var(plan, peer),
                    quote(b)
                );
            }
        }
    }
    s
}

fn report(plan: &Plan<'_>, list: &[String]) -> String {
    let mut r = String::from("## Egress filtering\n\n");
    r.push_str(
        "Egress is denied by default: a security group holds only the egress the profile declares (other groups, \
         the private endpoints, the allow-listed CIDRs). Host names cannot be matched by address filters, so the \
         host-name allow-list below is enforced by the egress filter.\n\n",
    );
    let groups = fqdn_groups(plan);
    r.push_str("| workload | host names | ports | purpose |\n|---|---|---|---|\n");
    for e in &plan.policy.fqdn_egress {
        let ports: Vec<String> = e.ports.iter().map(|p| p.to_string()).collect();
        let _ = writeln!(
            r,
            "| {} | {} | {} | {} |",
            md_cell(&e.group),
            md_cell(&e.fqdns.join(", ")),
            md_cell(&ports.join(", ")),
            md_cell(&e.description.purpose)
        );
    }
    let _ = writeln!(
        r,
        "\nMerged allow-list ({} name(s), names under a listed `.domain` left out): {}\n",
        list.len(),
        list.iter()
            .map(|d| format!("`{}`", md_cell(d)))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let names_of = |gs: &[(usize, Vec<PortRange>, String)]| {
        gs.iter()
            .map(|(g, _, _)| format!("`{}`", plan.groups[*g].name))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let udp = plan
        .policy
        .fqdn_egress
        .iter()
        .any(|e| e.ports.iter().any(|p| p.proto != Proto::Tcp));
    match plan.policy.controls.egress_mode {
        EgressMode::Firewall => {
            let days = log_retention(plan.policy.controls.egress_log_retention_days);
            let _ = write!(
                r,
                "**Mode: firewall.** AWS Network Firewall (`terraform/egress.tf`) holds a stateful domain allow-list \
                 matching the TLS SNI and the HTTP Host header; TLS and HTTP to any other name is dropped. Capacity \
                 {} (names × 2 target types × 2 headroom, rounded up to 100, at least 100; fixed at creation). The \
                 firewall, its policy and rule group are encrypted with a customer-managed KMS key and deletion-protected.\n\n\
                 Security groups: {} get an egress rule on the entries' ports to `0.0.0.0/0`. A security group \
                 matches addresses only, so it cannot name the hosts; the firewall narrows these rules to the \
                 allow-list, **provided the private route tables send `0.0.0.0/0` to the firewall endpoint of their \
                 AZ** (output `egress_firewall_endpoints`) and the firewall subnets route to the NAT gateway. Without \
                 that route these rules let the workloads reach any address on those ports: `verify` should check the \
                 route. Only these workloads have internet egress, only on these ports; this is the one place the \
                 output has egress to `0.0.0.0/0`, and mandatory rule 5 holds because the destination is the \
                 declared host-name allow-list.\n\n\
                 Logs: ALERT (dropped connections) and FLOW records go to the CloudWatch log group \
                 `/{}/network-firewall/egress`, KMS-encrypted, kept {days} days. HOME_NET is `var.home_net_cidrs`: \
                 give the VPC CIDR, plus any spoke VPC routed through this firewall (by default only the firewall's \
                 own VPC is inspected).\n\n\
                 To add a domain: add it to the workload's `[[egress]] fqdns` in the profile, render again and \
                 apply; the rule group's targets are updated in place (a list that outgrows the capacity needs a new \
                 rule group).\n",
                capacity(list.len()),
                names_of(&groups),
                names::tag_value(&plan.policy.deployment.env),
            );
        }
        EgressMode::Proxy => {
            let (name, _) = proxy_group_name(plan);
            let _ = write!(
                r,
                "**Mode: proxy.** `egress/squid.conf` is an explicit forward proxy on {PROXY_PORT}/tcp that allows \
                 requests only to the allow-listed names (HTTPS through `CONNECT` to the name, HTTP by its Host), on \
                 the entries' ports, and denies everything else. The workloads ({}) get one egress rule: \
                 {PROXY_PORT}/tcp to the proxy's security group `{name}` (a group reference, no CIDR). The proxy's \
                 group accepts {PROXY_PORT}/tcp from those groups only and is the one group with egress to \
                 `0.0.0.0/0`, on the entries' ports; it reaches DNS through the VPC resolver, which security groups \
                 do not filter. Run the proxy in the app subnets (two instances in two AZs behind an internal NLB for \
                 availability) and set `HTTPS_PROXY`/`HTTP_PROXY` on the workloads.\n\n\
                 The proxy matches the name the client asks for in `CONNECT`; it does not decrypt TLS. Checking that \
                 the TLS SNI matches that name (`ssl_bump peek`/`splice`) needs a squid built with OpenSSL \
                 (Debian's `squid-openssl`) and a bump certificate, and is not part of this configuration.\n\n\
                 Logs: every request, allowed or denied, goes to `/var/log/squid/access.log` on the proxy; ship it \
                 to CloudWatch Logs (CloudWatch agent) and keep it {} days. `acl localnet` lists the private \
                 ranges: narrow it to the VPC CIDR.\n\n\
                 To add a domain: add it to the workload's `[[egress]] fqdns` in the profile, render again, copy \
                 `egress/squid.conf` to the proxy and run `squid -k parse && squid -k reconfigure`.\n",
                names_of(&groups),
                plan.policy.controls.egress_log_retention_days,
            );
        }
    }
    if udp {
        r.push_str("\nUDP ports in a host-name entry are not filtered by name (neither the firewall's domain list nor the proxy sees them) and get no rule.\n");
    }
    r
}

/// Renders the egress phase.
pub fn render(plan: &Plan<'_>) -> Contribution {
    let fqdn = &plan.policy.fqdn_egress;
    if fqdn.is_empty() {
        return Contribution::default();
    }
    let list = allow_list(fqdn.iter().flat_map(|e| e.fqdns.iter().map(String::as_str)));
    let rules = extra_rules(plan);
    let mut files = Vec::new();
    match plan.policy.controls.egress_mode {
        EgressMode::Firewall => files.push((
            "terraform/egress.tf".to_string(),
            firewall_tf(plan, &list, &rules),
        )),
        EgressMode::Proxy => {
            let ports: Vec<PortRange> = fqdn
                .iter()
                .flat_map(|e| e.ports.iter().copied())
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect();
            files.push(("terraform/egress.tf".to_string(), proxy_tf(plan, &rules)));
            files.push((
                "egress/squid.conf".to_string(),
                squid_conf(
                    &list,
                    &ports,
                    plan.policy.controls.egress_log_retention_days,
                ),
            ));
        }
    }
    Contribution {
        files,
        script: script(plan, &rules),
        report: report(plan, &list),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_absorb_the_names_under_them_across_entries() {
        let list = allow_list([".example.com", "api.example.com", "example.com", "a.b.example.com", "Other.ORG.", "*.x.io", "x.io"]);
        assert_eq!(list, vec![".example.com", ".x.io", "other.org"]);
        // A name that merely ends with the same letters is not under the domain.
        assert_eq!(allow_list([".example.com", "badexample.com"]), vec![".example.com", "badexample.com"]);
        // A narrower wildcard under a wider one goes too.
        assert_eq!(allow_list([".a.example.com", ".example.com"]), vec![".example.com"]);
    }

    #[test]
    fn capacity_and_retention() {
        assert_eq!(capacity(0), 100);
        assert_eq!(capacity(25), 100);
        assert_eq!(capacity(26), 200);
        assert_eq!(capacity(1_000_000), 50_000);
        assert_eq!(log_retention(100), 120);
        assert_eq!(log_retention(365), 365);
        assert_eq!(log_retention(3653), 3653);
        assert_eq!(log_retention(1), 1);
    }

    #[test]
    fn squid_conf_lists_each_name_once_and_denies_the_rest() {
        let list = allow_list([".pypi.org", "files.pythonhosted.org", "pypi.org"]);
        let conf = squid_conf(&list, &[PortRange::tcp(443)], 90);
        assert!(conf.contains("acl allowed_domains dstdomain .pypi.org files.pythonhosted.org\n"));
        assert!(conf.contains("http_access allow localnet allowed_domains\nhttp_access deny all\n"));
        assert!(conf.contains("acl tls_ports port 443\n"));
        assert!(conf.contains("http_port 3128\n"));
    }
}
