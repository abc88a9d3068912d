variable "hub_tgw_subnet_ids" {
  description = "Subnets of the hub VPC (var.vpc_id) for its transit gateway attachment, one per AZ (small dedicated subnets are best)."
  type        = list(string)
}

variable "hub_route_table_ids" {
  description = "Route tables of the hub VPC whose subnets answer the spokes (endpoint, firewall and workload subnets): each gets a route to every spoke CIDR through the transit gateway."
  type        = list(string)
}

variable "spoke_finance_vpc_id" {
  description = "VPC of spoke finance: holds the security groups of its workloads."
  type        = string
}

variable "spoke_finance_tgw_subnet_ids" {
  description = "Subnets of spoke finance for its transit gateway attachment, one per AZ."
  type        = list(string)
}

variable "spoke_finance_route_table_ids" {
  description = "Route tables of spoke finance: their default route goes to the transit gateway (to the hub)."
  type        = list(string)
}

variable "spoke_analytics_vpc_id" {
  description = "VPC of spoke analytics: holds the security groups of its workloads."
  type        = string
}

variable "spoke_analytics_tgw_subnet_ids" {
  description = "Subnets of spoke analytics for its transit gateway attachment, one per AZ."
  type        = list(string)
}

variable "spoke_analytics_route_table_ids" {
  description = "Route tables of spoke analytics: their default route goes to the transit gateway (to the hub)."
  type        = list(string)
}

resource "aws_ec2_transit_gateway" "hub" {
  description                        = "prod-platform hub and spoke: spokes reach only the hub"
  default_route_table_association    = "disable"
  default_route_table_propagation    = "disable"
  auto_accept_shared_attachments     = "disable"
  dns_support                        = "enable"
  security_group_referencing_support = "enable"

  tags = merge(var.tags, {
    Name = "prod-platform-tgw"
    Env  = "prod"
  })
}

resource "aws_ec2_transit_gateway_route_table" "hub" {
  transit_gateway_id = aws_ec2_transit_gateway.hub.id

  tags = merge(var.tags, {
    Name = "prod-platform-tgw-hub"
    Env  = "prod"
  })
}

resource "aws_ec2_transit_gateway_route_table" "spokes" {
  transit_gateway_id = aws_ec2_transit_gateway.hub.id

  tags = merge(var.tags, {
    Name = "prod-platform-tgw-spokes"
    Env  = "prod"
  })
}

resource "aws_ec2_transit_gateway_vpc_attachment" "hub" {
  transit_gateway_id                              = aws_ec2_transit_gateway.hub.id
  vpc_id                                          = var.vpc_id
  subnet_ids                                      = var.hub_tgw_subnet_ids
  transit_gateway_default_route_table_association = false
  transit_gateway_default_route_table_propagation = false
  dns_support                                     = "enable"
  security_group_referencing_support              = "enable"
  appliance_mode_support                          = "enable"

  tags = merge(var.tags, {
    Name = "prod-platform-tgw-hub"
    Env  = "prod"
  })
}

resource "aws_ec2_transit_gateway_route_table_association" "hub" {
  transit_gateway_attachment_id  = aws_ec2_transit_gateway_vpc_attachment.hub.id
  transit_gateway_route_table_id = aws_ec2_transit_gateway_route_table.hub.id
}

resource "aws_ec2_transit_gateway_route" "spokes_default_to_hub" {
  destination_cidr_block         = "0.0.0.0/0"
  transit_gateway_attachment_id  = aws_ec2_transit_gateway_vpc_attachment.hub.id
  transit_gateway_route_table_id = aws_ec2_transit_gateway_route_table.spokes.id
}

resource "aws_ec2_transit_gateway_vpc_attachment" "spoke_finance" {
  transit_gateway_id                              = aws_ec2_transit_gateway.hub.id
  vpc_id                                          = var.spoke_finance_vpc_id
  subnet_ids                                      = var.spoke_finance_tgw_subnet_ids
  transit_gateway_default_route_table_association = false
  transit_gateway_default_route_table_propagation = false
  dns_support                                     = "enable"
  security_group_referencing_support              = "enable"

  tags = merge(var.tags, {
    Name = "prod-platform-tgw-spoke-finance"
    Env  = "prod"
  })
}

resource "aws_ec2_transit_gateway_route_table_association" "spoke_finance" {
  transit_gateway_attachment_id  = aws_ec2_transit_gateway_vpc_attachment.spoke_finance.id
  transit_gateway_route_table_id = aws_ec2_transit_gateway_route_table.spokes.id
}

resource "aws_ec2_transit_gateway_route_table_propagation" "spoke_finance" {
  transit_gateway_attachment_id  = aws_ec2_transit_gateway_vpc_attachment.spoke_finance.id
  transit_gateway_route_table_id = aws_ec2_transit_gateway_route_table.hub.id
}

data "aws_vpc" "spoke_finance" {
  id = var.spoke_finance_vpc_id
}

resource "aws_route" "spoke_finance_default_to_tgw" {
  for_each = toset(var.spoke_finance_route_table_ids)

  route_table_id         = each.value
  destination_cidr_block = "0.0.0.0/0"
  transit_gateway_id     = aws_ec2_transit_gateway.hub.id

  depends_on = [aws_ec2_transit_gateway_vpc_attachment.spoke_finance]
}

resource "aws_route" "hub_to_spoke_finance" {
  for_each = toset(var.hub_route_table_ids)

  route_table_id         = each.value
  destination_cidr_block = data.aws_vpc.spoke_finance.cidr_block
  transit_gateway_id     = aws_ec2_transit_gateway.hub.id

  depends_on = [aws_ec2_transit_gateway_vpc_attachment.hub]
}

resource "aws_ec2_transit_gateway_vpc_attachment" "spoke_analytics" {
  transit_gateway_id                              = aws_ec2_transit_gateway.hub.id
  vpc_id                                          = var.spoke_analytics_vpc_id
  subnet_ids                                      = var.spoke_analytics_tgw_subnet_ids
  transit_gateway_default_route_table_association = false
  transit_gateway_default_route_table_propagation = false
  dns_support                                     = "enable"
  security_group_referencing_support              = "enable"

  tags = merge(var.tags, {
    Name = "prod-platform-tgw-spoke-analytics"
    Env  = "prod"
  })
}

resource "aws_ec2_transit_gateway_route_table_association" "spoke_analytics" {
  transit_gateway_attachment_id  = aws_ec2_transit_gateway_vpc_attachment.spoke_analytics.id
  transit_gateway_route_table_id = aws_ec2_transit_gateway_route_table.spokes.id
}

resource "aws_ec2_transit_gateway_route_table_propagation" "spoke_analytics" {
  transit_gateway_attachment_id  = aws_ec2_transit_gateway_vpc_attachment.spoke_analytics.id
  transit_gateway_route_table_id = aws_ec2_transit_gateway_route_table.hub.id
}

data "aws_vpc" "spoke_analytics" {
  id = var.spoke_analytics_vpc_id
}

resource "aws_route" "spoke_analytics_default_to_tgw" {
  for_each = toset(var.spoke_analytics_route_table_ids)

  route_table_id         = each.value
  destination_cidr_block = "0.0.0.0/0"
  transit_gateway_id     = aws_ec2_transit_gateway.hub.id

  depends_on = [aws_ec2_transit_gateway_vpc_attachment.spoke_analytics]
}

resource "aws_route" "hub_to_spoke_analytics" {
  for_each = toset(var.hub_route_table_ids)

  route_table_id         = each.value
  destination_cidr_block = data.aws_vpc.spoke_analytics.cidr_block
  transit_gateway_id     = aws_ec2_transit_gateway.hub.id

  depends_on = [aws_ec2_transit_gateway_vpc_attachment.hub]
}

output "transit_gateway_id" {
  description = "The hub-and-spoke transit gateway."
  value       = aws_ec2_transit_gateway.hub.id
}
