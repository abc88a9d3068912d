//! The module frame: provider pins (`versions.tf`), inputs (`variables.tf`) and the
//! group ids it exports (`outputs.tf`).

use crate::hcl::{self, Block, Expr};
use crate::plan::Plan;

/// Terraform releases the module is written for.
pub const TERRAFORM_VERSION: &str = ">= 1.5.0";
/// `aws_vpc_security_group_*_rule` appeared in 5.0; pin a recent 5.x.
pub const AWS_PROVIDER_VERSION: &str = "~> 5.80";

/// `versions.tf`: the pinned versions and the provider configuration.
pub fn versions() -> String {
    let aws = Expr::Object(vec![
        ("source".into(), Expr::str("hashicorp/aws")),
        ("version".into(), Expr::str(AWS_PROVIDER_VERSION)),
    ]);
    let terraform = Block::new("terraform", &[])
        .attr("required_version", Expr::str(TERRAFORM_VERSION))
        .blank()
        .block(Block::new("required_providers", &[]).attr("aws", aws));
    let provider = Block::new("provider", &["aws"]).attr("region", Expr::raw("var.region"));
    hcl::file(&[terraform, provider])
}

fn list_var(name: &str, description: &str) -> Block {
    Block::new("variable", &[name])
        .attr("description", Expr::str(description))
        .attr("type", Expr::raw("list(string)"))
        .attr("default", Expr::raw("[]"))
}

/// `variables.tf`: the VPC, the region (the profile's, or the AWS default), subnets,
/// route tables and extra tags.
pub fn variables(plan: &Plan<'_>) -> String {
    let blocks = [
        Block::new("variable", &["vpc_id"])
            .attr("description", Expr::str("ID of the VPC that holds the security groups."))
            .attr("type", Expr::raw("string")),
        Block::new("variable", &["region"])
            .attr("description", Expr::str("AWS region to deploy into."))
            .attr("type", Expr::raw("string"))
            .attr("default", Expr::str(&plan.region)),
        list_var("public_subnet_ids", "Subnets of the public tier (routed to the internet gateway)."),
        list_var("app_subnet_ids", "Subnets of the app tier (routed to a NAT gateway)."),
        list_var("data_subnet_ids", "Subnets of the data tier (no route to the internet)."),
        list_var("private_route_table_ids", "Route tables of the private subnets."),
        Block::new("variable", &["tags"])
            .attr("description", Expr::str("Tags added to every resource."))
            .attr("type", Expr::raw("map(string)"))
            .attr("default", Expr::raw("{}")),
    ];
    hcl::file(&blocks)
}

/// `outputs.tf`: a map of group id -> security-group id, and one output per group.
pub fn outputs(plan: &Plan<'_>) -> String {
    let map: Vec<(String, Expr)> = plan
        .groups
        .iter()
        .map(|g| (hcl::string(&g.group.id), Expr::raw(format!("aws_security_group.{}.id", g.tf))))
        .collect();
    let mut blocks = vec![Block::new("output", &["security_group_ids"])
        .attr("description", Expr::str("Security-group id of each workload group."))
        .attr("value", if map.is_empty() { Expr::raw("{}") } else { Expr::Object(map) })];
    for g in &plan.groups {
        blocks.push(
            Block::new("output", &[&format!("{}_security_group_id", g.tf)])
                .attr("description", Expr::str(&format!("Security-group id of {}.", g.name)))
                .attr("value", Expr::raw(format!("aws_security_group.{}.id", g.tf))),
        );
    }
    hcl::file(&blocks)
}
