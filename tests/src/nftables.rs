//! The nftables plugin in the shared suites: its `cdylib`, built by cargo into the
//! running test's target directory and loaded through the real plugin host, and the
//! reader of its rulesets for the conformance suite.

use crate::readback::{ReadBack, ReadPeer, ReadRule};
use cloudwall_core::ports::{PortRange, Proto};
use cloudwall_core::provider::Artifacts;
use cloudwall_plugin_host::PluginProvider;
use ipnet::IpNet;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// The nftables plugin, built (`cargo build -p cloudwall-nftables`) and loaded once.
pub fn plugin() -> &'static PluginProvider {
    static PLUGIN: OnceLock<PluginProvider> = OnceLock::new();
    PLUGIN.get_or_init(|| {
        let path = cloudwall_plugin_host::testing::build_plugin("cloudwall-nftables")
            .unwrap_or_else(|e| panic!("{e}"));
        cloudwall_plugin_host::load(&path).unwrap_or_else(|e| panic!("{e}"))
    })
}

/// Reads `rulesets/*.nft`: every table is a group; every `accept` rule that carries a
/// comment is a rule (connection tracking, loopback and neighbour discovery are the
/// fixed frame; `drop` lines are `[[deny]]` entries); address sets resolve to the table
/// named in their comment.
pub fn read(files: &Artifacts) -> ReadBack {
    let mut out = ReadBack::default();
    for (path, text) in files
        .iter()
        .filter(|(p, _)| p.starts_with("rulesets/") && p.ends_with(".nft"))
    {
        let mut table = String::new();
        let mut sets: BTreeMap<String, String> = BTreeMap::new();
        let mut current_set: Option<String> = None;
        let mut chain: Option<bool> = None;
        let mut pending = Vec::new();
        for (n, raw) in text.lines().enumerate() {
            let line = raw.trim();
            let at = format!("{path}:{}", n + 1);
            if line.starts_with('#') || line.is_empty() {
                continue;
            }
            if let Some(rest) = line.strip_prefix("table inet ") {
                if let Some(name) = rest.strip_suffix(" {") {
                    table = name.to_string();
                    out.groups.push(table.clone());
                }
                continue;
            }
            if let Some(rest) = line.strip_prefix("set ") {
                current_set = Some(rest.trim_end_matches(" {").to_string());
                continue;
            }
            if let (Some(set), Some(c)) = (&current_set, line.strip_prefix("comment \"hosts of ")) {
                sets.insert(set.clone(), c.trim_end_matches('"').to_string());
                continue;
            }
            if let Some(rest) = line.strip_prefix("chain ") {
                current_set = None;
                chain = Some(rest.starts_with("input"));
                continue;
            }
            if line == "}" {
                current_set = None;
                continue;
            }
            let Some(ingress) = chain else { continue };
            if !line.contains(" accept comment \"") {
                continue;
            }
            let (code, comment) = line.split_once(" comment \"").unwrap();
            // A flow-log statement (`log prefix "..." level info`) does not change what is allowed.
            let code = match code.split_once(" log prefix \"") {
                Some((before, rest)) => {
                    let after = rest.split_once('"').map(|(_, a)| a).unwrap_or("");
                    let after = after
                        .trim_start()
                        .strip_prefix("level info")
                        .unwrap_or(after);
                    format!("{before} {}", after.trim())
                }
                None => code.to_string(),
            };
            let code = code.as_str();
            // The comment is one nft string: it must end the line, with no other quote.
            let literal = comment.ends_with('"') && comment.matches('"').count() == 1;
            let description = comment.trim_end_matches('"').to_string();
            out.literals
                .push((at.clone(), description.clone(), literal));
            let words: Vec<&str> = code.split_whitespace().collect();
            if ["ct", "iifname", "oifname", "icmpv6"].contains(&words[0]) {
                continue;
            }
            pending.push((
                ingress,
                words.iter().map(|w| w.to_string()).collect::<Vec<_>>(),
                description,
                at,
            ));
        }
        for (ingress, words, description, at) in pending {
            let mut peer = None;
            let mut ports = PortRange::ALL;
            let mut i = 0;
            while i < words.len() {
                match words[i].as_str() {
                    "ip" | "ip6" => {
                        let v = &words[i + 2];
                        peer = Some(match v.strip_prefix('@') {
                            Some(set) => ReadPeer::Group(
                                sets.get(set)
                                    .cloned()
                                    .unwrap_or_else(|| panic!("{at}: unknown set {set}")),
                            ),
                            None => ReadPeer::Cidr(
                                parse_net(v).unwrap_or_else(|| panic!("{at}: bad address {v}")),
                            ),
                        });
                        i += 3;
                    }
                    "meta" if words[i + 1] == "nfproto" => {
                        let any = if words[i + 2] == "ipv4" {
                            "0.0.0.0/0"
                        } else {
                            "::/0"
                        };
                        peer = Some(ReadPeer::Cidr(any.parse().unwrap()));
                        i += 3;
                    }
                    "meta" if words[i + 1] == "l4proto" => {
                        ports = PortRange::ICMP;
                        i += 3;
                    }
                    "tcp" | "udp" => {
                        let proto = if words[i] == "tcp" {
                            Proto::Tcp
                        } else {
                            Proto::Udp
                        };
                        let (from, to) = match words[i + 2].split_once('-') {
                            Some((a, b)) => (a.parse().unwrap(), b.parse().unwrap()),
                            None => {
                                let p = words[i + 2]
                                    .parse()
                                    .unwrap_or_else(|_| panic!("{at}: bad port {}", words[i + 2]));
                                (p, p)
                            }
                        };
                        ports = PortRange { proto, from, to };
                        i += 3;
                    }
                    "accept" => break,
                    other => panic!("{at}: unexpected word {other:?}"),
                }
            }
            let peer = peer.unwrap_or_else(|| panic!("{at}: rule without a peer"));
            out.rules.push(ReadRule {
                group: table.clone(),
                ingress,
                ports,
                peer,
                description,
                at,
            });
        }
    }
    out
}

fn parse_net(s: &str) -> Option<IpNet> {
    s.parse::<IpNet>()
        .ok()
        .or_else(|| s.parse::<std::net::IpAddr>().ok().map(IpNet::from))
}
