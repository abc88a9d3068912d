//! VPC flow logs (`terraform/flow_logs.tf`, the `apply.sh` fragment) and the report's
//! compliance mapping: which generated control serves which requirement of each scope.
//!
//! Destination `logs`: a CloudWatch log group (retention rounded up to a period CloudWatch
//! offers) encrypted with its own KMS key (rotation on, key policy letting the logs service
//! use it for that log group only), and an IAM role the flow-logs service assumes to
//! deliver. Destination `object-storage`: an S3 bucket with versioning, SSE-KMS, every
//! public-access block, expiry after the retention and a bucket policy for the log
//! delivery service only.

use crate::hcl::{self, Block, Expr};
use crate::logs;
use crate::names;
use crate::phases::Contribution;
use crate::plan::Plan;
use crate::report::md_cell;
use crate::shell::quote;
use cloudwall_core::policy::{FlowLogSettings, Policy};
use cloudwall_core::profile::model::{Compliance, FlowLogDestination, FlowLogTraffic};
use serde_json::json;
use std::fmt::Write as _;

/// The shortest CloudWatch retention period of at least `days` ([`crate::logs::retention`]).
pub use crate::logs::retention as cloudwatch_retention;

pub fn traffic_type(t: FlowLogTraffic) -> &'static str {
    match t {
        FlowLogTraffic::All => "ALL",
        FlowLogTraffic::Reject => "REJECT",
        FlowLogTraffic::Accept => "ACCEPT",
    }
}

/// `{env}-{name}` in lower-case letters, digits and `-` (bucket and log-group names).
fn slug(policy: &Policy) -> String {
    let raw = format!("{}-{}", policy.deployment.env, policy.deployment.name).to_ascii_lowercase();
    let mut s: String = raw.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
    while s.contains("--") {
        s = s.replace("--", "-");
    }
    let s = s.trim_matches('-');
    names::truncate(if s.is_empty() { "vpc" } else { s }, 30).trim_end_matches('-').to_string()
}

/// The log group of destination `logs`.
pub fn log_group_name(policy: &Policy) -> String {
    format!("/vpc/flow-logs/{}", slug(policy))
}

/// The KMS alias of the flow-log key.
pub fn kms_alias(policy: &Policy) -> String {
    format!("alias/{}-flow-logs", slug(policy))
}

/// The IAM role the flow-logs service assumes (destination `logs`).
pub fn role_name(policy: &Policy) -> String {
    format!("{}-flow-logs", slug(policy))
}

fn tags(policy: &Policy, name: &str) -> Expr {
    let obj = Expr::Object(vec![
        ("Name".into(), Expr::str(&names::tag_value(name))),
        ("Env".into(), Expr::str(&names::tag_value(&policy.deployment.env))),
    ]);
    Expr::Wrap("merge(var.tags, ".into(), Box::new(obj), ")".into())
}

fn statement(sid: &str, effect: &str, actions: &[&str], resources: &[&str]) -> Block {
    let actions = actions.iter().map(|a| hcl::string(a)).collect::<Vec<_>>().join(", ");
    let b = Block::new("statement", &[]).attr("sid", Expr::str(sid)).attr("effect", Expr::str(effect)).attr("actions", Expr::raw(format!("[{actions}]")));
    if resources.is_empty() {
        return b;
    }
    // `*` is a literal; anything else is already an HCL expression.
    let res = resources.iter().map(|r| if *r == "*" { hcl::string(r) } else { r.to_string() }).collect::<Vec<_>>().join(", ");
    b.attr("resources", Expr::raw(format!("[{res}]")))
}

fn principals(kind: &str, ids: &str) -> Block {
    Block::new("principals", &[]).attr("type", Expr::str(kind)).attr("identifiers", Expr::raw(format!("[{ids}]")))
}

fn condition(test: &str, variable: &str, values: &str) -> Block {
    Block::new("condition", &[]).attr("test", Expr::str(test)).attr("variable", Expr::str(variable)).attr("values", Expr::raw(format!("[{values}]")))
}

const ACCOUNT: &str = "data.aws_caller_identity.current.account_id";

fn terraform(policy: &Policy, f: &FlowLogSettings) -> String {
    let slug = slug(policy);
    let mut blocks = vec![Block::new("data", &["aws_caller_identity", "current"])];
    let root = format!("\"arn:aws:iam::${{{ACCOUNT}}}:root\"");
    let admin = statement("KeyAdministration", "Allow", &["kms:*"], &["*"]).block(principals("AWS", &root));
    let key_policy_doc;
    let flow;
    match f.destination {
        FlowLogDestination::Logs => {
            let lg = log_group_name(policy);
            let lg_arn = format!("\"arn:aws:logs:${{var.region}}:${{{ACCOUNT}}}:log-group:{}\"", &lg);
            key_policy_doc = Block::new("data", &["aws_iam_policy_document", "flow_logs_key"]).block(admin).block(
                statement(
                    "CloudWatchLogsUse",
                    "Allow",
                    &["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
                    &["*"],
                )
                .block(principals("Service", "\"logs.${var.region}.amazonaws.com\""))
                .block(condition("ArnEquals", "kms:EncryptionContext:aws:logs:arn", &lg_arn)),
            );
            blocks.push(key_policy_doc);
            blocks.push(kms_key(policy));
            blocks.push(
                logs::log_group("flow_logs", &lg, f.retention_days, "flow_logs", tags(policy, &lg)),
            );
            blocks.push(
                Block::new("data", &["aws_iam_policy_document", "flow_logs_assume"]).block(
                    statement("FlowLogsAssume", "Allow", &["sts:AssumeRole"], &[])
                        .block(principals("Service", "\"vpc-flow-logs.amazonaws.com\""))
                        .block(condition("StringEquals", "aws:SourceAccount", ACCOUNT)),
                ),
            );
            blocks.push(
                Block::new("resource", &["aws_iam_role", "flow_logs"])
                    .attr("name", Expr::str(&role_name(policy)))
                    .attr("assume_role_policy", Expr::raw("data.aws_iam_policy_document.flow_logs_assume.json"))
                    .blank()
                    .attr("tags", tags(policy, &role_name(policy))),
            );
            blocks.push(
                Block::new("data", &["aws_iam_policy_document", "flow_logs_delivery"]).block(statement(
                    "DeliverToLogGroup",
                    "Allow",
                    &["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogGroups", "logs:DescribeLogStreams"],
                    &["\"${aws_cloudwatch_log_group.flow_logs.arn}:*\""],
                )),
            );
            blocks.push(
                Block::new("resource", &["aws_iam_role_policy", "flow_logs"])
                    .attr("name", Expr::str("deliver-flow-logs"))
                    .attr("role", Expr::raw("aws_iam_role.flow_logs.id"))
                    .attr("policy", Expr::raw("data.aws_iam_policy_document.flow_logs_delivery.json")),
            );
            flow = Block::new("resource", &["aws_flow_log", "vpc"])
                .attr("vpc_id", Expr::raw("var.vpc_id"))
                .attr("traffic_type", Expr::str(traffic_type(f.traffic)))
                .attr("log_destination_type", Expr::str("cloud-watch-logs"))
                .attr("log_destination", Expr::raw("aws_cloudwatch_log_group.flow_logs.arn"))
                .attr("iam_role_arn", Expr::raw("aws_iam_role.flow_logs.arn"))
                .attr("max_aggregation_interval", Expr::num(60));
        }
        FlowLogDestination::ObjectStorage => {
            key_policy_doc = Block::new("data", &["aws_iam_policy_document", "flow_logs_key"]).block(admin).block(
                statement("LogDeliveryUse", "Allow", &["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"], &["*"])
                    .block(principals("Service", "\"delivery.logs.amazonaws.com\""))
                    .block(condition("StringEquals", "aws:SourceAccount", ACCOUNT)),
            );
            blocks.push(key_policy_doc);
            blocks.push(kms_key(policy));
            let bucket = format!("{slug}-flow-logs-${{{ACCOUNT}}}");
            blocks.push(
                Block::new("resource", &["aws_s3_bucket", "flow_logs"])
                    .attr("bucket", Expr::raw(format!("\"{bucket}\"")))
                    .blank()
                    .attr("tags", tags(policy, &format!("{slug}-flow-logs"))),
            );
            blocks.extend(logs::bucket_protection("flow_logs", "flow_logs"));
            blocks.push(
                Block::new("resource", &["aws_s3_bucket_lifecycle_configuration", "flow_logs"])
                    .attr("bucket", Expr::raw("aws_s3_bucket.flow_logs.id"))
                    .blank()
                    .block(
                        Block::new("rule", &[])
                            .attr("id", Expr::str("expire-flow-logs"))
                            .attr("status", Expr::str("Enabled"))
                            .blank()
                            .block(Block::new("filter", &[]))
                            .block(Block::new("expiration", &[]).attr("days", Expr::num(f.retention_days)))
                            .block(Block::new("noncurrent_version_expiration", &[]).attr("noncurrent_days", Expr::num(1)))
                            .block(Block::new("abort_incomplete_multipart_upload", &[]).attr("days_after_initiation", Expr::num(7))),
                    ),
            );
            let objects = "\"${aws_s3_bucket.flow_logs.arn}/AWSLogs/${data.aws_caller_identity.current.account_id}/*\"";
            blocks.push(
                Block::new("data", &["aws_iam_policy_document", "flow_logs_bucket"])
                    .block(
                        statement("AWSLogDeliveryWrite", "Allow", &["s3:PutObject"], &[objects])
                            .block(principals("Service", "\"delivery.logs.amazonaws.com\""))
                            .block(condition("StringEquals", "s3:x-amz-acl", "\"bucket-owner-full-control\""))
                            .block(condition("StringEquals", "aws:SourceAccount", ACCOUNT)),
                    )
                    .block(
                        statement("AWSLogDeliveryAclCheck", "Allow", &["s3:GetBucketAcl", "s3:ListBucket"], &["aws_s3_bucket.flow_logs.arn"])
                            .block(principals("Service", "\"delivery.logs.amazonaws.com\""))
                            .block(condition("StringEquals", "aws:SourceAccount", ACCOUNT)),
                    )
                    .block(
                        statement(
                            "DenyInsecureTransport",
                            "Deny",
                            &["s3:*"],
                            &["aws_s3_bucket.flow_logs.arn", "\"${aws_s3_bucket.flow_logs.arn}/*\""],
                        )
                        .block(principals("*", "\"*\""))
                        .block(condition("Bool", "aws:SecureTransport", "\"false\"")),
                    ),
            );
            blocks.push(
                Block::new("resource", &["aws_s3_bucket_policy", "flow_logs"])
                    .attr("bucket", Expr::raw("aws_s3_bucket.flow_logs.id"))
                    .attr("policy", Expr::raw("data.aws_iam_policy_document.flow_logs_bucket.json"))
                    .blank()
                    .attr("depends_on", Expr::raw("[aws_s3_bucket_public_access_block.flow_logs]")),
            );
            flow = Block::new("resource", &["aws_flow_log", "vpc"])
                .attr("vpc_id", Expr::raw("var.vpc_id"))
                .attr("traffic_type", Expr::str(traffic_type(f.traffic)))
                .attr("log_destination_type", Expr::str("s3"))
                .attr("log_destination", Expr::raw("aws_s3_bucket.flow_logs.arn"))
                .attr("max_aggregation_interval", Expr::num(60))
                .blank()
                .attr("depends_on", Expr::raw("[aws_s3_bucket_policy.flow_logs]"));
        }
    }
    blocks.push(flow.blank().attr("tags", tags(policy, &format!("{slug}-flow-logs"))));
    hcl::file(&blocks)
}

fn kms_key(policy: &Policy) -> Block {
    logs::kms_key(
        "flow_logs",
        &format!("Encrypts the VPC flow logs of {}", names::aws_text(&slug(policy))),
        Expr::raw("data.aws_iam_policy_document.flow_logs_key.json"),
        tags(policy, &format!("{}-flow-logs", slug(policy))),
    )
}

fn script(policy: &Policy, f: &FlowLogSettings) -> String {
    let mut s = String::new();
    let traffic = traffic_type(f.traffic);
    s.push_str("\n# VPC flow logs.\n");
    s.push_str("ACCOUNT_ID=\"$(aws sts get-caller-identity --query Account --output text)\"\n");
    let _ = writeln!(s, "FLOW_KEY_ALIAS={}", quote(&kms_alias(policy)));
    s.push_str(
        r#"FLOW_KEY="$(aws kms --region "$REGION" list-aliases --query "Aliases[?AliasName=='$FLOW_KEY_ALIAS'] | [0].TargetKeyId" --output text)"
if [ -z "$FLOW_KEY" ] || [ "$FLOW_KEY" = "None" ]; then
  FLOW_KEY="$(aws kms --region "$REGION" create-key --description 'Encrypts the VPC flow logs' --query KeyMetadata.KeyId --output text)"
  aws kms --region "$REGION" create-alias --alias-name "$FLOW_KEY_ALIAS" --target-key-id "$FLOW_KEY"
fi
aws kms --region "$REGION" enable-key-rotation --key-id "$FLOW_KEY"
FLOW_KEY_ARN="$(aws kms --region "$REGION" describe-key --key-id "$FLOW_KEY" --query KeyMetadata.Arn --output text)"
"#,
    );
    match f.destination {
        FlowLogDestination::Logs => {
            let lg = log_group_name(policy);
            let role = role_name(policy);
            let _ = writeln!(s, "FLOW_LOG_GROUP={}", quote(&lg));
            let _ = writeln!(s, "FLOW_ROLE={}", quote(&role));
            let key_policy = |lg_arn: &str| {
                json!({
                    "Version": "2012-10-17",
                    "Statement": [
                        { "Sid": "KeyAdministration", "Effect": "Allow", "Principal": { "AWS": "arn:aws:iam::ACCOUNT:root" }, "Action": "kms:*", "Resource": "*" },
                        { "Sid": "CloudWatchLogsUse", "Effect": "Allow", "Principal": { "Service": "logs.REGION.amazonaws.com" },
                          "Action": ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"], "Resource": "*",
                          "Condition": { "ArnEquals": { "kms:EncryptionContext:aws:logs:arn": lg_arn } } }
                    ]
                })
                .to_string()
            };
            let lg_arn = format!("arn:aws:logs:REGION:ACCOUNT:log-group:{lg}");
            let _ = writeln!(
                s,
                "FLOW_KEY_POLICY={}\nFLOW_KEY_POLICY=\"${{FLOW_KEY_POLICY//ACCOUNT/$ACCOUNT_ID}}\"\nFLOW_KEY_POLICY=\"${{FLOW_KEY_POLICY//REGION/$REGION}}\"",
                quote(&key_policy(&lg_arn))
            );
            s.push_str("aws kms --region \"$REGION\" put-key-policy --key-id \"$FLOW_KEY\" --policy-name default --policy \"$FLOW_KEY_POLICY\"\n");
            let _ = writeln!(s, "cw_log_group \"$FLOW_LOG_GROUP\" {} \"$FLOW_KEY_ARN\"", cloudwatch_retention(f.retention_days));
            let assume = json!({
                "Version": "2012-10-17",
                "Statement": [{ "Effect": "Allow", "Principal": { "Service": "vpc-flow-logs.amazonaws.com" }, "Action": "sts:AssumeRole",
                                "Condition": { "StringEquals": { "aws:SourceAccount": "ACCOUNT" } } }]
            })
            .to_string();
            let delivery = json!({
                "Version": "2012-10-17",
                "Statement": [{ "Sid": "DeliverToLogGroup", "Effect": "Allow",
                                "Action": ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogGroups", "logs:DescribeLogStreams"],
                                "Resource": format!("{lg_arn}:*") }]
            })
            .to_string();
            let _ = writeln!(s, "FLOW_ASSUME={}\nFLOW_ASSUME=\"${{FLOW_ASSUME//ACCOUNT/$ACCOUNT_ID}}\"", quote(&assume));
            let _ = writeln!(
                s,
                "FLOW_DELIVERY={}\nFLOW_DELIVERY=\"${{FLOW_DELIVERY//ACCOUNT/$ACCOUNT_ID}}\"\nFLOW_DELIVERY=\"${{FLOW_DELIVERY//REGION/$REGION}}\"",
                quote(&delivery)
            );
            s.push_str(
                r#"if ! FLOW_ROLE_ARN="$(aws iam get-role --role-name "$FLOW_ROLE" --query Role.Arn --output text 2>/dev/null)"; then
  FLOW_ROLE_ARN="$(aws iam create-role --role-name "$FLOW_ROLE" --assume-role-policy-document "$FLOW_ASSUME" --query Role.Arn --output text)"
fi
aws iam put-role-policy --role-name "$FLOW_ROLE" --policy-name deliver-flow-logs --policy-document "$FLOW_DELIVERY"
FLOW_EXISTING="$(ec2 describe-flow-logs --filter "Name=resource-id,Values=$VPC_ID" "Name=log-group-name,Values=$FLOW_LOG_GROUP" --query 'FlowLogs[0].FlowLogId' --output text)"
if [ -z "$FLOW_EXISTING" ] || [ "$FLOW_EXISTING" = "None" ]; then
"#,
            );
            let _ = writeln!(
                s,
                "  ec2 create-flow-logs --resource-type VPC --resource-ids \"$VPC_ID\" --traffic-type {traffic} \\\n    --log-destination-type cloud-watch-logs --log-group-name \"$FLOW_LOG_GROUP\" \\\n    --deliver-logs-permission-arn \"$FLOW_ROLE_ARN\" --max-aggregation-interval 60 >/dev/null\nfi"
            );
        }
        FlowLogDestination::ObjectStorage => {
            let _ = writeln!(s, "FLOW_BUCKET={}-flow-logs-\"$ACCOUNT_ID\"", quote(&slug(policy)));
            let key_policy = json!({
                "Version": "2012-10-17",
                "Statement": [
                    { "Sid": "KeyAdministration", "Effect": "Allow", "Principal": { "AWS": "arn:aws:iam::ACCOUNT:root" }, "Action": "kms:*", "Resource": "*" },
                    { "Sid": "LogDeliveryUse", "Effect": "Allow", "Principal": { "Service": "delivery.logs.amazonaws.com" },
                      "Action": ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"], "Resource": "*",
                      "Condition": { "StringEquals": { "aws:SourceAccount": "ACCOUNT" } } }
                ]
            })
            .to_string();
            let _ = writeln!(s, "FLOW_KEY_POLICY={}\nFLOW_KEY_POLICY=\"${{FLOW_KEY_POLICY//ACCOUNT/$ACCOUNT_ID}}\"", quote(&key_policy));
            s.push_str("aws kms --region \"$REGION\" put-key-policy --key-id \"$FLOW_KEY\" --policy-name default --policy \"$FLOW_KEY_POLICY\"\n");
            s.push_str(
                r#"if ! aws s3api head-bucket --bucket "$FLOW_BUCKET" >/dev/null 2>&1; then
  if [ "$REGION" = us-east-1 ]; then
    aws s3api create-bucket --bucket "$FLOW_BUCKET" --region "$REGION" >/dev/null
  else
    aws s3api create-bucket --bucket "$FLOW_BUCKET" --region "$REGION" --create-bucket-configuration "LocationConstraint=$REGION" >/dev/null
  fi
fi
aws s3api put-public-access-block --bucket "$FLOW_BUCKET" --public-access-block-configuration \
  BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true
aws s3api put-bucket-versioning --bucket "$FLOW_BUCKET" --versioning-configuration Status=Enabled
aws s3api put-bucket-encryption --bucket "$FLOW_BUCKET" --server-side-encryption-configuration \
  "{\"Rules\":[{\"ApplyServerSideEncryptionByDefault\":{\"SSEAlgorithm\":\"aws:kms\",\"KMSMasterKeyID\":\"$FLOW_KEY_ARN\"},\"BucketKeyEnabled\":true}]}"
"#,
            );
            let lifecycle = json!({ "Rules": [{ "ID": "expire-flow-logs", "Status": "Enabled", "Filter": {},
                "Expiration": { "Days": f.retention_days }, "NoncurrentVersionExpiration": { "NoncurrentDays": 1 },
                "AbortIncompleteMultipartUpload": { "DaysAfterInitiation": 7 } }] })
            .to_string();
            let _ = writeln!(s, "aws s3api put-bucket-lifecycle-configuration --bucket \"$FLOW_BUCKET\" --lifecycle-configuration {}", quote(&lifecycle));
            let bucket_policy = json!({
                "Version": "2012-10-17",
                "Statement": [
                    { "Sid": "AWSLogDeliveryWrite", "Effect": "Allow", "Principal": { "Service": "delivery.logs.amazonaws.com" }, "Action": "s3:PutObject",
                      "Resource": "arn:aws:s3:::BUCKET/AWSLogs/ACCOUNT/*",
                      "Condition": { "StringEquals": { "s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceAccount": "ACCOUNT" } } },
                    { "Sid": "AWSLogDeliveryAclCheck", "Effect": "Allow", "Principal": { "Service": "delivery.logs.amazonaws.com" },
                      "Action": ["s3:GetBucketAcl", "s3:ListBucket"], "Resource": "arn:aws:s3:::BUCKET",
                      "Condition": { "StringEquals": { "aws:SourceAccount": "ACCOUNT" } } },
                    { "Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
                      "Resource": ["arn:aws:s3:::BUCKET", "arn:aws:s3:::BUCKET/*"], "Condition": { "Bool": { "aws:SecureTransport": "false" } } }
                ]
            })
            .to_string();
            let _ = writeln!(
                s,
                "FLOW_BUCKET_POLICY={}\nFLOW_BUCKET_POLICY=\"${{FLOW_BUCKET_POLICY//BUCKET/$FLOW_BUCKET}}\"\nFLOW_BUCKET_POLICY=\"${{FLOW_BUCKET_POLICY//ACCOUNT/$ACCOUNT_ID}}\"",
                quote(&bucket_policy)
            );
            s.push_str("aws s3api put-bucket-policy --bucket \"$FLOW_BUCKET\" --policy \"$FLOW_BUCKET_POLICY\"\n");
            s.push_str(
                r#"FLOW_EXISTING="$(ec2 describe-flow-logs --filter "Name=resource-id,Values=$VPC_ID" --query "FlowLogs[?LogDestination=='arn:aws:s3:::$FLOW_BUCKET'] | [0].FlowLogId" --output text)"
if [ -z "$FLOW_EXISTING" ] || [ "$FLOW_EXISTING" = "None" ]; then
"#,
            );
            let _ = writeln!(
                s,
                "  ec2 create-flow-logs --resource-type VPC --resource-ids \"$VPC_ID\" --traffic-type {traffic} \\\n    --log-destination-type s3 --log-destination \"arn:aws:s3:::$FLOW_BUCKET\" --max-aggregation-interval 60 >/dev/null\nfi"
            );
        }
    }
    s
}

/// Requirement ids per scope for one kind of control.
fn requirements(scope: Compliance, control: &str) -> &'static str {
    match (scope, control) {
        (Compliance::PciDss, "groups") => "PCI DSS v4.0 1.2, 1.3 (network security controls restrict traffic to what is necessary)",
        (Compliance::PciDss, "nacls") => "PCI DSS v4.0 1.3, 1.4 (segmentation between trusted and untrusted networks)",
        (Compliance::PciDss, "deny") => "PCI DSS v4.0 1.4 (block traffic from untrusted networks)",
        (Compliance::PciDss, "flow_logs") => "PCI DSS v4.0 10.2 (audit logs of activity), 10.5 (log retention)",
        (Compliance::PciDss, "default_sg") => "PCI DSS v4.0 1.2 (no unnecessary allow rules), 2.2 (secure configuration)",
        (Compliance::PciDss, "kubernetes") => "PCI DSS v4.0 1.3 (restrict traffic inside the cardholder data environment)",
        (Compliance::Soc2, "flow_logs") => "SOC 2 CC7.2 (monitoring of system components for anomalies)",
        (Compliance::Soc2, _) => "SOC 2 CC6.6 (logical access security against threats from outside the system boundary)",
        (Compliance::Hipaa, "flow_logs") => "HIPAA 164.312(b) (audit controls)",
        (Compliance::Hipaa, _) => "HIPAA 164.312(a)(1) (access control), 164.312(e)(1) (transmission security)",
        (Compliance::Fedramp, "flow_logs") => "NIST 800-53 AU-2, AU-12 (event logging, audit record generation)",
        (Compliance::Fedramp, "deny") => "NIST 800-53 SC-7 (boundary protection: deny by default, allow by exception)",
        (Compliance::Fedramp, _) => "NIST 800-53 AC-4 (information flow enforcement), SC-7 (boundary protection)",
        (Compliance::PciDss, _) => "PCI DSS v4.0 1.3 (restrict traffic)",
    }
}

fn report(policy: &Policy, f: Option<&FlowLogSettings>) -> String {
    let mut s = String::new();
    if let Some(f) = f {
        s.push_str("## Flow logs\n\n");
        let dest = match f.destination {
            FlowLogDestination::Logs => format!(
                "CloudWatch Logs group `{}`, kept {} days (the shortest CloudWatch period of at least {} days), encrypted with a rotating KMS key that only the logs service may use for that group; an IAM role lets the flow-logs service deliver",
                md_cell(&log_group_name(policy)),
                cloudwatch_retention(f.retention_days),
                f.retention_days
            ),
            FlowLogDestination::ObjectStorage => format!(
                "an S3 bucket `{}-flow-logs-<account id>` (versioned, SSE-KMS with a rotating key, every public-access block on, objects expire after {} days, only the log delivery service may write, TLS required)",
                md_cell(&slug(policy)),
                f.retention_days
            ),
        };
        let _ = writeln!(
            s,
            "Every network interface of the VPC is recorded (traffic `{}`, 1-minute aggregation) to {dest}.\n",
            traffic_type(f.traffic)
        );
    }
    let scopes = &policy.deployment.compliance;
    if scopes.is_empty() {
        return s;
    }
    s.push_str("## Compliance mapping\n\n");
    s.push_str("Each control above and the requirement it serves in each compliance scope of the profile.\n\n");
    let mut head = String::from("| Control |");
    let mut rule = String::from("|---|");
    for c in scopes {
        let _ = write!(head, " {} |", md_cell(c.as_str()));
        rule.push_str("---|");
    }
    let _ = writeln!(s, "{head}\n{rule}");
    let mut controls = vec![
        ("groups", "Security groups: one per workload, rules reference groups, default-deny egress".to_string()),
        ("nacls", "Network ACLs per tier with explicit final deny".to_string()),
    ];
    if !policy.deny.is_empty() {
        controls.push(("deny", "Deny known-bad ranges (`[[deny]]`) in every NACL".to_string()));
    }
    if f.is_some() {
        controls.push(("flow_logs", "VPC flow logs, encrypted, with retention".to_string()));
    }
    controls.push(("default_sg", "Default security group emptied".to_string()));
    if policy.kubernetes.is_some() {
        controls.push(("kubernetes", "Kubernetes NetworkPolicies (default deny in the namespace)".to_string()));
    }
    for (key, name) in controls {
        let _ = write!(s, "| {} |", md_cell(&name));
        for c in scopes {
            let _ = write!(s, " {} |", md_cell(requirements(*c, key)));
        }
        s.push('\n');
    }
    s.push('\n');
    if f.is_none() {
        s.push_str("Flow logs are off (`[flow_logs] enabled = false`): the scopes above expect network activity logging; record where it is done instead.\n\n");
    }
    s
}

pub fn render(plan: &Plan<'_>) -> Contribution {
    let policy = plan.policy;
    let f = policy.controls.flow_logs.as_ref();
    let (files, script) = match f {
        Some(f) => (vec![("terraform/flow_logs.tf".to_string(), terraform(policy, f))], script(policy, f)),
        None => (vec![], String::new()),
    };
    Contribution { files, script, report: report(policy, f) }
}
