//! `report.md`: the hosts, their rulesets rule by rule, what is not enforced, and how
//! to load and verify.

use crate::escape::md_cell;
use crate::model::{nft_addr, Model};
use crate::ruleset::rules_for;
use cloudwall_plugin_sdk::core::policy::{Direction, Peer};
use cloudwall_plugin_sdk::core::profile::model::{FlowLogDestination, FlowLogTraffic};
use cloudwall_plugin_sdk::Diagnostic;
use std::fmt::Write as _;

pub fn render(model: &Model, findings: &[Diagnostic]) -> String {
    let p = model.policy;
    let d = &p.deployment;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "# Host firewalls: {} ({})\n",
        md_cell(&d.name),
        md_cell(&d.env)
    );
    let _ = writeln!(
        s,
        "Every workload host gets its own nftables table (`inet`, one file under `rulesets/`). Both base chains \
         drop by default: a host accepts only the flows the profile declares and sends only to the destinations \
         it declares (default-deny egress). Return traffic is accepted through connection tracking, loopback and \
         IPv6 neighbour discovery always. Internal peers are matched by address sets, one per workload group, \
         built from the `[hosts]` table; external parties by their declared ranges.\n"
    );
    let _ = writeln!(s, "## Hosts\n");
    let _ = writeln!(s, "| Workload | Tier | Kind | Addresses | Table | File |");
    let _ = writeln!(s, "|---|---|---|---|---|---|");
    for h in &model.hosts {
        let addrs: Vec<String> = h.addrs.v4.iter().chain(&h.addrs.v6).map(nft_addr).collect();
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | `inet {}` | `rulesets/{}.nft` |",
            md_cell(&h.group.id),
            h.group.tier,
            h.group.kind.map(|k| k.to_string()).unwrap_or_default(),
            addrs.join(", "),
            h.table,
            h.file_stem
        );
    }
    let _ = writeln!(s);
    for h in &model.hosts {
        let _ = writeln!(s, "## {}\n", md_cell(&h.group.id));
        let _ = writeln!(s, "{}\n", md_cell(&h.group.summary));
        let _ = writeln!(s, "| Chain | Peer | Ports | Rule | Description |");
        let _ = writeln!(s, "|---|---|---|---|---|");
        let mut any = false;
        for (dir, chain) in [(Direction::Ingress, "input"), (Direction::Egress, "output")] {
            for r in rules_for(model, h, dir) {
                any = true;
                let peer = match &r.rule.peer {
                    Peer::Group { id } => format!("group {id}"),
                    Peer::Cidr { cidr, party } => format!("{party} ({cidr})"),
                };
                let how = match &r.skipped {
                    Some(why) => md_cell(&format!("not rendered: {why}")),
                    // Statements hold no profile text (the comment is cut off), only
                    // sanitized names and addresses: safe inside a code span.
                    None => r
                        .statements
                        .iter()
                        .map(|st| format!("`{}`", st.split(" comment ").next().unwrap_or(st)))
                        .collect::<Vec<_>>()
                        .join("<br>"),
                };
                let _ = writeln!(
                    s,
                    "| {chain} | {} | {} | {} | {} |",
                    md_cell(&peer),
                    r.rule.ports,
                    how,
                    md_cell(&r.rule.description.text())
                );
            }
        }
        if !any {
            let _ = writeln!(
                s,
                "| - | - | - | nothing but return traffic and loopback | - |"
            );
        }
        let _ = writeln!(s);
    }
    if let Some(f) = &p.controls.flow_logs {
        let what = match f.traffic {
            FlowLogTraffic::All => "new allowed connections and refused packets",
            FlowLogTraffic::Accept => "new allowed connections",
            FlowLogTraffic::Reject => "refused packets",
        };
        let _ = writeln!(
            s,
            "## Flow logs\n\nEach ruleset logs {what} to the kernel log (journald or syslog) at level info, with the \
             prefix `<table> in|out accept|drop: `; refused packets are rate-limited to 10 a second per chain so that \
             a scan cannot flood the log. Ship them with the host's log forwarder to {} and keep them {} days.\n",
            match f.destination {
                FlowLogDestination::Logs => "the central log service",
                FlowLogDestination::ObjectStorage => "object storage",
            },
            f.retention_days
        );
    }
    if !findings.is_empty() {
        let _ = writeln!(s, "## Not enforced by these rulesets\n");
        for f in findings {
            let _ = writeln!(
                s,
                "- {} ({}): {}",
                f.code,
                md_cell(&severity(f)),
                md_cell(&f.message)
            );
        }
        let _ = writeln!(s);
    }
    let _ = writeln!(
        s,
        "## Load\n\nOn each host, as root: `nft -c -f rulesets/<workload>.nft` checks the file, `nft -f \
         rulesets/<workload>.nft` replaces the table atomically. To keep it across reboots, include the file from \
         `/etc/nftables.conf`. Other tables (and iptables-nft rules) stay in place; since a packet must be accepted \
         by every base chain on its hook, they can only narrow what these tables allow, never widen it.\n\n\
         Egress is default-deny for the host itself too: name resolution, time, package mirrors and log \
         shipping work only if the profile declares them (`[[egress]]` with the servers' ranges, e.g. \
         `53/udp` and `53/tcp` to the resolvers). Load the rulesets from a console or with a rollback timer \
         the first time, in case a management path was forgotten.\n"
    );
    let _ = writeln!(
        s,
        "## Verify\n\n`verify/verify.sh [WORKLOAD...]` (root) checks, for each workload whose address the host \
         carries: the table is loaded, both chains drop by default, and the live listing equals the rendered \
         ruleset as this host's nft lists it. Exit 0 when every check passes, 1 when one fails, 2 when a check \
         cannot run."
    );
    s
}

fn severity(d: &Diagnostic) -> String {
    if d.is_error() { "error" } else { "warning" }.to_string()
}
