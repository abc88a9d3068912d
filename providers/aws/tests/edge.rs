//! The `public` modes on the worked example: checkov skips on deliberate internet rules,
//! CloudFront prefix list (multi-edge) with its quota weight, the API Gateway VPC link
//! (api-gateway), and `none` refusing internet flows.

mod common;

use cloudwall_aws::Aws;
use cloudwall_core::profile::model::PublicMode;
use cloudwall_core::provider::{Phase, Provider};

fn render(mode: PublicMode) -> cloudwall_core::provider::Artifacts {
    let mut p = common::worked_example();
    p.deployment.public = mode;
    Aws.render(&p, Phase::ALL).unwrap()
}

#[test]
fn port_80_from_the_internet_carries_a_checkov_skip_inside_its_block() {
    let a = render(PublicMode::LoadBalancerOnly);
    let tf = &a["terraform/security_groups.tf"];
    let skips: Vec<&str> = tf.lines().filter(|l| l.contains("#checkov:skip=")).collect();
    assert_eq!(skips.len(), 1, "{tf}");
    assert!(skips[0].starts_with("  #checkov:skip=CKV_AWS_260:") && skips[0].contains("redirect"), "{}", skips[0]);
    let at = tf.find(skips[0]).unwrap();
    let head = &tf[..at];
    assert!(head.trim_end().ends_with("{") && !head.lines().last().unwrap().contains("0.0.0.0/0"));
    let block_start = head.rfind("resource ").unwrap();
    assert!(tf[block_start..].starts_with("resource \"aws_vpc_security_group_ingress_rule\""));
    assert!(a["report.md"].contains("### Checkov exceptions") && a["report.md"].contains("CKV_AWS_260"));
}

#[test]
fn multi_edge_fronts_the_load_balancer_with_cloudfront_and_waf() {
    let a = render(PublicMode::MultiEdge);
    let tf = &a["terraform/security_groups.tf"];
    assert!(tf.contains("data \"aws_ec2_managed_prefix_list\" \"cloudfront\""));
    assert!(!tf.contains("0.0.0.0/0") && !tf.contains("::/0"), "{tf}");
    assert_eq!(tf.matches("prefix_list_id").count(), 2, "one rule per port (443, 80)");
    let edge = &a["terraform/edge.tf"];
    for want in ["aws_wafv2_web_acl", "REGIONAL", "AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet", "AWSManagedRulesAmazonIpReputationList", "aws_wafv2_web_acl_association", "var.load_balancer_arn", "aws-waf-logs-", "aws_wafv2_web_acl_logging_configuration"] {
        assert!(edge.contains(want), "{want} missing:\n{edge}");
    }
    let sh = &a["cli/apply.sh"];
    assert!(sh.contains("describe-managed-prefix-lists") && sh.contains("PrefixListIds"));
    assert!(a["report.md"].contains("## Edge") && a["report.md"].contains("secret origin header"));
    // Two prefix-list rules weigh 110 > 60.
    let mut p = common::worked_example();
    p.deployment.public = PublicMode::MultiEdge;
    let d = Aws.check(&p);
    assert!(d.iter().any(|d| d.code == "CW201"), "{d:?}");
}

#[test]
fn api_gateway_replaces_internet_ingress_by_the_vpc_link_group() {
    let a = render(PublicMode::ApiGateway);
    let tf = &a["terraform/security_groups.tf"];
    assert!(!tf.contains("0.0.0.0/0") && !tf.contains("::/0"), "{tf}");
    assert!(tf.contains("resource \"aws_security_group\" \"apigw_vpc_link\""));
    assert!(tf.contains("referenced_security_group_id = aws_security_group.apigw_vpc_link.id"));
    assert_eq!(tf.matches("resource \"aws_vpc_security_group_egress_rule\" \"apigw_vpc_link_to_").count(), 2);
    let edge = &a["terraform/edge.tf"];
    for want in ["aws_apigatewayv2_api", "aws_apigatewayv2_vpc_link", "\"VPC_LINK\"", "var.load_balancer_listener_arn", "\"$default\"", "access_log_settings"] {
        assert!(edge.contains(want), "{want} missing:\n{edge}");
    }
    let mut p = common::worked_example();
    p.deployment.public = PublicMode::ApiGateway;
    assert!(!Aws.check(&p).iter().any(|d| d.code == "CW201"));
}

#[test]
fn public_none_refuses_internet_flows() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/webapp-aws.toml");
    let text = std::fs::read_to_string(&dir).unwrap().replace("public     = \"load-balancer-only\"", "public     = \"none\"");
    assert!(text.contains("public     = \"none\""));
    let err = cloudwall_core::profile::parse_str(&dir, &text).expect_err("internet flows must be refused under public = none");
    assert!(!err.diagnostics.is_empty());
}

#[test]
fn icmp_between_groups_skips_the_checks_that_read_it_as_open_to_the_world() {
    // checkov reads ports -1 (all ICMP types) without a CIDR as "from 0.0.0.0/0": a rule
    // between two groups carries the skips, with the flow's purpose and the peer.
    let mut p = common::worked_example();
    for r in p.rules.iter_mut().filter(|r| matches!(r.peer, cloudwall_core::policy::Peer::Group { .. })) {
        r.ports = cloudwall_core::ports::PortRange::parse("icmp").unwrap();
    }
    let a = Aws.render(&p, Phase::ALL).unwrap();
    let tf = &a["terraform/security_groups.tf"];
    let ingress = tf.split("resource ").find(|b| b.starts_with("\"aws_vpc_security_group_ingress_rule\" \"flow2_ecs_in")).unwrap_or_else(|| panic!("ecs ingress in {tf}"));
    assert!(ingress.contains("#checkov:skip=CKV_AWS_277:request forward - the source is the prod-public-alb-sg security group"), "{ingress}");
    let egress = tf.split("resource ").find(|b| b.starts_with("\"aws_vpc_security_group_egress_rule\" \"flow2_alb_out")).expect("alb egress");
    assert!(egress.contains("#checkov:skip=CKV_AWS_382:request forward - the destination is the prod-app-ecs-sg security group"), "{egress}");
    // Address rules never get one: a CIDR is judged by checkov as it is.
    for block in tf.split("resource ").filter(|b| b.contains("cidr_ipv")) {
        assert!(!block.contains("CKV_AWS_277") && !block.contains("CKV_AWS_382"), "{block}");
    }
}

#[test]
fn icmp_from_the_internet_is_a_deliberate_exception_with_its_purpose() {
    let mut p = common::worked_example();
    for r in p.rules.iter_mut().filter(|r| r.peer.is_internet()) {
        r.ports = cloudwall_core::ports::PortRange::parse("icmp").unwrap();
    }
    let a = Aws.render(&p, Phase::ALL).unwrap();
    let tf = &a["terraform/security_groups.tf"];
    let v4: Vec<&str> = tf.split("resource ").filter(|b| b.contains("cidr_ipv4         = \"0.0.0.0/0\"") && b.contains("\"icmp\"")).collect();
    assert!(!v4.is_empty(), "{tf}");
    for b in v4 {
        assert!(b.contains("#checkov:skip=CKV_AWS_277:"), "{b}");
    }
}
