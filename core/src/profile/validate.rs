//! Whole-profile consistency checks (`CW111`) on the decoded [`Profile`].
//!
//! Field-level errors are [`super::decode`]'s; here are the rules that relate several
//! parts of the profile: tiers against the topology, `[access]` against `bastion`,
//! regions against `multi-region`, spokes against `hub-spoke`, internet flows against
//! `public = "none"`.

use super::model::*;
use crate::diag::Diagnostic;
use std::collections::BTreeMap;

/// Returns the consistency errors of `p` (empty when consistent).
pub fn validate(p: &Profile) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let d = &p.deployment;
    let topo = d.topology.value;

    if topo == Topology::TwoTier {
        for w in p.workloads.iter().filter(|w| w.tier.value == Tier::Mgmt) {
            out.push(
                Diagnostic::error(
                    "CW111",
                    format!(
                        "workload `{}` is in the `mgmt` tier, but a 2-tier topology has only public, app and data",
                        w.name.value
                    ),
                )
                .at(w.tier.span, "mgmt tier in a 2-tier profile")
                .at(d.topology.span, "topology set here")
                .with_help("use topology = \"3-tier\", or move the workload to the app tier"),
            );
        }
    }

    // [access] <-> bastion = "hybrid"
    let hybrid = d.bastion.as_ref().is_some_and(|b| b.value == Bastion::Hybrid);
    if !p.access.is_empty() && !hybrid {
        let first = p.access.values().next().map(|v| v.span).unwrap_or(d.span);
        let mut diag = Diagnostic::error("CW111", "an [access] table is only used with bastion = \"hybrid\"")
            .at(first, "per-tier access given here")
            .with_help("set bastion = \"hybrid\" in [deployment], or remove [access]");
        if let Some(b) = &d.bastion {
            diag = diag.at(b.span, format!("bastion is `{}`", b.value));
        }
        out.push(diag);
    }
    if hybrid && p.access.is_empty() {
        let b = d.bastion.as_ref().map(|b| b.span).unwrap_or(d.span);
        out.push(
            Diagnostic::error(
                "CW111",
                "bastion = \"hybrid\" needs an [access] table naming the strategy of each tier",
            )
            .at(b, "hybrid access without [access]")
            .with_help("e.g.\n[access]\napp = \"ssm-session-manager\"\ndata = \"vpn-only\""),
        );
    }
    if hybrid {
        // every tier in use needs a strategy
        let mut missing: BTreeMap<Tier, &Workload> = BTreeMap::new();
        for w in &p.workloads {
            if w.tier.value != Tier::Public && !p.access.contains_key(&w.tier.value) {
                missing.entry(w.tier.value).or_insert(w);
            }
        }
        if !p.access.is_empty() {
            for (tier, w) in missing {
                out.push(
                    Diagnostic::error(
                        "CW111",
                        format!(
                            "bastion = \"hybrid\" but [access] gives no strategy for the `{tier}` tier (workload `{}`)",
                            w.name.value
                        ),
                    )
                    .at(w.tier.span, "tier without an access strategy")
                    .with_help(format!("add `{tier} = \"...\"` to [access]")),
                );
            }
        }
    }

    // regions <-> multi-region
    if topo == Topology::MultiRegion && d.regions.len() < 2 {
        out.push(
            Diagnostic::error(
                "CW111",
                format!(
                    "topology = \"multi-region\" needs `regions` with at least two regions (found {})",
                    d.regions.len()
                ),
            )
            .at(d.topology.span, "multi-region")
            .with_help("add e.g. regions = [\"us-east-1\", \"eu-west-1\"] to [deployment]"),
        );
    }
    if topo != Topology::MultiRegion && !d.regions.is_empty() {
        out.push(
            Diagnostic::error(
                "CW111",
                format!("`regions` is only used with topology = \"multi-region\" (topology is `{topo}`)"),
            )
            .at(d.regions[0].span, "regions given here")
            .with_help("use `region = \"...\"` for one region, or set topology = \"multi-region\""),
        );
    }

    // spokes <-> hub-spoke
    if topo == Topology::HubSpoke && p.spokes.is_empty() {
        out.push(
            Diagnostic::error(
                "CW111",
                "topology = \"hub-spoke\" needs at least one [[spoke]] (name, workloads)",
            )
            .at(d.topology.span, "hub-spoke without spokes"),
        );
    }
    if topo != Topology::HubSpoke {
        if let Some(s) = p.spokes.first() {
            out.push(
                Diagnostic::error(
                    "CW111",
                    format!(
                        "[[spoke]] `{}` is only used with topology = \"hub-spoke\" (topology is `{topo}`)",
                        s.name.value
                    ),
                )
                .at(s.name.span, "spoke declared here"),
            );
        }
    }
    let mut spoke_names: BTreeMap<&str, &Spoke> = BTreeMap::new();
    let mut placed: BTreeMap<&str, (&Spoke, crate::source::Span)> = BTreeMap::new();
    for s in &p.spokes {
        if let Some(prev) = spoke_names.insert(&s.name.value, s) {
            out.push(
                Diagnostic::error("CW107", format!("duplicate spoke name `{}`", s.name.value))
                    .at(s.name.span, "second spoke with this name")
                    .at(prev.name.span, "first declared here"),
            );
        }
        for w in &s.workloads {
            if let Some((prev, prev_span)) = placed.insert(&w.value, (s, w.span)) {
                out.push(
                    Diagnostic::error(
                        "CW111",
                        format!(
                            "workload `{}` is placed in two spokes (`{}` and `{}`)",
                            w.value, prev.name.value, s.name.value
                        ),
                    )
                    .at(w.span, "second placement")
                    .at(prev_span, "first placement"),
                );
            }
        }
    }

    // public = "none" creates no internet ingress
    if d.public.value == PublicMode::None {
        for f in p.flows.iter().filter(|f| f.from.value == EndpointRef::Internet) {
            out.push(
                Diagnostic::error(
                    "CW111",
                    "a flow from `internet` contradicts public = \"none\" (no internet ingress)",
                )
                .at(f.from.span, "internet ingress")
                .at(d.public.span, "public exposure set to none here")
                .with_help("choose a public mode such as \"load-balancer-only\", or remove the flow"),
            );
        }
    }
    out
}
