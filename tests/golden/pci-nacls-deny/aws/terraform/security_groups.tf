resource "aws_security_group" "alb" {
  name        = "prod-public-alb-sg"
  description = "alb (load balancer) in the public tier"
  vpc_id      = var.vpc_id

  tags = merge(var.tags, {
    Name = "prod-public-alb-sg"
    Env  = "prod"
    Tier = "public"
    Role = "alb"
  })
}

resource "aws_security_group" "builder" {
  name        = "prod-mgmt-builder-sg"
  description = "builder (virtual machines) in the mgmt tier"
  vpc_id      = var.vpc_id

  tags = merge(var.tags, {
    Name = "prod-mgmt-builder-sg"
    Env  = "prod"
    Tier = "mgmt"
    Role = "builder"
  })
}

resource "aws_security_group" "endpoints" {
  name        = "prod-mgmt-endpoints-sg"
  description = "private endpoints of the cloud services the workloads use"
  vpc_id      = var.vpc_id

  tags = merge(var.tags, {
    Name = "prod-mgmt-endpoints-sg"
    Env  = "prod"
    Tier = "mgmt"
    Role = "endpoints"
  })
}

resource "aws_security_group" "pay" {
  name        = "prod-app-pay-sg"
  description = "pay (Kubernetes workloads) in the app tier"
  vpc_id      = var.vpc_id

  tags = merge(var.tags, {
    Name = "prod-app-pay-sg"
    Env  = "prod"
    Tier = "app"
    Role = "pay"
  })
}

resource "aws_security_group" "vault" {
  name        = "prod-data-vault-sg"
  description = "vault (PostgreSQL database) in the data tier"
  vpc_id      = var.vpc_id

  tags = merge(var.tags, {
    Name = "prod-data-vault-sg"
    Env  = "prod"
    Tier = "data"
    Role = "vault"
  })
}

resource "aws_vpc_security_group_ingress_rule" "alb_in_from_internet_v4_443_tcp" {
  security_group_id = aws_security_group.alb.id
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  description       = "internet to alb : 443/tcp - card payment API - card platform team"
}

resource "aws_vpc_security_group_ingress_rule" "alb_in_from_internet_v6_443_tcp" {
  security_group_id = aws_security_group.alb.id
  cidr_ipv6         = "::/0"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  description       = "internet to alb : 443/tcp - card payment API - card platform team"
}

resource "aws_vpc_security_group_ingress_rule" "alb_in_from_monitoring_192_0_2_64_26_icmp" {
  security_group_id = aws_security_group.alb.id
  cidr_ipv4         = "192.0.2.64/26"
  ip_protocol       = "icmp"
  from_port         = -1
  to_port           = -1
  description       = "monitoring to alb : icmp - uptime probes - card platform team"
}

resource "aws_vpc_security_group_ingress_rule" "pay_in_from_alb_8443_tcp" {
  security_group_id            = aws_security_group.pay.id
  referenced_security_group_id = aws_security_group.alb.id
  ip_protocol                  = "tcp"
  from_port                    = 8443
  to_port                      = 8443
  description                  = "alb to pay : 8443/tcp - payment requests over TLS - card platform team"
}

resource "aws_vpc_security_group_egress_rule" "alb_out_to_pay_8443_tcp" {
  security_group_id            = aws_security_group.alb.id
  referenced_security_group_id = aws_security_group.pay.id
  ip_protocol                  = "tcp"
  from_port                    = 8443
  to_port                      = 8443
  description                  = "alb to pay : 8443/tcp - payment requests over TLS - card platform team"
}

resource "aws_vpc_security_group_ingress_rule" "vault_in_from_pay_5432_tcp" {
  security_group_id            = aws_security_group.vault.id
  referenced_security_group_id = aws_security_group.pay.id
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
  description                  = "pay to vault : 5432/tcp - card token vault - card platform team"
}

resource "aws_vpc_security_group_egress_rule" "pay_out_to_vault_5432_tcp" {
  security_group_id            = aws_security_group.pay.id
  referenced_security_group_id = aws_security_group.vault.id
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
  description                  = "pay to vault : 5432/tcp - card token vault - card platform team"
}

resource "aws_vpc_security_group_ingress_rule" "pay_in_from_builder_9000_tcp" {
  security_group_id            = aws_security_group.pay.id
  referenced_security_group_id = aws_security_group.builder.id
  ip_protocol                  = "tcp"
  from_port                    = 9000
  to_port                      = 9000
  description                  = "builder to pay : 9000/tcp - deployment agent - card platform team"
}

resource "aws_vpc_security_group_egress_rule" "builder_out_to_pay_9000_tcp" {
  security_group_id            = aws_security_group.builder.id
  referenced_security_group_id = aws_security_group.pay.id
  ip_protocol                  = "tcp"
  from_port                    = 9000
  to_port                      = 9000
  description                  = "builder to pay : 9000/tcp - deployment agent - card platform team"
}

resource "aws_vpc_security_group_egress_rule" "pay_out_to_resolver_198_51_100_53_32_53_udp" {
  security_group_id = aws_security_group.pay.id
  cidr_ipv4         = "198.51.100.53/32"
  ip_protocol       = "udp"
  from_port         = 53
  to_port           = 53
  description       = "pay to resolver : 53/udp - card network DNS - card platform team"
}

resource "aws_vpc_security_group_egress_rule" "builder_out_to_endpoints_443_tcp" {
  security_group_id            = aws_security_group.builder.id
  referenced_security_group_id = aws_security_group.endpoints.id
  ip_protocol                  = "tcp"
  from_port                    = 443
  to_port                      = 443
  description                  = "builder to endpoints : 443/tcp - private endpoint access: aws:ec2messages, aws:kms, aws:logs, aws:ssm, aws:ssmmessages - card platform team"
}

resource "aws_vpc_security_group_ingress_rule" "endpoints_in_from_builder_443_tcp" {
  security_group_id            = aws_security_group.endpoints.id
  referenced_security_group_id = aws_security_group.builder.id
  ip_protocol                  = "tcp"
  from_port                    = 443
  to_port                      = 443
  description                  = "builder to endpoints : 443/tcp - private endpoint access: aws:ec2messages, aws:kms, aws:logs, aws:ssm, aws:ssmmessages - card platform team"
}

resource "aws_vpc_security_group_egress_rule" "pay_out_to_endpoints_443_tcp" {
  security_group_id            = aws_security_group.pay.id
  referenced_security_group_id = aws_security_group.endpoints.id
  ip_protocol                  = "tcp"
  from_port                    = 443
  to_port                      = 443
  description                  = "pay to endpoints : 443/tcp - private endpoint access: aws:ec2messages, aws:kms, aws:logs, aws:ssm, aws:ssmmessages - card platform team"
}

resource "aws_vpc_security_group_ingress_rule" "endpoints_in_from_pay_443_tcp" {
  security_group_id            = aws_security_group.endpoints.id
  referenced_security_group_id = aws_security_group.pay.id
  ip_protocol                  = "tcp"
  from_port                    = 443
  to_port                      = 443
  description                  = "pay to endpoints : 443/tcp - private endpoint access: aws:ec2messages, aws:kms, aws:logs, aws:ssm, aws:ssmmessages - card platform team"
}
