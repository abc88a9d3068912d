//! A small builder of Policy values for the AWS provider tests, and the worked example
//! of profile.md compiled by hand.
#![allow(dead_code, clippy::too_many_arguments)]

use cloudwall_core::policy::*;
use cloudwall_core::ports::PortRange;
use cloudwall_core::profile::model::{Compliance, PublicMode, Tier, Topology, WorkloadKind};
use cloudwall_core::source::Location;
use ipnet::IpNet;
use std::collections::BTreeMap;

pub fn loc(line: usize) -> Location {
    Location { file: "profile.toml".into(), line, col: 1 }
}

#[derive(Debug)]
pub struct PolicyBuilder {
    pub policy: Policy,
}

impl PolicyBuilder {
    pub fn new(name: &str, env: &str, region: Option<&str>) -> Self {
        PolicyBuilder {
            policy: Policy {
                deployment: DeploymentInfo {
                    name: name.into(),
                    env: env.into(),
                    providers: vec!["aws".into()],
                    region: region.map(Into::into),
                    regions: vec![],
                    topology: Topology::ThreeTier,
                    compliance: vec![Compliance::Soc2],
                    public: PublicMode::LoadBalancerOnly,
                    owner: "platform team".into(),
                    availability_zones: 2,
                    source: "profile.toml".into(),
                },
                groups: vec![],
                rules: vec![],
                externals: vec![ExternalParty {
                    name: INTERNET.into(),
                    cidrs: vec!["0.0.0.0/0".parse().unwrap(), "::/0".parse().unwrap()],
                    purpose: None,
                    origin: loc(1),
                }],
                fqdn_egress: vec![],
                endpoints: vec![],
                access: Access { strategy: None, per_tier: BTreeMap::new(), origin: loc(1) },
                deny: vec![],
                kubernetes: None,
                spokes: vec![],
                hosts: BTreeMap::new(),
                controls: Default::default(),
                placement: Default::default(),
            },
        }
    }

    pub fn group(mut self, id: &str, tier: Tier, kind: Option<WorkloadKind>, summary: &str) -> Self {
        let env = self.policy.deployment.env.clone();
        self.policy.groups.push(Group {
            id: id.into(),
            name: format!("{env}-{tier}-{id}"),
            tier,
            kind,
            summary: summary.into(),
            origin: loc(10 + self.policy.groups.len()),
        });
        self.policy.groups.sort_by(|a, b| a.id.cmp(&b.id));
        self
    }

    fn push(&mut self, id: String, group: &str, direction: Direction, peer: Peer, ports: PortRange, d: Description, source: RuleSource) {
        self.policy.rules.push(Rule {
            id,
            group: group.into(),
            direction,
            peer,
            ports,
            description: d,
            justification: None,
            source,
            origin: loc(40 + self.policy.rules.len()),
        });
    }

    fn desc(src: &str, dst: &str, ports: PortRange, purpose: &str, owner: &str) -> Description {
        Description {
            source: src.into(),
            destination: dst.into(),
            ports: ports.to_string(),
            purpose: purpose.into(),
            owner: owner.into(),
        }
    }

    /// A flow between two groups: the destination's ingress and the source's egress.
    pub fn flow(mut self, index: usize, from: &str, to: &str, ports: &str, purpose: &str, owner: &str) -> Self {
        let p = PortRange::parse(ports).unwrap();
        let tag = ports.replace(['/', '-'], "_");
        let d = Self::desc(from, to, p, purpose, owner);
        self.push(
            format!("flow{index}_{to}_in_{tag}"),
            to,
            Direction::Ingress,
            Peer::Group { id: from.into() },
            p,
            d.clone(),
            RuleSource::Flow { index },
        );
        self.push(
            format!("flow{index}_{from}_out_{tag}"),
            from,
            Direction::Egress,
            Peer::Group { id: to.into() },
            p,
            d,
            RuleSource::Flow { index },
        );
        self
    }

    /// A flow from an external party (its CIDRs) into a group.
    pub fn inbound(mut self, index: usize, party: &str, cidrs: &[&str], to: &str, ports: &str, purpose: &str, owner: &str) -> Self {
        let p = PortRange::parse(ports).unwrap();
        let tag = ports.replace(['/', '-'], "_");
        for (i, c) in cidrs.iter().enumerate() {
            let cidr: IpNet = c.parse().unwrap();
            let fam = if matches!(cidr, IpNet::V4(_)) { "v4" } else { "v6" };
            self.push(
                format!("flow{index}_{to}_in_{tag}_{fam}_{i}"),
                to,
                Direction::Ingress,
                Peer::Cidr { cidr, party: party.into() },
                p,
                Self::desc(party, to, p, purpose, owner),
                RuleSource::Flow { index },
            );
        }
        self
    }

    /// An `[[egress]]` entry with CIDRs.
    pub fn egress(mut self, index: usize, from: &str, cidrs: &[&str], ports: &str, purpose: &str, owner: &str) -> Self {
        let p = PortRange::parse(ports).unwrap();
        let tag = ports.replace(['/', '-'], "_");
        for (i, c) in cidrs.iter().enumerate() {
            let cidr: IpNet = c.parse().unwrap();
            self.push(
                format!("egress{index}_{from}_out_{tag}_{i}"),
                from,
                Direction::Egress,
                Peer::Cidr { cidr, party: c.to_string() },
                p,
                Self::desc(from, c, p, purpose, owner),
                RuleSource::Egress { index },
            );
        }
        self
    }

    /// The Policy as the AWS provider renders it (with what operator access adds: the
    /// SSM endpoints, the client-VPN group), so tests compare artifacts with it.
    pub fn build(self) -> Policy {
        cloudwall_aws::phases::access::prepare(&self.policy)
    }
}

/// profile.md's worked example, compiled by hand.
pub fn worked_example() -> Policy {
    PolicyBuilder::new("webapp", "prod", Some("us-east-1"))
        .group("alb", Tier::Public, Some(WorkloadKind::LoadBalancer), "Public load balancer: the only internet entry point")
        .group("ecs", Tier::App, Some(WorkloadKind::Containers), "Application containers behind the load balancer")
        .group("rds", Tier::Data, Some(WorkloadKind::Postgres), "PostgreSQL database of the order service")
        .group("redis", Tier::Data, Some(WorkloadKind::Redis), "Redis session cache")
        .inbound(0, "internet", &["0.0.0.0/0", "::/0"], "alb", "443/tcp", "public site traffic", "web team")
        .inbound(1, "internet", &["0.0.0.0/0", "::/0"], "alb", "80/tcp", "HTTP redirect to HTTPS", "web team")
        .flow(2, "alb", "ecs", "8080/tcp", "request forward", "platform team")
        .flow(3, "ecs", "rds", "5432/tcp", "order service write path", "payments team")
        .flow(4, "ecs", "redis", "6379/tcp", "session cache", "platform team")
        .egress(0, "ecs", &["13.55.0.0/16"], "443/tcp", "Stripe API payment webhooks", "payments team")
        .build()
}
