//! Helpers shared by the profile tests.
#![allow(dead_code)]

use cloudwall_core::profile::{self, Profile};
use std::fmt::Write;
use std::path::Path;

/// Every value of a profile without spans, for comparing profiles read differently.
pub fn summary(p: &Profile) -> String {
    let mut s = String::new();
    let d = &p.deployment;
    let v = |x: &Vec<cloudwall_core::source::Spanned<String>>| x.iter().map(|s| s.value.clone()).collect::<Vec<_>>();
    writeln!(
        s,
        "deployment {} {} {:?} {:?} {:?} {} {:?} {} {:?} {} {}",
        d.name.value,
        d.env.value,
        v(&d.providers),
        d.region.as_ref().map(|r| &r.value),
        v(&d.regions),
        d.topology.value,
        d.compliance.iter().map(|c| c.value).collect::<Vec<_>>(),
        d.public.value,
        d.bastion.as_ref().map(|b| b.value),
        d.owner.value,
        d.availability_zones.value
    )
    .unwrap();
    for w in &p.workloads {
        writeln!(s, "workload {} {} {} {:?}", w.name.value, w.tier.value, w.kind.value, v(&w.regions)).unwrap();
    }
    let opt = |o: &Option<cloudwall_core::source::Spanned<String>>| o.as_ref().map(|x| x.value.clone());
    for f in &p.flows {
        writeln!(
            s,
            "flow {:?} {:?} {:?} {:?} {:?} {:?} {}",
            f.from.value,
            f.to.value,
            f.ports.iter().map(|p| p.value.to_string()).collect::<Vec<_>>(),
            opt(&f.purpose),
            opt(&f.owner),
            opt(&f.justification),
            f.across_regions.value
        )
        .unwrap();
    }
    for e in &p.egress {
        writeln!(
            s,
            "egress {} {:?} {:?} {:?} {:?} {:?}",
            e.from.value,
            e.cidrs.iter().map(|c| c.value.to_string()).collect::<Vec<_>>(),
            v(&e.fqdns),
            e.ports.iter().map(|p| p.value.to_string()).collect::<Vec<_>>(),
            opt(&e.purpose),
            opt(&e.owner)
        )
        .unwrap();
    }
    for x in &p.external {
        writeln!(
            s,
            "external {} {:?} {:?}",
            x.name.value,
            x.cidrs.iter().map(|c| c.value.to_string()).collect::<Vec<_>>(),
            opt(&x.purpose)
        )
        .unwrap();
    }
    for x in &p.deny {
        writeln!(
            s,
            "deny {:?} {:?}",
            x.cidrs.iter().map(|c| c.value.to_string()).collect::<Vec<_>>(),
            opt(&x.purpose)
        )
        .unwrap();
    }
    writeln!(s, "endpoints {:?}", v(&p.private_endpoints.services)).unwrap();
    for r in &p.private_endpoints.restrict {
        writeln!(s, "restrict {} {:?} {:?}", r.service.value, v(&r.resources), v(&r.actions)).unwrap();
    }
    let e = &p.egress_filtering;
    writeln!(s, "egress_filtering {} {}", e.mode.value, e.log_retention_days.value).unwrap();
    let f = &p.flow_logs;
    writeln!(
        s,
        "flow_logs {} {} {} {}",
        f.enabled.value, f.destination.value, f.retention_days.value, f.traffic.value
    )
    .unwrap();
    if let Some(x) = &p.vpn {
        writeln!(s, "vpn {} {}", x.client_cidr.value, x.split_tunnel.value).unwrap();
    }
    let l = &p.session_logging;
    writeln!(s, "session_logging {} {}", l.idle_timeout_minutes.value, l.retention_days.value).unwrap();
    if let Some(k) = &p.kubernetes {
        writeln!(
            s,
            "kubernetes {} {:?} {:?}",
            k.namespace.value,
            opt(&k.ingress_namespace),
            v(&k.workloads)
        )
        .unwrap();
    }
    for x in &p.spokes {
        writeln!(s, "spoke {} {:?}", x.name.value, v(&x.workloads)).unwrap();
    }
    for (t, b) in &p.access {
        writeln!(s, "access {t} {}", b.value).unwrap();
    }
    for (w, a) in &p.hosts {
        writeln!(
            s,
            "hosts {w} {:?}",
            a.value.iter().map(|c| c.value.to_string()).collect::<Vec<_>>()
        )
        .unwrap();
    }
    writeln!(s, "plugins {:?}", v(&p.plugins)).unwrap();
    s
}

/// The diagnostics of a profile text that must fail, as `(code, line, col)`.
pub fn errors_of(path: &str, text: &str) -> Vec<(String, usize, usize, String)> {
    match profile::parse_str(Path::new(path), text) {
        Ok(_) => vec![],
        Err(e) => e
            .diagnostics
            .iter()
            .map(|d| {
                let loc = d.location(&e.sources).expect("every diagnostic has a location");
                (
                    d.code.to_string(),
                    loc.line,
                    loc.col,
                    format!("{} | {}", d.message, d.help.clone().unwrap_or_default()),
                )
            })
            .collect(),
    }
}

/// Parses a profile that must load.
pub fn ok(text: &str) -> Profile {
    profile::parse_str(Path::new("p.toml"), text).unwrap_or_else(|e| panic!("unexpected errors:\n{e}"))
}
