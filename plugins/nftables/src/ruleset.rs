//! One workload host's nftables ruleset: an `inet` table with input and output base
//! chains (policy drop), connection tracking, loopback, IPv6 neighbour discovery, the
//! `[[deny]]` ranges, and one accept rule per Policy rule with its description as the
//! comment.

use crate::escape::{hash_comment, nft_comment};
use crate::model::{nft_addr, Host, Model};
use cloudwall_plugin_sdk::core::policy::{DenyEntry, Direction, Peer, Rule};
use cloudwall_plugin_sdk::core::ports::{PortRange, Proto};
use cloudwall_plugin_sdk::core::profile::model::FlowLogTraffic;
use ipnet::IpNet;
use std::fmt::Write as _;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    V4,
    V6,
}

/// One Policy rule as it lands in a chain: its nft statements, or why it was skipped.
#[derive(Debug, Clone)]
pub struct RenderedRule<'a> {
    pub rule: &'a Rule,
    pub statements: Vec<String>,
    pub skipped: Option<String>,
}

fn addr_match(dir: Direction, fam: Family, what: &str) -> String {
    let side = if dir == Direction::Ingress {
        "saddr"
    } else {
        "daddr"
    };
    match fam {
        Family::V4 => format!("ip {side} {what}"),
        Family::V6 => format!("ip6 {side} {what}"),
    }
}

/// The address part of a rule, per family, or why it cannot be rendered.
fn peer_matches(
    model: &Model,
    peer: &Peer,
    dir: Direction,
) -> Result<Vec<(Family, String)>, String> {
    match peer {
        Peer::Group { id } => {
            let set = model
                .sets
                .get(id)
                .ok_or_else(|| format!("`{}` is not a group of this policy", hash_comment(id)))?;
            let mut out = Vec::new();
            if set.has_v4() {
                out.push((
                    Family::V4,
                    addr_match(dir, Family::V4, &format!("@{}", set.name_v4())),
                ));
            }
            if set.has_v6() {
                out.push((
                    Family::V6,
                    addr_match(dir, Family::V6, &format!("@{}", set.name_v6())),
                ));
            }
            Ok(out)
        }
        Peer::Cidr { cidr, .. } => {
            let fam = if matches!(cidr, IpNet::V4(_)) {
                Family::V4
            } else {
                Family::V6
            };
            if cidr.prefix_len() == 0 {
                let name = if fam == Family::V4 { "ipv4" } else { "ipv6" };
                Ok(vec![(fam, format!("meta nfproto {name}"))])
            } else {
                Ok(vec![(fam, addr_match(dir, fam, &nft_addr(&cidr.trunc())))])
            }
        }
    }
}

fn port_match(ports: &PortRange, fam: Family) -> String {
    let range = if ports.from == ports.to {
        ports.from.to_string()
    } else {
        format!("{}-{}", ports.from, ports.to)
    };
    match ports.proto {
        Proto::Tcp => format!("tcp dport {range}"),
        Proto::Udp => format!("udp dport {range}"),
        Proto::Icmp if fam == Family::V4 => "meta l4proto icmp".to_string(),
        Proto::Icmp => "meta l4proto ipv6-icmp".to_string(),
        Proto::All => String::new(),
    }
}

/// The rules of a host in one direction, in Policy order.
pub fn rules_for<'a>(
    model: &'a Model<'a>,
    host: &'a Host<'a>,
    dir: Direction,
) -> Vec<RenderedRule<'a>> {
    model
        .policy
        .rules_of(&host.group.id, dir)
        .map(|rule| match peer_matches(model, &rule.peer, dir) {
            Err(why) => RenderedRule {
                rule,
                statements: vec![],
                skipped: Some(why),
            },
            Ok(parts) => {
                let comment = nft_comment(&rule.description.text());
                let statements = parts
                    .into_iter()
                    .map(|(fam, peer)| {
                        let mut s = peer;
                        let p = port_match(&rule.ports, fam);
                        if !p.is_empty() {
                            s.push(' ');
                            s.push_str(&p);
                        }
                        if let Some(prefix) = log_accepted(model, host, dir) {
                            s.push_str(&format!(" log prefix \"{prefix}\" level info"));
                        }
                        format!("{s} accept comment \"{comment}\"")
                    })
                    .collect();
                RenderedRule {
                    rule,
                    statements,
                    skipped: None,
                }
            }
        })
        .collect()
}

/// `[[deny]]` entries as drop statements (one per entry and family).
fn deny_statements(deny: &[DenyEntry], dir: Direction) -> Vec<String> {
    let mut out = Vec::new();
    for d in deny {
        let nets = crate::model::aggregate(d.cidrs.iter().copied());
        let comment = nft_comment(&format!("deny - {}", d.purpose));
        for fam in [Family::V4, Family::V6] {
            let list: Vec<String> = nets
                .iter()
                .filter(|n| matches!(n, IpNet::V4(_)) == (fam == Family::V4))
                .map(nft_addr)
                .collect();
            if list.is_empty() {
                continue;
            }
            out.push(format!(
                "{} drop comment \"{comment}\"",
                addr_match(dir, fam, &format!("{{ {} }}", list.join(", ")))
            ));
        }
    }
    out
}

fn write_set(out: &mut String, name: &str, ty: &str, table: &str, nets: &[IpNet]) {
    let _ = writeln!(out, "\tset {name} {{\n\t\ttype {ty}\n\t\tflags interval");
    let _ = writeln!(out, "\t\tcomment \"hosts of {table}\"");
    if nets.is_empty() {
        let _ = writeln!(
            out,
            "\t\t# no addresses in [hosts]: rules using this set match nothing"
        );
    } else {
        let elems: Vec<String> = nets.iter().map(nft_addr).collect();
        let _ = writeln!(out, "\t\telements = {{ {} }}", elems.join(", "));
    }
    let _ = writeln!(out, "\t}}\n");
}

/// The `log prefix` of a chain's flow-log records: `<table> in accept: ` (nft caps it
/// at 127 bytes; table names are ASCII identifiers).
fn log_prefix(host: &Host, dir: Direction, action: &str) -> String {
    let table: String = host.table.chars().take(64).collect();
    let side = if dir == Direction::Ingress {
        "in"
    } else {
        "out"
    };
    format!("{table} {side} {action}: ")
}

/// With flow logs of accepted traffic, the prefix new allowed connections are logged with.
fn log_accepted(model: &Model, host: &Host, dir: Direction) -> Option<String> {
    let f = model.policy.controls.flow_logs.as_ref()?;
    matches!(f.traffic, FlowLogTraffic::All | FlowLogTraffic::Accept)
        .then(|| log_prefix(host, dir, "accept"))
}

fn write_chain(out: &mut String, model: &Model, host: &Host, dir: Direction) {
    let (name, hook, iface) = match dir {
        Direction::Ingress => ("input", "input", "iifname"),
        Direction::Egress => ("output", "output", "oifname"),
    };
    let _ = writeln!(out, "\tchain {name} {{");
    let _ = writeln!(
        out,
        "\t\ttype filter hook {hook} priority filter; policy drop;"
    );
    for s in deny_statements(&model.policy.deny, dir) {
        let _ = writeln!(out, "\t\t{s}");
    }
    let _ = writeln!(
        out,
        "\t\tct state invalid drop comment \"untracked or malformed packets\""
    );
    let _ = writeln!(
        out,
        "\t\tct state established,related accept comment \"return traffic of allowed connections\""
    );
    let _ = writeln!(out, "\t\t{iface} \"lo\" accept comment \"loopback\"");
    let nd = match dir {
        Direction::Ingress => "nd-neighbor-solicit, nd-neighbor-advert, nd-router-advert",
        Direction::Egress => "nd-neighbor-solicit, nd-neighbor-advert, nd-router-solicit",
    };
    let _ = writeln!(
        out,
        "\t\ticmpv6 type {{ {nd} }} ip6 hoplimit 255 accept comment \"IPv6 neighbour discovery, on-link only\""
    );
    for r in rules_for(model, host, dir) {
        match &r.skipped {
            Some(why) => {
                let _ = writeln!(
                    out,
                    "\t\t# not rendered: {} ({})",
                    hash_comment(&r.rule.description.text()),
                    hash_comment(why)
                );
            }
            None => {
                for s in &r.statements {
                    let _ = writeln!(out, "\t\t{s}");
                }
            }
        }
    }
    let log_refused = model
        .policy
        .controls
        .flow_logs
        .as_ref()
        .is_some_and(|f| matches!(f.traffic, FlowLogTraffic::All | FlowLogTraffic::Reject));
    if log_refused {
        let _ = writeln!(
            out,
            "\t\tlimit rate 10/second burst 20 packets log prefix \"{}\" level info comment \"flow log: refused packets, rate-limited; the policy drops them\"",
            log_prefix(host, dir, "drop")
        );
    }
    let _ = writeln!(out, "\t}}");
}

/// The `nft -f` file of one host: the whole table, input and output chains together.
/// Loading the file replaces the table atomically, so a file with one chain would drop
/// the other chain's protection (a ruleset is never rendered in part).
pub fn render(model: &Model, host: &Host) -> String {
    let g = host.group;
    let d = &model.policy.deployment;
    let mut out = String::new();
    let _ = writeln!(out, "#!/usr/sbin/nft -f");
    let _ = writeln!(
        out,
        "# Host firewall of workload {} ({} tier{}) in {} ({}).",
        hash_comment(&g.id),
        g.tier,
        g.kind.map(|k| format!(", {k}")).unwrap_or_default(),
        hash_comment(&d.name),
        hash_comment(&d.env)
    );
    let addrs: Vec<String> = host
        .addrs
        .v4
        .iter()
        .chain(&host.addrs.v6)
        .map(nft_addr)
        .collect();
    if addrs.is_empty() {
        let _ = writeln!(
            out,
            "# Addresses: none in [hosts] (this ruleset does not need them; its peers do)."
        );
    } else {
        let _ = writeln!(out, "# Addresses: {}", addrs.join(", "));
    }
    let _ = writeln!(
        out,
        "# Load: nft -c -f <this file> (check), then nft -f <this file>. It replaces table"
    );
    let _ = writeln!(
        out,
        "# inet {} atomically and leaves every other table alone.",
        host.table
    );
    let _ = writeln!(out);
    let _ = writeln!(out, "table inet {}", host.table);
    let _ = writeln!(out, "delete table inet {}", host.table);
    let _ = writeln!(out);
    let _ = writeln!(out, "table inet {} {{", host.table);

    // The address sets this host's rules reference, in group order.
    let mut used: Vec<&str> = Vec::new();
    for dir in [Direction::Ingress, Direction::Egress] {
        for r in model.policy.rules_of(&g.id, dir) {
            if let Peer::Group { id } = &r.peer {
                if model.sets.contains_key(id) && !used.contains(&id.as_str()) {
                    used.push(id);
                }
            }
        }
    }
    used.sort();
    for id in used {
        let set = &model.sets[id];
        if set.has_v4() {
            write_set(&mut out, &set.name_v4(), "ipv4_addr", &set.table, &set.v4);
        }
        if set.has_v6() {
            write_set(&mut out, &set.name_v6(), "ipv6_addr", &set.table, &set.v6);
        }
    }
    write_chain(&mut out, model, host, Direction::Ingress);
    let _ = writeln!(out);
    write_chain(&mut out, model, host, Direction::Egress);
    let _ = writeln!(out, "}}");
    out
}
