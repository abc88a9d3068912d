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

resource "aws_security_group" "billing" {
  name        = "prod-app-billing-sg"
  description = "billing (containers) in the app tier"
  vpc_id      = var.spoke_finance_vpc_id

  tags = merge(var.tags, {
    Name = "prod-app-billing-sg"
    Env  = "prod"
    Tier = "app"
    Role = "billing"
  })
}

resource "aws_security_group" "billing-db" {
  name        = "prod-data-billing-db-sg"
  description = "billing-db (PostgreSQL database) in the data tier"
  vpc_id      = var.spoke_finance_vpc_id

  tags = merge(var.tags, {
    Name = "prod-data-billing-db-sg"
    Env  = "prod"
    Tier = "data"
    Role = "billing-db"
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

resource "aws_security_group" "reports" {
  name        = "prod-app-reports-sg"
  description = "reports (serverless functions) in the app tier"
  vpc_id      = var.spoke_analytics_vpc_id

  tags = merge(var.tags, {
    Name = "prod-app-reports-sg"
    Env  = "prod"
    Tier = "app"
    Role = "reports"
  })
}

resource "aws_security_group" "warehouse" {
  name        = "prod-data-warehouse-sg"
  description = "warehouse (PostgreSQL database) in the data tier"
  vpc_id      = var.spoke_analytics_vpc_id

  tags = merge(var.tags, {
    Name = "prod-data-warehouse-sg"
    Env  = "prod"
    Tier = "data"
    Role = "warehouse"
  })
}

resource "aws_vpc_security_group_ingress_rule" "alb_in_from_internet_v4_443_tcp" {
  security_group_id = aws_security_group.alb.id
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  description       = "internet to alb : 443/tcp - customer HTTPS - platform team"
}

resource "aws_vpc_security_group_ingress_rule" "alb_in_from_internet_v6_443_tcp" {
  security_group_id = aws_security_group.alb.id
  cidr_ipv6         = "::/0"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  description       = "internet to alb : 443/tcp - customer HTTPS - platform team"
}

resource "aws_vpc_security_group_ingress_rule" "billing_in_from_alb_8080_tcp" {
  security_group_id            = aws_security_group.billing.id
  referenced_security_group_id = aws_security_group.alb.id
  ip_protocol                  = "tcp"
  from_port                    = 8080
  to_port                      = 8080
  description                  = "alb to billing : 8080/tcp - billing API behind the shared load balancer - platform team"
}

resource "aws_vpc_security_group_egress_rule" "alb_out_to_billing_8080_tcp" {
  security_group_id            = aws_security_group.alb.id
  referenced_security_group_id = aws_security_group.billing.id
  ip_protocol                  = "tcp"
  from_port                    = 8080
  to_port                      = 8080
  description                  = "alb to billing : 8080/tcp - billing API behind the shared load balancer - platform team"
}

resource "aws_vpc_security_group_ingress_rule" "billing_db_in_from_billing_5432_tcp" {
  security_group_id            = aws_security_group.billing-db.id
  referenced_security_group_id = aws_security_group.billing.id
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
  description                  = "billing to billing-db : 5432/tcp - invoices and payments - finance team"
}

resource "aws_vpc_security_group_egress_rule" "billing_out_to_billing_db_5432_tcp" {
  security_group_id            = aws_security_group.billing.id
  referenced_security_group_id = aws_security_group.billing-db.id
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
  description                  = "billing to billing-db : 5432/tcp - invoices and payments - finance team"
}

resource "aws_vpc_security_group_ingress_rule" "warehouse_in_from_reports_5432_tcp" {
  security_group_id            = aws_security_group.warehouse.id
  referenced_security_group_id = aws_security_group.reports.id
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
  description                  = "reports to warehouse : 5432/tcp - report queries - analytics team"
}

resource "aws_vpc_security_group_egress_rule" "reports_out_to_warehouse_5432_tcp" {
  security_group_id            = aws_security_group.reports.id
  referenced_security_group_id = aws_security_group.warehouse.id
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
  description                  = "reports to warehouse : 5432/tcp - report queries - analytics team"
}

resource "aws_vpc_security_group_ingress_rule" "billing_db_in_from_reports_5432_tcp" {
  security_group_id            = aws_security_group.billing-db.id
  referenced_security_group_id = aws_security_group.reports.id
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
  description                  = "reports to billing-db : 5432/tcp - nightly read of settled invoices (the one flow between spokes) - analytics team"
}

resource "aws_vpc_security_group_egress_rule" "reports_out_to_billing_db_5432_tcp" {
  security_group_id            = aws_security_group.reports.id
  referenced_security_group_id = aws_security_group.billing-db.id
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
  description                  = "reports to billing-db : 5432/tcp - nightly read of settled invoices (the one flow between spokes) - analytics team"
}

resource "aws_vpc_security_group_egress_rule" "billing_out_to_endpoints_443_tcp" {
  security_group_id            = aws_security_group.billing.id
  referenced_security_group_id = aws_security_group.endpoints.id
  ip_protocol                  = "tcp"
  from_port                    = 443
  to_port                      = 443
  description                  = "billing to endpoints : 443/tcp - private endpoint access: aws:ec2messages, aws:ssm, aws:ssmmessages, kms, logs, secrets - platform team"
}

resource "aws_vpc_security_group_ingress_rule" "endpoints_in_from_billing_443_tcp" {
  security_group_id            = aws_security_group.endpoints.id
  referenced_security_group_id = aws_security_group.billing.id
  ip_protocol                  = "tcp"
  from_port                    = 443
  to_port                      = 443
  description                  = "billing to endpoints : 443/tcp - private endpoint access: aws:ec2messages, aws:ssm, aws:ssmmessages, kms, logs, secrets - platform team"
}

resource "aws_vpc_security_group_egress_rule" "reports_out_to_endpoints_443_tcp" {
  security_group_id            = aws_security_group.reports.id
  referenced_security_group_id = aws_security_group.endpoints.id
  ip_protocol                  = "tcp"
  from_port                    = 443
  to_port                      = 443
  description                  = "reports to endpoints : 443/tcp - private endpoint access: aws:ec2messages, aws:ssm, aws:ssmmessages, kms, logs, secrets - platform team"
}

resource "aws_vpc_security_group_ingress_rule" "endpoints_in_from_reports_443_tcp" {
  security_group_id            = aws_security_group.endpoints.id
  referenced_security_group_id = aws_security_group.reports.id
  ip_protocol                  = "tcp"
  from_port                    = 443
  to_port                      = 443
  description                  = "reports to endpoints : 443/tcp - private endpoint access: aws:ec2messages, aws:ssm, aws:ssmmessages, kms, logs, secrets - platform team"
}
