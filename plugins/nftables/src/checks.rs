//! What nftables cannot enforce from a Policy, as warnings (CW250-CW256) pointing at
//! the profile.

use crate::model::{nft_addr, Model};
use cloudwall_plugin_sdk::core::policy::{Peer, ENDPOINTS_GROUP};
use cloudwall_plugin_sdk::core::profile::model::{PublicMode, Tier, WorkloadKind};
use cloudwall_plugin_sdk::Diagnostic;
use std::collections::BTreeMap;

pub fn check(model: &Model) -> Vec<Diagnostic> {
    let p = model.policy;
    let mut out = Vec::new();
    let no_addrs = |id: &str| model.sets.get(id).is_none_or(|s| s.is_empty());
    for g in model
        .without_hosts
        .iter()
        .filter(|g| g.id != ENDPOINTS_GROUP)
    {
        out.push(
            Diagnostic::warning(
                "CW250",
                format!(
                    "workload `{}` has no addresses in [hosts]: its ruleset is rendered, but its peers' rules towards it \
                     match nothing and verify.sh cannot find its host by itself",
                    g.id
                ),
            )
            .at_location(g.origin.clone(), "this workload")
            .with_help(format!("add `{} = [\"198.51.100.10\"]` (its host addresses) to the [hosts] table", g.id)),
        );
    }
    for r in &p.rules {
        let Peer::Group { id } = &r.peer else {
            continue;
        };
        if id == ENDPOINTS_GROUP || !no_addrs(id) {
            continue;
        }
        out.push(
            Diagnostic::warning(
                "CW251",
                format!("rule `{}` of `{}` matches nothing: its peer `{id}` has no addresses in [hosts]", r.id, r.group),
            )
            .at_location(r.origin.clone(), "this flow"),
        );
    }
    for f in &p.fqdn_egress {
        out.push(
            Diagnostic::warning(
                "CW252",
                format!(
                    "FQDN egress of `{}` ({}) is not enforced by nftables: a host firewall matches addresses, not names, \
                     so default-deny egress blocks it",
                    f.group,
                    f.fqdns.join(", ")
                ),
            )
            .at_location(f.origin.clone(), "this egress entry")
            .with_help("route this traffic through an egress proxy with a domain allow-list, or declare the CIDRs"),
        );
    }
    if let Some(e) = p.endpoints.iter().find(|e| !e.for_access) {
        out.push(
            Diagnostic::warning(
                "CW253",
                "private endpoint services are cloud services: on-prem, rules to the `endpoints` group match nothing \
                 unless [hosts] gives it the addresses of the hosts that serve them",
            )
            .at_location(e.origin.clone(), "private endpoints"),
        );
    }
    if matches!(p.deployment.public, PublicMode::MultiEdge | PublicMode::ApiGateway) {
        let edge = if p.deployment.public == PublicMode::MultiEdge { "a CDN edge" } else { "an API gateway" };
        for g in p.groups.iter().filter(|g| g.tier == Tier::Public && g.kind == Some(WorkloadKind::LoadBalancer)) {
            let open = p.rules.iter().any(|r| r.group == g.id && r.peer.is_internet());
            if !open {
                continue;
            }
            out.push(
                Diagnostic::warning(
                    "CW255",
                    format!(
                        "public = \"{}\" puts {edge} in front of `{}`, which a host firewall cannot name: its ruleset \
                         keeps the internet ingress of its declared flows",
                        p.deployment.public, g.id
                    ),
                )
                .at_location(g.origin.clone(), "the public load balancer")
                .with_help("declare the edge's address ranges as an [[external]] party and use it as the flow's source"),
            );
        }
    }
    let mut owners: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for h in &model.hosts {
        for n in h.addrs.v4.iter().chain(&h.addrs.v6) {
            owners.entry(nft_addr(n)).or_default().push(&h.group.id);
        }
    }
    for (addr, ws) in owners.into_iter().filter(|(_, ws)| ws.len() > 1) {
        let first = model
            .hosts
            .iter()
            .find(|h| h.group.id == ws[0])
            .map(|h| h.group.origin.clone());
        let mut d = Diagnostic::warning(
            "CW254",
            format!(
                "workloads {} share the address {addr}: on one host every table's input chain must accept a packet, \
                 so their per-workload rulesets block each other's flows",
                ws.iter().map(|w| format!("`{w}`")).collect::<Vec<_>>().join(", ")
            ),
        );
        if let Some(o) = first {
            d = d.at_location(o, "");
        }
        out.push(d);
    }
    for h in &model.hosts {
        for n in h.addrs.v4.iter().chain(&h.addrs.v6) {
            let hit = p.deny.iter().find_map(|d| d.cidrs.iter().find(|c| c.contains(n) || n.contains(*c)).map(|c| (d, c)));
            if let Some((d, c)) = hit {
                out.push(
                    Diagnostic::warning(
                        "CW256",
                        format!(
                            "workload `{}` has the address {} inside the [[deny]] range {c} (`{}`): every ruleset drops \
                             that range before any accept, so no declared flow can use that address",
                            h.group.id,
                            nft_addr(n),
                            d.purpose
                        ),
                    )
                    .at_location(d.origin.clone(), "this deny entry")
                    .with_help("give the host an address outside the deny ranges, or narrow the [[deny]] entry"),
                );
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use cloudwall_plugin_sdk::Policy;

    /// A Policy with workloads `a` (hosted), `b` (hosted, same address) and `c` (no
    /// hosts), a flow a -> c, FQDN egress and a private endpoint.
    fn policy() -> Policy {
        let loc = serde_json::json!({"file": "p.toml", "line": 4, "col": 1});
        let group = |id: &str| {
            serde_json::json!({"id": id, "name": format!("prod-app-{id}"), "tier": "app",
            "kind": "vm", "summary": "s", "origin": loc})
        };
        let desc = serde_json::json!({"source": "a", "destination": "c", "ports": "80/tcp", "purpose": "p", "owner": "o"});
        serde_json::from_value(serde_json::json!({
            "deployment": {"name": "d", "env": "prod", "providers": ["nftables"], "region": null, "regions": [],
                "topology": "2-tier", "compliance": [], "public": "none", "owner": "o",
                "availability_zones": 1, "source": "p.toml"},
            "groups": [group("a"), group("b"), group("c")],
            "rules": [{"id": "r0", "group": "a", "direction": "egress", "peer": {"type": "group", "id": "c"},
                "ports": {"proto": "tcp", "from": 80, "to": 80}, "description": desc, "justification": null,
                "source": {"type": "flow", "index": 0}, "origin": loc}],
            "externals": [],
            "fqdn_egress": [{"group": "a", "fqdns": [".example.com"], "ports": [{"proto": "tcp", "from": 443, "to": 443}],
                "description": desc, "origin": loc}],
            "endpoints": [{"service": "object-storage", "for_access": false, "origin": loc}],
            "access": {"strategy": null, "per_tier": {}, "origin": loc},
            "deny": [{"cidrs": ["198.51.100.0/25"], "purpose": "scanners", "origin": loc}],
            "kubernetes": null, "spokes": [],
            "hosts": {"a": ["198.51.100.1/32"], "b": ["198.51.100.1/32"]}
        }))
        .unwrap()
    }

    #[test]
    fn says_what_nftables_cannot_enforce() {
        let p = policy();
        let findings = check(&Model::new(&p));
        let codes: Vec<&str> = findings.iter().map(|d| d.code).collect();
        assert_eq!(
            codes,
            vec!["CW250", "CW251", "CW252", "CW253", "CW254", "CW256", "CW256"],
            "{findings:#?}"
        );
        assert!(findings
            .iter()
            .all(|d| !d.is_error() && !d.labels.is_empty()));
        assert!(
            findings[0].message.contains("`c` has no addresses"),
            "{}",
            findings[0].message
        );
        assert!(findings[4]
            .message
            .contains("`a`, `b` share the address 198.51.100.1"));
        assert!(
            findings[5].message.contains("workload `a` has the address 198.51.100.1 inside the [[deny]] range 198.51.100.0/25 (`scanners`)"),
            "{}",
            findings[5].message
        );
    }
}
