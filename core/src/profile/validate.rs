//! Whole-profile consistency checks (`CW111`) on the decoded [`Profile`].
//!
//! Field-level errors are [`super::decode`]'s; here are the rules that relate several
//! parts of the profile: tiers against the topology, `[access]` against `bastion`,
//! regions against `multi-region`, cross-region flows against the workloads' regions,
//! spokes against `hub-spoke`, internet flows against `public = "none"`.

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
            .with_help("e.g.\n[access]\napp = \"ssm-session-manager\"\ndata = \"vpn-only\"\n[vpn]\nclient_cidr = \"10.100.0.0/22\""),
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

    // flows across regions
    for f in &p.flows {
        out.extend(check_regions_of_flow(p, f));
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

/// `across_regions`: only with `multi-region`, only between workloads, and set exactly
/// when the two workloads can be in different regions (CW111).
fn check_regions_of_flow(p: &Profile, f: &Flow) -> Option<Diagnostic> {
    let d = &p.deployment;
    let across = &f.across_regions;
    let multi = d.topology.value == Topology::MultiRegion;
    if across.value && !multi {
        return Some(
            Diagnostic::error(
                "CW111",
                format!(
                    "across_regions = true is only used with topology = \"multi-region\" (topology is `{}`)",
                    d.topology.value
                ),
            )
            .at(across.span, "cross-region flow")
            .at(d.topology.span, "topology set here")
            .with_help("remove `across_regions`, or set topology = \"multi-region\" with `regions`"),
        );
    }
    if !multi {
        return None;
    }
    let workload = |e: &EndpointRef| match e {
        EndpointRef::Named(n) => p.workload(n),
        EndpointRef::Internet => None,
    };
    let (from, to) = (workload(&f.from.value), workload(&f.to.value));
    let (Some(a), Some(b)) = (from, to) else {
        if across.value {
            return Some(
                Diagnostic::error(
                    "CW111",
                    "across_regions = true needs a workload at both ends: the internet and external parties are in no region",
                )
                .at(across.span, "cross-region flow")
                .at(if from.is_none() { f.from.span } else { f.to.span }, "not a workload"),
            );
        }
        return None;
    };
    let names = |w: &Workload| w.regions.iter().map(|r| r.value.as_str()).collect::<Vec<_>>().join(", ");
    let shared = a.regions.iter().any(|r| b.regions.iter().any(|s| s.value == r.value));
    let can_differ = a.regions.iter().any(|r| b.regions.iter().any(|s| s.value != r.value));
    if across.value && !can_differ {
        return Some(
            Diagnostic::error(
                "CW111",
                format!(
                    "across_regions = true, but `{}` and `{}` both run only in {}: the flow cannot cross regions",
                    a.name.value,
                    b.name.value,
                    names(a)
                ),
            )
            .at(across.span, "cross-region flow")
            .with_help("remove `across_regions`, or widen the workloads' `regions`"),
        );
    }
    if !across.value && !shared {
        return Some(
            Diagnostic::error(
                "CW111",
                format!(
                    "`{}` ({}) and `{}` ({}) share no region: this flow crosses regions",
                    a.name.value,
                    names(a),
                    b.name.value,
                    names(b)
                ),
            )
            .at(f.to.span, "destination in other regions")
            .at(f.from.span, "source")
            .with_help("declare it with `across_regions = true`, or place both workloads in a common region"),
        );
    }
    None
}
