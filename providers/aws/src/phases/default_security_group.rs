//! The VPC's default security group, emptied (checkov CKV2_AWS_12): every VPC has one,
//! and it admits all traffic between its members and all egress. Nothing should use it;
//! with no rules, an instance launched without an explicit group gets no network access
//! instead of a silent "allow between everything in default". Terraform adopts it with
//! `aws_default_security_group` (which removes every rule it holds); `apply.sh` revokes
//! the rules it reads from `describe-security-groups`.

use crate::hcl::{self, Block, Expr};
use crate::names;
use crate::phases::Contribution;
use crate::plan::Plan;

const SCRIPT: &str = r#"# The VPC's default security group: no rules (nothing may rely on it).
DEFAULT_SG="$(ec2 describe-security-groups \
  --filters "Name=vpc-id,Values=$VPC_ID" "Name=group-name,Values=default" \
  --query 'SecurityGroups[0].GroupId' --output text)"
case "$DEFAULT_SG" in
  sg-*) ;;
  *) echo "apply.sh: no default security group found in $VPC_ID (got '$DEFAULT_SG')" >&2; exit 1 ;;
esac
DEFAULT_IN="$(ec2 describe-security-groups --group-ids "$DEFAULT_SG" --query 'SecurityGroups[0].IpPermissions' --output json)"
DEFAULT_OUT="$(ec2 describe-security-groups --group-ids "$DEFAULT_SG" --query 'SecurityGroups[0].IpPermissionsEgress' --output json)"
if [ "$DEFAULT_IN" != "[]" ] && [ "$DEFAULT_IN" != "null" ]; then
  ec2 revoke-security-group-ingress --group-id "$DEFAULT_SG" --ip-permissions "$DEFAULT_IN" >/dev/null
fi
if [ "$DEFAULT_OUT" != "[]" ] && [ "$DEFAULT_OUT" != "null" ]; then
  ec2 revoke-security-group-egress --group-id "$DEFAULT_SG" --ip-permissions "$DEFAULT_OUT" >/dev/null
fi
echo "emptied the default security group $DEFAULT_SG" >&2
"#;

pub fn render(plan: &Plan<'_>) -> Contribution {
    let env = &plan.policy.deployment.env;
    let tags = Expr::Object(vec![
        ("Name".into(), Expr::str(&names::tag_value(&format!("{env}-default-sg-no-rules")))),
        ("Env".into(), Expr::str(&names::tag_value(env))),
    ]);
    let block = Block::new("resource", &["aws_default_security_group", "default"])
        .attr("vpc_id", Expr::raw("var.vpc_id"))
        .blank()
        .attr("tags", Expr::Wrap("merge(var.tags, ".into(), Box::new(tags), ")".into()));
    let tf = format!(
        "# Adopts the VPC's default security group and removes every rule it holds: no\n# ingress or egress block means no rule (CKV2_AWS_12).\n{}",
        hcl::file(&[block])
    );
    Contribution {
        files: vec![("terraform/default_security_group.tf".into(), tf)],
        script: SCRIPT.to_string(),
        report: "## Default security group\n\nThe VPC's default security group is adopted and left with no rules (inbound or outbound). \
Every VPC has one, and by default it lets its members talk to each other and reach anywhere; a \
resource launched without an explicit group would land in it silently. Empty, it grants nothing, \
so every workload must use its own group above (CIS AWS 5.4, checkov CKV2_AWS_12).\n"
            .to_string(),
    }
}
