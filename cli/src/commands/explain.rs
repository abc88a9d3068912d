//! `cloudwall explain PROFILE --from A --to B --port P[/proto] [--provider P]`:
//! reachability, with the rules, for a profile that passes `check`, as the provider
//! renders it (its effective Policy: the groups and rules its managed services add).

use super::exit;
use crate::args::{ExplainArgs, Format};
use crate::console::Console;
use crate::pipeline;
use crate::providers::Registry;
use cloudwall_core::ports::{PortRange, Proto};
use cloudwall_core::reach;

/// `443`, `443/tcp`, `53/udp`, `icmp` -> protocol and port (0 for icmp).
pub fn parse_port(s: &str) -> Result<(Proto, u16), String> {
    let t = s.trim();
    if t.eq_ignore_ascii_case("icmp") {
        return Ok((Proto::Icmp, 0));
    }
    let with_proto = if t.contains('/') { t.to_string() } else { format!("{t}/tcp") };
    let range = PortRange::parse(&with_proto).map_err(|e| e.to_string())?;
    if !range.is_single() {
        return Err(format!("`{s}`: give one port, not a range or `all`"));
    }
    Ok((range.proto, range.from))
}

pub fn run(args: &ExplainArgs, format: Format, console: &Console, registry: &Registry) -> u8 {
    let (proto, port) = match parse_port(&args.port) {
        Ok(p) => p,
        Err(e) => {
            console.error(&format!("--port {e}"));
            return exit::FAILURE;
        }
    };
    let only: Vec<String> = args.provider.iter().cloned().collect();
    let analysis = match pipeline::analyse(&args.profile, registry, &only) {
        Ok(a) => a,
        Err(outcome) => {
            outcome.print_diagnostics(console);
            console.error(&format!("{}: {}", args.profile.display(), outcome.result.err().unwrap_or_default()));
            return exit::FAILURE;
        }
    };
    // A refused profile would never be generated: its rules answer nothing.
    if analysis.has_errors() {
        for d in &analysis.findings {
            console.diagnostic(d, &analysis.profile.sources);
        }
        console.error(&format!("{}: the profile does not pass `check`; nothing to explain", args.profile.display()));
        return exit::FAILURE;
    }
    let Some(provider_name) = analysis.providers.first() else {
        console.error(&format!("{}: the profile names no provider", args.profile.display()));
        return exit::FAILURE;
    };
    let provider = match registry.get(provider_name) {
        Ok(p) => p,
        Err(e) => {
            console.error(&e.to_string());
            return exit::FAILURE;
        }
    };
    // Multi-region: the compiled Policy, whose placement the evaluator reads (a provider's
    // effective view is per region).
    let policy =
        if analysis.policy.is_multi_region() { analysis.policy.clone() } else { provider.effective_policy(&analysis.policy) };
    let verdict = match reach::evaluate(&policy, &args.from, &args.to, proto, port) {
        Ok(v) => v,
        Err(e) => {
            console.error(&e.to_string());
            return exit::FAILURE;
        }
    };
    let what = if proto == Proto::Icmp { "icmp".to_string() } else { format!("{port}/{}", proto.as_str()) };
    let rules: Vec<_> = verdict
        .rules
        .iter()
        .map(|id| (id, policy.rules.iter().find(|r| &r.id == id)))
        .collect();
    match format {
        Format::Json => {
            let list: Vec<serde_json::Value> = rules
                .iter()
                .map(|(id, rule)| match rule {
                    Some(r) => serde_json::json!({
                        "id": id, "group": r.group, "direction": r.direction,
                        "ports": r.ports.to_string(), "description": r.description.text(),
                        "origin": r.origin.to_string(),
                    }),
                    None => serde_json::json!({ "id": id }),
                })
                .collect();
            console.json(&serde_json::json!({
                "provider": provider_name, "from": args.from, "to": args.to, "port": what,
                "reachable": verdict.reachable, "rules": list, "explanation": verdict.explanation,
            }));
        }
        Format::Text => {
            let mut text = format!(
                "{} -> {} on {} ({provider_name}): {}\n",
                args.from,
                args.to,
                what,
                if verdict.reachable { "reachable" } else { "not reachable" }
            );
            for (id, rule) in &rules {
                match rule {
                    Some(r) => text.push_str(&format!(
                        "  {} rule `{id}` of {} ({}): {}\n",
                        match r.direction {
                            cloudwall_core::policy::Direction::Ingress => "ingress",
                            cloudwall_core::policy::Direction::Egress => "egress",
                        },
                        r.group,
                        r.origin,
                        r.description.text()
                    )),
                    None => text.push_str(&format!("  rule `{id}`\n")),
                }
            }
            if !verdict.explanation.is_empty() {
                text.push_str(&verdict.explanation);
                text.push('\n');
            }
            console.data(&text);
        }
    }
    if verdict.reachable {
        exit::OK
    } else {
        exit::FAILURE
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_default_to_tcp_and_accept_icmp() {
        assert_eq!(parse_port("443"), Ok((Proto::Tcp, 443)));
        assert_eq!(parse_port("53/udp"), Ok((Proto::Udp, 53)));
        assert_eq!(parse_port("ICMP"), Ok((Proto::Icmp, 0)));
        assert!(parse_port("80-90/tcp").is_err());
        assert!(parse_port("all").is_err());
        assert!(parse_port("99999").is_err());
    }
}
