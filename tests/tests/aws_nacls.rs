//! The NACL phase end to end against a local AWS API emulator: `cli/apply.sh` runs on a
//! VPC with subnets in every tier; `describe-network-acls` must show exactly the rendered
//! entries (the tier entries expanded over the subnets' CIDRs) and each tier's subnets
//! associated with its NACL (under hub-spoke, the spokes' NACLs in the spokes' VPCs, whose
//! subnets `Moto::network_for` creates); flow logs exist when the profile asks for them; the VPC's
//! default security group holds no rule; and a second run changes nothing.
//!
//! The examples run are the ones that together show every option the NACLs and flow logs
//! render from ([`features`]), each in its own VPC of one emulator, a few at a time.

use cloudwall_aws::phases::nacls::{self, NaclPeer};
use cloudwall_aws::Aws;
use cloudwall_core::policy::{Peer, Policy};
use cloudwall_core::provider::Phase;
use cloudwall_tests::{moto, moto::Moto, pipeline, tools};
use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

/// (NACL name, egress, rule number, protocol number, action, CIDR, from, to).
type Entry = (String, bool, i64, String, String, String, i64, i64);

fn live(moto: &Moto, vpc: &str) -> (BTreeSet<Entry>, BTreeMap<String, BTreeSet<String>>) {
    let out = moto.aws_json(&["ec2", "describe-network-acls", "--filters", &format!("Name=vpc-id,Values={vpc}")]);
    let mut entries = BTreeSet::new();
    let mut assoc = BTreeMap::new();
    for acl in out["NetworkAcls"].as_array().expect("NetworkAcls") {
        let name = acl["Tags"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|t| t["Key"] == "Name")
            .and_then(|t| t["Value"].as_str())
            .unwrap_or("")
            .to_string();
        if name.is_empty() {
            continue; // the VPC's default NACL
        }
        for e in acl["Entries"].as_array().into_iter().flatten() {
            let n = e["RuleNumber"].as_i64().unwrap();
            if n == 32767 {
                continue; // the implicit `*` rule
            }
            let cidr = e["CidrBlock"].as_str().or(e["Ipv6CidrBlock"].as_str()).unwrap_or("").to_string();
            let (from, to) = (e["PortRange"]["From"].as_i64().unwrap_or(-1), e["PortRange"]["To"].as_i64().unwrap_or(-1));
            entries.insert((
                name.clone(),
                e["Egress"].as_bool().unwrap(),
                n,
                e["Protocol"].as_str().unwrap().to_string(),
                e["RuleAction"].as_str().unwrap().to_string(),
                cidr,
                from,
                to,
            ));
        }
        let subnets: BTreeSet<String> = acl["Associations"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|a| a["SubnetId"].as_str().map(String::from))
            .collect();
        assoc.insert(name, subnets);
    }
    (entries, assoc)
}

/// What the NACLs and flow logs render from: the tiers in use, deny entries, compliance
/// frameworks, the protocols and address families of the rules, and the flow-log settings.
///
/// With today's examples this picks: pci-nacls-deny (all four tiers, deny entries, PCI DSS
/// and FedRAMP, tcp/udp/icmp, IPv4 and IPv6 CIDRs, flow logs to object storage),
/// api-gateway (SOC 2, flow logs to CloudWatch Logs), fqdn-egress-firewall (no flow logs),
/// hybrid-access (HIPAA).
fn features(policy: &Policy) -> Vec<String> {
    let p = &cloudwall_core::provider::Provider::effective_policy(&Aws, policy);
    let mut f: Vec<String> = p.groups.iter().map(|g| format!("tier:{}", g.tier.as_str())).collect();
    if !p.deny.is_empty() {
        f.push("deny".into());
    }
    f.extend(p.deployment.compliance.iter().map(|c| format!("compliance:{c:?}")));
    for r in &p.rules {
        f.push(format!("protocol:{:?}", r.ports.proto));
        if let Peer::Cidr { cidr, .. } = &r.peer {
            f.push(format!("cidr:{}", if cidr.addr().is_ipv4() { "ipv4" } else { "ipv6" }));
        }
    }
    if !p.spokes.is_empty() {
        f.push("spoke-nacls".into());
    }
    f.push(match &p.controls.flow_logs {
        Some(l) => format!("flow-logs:{:?}:{:?}", l.destination, l.traffic),
        None => "flow-logs:off".into(),
    });
    f
}

#[test]
fn apply_sh_creates_exactly_the_rendered_nacls_flow_logs_and_empty_default_group() {
    let chosen = pipeline::covering_aws_examples(features);
    moto::each_on_moto(&chosen, |(p, _, _)| p.display().to_string(), |moto, (example, policy, _)| {
        // What the provider renders from: the access strategy may add groups and rules.
        let effective = cloudwall_core::provider::Provider::effective_policy(&Aws, policy);
        let plan = nacls::plan_nacls(&effective);
        let mut env = moto.network_for(policy);
        let vpc = env[0].1.clone();
        // The mgmt tier's subnets (moto::network makes the three others).
        let mut mgmt = vec![];
        for (i, az) in ["a", "b"].iter().enumerate() {
            let s = moto.aws_json(&[
                "ec2", "create-subnet", "--vpc-id", &vpc, "--cidr-block", &format!("10.20.{}.0/24", 30 + i),
                "--availability-zone", &format!("{}{az}", moto.region),
            ]);
            mgmt.push(s["Subnet"]["SubnetId"].as_str().unwrap().to_string());
        }
        env.push(("MGMT_SUBNET_IDS".into(), mgmt.join(" ")));
        // A place is a tier of the VPC or, under hub-spoke, a tier of a spoke's VPC.
        let var = |k: &str| env.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        let subnets_of = |place: nacls::Place| -> Vec<String> {
            var(&format!("{}_SUBNET_IDS", nacls::place_sh(&effective, place)))
                .map(|v| v.split(' ').map(String::from).collect())
                .unwrap_or_default()
        };
        let vpcs: BTreeSet<String> = std::iter::once(vpc.clone())
            .chain(effective.spokes.iter().map(|s| var(&format!("{}_VPC_ID", cloudwall_aws::phases::topology::spoke_env(s))).expect("spoke VPC")))
            .collect();
        let described = moto.aws_json(&["ec2", "describe-subnets"]);
        let cidrs: BTreeMap<String, String> = described["Subnets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| (s["SubnetId"].as_str().unwrap().to_string(), s["CidrBlock"].as_str().unwrap().to_string()))
            .collect();
        let cidr_of = |id: &str| -> String { cidrs.get(id).cloned().unwrap_or_else(|| panic!("no subnet {id}")) };
        let mut want = BTreeSet::new();
        let mut want_assoc = BTreeMap::new();
        for n in &plan {
            want_assoc.insert(n.name.clone(), subnets_of((n.spoke, n.tier)).into_iter().collect::<BTreeSet<_>>());
            for e in &n.entries {
                let cidrs: Vec<String> = match (e.peer, nacls::place_of_peer(e.peer)) {
                    (NaclPeer::Cidr(c), _) => vec![c.to_string()],
                    (_, Some(place)) => subnets_of(place).iter().map(|s| cidr_of(s)).collect(),
                    (_, None) => unreachable!("a tier peer has a place"),
                };
                for (i, c) in cidrs.into_iter().enumerate() {
                    let (from, to) = e.ports.map_or((-1, -1), |(a, b)| (i64::from(a), i64::from(b)));
                    want.insert((
                        n.name.clone(),
                        e.egress,
                        i64::from(e.number) + i as i64,
                        nacls::protocol_number(e.protocol).to_string(),
                        if e.allow { "allow" } else { "deny" }.to_string(),
                        c,
                        from,
                        to,
                    ));
                }
            }
        }
        // The groups (the default group's emptying is there) and this phase: the other
        // phases' commands run in `aws_verify`, which applies everything.
        let files = cloudwall_core::provider::Provider::render(&Aws, policy, &[Phase::Groups, Phase::Nacls]).expect("render");
        let dir = tempfile::tempdir().unwrap();
        pipeline::write_artifacts(dir.path(), &files);
        let script = dir.path().join("cli/apply.sh");
        moto.apply(&script, &env);
        let live_all = || {
            let (mut entries, mut assoc) = (BTreeSet::new(), BTreeMap::new());
            for v in &vpcs {
                let (e, a) = live(moto, v);
                entries.extend(e);
                assoc.extend(a);
            }
            (entries, assoc)
        };
        let (got, assoc) = live_all();
        let missing: Vec<_> = want.difference(&got).collect();
        let extra: Vec<_> = got.difference(&want).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "{}: live NACL entries differ from the rendered ones\nmissing: {missing:#?}\nextra: {extra:#?}",
            example.display()
        );
        assert_eq!(assoc, want_assoc, "{}: subnet associations", example.display());

        let flows = moto.aws_json(&["ec2", "describe-flow-logs", "--filter", &format!("Name=resource-id,Values={vpc}")]);
        let n_flows = flows["FlowLogs"].as_array().map_or(0, Vec::len);
        assert_eq!(n_flows, usize::from(policy.controls.flow_logs.is_some()), "{}: flow logs", example.display());

        let sg = moto.aws_json(&[
            "ec2", "describe-security-groups", "--filters", &format!("Name=vpc-id,Values={vpc}"), "Name=group-name,Values=default",
        ]);
        let g = &sg["SecurityGroups"][0];
        assert_eq!(g["IpPermissions"].as_array().map_or(0, Vec::len), 0, "{}: default SG ingress", example.display());
        assert_eq!(g["IpPermissionsEgress"].as_array().map_or(0, Vec::len), 0, "{}: default SG egress", example.display());

        // Idempotent: a second run leaves the same entries, associations and one flow log.
        moto.apply(&script, &env);
        assert_eq!(live_all(), (got, assoc), "{}: second apply.sh run changed the NACLs", example.display());
        let flows = moto.aws_json(&["ec2", "describe-flow-logs", "--filter", &format!("Name=resource-id,Values={vpc}")]);
        assert_eq!(flows["FlowLogs"].as_array().map_or(0, Vec::len), n_flows, "{}: second run added flow logs", example.display());
        eprintln!("{}: {} NACLs, {} entries match", example.display(), plan.len(), want.len());
    });
}

#[test]
fn kubernetes_manifest_of_the_examples_validates() {
    let Some(tool) = tools::require("kubernetes-validate", "validates manifests against the Kubernetes schemas") else { return };
    let mut checked = 0;
    for example in pipeline::examples() {
        let policy = pipeline::policy_of(&example);
        if policy.kubernetes.is_none() || !policy.deployment.providers.iter().any(|p| p == "aws") {
            continue;
        }
        let files = pipeline::render_all(&Aws, &policy);
        let yaml = files.get("kubernetes/network-policies.yaml").expect("manifest rendered");
        assert!(yaml.contains("enableNetworkPolicy"), "the CNI note is in the manifest");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("np.yaml");
        std::fs::write(&path, yaml).unwrap();
        let (code, out, err) = tools::run(Command::new(&tool).arg(&path));
        assert_eq!(code, 0, "{}: kubernetes-validate failed\n{out}\n{err}", example.display());
        checked += 1;
    }
    assert!(checked > 0, "no example with [kubernetes]");
}
