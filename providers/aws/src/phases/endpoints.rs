//! `Phase::Endpoints`: the private endpoints of the Policy as VPC endpoints. Object
//! storage is an S3 *gateway* endpoint on the private route tables (free); every other
//! service is an *interface* endpoint with one network interface per app subnet, private
//! DNS and the shared endpoint security group. Restrictions become endpoint policies.
//! Renders `terraform/endpoints.tf`, an idempotent `apply.sh` fragment and the report
//! section with the endpoints' monthly cost.

use super::Contribution;
use crate::hcl::{self, Block, Expr};
use crate::names;
use crate::plan::Plan;
use crate::report::md_cell;
use crate::shell::quote;
use cloudwall_core::policy::{EndpointRestriction, ENDPOINTS_GROUP};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Interface endpoint price, USD per endpoint per AZ-hour (us-east-1 list price).
pub const INTERFACE_USD_PER_AZ_HOUR: f64 = 0.01;
/// Hours in the month used for cost estimates (AWS's own pricing examples use 730).
pub const HOURS_PER_MONTH: f64 = 730.0;

/// Stands for the region inside policy strings: `${var.region}` in Terraform, the
/// region itself in the CLI script.
const REGION: char = '\u{1}';

/// One VPC endpoint to create.
#[derive(Debug, Clone, PartialEq)]
pub struct VpcEndpoint {
    /// The AWS service suffix: `s3`, `ecr.dkr`, `ssm`...
    pub service: String,
    pub gateway: bool,
    /// The profile entries (as written) that asked for it, or why it was added.
    pub requested_by: Vec<String>,
    /// The endpoint policy, when restrictions apply (region written as [`REGION`]).
    pub policy: Option<Value>,
    /// Terraform resource name.
    pub tf: String,
}

/// What the Policy's endpoint list means on AWS.
#[derive(Debug, Clone, Default)]
pub struct EndpointPlan {
    pub endpoints: Vec<VpcEndpoint>,
    /// Remarks for the report (ignored entries, automatic additions).
    pub notes: Vec<String>,
}

impl EndpointPlan {
    pub fn interface_count(&self) -> usize {
        self.endpoints.iter().filter(|e| !e.gateway).count()
    }
}

/// The AWS services behind a profile entry: `Ok(services)`, or `Err(note)` when AWS
/// ignores it.
pub fn aws_services(service: &str) -> Result<Vec<&str>, String> {
    Ok(match service {
        "object-storage" => vec!["s3"],
        "secrets" => vec!["secretsmanager"],
        "kms" => vec!["kms"],
        "sts" => vec!["sts"],
        "container-registry" => vec!["ecr.api", "ecr.dkr"],
        "logs" => vec!["logs"],
        "monitoring" => vec!["monitoring"],
        "queue" => vec!["sqs"],
        "database-api" => vec!["rds"],
        other => match other.split_once(':') {
            Some(("aws", svc)) if !svc.is_empty() => vec![svc],
            Some((provider, _)) => {
                return Err(format!(
                    "`{other}` is a {provider} service: AWS creates no endpoint for it"
                ))
            }
            None => {
                return Err(format!(
                    "`{other}` is not a service name AWS knows: no endpoint"
                ))
            }
        },
    })
}

/// Services that AWS offers as gateway endpoints (free, reached through route tables).
fn is_gateway(service: &str) -> bool {
    matches!(service, "s3" | "dynamodb")
}

/// The endpoints for a plan, with their policies.
pub fn endpoint_plan(plan: &Plan<'_>) -> EndpointPlan {
    let policy = plan.policy;
    let mut out = EndpointPlan::default();
    let mut by_service: BTreeMap<String, VpcEndpoint> = BTreeMap::new();
    let mut restrictions: BTreeMap<String, Vec<&EndpointRestriction>> = BTreeMap::new();
    for e in &policy.endpoints {
        let services = match aws_services(&e.service) {
            Ok(s) => s,
            Err(note) => {
                out.notes.push(note);
                continue;
            }
        };
        let who = if e.for_access {
            format!("{} (operator access)", e.service)
        } else {
            e.service.clone()
        };
        for svc in services {
            let ep = by_service
                .entry(svc.to_string())
                .or_insert_with(|| VpcEndpoint {
                    service: svc.to_string(),
                    gateway: is_gateway(svc),
                    requested_by: vec![],
                    policy: None,
                    tf: names::tf_ident(&svc.replace('.', "_")),
                });
            ep.requested_by.push(who.clone());
            for r in policy
                .controls
                .endpoint_restrictions
                .iter()
                .filter(|r| r.service == e.service)
            {
                restrictions.entry(svc.to_string()).or_default().push(r);
            }
        }
    }
    if by_service.contains_key("ecr.dkr") {
        let added = !by_service.contains_key("s3");
        let s3 = by_service
            .entry("s3".into())
            .or_insert_with(|| VpcEndpoint {
                service: "s3".into(),
                gateway: true,
                requested_by: vec![],
                policy: None,
                tf: "s3".into(),
            });
        s3.requested_by
            .push("container-registry (image layers)".into());
        if added {
            out.notes.push(
                "`container-registry`: ECR serves image layers from S3, so the S3 gateway endpoint is added as well \
                 (without it, pulls from private subnets fail or go through the NAT gateway)."
                    .into(),
            );
        }
        // A restricted S3 endpoint must still let image layers through.
        if restrictions.contains_key("s3") {
            restrictions.entry("s3".into()).or_default();
        }
    }
    for (svc, rs) in restrictions {
        if let Some(ep) = by_service.get_mut(&svc) {
            let mut statements: Vec<Value> = rs.iter().map(|r| statement(&svc, r)).collect();
            if svc == "s3" && by_service_has_ecr(&ep.requested_by) {
                statements.push(json!({
                    "Sid": "EcrImageLayers",
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": ["s3:GetObject"],
                    "Resource": [format!("arn:aws:s3:::prod-{REGION}-starport-layer-bucket/*")],
                }));
            }
            ep.policy = Some(json!({ "Version": "2012-10-17", "Statement": statements }));
        }
    }
    out.endpoints = by_service.into_values().collect();
    out
}

fn by_service_has_ecr(requested_by: &[String]) -> bool {
    requested_by
        .iter()
        .any(|r| r.starts_with("container-registry"))
}

/// The IAM action behind a neutral word for one service.
fn neutral_actions(svc: &str, word: &str) -> Vec<String> {
    let list: &[&str] = match (svc, word) {
        ("s3", "read") => &["s3:GetObject"],
        ("s3", "write") => &["s3:PutObject"],
        ("s3", "list") => &["s3:ListBucket"],
        ("s3", "delete") => &["s3:DeleteObject"],
        ("secretsmanager", "read") => &[
            "secretsmanager:GetSecretValue",
            "secretsmanager:DescribeSecret",
        ],
        ("secretsmanager", "write") => &["secretsmanager:PutSecretValue"],
        ("secretsmanager", "list") => &["secretsmanager:ListSecrets"],
        ("secretsmanager", "delete") => &["secretsmanager:DeleteSecret"],
        ("kms", "read") => &["kms:Decrypt", "kms:DescribeKey"],
        ("kms", "write") => &["kms:Encrypt", "kms:GenerateDataKey"],
        ("kms", "list") => &["kms:ListKeys", "kms:ListAliases"],
        ("kms", "delete") => &["kms:ScheduleKeyDeletion"],
        ("sqs", "read") => &["sqs:ReceiveMessage", "sqs:GetQueueAttributes"],
        ("sqs", "write") => &["sqs:SendMessage"],
        ("sqs", "list") => &["sqs:ListQueues"],
        ("sqs", "delete") => &["sqs:DeleteMessage"],
        ("ecr.api" | "ecr.dkr", "read") => &[
            "ecr:GetAuthorizationToken",
            "ecr:BatchGetImage",
            "ecr:GetDownloadUrlForLayer",
            "ecr:BatchCheckLayerAvailability",
        ],
        ("ecr.api" | "ecr.dkr", "write") => &[
            "ecr:InitiateLayerUpload",
            "ecr:UploadLayerPart",
            "ecr:CompleteLayerUpload",
            "ecr:PutImage",
        ],
        ("ecr.api" | "ecr.dkr", "list") => &["ecr:ListImages", "ecr:DescribeRepositories"],
        ("ecr.api" | "ecr.dkr", "delete") => &["ecr:BatchDeleteImage"],
        ("logs", "read") => &["logs:GetLogEvents", "logs:FilterLogEvents"],
        ("logs", "write") => &["logs:CreateLogStream", "logs:PutLogEvents"],
        ("logs", "list") => &["logs:DescribeLogGroups", "logs:DescribeLogStreams"],
        ("logs", "delete") => &["logs:DeleteLogStream"],
        (_, "read") => {
            return vec![
                format!("{}:Get*", iam_prefix(svc)),
                format!("{}:Describe*", iam_prefix(svc)),
            ]
        }
        (_, "write") => {
            return vec![
                format!("{}:Put*", iam_prefix(svc)),
                format!("{}:Create*", iam_prefix(svc)),
            ]
        }
        (_, "list") => return vec![format!("{}:List*", iam_prefix(svc))],
        (_, "delete") => return vec![format!("{}:Delete*", iam_prefix(svc))],
        // `prefix:Action` as written.
        (_, other) => return vec![other.to_string()],
    };
    list.iter().map(|s| s.to_string()).collect()
}

/// The IAM action prefix of an endpoint service.
fn iam_prefix(svc: &str) -> &str {
    match svc {
        "ecr.api" | "ecr.dkr" => "ecr",
        "monitoring" => "cloudwatch",
        other => other.split('.').next().unwrap_or(other),
    }
}

/// The ARNs a resource name stands for (a full ARN passes through).
fn resource_arns(svc: &str, name: &str) -> Vec<String> {
    if name.starts_with("arn:") {
        return vec![name.to_string()];
    }
    let r = REGION;
    match svc {
        "s3" => vec![
            format!("arn:aws:s3:::{name}"),
            format!("arn:aws:s3:::{name}/*"),
        ],
        "secretsmanager" => vec![format!("arn:aws:secretsmanager:{r}:*:secret:{name}-??????")],
        "kms" if name.starts_with("alias/") => vec![format!("arn:aws:kms:{r}:*:{name}")],
        "kms" => vec![format!("arn:aws:kms:{r}:*:key/{name}")],
        "sqs" => vec![format!("arn:aws:sqs:{r}:*:{name}")],
        "ecr.api" | "ecr.dkr" => vec![format!("arn:aws:ecr:{r}:*:repository/{name}")],
        "logs" => vec![
            format!("arn:aws:logs:{r}:*:log-group:{name}"),
            format!("arn:aws:logs:{r}:*:log-group:{name}:*"),
        ],
        "rds" => vec![format!("arn:aws:rds:{r}:*:db:{name}")],
        other => vec![format!("arn:aws:{}:{r}:*:{name}", iam_prefix(other))],
    }
}

/// One allow statement of an endpoint policy.
fn statement(svc: &str, r: &EndpointRestriction) -> Value {
    let mut actions: Vec<String> = Vec::new();
    for a in &r.actions {
        for x in neutral_actions(svc, a) {
            if !actions.contains(&x) {
                actions.push(x);
            }
        }
    }
    let mut resources: Vec<String> = Vec::new();
    for n in &r.resources {
        for x in resource_arns(svc, n) {
            if !resources.contains(&x) {
                resources.push(x);
            }
        }
    }
    let action = if actions.is_empty() {
        json!("*")
    } else {
        json!(actions)
    };
    let resource = if resources.is_empty() {
        json!("*")
    } else {
        json!(resources)
    };
    json!({ "Effect": "Allow", "Principal": "*", "Action": action, "Resource": resource })
}

/// A JSON value as a Terraform expression in `terraform fmt` layout, with [`REGION`]
/// written as `${var.region}` and every other string inert. `indent` is the column of
/// the line the value starts on.
fn hcl_value(v: &Value, indent: usize) -> String {
    let pad = |n: usize| " ".repeat(n);
    match v {
        Value::String(s) => hcl::string(s).replace("\\u0001", "${var.region}"),
        Value::Array(items) if items.iter().all(|i| !i.is_object() && !i.is_array()) => {
            let inner: Vec<String> = items.iter().map(|i| hcl_value(i, indent)).collect();
            format!("[{}]", inner.join(", "))
        }
        Value::Array(items) => {
            let mut out = String::from("[\n");
            for i in items {
                let _ = writeln!(out, "{}{},", pad(indent + 2), hcl_value(i, indent + 2));
            }
            out.push_str(&pad(indent));
            out.push(']');
            out
        }
        Value::Object(map) => {
            let mut out = String::from("{\n");
            let entries: Vec<(&String, &Value)> = map.iter().collect();
            let multi = |v: &Value| {
                matches!(v, Value::Object(_))
                    || (v.is_array()
                        && v.as_array()
                            .is_some_and(|a| a.iter().any(|i| i.is_object() || i.is_array())))
            };
            let mut i = 0;
            while i < entries.len() {
                let mut j = i + 1;
                if !multi(entries[i].1) {
                    while j < entries.len() && !multi(entries[j].1) {
                        j += 1;
                    }
                }
                let width = entries[i..j]
                    .iter()
                    .map(|(k, _)| k.len())
                    .max()
                    .unwrap_or(0);
                for (k, v) in &entries[i..j] {
                    let _ = writeln!(
                        out,
                        "{}{k:<width$} = {}",
                        pad(indent + 2),
                        hcl_value(v, indent + 2)
                    );
                }
                i = j;
            }
            out.push_str(&pad(indent));
            out.push('}');
            out
        }
        other => other.to_string(),
    }
}

/// A policy document as the CLI receives it (region filled in), compact JSON.
fn policy_json(v: &Value, region: &str) -> String {
    v.to_string().replace("\\u0001", region)
}

fn endpoint_group<'p>(plan: &'p Plan<'_>) -> Option<&'p crate::plan::SgGroup<'p>> {
    plan.groups.iter().find(|g| g.group.id == ENDPOINTS_GROUP)
}

fn terraform(plan: &Plan<'_>, ep: &EndpointPlan) -> String {
    let env = &plan.policy.deployment.env;
    let sg = endpoint_group(plan);
    let mut blocks = Vec::new();
    for e in &ep.endpoints {
        let name = format!("{env}-{}-vpce", e.service.replace('.', "-"));
        let mut b = Block::new("resource", &["aws_vpc_endpoint", &e.tf])
            .attr("vpc_id", Expr::raw("var.vpc_id"))
            .attr(
                "service_name",
                Expr::raw(format!("\"com.amazonaws.${{var.region}}.{}\"", e.service)),
            );
        if e.gateway {
            b = b
                .attr("vpc_endpoint_type", Expr::str("Gateway"))
                .attr("route_table_ids", Expr::raw("var.private_route_table_ids"));
        } else {
            b = b
                .attr("vpc_endpoint_type", Expr::str("Interface"))
                .attr("subnet_ids", Expr::raw("var.app_subnet_ids"))
                // Hub-spoke: off, the shared private hosted zones (topology) answer instead.
                .attr("private_dns_enabled", Expr::raw((!super::topology::shares_endpoint_dns(plan)).to_string()));
            if let Some(g) = sg {
                b = b.attr(
                    "security_group_ids",
                    Expr::raw(format!("[aws_security_group.{}.id]", g.tf)),
                );
            }
        }
        if let Some(p) = &e.policy {
            b = b.blank().attr(
                "policy",
                Expr::raw(format!("jsonencode({})", hcl_value(p, 2))),
            );
        }
        let tags = Expr::Object(vec![
            ("Name".into(), Expr::str(&names::tag_value(&name))),
            ("Env".into(), Expr::str(&names::tag_value(env))),
        ]);
        b = b.blank().attr(
            "tags",
            Expr::Wrap("merge(var.tags, ".into(), Box::new(tags), ")".into()),
        );
        blocks.push(b);
    }
    hcl::file(&blocks)
}

const SCRIPT_HELPER: &str = r#"# ensure_endpoint SERVICE_NAME NAME POLICY_JSON CREATE_ARGS...: creates the endpoint unless
# the VPC has one for the service (then only its policy is brought up to date).
ensure_endpoint() {
  local service="$1" name="$2" policy="$3" id
  shift 3
  id="$(ec2 describe-vpc-endpoints \
    --filters "Name=vpc-id,Values=$VPC_ID" "Name=service-name,Values=$service" \
    --query 'VpcEndpoints[?State!=`deleted` && State!=`deleting`] | [0].VpcEndpointId' --output text)" || return 1
  if [ -z "$id" ] || [ "$id" = "None" ]; then
    if [ -n "$policy" ]; then
      set -- "$@" --policy-document "$policy"
    fi
    id="$(ec2 create-vpc-endpoint --vpc-id "$VPC_ID" --service-name "$service" "$@" \
      --tag-specifications "ResourceType=vpc-endpoint,Tags=[{Key=Name,Value=$name}]" \
      --query VpcEndpoint.VpcEndpointId --output text)" || return 1
    echo "created $name: $id" >&2
  else
    if [ -n "$policy" ]; then
      ec2 modify-vpc-endpoint --vpc-endpoint-id "$id" --policy-document "$policy" >/dev/null || return 1
    fi
    echo "found $name: $id" >&2
  fi
}
"#;

fn script(plan: &Plan<'_>, ep: &EndpointPlan) -> String {
    if ep.endpoints.is_empty() {
        return String::new();
    }
    let env = &plan.policy.deployment.env;
    let mut s = String::from("# VPC endpoints: AWS services reached without the internet.\n");
    let has_gateway = ep.endpoints.iter().any(|e| e.gateway);
    let has_interface = ep.interface_count() > 0;
    if has_gateway {
        s.push_str(
            ": \"${PRIVATE_ROUTE_TABLE_IDS:?apply.sh: set PRIVATE_ROUTE_TABLE_IDS to the private route tables (space-separated rtb-...) for the gateway endpoints}\"\n\
             read -r -a private_route_tables <<< \"$PRIVATE_ROUTE_TABLE_IDS\"\n",
        );
    }
    if has_interface {
        s.push_str(
            ": \"${APP_SUBNET_IDS:?apply.sh: set APP_SUBNET_IDS to the app-tier subnets (space-separated subnet-..., one per AZ) for the interface endpoints}\"\n\
             read -r -a app_subnets <<< \"$APP_SUBNET_IDS\"\n",
        );
    }
    s.push_str(SCRIPT_HELPER);
    let sg_var = endpoint_group(plan).map(|g| g.var.clone());
    for e in &ep.endpoints {
        // The region the script runs in (`$REGION`: AWS_REGION, else the profile's), not
        // the profile's: an endpoint's service and policy belong to the VPC's region.
        let service = format!("\"com.amazonaws.$REGION\".{}", quote(&e.service));
        let name = names::tag_value(&format!("{env}-{}-vpce", e.service.replace('.', "-")));
        let policy = match &e.policy {
            Some(p) => policy_json(p, "\u{1}").split('\u{1}').map(quote).collect::<Vec<_>>().join("\"$REGION\""),
            None => quote(""),
        };
        let _ = write!(s, "ensure_endpoint {service} {} {policy}", quote(&name));
        if e.gateway {
            s.push_str(" \\\n  --vpc-endpoint-type Gateway --route-table-ids \"${private_route_tables[@]}\"\n");
        } else {
            s.push_str(" \\\n  --vpc-endpoint-type Interface --subnet-ids \"${app_subnets[@]}\"");
            if let Some(v) = &sg_var {
                let _ = write!(s, " --security-group-ids \"${v}\"");
            }
            s.push_str(if super::topology::shares_endpoint_dns(plan) { " --no-private-dns-enabled\n" } else { " --private-dns-enabled\n" });
        }
    }
    s
}

/// Monthly cost of one interface endpoint across the deployment's AZs.
pub fn interface_monthly_usd(azs: u32) -> f64 {
    INTERFACE_USD_PER_AZ_HOUR * HOURS_PER_MONTH * f64::from(azs)
}

fn report(plan: &Plan<'_>, ep: &EndpointPlan) -> String {
    if ep.endpoints.is_empty() && ep.notes.is_empty() {
        return String::new();
    }
    let azs = plan.policy.deployment.availability_zones.max(1);
    let per_az = INTERFACE_USD_PER_AZ_HOUR * HOURS_PER_MONTH;
    let mut r = String::from("## Private endpoints\n\n");
    r.push_str(
        "AWS services are reached through VPC endpoints instead of the NAT gateway and the internet. \
         Interface endpoints place one network interface in each app subnet (one per AZ), resolve the \
         service's public name to it (private DNS) and accept only 443/tcp from the workloads, through the \
         endpoint security group. Gateway endpoints add a route to the private route tables and cost nothing.\n\n",
    );
    r.push_str("| service | AWS endpoint | type | requested by | endpoint policy | USD / month |\n|---|---|---|---|---|---|\n");
    for e in &ep.endpoints {
        let kind = if e.gateway { "gateway" } else { "interface" };
        let policy = match &e.policy {
            None => "none (any request the caller may make)".to_string(),
            Some(p) => {
                let n = p["Statement"].as_array().map_or(0, |a| a.len());
                format!("{n} allow statement(s)")
            }
        };
        let cost = if e.gateway {
            "0.00".to_string()
        } else {
            format!("{:.2}", per_az * f64::from(azs))
        };
        let _ = writeln!(
            r,
            "| {} | `com.amazonaws.{}.{}` | {kind} | {} | {} | {cost} |",
            md_cell(&e.service),
            md_cell(&plan.region),
            md_cell(&e.service),
            md_cell(&e.requested_by.join(", ")),
            md_cell(&policy),
        );
    }
    let n = ep.interface_count();
    let total = per_az * f64::from(azs) * n as f64;
    let _ = write!(
        r,
        "\nEstimated endpoint cost: about USD {total:.2} per month ({n} interface × ${per_az:.2} × {azs} AZ{}; \
         gateway endpoints free). Approximate, us-east-1 list price: USD {INTERFACE_USD_PER_AZ_HOUR:.2} per \
         endpoint per AZ-hour at {HOURS_PER_MONTH:.0} hours a month; prices vary by region and data processed \
         through interface endpoints is charged on top.\n",
        if azs == 1 { "" } else { "s" }
    );
    let restricted: Vec<&VpcEndpoint> =
        ep.endpoints.iter().filter(|e| e.policy.is_some()).collect();
    if !restricted.is_empty() {
        r.push_str("\nEndpoint policies (each statement allows, for any principal, only the listed actions on the listed resources):\n\n");
        for e in restricted {
            let _ = writeln!(r, "- `{}`:", md_cell(&e.service));
            if let Some(sts) = e.policy.as_ref().and_then(|p| p["Statement"].as_array()) {
                for st in sts {
                    let show = |v: &Value| match v {
                        Value::Array(a) => a
                            .iter()
                            .filter_map(|x| x.as_str())
                            .map(|x| x.replace(REGION, &plan.region))
                            .collect::<Vec<_>>()
                            .join(", "),
                        Value::String(s) => s.replace(REGION, &plan.region),
                        _ => String::new(),
                    };
                    let _ = writeln!(
                        r,
                        "  - actions {}; resources {}",
                        md_cell(&show(&st["Action"])),
                        md_cell(&show(&st["Resource"]))
                    );
                }
            }
        }
    }
    if !ep.notes.is_empty() {
        r.push_str("\nNotes:\n\n");
        for n in &ep.notes {
            let _ = writeln!(r, "- {n}");
        }
    }
    r
}

/// Renders the endpoints phase.
pub fn render(plan: &Plan<'_>) -> Contribution {
    let ep = endpoint_plan(plan);
    let mut files = Vec::new();
    if !ep.endpoints.is_empty() {
        files.push(("terraform/endpoints.tf".to_string(), terraform(plan, &ep)));
    }
    Contribution {
        files,
        script: script(plan, &ep),
        report: report(plan, &ep),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neutral_names_map_to_the_documented_services() {
        assert_eq!(aws_services("object-storage").unwrap(), vec!["s3"]);
        assert_eq!(aws_services("container-registry").unwrap(), vec!["ecr.api", "ecr.dkr"]);
        assert_eq!(aws_services("queue").unwrap(), vec!["sqs"]);
        assert_eq!(aws_services("database-api").unwrap(), vec!["rds"]);
        assert_eq!(aws_services("aws:ssmmessages").unwrap(), vec!["ssmmessages"]);
        assert!(aws_services("gcp:storage").is_err());
        assert!(is_gateway("s3") && !is_gateway("ecr.dkr"));
    }

    #[test]
    fn policies_render_inert_with_the_region_interpolated() {
        let v = json!({ "Statement": [{ "Resource": [format!("arn:aws:sqs:{REGION}:*:q${{x}}")] }] });
        let text = hcl_value(&v, 2);
        assert!(text.contains("\"arn:aws:sqs:${var.region}:*:q$${x}\""), "{text}");
        assert_eq!(policy_json(&v, "eu-west-1"), r#"{"Statement":[{"Resource":["arn:aws:sqs:eu-west-1:*:q${x}"]}]}"#);
    }

    #[test]
    fn neutral_actions_and_bucket_arns() {
        assert_eq!(neutral_actions("s3", "read"), vec!["s3:GetObject"]);
        assert_eq!(neutral_actions("s3", "s3:Get*"), vec!["s3:Get*"]);
        assert_eq!(resource_arns("s3", "b"), vec!["arn:aws:s3:::b", "arn:aws:s3:::b/*"]);
        assert_eq!(interface_monthly_usd(2), 14.6);
    }
}
