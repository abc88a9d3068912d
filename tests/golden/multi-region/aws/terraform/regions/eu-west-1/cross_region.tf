variable "peer_region_cidrs" {
  description = "Region -> tier -> IPv4 CIDRs of that tier's subnets, for the rules of cross-region flows (security groups cannot be referenced across regions)."
  type        = map(map(list(string)))
}

resource "aws_vpc_security_group_egress_rule" "api_out_to_primary_db_5432_tcp_us_east_1" {
  for_each = toset(var.peer_region_cidrs["us-east-1"]["data"])

  security_group_id = aws_security_group.api.id
  cidr_ipv4         = each.value
  ip_protocol       = "tcp"
  from_port         = 5432
  to_port           = 5432
  description       = "api in eu-west-1 to primary-db in us-east-1 : 5432/tcp - writes go to the primary region (cross-region: data tier ranges of us-east-1, groups cannot be referenced across regions) - data team"
}
