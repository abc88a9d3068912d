//! `deployment.topology = "hub-spoke"`: the network between the hub VPC (the one `vpc_id` /
//! `VPC_ID` names, holding the shared interface endpoints, the egress filter and every
//! workload outside a spoke) and one VPC per `[[spoke]]` (holding the spoke's workloads and
//! their security groups).
//!
//! Renders `terraform/topology.tf` (inputs, the transit gateway with its own route tables,
//! the VPC attachments, the spoke and hub VPC routes), an `apply.sh` fragment doing the
//! same with the `aws` CLI, and the report section. It also tells the security-group
//! renderers which VPC each group lives in ([`group_vpc_tf`], [`group_vpc_shell`]).
//!
//! Routing, and why spokes are isolated from each other:
//! - the transit gateway has no default route table (association and propagation off);
//! - the `hub` route table is associated with the hub attachment and learns every spoke's
//!   CIDR by propagation: the hub can answer every spoke;
//! - the `spokes` route table is associated with every spoke attachment and holds one static
//!   route, `0.0.0.0/0` to the hub attachment: a spoke reaches nothing but the hub, so
//!   internet egress, the shared endpoints and any other spoke are all reached through the
//!   hub, where the egress firewall inspects them;
//! - the spoke VPC route tables send `0.0.0.0/0` (which covers the other spokes) to the
//!   transit gateway; the hub route tables send each spoke's CIDR back to it.
//!
//! Between spokes only the security groups decide, and they allow only declared flows: the
//! transit gateway has security-group referencing enabled, so a rule in one spoke can
//! reference a group in the hub or in another spoke of the same region.

use super::Contribution;
use crate::hcl::{self, Block, Expr};
use crate::names;
use crate::plan::{Plan, SgGroup};
use crate::report::{code, md_cell};
use crate::shell::quote;
use cloudwall_core::policy::SpokeInfo;
use cloudwall_core::profile::model::Topology;
use std::fmt::Write as _;

/// The spokes of a hub-spoke plan (empty for every other topology).
pub fn spokes<'p>(plan: &'p Plan<'_>) -> &'p [SpokeInfo] {
    if plan.policy.deployment.topology == Topology::HubSpoke {
        &plan.policy.spokes
    } else {
        &[]
    }
}

/// The spoke a group's workload is placed in, if any.
pub fn spoke_of<'p>(plan: &'p Plan<'_>, g: &SgGroup<'_>) -> Option<&'p SpokeInfo> {
    spokes(plan).iter().find(|s| s.workloads.contains(&g.group.id))
}

/// `finance-eu` -> `finance_eu`: the spoke's part of Terraform names.
pub fn spoke_tf(s: &SpokeInfo) -> String {
    names::tf_ident(&s.name).replace('-', "_")
}

/// `finance-eu` -> `SPOKE_FINANCE_EU`: the prefix of the spoke's `apply.sh` inputs.
pub fn spoke_env(s: &SpokeInfo) -> String {
    format!("SPOKE_{}", names::shell_ident(&s.name))
}

/// The Terraform expression of the VPC a group is created in.
pub fn group_vpc_tf(plan: &Plan<'_>, g: &SgGroup<'_>) -> String {
    match spoke_of(plan, g) {
        Some(s) => format!("var.spoke_{}_vpc_id", spoke_tf(s)),
        None => "var.vpc_id".into(),
    }
}

/// The shell variable holding the VPC a group is created in, when it is not `$VPC_ID`.
pub fn group_vpc_shell(plan: &Plan<'_>, g: &SgGroup<'_>) -> Option<String> {
    spoke_of(plan, g).map(|s| format!("{}_VPC_ID", spoke_env(s)))
}

/// The checks of the spoke VPC ids, run before any group is created (empty unless
/// hub-spoke).
pub fn script_inputs(plan: &Plan<'_>) -> String {
    let mut s = String::new();
    for sp in spokes(plan) {
        let var = format!("{}_VPC_ID", spoke_env(sp));
        let _ = write!(
            s,
            "\n: \"${{{var}:?apply.sh: set {var} to the VPC of spoke {} (vpc-...)}}\"\n\
             if ! [[ \"${var}\" =~ ^vpc-[0-9A-Za-z]+$ ]]; then\n  echo \"apply.sh: {var}='${var}' does not look like a VPC id (vpc-...)\" >&2\n  exit 1\nfi\n",
            names::tag_value(&sp.name)
        );
    }
    s
}

/// For `verify.sh`: the VPCs that hold security groups (`SG_VPC_IDS`: the hub and every
/// spoke), each spoke's id required (exit 2 without it). Empty unless hub-spoke.
pub fn verify_inputs(plan: &Plan<'_>) -> String {
    if spokes(plan).is_empty() {
        return String::new();
    }
    let mut s = String::from("\n# Hub and spoke: the spokes' groups are in the spoke VPCs.\nSG_VPC_IDS=\"$VPC_ID\"\n");
    for sp in spokes(plan) {
        let var = format!("{}_VPC_ID", spoke_env(sp));
        let _ = write!(
            s,
            "if ! [[ \"${{{var}:-}}\" =~ ^vpc-[0-9A-Za-z]+$ ]]; then\n  echo \"verify.sh: set {var} to the VPC of spoke {} (vpc-...)\" >&2\n  exit 2\nfi\nSG_VPC_IDS=\"$SG_VPC_IDS,${var}\"\n",
            names::tag_value(&sp.name)
        );
    }
    s
}

fn tags(plan: &Plan<'_>, name: &str) -> Expr {
    let obj = Expr::Object(vec![
        ("Name".into(), Expr::str(&names::tag_value(name))),
        ("Env".into(), Expr::str(&names::tag_value(&plan.policy.deployment.env))),
    ]);
    Expr::Wrap("merge(var.tags, ".into(), Box::new(obj), ")".into())
}

/// `{env}-{name}`, the prefix of every topology resource's Name tag.
fn prefix(plan: &Plan<'_>) -> String {
    names::tag_value(&format!("{}-{}", plan.policy.deployment.env, plan.policy.deployment.name))
}

fn variable(name: &str, description: &str, ty: &str) -> Block {
    Block::new("variable", &[name]).attr("description", Expr::str(description)).attr("type", Expr::raw(ty))
}

fn terraform(plan: &Plan<'_>) -> String {
    let p = prefix(plan);
    let mut blocks = vec![
        variable(
            "hub_tgw_subnet_ids",
            "Subnets of the hub VPC (var.vpc_id) for its transit gateway attachment, one per AZ (small dedicated subnets are best).",
            "list(string)",
        ),
        variable(
            "hub_route_table_ids",
            "Route tables of the hub VPC whose subnets answer the spokes (endpoint, firewall and workload subnets): each gets a route to every spoke CIDR through the transit gateway.",
            "list(string)",
        ),
    ];
    for s in spokes(plan) {
        let t = spoke_tf(s);
        let n = names::aws_text(&s.name);
        blocks.push(variable(&format!("spoke_{t}_vpc_id"), &format!("VPC of spoke {n}: holds the security groups of its workloads."), "string"));
        blocks.push(variable(
            &format!("spoke_{t}_tgw_subnet_ids"),
            &format!("Subnets of spoke {n} for its transit gateway attachment, one per AZ."),
            "list(string)",
        ));
        blocks.push(variable(
            &format!("spoke_{t}_route_table_ids"),
            &format!("Route tables of spoke {n}: their default route goes to the transit gateway (to the hub)."),
            "list(string)",
        ));
    }
    blocks.push(
        Block::new("resource", &["aws_ec2_transit_gateway", "hub"])
            .attr("description", Expr::str(&names::aws_text(&format!("{p} hub and spoke: spokes reach only the hub"))))
            .attr("default_route_table_association", Expr::str("disable"))
            .attr("default_route_table_propagation", Expr::str("disable"))
            .attr("auto_accept_shared_attachments", Expr::str("disable"))
            .attr("dns_support", Expr::str("enable"))
            .attr("security_group_referencing_support", Expr::str("enable"))
            .blank()
            .attr("tags", tags(plan, &format!("{p}-tgw"))),
    );
    for (rt, what) in [("hub", "hub"), ("spokes", "spokes")] {
        blocks.push(
            Block::new("resource", &["aws_ec2_transit_gateway_route_table", rt])
                .attr("transit_gateway_id", Expr::raw("aws_ec2_transit_gateway.hub.id"))
                .blank()
                .attr("tags", tags(plan, &format!("{p}-tgw-{what}"))),
        );
    }
    let attachment = |tf: &str, vpc: &str, subnets: &str, appliance: bool, name: &str| {
        let mut b = Block::new("resource", &["aws_ec2_transit_gateway_vpc_attachment", tf])
            .attr("transit_gateway_id", Expr::raw("aws_ec2_transit_gateway.hub.id"))
            .attr("vpc_id", Expr::raw(vpc))
            .attr("subnet_ids", Expr::raw(subnets))
            .attr("transit_gateway_default_route_table_association", Expr::raw("false"))
            .attr("transit_gateway_default_route_table_propagation", Expr::raw("false"))
            .attr("dns_support", Expr::str("enable"))
            .attr("security_group_referencing_support", Expr::str("enable"));
        if appliance {
            // The hub holds the stateful egress filter: both directions of a flow must
            // cross the same AZ's attachment.
            b = b.attr("appliance_mode_support", Expr::str("enable"));
        }
        b.blank().attr("tags", tags(plan, name))
    };
    blocks.push(attachment("hub", "var.vpc_id", "var.hub_tgw_subnet_ids", true, &format!("{p}-tgw-hub")));
    blocks.push(
        Block::new("resource", &["aws_ec2_transit_gateway_route_table_association", "hub"])
            .attr("transit_gateway_attachment_id", Expr::raw("aws_ec2_transit_gateway_vpc_attachment.hub.id"))
            .attr("transit_gateway_route_table_id", Expr::raw("aws_ec2_transit_gateway_route_table.hub.id")),
    );
    blocks.push(
        Block::new("resource", &["aws_ec2_transit_gateway_route", "spokes_default_to_hub"])
            .attr("destination_cidr_block", Expr::str("0.0.0.0/0"))
            .attr("transit_gateway_attachment_id", Expr::raw("aws_ec2_transit_gateway_vpc_attachment.hub.id"))
            .attr("transit_gateway_route_table_id", Expr::raw("aws_ec2_transit_gateway_route_table.spokes.id")),
    );
    for s in spokes(plan) {
        let t = spoke_tf(s);
        let att = format!("spoke_{t}");
        blocks.push(attachment(
            &att,
            &format!("var.spoke_{t}_vpc_id"),
            &format!("var.spoke_{t}_tgw_subnet_ids"),
            false,
            &format!("{p}-tgw-spoke-{}", s.name),
        ));
        blocks.push(
            Block::new("resource", &["aws_ec2_transit_gateway_route_table_association", &att])
                .attr("transit_gateway_attachment_id", Expr::raw(format!("aws_ec2_transit_gateway_vpc_attachment.{att}.id")))
                .attr("transit_gateway_route_table_id", Expr::raw("aws_ec2_transit_gateway_route_table.spokes.id")),
        );
        blocks.push(
            Block::new("resource", &["aws_ec2_transit_gateway_route_table_propagation", &att])
                .attr("transit_gateway_attachment_id", Expr::raw(format!("aws_ec2_transit_gateway_vpc_attachment.{att}.id")))
                .attr("transit_gateway_route_table_id", Expr::raw("aws_ec2_transit_gateway_route_table.hub.id")),
        );
        blocks.push(Block::new("data", &["aws_vpc", &att]).attr("id", Expr::raw(format!("var.spoke_{t}_vpc_id"))));
        blocks.push(
            Block::new("resource", &["aws_route", &format!("{att}_default_to_tgw")])
                .attr("for_each", Expr::raw(format!("toset(var.spoke_{t}_route_table_ids)")))
                .blank()
                .attr("route_table_id", Expr::raw("each.value"))
                .attr("destination_cidr_block", Expr::str("0.0.0.0/0"))
                .attr("transit_gateway_id", Expr::raw("aws_ec2_transit_gateway.hub.id"))
                .blank()
                .attr("depends_on", Expr::raw(format!("[aws_ec2_transit_gateway_vpc_attachment.{att}]"))),
        );
        blocks.push(
            Block::new("resource", &["aws_route", &format!("hub_to_{att}")])
                .attr("for_each", Expr::raw("toset(var.hub_route_table_ids)"))
                .blank()
                .attr("route_table_id", Expr::raw("each.value"))
                .attr("destination_cidr_block", Expr::raw(format!("data.aws_vpc.{att}.cidr_block")))
                .attr("transit_gateway_id", Expr::raw("aws_ec2_transit_gateway.hub.id"))
                .blank()
                .attr("depends_on", Expr::raw("[aws_ec2_transit_gateway_vpc_attachment.hub]")),
        );
    }
    blocks.push(
        Block::new("output", &["transit_gateway_id"])
            .attr("description", Expr::str("The hub-and-spoke transit gateway."))
            .attr("value", Expr::raw("aws_ec2_transit_gateway.hub.id")),
    );
    hcl::file(&blocks)
}

const HELPERS: &str = r#"
# tgw_wait KIND ID: waits until a transit gateway (KIND=gateway) or attachment is available.
tgw_wait() {
  local state i
  for i in $(seq 1 90); do
    if [ "$1" = gateway ]; then
      state="$(ec2 describe-transit-gateways --transit-gateway-ids "$2" --query 'TransitGateways[0].State' --output text)"
    else
      state="$(ec2 describe-transit-gateway-vpc-attachments --transit-gateway-attachment-ids "$2" --query 'TransitGatewayVpcAttachments[0].State' --output text)"
    fi
    case "$state" in
      available) return 0 ;;
      pending|modifying|initiating|pendingAcceptance) sleep 10 ;;
      *) echo "apply.sh: transit gateway $1 $2 is $state" >&2; return 1 ;;
    esac
  done
  echo "apply.sh: transit gateway $1 $2 still not available" >&2
  return 1
}

# tgw_attach NAME VPC_ID OPTIONS SUBNET_IDS...: prints the id of the VPC's attachment to the
# transit gateway (a VPC has at most one), created (tagged NAME) if missing.
tgw_attach() {
  local name="$1" vpc="$2" options="$3" id
  shift 3
  id="$(ec2 describe-transit-gateway-vpc-attachments --filters "Name=vpc-id,Values=$vpc" \
    "Name=transit-gateway-id,Values=$TGW_ID" "Name=state,Values=available,pending,modifying" \
    --query 'TransitGatewayVpcAttachments[0].TransitGatewayAttachmentId' --output text)" || return 1
  if [ -z "$id" ] || [ "$id" = "None" ]; then
    id="$(ec2 create-transit-gateway-vpc-attachment --transit-gateway-id "$TGW_ID" --vpc-id "$vpc" --subnet-ids "$@" \
      --options "$options" \
      --tag-specifications "ResourceType=transit-gateway-attachment,Tags=[{Key=Name,Value=$name},{Key=Env,Value=$TOPOLOGY_ENV}]" \
      --query TransitGatewayVpcAttachment.TransitGatewayAttachmentId --output text)" || return 1
    echo "created attachment $name: $id" >&2
  fi
  tgw_wait attachment "$id" || return 1
  printf '%s\n' "$id"
}

# tgw_rt NAME: prints the id of the transit gateway route table tagged NAME, created if missing.
tgw_rt() {
  local id
  id="$(ec2 describe-transit-gateway-route-tables --filters "Name=transit-gateway-id,Values=$TGW_ID" \
    --query "TransitGatewayRouteTables[?Tags[?Key=='Name' && Value=='$1']] | [0].TransitGatewayRouteTableId" --output text)" || return 1
  if [ -z "$id" ] || [ "$id" = "None" ]; then
    id="$(ec2 create-transit-gateway-route-table --transit-gateway-id "$TGW_ID" \
      --tag-specifications "ResourceType=transit-gateway-route-table,Tags=[{Key=Name,Value=$1},{Key=Env,Value=$TOPOLOGY_ENV}]" \
      --query TransitGatewayRouteTable.TransitGatewayRouteTableId --output text)" || return 1
    echo "created transit gateway route table $1: $id" >&2
  fi
  printf '%s\n' "$id"
}

# tgw_associate RT ATTACHMENT: associates the attachment with the route table (once).
tgw_associate() {
  local cur
  cur="$(ec2 get-transit-gateway-route-table-associations --transit-gateway-route-table-id "$1" \
    --query "Associations[?TransitGatewayAttachmentId=='$2'] | [0].State" --output text)" || return 1
  case "$cur" in
    associated|associating) ;;
    *) ec2 associate-transit-gateway-route-table --transit-gateway-route-table-id "$1" --transit-gateway-attachment-id "$2" >/dev/null ;;
  esac
}

# tgw_propagate RT ATTACHMENT: the attachment's VPC CIDR is propagated into the route table (once).
tgw_propagate() {
  local cur
  cur="$(ec2 get-transit-gateway-route-table-propagations --transit-gateway-route-table-id "$1" \
    --query "TransitGatewayRouteTablePropagations[?TransitGatewayAttachmentId=='$2'] | [0].State" --output text)" || return 1
  case "$cur" in
    enabled|enabling) ;;
    *) ec2 enable-transit-gateway-route-table-propagation --transit-gateway-route-table-id "$1" --transit-gateway-attachment-id "$2" >/dev/null ;;
  esac
}

# vpc_route_to_tgw ROUTE_TABLE CIDR: the VPC route table sends CIDR to the transit gateway.
vpc_route_to_tgw() {
  local out
  if ! out="$(ec2 create-route --route-table-id "$1" --destination-cidr-block "$2" --transit-gateway-id "$TGW_ID" 2>&1)"; then
    case "$out" in
      *RouteAlreadyExists*) ec2 replace-route --route-table-id "$1" --destination-cidr-block "$2" --transit-gateway-id "$TGW_ID" >/dev/null ;;
      *) printf '%s\n' "$out" >&2; return 1 ;;
    esac
  fi
}
"#;

fn script(plan: &Plan<'_>) -> String {
    let p = prefix(plan);
    let mut s = String::from("# Hub and spoke: the transit gateway, its route tables, the VPC attachments and the routes.\n");
    let need = |s: &mut String, var: &str, what: &str| {
        let _ = writeln!(s, ": \"${{{var}:?apply.sh: set {var} to {what}}}\"");
    };
    need(&mut s, "HUB_TGW_SUBNET_IDS", "the hub VPC subnets of its transit gateway attachment, one per AZ (space-separated subnet-...)");
    need(&mut s, "HUB_ROUTE_TABLE_IDS", "the hub VPC route tables that answer the spokes (space-separated rtb-...)");
    for sp in spokes(plan) {
        let e = spoke_env(sp);
        let n = names::tag_value(&sp.name);
        need(&mut s, &format!("{e}_TGW_SUBNET_IDS"), &format!("the subnets of spoke {n} for its transit gateway attachment (space-separated subnet-...)"));
        need(&mut s, &format!("{e}_ROUTE_TABLE_IDS"), &format!("the route tables of spoke {n} (space-separated rtb-...)"));
    }
    let _ = writeln!(s, "TOPOLOGY_ENV={}", quote(&names::tag_value(&plan.policy.deployment.env)));
    s.push_str(HELPERS);
    let tgw_name = format!("{p}-tgw");
    let description = names::aws_text(&format!("{p} hub and spoke: spokes reach only the hub"));
    let _ = write!(
        s,
        "\nTGW_ID=\"$(ec2 describe-transit-gateways --filters \"Name=state,Values=available,pending,modifying\" \\\n  --query {} --output text)\"\n\
         if [ -z \"$TGW_ID\" ] || [ \"$TGW_ID\" = \"None\" ]; then\n  \
         TGW_ID=\"$(ec2 create-transit-gateway --description {} \\\n    \
         --options DefaultRouteTableAssociation=disable,DefaultRouteTablePropagation=disable,AutoAcceptSharedAttachments=disable,DnsSupport=enable,SecurityGroupReferencingSupport=enable \\\n    \
         --tag-specifications {} \\\n    --query TransitGateway.TransitGatewayId --output text)\"\n  \
         echo \"created transit gateway: $TGW_ID\" >&2\nfi\n\
         tgw_wait gateway \"$TGW_ID\"\n",
        quote(&format!("TransitGateways[?Tags[?Key=='Name' && Value=='{tgw_name}']] | [0].TransitGatewayId")),
        quote(&description),
        quote(&format!("ResourceType=transit-gateway,Tags=[{{Key=Name,Value={tgw_name}}},{{Key=Env,Value={}}}]", names::tag_value(&plan.policy.deployment.env))),
    );
    let _ = writeln!(s, "TGW_RT_HUB=\"$(tgw_rt {})\"", quote(&format!("{p}-tgw-hub")));
    let _ = writeln!(s, "TGW_RT_SPOKES=\"$(tgw_rt {})\"", quote(&format!("{p}-tgw-spokes")));
    s.push_str("read -r -a hub_tgw_subnets <<< \"$HUB_TGW_SUBNET_IDS\"\n");
    s.push_str("read -r -a hub_route_tables <<< \"$HUB_ROUTE_TABLE_IDS\"\n");
    let _ = writeln!(
        s,
        "TGW_ATTACH_HUB=\"$(tgw_attach {} \"$VPC_ID\" DnsSupport=enable,SecurityGroupReferencingSupport=enable,ApplianceModeSupport=enable \"${{hub_tgw_subnets[@]}}\")\"",
        quote(&format!("{p}-tgw-hub"))
    );
    s.push_str("tgw_associate \"$TGW_RT_HUB\" \"$TGW_ATTACH_HUB\"\n");
    s.push_str("# The spokes' only transit gateway route: everything to the hub.\n");
    s.push_str(
        "if ! out=\"$(ec2 create-transit-gateway-route --transit-gateway-route-table-id \"$TGW_RT_SPOKES\" --destination-cidr-block 0.0.0.0/0 \\\n  \
         --transit-gateway-attachment-id \"$TGW_ATTACH_HUB\" 2>&1 >/dev/null)\"; then\n  \
         case \"$out\" in\n    \
         *AlreadyExists*|*already\\ exists*) ec2 replace-transit-gateway-route --transit-gateway-route-table-id \"$TGW_RT_SPOKES\" \\\n      \
         --destination-cidr-block 0.0.0.0/0 --transit-gateway-attachment-id \"$TGW_ATTACH_HUB\" >/dev/null ;;\n    \
         *) printf '%s\\n' \"$out\" >&2; exit 1 ;;\n  esac\nfi\n",
    );
    for sp in spokes(plan) {
        let e = spoke_env(sp);
        let v = names::shell_ident(&sp.name).to_ascii_lowercase();
        let _ = writeln!(s, "\n# Spoke {}.", names::tag_value(&sp.name));
        let _ = writeln!(s, "read -r -a spoke_{v}_tgw_subnets <<< \"${e}_TGW_SUBNET_IDS\"");
        let _ = writeln!(s, "read -r -a spoke_{v}_route_tables <<< \"${e}_ROUTE_TABLE_IDS\"");
        let _ = writeln!(
            s,
            "TGW_ATTACH_{e}=\"$(tgw_attach {} \"${e}_VPC_ID\" DnsSupport=enable,SecurityGroupReferencingSupport=enable \"${{spoke_{v}_tgw_subnets[@]}}\")\"",
            quote(&format!("{p}-tgw-spoke-{}", names::tag_value(&sp.name)))
        );
        let _ = writeln!(s, "tgw_associate \"$TGW_RT_SPOKES\" \"$TGW_ATTACH_{e}\"");
        let _ = writeln!(s, "tgw_propagate \"$TGW_RT_HUB\" \"$TGW_ATTACH_{e}\"");
        let _ = writeln!(s, "for rt in \"${{spoke_{v}_route_tables[@]}}\"; do\n  vpc_route_to_tgw \"$rt\" 0.0.0.0/0\ndone");
        let _ = writeln!(
            s,
            "{e}_CIDR=\"$(ec2 describe-vpcs --vpc-ids \"${e}_VPC_ID\" --query 'Vpcs[0].CidrBlock' --output text)\"\n\
             for rt in \"${{hub_route_tables[@]}}\"; do\n  vpc_route_to_tgw \"$rt\" \"${e}_CIDR\"\ndone"
        );
    }
    s
}

fn report(plan: &Plan<'_>) -> String {
    let mut s = String::from("## Hub and spoke\n\n");
    s.push_str(
        "The hub VPC (`vpc_id` / `VPC_ID`) holds the shared interface endpoints, the egress filter and every workload \
         that is in no spoke; each spoke VPC holds the security groups of its workloads. A transit gateway joins them.\n\n",
    );
    s.push_str("| network | workloads | security groups in |\n|---|---|---|\n");
    let hub: Vec<String> = plan.groups.iter().filter(|g| spoke_of(plan, g).is_none()).map(|g| code(&g.name)).collect();
    let _ = writeln!(s, "| hub | {} | `vpc_id` / `VPC_ID` |", if hub.is_empty() { "-".into() } else { hub.join(", ") });
    for sp in spokes(plan) {
        let ws: Vec<String> = plan.groups.iter().filter(|g| spoke_of(plan, g).is_some_and(|x| x.name == sp.name)).map(|g| code(&g.name)).collect();
        let _ = writeln!(
            s,
            "| spoke {} | {} | `spoke_{}_vpc_id` / `{}_VPC_ID` |",
            md_cell(&sp.name),
            if ws.is_empty() { "-".into() } else { ws.join(", ") },
            spoke_tf(sp),
            spoke_env(sp)
        );
    }
    s.push_str(
        "\n**Routing.** The transit gateway has no default route table (association and propagation disabled). \
         Its `hub` route table is associated with the hub attachment and learns every spoke CIDR by propagation; its \
         `spokes` route table is associated with every spoke attachment and holds a single static route, `0.0.0.0/0` to \
         the hub attachment. Each spoke VPC route table sends `0.0.0.0/0` to the transit gateway, which covers the \
         internet, the shared endpoints and the other spokes: all of it goes through the hub, where the egress filter \
         sees it. The hub route tables send each spoke CIDR back to the transit gateway. The hub attachment has \
         appliance mode on, so both directions of a flow cross the same zone's stateful filter.\n\n",
    );
    s.push_str(
        "**Spoke isolation.** A spoke has no route to another spoke except through the hub, and no security group \
         admits traffic from another spoke unless a declared flow crosses them: the rules reference groups, never \
         VPC ranges. Spokes therefore reach each other exactly where a `[[flow]]` says so.\n\n",
    );
    s.push_str(
        "**Security-group references across the transit gateway.** The transit gateway and every attachment have \
         `security_group_referencing_support = \"enable\"` (off by default at the gateway): that is what lets a rule in \
         a spoke reference the endpoint group in the hub or a group in another spoke. AWS supports it only between VPCs \
         attached to the same transit gateway in the same region (not across an inter-region peering), and not for \
         rules that reference a managed prefix list; with it disabled the cross-VPC rules could not be created.\n\n",
    );
    s.push_str(
        "**Shared endpoints.** Interface endpoints in the hub answer the spokes only if their private DNS is shared \
         with the spokes (a Route 53 private hosted zone per service associated with each spoke VPC, or a Resolver \
         rule); a gateway endpoint (S3) serves only its own VPC's route tables, so spokes reach S3 through the hub's \
         interface endpoint or their own gateway endpoint.\n\n",
    );
    s.push_str("Inputs of `terraform/topology.tf` (variables) and `cli/apply.sh` (environment):\n\n");
    s.push_str("| Terraform variable | apply.sh environment | what |\n|---|---|---|\n");
    s.push_str("| `vpc_id` | `VPC_ID` | the hub VPC |\n");
    s.push_str("| `hub_tgw_subnet_ids` | `HUB_TGW_SUBNET_IDS` | hub subnets of the transit gateway attachment, one per AZ |\n");
    s.push_str("| `hub_route_table_ids` | `HUB_ROUTE_TABLE_IDS` | hub route tables that get a route to every spoke CIDR |\n");
    for sp in spokes(plan) {
        let (t, e) = (spoke_tf(sp), spoke_env(sp));
        let n = md_cell(&sp.name);
        let _ = writeln!(s, "| `spoke_{t}_vpc_id` | `{e}_VPC_ID` | the VPC of spoke {n} |");
        let _ = writeln!(s, "| `spoke_{t}_tgw_subnet_ids` | `{e}_TGW_SUBNET_IDS` | its subnets of the transit gateway attachment |");
        let _ = writeln!(s, "| `spoke_{t}_route_table_ids` | `{e}_ROUTE_TABLE_IDS` | its route tables (default route to the transit gateway) |");
    }
    s.push_str(
        "\n`verify/verify.sh` needs the spoke VPC ids too (`SPOKE_<NAME>_VPC_ID`): it reads the groups of the hub and of \
         every spoke. The NACLs, flow logs and endpoints of this output are those of the hub VPC (the tier subnet and \
         route-table inputs are the hub's); the spoke VPCs' subnets get no NACL from it.\n",
    );
    s.push_str(
        "\nTo send the spokes' internet traffic through the egress firewall, list the route tables of the hub's \
         transit-gateway-attachment subnets in `private_route_table_ids` / `PRIVATE_ROUTE_TABLE_IDS` and the spoke \
         CIDRs in the firewall's inspected ranges.\n",
    );
    s
}

/// The hub-spoke network (nothing for the other topologies).
pub fn render(plan: &Plan<'_>) -> Contribution {
    if spokes(plan).is_empty() {
        return Contribution::default();
    }
    Contribution { files: vec![("terraform/topology.tf".into(), terraform(plan))], script: script(plan), report: report(plan) }
}

/// Whether the hub's interface endpoints are shared with spokes through private hosted
/// zones (hub-spoke): their own private DNS is then off, since the AWS-managed zone it
/// creates would answer in the hub VPC only and would clash with the shared zone.
pub fn shares_endpoint_dns(plan: &Plan<'_>) -> bool {
    !spokes(plan).is_empty()
}

/// The private DNS name of an interface endpoint service in `region` (the hosted zone's
/// name), and whether clients use names below it (`<account>.dkr.ecr...`,
/// `<api-id>.execute-api...`), which needs a wildcard record too.
pub fn endpoint_zone_name(service: &str, region: &str) -> (String, bool) {
    let (name, wildcard) = match service {
        // ECR: `api.ecr.<region>` for the API, `<account>.dkr.ecr.<region>` for the registry.
        "ecr.api" => ("api.ecr".to_string(), false),
        "ecr.dkr" => ("dkr.ecr".to_string(), true),
        "execute-api" => ("execute-api".to_string(), true),
        // S3 as an interface endpoint: buckets are addressed `<bucket>.s3.<region>`.
        "s3" => ("s3".to_string(), true),
        // CodeArtifact: the API, and the repositories under `<domain>-<owner>.d.codeartifact`.
        "codeartifact.api" => ("codeartifact".to_string(), false),
        "codeartifact.repositories" => ("d.codeartifact".to_string(), true),
        // Other dotted services name their parts the other way round
        // (`sagemaker.runtime` -> `runtime.sagemaker.<region>`).
        other if other.contains('.') => (other.rsplit('.').collect::<Vec<_>>().join("."), false),
        other => (other.to_string(), false),
    };
    (format!("{name}.{region}.amazonaws.com"), wildcard)
}

/// The interface endpoints of the hub whose DNS the spokes share (none unless hub-spoke).
fn shared_endpoints(plan: &Plan<'_>) -> Vec<super::endpoints::VpcEndpoint> {
    if !shares_endpoint_dns(plan) {
        return vec![];
    }
    // A service name is a host-name part; anything else cannot name a zone.
    let dns_safe = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
    super::endpoints::endpoint_plan(plan).endpoints.into_iter().filter(|e| !e.gateway && dns_safe(&e.service)).collect()
}

fn dns_terraform(plan: &Plan<'_>, eps: &[super::endpoints::VpcEndpoint]) -> String {
    let p = prefix(plan);
    let mut blocks = Vec::new();
    for e in eps {
        let (zone, wildcard) = endpoint_zone_name(&e.service, "\u{1}");
        let in_hcl = |name: &str| Expr::raw(hcl::string(name).replace("\\u0001", "${var.region}"));
        let zone_expr = in_hcl(&zone);
        let tf = format!("endpoint_{}", e.tf);
        let mut z = Block::new("resource", &["aws_route53_zone", &tf])
            .attr("name", zone_expr.clone())
            .attr(
                "comment",
                Expr::str(&names::aws_text(&format!("{p}: {} through the hub interface endpoint, for the hub and every spoke", e.service))),
            )
            .blank()
            .block(Block::new("vpc", &[]).attr("vpc_id", Expr::raw("var.vpc_id")));
        for s in spokes(plan) {
            z = z.block(Block::new("vpc", &[]).attr("vpc_id", Expr::raw(format!("var.spoke_{}_vpc_id", spoke_tf(s)))));
        }
        blocks.push(z.blank().attr("tags", tags(plan, &format!("{p}-{}-phz", e.service.replace('.', "-")))));
        let mut records = vec![(tf.clone(), zone.clone())];
        if wildcard {
            records.push((format!("{tf}_wildcard"), format!("*.{zone}")));
        }
        for (rtf, name) in records {
            blocks.push(
                Block::new("resource", &["aws_route53_record", &rtf])
                    .attr("zone_id", Expr::raw(format!("aws_route53_zone.{tf}.zone_id")))
                    .attr("name", in_hcl(&name))
                    .attr("type", Expr::str("A"))
                    .blank()
                    .block(
                        Block::new("alias", &[])
                            .attr("name", Expr::raw(format!("aws_vpc_endpoint.{}.dns_entry[0].dns_name", e.tf)))
                            .attr("zone_id", Expr::raw(format!("aws_vpc_endpoint.{}.dns_entry[0].hosted_zone_id", e.tf)))
                            .attr("evaluate_target_health", Expr::raw("true")),
                    ),
            );
        }
    }
    hcl::file(&blocks)
}

const DNS_HELPERS: &str = r#"
# phz_ensure NAME COMMENT: prints the id of the private hosted zone NAME associated with
# $VPC_ID, created (with that association) if missing.
phz_ensure() {
  local id
  id="$(aws route53 list-hosted-zones-by-vpc --vpc-id "$VPC_ID" --vpc-region "$REGION" \
    --query "HostedZoneSummaries[?Name=='$1' || Name=='$1.'] | [0].HostedZoneId" --output text)" || return 1
  if [ -z "$id" ] || [ "$id" = "None" ]; then
    id="$(aws route53 create-hosted-zone --name "$1" --caller-reference "$1 $VPC_ID" \
      --vpc "VPCRegion=$REGION,VPCId=$VPC_ID" --hosted-zone-config "Comment=$2,PrivateZone=true" \
      --query HostedZone.Id --output text)" || return 1
    echo "created private hosted zone $1: $id" >&2
  fi
  printf '%s\n' "${id#/hostedzone/}"
}

# phz_associate ZONE_ID VPC_ID: the private hosted zone answers in the VPC too (once).
phz_associate() {
  local vpcs
  vpcs="$(aws route53 get-hosted-zone --id "$1" --query 'VPCs[].VPCId' --output text)" || return 1
  case " $(printf '%s' "$vpcs" | tr '\t\n' '  ') " in
    *" $2 "*) ;;
    *) aws route53 associate-vpc-with-hosted-zone --hosted-zone-id "$1" --vpc "VPCRegion=$REGION,VPCId=$2" >/dev/null ;;
  esac
}

# phz_alias ZONE_ID NAME SERVICE_NAME: NAME is an alias A record of the hub VPC's interface
# endpoint for SERVICE_NAME (its regional DNS name); UPSERT, so a rerun changes nothing.
phz_alias() {
  local dns zone
  read -r dns zone < <(ec2 describe-vpc-endpoints --filters "Name=vpc-id,Values=$VPC_ID" "Name=service-name,Values=$3" \
    --query 'VpcEndpoints[?State!=`deleted` && State!=`deleting`] | [0].DnsEntries[0].[DnsName,HostedZoneId]' --output text)
  if [ -z "$dns" ] || [ "$dns" = "None" ] || [ -z "$zone" ]; then
    echo "apply.sh: the interface endpoint for $3 in $VPC_ID has no DNS name" >&2
    return 1
  fi
  aws route53 change-resource-record-sets --hosted-zone-id "$1" --change-batch \
    "{\"Changes\":[{\"Action\":\"UPSERT\",\"ResourceRecordSet\":{\"Name\":\"$2\",\"Type\":\"A\",\"AliasTarget\":{\"HostedZoneId\":\"$zone\",\"DNSName\":\"$dns\",\"EvaluateTargetHealth\":true}}}]}" >/dev/null
}
"#;

fn dns_script(plan: &Plan<'_>, eps: &[super::endpoints::VpcEndpoint]) -> String {
    let p = prefix(plan);
    let mut s = String::from(
        "# Shared endpoint DNS: one private hosted zone per hub interface endpoint, associated with the hub and every spoke VPC.\n",
    );
    s.push_str(DNS_HELPERS);
    for e in eps {
        let (zone, wildcard) = endpoint_zone_name(&e.service, "\u{1}");
        let zone_sh = zone.split('\u{1}').map(quote).collect::<Vec<_>>().join("\"$REGION\"");
        let comment = names::aws_text(&format!("{p}: {} through the hub interface endpoint", e.service)).replace(',', " ");
        let _ = writeln!(s, "\n# {}", e.service);
        let _ = writeln!(s, "zone_id=\"$(phz_ensure {zone_sh} {})\"", quote(&comment));
        for sp in spokes(plan) {
            let _ = writeln!(s, "phz_associate \"$zone_id\" \"${}_VPC_ID\"", spoke_env(sp));
        }
        let service = format!("\"com.amazonaws.$REGION\".{}", quote(&e.service));
        let _ = writeln!(s, "phz_alias \"$zone_id\" {zone_sh} {service}");
        if wildcard {
            let _ = writeln!(s, "phz_alias \"$zone_id\" '*.'{zone_sh} {service}");
        }
    }
    s
}

fn dns_report(plan: &Plan<'_>, eps: &[super::endpoints::VpcEndpoint]) -> String {
    let mut s = String::from("## Shared endpoint DNS\n\n");
    s.push_str(
        "The interface endpoints live in the hub VPC only. An endpoint's own private DNS creates an AWS-managed \
         private hosted zone that answers in the hub VPC alone, so it is turned off (`private_dns_enabled = false`) \
         and replaced by one Route 53 private hosted zone per service, named after the service's regional host name \
         and associated with the hub VPC and every spoke VPC. Its apex is an alias A record to the endpoint's regional \
         DNS name, so the SDKs' default host names resolve, in every VPC, to the endpoint's addresses in the hub, \
         reached through the transit gateway. Services addressed through sub-domains (ECR's registry, API Gateway, \
         S3) get a wildcard alias as well. The endpoint security group admits 443/tcp from each spoke workload's \
         security group by reference (security-group referencing across the transit gateway), never from a VPC \
         range.\n\n",
    );
    s.push_str("| service | private hosted zone | records | associated VPCs |\n|---|---|---|---|\n");
    let mut vpcs = vec!["hub".to_string()];
    vpcs.extend(spokes(plan).iter().map(|sp| format!("spoke {}", md_cell(&sp.name))));
    for e in eps {
        let (zone, wildcard) = endpoint_zone_name(&e.service, &plan.region);
        let records = if wildcard { format!("`{zone}`, `*.{zone}`") } else { format!("`{zone}`") };
        let _ = writeln!(s, "| {} | `{}` | {records} (alias A) | {} |", md_cell(&e.service), md_cell(&zone), vpcs.join(", "));
    }
    s.push_str(
        "\nGateway endpoints (S3, DynamoDB) are not shared: they serve only the route tables of their own VPC. \
         A spoke reaches S3 through its own gateway endpoint or through the hub's egress path. Names outside a \
         service's zone (the global `sts.amazonaws.com`, for one) are not covered: use the regional names.\n",
    );
    s
}

/// The shared DNS of the hub's interface endpoints (nothing unless hub-spoke with
/// interface endpoints); rendered with the endpoints phase, whose endpoints it aliases.
pub fn render_endpoint_dns(plan: &Plan<'_>) -> Contribution {
    let eps = shared_endpoints(plan);
    if eps.is_empty() {
        return Contribution::default();
    }
    Contribution {
        files: vec![("terraform/endpoint_dns.tf".into(), dns_terraform(plan, &eps))],
        script: dns_script(plan, &eps),
        report: dns_report(plan, &eps),
    }
}
