//! End to end against a local AWS API emulator: the generated `cli/apply.sh` (the
//! security-group phase and the host-name egress phase, the two that write security-group
//! rules) runs with the real `aws` CLI on a VPC the test creates; the groups are read back
//! with `describe-security-groups` and compared, rule by rule, with the rules the
//! conformance suite expects of the artifacts (`conformance::expected_rules`).
//!
//! The examples run are the ones that together show every option that shapes the groups
//! ([`features`]; the chosen ones and what each covers are printed), each in its own VPC,
//! a few at a time.
//!
//! Under `public = "multi-edge"` the load balancer's internet ingress comes from the
//! CloudFront origin-facing managed prefix list. moto ships it among its AWS-managed
//! prefix lists (checked with moto 5); should an emulator lack it, the test creates a
//! stand-in list with that name first, and says so, for `apply.sh` to find. Under `api-gateway` it comes from
//! the VPC link's group, which also gets egress rules to the load balancer.

use cloudwall_aws::Aws;
use cloudwall_core::policy::{Peer, Policy};
use cloudwall_core::ports::Proto;
use cloudwall_core::profile::model::PublicMode;
use cloudwall_core::provider::{Phase, Provider};
use cloudwall_tests::conformance::{self, rule_key};
use cloudwall_tests::{moto, moto::Moto, netfw, pipeline, readback, tools};
use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

const CLOUDFRONT_PREFIX_LIST: &str = conformance::CLOUDFRONT_PREFIX_LIST;

/// What shapes the security groups and their rules: the edge in front of the load balancer,
/// the groups beyond the workloads' (the client-VPN group of VPN access, the endpoint group
/// of private endpoints and of SSM access), host-name egress and its mode, and the
/// protocols, port ranges and address families of the rules. (The access strategies differ
/// beyond that in other resources, which `aws_access` and `aws_verify` apply.)
///
/// With today's examples this picks: pci-nacls-deny (load-balancer-only, the endpoint
/// group, host-name egress through the firewall, tcp/udp/icmp, IPv4 and IPv6 CIDRs),
/// fqdn-egress-proxy (host-name egress through the proxy's group), api-2tier (port
/// ranges), api-gateway (the VPC link's group), multi-edge (the CloudFront prefix list),
/// hybrid-access (the client-VPN group).
fn features(policy: &Policy) -> Vec<String> {
    let p = &Aws.effective_policy(policy);
    let mut f = vec![format!("public:{:?}", p.deployment.public)];
    for g in &p.groups {
        if g.id == cloudwall_core::policy::ENDPOINTS_GROUP || g.id == cloudwall_aws::phases::access::VPN_GROUP {
            f.push(format!("group:{}", g.id));
        }
    }
    if !p.fqdn_egress.is_empty() {
        f.push(format!("host-name-egress:{:?}", p.controls.egress_mode));
    }
    for r in &p.rules {
        f.push(format!("protocol:{:?}", r.ports.proto));
        if r.ports.proto != Proto::All && r.ports.proto != Proto::Icmp && r.ports.from != r.ports.to {
            f.push("port-range".into());
        }
        if let Peer::Cidr { cidr, .. } = &r.peer {
            f.push(format!("cidr:{}", if cidr.addr().is_ipv4() { "ipv4" } else { "ipv6" }));
        }
    }
    f
}

/// The CloudFront origin-facing prefix list's id: AWS manages it; on the emulator, a
/// stand-in with the same name is created when there is none.
fn cloudfront_prefix_list(moto: &Moto) -> String {
    let filter = format!("Name=prefix-list-name,Values={CLOUDFRONT_PREFIX_LIST}");
    let found = moto.aws_json(&["ec2", "describe-managed-prefix-lists", "--filters", &filter]);
    if let Some(id) = found["PrefixLists"][0]["PrefixListId"].as_str() {
        return id.to_string();
    }
    eprintln!("moto has no {CLOUDFRONT_PREFIX_LIST}: creating a stand-in managed prefix list with that name");
    let made = moto.aws_json(&[
        "ec2",
        "create-managed-prefix-list",
        "--prefix-list-name",
        CLOUDFRONT_PREFIX_LIST,
        "--max-entries",
        "55",
        "--address-family",
        "IPv4",
        "--entries",
        "Cidr=130.176.0.0/18,Description=stand-in",
    ]);
    made["PrefixList"]["PrefixListId"].as_str().expect("PrefixListId").to_string()
}

/// The live rules of the VPC's groups (but `default`) as [`rule_key`]s, and the ones
/// without a description.
fn actual(moto: &Moto, vpc_id: &str, prefix_lists: &BTreeMap<String, String>) -> (BTreeSet<String>, Vec<String>) {
    let sgs = moto.aws_json(&["ec2", "describe-security-groups", "--filters", &format!("Name=vpc-id,Values={vpc_id}")]);
    let groups = sgs["SecurityGroups"].as_array().expect("SecurityGroups");
    let names: BTreeMap<String, String> = groups
        .iter()
        .map(|g| (g["GroupId"].as_str().unwrap().to_string(), g["GroupName"].as_str().unwrap().to_string()))
        .collect();
    let mut rules = BTreeSet::new();
    let mut undescribed = vec![];
    for g in groups {
        let gname = g["GroupName"].as_str().unwrap().to_string();
        if gname == "default" {
            continue;
        }
        for (key, ingress) in [("IpPermissions", true), ("IpPermissionsEgress", false)] {
            for p in g[key].as_array().into_iter().flatten() {
                let proto = p["IpProtocol"].as_str().unwrap();
                let ports = match proto {
                    "-1" => "all".to_string(),
                    "icmp" | "1" | "icmpv6" | "58" => "icmp".to_string(),
                    _ => {
                        let (from, to) = (p["FromPort"].as_i64().unwrap(), p["ToPort"].as_i64().unwrap());
                        if from == to { format!("{from}/{proto}") } else { format!("{from}-{to}/{proto}") }
                    }
                };
                let mut add = |peer: String, desc: &serde_json::Value| {
                    let k = rule_key(&gname, ingress, &ports, &peer);
                    if desc.as_str().is_none_or(|d| d.trim().is_empty()) {
                        undescribed.push(k.clone());
                    }
                    rules.insert(k);
                };
                for r in p["IpRanges"].as_array().into_iter().flatten() {
                    add(r["CidrIp"].as_str().unwrap().to_string(), &r["Description"]);
                }
                for r in p["Ipv6Ranges"].as_array().into_iter().flatten() {
                    add(r["CidrIpv6"].as_str().unwrap().to_string(), &r["Description"]);
                }
                for r in p["PrefixListIds"].as_array().into_iter().flatten() {
                    let id = r["PrefixListId"].as_str().unwrap();
                    let peer = prefix_lists.get(id).map_or_else(|| id.to_string(), |n| format!("prefix-list:{n}"));
                    // moto 5 stores no description on prefix-list references (the script
                    // sends one: see apply.sh's PrefixListIds); don't count that as ours.
                    let desc = if r["Description"].is_null() { serde_json::json!("(dropped by moto)") } else { r["Description"].clone() };
                    add(peer, &desc);
                }
                for r in p["UserIdGroupPairs"].as_array().into_iter().flatten() {
                    let id = r["GroupId"].as_str().unwrap();
                    add(names.get(id).cloned().unwrap_or_else(|| id.to_string()), &r["Description"]);
                }
            }
        }
    }
    (rules, undescribed)
}

/// The security-group phase and the host-name egress phase (the only other phase that adds
/// security-group rules) of the examples that together show every [`features`], each in its
/// own VPC of one emulator: the live rules are exactly the ones the conformance suite
/// expects of the artifacts (`conformance::expected_rules`, read back from the same render),
/// all described, and a second run changes nothing.
#[test]
fn apply_sh_creates_exactly_the_policy_on_the_emulator() {
    let chosen = pipeline::covering_aws_examples(features);
    let target = conformance::aws();
    moto::each_on_moto(&chosen, |(p, _, _)| p.display().to_string(), |moto, (example, policy, _)| {
        let files = Aws.render(policy, &[Phase::Groups, Phase::Egress]).expect("render");
        let dir = tempfile::tempdir().unwrap();
        pipeline::write_artifacts(dir.path(), &files);
        let mut net = moto.network_for(policy);
        let vpc_id = net[0].1.clone();
        // Host-name egress through the firewall: its network and the Network Firewall shim.
        let _shim = netfw::prepare(moto, policy, &mut net);
        let mut prefix_lists = BTreeMap::new();
        if policy.deployment.public == PublicMode::MultiEdge {
            prefix_lists.insert(cloudfront_prefix_list(moto), CLOUDFRONT_PREFIX_LIST.to_string());
        }
        let script = dir.path().join("cli/apply.sh");
        moto.apply(&script, &net);
        let (got, undescribed) = actual(moto, &vpc_id, &prefix_lists);
        let rb = readback::aws_terraform(&files);
        let want = conformance::expected_rules(&target, &Aws.effective_policy(policy), &rb);
        let missing: Vec<_> = want.difference(&got).collect();
        let extra: Vec<_> = got.difference(&want).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "{}: live rules differ from the policy\nmissing: {missing:#?}\nextra (default egress left?): {extra:#?}",
            example.display()
        );
        assert!(undescribed.is_empty(), "{}: rules without description: {undescribed:#?}", example.display());
        // A second run changes nothing and does not fail (idempotent).
        moto.apply(&script, &net);
        let (again, _) = actual(moto, &vpc_id, &prefix_lists);
        assert_eq!(again, got, "{}: second apply.sh run changed the rules", example.display());
        eprintln!("{}: {} groups, {} rules match the policy", example.display(), rb.groups.len(), want.len());
    });
}

#[test]
fn apply_sh_fails_fast_without_vpc_id() {
    let example = tools::workspace_root().join("examples/webapp-aws.toml");
    let policy = pipeline::policy_of(&example);
    let files = pipeline::render_all(&Aws, &policy);
    let dir = tempfile::tempdir().unwrap();
    pipeline::write_artifacts(dir.path(), &files);
    let mut cmd = Command::new("bash");
    cmd.arg(dir.path().join("cli/apply.sh")).env_remove("VPC_ID").env("PATH", "/usr/bin:/bin");
    let (code, _out, err) = tools::run(&mut cmd);
    assert_ne!(code, 0, "apply.sh must refuse to run without VPC_ID");
    assert!(err.contains("VPC_ID"), "the error must name the missing variable: {err}");
}
