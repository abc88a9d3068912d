//! The hub-spoke topology of the AWS provider against a local AWS emulator (moto):
//! `apply.sh` of `examples/hub-spoke.toml` builds the transit gateway with its own route
//! tables, one attachment per VPC, the spoke and hub routes, and places each spoke's
//! security groups in the spoke's VPC, shares the hub's interface endpoints through private
//! hosted zones associated with every spoke VPC, and gives each spoke tier its NACL in the
//! spoke's VPC; a second run changes nothing. The multi-region example applies every
//! phase in one VPC per region through the root scripts; verify.sh passes in both regions
//! and catches SSH opened to the internet, the allow-all egress put back, and a peer range
//! apply.sh never authorized.

use cloudwall_aws::Aws;
use cloudwall_core::provider::{Phase, Provider};
use cloudwall_tests::{moto::Moto, pipeline, tools};
use serde_json::Value;
use std::collections::BTreeSet;
use std::process::Command;

fn ids(v: &Value, list: &str, key: &str) -> Vec<String> {
    v[list].as_array().into_iter().flatten().filter_map(|x| x[key].as_str().map(str::to_string)).collect()
}

fn tag(v: &Value, key: &str) -> Option<String> {
    v["Tags"].as_array()?.iter().find(|t| t["Key"] == key).and_then(|t| t["Value"].as_str().map(str::to_string))
}

#[test]
fn apply_sh_builds_the_hub_and_spoke_network_on_the_emulator() {
    let Some(moto) = Moto::start() else { return };
    let policy = pipeline::policy_of(&tools::workspace_root().join("examples/hub-spoke.toml"));
    // The groups phase carries the topology; the NACLs and the endpoints (with their shared
    // DNS) are the phases hub-spoke changes.
    let files = Aws.render(&policy, &[Phase::Groups, Phase::Nacls, Phase::Endpoints]).expect("render");
    let dir = tempfile::tempdir().unwrap();
    pipeline::write_artifacts(dir.path(), &files);
    let mut env = moto.network();
    let hub_vpc = env.iter().find(|(k, _)| k == "VPC_ID").unwrap().1.clone();
    let hub_rt = env.iter().find(|(k, _)| k == "PRIVATE_ROUTE_TABLE_IDS").unwrap().1.clone();
    let subnet = |vpc: &str, cidr: &str| -> String {
        let s = moto.aws_json(&["ec2", "create-subnet", "--vpc-id", vpc, "--cidr-block", cidr, "--availability-zone", "us-east-1a"]);
        s["Subnet"]["SubnetId"].as_str().unwrap().to_string()
    };
    env.push(("HUB_TGW_SUBNET_IDS".into(), subnet(&hub_vpc, "10.20.200.0/28")));
    env.push(("HUB_ROUTE_TABLE_IDS".into(), hub_rt.clone()));
    let mut spokes = vec![];
    for (name, cidr) in [("FINANCE", "10.31.0.0/16"), ("ANALYTICS", "10.32.0.0/16")] {
        let vpc = moto.aws_json(&["ec2", "create-vpc", "--cidr-block", cidr])["Vpc"]["VpcId"].as_str().unwrap().to_string();
        let rt = moto.aws_json(&["ec2", "create-route-table", "--vpc-id", &vpc])["RouteTable"]["RouteTableId"].as_str().unwrap().to_string();
        let sub = subnet(&vpc, &cidr.replace("0.0/16", "1.0/28"));
        for (tier, third) in [("APP", "10"), ("DATA", "20")] {
            let ids: Vec<String> = ["0", "64"].iter().map(|o| subnet(&vpc, &cidr.replace("0.0/16", &format!("{third}.{o}/26")))).collect();
            env.push((format!("SPOKE_{name}_{tier}_SUBNET_IDS"), ids.join(" ")));
        }
        env.push((format!("SPOKE_{name}_VPC_ID"), vpc.clone()));
        env.push((format!("SPOKE_{name}_TGW_SUBNET_IDS"), sub));
        env.push((format!("SPOKE_{name}_ROUTE_TABLE_IDS"), rt.clone()));
        spokes.push((name, vpc, rt, cidr));
    }
    let script = dir.path().join("cli/apply.sh");
    for run in 0..2 {
        let mut cmd = Command::new("bash");
        cmd.arg(&script).envs(moto.env()).envs(env.iter().cloned());
        let (code, out, err) = tools::run(&mut cmd);
        assert_eq!(code, 0, "apply.sh run {run} failed\nstdout:\n{out}\nstderr:\n{err}");
        if run == 1 {
            assert!(!err.lines().any(|l| l.starts_with("created")), "the second run created something:\n{err}");
        }
    }

    // One transit gateway: no default route table, security-group referencing on.
    let tgws = moto.aws_json(&["ec2", "describe-transit-gateways"]);
    let tgws: Vec<&Value> = tgws["TransitGateways"].as_array().unwrap().iter().filter(|t| t["State"] == "available").collect();
    assert_eq!(tgws.len(), 1, "{tgws:?}");
    let tgw = tgws[0];
    let tgw_id = tgw["TransitGatewayId"].as_str().unwrap();
    let o = &tgw["Options"];
    assert_eq!(o["DefaultRouteTableAssociation"], "disable");
    assert_eq!(o["DefaultRouteTablePropagation"], "disable");
    assert_eq!(o["SecurityGroupReferencingSupport"], "enable");

    // Attachments: the hub and each spoke, each with security-group referencing.
    let atts = moto.aws_json(&["ec2", "describe-transit-gateway-vpc-attachments"]);
    let att_of = |vpc: &str| -> String {
        let found: Vec<&Value> = atts["TransitGatewayVpcAttachments"].as_array().unwrap().iter().filter(|a| a["VpcId"] == vpc).collect();
        assert_eq!(found.len(), 1, "attachments of {vpc}: {found:?}");
        assert_eq!(found[0]["Options"]["SecurityGroupReferencingSupport"], "enable");
        found[0]["TransitGatewayAttachmentId"].as_str().unwrap().to_string()
    };
    let hub_att = att_of(&hub_vpc);
    let spoke_atts: BTreeSet<String> = spokes.iter().map(|(_, vpc, _, _)| att_of(vpc)).collect();

    // Route tables: `hub` (hub associated, spokes propagated), `spokes` (spokes associated,
    // one static route to the hub).
    let rts = moto.aws_json(&["ec2", "describe-transit-gateway-route-tables", "--filters", &format!("Name=transit-gateway-id,Values={tgw_id}")]);
    let rt_named = |suffix: &str| -> String {
        let found: Vec<&Value> = rts["TransitGatewayRouteTables"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| tag(r, "Name").is_some_and(|n| n.ends_with(suffix)))
            .collect();
        assert_eq!(found.len(), 1, "route table *{suffix}: {rts}");
        found[0]["TransitGatewayRouteTableId"].as_str().unwrap().to_string()
    };
    let (rt_hub, rt_spokes) = (rt_named("-tgw-hub"), rt_named("-tgw-spokes"));
    let assoc = |rt: &str| -> BTreeSet<String> {
        let v = moto.aws_json(&["ec2", "get-transit-gateway-route-table-associations", "--transit-gateway-route-table-id", rt]);
        ids(&v, "Associations", "TransitGatewayAttachmentId").into_iter().collect()
    };
    let prop = |rt: &str| -> BTreeSet<String> {
        let v = moto.aws_json(&["ec2", "get-transit-gateway-route-table-propagations", "--transit-gateway-route-table-id", rt]);
        ids(&v, "TransitGatewayRouteTablePropagations", "TransitGatewayAttachmentId").into_iter().collect()
    };
    assert_eq!(assoc(&rt_hub), [hub_att.clone()].into_iter().collect());
    assert_eq!(assoc(&rt_spokes), spoke_atts);
    assert_eq!(prop(&rt_hub), spoke_atts, "the hub learns every spoke");
    assert!(prop(&rt_spokes).is_empty(), "spokes must not learn each other's routes");
    let routes = moto.aws_json(&[
        "ec2", "search-transit-gateway-routes", "--transit-gateway-route-table-id", &rt_spokes, "--filters", "Name=type,Values=static,propagated",
    ]);
    let dests: Vec<String> = ids(&routes, "Routes", "DestinationCidrBlock");
    assert_eq!(dests, vec!["0.0.0.0/0".to_string()], "the spokes route only to the hub: {routes}");

    // VPC routes: spokes send 0.0.0.0/0 to the transit gateway, the hub each spoke CIDR.
    let vpc_routes = |rt: &str| -> BTreeSet<(String, String)> {
        let v = moto.aws_json(&["ec2", "describe-route-tables", "--route-table-ids", rt]);
        v["RouteTables"][0]["Routes"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|r| Some((r["DestinationCidrBlock"].as_str()?.to_string(), r["TransitGatewayId"].as_str()?.to_string())))
            .collect()
    };
    for (_, _, rt, _) in &spokes {
        assert!(vpc_routes(rt).contains(&("0.0.0.0/0".into(), tgw_id.into())), "spoke route table {rt}");
    }
    let hub_routes = vpc_routes(&hub_rt);
    for (_, _, _, cidr) in &spokes {
        assert!(hub_routes.contains(&(cidr.to_string(), tgw_id.into())), "hub route to {cidr}: {hub_routes:?}");
    }

    // Each spoke's groups are in its VPC; the cross-spoke flow references the group.
    let groups_in = |vpc: &str| -> BTreeSet<String> {
        let v = moto.aws_json(&["ec2", "describe-security-groups", "--filters", &format!("Name=vpc-id,Values={vpc}")]);
        ids(&v, "SecurityGroups", "GroupName").into_iter().filter(|n| n != "default").collect()
    };
    let set = |names: &[&str]| names.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();
    assert_eq!(groups_in(&spokes[0].1), set(&["prod-app-billing-sg", "prod-data-billing-db-sg"]));
    assert_eq!(groups_in(&spokes[1].1), set(&["prod-app-reports-sg", "prod-data-warehouse-sg"]));
    assert!(groups_in(&hub_vpc).contains("prod-mgmt-endpoints-sg"));
    let db = moto.aws_json(&[
        "ec2", "describe-security-groups", "--filters", &format!("Name=vpc-id,Values={}", spokes[0].1), "Name=group-name,Values=prod-data-billing-db-sg",
    ]);
    let reports = moto.aws_json(&[
        "ec2", "describe-security-groups", "--filters", &format!("Name=vpc-id,Values={}", spokes[1].1), "Name=group-name,Values=prod-app-reports-sg",
    ]);
    let reports_id = reports["SecurityGroups"][0]["GroupId"].as_str().unwrap();
    let ingress = db["SecurityGroups"][0]["IpPermissions"].to_string();
    assert!(ingress.contains(reports_id), "billing-db admits reports by group reference: {ingress}");

    let named: Vec<(&str, String)> = spokes.iter().map(|(n, vpc, _, _)| (*n, vpc.clone())).collect();
    check_dns_and_spoke_nacls(&moto, &env, &hub_vpc, &named);
}

/// `examples/multi-region.toml`: the root `apply.sh` runs each region's script with the
/// region's inputs; each region holds only the groups of its workloads, and the flow marked
/// `across_regions` becomes rules to the peer region's tier ranges on both sides.
#[test]
fn multi_region_apply_sh_renders_each_region_with_its_cross_region_rules() {
    let Some(moto) = Moto::start() else { return };
    let policy = pipeline::policy_of(&tools::workspace_root().join("examples/multi-region.toml"));
    // Every phase: the root scripts run each region's apply.sh and verify.sh.
    let files = pipeline::render_all(&Aws, &policy);
    let dir = tempfile::tempdir().unwrap();
    pipeline::write_artifacts(dir.path(), &files);
    // One VPC per region (10.1.0.0/16, 10.2.0.0/16), its inputs suffixed with the region.
    let mut env = vec![];
    let mut vpcs = vec![];
    for (region, n) in [("us-east-1", 1), ("eu-west-1", 2)] {
        let suffix = region.to_ascii_uppercase().replace('-', "_");
        for (k, v) in moto.network_in(region, n) {
            if k == "VPC_ID" {
                vpcs.push((region, v.clone()));
            }
            env.push((format!("{k}_{suffix}"), v));
        }
    }
    // The peer tiers' ranges: us-east-1's data subnets, eu-west-1's app subnets.
    env.push(("PEER_CIDRS_US_EAST_1_DATA".into(), "10.1.20.0/24 10.1.21.0/24".into()));
    env.push(("PEER_CIDRS_EU_WEST_1_APP".into(), "10.2.10.0/24 10.2.11.0/24".into()));
    let mut cmd = Command::new("bash");
    cmd.arg(dir.path().join("cli/apply.sh")).envs(moto.env()).envs(env.iter().cloned());
    let (code, out, err) = tools::run(&mut cmd);
    assert_eq!(code, 0, "apply.sh failed\nstdout:\n{out}\nstderr:\n{err}");

    let groups = |region: &str| -> Value {
        moto.aws_json(&["ec2", "describe-security-groups", "--region", region, "--filters", "Name=group-name,Values=prod-*"])
    };
    let names = |v: &Value| -> BTreeSet<String> { ids(v, "SecurityGroups", "GroupName").into_iter().collect() };
    let cidrs = |v: &Value, name: &str, key: &str| -> BTreeSet<String> {
        let g = v["SecurityGroups"].as_array().unwrap().iter().find(|g| g["GroupName"] == name).unwrap_or_else(|| panic!("{name}"));
        g[key].as_array().unwrap().iter().flat_map(|p| ids(p, "IpRanges", "CidrIp")).collect()
    };
    let us = groups("us-east-1");
    let eu = groups("eu-west-1");
    assert!(names(&us).contains("prod-data-primary-db-sg"));
    assert!(!names(&eu).contains("prod-data-primary-db-sg"), "the primary database runs only in us-east-1");
    for v in [&us, &eu] {
        assert!(names(v).contains("prod-app-api-sg") && names(v).contains("prod-data-cache-sg"));
    }
    let set = |xs: &[&str]| xs.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();
    assert_eq!(cidrs(&us, "prod-data-primary-db-sg", "IpPermissions"), set(&["10.2.10.0/24", "10.2.11.0/24"]), "db admits eu-west-1's app tier");
    assert_eq!(cidrs(&eu, "prod-app-api-sg", "IpPermissionsEgress"), set(&["10.1.20.0/24", "10.1.21.0/24"]), "api in eu-west-1 reaches us-east-1's data tier");
    assert!(cidrs(&us, "prod-app-api-sg", "IpPermissionsEgress").is_empty(), "in us-east-1 the database is a group reference");
    assert!(cidrs(&eu, "prod-data-cache-sg", "IpPermissions").is_empty(), "same-region flows never become address rules");

    // verify.sh of every region passes (an unattached group only warns: nothing runs).
    let verify = |env: &[(String, String)]| -> (i32, String, String) {
        let mut cmd = Command::new("bash");
        cmd.arg(dir.path().join("verify/verify.sh")).envs(moto.env()).envs(env.iter().cloned()).env_remove("VERIFY_REQUIRE_ATTACHED");
        tools::run(&mut cmd)
    };
    let (code, out, err) = verify(&env);
    assert_eq!(code, 0, "verify.sh after apply\nstdout:\n{out}\nstderr:\n{err}");
    assert!(!out.contains("FAIL") && !out.contains("ERROR"), "{out}");
    assert_eq!(out.matches("PASS rules-match-policy").count(), 2, "rules-match-policy in both regions\n{out}");

    // The issue's two violations, in eu-west-1, each undone before the next.
    let eu_vpc = &vpcs.iter().find(|(r, _)| *r == "eu-west-1").unwrap().1;
    let api = moto.aws_json(&[
        "ec2", "describe-security-groups", "--region", "eu-west-1", "--filters",
        &format!("Name=vpc-id,Values={eu_vpc}"), "Name=group-name,Values=prod-app-api-sg",
    ])["SecurityGroups"][0]["GroupId"]
        .as_str()
        .unwrap()
        .to_string();
    let ec2 = |args: &[&str]| {
        let mut a = vec!["ec2", args[0], "--region", "eu-west-1", "--group-id", &api];
        a.extend_from_slice(&args[1..]);
        moto.aws_json(&a);
    };
    let ssh = r#"[{"IpProtocol":"tcp","FromPort":22,"ToPort":22,"IpRanges":[{"CidrIp":"0.0.0.0/0","Description":"temporary debug access"}]}]"#;
    ec2(&["authorize-security-group-ingress", "--ip-permissions", ssh]);
    let (code, out, _) = verify(&env);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("FAIL no-internet-sensitive-port: prod-app-api-sg") && out.contains("22"), "{out}");
    ec2(&["revoke-security-group-ingress", "--ip-permissions", ssh]);
    let all = r#"[{"IpProtocol":"-1","IpRanges":[{"CidrIp":"0.0.0.0/0"}]}]"#;
    ec2(&["authorize-security-group-egress", "--ip-permissions", all]);
    let (code, out, _) = verify(&env);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("FAIL default-egress-revoked: prod-app-api-sg"), "{out}");
    ec2(&["revoke-security-group-egress", "--ip-permissions", all]);
    let (code, out, _) = verify(&env);
    assert_eq!(code, 0, "undone\n{out}");

    // verify.sh expects the cross-region rules from the same inputs: a peer range that
    // apply.sh did not authorize is reported missing; without the input the script cannot
    // tell those rules from drift and stops with status 2.
    let mut drift = env.clone();
    drift.iter_mut().find(|(k, _)| k == "PEER_CIDRS_EU_WEST_1_APP").unwrap().1 = "10.2.10.0/24 10.2.11.0/24 10.2.12.0/24".into();
    let (code, out, _) = verify(&drift);
    assert_ne!(code, 0);
    let line = out.lines().find(|l| l.starts_with("FAIL rules-match-policy")).unwrap_or_else(|| panic!("no rules-match-policy failure:\n{out}"));
    assert!(line.contains("10.2.12.0/24"), "{line}");
    let missing: Vec<(String, String)> = env.iter().filter(|(k, _)| k != "PEER_CIDRS_EU_WEST_1_APP").cloned().collect();
    let (code, _, err) = verify(&missing);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("PEER_CIDRS_EU_WEST_1_APP is not set"), "{err}");
}

/// After `apply.sh` of `examples/hub-spoke.toml`: the shared endpoint DNS (zones, alias
/// records, VPC associations) and the spoke NACLs (VPC, subnets, entries as planned).
fn check_dns_and_spoke_nacls(moto: &Moto, env: &[(String, String)], hub_vpc: &str, spokes: &[(&str, String)]) {
    let policy = pipeline::policy_of(&tools::workspace_root().join("examples/hub-spoke.toml"));
    let effective = Provider::effective_policy(&Aws, &policy);
    let region = moto.region.clone();
    // Interface endpoints: private DNS off; one private zone per service, in every VPC,
    // whose apex (and wildcard where clients use sub-domains) aliases the endpoint.
    let eps = moto.aws_json(&["ec2", "describe-vpc-endpoints", "--filters", &format!("Name=vpc-id,Values={hub_vpc}")]);
    let interface: Vec<&Value> = eps["VpcEndpoints"].as_array().unwrap().iter().filter(|e| e["VpcEndpointType"] == "Interface").collect();
    assert!(interface.len() >= 3, "{eps}");
    let zones_of = |vpc: &str| -> BTreeSet<String> {
        let v = moto.aws_json(&["route53", "list-hosted-zones-by-vpc", "--vpc-id", vpc, "--vpc-region", &region]);
        ids(&v, "HostedZoneSummaries", "Name").into_iter().map(|n| n.trim_end_matches('.').to_string()).collect()
    };
    let vpcs: Vec<&str> = std::iter::once(hub_vpc).chain(spokes.iter().map(|(_, v)| v.as_str())).collect();
    let hub_zones = zones_of(hub_vpc);
    for e in &interface {
        let service = e["ServiceName"].as_str().unwrap().rsplit_once(&format!("{region}.")).unwrap().1.to_string();
        assert_eq!(e["PrivateDnsEnabled"], Value::Bool(false), "{service}: the endpoint's own private DNS must be off");
        let (zone, wildcard) = cloudwall_aws::phases::topology::endpoint_zone_name(&service, &region);
        for vpc in &vpcs {
            assert!(zones_of(vpc).contains(&zone), "{zone} is not associated with {vpc}");
        }
        let zone_id = moto.aws_json(&["route53", "list-hosted-zones-by-vpc", "--vpc-id", hub_vpc, "--vpc-region", &region])["HostedZoneSummaries"]
            .as_array()
            .unwrap()
            .iter()
            .find(|z| z["Name"].as_str().unwrap().trim_end_matches('.') == zone)
            .unwrap()["HostedZoneId"]
            .as_str()
            .unwrap()
            .to_string();
        let zone_info = moto.aws_json(&["route53", "get-hosted-zone", "--id", &zone_id]);
        assert_eq!(zone_info["HostedZone"]["Config"]["PrivateZone"], Value::Bool(true), "{zone}");
        let records = moto.aws_json(&["route53", "list-resource-record-sets", "--hosted-zone-id", &zone_id]);
        let dns = e["DnsEntries"][0]["DnsName"].as_str().unwrap();
        let aliases: BTreeSet<String> = records["ResourceRecordSets"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["Type"] == "A" && r["AliasTarget"]["DNSName"].as_str().is_some_and(|d| d.trim_end_matches('.') == dns.trim_end_matches('.')))
            .map(|r| r["Name"].as_str().unwrap().trim_end_matches('.').replace("\\052", "*"))
            .collect();
        let mut want: BTreeSet<String> = [zone.clone()].into_iter().collect();
        if wildcard {
            want.insert(format!("*.{zone}"));
        }
        assert_eq!(aliases, want, "alias records of {zone}: {records}");
    }
    assert_eq!(hub_zones.len(), interface.len(), "one zone per interface endpoint: {hub_zones:?}");

    // Spoke NACLs: in the spoke's VPC, on its tier subnets, with the rendered entries.
    let plan = cloudwall_aws::phases::nacls::plan_nacls(&effective);
    let var = |k: &str| env.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
    let cidr = |id: &str| moto.aws_json(&["ec2", "describe-subnets", "--subnet-ids", id])["Subnets"][0]["CidrBlock"].as_str().unwrap().to_string();
    let mut checked = 0;
    for n in plan.iter().filter(|n| n.spoke.is_some()) {
        let place = (n.spoke, n.tier);
        let (name, vpc) = &spokes[n.spoke.unwrap()];
        let subnets: BTreeSet<String> = var(&format!("SPOKE_{name}_{}_SUBNET_IDS", n.tier.as_str().to_ascii_uppercase())).split(' ').map(String::from).collect();
        let acls = moto.aws_json(&["ec2", "describe-network-acls", "--filters", &format!("Name=vpc-id,Values={vpc}"), &format!("Name=tag:Name,Values={}", n.name)]);
        let acl = &acls["NetworkAcls"][0];
        assert!(acl.is_object(), "{} not in spoke VPC {vpc}", n.name);
        let assoc: BTreeSet<String> = ids(acl, "Associations", "SubnetId").into_iter().collect();
        assert_eq!(assoc, subnets, "{} associations", n.name);
        let mut want = BTreeSet::new();
        for e in &n.entries {
            let cidrs: Vec<String> = match cloudwall_aws::phases::nacls::place_of_peer(e.peer) {
                None => match e.peer {
                    cloudwall_aws::phases::nacls::NaclPeer::Cidr(c) => vec![c.to_string()],
                    _ => unreachable!(),
                },
                Some(p) => {
                    let k = format!("{}_SUBNET_IDS", cloudwall_aws::phases::nacls::place_sh(&effective, p));
                    var(&k).split_whitespace().map(cidr).collect()
                }
            };
            for (i, c) in cidrs.into_iter().enumerate() {
                want.insert((e.number as i64 + i as i64, e.egress, c, if e.allow { "allow" } else { "deny" }.to_string()));
            }
        }
        let got: BTreeSet<(i64, bool, String, String)> = acl["Entries"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|x| x["RuleNumber"].as_i64() != Some(32767))
            .map(|x| {
                let c = x["CidrBlock"].as_str().or(x["Ipv6CidrBlock"].as_str()).unwrap().to_string();
                (x["RuleNumber"].as_i64().unwrap(), x["Egress"].as_bool().unwrap(), c, x["RuleAction"].as_str().unwrap().to_string())
            })
            .collect();
        assert_eq!(got, want, "{} ({place:?}) entries", n.name);
        checked += 1;
    }
    assert_eq!(checked, 4, "two tiers in each of the two spokes");
    // The cross-spoke flow (reports -> billing-db) opens the finance data NACL toward the
    // analytics app subnets.
    let finance_data = plan.iter().find(|n| n.name == "prod-finance-data-nacl").expect("finance data NACL");
    assert!(finance_data.entries.iter().any(|e| e.allow && !e.egress && e.peer == cloudwall_aws::phases::nacls::NaclPeer::SpokeTier(1, cloudwall_core::profile::model::Tier::App)));
}
