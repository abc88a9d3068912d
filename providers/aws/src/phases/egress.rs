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
use crate::logs;
use crate::names;
use crate::plan::Plan;
use crate::report::md_cell;
use crate::shell::quote;
use cloudwall_core::ports::{PortRange, Proto};
use cloudwall_core::profile::model::{EgressMode, Tier};
use serde_json::json;
use std::collections::BTreeSet;
use std::fmt::Write as _;

/// The port the proxy listens on.
pub const PROXY_PORT: u16 = 3128;
/// The role of the proxy's security group: `{env}-{tier}-egress-proxy-sg`.
pub const PROXY_ROLE: &str = "egress-proxy";
/// The smallest CloudWatch retention period of at least `days` ([`crate::logs::retention`]).
pub use crate::logs::retention as log_retention;

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

/// HOME_NET of the domain list: every IPv4 CIDR of the VPC (so the firewall's own VPC is
/// always covered) plus the CIDRs `home_net_cidrs` adds (spoke VPCs routed through it).
const HOME_NET: &str =
    "distinct(concat(data.aws_vpc.egress.cidr_block_associations[*].cidr_block, var.home_net_cidrs))";

/// A `validation` block.
fn validation(condition: &str, message: &str) -> Block {
    Block::new("validation", &[])
        .attr("condition", Expr::raw(condition))
        .attr("error_message", Expr::str(message))
}

/// A `lifecycle { precondition { ... } }` block.
fn precondition(condition: &str, message: &str) -> Block {
    Block::new("lifecycle", &[]).block(
        Block::new("precondition", &[])
            .attr("condition", Expr::raw(condition))
            .attr("error_message", Expr::str(message)),
    )
}

/// An AZ name such as `eu-west-1a` or `us-gov-west-1b`.
const AZ_RE: &str = "^[a-z]{2}(-[a-z]+)+-[0-9]+[a-z]$";

fn az_map_variable(name: &str, description: &str, prefix: &str, what: &str) -> Block {
    Block::new("variable", &[name])
        .attr("description", Expr::str(description))
        .attr("type", Expr::raw("map(string)"))
        .blank()
        .block(validation(
            &format!(
                "length(var.{name}) > 0 && alltrue([for az, id in var.{name} : can(regex({}, az)) && can(regex({}, id))])",
                hcl::string(AZ_RE),
                hcl::string(&format!("^{prefix}-[0-9a-f]+$"))
            ),
            &format!("{name} maps each Availability Zone name (eu-west-1a) to {what} ({prefix}-...), at least one."),
        ))
}

/// The inputs of the firewall and of the routes through it (see the report section).
fn routing_variables() -> Vec<Block> {
    vec![
        Block::new("variable", &["home_net_cidrs"])
            .attr("description", Expr::str("CIDRs inspected as HOME_NET besides the VPC's own (always included): spoke VPCs whose egress is routed through this firewall."))
            .attr("type", Expr::raw("list(string)"))
            .attr("default", Expr::raw("[]"))
            .blank()
            .block(validation(
                "alltrue([for c in var.home_net_cidrs : can(cidrhost(c, 0))])",
                "home_net_cidrs holds CIDR blocks (10.1.0.0/16).",
            )),
        az_map_variable(
            "firewall_subnet_ids",
            "Dedicated firewall subnet of each AZ (AZ => subnet id): a small subnet (/28) that holds only the firewall endpoint, in every AZ with app subnets.",
            "subnet",
            "its dedicated firewall subnet",
        ),
        az_map_variable(
            "app_route_table_ids",
            "Route table of the app subnets of each AZ (AZ => route table id): its 0.0.0.0/0 goes to the firewall endpoint of the same AZ. Never a route table of the data tier, which keeps no internet route.",
            "rtb",
            "the route table of its app subnets",
        ),
        az_map_variable(
            "nat_gateway_ids",
            "NAT gateway of each AZ (AZ => NAT gateway id): the firewall subnet of that AZ sends 0.0.0.0/0 to it.",
            "nat",
            "its NAT gateway",
        ),
        Block::new("variable", &["nat_route_table_ids"])
            .attr("description", Expr::str("Route tables of the subnets that hold the NAT gateways: each app subnet's CIDR goes back through the firewall endpoint of the app subnet's AZ, so replies cross the firewall too. Keep load balancers out of these subnets (their traffic to the app tier would cross the firewall one way only)."))
            .attr("type", Expr::raw("list(string)"))
            .blank()
            .block(validation(
                "length(var.nat_route_table_ids) > 0 && alltrue([for id in var.nat_route_table_ids : can(regex(\"^rtb-[0-9a-f]+$\", id))])",
                "nat_route_table_ids lists the route tables (rtb-...) of the NAT gateways' subnets, at least one.",
            )),
    ]
}

/// The routes that put the firewall on the path: app subnets -> firewall endpoint (same
/// AZ) -> NAT gateway -> internet gateway, and the replies NAT -> firewall -> app.
fn routing_blocks(plan: &Plan<'_>) -> Vec<Block> {
    let env = &plan.policy.deployment.env;
    let endpoint_of = |az: &str| {
        format!("lookup(local.egress_firewall_endpoints, {az}, null)")
    };
    vec![
        Block::new("data", &["aws_vpc", "egress"]).attr("id", Expr::raw("var.vpc_id")),
        Block::new("data", &["aws_subnet", "egress_app"])
            .attr("for_each", Expr::raw("toset(var.app_subnet_ids)"))
            .attr("id", Expr::raw("each.value")),
        Block::new("locals", &[]).attr(
            "egress_firewall_endpoints",
            Expr::raw("{ for s in aws_networkfirewall_firewall.egress.firewall_status[0].sync_states : s.availability_zone => s.attachment[0].endpoint_id }"),
        ),
        Block::new("resource", &["aws_route_table", "egress_firewall"])
            .attr("for_each", Expr::raw("var.firewall_subnet_ids"))
            .attr("vpc_id", Expr::raw("var.vpc_id"))
            .blank()
            .attr("tags", Expr::Wrap(
                "merge(var.tags, ".into(),
                Box::new(Expr::Object(vec![
                    ("Name".into(), Expr::raw(format!("\"{}-egress-firewall-${{each.key}}\"", names::deployment_base(plan.policy)))),
                    ("Env".into(), Expr::str(&names::tag_value(env))),
                ])),
                ")".into(),
            )),
        Block::new("resource", &["aws_route_table_association", "egress_firewall"])
            .attr("for_each", Expr::raw("var.firewall_subnet_ids"))
            .attr("subnet_id", Expr::raw("each.value"))
            .attr("route_table_id", Expr::raw("aws_route_table.egress_firewall[each.key].id")),
        Block::new("resource", &["aws_route", "egress_firewall_to_nat"])
            .attr("for_each", Expr::raw("var.firewall_subnet_ids"))
            .attr("route_table_id", Expr::raw("aws_route_table.egress_firewall[each.key].id"))
            .attr("destination_cidr_block", Expr::str("0.0.0.0/0"))
            .attr("nat_gateway_id", Expr::raw("lookup(var.nat_gateway_ids, each.key, null)"))
            .blank()
            .block(precondition(
                "contains(keys(var.nat_gateway_ids), each.key)",
                "Every AZ of firewall_subnet_ids needs a NAT gateway in nat_gateway_ids.",
            )),
        Block::new("resource", &["aws_route", "app_default_via_firewall"])
            .attr("for_each", Expr::raw("var.app_route_table_ids"))
            .attr("route_table_id", Expr::raw("each.value"))
            .attr("destination_cidr_block", Expr::str("0.0.0.0/0"))
            .attr("vpc_endpoint_id", Expr::raw(endpoint_of("each.key")))
            .blank()
            .block(precondition(
                "contains(keys(var.firewall_subnet_ids), each.key) && length(var.app_subnet_ids) > 0",
                "Every AZ of app_route_table_ids needs a firewall subnet in firewall_subnet_ids, and app_subnet_ids must list the app subnets (their replies are routed back through the firewall).",
            )),
        Block::new("resource", &["aws_route", "nat_return_via_firewall"])
            .attr(
                "for_each",
                Expr::raw("{ for p in setproduct(var.nat_route_table_ids, var.app_subnet_ids) : \"${p[0]}_${p[1]}\" => { route_table_id = p[0], subnet_id = p[1] } }"),
            )
            .attr("route_table_id", Expr::raw("each.value.route_table_id"))
            .attr("destination_cidr_block", Expr::raw("data.aws_subnet.egress_app[each.value.subnet_id].cidr_block"))
            .attr("vpc_endpoint_id", Expr::raw(endpoint_of("data.aws_subnet.egress_app[each.value.subnet_id].availability_zone")))
            .blank()
            .block(precondition(
                "contains(keys(var.firewall_subnet_ids), data.aws_subnet.egress_app[each.value.subnet_id].availability_zone)",
                "Every AZ with app subnets needs a firewall subnet in firewall_subnet_ids.",
            )),
    ]
}

fn firewall_tf(plan: &Plan<'_>, list: &[String], rules: &[ExtraRule]) -> String {
    let base = names::deployment_base(plan.policy);
    let name = format!("{base}-egress");
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
    let mut blocks = routing_variables();
    blocks.extend(vec![
        Block::new("data", &["aws_caller_identity", "egress"]),
        logs::kms_key(
            "egress_firewall",
            "Encrypts the egress firewall and its logs.",
            logs::key_policy("egress"),
            tags(plan, &format!("{base}-egress-firewall-key")),
        ),
        logs::log_group(
            "egress_firewall",
            &format!("/{base}/network-firewall/egress"),
            plan.policy.controls.egress_log_retention_days,
            "egress_firewall",
            tags(plan, &format!("{base}-egress-firewall-logs")),
        ),
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
                            .block(Block::new("ip_set", &[]).attr("definition", Expr::raw(HOME_NET))),
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
                    .attr("for_each", Expr::raw("var.firewall_subnet_ids"))
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
            .attr("value", Expr::raw("local.egress_firewall_endpoints")),
    ]);
    blocks.extend(routing_blocks(plan));
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

/// The `apply.sh` part of the firewall: the KMS key and log group, the rule group, policy
/// and firewall (each found before it is created), the logging configuration, and the
/// routes of [`routing_blocks`], all idempotent.
fn firewall_script(plan: &Plan<'_>, list: &[String]) -> String {
    let env = &plan.policy.deployment.env;
    let base = names::deployment_base(plan.policy);
    let name = format!("{base}-egress");
    let retention = log_retention(plan.policy.controls.egress_log_retention_days);
    let log_group = format!("/{base}/network-firewall/egress");
    let tags = |n: &str| json!([{ "Key": "Name", "Value": n }, { "Key": "Env", "Value": names::tag_value(env) }]);
    let kms = json!({ "KeyId": "@KEY_ARN@", "Type": "CUSTOMER_KMS" });
    let rule_group = json!({
        "RuleVariables": { "IPSets": { "HOME_NET": { "Definition": ["@HOME_NET@"] } } },
        "RulesSource": { "RulesSourceList": {
            "Targets": list, "TargetTypes": ["TLS_SNI", "HTTP_HOST"], "GeneratedRulesType": "ALLOWLIST" } }
    });
    let rg_desc = "Host names the workloads may reach (TLS SNI and HTTP Host); other TLS and HTTP is dropped.";
    let rg_name = format!("{name}-fqdn-allowlist");
    let create_rg = json!({
        "RuleGroupName": rg_name, "Type": "STATEFUL", "Capacity": capacity(list.len()), "Description": rg_desc,
        "RuleGroup": rule_group, "EncryptionConfiguration": kms, "Tags": tags(&rg_name),
    });
    let update_rg = json!({
        "RuleGroupName": rg_name, "Type": "STATEFUL", "UpdateToken": "@TOKEN@", "Description": rg_desc,
        "RuleGroup": rule_group, "EncryptionConfiguration": kms,
    });
    let policy_name = format!("{name}-policy");
    let create_policy = json!({
        "FirewallPolicyName": policy_name,
        "FirewallPolicy": {
            "StatelessDefaultActions": ["aws:forward_to_sfe"],
            "StatelessFragmentDefaultActions": ["aws:forward_to_sfe"],
            "StatefulRuleGroupReferences": [{ "ResourceArn": "@RULE_GROUP_ARN@" }]
        },
        "EncryptionConfiguration": kms, "Tags": tags(&policy_name),
    });
    let fw_name = format!("{name}-firewall");
    let create_fw = json!({
        "FirewallName": fw_name, "FirewallPolicyArn": "@POLICY_ARN@", "VpcId": "@VPC_ID@",
        "SubnetMappings": ["@SUBNET_MAPPINGS@"],
        "DeleteProtection": true, "SubnetChangeProtection": true, "FirewallPolicyChangeProtection": true,
        "Description": "Egress filter: host-name allow-list on the app subnets' way to the internet",
        "EncryptionConfiguration": kms, "Tags": tags(&fw_name),
    });
    let logging = |types: &[&str]| {
        json!({ "FirewallName": fw_name, "LoggingConfiguration": { "LogDestinationConfigs":
            types.iter().map(|t| json!({ "LogType": t, "LogDestinationType": "CloudWatchLogs",
                "LogDestination": { "logGroup": log_group } })).collect::<Vec<_>>() } })
    };
    // Array placeholders stand for a JSON list the script splices in.
    let doc = |v: serde_json::Value| {
        quote(&v.to_string().replace("\"@HOME_NET@\"", "@HOME_NET@").replace("\"@SUBNET_MAPPINGS@\"", "@SUBNET_MAPPINGS@"))
    };
    let mut s = String::from(FIREWALL_PRELUDE);
    let _ = writeln!(s, "FW_NAME={}\nFW_RULE_GROUP={}\nFW_POLICY={}", quote(&fw_name), quote(&rg_name), quote(&policy_name));
    let _ = writeln!(s, "FW_KEY_ALIAS={}\nFW_LOG_GROUP={}\nFW_RETENTION_DAYS={retention}", quote(&format!("alias/{name}-firewall")), quote(&log_group));
    let _ = writeln!(s, "FW_KEY_POLICY={}", quote(&logs::key_policy_json()));
    let _ = writeln!(s, "FW_CREATE_RULE_GROUP={}", doc(create_rg));
    let _ = writeln!(s, "FW_UPDATE_RULE_GROUP={}", doc(update_rg));
    let _ = writeln!(s, "FW_CREATE_POLICY={}", doc(create_policy));
    let _ = writeln!(s, "FW_CREATE_FIREWALL={}", doc(create_fw));
    let _ = writeln!(s, "FW_LOGGING_ALERT={}", doc(logging(&["ALERT"])));
    let _ = writeln!(s, "FW_LOGGING_BOTH={}", doc(logging(&["ALERT", "FLOW"])));
    s.push_str(FIREWALL_BODY);
    s
}

/// Inputs, checks and helpers of the firewall part of `apply.sh`.
const FIREWALL_PRELUDE: &str = r#"
# Egress firewall (AWS Network Firewall): the host-name allow-list on the app subnets' way out.
# Path: app subnets -> firewall endpoint (same AZ) -> NAT gateway -> internet gateway; the
# NAT gateways' subnets send the replies to the app subnets back through the firewall.
# Inputs (space-separated ids): FIREWALL_SUBNET_IDS (one dedicated subnet per AZ),
# APP_SUBNET_IDS, NAT_GATEWAY_IDS (one per AZ, or a single one for all); optional:
# DATA_SUBNET_IDS (checked to keep no internet route), HOME_NET_CIDRS (spoke CIDRs inspected
# besides the VPC's own), FIREWALL_WAIT_SECONDS (how long to wait for the endpoints, 900).
for fw_var in FIREWALL_SUBNET_IDS APP_SUBNET_IDS NAT_GATEWAY_IDS; do
  if [ -z "${!fw_var:-}" ]; then
    echo "apply.sh: $fw_var is not set; the egress firewall needs it (space-separated ids: FIREWALL_SUBNET_IDS=subnet-... one per AZ, APP_SUBNET_IDS=subnet-..., NAT_GATEWAY_IDS=nat-...)" >&2
    exit 1
  fi
done
for fw_cidr in ${HOME_NET_CIDRS:-}; do
  if ! [[ "$fw_cidr" =~ ^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+/[0-9]+$ ]]; then
    echo "apply.sh: HOME_NET_CIDRS holds '$fw_cidr', which is not an IPv4 CIDR" >&2
    exit 1
  fi
done

nfw() {
  aws network-firewall --region "$REGION" "$@"
}

# subnet_field SUBNET_ID FIELD: one field of a subnet (AvailabilityZone, CidrBlock).
subnet_field() {
  ec2 describe-subnets --subnet-ids "$1" --query "Subnets[0].$2" --output text
}

# subnet_route_table SUBNET_ID: the route table associated with the subnet, or nothing.
subnet_route_table() {
  local rt
  rt="$(ec2 describe-route-tables --filters "Name=association.subnet-id,Values=$1" \
    --query 'RouteTables[0].RouteTableId' --output text)" || return 1
  case "$rt" in
    rtb-*) printf '%s\n' "$rt" ;;
  esac
}

# own_route_table SUBNET_ID WHAT: the subnet's own route table; the VPC's main route table is refused.
own_route_table() {
  local rt
  rt="$(subnet_route_table "$1")" || return 1
  if [ -z "$rt" ]; then
    echo "apply.sh: $2 subnet $1 uses the VPC's main route table; associate it with a route table of its own first" >&2
    return 1
  fi
  printf '%s\n' "$rt"
}

# ensure_route ROUTE_TABLE CIDR TARGET_OPTION TARGET_ID: the route to CIDR goes to TARGET_ID
# (created, or replaced when it goes elsewhere).
ensure_route() {
  local current
  current="$(ec2 describe-route-tables --route-table-ids "$1" \
    --query "RouteTables[0].Routes[?DestinationCidrBlock=='$2'] | [0].[GatewayId, NatGatewayId]" --output text)" || return 1
  case "$current" in
    *"$4"*) echo "route $2 in $1 goes to $4" >&2 ;;
    ""|None) ec2 create-route --route-table-id "$1" --destination-cidr-block "$2" "$3" "$4" >/dev/null
      echo "route $2 in $1 created to $4" >&2 ;;
    *) ec2 replace-route --route-table-id "$1" --destination-cidr-block "$2" "$3" "$4" >/dev/null
      echo "route $2 in $1 now goes to $4 (was: $current)" >&2 ;;
  esac
}

# fw_fill TEXT: TEXT with the account, region, VPC and the ids found so far.
fw_fill() {
  local t="$1"
  t="${t//@ACCOUNT@/$FW_ACCOUNT}"
  t="${t//@REGION@/$REGION}"
  t="${t//@VPC_ID@/$VPC_ID}"
  t="${t//@KEY_ARN@/${FW_KEY_ARN:-}}"
  t="${t//@HOME_NET@/${FW_HOME_NET:-}}"
  t="${t//@RULE_GROUP_ARN@/${FW_RULE_GROUP_ARN:-}}"
  t="${t//@POLICY_ARN@/${FW_POLICY_ARN:-}}"
  t="${t//@SUBNET_MAPPINGS@/${FW_SUBNET_MAPPINGS:-}}"
  t="${t//@TOKEN@/${FW_TOKEN:-}}"
  printf '%s' "$t"
}

# not_found OUTPUT: whether an error output says the resource does not exist.
not_found() {
  case "$1" in
    *ResourceNotFound*) return 0 ;;
    *) printf '%s\n' "$1" >&2; return 1 ;;
  esac
}
"#;

/// The commands of the firewall part of `apply.sh` (after [`FIREWALL_PRELUDE`] and the
/// documents).
const FIREWALL_BODY: &str = r#"FW_ACCOUNT="$(aws sts get-caller-identity --query Account --output text)"

# Where everything is: the AZ of each firewall subnet, NAT gateway and app subnet.
declare -A fw_subnet_of=() fw_nat_of=() fw_app_rt_az=()
read -r -a fw_subnets <<< "$FIREWALL_SUBNET_IDS"
for subnet in "${fw_subnets[@]}"; do
  az="$(subnet_field "$subnet" AvailabilityZone)"
  if [ -n "${fw_subnet_of[$az]:-}" ]; then
    echo "apply.sh: FIREWALL_SUBNET_IDS has two subnets in $az (${fw_subnet_of[$az]} and $subnet); give one per AZ" >&2
    exit 1
  fi
  fw_subnet_of[$az]="$subnet"
done
read -r -a fw_nats <<< "$NAT_GATEWAY_IDS"
declare -a fw_nat_route_tables=()
for nat in "${fw_nats[@]}"; do
  nat_subnet="$(ec2 describe-nat-gateways --nat-gateway-ids "$nat" --query 'NatGateways[0].SubnetId' --output text)"
  az="$(subnet_field "$nat_subnet" AvailabilityZone)"
  fw_nat_of[$az]="$nat"
  rt="$(own_route_table "$nat_subnet" "NAT gateway $nat's")"
  case " ${fw_nat_route_tables[*]} " in *" $rt "*) ;; *) fw_nat_route_tables+=("$rt") ;; esac
done
read -r -a fw_app_subnets <<< "$APP_SUBNET_IDS"
declare -a fw_app_cidrs=() fw_app_azs=() fw_app_rts=()
for subnet in "${fw_app_subnets[@]}"; do
  az="$(subnet_field "$subnet" AvailabilityZone)"
  if [ -z "${fw_subnet_of[$az]:-}" ]; then
    echo "apply.sh: app subnet $subnet is in $az, where FIREWALL_SUBNET_IDS has no firewall subnet" >&2
    exit 1
  fi
  rt="$(own_route_table "$subnet" app)"
  if [ -n "${fw_app_rt_az[$rt]:-}" ] && [ "${fw_app_rt_az[$rt]}" != "$az" ]; then
    echo "apply.sh: route table $rt serves app subnets in ${fw_app_rt_az[$rt]} and $az; each AZ needs its own (its default route goes to that AZ's firewall endpoint)" >&2
    exit 1
  fi
  fw_app_rt_az[$rt]="$az"
  fw_app_cidrs+=("$(subnet_field "$subnet" CidrBlock)")
  fw_app_azs+=("$az")
done
# Only the data tier keeps no internet route: it must not share a route table with the app tier.
for subnet in ${DATA_SUBNET_IDS:-}; do
  rt="$(subnet_route_table "$subnet")"
  if [ -n "$rt" ] && [ -n "${fw_app_rt_az[$rt]:-}" ]; then
    echo "apply.sh: data subnet $subnet shares route table $rt with the app tier; the data tier keeps no internet route, give it a route table of its own" >&2
    exit 1
  fi
done
FW_HOME_NET=""
for cidr in $(ec2 describe-vpcs --vpc-ids "$VPC_ID" \
    --query 'Vpcs[0].CidrBlockAssociationSet[?CidrBlockState.State==`associated`].CidrBlock' --output text) ${HOME_NET_CIDRS:-}; do
  case ",$FW_HOME_NET," in *",\"$cidr\","*) ;; *) FW_HOME_NET="${FW_HOME_NET:+$FW_HOME_NET,}\"$cidr\"" ;; esac
done
FW_SUBNET_MAPPINGS=""
for subnet in "${fw_subnets[@]}"; do
  FW_SUBNET_MAPPINGS="${FW_SUBNET_MAPPINGS:+$FW_SUBNET_MAPPINGS,}{\"SubnetId\":\"$subnet\"}"
done

# KMS key of the firewall and its logs (rotation on).
FW_KEY_ARN="$(aws kms --region "$REGION" describe-key --key-id "$FW_KEY_ALIAS" --query KeyMetadata.Arn --output text 2>/dev/null || true)"
case "$FW_KEY_ARN" in
  arn:*) aws kms --region "$REGION" put-key-policy --key-id "$FW_KEY_ARN" --policy-name default --policy "$(fw_fill "$FW_KEY_POLICY")" ;;
  *)
    FW_KEY_ARN="$(aws kms --region "$REGION" create-key --description 'Encrypts the egress firewall and its logs' \
      --policy "$(fw_fill "$FW_KEY_POLICY")" --query KeyMetadata.Arn --output text)"
    aws kms --region "$REGION" create-alias --alias-name "$FW_KEY_ALIAS" --target-key-id "$FW_KEY_ARN"
    echo "created KMS key $FW_KEY_ALIAS: $FW_KEY_ARN" >&2
    ;;
esac
aws kms --region "$REGION" enable-key-rotation --key-id "$FW_KEY_ARN"

# Log group of the ALERT and FLOW records, encrypted with the key.
cw_log_group "$FW_LOG_GROUP" "$FW_RETENTION_DAYS" "$FW_KEY_ARN"

# Rule group: created once (its capacity is fixed), its allow-list brought up to date after.
if FW_TOKEN="$(nfw describe-rule-group --rule-group-name "$FW_RULE_GROUP" --type STATEFUL --query UpdateToken --output text 2>&1)"; then
  FW_RULE_GROUP_ARN="$(nfw update-rule-group --cli-input-json "$(fw_fill "$FW_UPDATE_RULE_GROUP")" \
    --query RuleGroupResponse.RuleGroupArn --output text)"
  echo "updated rule group $FW_RULE_GROUP" >&2
else
  not_found "$FW_TOKEN" || exit 1
  FW_RULE_GROUP_ARN="$(nfw create-rule-group --cli-input-json "$(fw_fill "$FW_CREATE_RULE_GROUP")" \
    --query RuleGroupResponse.RuleGroupArn --output text)"
  echo "created rule group $FW_RULE_GROUP: $FW_RULE_GROUP_ARN" >&2
fi

# Firewall policy: every packet to the stateful engine, which applies the rule group.
if ! FW_POLICY_ARN="$(nfw describe-firewall-policy --firewall-policy-name "$FW_POLICY" \
    --query FirewallPolicyResponse.FirewallPolicyArn --output text 2>&1)"; then
  not_found "$FW_POLICY_ARN" || exit 1
  FW_POLICY_ARN="$(nfw create-firewall-policy --cli-input-json "$(fw_fill "$FW_CREATE_POLICY")" \
    --query FirewallPolicyResponse.FirewallPolicyArn --output text)"
  echo "created firewall policy $FW_POLICY: $FW_POLICY_ARN" >&2
fi

# Firewall: one endpoint in each firewall subnet.
if ! FW_ARN="$(nfw describe-firewall --firewall-name "$FW_NAME" --query Firewall.FirewallArn --output text 2>&1)"; then
  not_found "$FW_ARN" || exit 1
  FW_ARN="$(nfw create-firewall --cli-input-json "$(fw_fill "$FW_CREATE_FIREWALL")" --query Firewall.FirewallArn --output text)"
  echo "created firewall $FW_NAME: $FW_ARN" >&2
fi

# Logging: ALERT (dropped connections) and FLOW records; the API takes one change per call.
fw_logs="$(nfw describe-logging-configuration --firewall-name "$FW_NAME" \
  --query 'LoggingConfiguration.LogDestinationConfigs[].LogType' --output text)"
case "$fw_logs" in
  *ALERT*FLOW*|*FLOW*ALERT*) ;;
  *ALERT*|*FLOW*) nfw update-logging-configuration --cli-input-json "$(fw_fill "$FW_LOGGING_BOTH")" >/dev/null ;;
  *)
    nfw update-logging-configuration --cli-input-json "$(fw_fill "$FW_LOGGING_ALERT")" >/dev/null
    nfw update-logging-configuration --cli-input-json "$(fw_fill "$FW_LOGGING_BOTH")" >/dev/null
    ;;
esac

# The firewall endpoint of each AZ (they appear once the firewall is provisioned).
declare -A fw_endpoint_of=()
fw_deadline=$((SECONDS + ${FIREWALL_WAIT_SECONDS:-900}))
while :; do
  missing=""
  for az in "${!fw_subnet_of[@]}"; do
    ep="$(nfw describe-firewall --firewall-name "$FW_NAME" \
      --query "FirewallStatus.SyncStates.\"$az\".Attachment.EndpointId" --output text)"
    case "$ep" in
      vpce-*) fw_endpoint_of[$az]="$ep" ;;
      *) missing="$missing $az" ;;
    esac
  done
  [ -z "$missing" ] && break
  if [ "$SECONDS" -ge "$fw_deadline" ]; then
    echo "apply.sh: the firewall has no endpoint yet in:$missing; run apply.sh again once it is provisioned" >&2
    exit 1
  fi
  sleep 15
done

# Firewall subnets -> NAT gateway of their AZ (or the only one).
for az in "${!fw_subnet_of[@]}"; do
  nat="${fw_nat_of[$az]:-}"
  if [ -z "$nat" ]; then
    if [ "${#fw_nats[@]}" -ne 1 ]; then
      echo "apply.sh: NAT_GATEWAY_IDS has no NAT gateway in $az" >&2
      exit 1
    fi
    nat="${fw_nats[0]}"
  fi
  rt="$(subnet_route_table "${fw_subnet_of[$az]}")"
  if [ -z "$rt" ]; then
    rt="$(ec2 create-route-table --vpc-id "$VPC_ID" --query RouteTable.RouteTableId --output text \
      --tag-specifications "ResourceType=route-table,Tags=[{Key=Name,Value=$FW_NAME-$az}]")"
    ec2 associate-route-table --route-table-id "$rt" --subnet-id "${fw_subnet_of[$az]}" >/dev/null
    echo "created route table $rt of firewall subnet ${fw_subnet_of[$az]}" >&2
  fi
  ensure_route "$rt" 0.0.0.0/0 --nat-gateway-id "$nat"
done
# Replies: NAT gateways' subnets -> each app subnet through the endpoint of its AZ.
for rt in "${fw_nat_route_tables[@]}"; do
  for i in "${!fw_app_cidrs[@]}"; do
    ensure_route "$rt" "${fw_app_cidrs[$i]}" --vpc-endpoint-id "${fw_endpoint_of[${fw_app_azs[$i]}]}"
  done
done
# Last, the app subnets' way out: 0.0.0.0/0 to the endpoint of their AZ.
for rt in "${!fw_app_rt_az[@]}"; do
  ensure_route "$rt" 0.0.0.0/0 --vpc-endpoint-id "${fw_endpoint_of[${fw_app_rt_az[$rt]}]}"
done
"#;

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
                 matches addresses only, so it cannot name the hosts; the firewall on the route narrows these rules \
                 to the allow-list. Only these workloads have internet egress, only on these ports; this is the one \
                 place the output has egress to `0.0.0.0/0`, and mandatory rule 5 holds because the destination is \
                 the declared host-name allow-list.\n\n\
                 Routing (the firewall filters only what the route tables send to it):\n\n\
                 | route table | destination | target | why |\n|---|---|---|---|\n\
                 | app subnets' (one per AZ) | `0.0.0.0/0` | firewall endpoint of the same AZ | every connection the app tier opens to the internet crosses the firewall |\n\
                 | firewall subnet's (one per AZ, created) | `0.0.0.0/0` | NAT gateway of the same AZ | what the firewall passes leaves through the NAT gateway and the internet gateway |\n\
                 | NAT gateways' subnets | each app subnet's CIDR | firewall endpoint of that subnet's AZ | replies cross the same endpoint (the stateful engine needs both directions) |\n\
                 | data subnets' | none | none | the data tier keeps no internet route |\n\n\
                 The routes to the NAT gateways' subnets also catch other traffic from those subnets to the app tier: \
                 keep load balancers in subnets of their own, or their requests cross the firewall one way only. \
                 An existing `0.0.0.0/0` of the app route tables (usually to the NAT gateway) is replaced by \
                 `cli/apply.sh`; in Terraform, remove it from the code that owns it (or `terraform import` it as \
                 `aws_route.app_default_via_firewall[\"<az>\"]`) before applying.\n\n\
                 Inputs (Terraform variables of `terraform/egress.tf`, environment of `cli/apply.sh`):\n\n\
                 | Terraform | `apply.sh` | what |\n|---|---|---|\n\
                 | `firewall_subnet_ids` (AZ => subnet) | `FIREWALL_SUBNET_IDS` | a dedicated subnet (a /28 is enough) per AZ with app subnets, holding only the firewall endpoint |\n\
                 | `app_route_table_ids` (AZ => route table) | found from `APP_SUBNET_IDS` | the app subnets' route tables; `apply.sh` refuses one shared with a data subnet (`DATA_SUBNET_IDS`) or with app subnets of two AZs, and a subnet on the VPC's main route table |\n\
                 | `nat_gateway_ids` (AZ => NAT gateway) | `NAT_GATEWAY_IDS` | the NAT gateway each firewall subnet sends to (`apply.sh` takes a single one for every AZ) |\n\
                 | `nat_route_table_ids` | found from the NAT gateways' subnets | where the replies are routed back through the firewall |\n\
                 | `app_subnet_ids` | `APP_SUBNET_IDS` | their CIDRs and AZs, for the return routes |\n\
                 | `home_net_cidrs` (default none) | `HOME_NET_CIDRS` | CIDRs inspected as HOME_NET besides the VPC's own CIDRs, which are always included: spoke VPCs whose egress is routed here |\n\
                 | output `egress_firewall_endpoints` | `FIREWALL_WAIT_SECONDS` (900) | the endpoint of each AZ; `apply.sh` waits that long for them to be provisioned |\n\n\
                 Logs: ALERT (dropped connections) and FLOW records go to the CloudWatch log group \
                 `/{}/network-firewall/egress`, KMS-encrypted, kept {days} days. The domain list's HOME_NET is the \
                 VPC's CIDRs plus `home_net_cidrs`; traffic from a source outside HOME_NET is not filtered by the \
                 list.\n\n\
                 To add a domain: add it to the workload's `[[egress]] fqdns` in the profile, render again and \
                 apply; the rule group's targets are updated in place (a list that outgrows the capacity needs a new \
                 rule group).\n",
                capacity(list.len()),
                names_of(&groups),
                names::deployment_base(plan.policy),
            );
            let off: Vec<String> = groups
                .iter()
                .filter(|(g, _, _)| plan.groups[*g].group.tier != Tier::App)
                .map(|(g, _, _)| format!("`{}` ({})", plan.groups[*g].name, plan.groups[*g].group.tier.as_str()))
                .collect();
            if !off.is_empty() {
                let _ = write!(
                    r,
                    "\n**Outside the routed tier:** {} have host-name egress but are not in the app tier, whose route \
                     tables alone are sent through the firewall: public subnets reach the internet gateway directly \
                     (unfiltered by name) and the data tier has no internet route at all (the names are unreachable). \
                     Move these workloads to the app tier, or route their subnets through the firewall the same way.\n",
                    off.join(", ")
                );
            }
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
    let mut script = script(plan, &rules);
    if plan.policy.controls.egress_mode == EgressMode::Firewall {
        script.push_str(&firewall_script(plan, &list));
    }
    Contribution {
        files,
        script,
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
    fn capacity_is_rounded_and_bounded() {
        assert_eq!(capacity(0), 100);
        assert_eq!(capacity(25), 100);
        assert_eq!(capacity(26), 200);
        assert_eq!(capacity(1_000_000), 50_000);
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
