//! The compiler on the worked example of profile.md: exact groups, rules, descriptions.

mod compile_support;

use cloudwall_core::compile::{add_endpoint_services, compile};
use cloudwall_core::policy::{Direction, Peer, RuleSource, ENDPOINTS_GROUP};
use cloudwall_core::ports::PortRange;
use cloudwall_core::profile::{Bastion, Tier, WorkloadKind};
use compile_support::*;

fn g(id: &str) -> Peer {
    Peer::Group { id: id.to_string() }
}
fn c(cidr: &str, party: &str) -> Peer {
    Peer::Cidr {
        cidr: cidr.parse().unwrap(),
        party: party.to_string(),
    }
}

#[test]
fn groups_are_one_per_workload_plus_endpoints_sorted() {
    let p = compile(&worked_example().build());
    let ids: Vec<&str> = p.groups.iter().map(|g| g.id.as_str()).collect();
    assert_eq!(ids, vec!["alb", "ecs", "endpoints", "rds", "redis"]);
    let names: Vec<&str> = p.groups.iter().map(|g| g.name.as_str()).collect();
    assert_eq!(
        names,
        vec![
            "prod-public-alb",
            "prod-app-ecs",
            "prod-mgmt-endpoints",
            "prod-data-rds",
            "prod-data-redis"
        ]
    );
    let rds = p.group("rds").unwrap();
    assert_eq!(rds.tier, Tier::Data);
    assert_eq!(rds.kind, Some(WorkloadKind::Postgres));
    assert!(
        rds.summary.contains("PostgreSQL") && rds.summary.contains("data tier"),
        "{}",
        rds.summary
    );
    let ep = p.group(ENDPOINTS_GROUP).unwrap();
    assert_eq!(ep.kind, None);
    assert_eq!(ep.tier, Tier::Mgmt);
    // origin: the [[workload]] table of rds (the third workload)
    assert_eq!(rds.origin.file, FILE);
    assert!(p.group("alb").unwrap().origin.line < rds.origin.line);
}

#[test]
fn deployment_and_externals() {
    let p = compile(&worked_example().build());
    assert_eq!(p.deployment.name, "webapp");
    assert_eq!(p.deployment.env, "prod");
    assert_eq!(p.deployment.providers, vec!["aws"]);
    assert_eq!(p.deployment.region.as_deref(), Some("us-east-1"));
    assert_eq!(p.deployment.owner, "platform team");
    assert_eq!(p.deployment.source, FILE);
    assert_eq!(p.externals.len(), 1);
    assert_eq!(p.externals[0].name, "internet");
    assert_eq!(
        p.externals[0].cidrs,
        vec![
            "0.0.0.0/0".parse().unwrap(),
            "::/0".parse::<ipnet::IpNet>().unwrap()
        ]
    );
    assert_eq!(p.access.strategy, Some(Bastion::SsmSessionManager));
    let k = p.kubernetes.as_ref().unwrap();
    assert_eq!(k.workloads, vec!["ecs"]);
    assert_eq!(k.ingress_namespace.as_deref(), Some("ingress-nginx"));
}

#[test]
fn exact_rules_of_the_worked_example() {
    let p = compile(&worked_example().build());
    let got: Vec<(&str, &str, Direction, Peer, String)> = p
        .rules
        .iter()
        .map(|r| {
            (
                r.id.as_str(),
                r.group.as_str(),
                r.direction,
                r.peer.clone(),
                r.ports.to_string(),
            )
        })
        .collect();
    use Direction::*;
    let want: Vec<(&str, &str, Direction, Peer, String)> = vec![
        (
            "alb_in_from_internet_v4_443_tcp",
            "alb",
            Ingress,
            c("0.0.0.0/0", "internet"),
            "443/tcp".into(),
        ),
        (
            "alb_in_from_internet_v6_443_tcp",
            "alb",
            Ingress,
            c("::/0", "internet"),
            "443/tcp".into(),
        ),
        (
            "alb_in_from_internet_v4_80_tcp",
            "alb",
            Ingress,
            c("0.0.0.0/0", "internet"),
            "80/tcp".into(),
        ),
        (
            "alb_in_from_internet_v6_80_tcp",
            "alb",
            Ingress,
            c("::/0", "internet"),
            "80/tcp".into(),
        ),
        (
            "ecs_in_from_alb_8080_tcp",
            "ecs",
            Ingress,
            g("alb"),
            "8080/tcp".into(),
        ),
        (
            "alb_out_to_ecs_8080_tcp",
            "alb",
            Egress,
            g("ecs"),
            "8080/tcp".into(),
        ),
        (
            "rds_in_from_ecs_5432_tcp",
            "rds",
            Ingress,
            g("ecs"),
            "5432/tcp".into(),
        ),
        (
            "ecs_out_to_rds_5432_tcp",
            "ecs",
            Egress,
            g("rds"),
            "5432/tcp".into(),
        ),
        (
            "redis_in_from_ecs_6379_tcp",
            "redis",
            Ingress,
            g("ecs"),
            "6379/tcp".into(),
        ),
        (
            "ecs_out_to_redis_6379_tcp",
            "ecs",
            Egress,
            g("redis"),
            "6379/tcp".into(),
        ),
        (
            "ecs_out_to_13_55_0_0_16_443_tcp",
            "ecs",
            Egress,
            c("13.55.0.0/16", "13.55.0.0/16"),
            "443/tcp".into(),
        ),
        (
            "ecs_out_to_endpoints_443_tcp",
            "ecs",
            Egress,
            g("endpoints"),
            "443/tcp".into(),
        ),
        (
            "endpoints_in_from_ecs_443_tcp",
            "endpoints",
            Ingress,
            g("ecs"),
            "443/tcp".into(),
        ),
    ];
    assert_eq!(got, want);
}

#[test]
fn descriptions_and_sources() {
    let p = compile(&worked_example().build());
    let r = |id: &str| {
        p.rules
            .iter()
            .find(|r| r.id == id)
            .unwrap_or_else(|| panic!("no rule {id}"))
    };
    assert_eq!(
        r("alb_in_from_internet_v4_443_tcp").description.text(),
        "internet -> alb : 443/tcp - public site traffic - web team"
    );
    // no owner on the flow: the deployment owner
    assert_eq!(
        r("ecs_in_from_alb_8080_tcp").description.text(),
        "alb -> ecs : 8080/tcp - request forward - platform team"
    );
    assert_eq!(
        r("alb_out_to_ecs_8080_tcp").description,
        r("ecs_in_from_alb_8080_tcp").description
    );
    // implied port
    assert_eq!(
        r("rds_in_from_ecs_5432_tcp").description.text(),
        "ecs -> rds : 5432/tcp - order service write path - payments team"
    );
    assert_eq!(
        r("ecs_out_to_redis_6379_tcp").description.text(),
        "ecs -> redis : 6379/tcp - session cache - platform team"
    );
    assert_eq!(
        r("ecs_out_to_13_55_0_0_16_443_tcp").description.text(),
        "ecs -> 13.55.0.0/16 : 443/tcp - Stripe API payment webhooks - payments team"
    );
    let ep = r("ecs_out_to_endpoints_443_tcp");
    assert_eq!(ep.source, RuleSource::Endpoint);
    assert_eq!(
        ep.description.purpose,
        "private endpoint access: container-registry, kms, logs, object-storage, secrets, sts"
    );
    assert_eq!(
        r("alb_in_from_internet_v4_80_tcp").source,
        RuleSource::Flow { index: 1 }
    );
    assert_eq!(
        r("ecs_out_to_13_55_0_0_16_443_tcp").source,
        RuleSource::Egress { index: 0 }
    );
    assert!(p.rules.iter().all(|r| r.justification.is_none()));
    let services: Vec<&str> = p.endpoints.iter().map(|e| e.service.as_str()).collect();
    assert_eq!(
        services,
        vec![
            "container-registry",
            "kms",
            "logs",
            "object-storage",
            "secrets",
            "sts"
        ]
    );
    assert!(p.endpoints.iter().all(|e| !e.for_access));
}

#[test]
fn origin_points_at_the_port_value_or_the_flow() {
    let b = worked_example();
    let p = compile(&b.build());
    let text = "profile.toml";
    let r = |id: &str| p.rules.iter().find(|r| r.id == id).unwrap();
    // explicit port: the line of the "443/tcp" value, right after `ports = [`
    let o = &r("alb_in_from_internet_v4_443_tcp").origin;
    assert_eq!(o.file, text);
    let src = compile_support_text();
    assert_eq!(src.lines().nth(o.line - 1).unwrap().trim(), "\"443/tcp\",");
    // implied port: the [[flow]] table
    let o = &r("rds_in_from_ecs_5432_tcp").origin;
    assert_eq!(src.lines().nth(o.line - 1).unwrap(), "[[flow]]");
    // both sides of a flow share the origin
    assert_eq!(
        r("rds_in_from_ecs_5432_tcp").origin,
        r("ecs_out_to_rds_5432_tcp").origin
    );
}

fn compile_support_text() -> String {
    let p = worked_example().build();
    p.sources
        .file(cloudwall_core::source::FileId(0))
        .text
        .clone()
}

#[test]
fn compile_is_deterministic() {
    let a = compile(&worked_example().build());
    let b = compile(&worked_example().build());
    assert_eq!(a, b);
    assert_eq!(
        serde_json::to_string(&a).unwrap(),
        serde_json::to_string(&b).unwrap()
    );
}

#[test]
fn access_endpoints_are_added_idempotently() {
    let mut p = compile(&worked_example().build());
    let before = p.rules.len();
    add_endpoint_services(&mut p, &["ssm", "ssmmessages", "ec2messages", "kms"], true);
    let once = p.clone();
    add_endpoint_services(&mut p, &["ssm", "ssmmessages", "ec2messages", "kms"], true);
    assert_eq!(p, once, "second call changes nothing");
    assert_eq!(p.rules.len(), before, "the consumer rules exist already");
    let svc: Vec<(&str, bool)> = p
        .endpoints
        .iter()
        .map(|e| (e.service.as_str(), e.for_access))
        .collect();
    assert_eq!(
        svc,
        vec![
            ("container-registry", false),
            ("ec2messages", true),
            ("kms", false),
            ("logs", false),
            ("object-storage", false),
            ("secrets", false),
            ("ssm", true),
            ("ssmmessages", true),
            ("sts", false)
        ]
    );
    let r = p
        .rules
        .iter()
        .find(|r| r.id == "endpoints_in_from_ecs_443_tcp")
        .unwrap();
    assert!(
        r.description.purpose.contains("ssmmessages"),
        "{}",
        r.description.purpose
    );
    assert_eq!(
        p.groups.iter().filter(|g| g.id == ENDPOINTS_GROUP).count(),
        1
    );
}

#[test]
fn access_endpoints_create_the_group_when_none_was_listed() {
    use Tier::*;
    use WorkloadKind::*;
    let prof = B::new("dev")
        .workload("web", Public, LoadBalancer)
        .workload("api", App, Vm)
        .workload("jobs", App, Function)
        .workload("edge", Public, Vm)
        .workload("db", Data, Mysql)
        .flow("web", "api", &["8443/tcp"], "forward")
        .build();
    let mut p = compile(&prof);
    assert!(p.group(ENDPOINTS_GROUP).is_none());
    assert!(p.endpoints.is_empty());
    add_endpoint_services(&mut p, &["ssm"], true);
    let ep = p.group(ENDPOINTS_GROUP).unwrap();
    assert_eq!(ep.name, "dev-mgmt-endpoints");
    let endpoint_rules: Vec<&str> = p
        .rules
        .iter()
        .filter(|r| r.source == RuleSource::Endpoint)
        .map(|r| r.id.as_str())
        .collect();
    // consumers: compute kinds outside the public tier (api, jobs), not edge, web or db
    assert_eq!(
        endpoint_rules,
        vec![
            "api_out_to_endpoints_443_tcp",
            "endpoints_in_from_api_443_tcp",
            "jobs_out_to_endpoints_443_tcp",
            "endpoints_in_from_jobs_443_tcp"
        ]
    );
    assert!(p
        .rules
        .iter()
        .filter(|r| r.source == RuleSource::Endpoint)
        .all(|r| r.ports == PortRange::tcp(443)));
    // nothing to add: no change
    let snapshot = p.clone();
    add_endpoint_services(&mut p, &[], true);
    assert_eq!(p, snapshot);
}

/// Everything of a policy but the profile locations.
fn without_locations(p: &cloudwall_core::Policy) -> String {
    let mut v = serde_json::to_value(p).unwrap();
    fn strip(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Object(m) => {
                m.remove("origin");
                m.remove("source")
                    .filter(|s| s.is_object())
                    .map(|s| m.insert("source".into(), s));
                m.values_mut().for_each(strip);
            }
            serde_json::Value::Array(a) => a.iter_mut().for_each(strip),
            _ => {}
        }
    }
    strip(&mut v);
    serde_json::to_string_pretty(&v).unwrap()
}

#[test]
fn the_example_file_compiles_like_the_built_profile() {
    let root = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."));
    let from_toml = compile(
        &cloudwall_core::profile::load(&root.join("examples/webapp-aws.toml"))
            .unwrap_or_else(|e| panic!("{e}")),
    );
    let from_json = compile(
        &cloudwall_core::profile::load(&root.join("core/tests/fixtures/webapp-aws.json"))
            .unwrap_or_else(|e| panic!("{e}")),
    );
    let built = compile(&worked_example().build());
    assert_eq!(without_locations(&from_toml), without_locations(&built));
    assert_eq!(without_locations(&from_json), without_locations(&built));
    // locations point into the file: the 443/tcp rule at its port value
    let r = from_toml
        .rules
        .iter()
        .find(|r| r.id == "alb_in_from_internet_v4_443_tcp")
        .unwrap();
    let text = std::fs::read_to_string(root.join("examples/webapp-aws.toml")).unwrap();
    let line = text.lines().nth(r.origin.line - 1).unwrap();
    assert!(
        line[r.origin.col - 1..].starts_with("\"443/tcp\""),
        "{line}"
    );
}
