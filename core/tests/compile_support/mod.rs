//! Test support for the compiler, rules and reachability tests: a small builder of
//! typed [`Profile`] values. Every value gets its own line in a synthetic source file
//! (the line reads like the TOML it stands for), so that findings point at distinct,
//! checkable `file:line:col` locations.
#![allow(dead_code)]

use cloudwall_core::ports::PortRange;
use cloudwall_core::profile::*;
use cloudwall_core::source::{FileId, SourceMap, Span, Spanned};
use ipnet::IpNet;
use std::collections::BTreeMap;

pub const FILE: &str = "profile.toml";

pub struct B {
    lines: Vec<String>,
    offset: usize,
    p: Profile,
}

/// One flow as written.
#[derive(Default, Clone)]
pub struct F<'a> {
    pub from: &'a str,
    pub to: &'a str,
    pub ports: &'a [&'a str],
    pub purpose: Option<&'a str>,
    pub owner: Option<&'a str>,
    pub justification: Option<&'a str>,
}

impl B {
    pub fn new(env: &str) -> B {
        let mut b = B {
            lines: Vec::new(),
            offset: 0,
            p: Profile {
                sources: SourceMap::new(),
                deployment: Deployment {
                    span: Span::default(),
                    name: Spanned::new(String::new(), Span::default()),
                    env: Spanned::new(String::new(), Span::default()),
                    providers: vec![],
                    region: None,
                    regions: vec![],
                    topology: Spanned::new(Topology::ThreeTier, Span::default()),
                    compliance: vec![],
                    public: Spanned::new(PublicMode::LoadBalancerOnly, Span::default()),
                    bastion: None,
                    owner: Spanned::new(String::new(), Span::default()),
                    availability_zones: Spanned::new(2, Span::default()),
                },
                workloads: vec![],
                flows: vec![],
                egress: vec![],
                external: vec![],
                deny: vec![],
                private_endpoints: PrivateEndpoints::default(),
                kubernetes: None,
                spokes: vec![],
                access: BTreeMap::new(),
                hosts: BTreeMap::new(),
                plugins: vec![],
                egress_filtering: EgressFiltering {
                    span: None,
                    mode: Spanned::new(EgressMode::Firewall, Span::default()),
                    log_retention_days: Spanned::new(365, Span::default()),
                },
                flow_logs: FlowLogs {
                    span: None,
                    enabled: Spanned::new(false, Span::default()),
                    destination: Spanned::new(FlowLogDestination::Logs, Span::default()),
                    retention_days: Spanned::new(365, Span::default()),
                    traffic: Spanned::new(FlowLogTraffic::All, Span::default()),
                },
                vpn: None,
                session_logging: SessionLogging {
                    span: None,
                    idle_timeout_minutes: Spanned::new(20, Span::default()),
                    retention_days: Spanned::new(365, Span::default()),
                },
            },
        };
        let d = &mut b;
        d.p.deployment.span = d.sp("[deployment]");
        d.p.deployment.name = d.s("name", "webapp");
        d.p.deployment.env = d.s("env", env);
        let prov = d.s("provider", "aws");
        d.p.deployment.providers = vec![prov];
        d.p.deployment.region = Some(d.s("region", "us-east-1"));
        let t = d.sp("topology = \"3-tier\"");
        d.p.deployment.topology = Spanned::new(Topology::ThreeTier, t);
        let c = d.sp("compliance = [\"soc2\"]");
        d.p.deployment.compliance = vec![Spanned::new(Compliance::Soc2, c)];
        // soc2 turns flow logs on by default, as the parser does.
        d.p.flow_logs.enabled = Spanned::new(true, c);
        let pu = d.sp("public = \"load-balancer-only\"");
        d.p.deployment.public = Spanned::new(PublicMode::LoadBalancerOnly, pu);
        let ba = d.sp("bastion = \"ssm-session-manager\"");
        d.p.deployment.bastion = Some(Spanned::new(Bastion::SsmSessionManager, ba));
        d.p.deployment.owner = d.s("owner", "platform team");
        let az = d.sp("availability_zones = 2");
        d.p.deployment.availability_zones = Spanned::new(2, az);
        b
    }

    /// A new line holding `text`; the span covers it.
    pub fn sp(&mut self, text: &str) -> Span {
        let start = self.offset;
        self.lines.push(text.to_string());
        self.offset += text.len() + 1;
        Span::new(FileId(0), start, start + text.len())
    }

    /// The 1-based line the next span will be on.
    pub fn next_line(&self) -> usize {
        self.lines.len() + 1
    }

    fn s(&mut self, key: &str, v: &str) -> Spanned<String> {
        let span = self.sp(&format!("{key} = {v:?}"));
        Spanned::new(v.to_string(), span)
    }

    pub fn owner(mut self, owner: &str) -> Self {
        self.p.deployment.owner = self.s("owner", owner);
        self
    }

    pub fn bastion(mut self, b: Option<Bastion>) -> Self {
        self.p.deployment.bastion = b.map(|b| {
            let span = self.sp(&format!("bastion = \"{b}\""));
            Spanned::new(b, span)
        });
        self
    }

    pub fn workload(mut self, name: &str, tier: Tier, kind: WorkloadKind) -> Self {
        let span = self.sp("[[workload]]");
        let name = self.s("name", name);
        let t = self.sp(&format!("tier = \"{tier}\""));
        let k = self.sp(&format!("kind = \"{kind}\""));
        self.p.workloads.push(Workload {
            regions: vec![],
            span,
            name,
            tier: Spanned::new(tier, t),
            kind: Spanned::new(kind, k),
        });
        self
    }

    pub fn flow(self, from: &str, to: &str, ports: &[&str], purpose: &str) -> Self {
        self.flow_full(F {
            from,
            to,
            ports,
            purpose: Some(purpose),
            ..F::default()
        })
    }

    pub fn flow_full(mut self, f: F<'_>) -> Self {
        let span = self.sp("[[flow]]");
        let endpoint = |n: &str| {
            if n == "internet" {
                EndpointRef::Internet
            } else {
                EndpointRef::Named(n.to_string())
            }
        };
        let fs = self.sp(&format!("from = {:?}", f.from));
        let ts = self.sp(&format!("to = {:?}", f.to));
        let (ports, ports_span) = if f.ports.is_empty() {
            (vec![], span)
        } else {
            let ps = self.sp("ports = [");
            let ports = f
                .ports
                .iter()
                .map(|p| {
                    let s = self.sp(&format!("  {p:?},"));
                    Spanned::new(PortRange::parse(p).expect("test port"), s)
                })
                .collect();
            self.sp("]");
            (ports, ps)
        };
        let purpose = f.purpose.map(|v| self.s("purpose", v));
        let owner = f.owner.map(|v| self.s("owner", v));
        let justification = f.justification.map(|v| self.s("justification", v));
        self.p.flows.push(Flow {
            across_regions: Spanned::new(false, Span::default()),
            span,
            from: Spanned::new(endpoint(f.from), fs),
            to: Spanned::new(endpoint(f.to), ts),
            ports,
            ports_span,
            purpose,
            owner,
            justification,
        });
        self
    }

    pub fn egress(
        mut self,
        from: &str,
        cidrs: &[&str],
        fqdns: &[&str],
        ports: &[&str],
        purpose: Option<&str>,
    ) -> Self {
        let span = self.sp("[[egress]]");
        let from = self.s("from", from);
        let cidrs = cidrs
            .iter()
            .map(|c| {
                let s = self.sp(&format!("cidrs = [{c:?}]"));
                Spanned::new(c.parse::<IpNet>().expect("test cidr"), s)
            })
            .collect();
        let fqdns = fqdns.iter().map(|f| self.s("fqdn", f)).collect();
        let ports_span = self.sp("ports = [");
        let ports = ports
            .iter()
            .map(|p| {
                let s = self.sp(&format!("  {p:?},"));
                Spanned::new(PortRange::parse(p).expect("test port"), s)
            })
            .collect();
        let purpose = purpose.map(|v| self.s("purpose", v));
        self.p.egress.push(Egress {
            span,
            from,
            cidrs,
            fqdns,
            ports,
            ports_span,
            purpose,
            owner: None,
        });
        self
    }

    pub fn external(mut self, name: &str, cidrs: &[&str], purpose: Option<&str>) -> Self {
        let span = self.sp("[[external]]");
        let name = self.s("name", name);
        let cidrs = cidrs
            .iter()
            .map(|c| {
                let s = self.sp(&format!("cidrs = [{c:?}]"));
                Spanned::new(c.parse::<IpNet>().expect("test cidr"), s)
            })
            .collect();
        let purpose = purpose.map(|v| self.s("purpose", v));
        self.p.external.push(External {
            span,
            name,
            cidrs,
            purpose,
        });
        self
    }

    pub fn endpoints(mut self, services: &[&str]) -> Self {
        let span = self.sp("[private_endpoints]");
        self.p.private_endpoints.span = Some(span);
        self.p.private_endpoints.services = services.iter().map(|s| self.s("service", s)).collect();
        self
    }

    pub fn kubernetes(mut self, ns: &str, workloads: &[&str]) -> Self {
        let span = self.sp("[kubernetes]");
        let namespace = self.s("namespace", ns);
        let ingress_namespace = Some(self.s("ingress_namespace", "ingress-nginx"));
        let workloads = workloads.iter().map(|w| self.s("workload", w)).collect();
        self.p.kubernetes = Some(Kubernetes {
            span,
            namespace,
            ingress_namespace,
            workloads,
        });
        self
    }

    pub fn build(mut self) -> Profile {
        let mut text = self.lines.join("\n");
        text.push('\n');
        self.p.sources.add(FILE, text);
        self.p
    }
}

/// The worked example of profile.md, value for value.
pub fn worked_example() -> B {
    use Tier::*;
    use WorkloadKind::*;
    B::new("prod")
        .workload("alb", Public, LoadBalancer)
        .workload("ecs", App, Containers)
        .workload("rds", Data, Postgres)
        .workload("redis", Data, Redis)
        .flow_full(F {
            from: "internet",
            to: "alb",
            ports: &["443/tcp"],
            purpose: Some("public site traffic"),
            owner: Some("web team"),
            ..F::default()
        })
        .flow_full(F {
            from: "internet",
            to: "alb",
            ports: &["80/tcp"],
            purpose: Some("HTTP redirect to HTTPS"),
            owner: Some("web team"),
            ..F::default()
        })
        .flow("alb", "ecs", &["8080/tcp"], "request forward")
        .flow_full(F {
            from: "ecs",
            to: "rds",
            purpose: Some("order service write path"),
            owner: Some("payments team"),
            ..F::default()
        })
        .flow_full(F {
            from: "ecs",
            to: "redis",
            purpose: Some("session cache"),
            ..F::default()
        })
        .egress_owned(
            "ecs",
            &["13.55.0.0/16"],
            &["443/tcp"],
            "Stripe API payment webhooks",
            "payments team",
        )
        .endpoints(&[
            "object-storage",
            "secrets",
            "kms",
            "sts",
            "container-registry",
            "logs",
        ])
        .kubernetes("prod", &["ecs"])
}

impl B {
    pub fn egress_owned(
        self,
        from: &str,
        cidrs: &[&str],
        ports: &[&str],
        purpose: &str,
        owner: &str,
    ) -> Self {
        let mut b = self.egress(from, cidrs, &[], ports, Some(purpose));
        let o = b.s("owner", owner);
        b.p.egress.last_mut().expect("just added").owner = Some(o);
        b
    }
}
