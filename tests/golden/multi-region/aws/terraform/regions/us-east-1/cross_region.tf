variable "peer_region_cidrs" {
  description = "Region -> tier -> IPv4 CIDRs of that tier's subnets, for the rules of cross-region flows (security groups cannot be referenced across regions)."
  type        = map(map(list(string)))
}

resource "aws_vpc_security_group_ingress_rule" "primary_db_in_from_api_5432_tcp_eu_west_1" {
  for_each = toset(var.peer_region_cidrs["eu-west-1"]["app"])

  security_group_id = aws_security_group.primary-db.id
  cidr_ipv4         = each.value
  ip_protocol       = "tcp"
  from_port         = 5432
  to_port           = 5432
  description       = "api in eu-west-1 to primary-db in us-east-1 : 5432/tcp - writes go to the primary region (cross-region: app tier ranges of eu-west-1, groups cannot be referenced across regions) - data team"
}
