//! `security_groups.tf`: one empty `aws_security_group` per Policy group and one
//! `aws_vpc_security_group_{ingress,egress}_rule` per Policy rule (no inline rules, so
//! groups that reference each other make no cycle, and a group with no egress rule has
//! no egress: Terraform removes the default allow-all egress on create).
//!
//! Under `public = "multi-edge"` the load balancer's internet ingress comes from the
//! CloudFront origin-facing prefix list (looked up with a data source); under
//! `api-gateway` from the VPC-link group, which is declared here with its egress rules.
//! A rule that is a deliberate checkov exception carries `#checkov:skip` inside its block.

use crate::hcl::{Block, Expr};
use crate::names;
use crate::plan::{Plan, SgPeer, CLOUDFRONT_PREFIX_LIST};
use cloudwall_core::policy::Direction;
use ipnet::IpNet;

pub fn render(plan: &Plan<'_>) -> String {
    let env = &plan.policy.deployment.env;
    let mut blocks = Vec::new();
    let mut skips: Vec<Vec<String>> = Vec::new();
    if plan.rules.iter().any(|r| r.peer == SgPeer::CloudFront) {
        blocks.push(
            Block::new("data", &["aws_ec2_managed_prefix_list", "cloudfront"]).attr("name", Expr::str(CLOUDFRONT_PREFIX_LIST)),
        );
    }
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
                .attr("vpc_id", Expr::raw(crate::phases::topology::group_vpc_tf(plan, g)))
                .blank()
                .attr("tags", Expr::Wrap("merge(var.tags, ".into(), Box::new(tags), ")".into())),
        );
    }
    if let Some(l) = &plan.edge.link {
        let tags = Expr::Object(vec![
            ("Name".into(), Expr::str(&names::tag_value(&l.name))),
            ("Env".into(), Expr::str(&names::tag_value(env))),
            ("Tier".into(), Expr::str("public")),
            ("Role".into(), Expr::str("apigw-link")),
        ]);
        blocks.push(
            Block::new("resource", &["aws_security_group", &l.tf])
                .attr("name", Expr::str(&l.name))
                .attr("description", Expr::str(&l.description))
                .attr("vpc_id", Expr::raw("var.vpc_id"))
                .blank()
                .attr("tags", Expr::Wrap("merge(var.tags, ".into(), Box::new(tags), ")".into())),
        );
    }
    skips.resize(blocks.len(), vec![]);
    for r in &plan.rules {
        let kind = match r.direction() {
            Direction::Ingress => "aws_vpc_security_group_ingress_rule",
            Direction::Egress => "aws_vpc_security_group_egress_rule",
        };
        let mut b = Block::new("resource", &[kind, &r.tf]);
        b = b
            .attr("security_group_id", Expr::raw(format!("aws_security_group.{}.id", plan.groups[r.group].tf)));
        b = match r.peer {
            SgPeer::Group(p) => b.attr(
                "referenced_security_group_id",
                Expr::raw(format!("aws_security_group.{}.id", plan.groups[p].tf)),
            ),
            SgPeer::Cidr(IpNet::V4(n)) => b.attr("cidr_ipv4", Expr::str(&n.to_string())),
            SgPeer::Cidr(IpNet::V6(n)) => b.attr("cidr_ipv6", Expr::str(&n.to_string())),
            SgPeer::CloudFront => b.attr("prefix_list_id", Expr::raw("data.aws_ec2_managed_prefix_list.cloudfront.id")),
            SgPeer::EdgeLink => {
                let l = plan.edge.link.as_ref().expect("api-gateway rules come with the link group");
                b.attr("referenced_security_group_id", Expr::raw(format!("aws_security_group.{}.id", l.tf)))
            }
        };
        b = b.attr("ip_protocol", Expr::str(r.protocol));
        if let Some((from, to)) = r.ports {
            b = b.attr("from_port", Expr::num(from)).attr("to_port", Expr::num(to));
        }
        b = b.attr("description", Expr::str(&r.description));
        blocks.push(b);
        skips.push(r.skips.iter().map(|k| format!("#checkov:skip={}:{}", k.check, k.reason)).collect());
    }
    if let Some(l) = &plan.edge.link {
        for r in &plan.edge.link_rules {
            let mut b = Block::new("resource", &["aws_vpc_security_group_egress_rule", &r.tf])
                .attr("security_group_id", Expr::raw(format!("aws_security_group.{}.id", l.tf)))
                .attr("referenced_security_group_id", Expr::raw(format!("aws_security_group.{}.id", plan.groups[r.lb].tf)))
                .attr("ip_protocol", Expr::str(r.protocol));
            if let Some((from, to)) = r.ports {
                b = b.attr("from_port", Expr::num(from)).attr("to_port", Expr::num(to));
            }
            blocks.push(b.attr("description", Expr::str(&r.description)));
            skips.push(r.skips.iter().map(|k| format!("#checkov:skip={}:{}", k.check, k.reason)).collect());
        }
    }
    if blocks.is_empty() {
        return String::new();
    }
    let rendered: Vec<String> = blocks
        .iter()
        .zip(&skips)
        .map(|(b, skips)| {
            let text = b.render(0);
            if skips.is_empty() {
                return text;
            }
            // Checkov reads a skip only inside the resource's block: right after `{`.
            let (head, body) = text.split_once('\n').expect("a block has a first line");
            let comments: String = skips.iter().map(|c| format!("  {c}\n")).collect();
            format!("{head}\n{comments}{body}")
        })
        .collect();
    rendered.join("\n")
}
