//! `security_groups.tf`: one empty `aws_security_group` per Policy group and one
//! `aws_vpc_security_group_{ingress,egress}_rule` per Policy rule (no inline rules, so
//! groups that reference each other make no cycle, and a group with no egress rule has
//! no egress: Terraform removes the default allow-all egress on create).

use crate::hcl::{self, Block, Expr};
use crate::names;
use crate::plan::{Plan, SgPeer};
use cloudwall_core::policy::Direction;
use ipnet::IpNet;

pub fn render(plan: &Plan<'_>) -> String {
    let env = &plan.policy.deployment.env;
    let mut blocks = Vec::new();
    for g in &plan.groups {
        let tags = Expr::Object(vec![
            ("Name".into(), Expr::str(&names::tag_value(&g.name))),
            ("Env".into(), Expr::str(&names::tag_value(env))),
            ("Tier".into(), Expr::str(g.group.tier.as_str())),
            ("Role".into(), Expr::str(&names::tag_value(&g.group.id))),
        ]);
        blocks.push(
            Block::new("resource", &["aws_security_group", &g.tf])
                .attr("name", Expr::str(&g.name))
                .attr("description", Expr::str(&g.description))
                .attr("vpc_id", Expr::raw("var.vpc_id"))
                .blank()
                .attr("tags", Expr::Wrap("merge(var.tags, ".into(), Box::new(tags), ")".into())),
        );
    }
    for r in &plan.rules {
        let kind = match r.direction() {
            Direction::Ingress => "aws_vpc_security_group_ingress_rule",
            Direction::Egress => "aws_vpc_security_group_egress_rule",
        };
        let mut b = Block::new("resource", &[kind, &r.tf]);
        if let (Direction::Ingress, SgPeer::Group(p)) = (r.direction(), r.peer) {
            // checkov's open-port checks read a rule without a CIDR as open to the world;
            // a group-referenced source is not, so those checks are skipped with the reason.
            for (port, check) in [(22, "CKV_AWS_24"), (3389, "CKV_AWS_25"), (80, "CKV_AWS_260")] {
                if r.ports.is_none_or(|(from, to)| from <= port && port <= to) {
                    b.push(hcl::Item::Comment(format!(
                        "checkov:skip={check}:the source is the {} security group, not an address range",
                        plan.groups[p].name
                    )));
                }
            }
        }
        if let (Direction::Ingress, SgPeer::Cidr(n)) = (r.direction(), r.peer) {
            // A deliberate web port open to the internet (the HTTPS redirect): the skip
            // carries the flow's purpose as its reason.
            if n.prefix_len() == 0 && r.protocol == "tcp" && r.ports.is_some_and(|(from, to)| from <= 80 && 80 <= to) {
                let reason = names::aws_text(&r.rule.description.purpose);
                let reason = if reason.is_empty() { "public web entry point".to_string() } else { reason };
                b.push(hcl::Item::Comment(format!("checkov:skip=CKV_AWS_260:{reason}")));
            }
        }
        b = b
            .attr("security_group_id", Expr::raw(format!("aws_security_group.{}.id", plan.groups[r.group].tf)));
        b = match r.peer {
            SgPeer::Group(p) => b.attr(
                "referenced_security_group_id",
                Expr::raw(format!("aws_security_group.{}.id", plan.groups[p].tf)),
            ),
            SgPeer::Cidr(IpNet::V4(n)) => b.attr("cidr_ipv4", Expr::str(&n.to_string())),
            SgPeer::Cidr(IpNet::V6(n)) => b.attr("cidr_ipv6", Expr::str(&n.to_string())),
        };
        b = b.attr("ip_protocol", Expr::str(r.protocol));
        if let Some((from, to)) = r.ports {
            b = b.attr("from_port", Expr::num(from)).attr("to_port", Expr::num(to));
        }
        b = b.attr("description", Expr::str(&r.description));
        blocks.push(b);
    }
    if blocks.is_empty() {
        return String::new();
    }
    hcl::file(&blocks)
}
