//! The edge in front of the public load balancer (`deployment.public`): under
//! `multi-edge` a regional WAFv2 web ACL (AWS managed rule groups, metrics, logging)
//! associated with the load balancer, which only CloudFront's origin-facing addresses
//! reach; under `api-gateway` an HTTP API whose VPC link is the load balancer's only
//! client. `terraform/edge.tf`, its `apply.sh` fragment and the report's "Edge" section,
//! which also lists every deliberate checkov exception with its reason.

use super::Contribution;
use crate::hcl::{self, Block, Expr};
use crate::logs;
use crate::names;
use crate::plan::{Plan, SgPeer, CLOUDFRONT_PREFIX_LIST, CLOUDFRONT_PREFIX_LIST_WEIGHT};
use crate::report::{code, md_cell, peer_text, ports_text};
use crate::shell::quote;
use cloudwall_core::profile::model::PublicMode;
use serde_json::json;
use std::fmt::Write as _;

/// The AWS managed rule groups of the web ACL, with what each blocks.
pub const WAF_MANAGED_RULES: &[(&str, &str)] = &[
    ("AWSManagedRulesCommonRuleSet", "OWASP Top 10 style exploits (core rule set)"),
    ("AWSManagedRulesKnownBadInputsRuleSet", "request patterns known to be malicious (Log4j JNDI lookups, ...)"),
    ("AWSManagedRulesAmazonIpReputationList", "sources on Amazon's threat-intelligence IP reputation list"),
];

/// Retention of the WAF and API access logs (one year: CKV_AWS_338).
pub const EDGE_LOG_RETENTION_DAYS: u32 = 365;

/// Letters, digits and `-`: a metric, ACL or API name part.
fn slug(s: &str) -> String {
    names::truncate(&names::slug(s), 60).trim_end_matches('-').to_string()
}

fn base_name(plan: &Plan<'_>) -> String {
    let d = &plan.policy.deployment;
    let b = slug(&format!("{}-{}", d.env, d.name));
    if b.is_empty() {
        "edge".into()
    } else {
        b
    }
}

pub fn render(plan: &Plan<'_>) -> Contribution {
    let mut c = Contribution { report: report(plan), ..Contribution::default() };
    if plan.edge.fronted.is_empty() {
        return c;
    }
    match plan.edge.mode {
        PublicMode::MultiEdge => {
            c.files.push(("terraform/edge.tf".into(), waf_tf(plan)));
            c.script = waf_script(plan);
        }
        PublicMode::ApiGateway if plan.edge.link.is_some() => {
            c.files.push(("terraform/edge.tf".into(), apigw_tf(plan)));
            c.script = apigw_script(plan);
        }
        _ => {}
    }
    c
}

fn visibility(metric: &str) -> Block {
    Block::new("visibility_config", &[])
        .attr("cloudwatch_metrics_enabled", Expr::raw("true"))
        .attr("metric_name", Expr::str(metric))
        .attr("sampled_requests_enabled", Expr::raw("true"))
}

fn waf_tf(plan: &Plan<'_>) -> String {
    let base = base_name(plan);
    let acl = format!("{base}-edge");
    let mut web_acl = Block::new("resource", &["aws_wafv2_web_acl", "edge"])
        .attr("name", Expr::str(&acl))
        .attr("description", Expr::str(&names::aws_text(&format!("Managed rules in front of the public load balancer of {}", plan.policy.deployment.name))))
        .attr("scope", Expr::str("REGIONAL"))
        .blank()
        .block(Block::new("default_action", &[]).block(Block::new("allow", &[])));
    for (i, (rule, _)) in WAF_MANAGED_RULES.iter().enumerate() {
        web_acl = web_acl.block(
            Block::new("rule", &[])
                .attr("name", Expr::str(rule))
                .attr("priority", Expr::num((i + 1) * 10))
                .blank()
                .block(Block::new("override_action", &[]).block(Block::new("none", &[])))
                .blank()
                .block(
                    Block::new("statement", &[]).block(
                        Block::new("managed_rule_group_statement", &[])
                            .attr("name", Expr::str(rule))
                            .attr("vendor_name", Expr::str("AWS")),
                    ),
                )
                .blank()
                .block(visibility(&format!("{acl}-{}", rule.trim_start_matches("AWSManagedRules")))),
        );
    }
    web_acl = web_acl.block(visibility(&acl)).blank().attr("tags", Expr::raw("var.tags"));
    let blocks = vec![
        Block::new("variable", &["load_balancer_arn"])
            .attr("description", Expr::str("ARN of the public load balancer (the CloudFront distribution's origin) the web ACL protects."))
            .attr("type", Expr::raw("string")),
        web_acl,
        Block::new("resource", &["aws_wafv2_web_acl_association", "edge"])
            .attr("resource_arn", Expr::raw("var.load_balancer_arn"))
            .attr("web_acl_arn", Expr::raw("aws_wafv2_web_acl.edge.arn")),
        Block::new("data", &["aws_caller_identity", "edge"]),
        logs::kms_key("edge_logs", "Encrypts the edge's logs.", logs::key_policy("edge"), Expr::raw("var.tags")),
        logs::log_group("waf", &format!("aws-waf-logs-{acl}"), EDGE_LOG_RETENTION_DAYS, "edge_logs", Expr::raw("var.tags")),
        Block::new("resource", &["aws_wafv2_web_acl_logging_configuration", "edge"])
            .attr("resource_arn", Expr::raw("aws_wafv2_web_acl.edge.arn"))
            .attr("log_destination_configs", Expr::raw("[aws_cloudwatch_log_group.waf.arn]")),
    ];
    hcl::file(&blocks)
}

fn apigw_tf(plan: &Plan<'_>) -> String {
    let base = base_name(plan);
    let link = plan.edge.link.as_ref().expect("api-gateway link");
    let access_format = json!({
        "requestId": "$context.requestId",
        "sourceIp": "$context.identity.sourceIp",
        "requestTime": "$context.requestTime",
        "httpMethod": "$context.httpMethod",
        "routeKey": "$context.routeKey",
        "status": "$context.status",
        "responseLength": "$context.responseLength",
        "integrationError": "$context.integrationErrorMessage"
    })
    .to_string();
    let blocks = vec![
        Block::new("variable", &["load_balancer_listener_arn"])
            .attr("description", Expr::str("ARN of the public load balancer's listener the API forwards to through the VPC link."))
            .attr("type", Expr::raw("string")),
        Block::new("resource", &["aws_apigatewayv2_vpc_link", "edge"])
            .attr("name", Expr::str(&format!("{base}-link")))
            .attr("security_group_ids", Expr::raw(format!("[aws_security_group.{}.id]", link.tf)))
            .attr("subnet_ids", Expr::raw("var.public_subnet_ids"))
            .attr("tags", Expr::raw("var.tags")),
        Block::new("resource", &["aws_apigatewayv2_api", "edge"])
            .attr("name", Expr::str(&format!("{base}-api")))
            .attr("protocol_type", Expr::str("HTTP"))
            .attr("tags", Expr::raw("var.tags")),
        Block::new("resource", &["aws_apigatewayv2_integration", "edge"])
            .attr("api_id", Expr::raw("aws_apigatewayv2_api.edge.id"))
            .attr("integration_type", Expr::str("HTTP_PROXY"))
            .attr("integration_method", Expr::str("ANY"))
            .attr("integration_uri", Expr::raw("var.load_balancer_listener_arn"))
            .attr("connection_type", Expr::str("VPC_LINK"))
            .attr("connection_id", Expr::raw("aws_apigatewayv2_vpc_link.edge.id")),
        Block::new("resource", &["aws_apigatewayv2_route", "edge"])
            .attr("api_id", Expr::raw("aws_apigatewayv2_api.edge.id"))
            .attr("route_key", Expr::str("$default"))
            .attr("target", Expr::raw("\"integrations/${aws_apigatewayv2_integration.edge.id}\"")),
        Block::new("data", &["aws_caller_identity", "edge"]),
        logs::kms_key("edge_logs", "Encrypts the edge's logs.", logs::key_policy("edge"), Expr::raw("var.tags")),
        logs::log_group("api_access", &format!("/aws/apigateway/{base}-api"), EDGE_LOG_RETENTION_DAYS, "edge_logs", Expr::raw("var.tags")),
        Block::new("resource", &["aws_apigatewayv2_stage", "edge"])
            .attr("api_id", Expr::raw("aws_apigatewayv2_api.edge.id"))
            .attr("name", Expr::str("$default"))
            .attr("auto_deploy", Expr::raw("true"))
            .blank()
            .block(
                Block::new("access_log_settings", &[])
                    .attr("destination_arn", Expr::raw("aws_cloudwatch_log_group.api_access.arn"))
                    .attr("format", Expr::str(&access_format)),
            )
            .blank()
            .attr("tags", Expr::raw("var.tags")),
    ];
    hcl::file(&blocks)
}

/// Shell: the edge's KMS key (EDGE_KEY_ARN) and the shared `cw_log_group` function.
const LOG_GROUP_FN: &str = r#"# The KMS key of the edge's log groups (rotation on): EDGE_KEY_ARN.
EDGE_KEY_ARN="$(aws kms --region "$REGION" describe-key --key-id "$EDGE_KEY_ALIAS" --query KeyMetadata.Arn --output text 2>/dev/null || true)"
case "$EDGE_KEY_ARN" in
  arn:*) ;;
  *)
    EDGE_ACCOUNT="$(aws sts get-caller-identity --query Account --output text)"
    EDGE_KEY_POLICY="${EDGE_KEY_POLICY//@ACCOUNT@/$EDGE_ACCOUNT}"
    EDGE_KEY_ARN="$(aws kms --region "$REGION" create-key --description "Encrypts the edge's logs" \
      --policy "${EDGE_KEY_POLICY//@REGION@/$REGION}" --query KeyMetadata.Arn --output text)"
    aws kms --region "$REGION" create-alias --alias-name "$EDGE_KEY_ALIAS" --target-key-id "$EDGE_KEY_ARN"
    ;;
esac
aws kms --region "$REGION" enable-key-rotation --key-id "$EDGE_KEY_ARN"

"#;

fn waf_script(plan: &Plan<'_>) -> String {
    let base = base_name(plan);
    let acl = format!("{base}-edge");
    let log_group = format!("aws-waf-logs-{acl}");
    let rules: Vec<serde_json::Value> = WAF_MANAGED_RULES
        .iter()
        .enumerate()
        .map(|(i, (rule, _))| {
            json!({
                "Name": rule,
                "Priority": (i + 1) * 10,
                "OverrideAction": { "None": {} },
                "Statement": { "ManagedRuleGroupStatement": { "VendorName": "AWS", "Name": rule } },
                "VisibilityConfig": {
                    "SampledRequestsEnabled": true,
                    "CloudWatchMetricsEnabled": true,
                    "MetricName": format!("{acl}-{}", rule.trim_start_matches("AWSManagedRules"))
                }
            })
        })
        .collect();
    let visibility = json!({ "SampledRequestsEnabled": true, "CloudWatchMetricsEnabled": true, "MetricName": acl }).to_string();
    let mut s = String::new();
    s.push_str("# Edge (multi-edge): a regional WAF web ACL with AWS managed rules, logged, on the load balancer.\n");
    s.push_str("# Input: LOAD_BALANCER_ARN (optional; without it the web ACL is created but not associated).\n");
    let _ = writeln!(s, "EDGE_KEY_ALIAS={}\nEDGE_KEY_POLICY={}", quote(&format!("alias/{base}-edge-logs")), quote(&logs::key_policy_json()));
    s.push_str(LOG_GROUP_FN);
    let _ = writeln!(s, "cw_log_group {} {} \"$EDGE_KEY_ARN\"", quote(&log_group), EDGE_LOG_RETENTION_DAYS);
    let _ = writeln!(
        s,
        "WAF_LOG_GROUP_ARN=\"$(aws logs --region \"$REGION\" describe-log-groups --log-group-name-prefix {} --query 'logGroups[0].arn' --output text)\"",
        quote(&log_group)
    );
    s.push_str("WAF_LOG_GROUP_ARN=\"${WAF_LOG_GROUP_ARN%:\\*}\"\n");
    let query = format!("WebACLs[?Name=='{acl}'].ARN | [0]");
    let _ = writeln!(
        s,
        "WAF_ACL_ARN=\"$(aws wafv2 --region \"$REGION\" list-web-acls --scope REGIONAL --query {} --output text)\"",
        quote(&query)
    );
    s.push_str("if [ -z \"$WAF_ACL_ARN\" ] || [ \"$WAF_ACL_ARN\" = \"None\" ]; then\n");
    let _ = writeln!(
        s,
        "  WAF_ACL_ARN=\"$(aws wafv2 --region \"$REGION\" create-web-acl --name {} --scope REGIONAL \\\n    --default-action '{{\"Allow\":{{}}}}' \\\n    --rules {} \\\n    --visibility-config {} \\\n    --query Summary.ARN --output text)\"",
        quote(&acl),
        quote(&serde_json::Value::Array(rules).to_string()),
        quote(&visibility)
    );
    let _ = writeln!(s, "  echo \"created web ACL {acl}: $WAF_ACL_ARN\" >&2\nfi");
    s.push_str("aws wafv2 --region \"$REGION\" put-logging-configuration \\\n  --logging-configuration \"{\\\"ResourceArn\\\":\\\"$WAF_ACL_ARN\\\",\\\"LogDestinationConfigs\\\":[\\\"$WAF_LOG_GROUP_ARN\\\"]}\" >/dev/null\n");
    s.push_str("if [ -n \"${LOAD_BALANCER_ARN:-}\" ]; then\n  aws wafv2 --region \"$REGION\" associate-web-acl --web-acl-arn \"$WAF_ACL_ARN\" --resource-arn \"$LOAD_BALANCER_ARN\"\nelse\n  echo \"apply.sh: LOAD_BALANCER_ARN is not set: associate the web ACL $WAF_ACL_ARN with the load balancer yourself\" >&2\nfi\n");
    s
}

fn apigw_script(plan: &Plan<'_>) -> String {
    let base = base_name(plan);
    let link = plan.edge.link.as_ref().expect("api-gateway link");
    let api = format!("{base}-api");
    let vpc_link = format!("{base}-link");
    let log_group = format!("/aws/apigateway/{api}");
    let mut s = String::new();
    s.push_str("# Edge (api-gateway): an HTTP API whose VPC link is the load balancer's only client.\n");
    s.push_str("# Inputs: PUBLIC_SUBNET_IDS (the VPC link's subnets); LOAD_BALANCER_LISTENER_ARN (optional;\n# without it the API is created with no integration).\n");
    s.push_str("if [ -z \"${PUBLIC_SUBNET_IDS:-}\" ]; then\n  echo \"apply.sh: PUBLIC_SUBNET_IDS is not set; export the public subnets (space-separated) for the API Gateway VPC link\" >&2\n  exit 1\nfi\n");
    let _ = writeln!(s, "EDGE_KEY_ALIAS={}\nEDGE_KEY_POLICY={}", quote(&format!("alias/{base}-edge-logs")), quote(&logs::key_policy_json()));
    s.push_str(LOG_GROUP_FN);
    let _ = writeln!(s, "cw_log_group {} {} \"$EDGE_KEY_ARN\"", quote(&log_group), EDGE_LOG_RETENTION_DAYS);
    let _ = writeln!(
        s,
        "API_LOG_GROUP_ARN=\"$(aws logs --region \"$REGION\" describe-log-groups --log-group-name-prefix {} --query 'logGroups[0].arn' --output text)\"",
        quote(&log_group)
    );
    s.push_str("API_LOG_GROUP_ARN=\"${API_LOG_GROUP_ARN%:\\*}\"\n");
    let _ = writeln!(
        s,
        "VPC_LINK_ID=\"$(aws apigatewayv2 --region \"$REGION\" get-vpc-links --query {} --output text)\"",
        quote(&format!("Items[?Name=='{vpc_link}'].VpcLinkId | [0]"))
    );
    s.push_str("if [ -z \"$VPC_LINK_ID\" ] || [ \"$VPC_LINK_ID\" = \"None\" ]; then\n  # shellcheck disable=SC2086 # one word per subnet id\n");
    let _ = writeln!(
        s,
        "  VPC_LINK_ID=\"$(aws apigatewayv2 --region \"$REGION\" create-vpc-link --name {} --subnet-ids $PUBLIC_SUBNET_IDS \\\n    --security-group-ids \"${}\" --query VpcLinkId --output text)\"\nfi",
        quote(&vpc_link),
        link.var
    );
    let _ = writeln!(
        s,
        "API_ID=\"$(aws apigatewayv2 --region \"$REGION\" get-apis --query {} --output text)\"",
        quote(&format!("Items[?Name=='{api}'].ApiId | [0]"))
    );
    let _ = writeln!(
        s,
        "if [ -z \"$API_ID\" ] || [ \"$API_ID\" = \"None\" ]; then\n  API_ID=\"$(aws apigatewayv2 --region \"$REGION\" create-api --name {} --protocol-type HTTP --query ApiId --output text)\"\n  echo \"created API {}: $API_ID\" >&2\nfi",
        quote(&api),
        api
    );
    let format = "{\"requestId\":\"$context.requestId\",\"sourceIp\":\"$context.identity.sourceIp\",\"status\":\"$context.status\",\"routeKey\":\"$context.routeKey\"}";
    s.push_str("if [ -n \"${LOAD_BALANCER_LISTENER_ARN:-}\" ]; then\n");
    s.push_str("  INTEGRATION_ID=\"$(aws apigatewayv2 --region \"$REGION\" get-integrations --api-id \"$API_ID\" --query 'Items[0].IntegrationId' --output text)\"\n");
    s.push_str("  if [ -z \"$INTEGRATION_ID\" ] || [ \"$INTEGRATION_ID\" = \"None\" ]; then\n    INTEGRATION_ID=\"$(aws apigatewayv2 --region \"$REGION\" create-integration --api-id \"$API_ID\" --integration-type HTTP_PROXY \\\n      --integration-method ANY --integration-uri \"$LOAD_BALANCER_LISTENER_ARN\" --connection-type VPC_LINK \\\n      --connection-id \"$VPC_LINK_ID\" --payload-format-version 1.0 --query IntegrationId --output text)\"\n  fi\n");
    s.push_str("  if [ \"$(aws apigatewayv2 --region \"$REGION\" get-routes --api-id \"$API_ID\" --query \"length(Items[?RouteKey=='\\$default'])\" --output text)\" = \"0\" ]; then\n    aws apigatewayv2 --region \"$REGION\" create-route --api-id \"$API_ID\" --route-key '$default' --target \"integrations/$INTEGRATION_ID\" >/dev/null\n  fi\nelse\n  echo \"apply.sh: LOAD_BALANCER_LISTENER_ARN is not set: the API has no integration with the load balancer yet\" >&2\nfi\n");
    let _ = writeln!(
        s,
        "ACCESS_LOG_SETTINGS=\"$(printf '{{\"DestinationArn\":\"%s\",\"Format\":%s}}' \"$API_LOG_GROUP_ARN\" {})\"",
        quote(&serde_json::Value::String(format.to_string()).to_string())
    );
    s.push_str("if [ \"$(aws apigatewayv2 --region \"$REGION\" get-stages --api-id \"$API_ID\" --query \"length(Items[?StageName=='\\$default'])\" --output text)\" = \"0\" ]; then\n  aws apigatewayv2 --region \"$REGION\" create-stage --api-id \"$API_ID\" --stage-name '$default' --auto-deploy \\\n    --access-log-settings \"$ACCESS_LOG_SETTINGS\" >/dev/null\nfi\n");
    s
}

fn report(plan: &Plan<'_>) -> String {
    let e = &plan.edge;
    let mut s = String::from("## Edge\n\n");
    let lbs: Vec<String> = e.fronted.iter().map(|&i| code(&plan.groups[i].name)).collect();
    match e.mode {
        PublicMode::None => s.push_str("Public exposure is `none`: no security group accepts traffic from the internet and nothing fronts a load balancer.\n\n"),
        PublicMode::LoadBalancerOnly => s.push_str("Public exposure is `load-balancer-only`: the public tier's load balancer takes the internet flows directly (see the internet entry points above).\n\n"),
        PublicMode::MultiEdge if e.fronted.is_empty() => s.push_str("Public exposure is `multi-edge`, but the public tier has no load balancer: nothing is fronted.\n\n"),
        PublicMode::ApiGateway if e.fronted.is_empty() => s.push_str("Public exposure is `api-gateway`, but the public tier has no load balancer: nothing is fronted.\n\n"),
        PublicMode::MultiEdge => {
            let _ = writeln!(
                s,
                "Public exposure is `multi-edge`: clients reach a CloudFront distribution, a WAF web ACL filters requests, and the load balancer ({}) accepts the flows' ports only from CloudFront's origin-facing addresses (managed prefix list {}), not from the internet.\n",
                lbs.join(", "),
                code(CLOUDFRONT_PREFIX_LIST)
            );
            s.push_str("| Load balancer | Ports | Source | Purpose |\n|---|---|---|---|\n");
            for r in plan.rules.iter().filter(|r| r.peer == SgPeer::CloudFront) {
                let _ = writeln!(s, "| {} | {} | {} | {} |", code(&plan.groups[r.group].name), ports_text(r), peer_text(plan, r), md_cell(&r.rule.description.purpose));
            }
            s.push('\n');
            let n = plan.rules.iter().filter(|r| r.peer == SgPeer::CloudFront).count();
            let _ = writeln!(
                s,
                "- Quota weight: a rule that references the prefix list counts {CLOUDFRONT_PREFIX_LIST_WEIGHT} rules (its max entries) against the 60 inbound rules of a group; {n} such rule(s) weigh {}.{}",
                n * CLOUDFRONT_PREFIX_LIST_WEIGHT,
                if n * CLOUDFRONT_PREFIX_LIST_WEIGHT > 60 { " That exceeds the default quota: merge the ports into one range or serve fewer ports (the profile check warns CW201)." } else { "" }
            );
            s.push_str("- The prefix list is IPv4 only: the flows' `::/0` rules are not rendered (CloudFront connects to origins over IPv4).\n");
            s.push_str("- WAF web ACL (REGIONAL, associated with the load balancer via `var.load_balancer_arn`; default action allow, CloudWatch metrics and sampled requests on every rule, logs to the log group `aws-waf-logs-...`):\n");
            for (rule, what) in WAF_MANAGED_RULES {
                let _ = writeln!(s, "  - {}: {}", code(rule), md_cell(what));
            }
            s.push_str("- The prefix list admits every CloudFront distribution, not only yours: configure the distribution to add a secret origin header and have the load balancer's listener rules (or the web ACL) reject requests without it.\n\n");
        }
        PublicMode::ApiGateway => {
            let link = e.link.as_ref().map(|l| code(&l.name)).unwrap_or_default();
            let _ = writeln!(
                s,
                "Public exposure is `api-gateway`: clients reach an API Gateway HTTP API (route `$default`, access logs to CloudWatch Logs); its VPC link (security group {link}) forwards to the load balancer's listener (`var.load_balancer_listener_arn`). The load balancer ({}) has no rule from the internet: it accepts the flows' ports only from the VPC link's group, and the VPC link's group may only reach the load balancer on those ports.\n",
                lbs.join(", ")
            );
            s.push_str("| Load balancer | Ports | Source | Purpose |\n|---|---|---|---|\n");
            for r in plan.rules.iter().filter(|r| r.peer == SgPeer::EdgeLink) {
                let _ = writeln!(s, "| {} | {} | {} | {} |", code(&plan.groups[r.group].name), ports_text(r), peer_text(plan, r), md_cell(&r.rule.description.purpose));
            }
            s.push('\n');
        }
    }
    if !e.dropped.is_empty() {
        let _ = writeln!(s, "Internet rules covered by the edge and not rendered: {}.\n", e.dropped.iter().map(|d| code(d)).collect::<Vec<_>>().join(", "));
    }
    s.push_str("### Checkov exceptions\n\n");
    let mut skips: Vec<String> = plan
        .rules
        .iter()
        .flat_map(|r| {
            let dir = if r.rule.direction == cloudwall_core::policy::Direction::Ingress { "from" } else { "to" };
            r.skips.iter().map(move |k| format!("- {} on {} ({} {dir} {}): {}", code(k.check), code(&r.tf), ports_text(r), peer_text(plan, r), md_cell(&k.reason)))
        })
        .collect();
    // The VPC link's egress rules toward the load balancer.
    for l in &plan.edge.link_rules {
        for k in &l.skips {
            skips.push(format!("- {} on {} (to {}): {}", code(k.check), code(&l.tf), code(&plan.groups[l.lb].name), md_cell(&k.reason)));
        }
    }
    if skips.is_empty() {
        s.push_str("None: no rule is a deliberate exception to a checkov check.\n");
    } else {
        s.push_str("Each rule below carries an inline `#checkov:skip` whose reason starts with the flow's purpose: a deliberate exception (an internet rule the profile asks for), or a rule checkov's open-port checks misread as open to the world because its peer is a security group or a managed prefix list rather than an address range:\n\n");
        for l in skips {
            let _ = writeln!(s, "{l}");
        }
        s.push_str("\nCKV_AWS_24 (SSH) and CKV_AWS_25 (RDP) from the internet never need an exception: such flows are refused.\n");
    }
    s
}
