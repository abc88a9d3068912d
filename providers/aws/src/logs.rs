//! CloudWatch Logs pieces every phase that keeps logs shares: the retention periods
//! CloudWatch accepts, the Terraform of a customer-managed KMS key (rotation on) and of a
//! log group encrypted with it, and the `apply.sh` function that ensures such a group.

use crate::hcl::{Block, Expr};

/// The retention periods (days) CloudWatch Logs accepts.
pub const RETENTION_DAYS: [u32; 22] =
    [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

/// The shortest accepted retention period of at least `days` (3653 at most).
pub fn retention(days: u32) -> u32 {
    RETENTION_DAYS.iter().copied().find(|&d| d >= days).unwrap_or(3653)
}

/// `resource "aws_kms_key" "<tf>"`: rotation on, 30-day deletion window, the given key
/// policy (an HCL expression) and tags.
pub fn kms_key(tf: &str, description: &str, policy: Expr, tags: Expr) -> Block {
    Block::new("resource", &["aws_kms_key", tf])
        .attr("description", Expr::str(description))
        .attr("enable_key_rotation", Expr::raw("true"))
        .attr("deletion_window_in_days", Expr::num(30))
        .blank()
        .attr("policy", policy)
        .blank()
        .attr("tags", tags)
}

/// The key policy (a `jsonencode(...)` HCL expression) of a key that encrypts CloudWatch
/// log groups: the account administers it (AWS's default key policy), the CloudWatch Logs
/// service of the region uses it. `identity` is the `aws_caller_identity` data source's name.
pub fn key_policy(identity: &str) -> Expr {
    Expr::raw(format!(
        "jsonencode({{\n    Version = \"2012-10-17\"\n    Statement = [\n      {{\n        Sid       = \"AccountAdministers\"\n        Effect    = \"Allow\"\n        Principal = {{ AWS = \"arn:aws:iam::${{data.aws_caller_identity.{identity}.account_id}}:root\" }}\n        Action    = \"kms:*\"\n        Resource  = \"*\"\n      }},\n      {{\n        Sid       = \"CloudWatchLogsEncrypts\"\n        Effect    = \"Allow\"\n        Principal = {{ Service = \"logs.${{var.region}}.amazonaws.com\" }}\n        Action    = [\"kms:Encrypt*\", \"kms:Decrypt*\", \"kms:ReEncrypt*\", \"kms:GenerateDataKey*\", \"kms:Describe*\"]\n        Resource  = \"*\"\n      }},\n    ]\n  }})"
    ))
}

/// The same key policy as JSON for `aws kms create-key --policy`, with `@ACCOUNT@` and
/// `@REGION@` for the script to fill in.
pub fn key_policy_json() -> String {
    serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [
            { "Sid": "AccountAdministers", "Effect": "Allow", "Principal": { "AWS": "arn:aws:iam::@ACCOUNT@:root" }, "Action": "kms:*", "Resource": "*" },
            { "Sid": "CloudWatchLogsEncrypts", "Effect": "Allow", "Principal": { "Service": "logs.@REGION@.amazonaws.com" },
              "Action": ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"], "Resource": "*" }
        ]
    })
    .to_string()
}

/// `resource "aws_cloudwatch_log_group" "<tf>"` named `name`, kept [`retention`]`(days)`
/// days, encrypted with `aws_kms_key.<key_tf>`.
pub fn log_group(tf: &str, name: &str, days: u32, key_tf: &str, tags: Expr) -> Block {
    Block::new("resource", &["aws_cloudwatch_log_group", tf])
        .attr("name", Expr::str(name))
        .attr("retention_in_days", Expr::num(retention(days)))
        .attr("kms_key_id", Expr::raw(format!("aws_kms_key.{key_tf}.arn")))
        .blank()
        .attr("tags", tags)
}

/// The protections of a log bucket `aws_s3_bucket.<tf>`: versioning, SSE-KMS with
/// `aws_kms_key.<key_tf>` (bucket key on), and every public-access block.
pub fn bucket_protection(tf: &str, key_tf: &str) -> Vec<Block> {
    let bucket = Expr::raw(format!("aws_s3_bucket.{tf}.id"));
    vec![
        Block::new("resource", &["aws_s3_bucket_versioning", tf])
            .attr("bucket", bucket.clone())
            .blank()
            .block(Block::new("versioning_configuration", &[]).attr("status", Expr::str("Enabled"))),
        Block::new("resource", &["aws_s3_bucket_server_side_encryption_configuration", tf])
            .attr("bucket", bucket.clone())
            .blank()
            .block(
                Block::new("rule", &[]).attr("bucket_key_enabled", Expr::raw("true")).blank().block(
                    Block::new("apply_server_side_encryption_by_default", &[])
                        .attr("sse_algorithm", Expr::str("aws:kms"))
                        .attr("kms_master_key_id", Expr::raw(format!("aws_kms_key.{key_tf}.arn"))),
                ),
            ),
        Block::new("resource", &["aws_s3_bucket_public_access_block", tf])
            .attr("bucket", bucket)
            .attr("block_public_acls", Expr::raw("true"))
            .attr("block_public_policy", Expr::raw("true"))
            .attr("ignore_public_acls", Expr::raw("true"))
            .attr("restrict_public_buckets", Expr::raw("true")),
    ]
}

/// `apply.sh`: `cw_log_group NAME RETENTION_DAYS KEY_ARN` creates the log group encrypted
/// with the key or, when it exists, keeps its data and re-keys it only if its key differs;
/// then sets the retention. Phases call it; the provider defines it once, after the
/// prelude, when any phase does.
pub const ENSURE_LOG_GROUP_SH: &str = r#"# cw_log_group NAME RETENTION_DAYS KEY_ARN: the log group, encrypted with the key (an
# existing group keeps its data and is re-keyed only if needed), with its retention.
cw_log_group() {
  local out current
  if out="$(aws logs --region "$REGION" create-log-group --log-group-name "$1" --kms-key-id "$3" 2>&1)"; then
    echo "created log group $1" >&2
  else
    case "$out" in
      *ResourceAlreadyExistsException*)
        current="$(aws logs --region "$REGION" describe-log-groups --log-group-name-prefix "$1" \
          --query "logGroups[?logGroupName=='$1'] | [0].kmsKeyId" --output text)" || return 1
        if [ "$current" != "$3" ]; then
          aws logs --region "$REGION" associate-kms-key --log-group-name "$1" --kms-key-id "$3" || return 1
        fi
        ;;
      *) printf '%s\n' "$out" >&2; return 1 ;;
    esac
  fi
  aws logs --region "$REGION" put-retention-policy --log-group-name "$1" --retention-in-days "$2"
}
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retention_rounds_up_to_an_accepted_period() {
        assert_eq!(retention(0), 1);
        assert_eq!(retention(1), 1);
        assert_eq!(retention(2), 3);
        assert_eq!(retention(100), 120);
        assert_eq!(retention(365), 365);
        assert_eq!(retention(366), 400);
        assert_eq!(retention(730), 731);
        assert_eq!(retention(2190), 2192);
        assert_eq!(retention(3653), 3653);
        assert_eq!(retention(5000), 3653);
    }
}
