//! The egress firewall's surroundings on the emulator: a VPC with an internet gateway, a
//! NAT gateway and a firewall subnet per AZ ([`network`], [`with_firewall`]), and the
//! Network Firewall shim (`tests/tools/nfw-shim.py`): moto has no rule-group or
//! firewall-policy API and reports no firewall endpoints, so the shim answers those calls
//! (lending each firewall subnet a Gateway Load Balancer endpoint created on moto) and
//! passes every other command to the real CLI. Any test that applies the egress phase of
//! a profile with `egress_filtering.mode = "firewall"` uses [`prepare`].

use crate::moto::Moto;
use crate::tools;
use cloudwall_core::policy::Policy;
use cloudwall_core::profile::model::EgressMode;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

pub fn id(v: &Value, path: &[&str]) -> String {
    let mut cur = v;
    for p in path {
        cur = &cur[*p];
    }
    cur.as_str().unwrap_or_else(|| panic!("no {path:?} in {v}")).to_string()
}

/// The network the firewall goes into: public, app and data subnets in two AZs, a route
/// table per app AZ, the data tier's own route table (no internet route), an internet
/// gateway, a NAT gateway per AZ, a firewall subnet per AZ (AZ b's already routed to the
/// internet gateway by mistake, for the script to correct), and a stand-in endpoint per
/// firewall subnet.
#[derive(Debug)]
pub struct Net {
    pub env: Vec<(String, String)>,
    pub app_rt: [String; 2],
    pub data_rt: String,
    pub public_rt: String,
    pub fw_rt_b: String,
    pub nat: [String; 2],
    pub vpce: [String; 2],
    pub fw_subnets: [String; 2],
    pub app_cidrs: [&'static str; 2],
    pub data_subnets: Vec<String>,
}

pub fn network(moto: &Moto) -> Net {
    with_firewall(moto, moto.network())
}

/// [`network`] on top of an existing `moto.network()` environment.
pub fn with_firewall(moto: &Moto, env: Vec<(String, String)>) -> Net {
    let mut env = env;
    let get = |env: &[(String, String)], k: &str| env.iter().find(|(n, _)| n == k).unwrap().1.clone();
    let vpc = get(&env, "VPC_ID");
    let words = |k: &str| get(&env, k).split(' ').map(str::to_string).collect::<Vec<_>>();
    let (public, app, data) = (words("PUBLIC_SUBNET_IDS"), words("APP_SUBNET_IDS"), words("DATA_SUBNET_IDS"));
    let rt = |moto: &Moto| id(&moto.aws_json(&["ec2", "create-route-table", "--vpc-id", &vpc]), &["RouteTable", "RouteTableId"]);
    let assoc = |moto: &Moto, rt: &str, subnet: &str| {
        moto.aws_json(&["ec2", "associate-route-table", "--route-table-id", rt, "--subnet-id", subnet]);
    };
    let igw = id(&moto.aws_json(&["ec2", "create-internet-gateway"]), &["InternetGateway", "InternetGatewayId"]);
    moto.aws_json(&["ec2", "attach-internet-gateway", "--internet-gateway-id", &igw, "--vpc-id", &vpc]);
    let public_rt = rt(moto);
    moto.aws_json(&["ec2", "create-route", "--route-table-id", &public_rt, "--destination-cidr-block", "0.0.0.0/0", "--gateway-id", &igw]);
    let mut nat = vec![];
    for s in &public {
        assoc(moto, &public_rt, s);
        let eip = id(&moto.aws_json(&["ec2", "allocate-address", "--domain", "vpc"]), &["AllocationId"]);
        nat.push(id(&moto.aws_json(&["ec2", "create-nat-gateway", "--subnet-id", s, "--allocation-id", &eip]), &["NatGateway", "NatGatewayId"]));
    }
    let app_rt = [rt(moto), rt(moto)];
    for (i, s) in app.iter().enumerate() {
        assoc(moto, &app_rt[i], s);
    }
    let data_rt = rt(moto);
    let mut fw_subnets = vec![];
    let mut vpce = vec![];
    let mut endpoints = vec![];
    for (i, az) in ["a", "b"].iter().enumerate() {
        let zone = format!("{}{az}", moto.region);
        let cidr = format!("10.20.{}.0/28", 40 + i);
        let s = id(
            &moto.aws_json(&["ec2", "create-subnet", "--vpc-id", &vpc, "--cidr-block", &cidr, "--availability-zone", &zone]),
            &["Subnet", "SubnetId"],
        );
        let e = id(
            &moto.aws_json(&[
                "ec2", "create-vpc-endpoint", "--vpc-id", &vpc, "--vpc-endpoint-type", "GatewayLoadBalancer",
                "--service-name", "com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0", "--subnet-ids", &s,
            ]),
            &["VpcEndpoint", "VpcEndpointId"],
        );
        endpoints.push(format!("{s}={zone}={e}"));
        fw_subnets.push(s);
        vpce.push(e);
    }
    let fw_rt_b = rt(moto);
    assoc(moto, &fw_rt_b, &fw_subnets[1]);
    moto.aws_json(&["ec2", "create-route", "--route-table-id", &fw_rt_b, "--destination-cidr-block", "0.0.0.0/0", "--gateway-id", &igw]);
    env.push(("FIREWALL_SUBNET_IDS".into(), fw_subnets.join(" ")));
    env.push(("NAT_GATEWAY_IDS".into(), nat.join(" ")));
    env.push(("NFW_ENDPOINTS".into(), endpoints.join(" ")));
    env.push(("FIREWALL_WAIT_SECONDS".into(), "0".into()));
    Net {
        env,
        app_rt,
        data_rt,
        public_rt,
        fw_rt_b,
        nat: [nat[0].clone(), nat[1].clone()],
        vpce: [vpce[0].clone(), vpce[1].clone()],
        fw_subnets: [fw_subnets[0].clone(), fw_subnets[1].clone()],
        app_cidrs: ["10.20.10.0/24", "10.20.11.0/24"],
        data_subnets: data,
    }
}

/// Each route of a route table: destination -> target.
pub fn routes(moto: &Moto, rt: &str) -> BTreeMap<String, String> {
    let v = moto.aws_json(&["ec2", "describe-route-tables", "--route-table-ids", rt]);
    let mut out = BTreeMap::new();
    for r in v["RouteTables"][0]["Routes"].as_array().unwrap() {
        let Some(dest) = r["DestinationCidrBlock"].as_str() else { continue };
        let target = ["GatewayId", "NatGatewayId", "VpcEndpointId"]
            .iter()
            .find_map(|k| r[*k].as_str())
            .unwrap_or("?")
            .to_string();
        out.insert(dest.to_string(), target);
    }
    out
}

#[derive(Debug)]
pub struct Shim {
    dir: tempfile::TempDir,
    pub env: Vec<(String, String)>,
}

impl Shim {
    pub fn new(moto: &Moto, python: &Path) -> Shim {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("state");
        std::fs::create_dir(&state).unwrap();
        let aws = dir.path().join("bin/aws");
        std::fs::create_dir(dir.path().join("bin")).unwrap();
        let script = tools::workspace_root().join("tests/tools/nfw-shim.py");
        std::fs::write(&aws, format!("#!/usr/bin/env bash\nexec {} {} \"$@\"\n", python.display(), script.display())).unwrap();
        let mut perm = std::fs::metadata(&aws).unwrap().permissions();
        std::os::unix::fs::PermissionsExt::set_mode(&mut perm, 0o755);
        std::fs::set_permissions(&aws, perm).unwrap();
        let moto_path = moto.env().into_iter().find(|(k, _)| k == "PATH").map(|(_, v)| v).unwrap_or_default();
        let env = vec![
            ("PATH".to_string(), format!("{}:{moto_path}", dir.path().join("bin").display())),
            ("NFW_REAL_AWS".to_string(), moto.cli().display().to_string()),
            ("NFW_STATE".to_string(), state.display().to_string()),
            ("NFW_LOG".to_string(), dir.path().join("calls.jsonl").display().to_string()),
        ];
        Shim { dir, env }
    }

    /// The recorded Network Firewall calls, in order.
    pub fn calls(&self) -> Vec<(String, Value)> {
        let text = std::fs::read_to_string(self.dir.path().join("calls.jsonl")).unwrap_or_default();
        text.lines()
            .map(|l| {
                let v: Value = serde_json::from_str(l).unwrap();
                (v["op"].as_str().unwrap().to_string(), v["input"].clone())
            })
            .collect()
    }

    /// The rule group `name` as created (the shim keeps what it was sent).
    pub fn rule_group(&self, name: &str) -> Value {
        let p = self.dir.path().join(format!("state/rule-group-{name}.json"));
        serde_json::from_str(&std::fs::read_to_string(p).expect("rule group created")).unwrap()
    }
}


/// Whether `apply.sh` of `policy` builds an egress firewall (and so needs its inputs).
pub fn needs_firewall(policy: &Policy) -> bool {
    !policy.fqdn_egress.is_empty() && policy.controls.egress_mode == EgressMode::Firewall
}

/// For a policy with an egress firewall: adds the firewall's network to `env` (from
/// `moto.network()`) and the shim in front of the CLI; the returned guard keeps the shim.
/// `None` (and `env` unchanged) for any other policy.
pub fn prepare(moto: &Moto, policy: &Policy, env: &mut Vec<(String, String)>) -> Option<Shim> {
    if !needs_firewall(policy) {
        return None;
    }
    let python = tools::tools_python().expect("the tools' python (it runs moto)");
    let net = with_firewall(moto, std::mem::take(env));
    let shim = Shim::new(moto, &python);
    *env = net.env;
    env.extend(shim.env.iter().cloned());
    Some(shim)
}
