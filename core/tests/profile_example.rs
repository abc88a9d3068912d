//! The worked example of profile.md loads cleanly, in TOML and in JSON, to equal profiles.

mod common;
use cloudwall_core::profile::{self, *};
use std::path::Path;

fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

#[test]
fn worked_example_loads_cleanly() {
    let p = profile::load(&root().join("examples/webapp-aws.toml")).unwrap_or_else(|e| panic!("{e}"));
    let d = &p.deployment;
    assert_eq!(d.name.value, "webapp");
    assert_eq!(d.env.value, "prod");
    assert_eq!(
        d.providers.iter().map(|p| p.value.as_str()).collect::<Vec<_>>(),
        ["aws"]
    );
    assert_eq!(d.region.as_ref().unwrap().value, "us-east-1");
    assert_eq!(d.topology.value, Topology::ThreeTier);
    assert_eq!(
        d.compliance.iter().map(|c| c.value).collect::<Vec<_>>(),
        [Compliance::Soc2]
    );
    assert_eq!(d.public.value, PublicMode::LoadBalancerOnly);
    assert_eq!(d.bastion.as_ref().unwrap().value, Bastion::SsmSessionManager);
    assert_eq!(d.availability_zones.value, 2);
    assert_eq!(p.workloads.len(), 4);
    assert_eq!(p.workload("rds").unwrap().kind.value, WorkloadKind::Postgres);
    assert_eq!(p.flows.len(), 5);
    // the ecs -> rds flow names no ports: kept empty for the compiler
    assert!(p.flows[3].ports.is_empty());
    assert_eq!(p.flows[0].ports[0].value.to_string(), "443/tcp");
    assert_eq!(p.flows[0].from.value, EndpointRef::Internet);
    assert_eq!(p.flows[2].to.value, EndpointRef::Named("ecs".into()));
    assert_eq!(p.flows[3].owner.as_ref().unwrap().value, "payments team");
    assert_eq!(p.egress.len(), 1);
    assert_eq!(p.egress[0].cidrs[0].value.to_string(), "13.55.0.0/16");
    assert_eq!(p.private_endpoints.services.len(), 6);
    let k = p.kubernetes.as_ref().unwrap();
    assert_eq!(k.namespace.value, "prod");
    assert_eq!(k.ingress_namespace.as_ref().unwrap().value, "ingress-nginx");
    assert_eq!(k.workloads[0].value, "ecs");
    // spans point at the values: `kind = "postgres"` of the third workload
    let loc = p.sources.locate(p.workload("rds").unwrap().kind.span);
    let text = std::fs::read_to_string(root().join("examples/webapp-aws.toml")).unwrap();
    let line = text.lines().position(|l| l.starts_with("kind = \"postgres\"")).unwrap() + 1;
    assert_eq!((loc.line, loc.col), (line, 8));
}

#[test]
fn toml_and_json_forms_decode_to_equal_profiles() {
    let t = profile::load(&root().join("examples/webapp-aws.toml")).unwrap_or_else(|e| panic!("{e}"));
    let j = profile::load(&root().join("core/tests/fixtures/webapp-aws.json")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(common::summary(&t), common::summary(&j));
    // and the JSON spans point into the JSON file
    let loc = j.sources.locate(j.flows[0].to.span);
    assert!(loc.file.ends_with("webapp-aws.json"));
    let text = std::fs::read_to_string(root().join("core/tests/fixtures/webapp-aws.json")).unwrap();
    let line = text.lines().nth(loc.line - 1).unwrap();
    assert!(line.contains("\"alb\""), "{line}");
}
