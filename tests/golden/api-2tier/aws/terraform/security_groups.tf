resource "aws_security_group" "api" {
  name        = "staging-app-api-sg"
  description = "api (virtual machines) in the app tier"
  vpc_id      = var.vpc_id

  tags = merge(var.tags, {
    Name = "staging-app-api-sg"
    Env  = "staging"
    Tier = "app"
    Role = "api"
  })
}

resource "aws_security_group" "endpoints" {
  name        = "staging-mgmt-endpoints-sg"
  description = "private endpoints of the cloud services the workloads use"
  vpc_id      = var.vpc_id

  tags = merge(var.tags, {
    Name = "staging-mgmt-endpoints-sg"
    Env  = "staging"
    Tier = "mgmt"
    Role = "endpoints"
  })
}

resource "aws_security_group" "mysql" {
  name        = "staging-data-mysql-sg"
  description = "mysql (MySQL database) in the data tier"
  vpc_id      = var.vpc_id

  tags = merge(var.tags, {
    Name = "staging-data-mysql-sg"
    Env  = "staging"
    Tier = "data"
    Role = "mysql"
  })
}

resource "aws_security_group" "nlb" {
  name        = "staging-public-nlb-sg"
  description = "nlb (load balancer) in the public tier"
  vpc_id      = var.vpc_id

  tags = merge(var.tags, {
    Name = "staging-public-nlb-sg"
    Env  = "staging"
    Tier = "public"
    Role = "nlb"
  })
}

resource "aws_vpc_security_group_ingress_rule" "nlb_in_from_internet_v4_443_tcp" {
  security_group_id = aws_security_group.nlb.id
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  description       = "internet to nlb : 443/tcp - public API traffic - integrations team"
}

resource "aws_vpc_security_group_ingress_rule" "nlb_in_from_internet_v6_443_tcp" {
  security_group_id = aws_security_group.nlb.id
  cidr_ipv6         = "::/0"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  description       = "internet to nlb : 443/tcp - public API traffic - integrations team"
}

resource "aws_vpc_security_group_ingress_rule" "nlb_in_from_partner_198_51_100_0_24_8443_tcp" {
  security_group_id = aws_security_group.nlb.id
  cidr_ipv4         = "198.51.100.0/24"
  ip_protocol       = "tcp"
  from_port         = 8443
  to_port           = 8443
  description       = "partner to nlb : 8443/tcp - partner settlement callbacks over mutual TLS - settlement team"
}

resource "aws_vpc_security_group_ingress_rule" "nlb_in_from_partner_203_0_113_128_25_8443_tcp" {
  security_group_id = aws_security_group.nlb.id
  cidr_ipv4         = "203.0.113.128/25"
  ip_protocol       = "tcp"
  from_port         = 8443
  to_port           = 8443
  description       = "partner to nlb : 8443/tcp - partner settlement callbacks over mutual TLS - settlement team"
}

resource "aws_vpc_security_group_ingress_rule" "api_in_from_nlb_8080_8081_tcp" {
  security_group_id            = aws_security_group.api.id
  referenced_security_group_id = aws_security_group.nlb.id
  ip_protocol                  = "tcp"
  from_port                    = 8080
  to_port                      = 8081
  description                  = "nlb to api : 8080-8081/tcp - API and health-check traffic - integrations team"
}

resource "aws_vpc_security_group_egress_rule" "nlb_out_to_api_8080_8081_tcp" {
  security_group_id            = aws_security_group.nlb.id
  referenced_security_group_id = aws_security_group.api.id
  ip_protocol                  = "tcp"
  from_port                    = 8080
  to_port                      = 8081
  description                  = "nlb to api : 8080-8081/tcp - API and health-check traffic - integrations team"
}

resource "aws_vpc_security_group_ingress_rule" "mysql_in_from_api_3306_tcp" {
  security_group_id            = aws_security_group.mysql.id
  referenced_security_group_id = aws_security_group.api.id
  ip_protocol                  = "tcp"
  from_port                    = 3306
  to_port                      = 3306
  description                  = "api to mysql : 3306/tcp - ledger reads and writes - settlement team"
}

resource "aws_vpc_security_group_egress_rule" "api_out_to_mysql_3306_tcp" {
  security_group_id            = aws_security_group.api.id
  referenced_security_group_id = aws_security_group.mysql.id
  ip_protocol                  = "tcp"
  from_port                    = 3306
  to_port                      = 3306
  description                  = "api to mysql : 3306/tcp - ledger reads and writes - settlement team"
}

resource "aws_vpc_security_group_egress_rule" "api_out_to_192_0_2_0_24_443_tcp" {
  security_group_id = aws_security_group.api.id
  cidr_ipv4         = "192.0.2.0/24"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  description       = "api to 192.0.2.0/24 : 443/tcp - card processor API - payments team"
}

resource "aws_vpc_security_group_egress_rule" "api_out_to_endpoints_443_tcp" {
  security_group_id            = aws_security_group.api.id
  referenced_security_group_id = aws_security_group.endpoints.id
  ip_protocol                  = "tcp"
  from_port                    = 443
  to_port                      = 443
  description                  = "api to endpoints : 443/tcp - private endpoint access: aws:ec2messages, aws:ssm, aws:ssmmessages, kms, logs, secrets - integrations team"
}

resource "aws_vpc_security_group_ingress_rule" "endpoints_in_from_api_443_tcp" {
  security_group_id            = aws_security_group.endpoints.id
  referenced_security_group_id = aws_security_group.api.id
  ip_protocol                  = "tcp"
  from_port                    = 443
  to_port                      = 443
  description                  = "api to endpoints : 443/tcp - private endpoint access: aws:ec2messages, aws:ssm, aws:ssmmessages, kms, logs, secrets - integrations team"
}
