//! The defaults of a minimal profile, and the optional sections read in full.

mod common;
use cloudwall_core::profile::*;
use common::{errors_of, ok};

#[test]
fn a_deployment_table_alone_is_a_profile_with_every_default() {
    let p = ok("[deployment]\nname = \"tiny\"\n");
    let d = &p.deployment;
    assert_eq!(d.name.value, "tiny");
    assert_eq!(d.env.value, "prod");
    assert_eq!(
        d.providers.iter().map(|p| p.value.as_str()).collect::<Vec<_>>(),
        ["aws"]
    );
    assert!(d.region.is_none());
    assert!(d.regions.is_empty());
    assert_eq!(d.topology.value, Topology::ThreeTier);
    assert!(d.compliance.is_empty());
    assert_eq!(d.public.value, PublicMode::LoadBalancerOnly);
    assert!(d.bastion.is_none());
    assert_eq!(d.owner.value, "platform team");
    assert_eq!(d.availability_zones.value, 2);
    assert!(p.workloads.is_empty() && p.flows.is_empty() && p.egress.is_empty());
    assert!(p.external.is_empty() && p.deny.is_empty() && p.spokes.is_empty());
    assert!(p.private_endpoints.services.is_empty() && p.private_endpoints.span.is_none());
    assert!(p.kubernetes.is_none() && p.access.is_empty() && p.hosts.is_empty() && p.plugins.is_empty());
    // defaulted values point at the [deployment] table
    assert_eq!(p.sources.locate(d.env.span).line, 1);
}

#[test]
fn the_json_minimum_has_the_same_defaults() {
    let t = ok("[deployment]\nname = \"tiny\"\n");
    let j =
        cloudwall_core::profile::parse_str(std::path::Path::new("p.json"), "{\"deployment\": {\"name\": \"tiny\"}}")
            .unwrap();
    assert_eq!(common::summary(&t), common::summary(&j));
}

#[test]
fn every_optional_section_is_read() {
    let p = ok(r#"plugins = ["plugins/libonprem.so"]

[deployment]
name = "full"
env = "dev"
providers = ["aws", "onprem"]
topology = "multi-region"
regions = ["us-east-1", "eu-west-1"]
compliance = ["pci-dss", "fedramp"]
public = "multi-edge"
bastion = "hybrid"
owner = "net team"
availability_zones = 3

[[workload]]
name = "web"
tier = "public"
kind = "load-balancer"

[[workload]]
name = "api"
tier = "app"
kind = "kubernetes"

[[workload]]
name = "jump"
tier = "mgmt"
kind = "vm"

[[external]]
name = "corp-vpn"
cidrs = ["10.8.0.0/16", "2001:db8:1::/48"]
purpose = "corporate VPN"

[[flow]]
from = "corp-vpn"
to = "jump"
ports = ["22/tcp"]
justification = "break-glass"

[[deny]]
cidrs = ["198.51.100.0/24"]
purpose = "known scanner"

[kubernetes]
workloads = ["api"]

[access]
app = "ssm-session-manager"
mgmt = "vpn-only"

[hosts]
jump = ["192.0.2.10"]

[vpn]
client_cidr = "10.100.0.0/22"
"#);
    let d = &p.deployment;
    assert_eq!(
        d.providers.iter().map(|p| p.value.as_str()).collect::<Vec<_>>(),
        ["aws", "onprem"]
    );
    assert_eq!(d.regions.len(), 2);
    assert_eq!(
        d.compliance.iter().map(|c| c.value).collect::<Vec<_>>(),
        [Compliance::PciDss, Compliance::Fedramp]
    );
    assert_eq!(d.public.value, PublicMode::MultiEdge);
    assert_eq!(d.availability_zones.value, 3);
    assert_eq!(p.external[0].cidrs.len(), 2);
    assert_eq!(p.flows[0].from.value, EndpointRef::Named("corp-vpn".into()));
    assert_eq!(p.flows[0].justification.as_ref().unwrap().value, "break-glass");
    assert_eq!(p.deny[0].purpose.as_ref().unwrap().value, "known scanner");
    let k = p.kubernetes.as_ref().unwrap();
    assert_eq!(k.namespace.value, "dev", "the namespace defaults to env");
    assert!(k.ingress_namespace.is_none());
    assert_eq!(p.access[&Tier::Mgmt].value, Bastion::VpnOnly);
    assert_eq!(p.access[&Tier::App].value, Bastion::SsmSessionManager);
    assert_eq!(p.hosts["jump"].value[0].value.to_string(), "192.0.2.10/32");
    assert_eq!(p.plugins[0].value, "plugins/libonprem.so");
    let vpn = p.vpn.as_ref().unwrap();
    assert_eq!(vpn.client_cidr.value.to_string(), "10.100.0.0/22");
    assert!(vpn.split_tunnel.value, "split tunnelling is the default");
}

#[test]
fn hybrid_access_must_cover_every_tier_in_use() {
    let e = errors_of(
        "p.toml",
        "[deployment]\nname = \"h\"\nbastion = \"hybrid\"\n[[workload]]\nname = \"db\"\ntier = \"data\"\nkind = \"mysql\"\n[access]\napp = \"vpn-only\"\n[vpn]\nclient_cidr = \"10.100.0.0/22\"\n",
    );
    assert_eq!(e.len(), 1);
    assert_eq!((e[0].0.as_str(), e[0].1, e[0].2), ("CW111", 6, 8));
}

#[test]
fn hub_spoke_with_spokes_is_accepted_and_double_placement_refused() {
    let base = "[deployment]\nname = \"h\"\ntopology = \"hub-spoke\"\n[[workload]]\nname = \"a\"\ntier = \"app\"\nkind = \"vm\"\n";
    let p = ok(&format!("{base}[[spoke]]\nname = \"one\"\nworkloads = [\"a\"]\n"));
    assert_eq!(p.spokes[0].workloads[0].value, "a");
    let e = errors_of(
        "p.toml",
        &format!(
            "{base}[[spoke]]\nname = \"one\"\nworkloads = [\"a\"]\n[[spoke]]\nname = \"two\"\nworkloads = [\"a\"]\n"
        ),
    );
    assert_eq!(
        e.iter().map(|x| (x.0.as_str(), x.1, x.2)).collect::<Vec<_>>(),
        [("CW111", 13, 14)]
    );
}
