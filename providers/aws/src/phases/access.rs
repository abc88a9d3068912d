//! Operator access that replaces SSH bastions (phase `access`): SSM Session Manager (the
//! instance role, the operator policy, the session preferences document, encrypted
//! session logs in S3 and CloudWatch Logs), the migration away from an existing SSH
//! bastion (report checklist and `cli/migrate-bastion.sh`), and AWS Client VPN for the
//! tiers that use `vpn-only`. [`prepare`] adds what access needs to the Policy before
//! planning (the SSM endpoints, the client-VPN group and its rules), so that the groups,
//! the endpoints and the verification render it like any other rule.

use super::Contribution;
use crate::logs;
use crate::hcl::{self, Block, Expr};
use crate::names;
use crate::plan::Plan;
use crate::report::md_cell;
use crate::shell::quote;
use cloudwall_core::compile::add_endpoint_services;
use cloudwall_core::policy::{Description, Direction, Group, Peer, Policy, Rule, RuleSource};
use cloudwall_core::ports::{PortRange, Proto};
use cloudwall_core::profile::model::{Bastion, Tier, WorkloadKind};
use std::collections::BTreeSet;
use std::fmt::Write as _;

/// The interface endpoints SSM Session Manager reaches instances through.
pub const SSM_ENDPOINTS: &[&str] = &["aws:ssm", "aws:ssmmessages", "aws:ec2messages"];
/// Endpoints the session logging writes through (CloudWatch Logs, KMS); S3 is reached
/// through the gateway endpoint when the profile lists `object-storage`.
pub const SESSION_LOG_ENDPOINTS: &[&str] = &["aws:logs", "aws:kms"];
/// The group id of the client-VPN endpoint's security group.
pub const VPN_GROUP: &str = "client-vpn";
/// Name of the session preferences document Session Manager reads.
pub const SESSION_DOCUMENT: &str = "SSM-SessionManagerRunShell";

/// How each tier is reached on AWS.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AccessChoice {
    /// Tiers reached through SSM Session Manager.
    pub ssm_tiers: BTreeSet<Tier>,
    /// Tiers reached through the client VPN.
    pub vpn_tiers: BTreeSet<Tier>,
    /// An existing SSH bastion is to be retired.
    pub migrate: bool,
    /// Choices of other providers mapped to SSM on AWS (`azure-bastion`, `iap-tcp`).
    pub mapped: BTreeSet<Bastion>,
}

impl AccessChoice {
    pub fn ssm(&self) -> bool {
        !self.ssm_tiers.is_empty()
    }
    pub fn vpn(&self) -> bool {
        !self.vpn_tiers.is_empty()
    }
}

/// The tiers that hold workloads (the endpoint and client-VPN groups are not workloads).
fn workload_tiers(policy: &Policy) -> BTreeSet<Tier> {
    policy.groups.iter().filter(|g| g.kind.is_some()).map(|g| g.tier).collect()
}

/// Does the tier hold workloads an operator logs in to (not only managed front ends)?
fn has_hosts(policy: &Policy, tier: Tier) -> bool {
    policy
        .groups
        .iter()
        .any(|g| g.tier == tier && g.kind.is_some_and(|k| !matches!(k, WorkloadKind::LoadBalancer | WorkloadKind::Function)))
}

/// The access mechanism of every tier, from `bastion` and `[access]`.
pub fn choice(policy: &Policy) -> AccessChoice {
    let mut c = AccessChoice::default();
    let tiers = workload_tiers(policy);
    let assign = |c: &mut AccessChoice, tier: Tier, b: Option<Bastion>| match b {
        Some(Bastion::VpnOnly) if tier != Tier::Public => {
            c.vpn_tiers.insert(tier);
        }
        Some(Bastion::VpnOnly) => {}
        other => {
            if matches!(other, Some(Bastion::ExistingSshBastion)) {
                c.migrate = true;
            }
            if let Some(b @ (Bastion::AzureBastion | Bastion::IapTcp)) = other {
                c.mapped.insert(b);
            }
            c.ssm_tiers.insert(tier);
        }
    };
    match policy.access.strategy {
        Some(Bastion::Hybrid) => {
            for &t in &tiers {
                match policy.access.per_tier.get(&t).copied().filter(|b| *b != Bastion::Hybrid) {
                    Some(b) => assign(&mut c, t, Some(b)),
                    // A tier without an entry (the public tier) gets the managed access
                    // when it holds hosts; load balancers and functions need none.
                    None if has_hosts(policy, t) => assign(&mut c, t, Some(Bastion::SsmSessionManager)),
                    None => {}
                }
            }
        }
        b => {
            for &t in &tiers {
                if has_hosts(policy, t) {
                    assign(&mut c, t, b);
                }
            }
        }
    }
    c
}

/// The Policy with what operator access needs on AWS: the SSM endpoints (with the
/// endpoint group and its 443 rules from every compute workload) when a tier uses
/// Session Manager, and the client-VPN group with its rules to the management ports of
/// the workloads of the VPN tiers. Called before planning, so every phase sees it.
pub fn prepare(policy: &Policy) -> Policy {
    let mut p = policy.clone();
    let c = choice(policy);
    if c.ssm() {
        let mut services: Vec<&str> = SSM_ENDPOINTS.to_vec();
        // `logs` and `kms` listed under their neutral names are the same endpoints.
        services.extend(SESSION_LOG_ENDPOINTS.iter().filter(|s| {
            let neutral = s.trim_start_matches("aws:");
            !p.endpoints.iter().any(|e| e.service == neutral)
        }));
        add_endpoint_services(&mut p, &services, true);
    }
    if c.vpn() && p.controls.vpn.is_some() {
        add_vpn_group(&mut p, &c.vpn_tiers);
    }
    p
}

/// The port an operator uses on a workload of this kind: SSH on hosts, the client port on
/// data stores; `None` for managed front ends (load balancers, functions).
pub fn admin_port(kind: WorkloadKind) -> Option<PortRange> {
    use WorkloadKind::*;
    match kind {
        Vm | Kubernetes | Containers | Http | Https => Some(PortRange::tcp(22)),
        LoadBalancer | Function => None,
        k => k.default_port(),
    }
}

fn vpn_group_id(policy: &Policy) -> String {
    let mut id = VPN_GROUP.to_string();
    let mut n = 2;
    while policy.group(&id).is_some_and(|g| g.kind.is_some()) {
        id = format!("{VPN_GROUP}-{n}");
        n += 1;
    }
    id
}

fn add_vpn_group(p: &mut Policy, tiers: &BTreeSet<Tier>) {
    let Some(vpn) = p.controls.vpn.clone() else { return };
    let id = vpn_group_id(p);
    if p.group(&id).is_some() {
        return;
    }
    let env = p.deployment.env.clone();
    let owner = p.deployment.owner.clone();
    let targets: Vec<(String, PortRange, &'static str)> = p
        .groups
        .iter()
        .filter(|g| tiers.contains(&g.tier))
        .filter_map(|g| {
            let kind = g.kind?;
            let port = admin_port(kind)?;
            let what = if port.from == 22 { "operator SSH over the client VPN" } else { "operator administration over the client VPN" };
            Some((g.id.clone(), port, what))
        })
        .collect();
    p.groups.push(Group {
        id: id.clone(),
        name: format!("{env}-{}-{id}", Tier::Mgmt),
        tier: Tier::Mgmt,
        kind: None,
        summary: format!("Client VPN endpoint: operator connections from the VPN pool {}", vpn.client_cidr),
        origin: vpn.origin.clone(),
    });
    p.groups.sort_by(|a, b| a.id.cmp(&b.id));
    let used: BTreeSet<String> = p.rules.iter().map(|r| r.id.clone()).collect();
    let rid = |base: String| {
        let mut candidate = base.clone();
        let mut n = 2;
        while used.contains(&candidate) {
            candidate = format!("{base}_{n}");
            n += 1;
        }
        candidate
    };
    for (target, port, purpose) in targets {
        let slug: String = target.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' }).collect();
        let description = Description {
            source: id.clone(),
            destination: target.clone(),
            ports: port.to_string(),
            purpose: purpose.to_string(),
            owner: owner.clone(),
        };
        for (group, direction, peer, dir) in [
            (id.clone(), Direction::Egress, target.clone(), "out"),
            (target.clone(), Direction::Ingress, id.clone(), "in"),
        ] {
            p.rules.push(Rule {
                id: rid(format!("access_vpn_{slug}_{dir}_{}_{}", port.from, port.proto.as_str())),
                group,
                direction,
                peer: Peer::Group { id: peer },
                ports: port,
                description: description.clone(),
                justification: None,
                source: RuleSource::Access,
                origin: vpn.origin.clone(),
            });
        }
    }
}

/// The smallest CloudWatch retention period of at least `days` ([`crate::logs::retention`]).
pub use crate::logs::retention as log_retention;

/// `[a-z0-9-]` text for resource names (buckets, roles, log groups).
/// The names every access resource uses.
#[derive(Debug, Clone)]
pub struct Names {
    /// `{env}-{name}`.
    pub base: String,
    pub env: String,
    pub role: String,
    pub operator_policy: String,
    pub key_alias: String,
    pub bucket_prefix: String,
    pub session_log_group: String,
    pub vpn_log_group: String,
    pub vpn_name: String,
}

pub fn names_of(policy: &Policy) -> Names {
    let base = names::deployment_base(policy);
    Names {
        role: format!("{base}-ssm-instance"),
        operator_policy: format!("{base}-ssm-operators"),
        key_alias: format!("alias/{base}-access"),
        bucket_prefix: names::truncate(&format!("{base}-session-logs"), 48).to_string(),
        session_log_group: format!("/aws/ssm/sessions/{base}"),
        vpn_log_group: format!("/aws/client-vpn/{base}"),
        vpn_name: format!("{base}-client-vpn"),
        env: policy.deployment.env.clone(),
        base,
    }
}

// ---------------------------------------------------------------------------------------
// Documents (IAM and key policies, session preferences) rendered both as HCL
// `jsonencode(...)` and as JSON for the CLI.

/// A JSON-like document whose strings are either literal text or templates naming
/// account-specific values.
#[derive(Debug, Clone)]
enum J {
    /// Literal text (escaped in HCL).
    S(String),
    /// Trusted text with placeholders `@ACCOUNT@`, `@PARTITION@`, `@REGION@`, `@KEY_ARN@`,
    /// `@BUCKET@`, `@LOG_GROUP@`: interpolations in HCL, filled in by `apply.sh`.
    T(String),
    B(bool),
    O(Vec<(&'static str, J)>),
    /// An object with computed keys (condition keys).
    K(Vec<(String, J)>),
    L(Vec<J>),
}

fn s(x: &str) -> J {
    J::S(x.to_string())
}
fn t(x: &str) -> J {
    J::T(x.to_string())
}

const PLACEHOLDERS: &[(&str, &str)] = &[
    ("@ACCOUNT@", "${data.aws_caller_identity.access.account_id}"),
    ("@PARTITION@", "${data.aws_partition.access.partition}"),
    ("@REGION@", "${var.region}"),
    ("@KEY_ARN@", "${aws_kms_key.access.arn}"),
    ("@BUCKET@", "${aws_s3_bucket.session_logs.id}"),
    ("@LOG_GROUP@", "${aws_cloudwatch_log_group.ssm_sessions.name}"),
];

fn hcl_key(k: &str) -> String {
    if k.starts_with(|c: char| c.is_ascii_alphabetic()) && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        k.to_string()
    } else {
        hcl::string(k)
    }
}

impl J {
    fn hcl(&self) -> Expr {
        match self {
            J::S(x) => Expr::str(x),
            J::T(x) => {
                let mut e = hcl::string(x);
                // A whole-string reference is written bare, as `terraform fmt` leaves it.
                for (ph, interp) in PLACEHOLDERS {
                    if e == format!("\"{ph}\"") {
                        return Expr::raw(&interp[2..interp.len() - 1]);
                    }
                    e = e.replace(ph, interp);
                }
                Expr::Raw(e)
            }
            J::B(b) => Expr::raw(b.to_string()),
            J::O(items) => Expr::Object(items.iter().map(|(k, v)| (hcl_key(k), v.hcl())).collect()),
            J::K(items) => Expr::Object(items.iter().map(|(k, v)| (hcl_key(k), v.hcl())).collect()),
            J::L(items) => Expr::List(items.iter().map(J::hcl).collect()),
        }
    }
    fn json(&self) -> serde_json::Value {
        use serde_json::Value;
        match self {
            J::S(x) | J::T(x) => Value::String(x.clone()),
            J::B(b) => Value::Bool(*b),
            J::O(items) => Value::Object(items.iter().map(|(k, v)| (k.to_string(), v.json())).collect()),
            J::K(items) => Value::Object(items.iter().map(|(k, v)| (k.clone(), v.json())).collect()),
            J::L(items) => Value::Array(items.iter().map(J::json).collect()),
        }
    }
    fn json_text(&self) -> String {
        serde_json::to_string(&self.json()).expect("JSON")
    }
}

fn jsonencode(j: &J) -> Expr {
    Expr::Wrap("jsonencode(".into(), Box::new(j.hcl()), ")".into())
}

fn statement(sid: &str, effect: &str, principal: Option<J>, actions: &[&str], resources: J, condition: Option<J>) -> J {
    let mut items = vec![("Sid", s(sid)), ("Effect", s(effect))];
    if let Some(p) = principal {
        items.push(("Principal", p));
    }
    let actions = if actions.len() == 1 { s(actions[0]) } else { J::L(actions.iter().map(|a| s(a)).collect()) };
    items.push(("Action", actions));
    items.push(("Resource", resources));
    if let Some(c) = condition {
        items.push(("Condition", c));
    }
    J::O(items)
}

fn policy_doc(statements: Vec<J>) -> J {
    J::O(vec![("Version", s("2012-10-17")), ("Statement", J::L(statements))])
}

fn ec2_trust() -> J {
    policy_doc(vec![J::O(vec![
        ("Sid", s("Ec2AssumeRole")),
        ("Effect", s("Allow")),
        ("Principal", J::O(vec![("Service", s("ec2.amazonaws.com"))])),
        ("Action", s("sts:AssumeRole")),
    ])])
}

fn key_policy(c: &AccessChoice) -> J {
    let mut log_groups = vec![];
    if c.ssm() {
        log_groups.push(t("arn:@PARTITION@:logs:@REGION@:@ACCOUNT@:log-group:/aws/ssm/sessions/*"));
    }
    if c.vpn() {
        log_groups.push(t("arn:@PARTITION@:logs:@REGION@:@ACCOUNT@:log-group:/aws/client-vpn/*"));
    }
    policy_doc(vec![
        statement(
            "AccountAdministers",
            "Allow",
            Some(J::O(vec![("AWS", t("arn:@PARTITION@:iam::@ACCOUNT@:root"))])),
            &["kms:*"],
            s("*"),
            None,
        ),
        statement(
            "CloudWatchLogsEncrypt",
            "Allow",
            Some(J::O(vec![("Service", t("logs.@REGION@.amazonaws.com"))])),
            &["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
            s("*"),
            Some(J::O(vec![(
                "ArnLike",
                J::K(vec![("kms:EncryptionContext:aws:logs:arn".into(), J::L(log_groups))]),
            )])),
        ),
    ])
}

/// What the instances need to write session logs and decrypt encrypted sessions.
fn instance_logging_policy() -> J {
    policy_doc(vec![
        statement(
            "SessionLogsToS3",
            "Allow",
            None,
            &["s3:PutObject"],
            t("arn:@PARTITION@:s3:::@BUCKET@/*"),
            None,
        ),
        statement(
            "SessionLogBucketEncryption",
            "Allow",
            None,
            &["s3:GetEncryptionConfiguration"],
            t("arn:@PARTITION@:s3:::@BUCKET@"),
            None,
        ),
        statement(
            "SessionLogsToCloudWatch",
            "Allow",
            None,
            &["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
            t("arn:@PARTITION@:logs:@REGION@:@ACCOUNT@:log-group:@LOG_GROUP@:*"),
            None,
        ),
        statement("DescribeLogGroups", "Allow", None, &["logs:DescribeLogGroups"], s("*"), None),
        statement(
            "SessionEncryption",
            "Allow",
            None,
            &["kms:Decrypt", "kms:GenerateDataKey"],
            t("@KEY_ARN@"),
            None,
        ),
    ])
}

fn operator_policy(env: &str) -> J {
    policy_doc(vec![
        statement(
            "StartSessionOnEnvInstances",
            "Allow",
            None,
            &["ssm:StartSession"],
            t("arn:@PARTITION@:ec2:@REGION@:@ACCOUNT@:instance/*"),
            Some(J::O(vec![(
                "StringEquals",
                J::K(vec![("ssm:resourceTag/Env".into(), s(env))]),
            )])),
        ),
        statement(
            "StartSessionWithApprovedDocuments",
            "Allow",
            None,
            &["ssm:StartSession"],
            J::L(vec![
                t("arn:@PARTITION@:ssm:@REGION@::document/AWS-StartPortForwardingSession"),
                t("arn:@PARTITION@:ssm:@REGION@::document/AWS-StartPortForwardingSessionToRemoteHost"),
                t(&format!("arn:@PARTITION@:ssm:@REGION@:@ACCOUNT@:document/{SESSION_DOCUMENT}")),
            ]),
            Some(J::O(vec![("BoolIfExists", J::K(vec![("ssm:SessionDocumentAccessCheck".into(), s("true"))]))])),
        ),
        statement(
            "OwnSessionsOnly",
            "Allow",
            None,
            &["ssm:TerminateSession", "ssm:ResumeSession"],
            t("arn:@PARTITION@:ssm:*:@ACCOUNT@:session/${aws:username}-*"),
            None,
        ),
        statement(
            "SessionEncryption",
            "Allow",
            None,
            &["kms:GenerateDataKey"],
            t("@KEY_ARN@"),
            None,
        ),
        statement(
            "ConnectionStatusOfInstances",
            "Allow",
            None,
            &["ssm:GetConnectionStatus"],
            J::L(vec![
                t("arn:@PARTITION@:ec2:@REGION@:@ACCOUNT@:instance/*"),
                t("arn:@PARTITION@:ssm:@REGION@:@ACCOUNT@:managed-instance/*"),
            ]),
            None,
        ),
        // Only actions AWS scopes to no resource may use `*`.
        statement(
            "DescribeTargets",
            "Allow",
            None,
            &[
                "ssm:DescribeSessions",
                "ssm:DescribeInstanceInformation",
                "ssm:DescribeInstanceProperties",
                "ec2:DescribeInstances",
            ],
            s("*"),
            None,
        ),
    ])
}

fn session_document(policy: &Policy) -> J {
    let c = &policy.controls;
    J::O(vec![
        ("schemaVersion", s("1.0")),
        ("description", s("Session Manager preferences: encrypted, logged sessions with an idle timeout")),
        ("sessionType", s("Standard_Stream")),
        (
            "inputs",
            J::O(vec![
                ("s3BucketName", t("@BUCKET@")),
                ("s3KeyPrefix", s("sessions/")),
                ("s3EncryptionEnabled", J::B(true)),
                ("cloudWatchLogGroupName", t("@LOG_GROUP@")),
                ("cloudWatchEncryptionEnabled", J::B(true)),
                ("cloudWatchStreamingEnabled", J::B(true)),
                ("kmsKeyId", t("@KEY_ARN@")),
                ("idleSessionTimeout", s(&c.session_idle_timeout_minutes.clamp(1, 60).to_string())),
                ("runAsEnabled", J::B(false)),
                ("runAsDefaultUser", s("")),
                ("shellProfile", J::O(vec![("linux", s("")), ("windows", s(""))])),
            ]),
        ),
    ])
}

fn bucket_tls_policy() -> J {
    policy_doc(vec![statement(
        "DenyInsecureTransport",
        "Deny",
        Some(s("*")),
        &["s3:*"],
        J::L(vec![t("arn:@PARTITION@:s3:::@BUCKET@"), t("arn:@PARTITION@:s3:::@BUCKET@/*")]),
        Some(J::O(vec![("Bool", J::K(vec![("aws:SecureTransport".into(), s("false"))]))])),
    )])
}

// ---------------------------------------------------------------------------------------
// Terraform

fn tags(n: &Names, name: &str) -> Expr {
    Expr::Wrap(
        "merge(var.tags, ".into(),
        Box::new(Expr::Object(vec![
            ("Name".into(), Expr::str(&names::tag_value(name))),
            ("Env".into(), Expr::str(&names::tag_value(&n.env))),
        ])),
        ")".into(),
    )
}

fn terraform(plan: &Plan<'_>, c: &AccessChoice) -> String {
    let policy = plan.policy;
    let n = names_of(policy);
    let mut out = String::new();
    out.push_str("# Operator access without SSH bastions: no group opens 22 or 3389 to the internet.\n");
    if c.ssm() {
        out.push_str(
            "# Session Manager: instances register through the ssm, ssmmessages and ec2messages\n\
             # endpoints; operators connect with IAM credentials, every session is logged.\n",
        );
    }
    if c.vpn() {
        out.push_str("# Client VPN: operators of the VPN tiers connect from the client pool to management ports only.\n");
    }
    out.push('\n');
    let mut blocks = vec![
        Block::new("data", &["aws_partition", "access"]),
        Block::new("data", &["aws_caller_identity", "access"]),
    ];
    let retention = log_retention(policy.controls.session_log_retention_days);
    blocks.push(
        logs::kms_key(
            "access",
            &format!("Encrypts operator session and connection logs of {}", n.base),
            jsonencode(&key_policy(c)),
            tags(&n, &format!("{}-access", n.base)),
        ),
    );
    blocks.push(
        Block::new("resource", &["aws_kms_alias", "access"])
            .attr("name", Expr::str(&n.key_alias))
            .attr("target_key_id", Expr::raw("aws_kms_key.access.key_id")),
    );
    if c.ssm() {
        blocks.extend(ssm_blocks(plan, &n, retention));
    }
    if c.vpn() {
        blocks.extend(vpn_blocks(plan, c, &n, retention));
    }
    out.push_str(&hcl::file(&blocks));
    out
}

fn ssm_blocks(plan: &Plan<'_>, n: &Names, retention: u32) -> Vec<Block> {
    let policy = plan.policy;
    let days = policy.controls.session_log_retention_days.max(1);
    let mut b = vec![];
    b.push(
        Block::new("resource", &["aws_iam_role", "ssm_instance"])
            .attr("name", Expr::str(&n.role))
            .attr("description", Expr::str("Instances reachable through Session Manager"))
            .attr("assume_role_policy", jsonencode(&ec2_trust()))
            .blank()
            .attr("tags", tags(n, &n.role)),
    );
    b.push(
        Block::new("resource", &["aws_iam_role_policy_attachment", "ssm_core"])
            .attr("role", Expr::raw("aws_iam_role.ssm_instance.name"))
            .attr(
                "policy_arn",
                Expr::raw("\"arn:${data.aws_partition.access.partition}:iam::aws:policy/AmazonSSMManagedInstanceCore\""),
            ),
    );
    b.push(
        Block::new("resource", &["aws_iam_role_policy", "ssm_session_logging"])
            .attr("name", Expr::str("session-logging"))
            .attr("role", Expr::raw("aws_iam_role.ssm_instance.id"))
            .attr("policy", jsonencode(&instance_logging_policy())),
    );
    b.push(
        Block::new("resource", &["aws_iam_instance_profile", "ssm_instance"])
            .attr("name", Expr::str(&n.role))
            .attr("role", Expr::raw("aws_iam_role.ssm_instance.name"))
            .blank()
            .attr("tags", tags(n, &n.role)),
    );
    b.push(
        Block::new("resource", &["aws_iam_policy", "ssm_operators"])
            .attr("name", Expr::str(&n.operator_policy))
            .attr(
                "description",
                Expr::str(&names::aws_text(&format!(
                    "Session Manager sessions on instances tagged Env={} only; own sessions only",
                    n.env
                ))),
            )
            .attr("policy", jsonencode(&operator_policy(&n.env)))
            .blank()
            .attr("tags", tags(n, &n.operator_policy)),
    );
    b.push(
        Block::new("resource", &["aws_s3_bucket", "session_logs"])
            .attr(
                "bucket",
                Expr::raw(format!("\"{}-${{data.aws_caller_identity.access.account_id}}\"", n.bucket_prefix)),
            )
            .attr("force_destroy", Expr::raw("false"))
            .blank()
            .attr("tags", tags(n, &n.bucket_prefix)),
    );
    b.extend(logs::bucket_protection("session_logs", "access"));
    b.push(
        Block::new("resource", &["aws_s3_bucket_lifecycle_configuration", "session_logs"])
            .attr("bucket", Expr::raw("aws_s3_bucket.session_logs.id"))
            .blank()
            .block(
                Block::new("rule", &[])
                    .attr("id", Expr::str("expire-session-logs"))
                    .attr("status", Expr::str("Enabled"))
                    .blank()
                    .block(Block::new("filter", &[]))
                    .blank()
                    .block(Block::new("expiration", &[]).attr("days", Expr::num(days)))
                    .blank()
                    .block(Block::new("noncurrent_version_expiration", &[]).attr("noncurrent_days", Expr::num(30)))
                    .blank()
                    .block(
                        Block::new("abort_incomplete_multipart_upload", &[]).attr("days_after_initiation", Expr::num(7)),
                    ),
            ),
    );
    b.push(
        Block::new("resource", &["aws_s3_bucket_policy", "session_logs"])
            .attr("bucket", Expr::raw("aws_s3_bucket.session_logs.id"))
            .attr("policy", jsonencode(&bucket_tls_policy())),
    );
    b.push(
        logs::log_group("ssm_sessions", &n.session_log_group, retention, "access", tags(n, &n.session_log_group)),
    );
    let doc = Block::new("resource", &["aws_ssm_document", "session_preferences"])
        .attr("name", Expr::str(SESSION_DOCUMENT))
        .attr("document_type", Expr::str("Session"))
        .attr("document_format", Expr::str("JSON"))
        .attr("content", jsonencode(&session_document(policy)))
        .blank()
        .attr("tags", tags(n, SESSION_DOCUMENT));
    b.push(doc);
    b
}

fn vpn_blocks(plan: &Plan<'_>, c: &AccessChoice, n: &Names, retention: u32) -> Vec<Block> {
    let policy = plan.policy;
    let Some(vpn) = &policy.controls.vpn else { return vec![] };
    let mut b = vec![];
    let tiers: Vec<String> = c.vpn_tiers.iter().map(|t| t.as_str().to_string()).collect();
    b.push(
        Block::new("variable", &["client_vpn_server_certificate_arn"])
            .attr("description", Expr::str("ACM certificate ARN of the Client VPN endpoint (server side)."))
            .attr("type", Expr::raw("string")),
    );
    b.push(
        Block::new("variable", &["client_vpn_client_root_certificate_arn"])
            .attr(
                "description",
                Expr::str("ACM certificate ARN of the root CA that issued the operators' client certificates."),
            )
            .attr("type", Expr::raw("string")),
    );
    b.push(
        Block::new("variable", &["vpn_authorized_cidrs"])
            .attr(
                "description",
                Expr::str(&format!(
                    "Subnet CIDRs operators may reach over the client VPN, per tier ({}); other keys are ignored.",
                    tiers.join(", ")
                )),
            )
            .attr("type", Expr::raw("map(list(string))"))
            .attr("default", Expr::raw("{}")),
    );
    b.push(
        logs::log_group("client_vpn", &n.vpn_log_group, retention, "access", tags(n, &n.vpn_log_group)),
    );
    b.push(
        Block::new("resource", &["aws_cloudwatch_log_stream", "client_vpn"])
            .attr("name", Expr::str("connections"))
            .attr("log_group_name", Expr::raw("aws_cloudwatch_log_group.client_vpn.name")),
    );
    let sg = plan
        .groups
        .iter()
        .find(|g| g.group.kind.is_none() && g.group.id.starts_with(VPN_GROUP))
        .map(|g| format!("aws_security_group.{}.id", g.tf));
    let mut ep = Block::new("resource", &["aws_ec2_client_vpn_endpoint", "access"])
        .attr("description", Expr::str(&n.vpn_name))
        .attr("server_certificate_arn", Expr::raw("var.client_vpn_server_certificate_arn"))
        .attr("client_cidr_block", Expr::str(&vpn.client_cidr.to_string()))
        .attr("split_tunnel", Expr::raw(vpn.split_tunnel.to_string()))
        .attr("transport_protocol", Expr::str("udp"))
        .attr("vpc_id", Expr::raw("var.vpc_id"));
    if let Some(sg) = &sg {
        ep = ep.attr("security_group_ids", Expr::raw(format!("[{sg}]")));
    }
    let ep = ep
        .attr("session_timeout_hours", Expr::num(8))
        .blank()
        .block(
            Block::new("authentication_options", &[])
                .attr("type", Expr::str("certificate-authentication"))
                .attr("root_certificate_chain_arn", Expr::raw("var.client_vpn_client_root_certificate_arn")),
        )
        .blank()
        .block(
            Block::new("connection_log_options", &[])
                .attr("enabled", Expr::raw("true"))
                .attr("cloudwatch_log_group", Expr::raw("aws_cloudwatch_log_group.client_vpn.name"))
                .attr("cloudwatch_log_stream", Expr::raw("aws_cloudwatch_log_stream.client_vpn.name")),
        )
        .blank()
        .block(Block::new("client_connect_options", &[]).attr("enabled", Expr::raw("false")))
        .blank()
        .block(
            Block::new("client_login_banner_options", &[])
                .attr("enabled", Expr::raw("true"))
                .attr("banner_text", Expr::str(&format!("Authorized operators of {} only. Connections are logged.", n.base))),
        )
        .blank()
        .attr("tags", tags(n, &n.vpn_name));
    b.push(ep);
    b.push(
        Block::new("resource", &["aws_ec2_client_vpn_network_association", "app"])
            .attr("for_each", Expr::raw("toset(var.app_subnet_ids)"))
            .blank()
            .attr("client_vpn_endpoint_id", Expr::raw("aws_ec2_client_vpn_endpoint.access.id"))
            .attr("subnet_id", Expr::raw("each.value")),
    );
    for tier in &tiers {
        b.push(
            Block::new("resource", &["aws_ec2_client_vpn_authorization_rule", tier])
                .attr("for_each", Expr::raw(format!("toset(lookup(var.vpn_authorized_cidrs, {}, []))", hcl::string(tier))))
                .blank()
                .attr("client_vpn_endpoint_id", Expr::raw("aws_ec2_client_vpn_endpoint.access.id"))
                .attr("target_network_cidr", Expr::raw("each.value"))
                .attr("authorize_all_groups", Expr::raw("true"))
                .attr("description", Expr::str(&format!("Operators to the {tier} tier"))),
        );
    }
    b
}

// ---------------------------------------------------------------------------------------
// apply.sh fragment

fn script(plan: &Plan<'_>, c: &AccessChoice) -> String {
    let policy = plan.policy;
    let n = names_of(policy);
    let retention = log_retention(policy.controls.session_log_retention_days);
    let mut s = String::new();
    s.push_str("# Operator access: no SSH bastion, no port 22 or 3389 from the internet.\n");
    s.push_str("ACCESS_ACCOUNT=\"$(aws sts get-caller-identity --query Account --output text)\"\n");
    s.push_str(
        "case \"$REGION\" in\n  cn-*) ACCESS_PARTITION=aws-cn ;;\n  us-gov-*) ACCESS_PARTITION=aws-us-gov ;;\n  *) ACCESS_PARTITION=aws ;;\nesac\n",
    );
    let _ = writeln!(s, "ACCESS_BUCKET={}", quote(&format!("{}-{}", n.bucket_prefix, "@ACCOUNT@")));
    let _ = writeln!(s, "ACCESS_LOG_GROUP={}", quote(&n.session_log_group));
    s.push_str(
        r#"# access_fill TEXT: TEXT with the account, partition, region, key, bucket and log group.
access_fill() {
  local t="$1"
  t="${t//@ACCOUNT@/$ACCESS_ACCOUNT}"
  t="${t//@PARTITION@/$ACCESS_PARTITION}"
  t="${t//@REGION@/$REGION}"
  t="${t//@KEY_ARN@/${ACCESS_KEY_ARN:-}}"
  t="${t//@BUCKET@/${ACCESS_BUCKET:-}}"
  t="${t//@LOG_GROUP@/${ACCESS_LOG_GROUP:-}}"
  printf '%s' "$t"
}
ACCESS_BUCKET="$(access_fill "$ACCESS_BUCKET")"

"#,
    );
    // KMS key.
    let _ = writeln!(s, "# KMS key of the session and connection logs (rotation on).");
    let _ = writeln!(
        s,
        "ACCESS_KEY_ARN=\"$(aws kms describe-key --region \"$REGION\" --key-id {} --query KeyMetadata.Arn --output text 2>/dev/null || true)\"",
        quote(&n.key_alias)
    );
    let _ = writeln!(s, "if [ -z \"$ACCESS_KEY_ARN\" ] || [ \"$ACCESS_KEY_ARN\" = \"None\" ]; then");
    let _ = writeln!(
        s,
        "  ACCESS_KEY_ARN=\"$(aws kms create-key --region \"$REGION\" --description {} \\\n    --policy \"$(access_fill {})\" \\\n    --tags TagKey=Env,TagValue={} --query KeyMetadata.Arn --output text)\"",
        quote(&format!("Encrypts operator session and connection logs of {}", n.base)),
        quote(&key_policy(c).json_text()),
        quote(&names::tag_value(&n.env)),
    );
    let _ = writeln!(s, "  aws kms create-alias --region \"$REGION\" --alias-name {} --target-key-id \"$ACCESS_KEY_ARN\"", quote(&n.key_alias));
    let _ = writeln!(s, "  echo \"created KMS key {}: $ACCESS_KEY_ARN\" >&2", n.key_alias);
    let _ = writeln!(s, "else\n  aws kms put-key-policy --region \"$REGION\" --key-id \"$ACCESS_KEY_ARN\" --policy-name default \\\n    --policy \"$(access_fill {})\"\nfi", quote(&key_policy(c).json_text()));
    let _ = writeln!(s, "aws kms enable-key-rotation --region \"$REGION\" --key-id \"$ACCESS_KEY_ARN\"\n");
    if c.ssm() {
        s.push_str(&ssm_script(policy, &n, retention));
    }
    if c.vpn() {
        s.push_str(&vpn_script(plan, c, &n, retention));
    }
    s
}

fn ssm_script(policy: &Policy, n: &Names, retention: u32) -> String {
    let mut s = String::new();
    let days = policy.controls.session_log_retention_days.max(1);
    s.push_str("# Session Manager: encrypted session-log bucket (versioned, private, TLS only, expiring).\n");
    s.push_str(
        "if ! aws s3api head-bucket --region \"$REGION\" --bucket \"$ACCESS_BUCKET\" >/dev/null 2>&1; then\n  \
         if [ \"$REGION\" = us-east-1 ]; then\n    \
         aws s3api create-bucket --region \"$REGION\" --bucket \"$ACCESS_BUCKET\" >/dev/null\n  \
         else\n    \
         aws s3api create-bucket --region \"$REGION\" --bucket \"$ACCESS_BUCKET\" \\\n      \
         --create-bucket-configuration \"LocationConstraint=$REGION\" >/dev/null\n  \
         fi\n  \
         echo \"created bucket $ACCESS_BUCKET\" >&2\nfi\n",
    );
    s.push_str("aws s3api put-bucket-versioning --region \"$REGION\" --bucket \"$ACCESS_BUCKET\" --versioning-configuration Status=Enabled\n");
    s.push_str(
        "aws s3api put-bucket-encryption --region \"$REGION\" --bucket \"$ACCESS_BUCKET\" --server-side-encryption-configuration \\\n  \
         \"{\\\"Rules\\\":[{\\\"ApplyServerSideEncryptionByDefault\\\":{\\\"SSEAlgorithm\\\":\\\"aws:kms\\\",\\\"KMSMasterKeyID\\\":\\\"$ACCESS_KEY_ARN\\\"},\\\"BucketKeyEnabled\\\":true}]}\"\n",
    );
    s.push_str("aws s3api put-public-access-block --region \"$REGION\" --bucket \"$ACCESS_BUCKET\" --public-access-block-configuration \\\n  BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true\n");
    let lifecycle = serde_json::json!({"Rules": [{
        "ID": "expire-session-logs", "Status": "Enabled", "Filter": {},
        "Expiration": {"Days": days},
        "NoncurrentVersionExpiration": {"NoncurrentDays": 30},
        "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7}
    }]});
    let _ = writeln!(
        s,
        "aws s3api put-bucket-lifecycle-configuration --region \"$REGION\" --bucket \"$ACCESS_BUCKET\" --lifecycle-configuration \\\n  {}",
        quote(&lifecycle.to_string())
    );
    let _ = writeln!(
        s,
        "aws s3api put-bucket-policy --region \"$REGION\" --bucket \"$ACCESS_BUCKET\" --policy \"$(access_fill {})\"\n",
        quote(&bucket_tls_policy().json_text())
    );
    let _ = writeln!(s, "# Session log group, encrypted with the key ({} days kept).", retention);
    let _ = writeln!(s, "cw_log_group \"$ACCESS_LOG_GROUP\" {retention} \"$ACCESS_KEY_ARN\"\n");
    // IAM.
    s.push_str("# Instance role and profile: AmazonSSMManagedInstanceCore plus writing session logs.\n");
    let role = quote(&n.role);
    let _ = writeln!(s, "if ! aws iam get-role --role-name {role} >/dev/null 2>&1; then");
    let _ = writeln!(
        s,
        "  aws iam create-role --role-name {role} --description 'Instances reachable through Session Manager' \\\n    --assume-role-policy-document {} --tags Key=Env,Value={} >/dev/null\n  echo \"created role {}\" >&2\nfi",
        quote(&ec2_trust().json_text()),
        quote(&names::tag_value(&n.env)),
        n.role
    );
    let _ = writeln!(
        s,
        "aws iam attach-role-policy --role-name {role} --policy-arn \"arn:$ACCESS_PARTITION:iam::aws:policy/AmazonSSMManagedInstanceCore\""
    );
    let _ = writeln!(
        s,
        "aws iam put-role-policy --role-name {role} --policy-name session-logging --policy-document \"$(access_fill {})\"",
        quote(&instance_logging_policy().json_text())
    );
    let _ = writeln!(s, "if ! aws iam get-instance-profile --instance-profile-name {role} >/dev/null 2>&1; then");
    let _ = writeln!(s, "  aws iam create-instance-profile --instance-profile-name {role} >/dev/null\nfi");
    let _ = writeln!(
        s,
        "if [ \"$(aws iam get-instance-profile --instance-profile-name {role} --query \"length(InstanceProfile.Roles[?RoleName=='{}'])\" --output text)\" = \"0\" ]; then",
        n.role
    );
    let _ = writeln!(s, "  aws iam add-role-to-instance-profile --instance-profile-name {role} --role-name {role}\nfi\n");
    s.push_str("# Operator policy: sessions on this environment's instances, approved documents, own sessions.\n");
    let pol = quote(&n.operator_policy);
    let _ = writeln!(s, "ACCESS_OPERATOR_POLICY=\"arn:$ACCESS_PARTITION:iam::$ACCESS_ACCOUNT:policy/{}\"", n.operator_policy);
    let _ = writeln!(s, "ACCESS_OPERATOR_DOC=\"$(access_fill {})\"", quote(&operator_policy(&n.env).json_text()));
    let _ = writeln!(s, "if aws iam get-policy --policy-arn \"$ACCESS_OPERATOR_POLICY\" >/dev/null 2>&1; then");
    s.push_str(
        "  for v in $(aws iam list-policy-versions --policy-arn \"$ACCESS_OPERATOR_POLICY\" \\\n      \
         --query 'Versions[?!IsDefaultVersion].VersionId' --output text); do\n    \
         aws iam delete-policy-version --policy-arn \"$ACCESS_OPERATOR_POLICY\" --version-id \"$v\"\n  done\n  \
         aws iam create-policy-version --policy-arn \"$ACCESS_OPERATOR_POLICY\" --policy-document \"$ACCESS_OPERATOR_DOC\" \\\n    \
         --set-as-default >/dev/null\nelse\n",
    );
    let _ = writeln!(
        s,
        "  aws iam create-policy --policy-name {pol} --description {} \\\n    --policy-document \"$ACCESS_OPERATOR_DOC\" >/dev/null\n  echo \"created policy {}\" >&2\nfi\n",
        quote(&names::aws_text(&format!(
            "Session Manager sessions on instances tagged Env={} only; own sessions only",
            n.env
        ))),
        n.operator_policy
    );
    s.push_str(&format!(
        "# Session preferences. A document created earlier in the console exists under the same\n\
         # name: it is updated in place (DocumentAlreadyExists otherwise).\n\
         ACCESS_SESSION_DOC=\"$(access_fill {})\"\n",
        quote(&session_document(policy).json_text())
    ));
    let doc = SESSION_DOCUMENT;
    let _ = writeln!(s, "if aws ssm describe-document --region \"$REGION\" --name {doc} >/dev/null 2>&1; then");
    s.push_str(&format!(
        "  if ACCESS_OUT=\"$(aws ssm update-document --region \"$REGION\" --name {doc} --document-version '$LATEST' \\\n      \
         --document-format JSON --content \"$ACCESS_SESSION_DOC\" --query DocumentDescription.DocumentVersion --output text 2>&1)\"; then\n    \
         aws ssm update-document-default-version --region \"$REGION\" --name {doc} --document-version \"$ACCESS_OUT\" >/dev/null\n  \
         else\n    \
         case \"$ACCESS_OUT\" in\n      \
         *DuplicateDocumentContent*) ;;\n      \
         *) printf '%s\\n' \"$ACCESS_OUT\" >&2; exit 1 ;;\n    \
         esac\n  \
         fi\nelse\n  \
         aws ssm create-document --region \"$REGION\" --name {doc} --document-type Session --document-format JSON \\\n    \
         --content \"$ACCESS_SESSION_DOC\" --tags Key=Env,Value={} >/dev/null\n  \
         echo \"created document {doc}\" >&2\nfi\n",
        quote(&names::tag_value(&n.env))
    ));
    s
}

/// The `--cli-input-json` documents of the Client VPN commands (with `@...@` placeholders
/// that `apply.sh` fills), exposed so tests can validate them against the EC2 model.
pub fn client_vpn_endpoint_input(policy: &Policy) -> Option<serde_json::Value> {
    let vpn = policy.controls.vpn.as_ref()?;
    let n = names_of(policy);
    Some(serde_json::json!({
        "ClientCidrBlock": vpn.client_cidr.to_string(),
        "ServerCertificateArn": "@SERVER_CERT_ARN@",
        "AuthenticationOptions": [{
            "Type": "certificate-authentication",
            "MutualAuthentication": {"ClientRootCertificateChainArn": "@ROOT_CERT_ARN@"}
        }],
        "ConnectionLogOptions": {
            "Enabled": true,
            "CloudwatchLogGroup": n.vpn_log_group,
            "CloudwatchLogStream": "connections"
        },
        "TransportProtocol": "udp",
        "SplitTunnel": vpn.split_tunnel,
        "SecurityGroupIds": ["@VPN_SG@"],
        "VpcId": "@VPC_ID@",
        "SessionTimeoutHours": 8,
        "ClientLoginBannerOptions": {
            "Enabled": true,
            "BannerText": format!("Authorized operators of {} only. Connections are logged.", n.base)
        },
        "Description": n.vpn_name,
        "TagSpecifications": [{
            "ResourceType": "client-vpn-endpoint",
            "Tags": [{"Key": "Name", "Value": n.vpn_name}, {"Key": "Env", "Value": names::tag_value(&n.env)}]
        }]
    }))
}

fn vpn_script(plan: &Plan<'_>, c: &AccessChoice, n: &Names, retention: u32) -> String {
    let policy = plan.policy;
    let Some(input) = client_vpn_endpoint_input(policy) else { return String::new() };
    let sg_var = plan
        .groups
        .iter()
        .find(|g| g.group.kind.is_none() && g.group.id.starts_with(VPN_GROUP))
        .map(|g| g.var.clone())
        .unwrap_or_default();
    let mut s = String::new();
    let _ = writeln!(s, "# Client VPN (tiers: {}).", c.vpn_tiers.iter().map(|t| t.as_str()).collect::<Vec<_>>().join(", "));
    let _ = writeln!(s, "cw_log_group {} {retention} \"$ACCESS_KEY_ARN\"", quote(&n.vpn_log_group));
    let _ = writeln!(
        s,
        "if [ \"$(aws logs describe-log-streams --region \"$REGION\" --log-group-name {} --log-stream-name-prefix connections \\\n    --query \"logStreams[?logStreamName=='connections'] | length(@)\" --output text)\" = \"0\" ]; then\n  aws logs create-log-stream --region \"$REGION\" --log-group-name {} --log-stream-name connections\nfi",
        quote(&n.vpn_log_group),
        quote(&n.vpn_log_group)
    );
    s.push_str(
        "if [ -z \"${CLIENT_VPN_SERVER_CERTIFICATE_ARN:-}\" ] || [ -z \"${CLIENT_VPN_ROOT_CERTIFICATE_ARN:-}\" ]; then\n  \
         echo \"apply.sh: Client VPN endpoint not created: set CLIENT_VPN_SERVER_CERTIFICATE_ARN and CLIENT_VPN_ROOT_CERTIFICATE_ARN (ACM certificates) and run again\" >&2\nelse\n",
    );
    let subnets_needed: Vec<(Tier, &str)> = c
        .vpn_tiers
        .iter()
        .map(|t| {
            (*t, match t {
                Tier::Public => "PUBLIC_SUBNET_IDS",
                Tier::App => "APP_SUBNET_IDS",
                Tier::Data => "DATA_SUBNET_IDS",
                Tier::Mgmt => "MGMT_SUBNET_IDS",
            })
        })
        .collect();
    s.push_str("  if [ -z \"${APP_SUBNET_IDS:-}\" ]; then\n    echo \"apply.sh: APP_SUBNET_IDS is not set (the subnets the Client VPN is associated with)\" >&2\n    exit 1\n  fi\n");
    for (_, var) in &subnets_needed {
        let _ = writeln!(
            s,
            "  if [ -z \"${{{var}:-}}\" ]; then\n    echo \"apply.sh: {var} is not set (the subnets operators reach over the Client VPN)\" >&2\n    exit 1\n  fi"
        );
    }
    let _ = writeln!(
        s,
        "  VPN_ENDPOINT_ID=\"$(ec2 describe-client-vpn-endpoints \\\n    --query \"ClientVpnEndpoints[?Tags[?Key=='Name' && Value=='{}']] | [0].ClientVpnEndpointId\" --output text)\"",
        n.vpn_name
    );
    s.push_str("  if [ -z \"$VPN_ENDPOINT_ID\" ] || [ \"$VPN_ENDPOINT_ID\" = \"None\" ]; then\n");
    let _ = writeln!(s, "    VPN_INPUT={}", quote(&input.to_string()));
    s.push_str(
        "    VPN_INPUT=\"${VPN_INPUT//@SERVER_CERT_ARN@/$CLIENT_VPN_SERVER_CERTIFICATE_ARN}\"\n    \
         VPN_INPUT=\"${VPN_INPUT//@ROOT_CERT_ARN@/$CLIENT_VPN_ROOT_CERTIFICATE_ARN}\"\n",
    );
    let _ = writeln!(s, "    VPN_INPUT=\"${{VPN_INPUT//@VPN_SG@/${sg_var}}}\"");
    s.push_str(
        "    VPN_INPUT=\"${VPN_INPUT//@VPC_ID@/$VPC_ID}\"\n    \
         VPN_ENDPOINT_ID=\"$(ec2 create-client-vpn-endpoint --cli-input-json \"$VPN_INPUT\" --query ClientVpnEndpointId --output text)\"\n    \
         echo \"created Client VPN endpoint $VPN_ENDPOINT_ID\" >&2\n  fi\n",
    );
    s.push_str(
        "  for subnet in $APP_SUBNET_IDS; do\n    \
         if [ \"$(ec2 describe-client-vpn-target-networks --client-vpn-endpoint-id \"$VPN_ENDPOINT_ID\" \\\n        \
         --query \"ClientVpnTargetNetworks[?TargetNetworkId=='$subnet'] | length(@)\" --output text)\" = \"0\" ]; then\n      \
         ec2 associate-client-vpn-target-network --cli-input-json \\\n        \
         \"{\\\"ClientVpnEndpointId\\\":\\\"$VPN_ENDPOINT_ID\\\",\\\"SubnetId\\\":\\\"$subnet\\\"}\" >/dev/null\n    \
         fi\n  done\n",
    );
    for (tier, var) in &subnets_needed {
        let _ = writeln!(
            s,
            "  for cidr in $(ec2 describe-subnets --subnet-ids ${var} --query 'Subnets[].CidrBlock' --output text); do\n    \
             if [ \"$(ec2 describe-client-vpn-authorization-rules --client-vpn-endpoint-id \"$VPN_ENDPOINT_ID\" \\\n        \
             --query \"AuthorizationRules[?DestinationCidr=='$cidr'] | length(@)\" --output text)\" = \"0\" ]; then\n      \
             ec2 authorize-client-vpn-ingress --cli-input-json \\\n        \
             \"{{\\\"ClientVpnEndpointId\\\":\\\"$VPN_ENDPOINT_ID\\\",\\\"TargetNetworkCidr\\\":\\\"$cidr\\\",\\\"AuthorizeAllGroups\\\":true,\\\"Description\\\":\\\"Operators to the {tier} tier\\\"}}\" >/dev/null\n    \
             fi\n  done"
        );
    }
    s.push_str("fi\n");
    s
}

// ---------------------------------------------------------------------------------------
// Migration script

/// `cli/migrate-bastion.sh`: retires an SSH bastion once Session Manager covers every host.
pub fn migrate_script(policy: &Policy) -> String {
    let region = policy.deployment.region.clone().unwrap_or_else(|| crate::plan::DEFAULT_REGION.into());
    let mut s = String::new();
    let _ = writeln!(s, "#!/usr/bin/env bash");
    let _ = writeln!(s, "# Retires the SSH bastion of {} ({}) once Session Manager reaches every instance.", md_plain(&policy.deployment.name), md_plain(&policy.deployment.env));
    s.push_str(
        r#"# Inputs: VPC_ID (required); AWS_REGION (default: the profile's region);
# DRY_RUN=1 (default) only prints; DRY_RUN=0 revokes.
# 1. Refuses to continue while a running instance of the VPC is not managed by SSM.
# 2. Revokes every ingress rule that opens 22/tcp or 3389/tcp (or all traffic) to
#    0.0.0.0/0 or ::/0 on the groups of the VPC, exactly those ranges and nothing else.
# 3. Prints what it did. Decommissioning the bastion host and releasing its Elastic IP
#    stay manual (see the report's checklist).
set -euo pipefail
shopt -s inherit_errexit

if [ -z "${VPC_ID:-}" ] || ! [[ "$VPC_ID" =~ ^vpc-[0-9A-Za-z]+$ ]]; then
  echo "migrate-bastion.sh: set VPC_ID=vpc-... (the VPC whose bastion is retired)" >&2
  exit 1
fi
command -v aws >/dev/null 2>&1 || { echo "migrate-bastion.sh: the aws CLI is not installed" >&2; exit 1; }
command -v python3 >/dev/null 2>&1 || { echo "migrate-bastion.sh: python3 is needed to read the rules" >&2; exit 1; }
"#,
    );
    let _ = writeln!(s, "REGION=\"${{AWS_REGION:-{}}}\"", region);
    s.push_str(
        r#"DRY_RUN="${DRY_RUN:-1}"

# 1. Coverage: running instances of the VPC against the instances SSM manages.
running="$(aws ec2 describe-instances --region "$REGION" \
  --filters "Name=vpc-id,Values=$VPC_ID" "Name=instance-state-name,Values=running" \
  --query 'Reservations[].Instances[].InstanceId' --output text | tr '\t' '\n' | sed '/^$/d' | sort -u)"
managed="$(aws ssm describe-instance-information --region "$REGION" \
  --query 'InstanceInformationList[].InstanceId' --output text | tr '\t' '\n' | sed '/^$/d' | sort -u)"
missing="$(comm -23 <(printf '%s\n' "$running" | sed '/^$/d') <(printf '%s\n' "$managed" | sed '/^$/d'))"
echo "running instances: $(printf '%s\n' "$running" | sed '/^$/d' | wc -l), managed by SSM: $(printf '%s\n' "$running" | sed '/^$/d' | comm -12 - <(printf '%s\n' "$managed" | sed '/^$/d') | wc -l)"
if [ -n "$missing" ]; then
  echo "migrate-bastion.sh: not managed by SSM yet (install/start the agent, attach the instance profile):" >&2
  printf '  %s\n' $missing >&2
  echo "migrate-bastion.sh: refusing to close the bastion while coverage differs" >&2
  exit 2
fi

# 2. Ingress rules that open SSH or RDP to the internet.
groups_json="$(aws ec2 describe-security-groups --region "$REGION" \
  --filters "Name=vpc-id,Values=$VPC_ID" --output json)"
plan="$(printf '%s' "$groups_json" | python3 -c '
import json, sys
doc = json.load(sys.stdin)
for g in doc.get("SecurityGroups", []):
    for p in g.get("IpPermissions", []):
        proto = p.get("IpProtocol")
        lo, hi = p.get("FromPort", -1), p.get("ToPort", -1)
        if proto == "-1":
            hit = True
        elif proto in ("tcp", "6"):
            hit = any(lo <= port <= hi for port in (22, 3389))
        else:
            hit = False
        if not hit:
            continue
        base = {"IpProtocol": proto}
        if proto != "-1":
            base["FromPort"], base["ToPort"] = lo, hi
        for r in p.get("IpRanges", []):
            if r.get("CidrIp") == "0.0.0.0/0":
                perm = dict(base, IpRanges=[{"CidrIp": "0.0.0.0/0"}])
                print(g["GroupId"] + "\t" + json.dumps([perm], separators=(",", ":")))
        for r in p.get("Ipv6Ranges", []):
            if r.get("CidrIpv6") == "::/0":
                perm = dict(base, Ipv6Ranges=[{"CidrIpv6": "::/0"}])
                print(g["GroupId"] + "\t" + json.dumps([perm], separators=(",", ":")))
')"
if [ -z "$plan" ]; then
  echo "no security group of $VPC_ID opens 22 or 3389 to the internet"
fi
while IFS=$'\t' read -r group perm; do
  [ -n "$group" ] || continue
  if [ "$DRY_RUN" = "0" ]; then
    aws ec2 revoke-security-group-ingress --region "$REGION" --group-id "$group" --ip-permissions "$perm" >/dev/null
    echo "revoked on $group: $perm"
  else
    echo "would revoke on $group: $perm (DRY_RUN=0 to revoke)"
  fi
done <<< "$plan"

# 3. What stays manual.
echo "next: stop and terminate the bastion host, release its Elastic IP, remove its key pairs and DNS name"
"#,
    );
    s
}

/// Plain text for a shell comment: one line, no control characters.
fn md_plain(s: &str) -> String {
    s.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}

// ---------------------------------------------------------------------------------------
// Report

fn report(plan: &Plan<'_>, c: &AccessChoice) -> String {
    let policy = plan.policy;
    let n = names_of(policy);
    let mut r = String::new();
    r.push_str("## Operator access\n\n");
    r.push_str("No security group opens port 22 or 3389 to the internet; there is no SSH bastion host.\n\n");
    r.push_str("| tier | access |\n|---|---|\n");
    for g in policy.groups.iter().filter(|g| g.kind.is_some()).map(|g| g.tier).collect::<BTreeSet<_>>() {
        let logins = policy.groups.iter().any(|w| {
            w.tier == g && w.kind.is_some_and(|k| admin_port(k).is_some_and(|p| p.from == 22))
        });
        let how = if c.vpn_tiers.contains(&g) {
            "Client VPN, management ports from the VPN endpoint's group only"
        } else if c.ssm_tiers.contains(&g) && logins {
            "SSM Session Manager (no inbound port)"
        } else if c.ssm_tiers.contains(&g) {
            "port forwarding through Session Manager from an instance that may reach it (no inbound port)"
        } else {
            "none needed: managed front ends only"
        };
        let _ = writeln!(r, "| {} | {} |", g, how);
    }
    r.push('\n');
    for b in &c.mapped {
        let _ = writeln!(
            r,
            "`{}` is another provider's managed access; on AWS the same role is played by SSM Session Manager, which is what is set up here.\n",
            b
        );
    }
    if c.ssm() {
        r.push_str("### Session Manager\n\n");
        let _ = writeln!(
            r,
            "Instances register through the interface endpoints `ssm`, `ssmmessages` and `ec2messages` (listed with the private endpoints; the endpoint group admits 443/tcp from the workloads only), so no instance needs a public address or an inbound rule.\n"
        );
        r.push_str("Connect:\n\n```sh\naws ssm start-session --target i-0123456789abcdef0\n```\n\n");
        if let Some((g, port)) = first_data_port(plan) {
            let _ = writeln!(
                r,
                "Reach `{}` ({}/tcp) from a laptop through an instance allowed to reach it (the host is the database's endpoint name):\n\n```sh\naws ssm start-session --target i-0123456789abcdef0 \\\n  --document-name AWS-StartPortForwardingSessionToRemoteHost \\\n  --parameters '{{\"host\":[\"{}.internal.example\"],\"portNumber\":[\"{}\"],\"localPortNumber\":[\"{}\"]}}'\n```\n",
                md_cell(&g),
                port,
                names::slug(&g),
                port,
                u32::from(port) + 10000
            );
        }
        r.push_str("| piece | name | what it does |\n|---|---|---|\n");
        let _ = writeln!(r, "| instance role and profile | `{}` | `AmazonSSMManagedInstanceCore` plus writing session logs; attach the profile to every instance |", md_cell(&n.role));
        let _ = writeln!(
            r,
            "| operator policy | `{}` | `ssm:StartSession` only on instances tagged `Env = {}` and with the approved documents (`AWS-StartPortForwardingSession`, `AWS-StartPortForwardingSessionToRemoteHost`, `{SESSION_DOCUMENT}`); terminate/resume own sessions only |",
            md_cell(&n.operator_policy),
            md_cell(&n.env)
        );
        let _ = writeln!(
            r,
            "| session preferences | `{SESSION_DOCUMENT}` | idle sessions close after {} minutes; run-as off; sessions encrypted with the KMS key |",
            policy.controls.session_idle_timeout_minutes
        );
        let _ = writeln!(r, "| KMS key | `{}` | rotation on; encrypts sessions and both log stores |", md_cell(&n.key_alias));
        let _ = writeln!(
            r,
            "| session log bucket | `{}-<account id>` | versioned, SSE-KMS, public access blocked, TLS only, objects expire after {} days |",
            md_cell(&n.bucket_prefix),
            policy.controls.session_log_retention_days
        );
        let _ = writeln!(
            r,
            "| session log group | `{}` | kept {} days (the CloudWatch value at or above {}) |\n",
            md_cell(&n.session_log_group),
            log_retention(policy.controls.session_log_retention_days),
            policy.controls.session_log_retention_days
        );
        r.push_str(
            "If the account already holds an `SSM-SessionManagerRunShell` document (created by the console's Preferences page), creating it fails with `DocumentAlreadyExists`: `terraform import aws_ssm_document.session_preferences SSM-SessionManagerRunShell` first (or delete the console one); `apply.sh` updates it in place.\n\n",
        );
    }
    if c.migrate {
        r.push_str("### Retiring the SSH bastion\n\n");
        r.push_str("Checklist, in order:\n\n");
        r.push_str("1. Install (or verify) the SSM agent on every instance; current Amazon Linux, Ubuntu and Windows AMIs ship it.\n");
        let _ = writeln!(r, "2. Attach the instance profile `{}` to every instance.", md_cell(&n.role));
        r.push_str("3. Compare coverage: every running instance of the VPC must appear in `aws ssm describe-instance-information`.\n");
        let _ = writeln!(r, "4. Move operators: give them the `{}` policy and retire their SSH keys.", md_cell(&n.operator_policy));
        r.push_str("5. Revoke port 22 (and 3389) from the internet on every group.\n");
        r.push_str("6. Stop and terminate the bastion host; remove its key pairs and DNS name.\n");
        r.push_str("7. Release its public IP / Elastic IP.\n\n");
        r.push_str("`cli/migrate-bastion.sh` performs steps 3 and 5: it refuses to go on while an instance is not managed by SSM, then revokes exactly the rules that open 22/3389 to `0.0.0.0/0` or `::/0` (`DRY_RUN=1`, the default, only prints them):\n\n");
        r.push_str("```sh\nVPC_ID=vpc-... ./cli/migrate-bastion.sh            # dry run\nVPC_ID=vpc-... DRY_RUN=0 ./cli/migrate-bastion.sh  # revoke\n```\n\n");
    }
    if c.vpn() {
        if let Some(vpn) = &policy.controls.vpn {
            r.push_str("### Client VPN\n\n");
            let _ = writeln!(
                r,
                "An AWS Client VPN endpoint with certificate authentication gives operators addresses from `{}` ({}); it is associated with the app subnets and authorizes each VPN tier's subnets (`vpn_authorized_cidrs` in Terraform, the tier's subnets in `apply.sh`). Connections are logged to `{}`. The endpoint's security group reaches only the management ports below, and the workloads admit those ports only from it:\n",
                vpn.client_cidr,
                if vpn.split_tunnel { "split tunnel: only the VPC's routes go through it" } else { "full tunnel: all client traffic goes through it" },
                md_cell(&n.vpn_log_group)
            );
            r.push_str("| workload | tier | port |\n|---|---|---|\n");
            for g in policy.groups.iter().filter(|g| c.vpn_tiers.contains(&g.tier)) {
                if let Some(port) = g.kind.and_then(admin_port) {
                    let _ = writeln!(r, "| {} | {} | {} |", md_cell(&g.id), g.tier, port);
                }
            }
            r.push_str("\nThe certificates are ACM certificates: `client_vpn_server_certificate_arn` and `client_vpn_client_root_certificate_arn` in Terraform, `CLIENT_VPN_SERVER_CERTIFICATE_ARN` and `CLIENT_VPN_ROOT_CERTIFICATE_ARN` for `apply.sh` (which creates the rest and says so when they are missing).\n\n");
        }
    }
    r
}

/// The first data-tier workload with an inbound port, and that port.
fn first_data_port(plan: &Plan<'_>) -> Option<(String, u16)> {
    plan.groups.iter().enumerate().filter(|(_, g)| g.group.tier == Tier::Data && g.group.kind.is_some()).find_map(|(i, g)| {
        let port = plan
            .rules_of(i, Direction::Ingress)
            .find(|r| r.rule.ports.proto == Proto::Tcp)
            .map(|r| r.rule.ports.from)
            .or_else(|| g.group.kind.and_then(|k| k.default_port()).map(|p| p.from))?;
        Some((g.group.id.clone(), port))
    })
}

/// The access phase: `terraform/access.tf`, its `apply.sh` fragment, its report section,
/// and `cli/migrate-bastion.sh` when an SSH bastion is retired.
pub fn render(plan: &Plan<'_>) -> Contribution {
    let c = choice(plan.policy);
    if !c.ssm() && !c.vpn() {
        return Contribution::default();
    }
    let mut files = vec![("terraform/access.tf".to_string(), terraform(plan, &c))];
    if c.migrate {
        files.push(("cli/migrate-bastion.sh".to_string(), migrate_script(plan.policy)));
    }
    Contribution { files, script: script(plan, &c), report: report(plan, &c) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(names::slug("My App_2"), "my-app-2");
        assert_eq!(names::slug("--a--b--"), "a-b");
    }

    #[test]
    fn username_variable_is_escaped_in_hcl() {
        let e = operator_policy("prod").hcl();
        let mut out = String::new();
        let b = Block::new("x", &[]).attr("p", e);
        out.push_str(&b.render(0));
        assert!(out.contains("session/$${aws:username}-*"), "{out}");
        assert!(out.contains("${data.aws_caller_identity.access.account_id}"), "{out}");
    }
}
