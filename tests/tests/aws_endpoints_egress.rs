//! The endpoints and egress phases for real: `apply.sh` creates the VPC endpoints on the
//! emulator (every expected service, route tables on the gateway endpoints, the endpoint
//! group on the interface endpoints, idempotent on a second run), and squid accepts the
//! generated proxy configuration (`squid -k parse`).
//!
//! The examples run on the emulator are the ones that together show every endpoint
//! option ([`features`]), each in its own VPC, a few at a time.

use cloudwall_aws::Aws;
use cloudwall_core::policy::ENDPOINTS_GROUP;
use cloudwall_core::profile::model::EgressMode;
use cloudwall_core::provider::Phase;
use cloudwall_tests::{moto, moto::Moto, pipeline, tools};
use std::collections::BTreeSet;
use std::process::Command;

/// The AWS endpoint services a profile's list asks for (from `docs/profile.md`'s table).
fn expected_services(policy: &cloudwall_core::policy::Policy, region: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for e in &policy.endpoints {
        let svcs: Vec<&str> = match e.service.as_str() {
            "object-storage" => vec!["s3"],
            "secrets" => vec!["secretsmanager"],
            "container-registry" => vec!["ecr.api", "ecr.dkr", "s3"],
            "queue" => vec!["sqs"],
            "database-api" => vec!["rds"],
            "aws:ecr.dkr" => vec!["ecr.dkr", "s3"],
            s => match s.split_once(':') {
                Some(("aws", svc)) => vec![svc],
                Some(_) => vec![],
                None => vec![s],
            },
        };
        out.extend(svcs.into_iter().map(|s| format!("com.amazonaws.{region}.{s}")));
    }
    out
}

fn apply(moto: &Moto, script: &std::path::Path, net: &[(String, String)]) {
    moto.apply(script, net);
}

/// What the endpoints render from: each AWS service, gateway or interface, the endpoint
/// restrictions (their service), and whether the access strategy added SSM's endpoints.
///
/// With today's examples this picks: fqdn-egress-firewall (S3 gateway with a bucket
/// restriction, the registry's three endpoints, secrets, queue, KMS, logs and SSM's three
/// added by the managed access, restrictions on object storage, queue and KMS),
/// api-gateway (STS), fqdn-egress-proxy (CloudWatch monitoring).
fn features(policy: &cloudwall_core::policy::Policy) -> Vec<String> {
    let eff = cloudwall_core::provider::Provider::effective_policy(&Aws, policy);
    if eff.endpoints.is_empty() {
        return vec![];
    }
    let mut f: Vec<String> = expected_services(&eff, "r").into_iter().map(|s| format!("service:{}", s.trim_start_matches("com.amazonaws.r."))).collect();
    f.extend(eff.controls.endpoint_restrictions.iter().map(|r| format!("restrict:{}", r.service)));
    if !eff.spokes.is_empty() {
        f.push("shared-endpoint-dns".into());
    }
    if eff.endpoints.len() > policy.endpoints.len() {
        f.push("added-by-access".into());
    }
    f
}

#[test]
fn apply_sh_creates_the_vpc_endpoints() {
    let chosen = pipeline::covering_aws_examples(features);
    moto::each_on_moto(&chosen, |(p, _, _)| p.display().to_string(), |moto, (example, policy, _)| {
        // The region apply.sh runs in (AWS_REGION), which need not be the profile's: the
        // endpoints belong to the VPC's region.
        let region = moto.region.clone();
        // The groups (the endpoint group is one) and this phase: the other phases' commands
        // run in `aws_verify`, which applies everything.
        let files = cloudwall_core::provider::Provider::render(&Aws, policy, &[Phase::Groups, Phase::Endpoints]).expect("render");
        // What the provider renders from: the access strategy may add endpoints (SSM's).
        let policy = cloudwall_core::provider::Provider::effective_policy(&Aws, policy);
        let dir = tempfile::tempdir().unwrap();
        pipeline::write_artifacts(dir.path(), &files);
        let net = moto.network_for(&policy);
        let get = |k: &str| net.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap();
        let vpc_id = get("VPC_ID");
        let script = dir.path().join("cli/apply.sh");
        apply(moto, &script, &net);
        let describe = || {
            moto.aws_json(&["ec2", "describe-vpc-endpoints", "--filters", &format!("Name=vpc-id,Values={vpc_id}")])
        };
        let eps = describe();
        let eps = eps["VpcEndpoints"].as_array().expect("VpcEndpoints").clone();
        let got: BTreeSet<String> = eps.iter().map(|e| e["ServiceName"].as_str().unwrap().to_string()).collect();
        let want = expected_services(&policy, &region);
        assert_eq!(got, want, "{}: endpoint services", example.display());
        let sgs = moto.aws_json(&["ec2", "describe-security-groups", "--filters", &format!("Name=vpc-id,Values={vpc_id}")]);
        let endpoint_sg = policy.group(ENDPOINTS_GROUP).map(|g| format!("{}-sg", g.name));
        let endpoint_sg_id = sgs["SecurityGroups"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| Some(g["GroupName"].as_str().unwrap().to_string()) == endpoint_sg)
            .map(|g| g["GroupId"].as_str().unwrap().to_string());
        let rtbs: BTreeSet<String> = get("PRIVATE_ROUTE_TABLE_IDS").split_whitespace().map(String::from).collect();
        let subnets: BTreeSet<String> = get("APP_SUBNET_IDS").split_whitespace().map(String::from).collect();
        for e in &eps {
            let svc = e["ServiceName"].as_str().unwrap();
            match e["VpcEndpointType"].as_str().unwrap() {
                "Gateway" => {
                    assert!(svc.ends_with(".s3"), "{svc}: only S3 is a gateway endpoint here");
                    let r: BTreeSet<String> = e["RouteTableIds"].as_array().unwrap().iter().map(|x| x.as_str().unwrap().to_string()).collect();
                    assert_eq!(r, rtbs, "{}: {svc} route tables", example.display());
                }
                "Interface" => {
                    let groups: Vec<&str> = e["Groups"].as_array().unwrap().iter().map(|g| g["GroupId"].as_str().unwrap()).collect();
                    assert_eq!(groups, vec![endpoint_sg_id.as_deref().expect("endpoint group")], "{}: {svc} security group", example.display());
                    let s: BTreeSet<String> = e["SubnetIds"].as_array().unwrap().iter().map(|x| x.as_str().unwrap().to_string()).collect();
                    assert_eq!(s, subnets, "{}: {svc} subnets", example.display());
                    // Hub-spoke shares the hub's endpoints through private hosted zones
                    // (checked in aws_topology); the endpoint's own private DNS is off there.
                    let own_dns = policy.spokes.is_empty();
                    assert_eq!(e["PrivateDnsEnabled"], serde_json::Value::Bool(own_dns), "{svc}: private DNS");
                }
                other => panic!("{svc}: endpoint type {other}"),
            }
            if svc.ends_with(".s3") && !policy.controls.endpoint_restrictions.is_empty()
                && policy.controls.endpoint_restrictions.iter().any(|r| r.service == "object-storage")
            {
                let doc: serde_json::Value = serde_json::from_str(e["PolicyDocument"].as_str().expect("policy")).unwrap();
                let text = doc.to_string();
                for r in policy.controls.endpoint_restrictions.iter().filter(|r| r.service == "object-storage") {
                    for b in &r.resources {
                        assert!(text.contains(&format!("arn:aws:s3:::{b}/*")), "{svc}: policy lacks bucket {b}: {text}");
                    }
                }
            }
        }
        // A second run finds the endpoints instead of creating new ones.
        apply(moto, &script, &net);
        let again = describe()["VpcEndpoints"].as_array().unwrap().len();
        assert_eq!(again, eps.len(), "{}: apply.sh is not idempotent for endpoints", example.display());
    });
}

#[test]
fn squid_accepts_the_proxy_configuration() {
    let examples: Vec<_> = pipeline::examples()
        .into_iter()
        .map(|p| (p.clone(), pipeline::policy_of(&p)))
        .filter(|(_, pol)| pol.controls.egress_mode == EgressMode::Proxy && !pol.fqdn_egress.is_empty())
        .collect();
    assert!(!examples.is_empty(), "no example uses the egress proxy");
    let Some(squid) = tools::require("squid", "checks egress/squid.conf with `squid -k parse`") else { return };
    for (path, policy) in examples {
        let files = pipeline::render_all(&Aws, &policy);
        let conf = files.get("egress/squid.conf").expect("egress/squid.conf");
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("squid.conf");
        std::fs::write(&f, conf).unwrap();
        let (code, out, err) = tools::run(Command::new(&squid).arg("-k").arg("parse").arg("-f").arg(&f));
        assert_eq!(code, 0, "{}: squid -k parse failed\n{out}{err}", path.display());
        for bad in ["ERROR", "FATAL", "WARNING"] {
            assert!(!err.contains(bad) && !out.contains(bad), "{}: squid reports {bad}:\n{out}{err}", path.display());
        }
    }
}
