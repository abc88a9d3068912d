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

resource "aws_security_group" "ledger" {
  name        = "prod-data-ledger-sg"
  description = "ledger (PostgreSQL database) in the data tier"
  vpc_id      = var.vpc_id

  tags = merge(var.tags, {
    Name = "prod-data-ledger-sg"
    Env  = "prod"
    Tier = "data"
    Role = "ledger"
  })
}

resource "aws_security_group" "workers" {
  name        = "prod-app-workers-sg"
  description = "workers (virtual machines) in the app tier"
  vpc_id      = var.vpc_id

  tags = merge(var.tags, {
    Name = "prod-app-workers-sg"
    Env  = "prod"
    Tier = "app"
    Role = "workers"
  })
}

resource "aws_vpc_security_group_ingress_rule" "alb_in_from_internet_v4_443_tcp" {
  security_group_id = aws_security_group.alb.id
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  description       = "internet to alb : 443/tcp - invoice portal traffic - billing platform team"
}

resource "aws_vpc_security_group_ingress_rule" "alb_in_from_internet_v6_443_tcp" {
  security_group_id = aws_security_group.alb.id
  cidr_ipv6         = "::/0"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  description       = "internet to alb : 443/tcp - invoice portal traffic - billing platform team"
}

resource "aws_vpc_security_group_ingress_rule" "workers_in_from_alb_8443_tcp" {
  security_group_id            = aws_security_group.workers.id
  referenced_security_group_id = aws_security_group.alb.id
  ip_protocol                  = "tcp"
  from_port                    = 8443
  to_port                      = 8443
  description                  = "alb to workers : 8443/tcp - TLS to the invoice service - billing platform team"
}

resource "aws_vpc_security_group_egress_rule" "alb_out_to_workers_8443_tcp" {
  security_group_id            = aws_security_group.alb.id
  referenced_security_group_id = aws_security_group.workers.id
  ip_protocol                  = "tcp"
  from_port                    = 8443
  to_port                      = 8443
  description                  = "alb to workers : 8443/tcp - TLS to the invoice service - billing platform team"
}

resource "aws_vpc_security_group_ingress_rule" "ledger_in_from_workers_5432_tcp" {
  security_group_id            = aws_security_group.ledger.id
  referenced_security_group_id = aws_security_group.workers.id
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
  description                  = "workers to ledger : 5432/tcp - ledger reads and writes - billing platform team"
}

resource "aws_vpc_security_group_egress_rule" "workers_out_to_ledger_5432_tcp" {
  security_group_id            = aws_security_group.workers.id
  referenced_security_group_id = aws_security_group.ledger.id
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
  description                  = "workers to ledger : 5432/tcp - ledger reads and writes - billing platform team"
}

resource "aws_vpc_security_group_egress_rule" "workers_out_to_endpoints_443_tcp" {
  security_group_id            = aws_security_group.workers.id
  referenced_security_group_id = aws_security_group.endpoints.id
  ip_protocol                  = "tcp"
  from_port                    = 443
  to_port                      = 443
  description                  = "workers to endpoints : 443/tcp - private endpoint access: aws:ec2messages, aws:kms, aws:logs, aws:ssm, aws:ssmmessages - billing platform team"
}

resource "aws_vpc_security_group_ingress_rule" "endpoints_in_from_workers_443_tcp" {
  security_group_id            = aws_security_group.endpoints.id
  referenced_security_group_id = aws_security_group.workers.id
  ip_protocol                  = "tcp"
  from_port                    = 443
  to_port                      = 443
  description                  = "workers to endpoints : 443/tcp - private endpoint access: aws:ec2messages, aws:kms, aws:logs, aws:ssm, aws:ssmmessages - billing platform team"
}
