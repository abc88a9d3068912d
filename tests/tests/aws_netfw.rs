//! The egress firewall of the AWS provider (`egress_filtering.mode = "firewall"`) against
//! real tools. `apply.sh` runs on a local AWS emulator (moto, one server for this binary's
//! one emulator test): the KMS key, log group, firewall, its logging and every route are
//! created there for real. moto has no rule-group or firewall-policy API and reports no
//! firewall endpoints: a shim (`tests/tools/nfw-shim.py`) answers those calls and lends
//! each firewall subnet a Gateway Load Balancer endpoint created on moto, and every
//! Network Firewall document the script sends is validated against the service model of
//! the botocore the `aws` CLI ships.

use cloudwall_aws::Aws;
use cloudwall_tests::netfw::{id, network, routes, Shim};
use cloudwall_tests::{botocore, moto::Moto, pipeline, tools};

const EXAMPLE: &str = "fqdn-egress-firewall.toml";

#[test]
fn apply_sh_builds_the_firewall_and_routes_the_app_tier_through_it() {
    let Some(moto) = Moto::start() else { return };
    let Some(python) = tools::tools_python() else { return };
    eprintln!(
        "moto lacks the Network Firewall rule-group and policy APIs and firewall endpoints: the shim answers those, \
         moto runs the rest, botocore validates every Network Firewall document"
    );
    let (dir, files) = pipeline::render_example(&Aws, EXAMPLE);
    let script = dir.path().join("cli/apply.sh");
    // The whole apply.sh runs once; the refusals and the second (idempotent) run use its
    // prelude and firewall part alone, which is all they exercise (moto is slow).
    let apply_text = &files["cli/apply.sh"];
    let head = apply_text.find("\n# Security groups (one per workload group).").expect("groups part");
    let fw_part = apply_text.find("\n# Egress firewall (AWS Network Firewall)").expect("firewall part");
    // The log-group helper the firewall part calls (defined once, after the groups).
    let helper_at = apply_text.find("\n# cw_log_group NAME").expect("log-group helper");
    let helper_end = helper_at + apply_text[helper_at..].find("\n}\n").expect("helper end") + 3;
    let firewall_only = dir.path().join("cli/firewall-only.sh");
    std::fs::write(
        &firewall_only,
        format!("{}{}{}", &apply_text[..head], &apply_text[helper_at..helper_end], &apply_text[fw_part..]),
    )
    .unwrap();
    let net = network(&moto);
    let shim = Shim::new(&moto, &python);
    let env = |extra: &[(&str, &str)]| {
        let mut e = net.env.clone();
        e.extend(shim.env.iter().cloned());
        e.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        e
    };

    // Missing inputs are named before anything changes.
    let without: Vec<(String, String)> = env(&[("FIREWALL_SUBNET_IDS", "")]);
    let (code, _, err) = moto.bash(&firewall_only, &without);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("FIREWALL_SUBNET_IDS is not set"), "{err}");
    // A data subnet sharing the app tier's route table is refused: the data tier keeps no internet route.
    let assoc = moto.aws_json(&["ec2", "associate-route-table", "--route-table-id", &net.app_rt[0], "--subnet-id", &net.data_subnets[0]]);
    let (code, _, err) = moto.bash(&firewall_only, &env(&[]));
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("shares route table") && err.contains(&net.data_subnets[0]), "{err}");
    assert!(!routes(&moto, &net.app_rt[0]).contains_key("0.0.0.0/0"), "nothing routed on refusal");
    moto.aws_json(&[
        "ec2", "replace-route-table-association", "--association-id", &id(&assoc, &["AssociationId"]),
        "--route-table-id", &net.data_rt,
    ]);

    for (run, script) in [&script, &firewall_only].into_iter().enumerate() {
        let (code, out, err) = moto.bash(script, &env(&[]));
        assert_eq!(code, 0, "apply.sh run {run} failed\nstdout:\n{out}\nstderr:\n{err}");
        if run == 1 {
            assert!(err.contains("already goes to") || err.contains(" goes to "), "{err}");
            assert!(!err.contains("created firewall"), "the second run creates no firewall: {err}");
        }
    }

    // Routing: app -> endpoint of its AZ -> NAT of that AZ; replies NAT -> endpoint -> app.
    for az in 0..2 {
        assert_eq!(routes(&moto, &net.app_rt[az]).get("0.0.0.0/0"), Some(&net.vpce[az]), "app route table of AZ {az}");
        assert_eq!(routes(&moto, &net.public_rt).get(net.app_cidrs[az]), Some(&net.vpce[az]), "return route to app AZ {az}");
    }
    assert_eq!(routes(&moto, &net.fw_rt_b).get("0.0.0.0/0"), Some(&net.nat[1]), "the mistaken IGW route is replaced");
    let fw_rt_a = moto.aws_json(&["ec2", "describe-route-tables", "--filters", &format!("Name=association.subnet-id,Values={}", net.fw_subnets[0])]);
    let fw_rt_a = fw_rt_a["RouteTables"][0]["RouteTableId"].as_str().expect("firewall subnet a's route table").to_string();
    assert_eq!(routes(&moto, &fw_rt_a).get("0.0.0.0/0"), Some(&net.nat[0]), "firewall subnet a -> its NAT");
    let data = routes(&moto, &net.data_rt);
    assert!(data.keys().all(|d| d == "10.20.0.0/16"), "the data tier has no route out: {data:?}");

    // The firewall on moto: protections, encryption, the two subnets, logging.
    let fw = moto.aws_json(&["network-firewall", "describe-firewall", "--firewall-name", "prod-payments-egress-firewall"]);
    let f = &fw["Firewall"];
    assert_eq!(f["DeleteProtection"], true);
    assert_eq!(f["SubnetChangeProtection"], true);
    assert_eq!(f["EncryptionConfiguration"]["Type"], "CUSTOMER_KMS");
    assert!(f["EncryptionConfiguration"]["KeyId"].as_str().unwrap().starts_with("arn:aws:kms:"), "{f}");
    let mapped: Vec<&str> = f["SubnetMappings"].as_array().unwrap().iter().map(|m| m["SubnetId"].as_str().unwrap()).collect();
    assert_eq!(mapped, vec![net.fw_subnets[0].as_str(), net.fw_subnets[1].as_str()]);
    assert!(f["FirewallPolicyArn"].as_str().unwrap().ends_with("firewall-policy/prod-payments-egress-policy"), "{f}");
    let logs = moto.aws_json(&["network-firewall", "describe-logging-configuration", "--firewall-name", "prod-payments-egress-firewall"]);
    let types: Vec<&str> = logs["LoggingConfiguration"]["LogDestinationConfigs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["LogType"].as_str().unwrap())
        .collect();
    assert_eq!(types, vec!["ALERT", "FLOW"]);
    let lg = moto.aws_json(&["logs", "describe-log-groups", "--log-group-name-prefix", "/prod-payments/network-firewall/egress"]);
    assert_eq!(lg["logGroups"][0]["retentionInDays"], 120, "100 days round up to 120");
    assert!(lg["logGroups"][0]["kmsKeyId"].as_str().is_some_and(|k| k.starts_with("arn:aws:kms:")), "{lg}");

    // The rule group: the merged allow-list, HOME_NET covering the VPC; updated in place on the second run.
    let rg = shim.rule_group("prod-payments-egress-fqdn-allowlist");
    assert_eq!(
        rg["RuleGroup"]["RulesSource"]["RulesSourceList"]["Targets"],
        serde_json::json!([".example.com", ".githubusercontent.com", "api.stripe.com"])
    );
    assert_eq!(rg["RuleGroup"]["RuleVariables"]["IPSets"]["HOME_NET"]["Definition"], serde_json::json!(["10.20.0.0/16"]));
    assert_eq!(rg["RuleGroupResponse"]["Updates"], 2, "created on the first run, updated on the second");

    // Every Network Firewall document the script sent, against the CLI's own service model.
    let calls = shim.calls();
    let ops: Vec<&str> = calls.iter().map(|(o, _)| o.as_str()).collect();
    for want in ["CreateRuleGroup", "UpdateRuleGroup", "CreateFirewallPolicy", "CreateFirewall", "UpdateLoggingConfiguration"] {
        assert!(ops.contains(&want), "no {want} call: {ops:?}");
    }
    assert_eq!(ops.iter().filter(|o| **o == "CreateFirewall").count(), 1, "created once: {ops:?}");
    let Some(result) = botocore::validate("network-firewall", &calls) else { return };
    let out = result.unwrap_or_else(|e| panic!("botocore refuses a Network Firewall document:\n{e}"));
    eprintln!("{out}");
    assert!(files["report.md"].contains("FIREWALL_SUBNET_IDS"));
}

#[test]
fn botocore_refuses_a_wrong_network_firewall_document() {
    // The validation above can fail: a misspelt member and a wrong type are refused.
    let calls = vec![
        ("CreateRuleGroup".to_string(), serde_json::json!({ "RuleGroupName": "x", "Type": "STATEFUL", "Capacity": "100" })),
        ("CreateFirewall".to_string(), serde_json::json!({ "FirewallName": "x", "FirewallPolicyArn": "arn", "SubnetMapping": [] })),
    ];
    let Some(result) = botocore::validate("network-firewall", &calls) else { return };
    let err = result.expect_err("must be refused");
    assert!(err.contains("CreateRuleGroup") && err.contains("CreateFirewall"), "{err}");
}

#[test]
fn terraform_routes_the_app_tier_through_the_firewall_and_keeps_the_data_tier_off_the_internet() {
    let (_dir, files) = pipeline::render_example(&Aws, EXAMPLE);
    let tf = &files["terraform/egress.tf"];
    for want in [
        "resource \"aws_route\" \"app_default_via_firewall\"",
        "resource \"aws_route\" \"egress_firewall_to_nat\"",
        "resource \"aws_route\" \"nat_return_via_firewall\"",
        "resource \"aws_route_table_association\" \"egress_firewall\"",
        "s.availability_zone => s.attachment[0].endpoint_id",
        "data.aws_vpc.egress.cidr_block_associations[*].cidr_block",
    ] {
        assert!(tf.contains(want), "egress.tf lacks {want}");
    }
    assert!(!tf.contains("data_subnet_ids") && !tf.contains("private_route_table_ids"), "the data tier gets no route");
    for var in ["firewall_subnet_ids", "app_route_table_ids", "nat_gateway_ids", "nat_route_table_ids", "home_net_cidrs"] {
        let block = tf.split(&format!("variable \"{var}\" {{")).nth(1).unwrap_or_else(|| panic!("no variable {var}"));
        let block = &block[..block.find("\n}\n").unwrap()];
        assert!(block.contains("validation {"), "variable {var} has no validation");
    }
    // The proxy mode has no firewall and no route.
    let (_d, proxy) = pipeline::render_example(&Aws, "fqdn-egress-proxy.toml");
    assert!(!proxy["terraform/egress.tf"].contains("aws_route"));
    assert!(!proxy["cli/apply.sh"].contains("network-firewall"));
}
