//! `cli/apply.sh`: the security groups as idempotent `aws` CLI commands.
//!
//! The script finds each group by name in `$VPC_ID` or creates it, revokes the default
//! allow-all egress AWS adds to new groups, and authorizes every rule (a rule that is
//! already there is accepted). Every user string is a single-quoted shell word; every
//! JSON document is built with serde_json, then quoted.
//!
//! Under `multi-edge` the script looks up the CloudFront origin-facing prefix list and
//! uses it (`PrefixListIds`) for the load balancer's internet ingress; under
//! `api-gateway` it creates the VPC-link group and references it instead.

use crate::names;
use crate::plan::{Plan, SgPeer, SgRule, CLOUDFRONT_PREFIX_LIST};
use crate::shell::quote;
use cloudwall_core::policy::Direction;
use ipnet::IpNet;
use serde_json::{json, Value};
use std::fmt::Write as _;

const PRELUDE: &str = r#"set -euo pipefail
shopt -s inherit_errexit

if [ -z "${VPC_ID:-}" ]; then
  echo "apply.sh: VPC_ID is not set; export VPC_ID=vpc-... (the VPC that holds the security groups)" >&2
  exit 1
fi
if ! [[ "$VPC_ID" =~ ^vpc-[0-9A-Za-z]+$ ]]; then
  echo "apply.sh: VPC_ID='$VPC_ID' does not look like a VPC id (vpc-...)" >&2
  exit 1
fi
command -v aws >/dev/null 2>&1 || { echo "apply.sh: the aws CLI is not installed" >&2; exit 1; }

ec2() {
  aws ec2 --region "$REGION" "$@"
}

# ensure_group NAME DESCRIPTION NAME_FILTER_JSON TAG_SPECIFICATIONS_JSON: prints the group id.
ensure_group() {
  local filters id
  filters="[{\"Name\":\"vpc-id\",\"Values\":[\"$VPC_ID\"]},$3]"
  id="$(ec2 describe-security-groups --filters "$filters" --query 'SecurityGroups[0].GroupId' --output text)" || return 1
  if [ -z "$id" ] || [ "$id" = "None" ]; then
    id="$(ec2 create-security-group --group-name "$1" --description "$2" --vpc-id "$VPC_ID" \
      --tag-specifications "$4" --query GroupId --output text)" || return 1
    echo "created $1: $id" >&2
  else
    echo "found $1: $id" >&2
  fi
  case "$id" in
    sg-*) printf '%s\n' "$id" ;;
    *) echo "apply.sh: no usable group id for $1 (got '$id')" >&2; return 1 ;;
  esac
}

# revoke_egress GROUP_ID IP_PERMISSIONS_JSON: removes a rule; a rule that is not there is fine.
revoke_egress() {
  local out
  if ! out="$(ec2 revoke-security-group-egress --group-id "$1" --ip-permissions "$2" 2>&1)"; then
    case "$out" in
      *InvalidPermission.NotFound*) ;;
      *) printf '%s\n' "$out" >&2; return 1 ;;
    esac
  fi
}

# authorize ingress|egress GROUP_ID IP_PERMISSIONS_JSON: adds a rule; when it is already
# there, brings its description up to date instead.
authorize() {
  local out
  if ! out="$(ec2 "authorize-security-group-$1" --group-id "$2" --ip-permissions "$3" 2>&1)"; then
    case "$out" in
      *InvalidPermission.Duplicate*)
        ec2 "update-security-group-rule-descriptions-$1" --group-id "$2" --ip-permissions "$3" >/dev/null
        ;;
      *) printf '%s\n' "$out" >&2; return 1 ;;
    esac
  fi
}
"#;

/// The IpPermissions JSON of a rule, split around the peer's id when the peer is a group or
/// a prefix list (the id is only known when the script runs): `(before, after)`.
fn permission_json(protocol: &str, ports: Option<(i32, i32)>, peer: SgPeer, description: &str) -> (String, Option<String>) {
    let mut perm = serde_json::Map::new();
    perm.insert("IpProtocol".into(), json!(protocol));
    if let Some((from, to)) = ports {
        perm.insert("FromPort".into(), json!(from));
        perm.insert("ToPort".into(), json!(to));
    }
    const MARK: &str = "\u{0}PEER_ID\u{0}";
    match peer {
        SgPeer::Group(_) | SgPeer::EdgeLink => {
            perm.insert("UserIdGroupPairs".into(), json!([{ "GroupId": MARK, "Description": description }]));
        }
        SgPeer::CloudFront => {
            perm.insert("PrefixListIds".into(), json!([{ "PrefixListId": MARK, "Description": description }]));
        }
        SgPeer::Cidr(IpNet::V4(n)) => {
            perm.insert("IpRanges".into(), json!([{ "CidrIp": n.to_string(), "Description": description }]));
        }
        SgPeer::Cidr(IpNet::V6(n)) => {
            perm.insert("Ipv6Ranges".into(), json!([{ "CidrIpv6": n.to_string(), "Description": description }]));
        }
    }
    let text = Value::Array(vec![Value::Object(perm)]).to_string();
    // serde_json writes the NUL marks as \u0000, which no description can contain.
    let escaped_mark = "\\u0000PEER_ID\\u0000";
    match text.split_once(escaped_mark) {
        Some((a, b)) => (a.to_string(), Some(b.to_string())),
        None => (text, None),
    }
}

/// The shell variable that holds the id of a rule's peer, when it is only known at run time.
fn peer_var<'p>(plan: &'p Plan<'_>, peer: SgPeer) -> Option<&'p str> {
    match peer {
        SgPeer::Group(p) => Some(&plan.groups[p].var),
        SgPeer::EdgeLink => plan.edge.link.as_ref().map(|l| l.var.as_str()),
        SgPeer::CloudFront => Some(CLOUDFRONT_VAR),
        SgPeer::Cidr(_) => None,
    }
}

const CLOUDFRONT_VAR: &str = "CLOUDFRONT_PREFIX_LIST_ID";

/// `authorize` with the permission JSON as one shell word (the peer id spliced in).
fn authorize_line(plan: &Plan<'_>, word: &str, group_var: &str, protocol: &str, ports: Option<(i32, i32)>, peer: SgPeer, description: &str) -> String {
    let (before, after) = permission_json(protocol, ports, peer, description);
    let perms = match (after, peer_var(plan, peer)) {
        (Some(after), Some(var)) => format!("{}\"${}\"{}", quote(&before), var, quote(&after)),
        _ => quote(&before),
    };
    format!("authorize {word} \"${group_var}\" {perms}")
}

fn is_default_egress(r: &SgRule<'_>, cidr: &str) -> bool {
    r.rule.direction == Direction::Egress
        && r.protocol == "-1"
        && matches!(r.peer, SgPeer::Cidr(n) if n.to_string() == cidr)
}

/// The script's first lines: what it is and its inputs (see [`crate::inputs`]), found in
/// `body`, the rest of the script.
pub fn header(plan: &Plan<'_>, body: &str) -> String {
    let d = &plan.policy.deployment;
    let mut s = String::new();
    s.push_str("#!/usr/bin/env bash\n");
    let _ = writeln!(s, "# Network-security controls of {} ({}) as aws CLI commands.", names::aws_text(&d.name), names::aws_text(&d.env));
    s.push_str(&crate::inputs::header(body));
    s.push_str("# AWS_ENDPOINT_URL, AWS_PROFILE and the other aws CLI settings apply as usual.\n");
    s.push_str("# Each section checks the inputs it needs before use and names a missing one.\n");
    s.push_str("# Safe to run again: existing resources are reused and existing rules are kept.\n");
    s
}

/// `script` (a whole `apply.sh`) with its header made anew for what it now holds: for a
/// script a fragment was appended to after it was rendered.
pub fn reheader(plan: &Plan<'_>, script: &str) -> String {
    let body = script.split_once(PRELUDE_START).map_or(script, |(_, rest)| rest);
    let body = format!("{PRELUDE_START}{body}");
    header(plan, &body) + &body
}

/// The first line of the script after its header.
const PRELUDE_START: &str = "set -euo pipefail\n";

/// The security groups part, after the header.
pub fn render(plan: &Plan<'_>) -> String {
    let d = &plan.policy.deployment;
    let mut s = String::new();
    s.push_str(PRELUDE);
    let _ = writeln!(s, "\nREGION=\"${{AWS_REGION:-}}\"\nif [ -z \"$REGION\" ]; then\n  REGION={}\nfi", quote(&plan.region));

    s.push_str(&crate::phases::topology::script_inputs(plan));
    if !plan.groups.is_empty() {
        s.push_str("\n# Security groups (one per workload group).\n");
    }
    for g in &plan.groups {
        let filter = json!({ "Name": "group-name", "Values": [g.name] }).to_string();
        let tags = json!([{
            "ResourceType": "security-group",
            "Tags": [
                { "Key": "Name", "Value": names::tag_value(&g.name) },
                { "Key": "Env", "Value": names::tag_value(&d.env) },
                { "Key": "Tier", "Value": g.group.tier.as_str() },
                { "Key": "Role", "Value": names::tag_value(&g.group.id) },
            ]
        }])
        .to_string();
        // A spoke's groups live in the spoke's VPC (hub-spoke).
        let vpc = crate::phases::topology::group_vpc_shell(plan, g).map(|v| format!("VPC_ID=\"${v}\" ")).unwrap_or_default();
        let _ = writeln!(
            s,
            "{}=\"$({vpc}ensure_group {} {} \\\n  {} \\\n  {})\"",
            g.var,
            quote(&g.name),
            quote(&g.description),
            quote(&filter),
            quote(&tags)
        );
    }
    if let Some(l) = &plan.edge.link {
        let filter = json!({ "Name": "group-name", "Values": [l.name] }).to_string();
        let tags = json!([{
            "ResourceType": "security-group",
            "Tags": [
                { "Key": "Name", "Value": names::tag_value(&l.name) },
                { "Key": "Env", "Value": names::tag_value(&d.env) },
                { "Key": "Tier", "Value": "public" },
                { "Key": "Role", "Value": "apigw-link" },
            ]
        }])
        .to_string();
        s.push_str("\n# The API Gateway VPC link's group: the only source of the load balancer's client traffic.\n");
        let _ = writeln!(
            s,
            "{}=\"$(ensure_group {} {} \\\n  {} \\\n  {})\"",
            l.var,
            quote(&l.name),
            quote(&l.description),
            quote(&filter),
            quote(&tags)
        );
    }
    if plan.rules.iter().any(|r| r.peer == SgPeer::CloudFront) {
        let filter = format!("Name=prefix-list-name,Values={CLOUDFRONT_PREFIX_LIST}");
        let _ = write!(
            s,
            "\n# CloudFront's origin-facing addresses (AWS-managed prefix list, IPv4): the only source of the load balancer's client traffic.\n\
{CLOUDFRONT_VAR}=\"$(ec2 describe-managed-prefix-lists --filters {} --query 'PrefixLists[0].PrefixListId' --output text)\"\n\
case \"${CLOUDFRONT_VAR}\" in\n  pl-*) echo \"found {CLOUDFRONT_PREFIX_LIST}: ${CLOUDFRONT_VAR}\" >&2 ;;\n  *) echo \"apply.sh: managed prefix list {CLOUDFRONT_PREFIX_LIST} not found in $REGION (got '${CLOUDFRONT_VAR}')\" >&2; exit 1 ;;\nesac\n",
            quote(&filter)
        );
    }

    if !plan.groups.is_empty() {
        s.push_str("\n# New groups allow all egress; egress is only what the rules below allow.\n");
    }
    let all_v4 = json!([{ "IpProtocol": "-1", "IpRanges": [{ "CidrIp": "0.0.0.0/0" }] }]).to_string();
    let all_v6 = json!([{ "IpProtocol": "-1", "Ipv6Ranges": [{ "CidrIpv6": "::/0" }] }]).to_string();
    for (i, g) in plan.groups.iter().enumerate() {
        let own: Vec<&SgRule<'_>> = plan.rules_of(i, Direction::Egress).collect();
        if !own.iter().any(|r| is_default_egress(r, "0.0.0.0/0")) {
            let _ = writeln!(s, "revoke_egress \"${}\" {}", g.var, quote(&all_v4));
        }
        if !own.iter().any(|r| is_default_egress(r, "::/0")) {
            let _ = writeln!(s, "revoke_egress \"${}\" {}", g.var, quote(&all_v6));
        }
    }
    if let Some(l) = &plan.edge.link {
        let _ = writeln!(s, "revoke_egress \"${}\" {}", l.var, quote(&all_v4));
        let _ = writeln!(s, "revoke_egress \"${}\" {}", l.var, quote(&all_v6));
    }

    for (i, g) in plan.groups.iter().enumerate() {
        for dir in [Direction::Ingress, Direction::Egress] {
            let rules: Vec<&SgRule<'_>> = plan.rules_of(i, dir).collect();
            if rules.is_empty() {
                continue;
            }
            let word = match dir {
                Direction::Ingress => "ingress",
                Direction::Egress => "egress",
            };
            let _ = writeln!(s, "\n# {} {}", g.name, word);
            for r in rules {
                let _ = writeln!(s, "{}", authorize_line(plan, word, &g.var, r.protocol, r.ports, r.peer, &r.description));
            }
        }
    }
    if let Some(l) = &plan.edge.link {
        if !plan.edge.link_rules.is_empty() {
            let _ = writeln!(s, "\n# {} egress", l.name);
        }
        for r in &plan.edge.link_rules {
            let line = authorize_line(plan, "egress", &l.var, r.protocol, r.ports, SgPeer::Group(r.lb), &r.description);
            let _ = writeln!(s, "{line}");
        }
    }

    s.push_str("\necho\nprintf '%-48s %s\\n' 'SECURITY GROUP' 'ID'\n");
    for g in &plan.groups {
        let _ = writeln!(s, "printf '%-48s %s\\n' {} \"${}\"", quote(&g.name), g.var);
    }
    if let Some(l) = &plan.edge.link {
        let _ = writeln!(s, "printf '%-48s %s\\n' {} \"${}\"", quote(&l.name), l.var);
    }
    s
}
