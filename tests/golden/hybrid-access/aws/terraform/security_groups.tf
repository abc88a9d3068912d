resource "aws_security_group" "api" {
  name        = "prod-app-api-sg"
  description = "api (virtual machines) in the app tier"
  vpc_id      = var.vpc_id

  tags = merge(var.tags, {
    Name = "prod-app-api-sg"
    Env  = "prod"
    Tier = "app"
    Role = "api"
  })
}

resource "aws_security_group" "client-vpn" {
  name        = "prod-mgmt-client-vpn-sg"
  description = "Client VPN endpoint: operator connections from the VPN pool 172.20.0.0/16"
  vpc_id      = var.vpc_id

  tags = merge(var.tags, {
    Name = "prod-mgmt-client-vpn-sg"
    Env  = "prod"
    Tier = "mgmt"
    Role = "client-vpn"
  })
}

resource "aws_security_group" "edge" {
  name        = "prod-public-edge-sg"
  description = "edge (load balancer) in the public tier"
  vpc_id      = var.vpc_id

  tags = merge(var.tags, {
    Name = "prod-public-edge-sg"
    Env  = "prod"
    Tier = "public"
    Role = "edge"
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

resource "aws_security_group" "warehouse" {
  name        = "prod-data-warehouse-sg"
  description = "warehouse (PostgreSQL database) in the data tier"
  vpc_id      = var.vpc_id

  tags = merge(var.tags, {
    Name = "prod-data-warehouse-sg"
    Env  = "prod"
    Tier = "data"
    Role = "warehouse"
  })
}

resource "aws_vpc_security_group_ingress_rule" "edge_in_from_internet_v4_443_tcp" {
  security_group_id = aws_security_group.edge.id
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  description       = "internet to edge : 443/tcp - API traffic - platform team"
}

resource "aws_vpc_security_group_ingress_rule" "edge_in_from_internet_v6_443_tcp" {
  security_group_id = aws_security_group.edge.id
  cidr_ipv6         = "::/0"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  description       = "internet to edge : 443/tcp - API traffic - platform team"
}

resource "aws_vpc_security_group_ingress_rule" "api_in_from_edge_8443_tcp" {
  security_group_id            = aws_security_group.api.id
  referenced_security_group_id = aws_security_group.edge.id
  ip_protocol                  = "tcp"
  from_port                    = 8443
  to_port                      = 8443
  description                  = "edge to api : 8443/tcp - TLS to the API - platform team"
}

resource "aws_vpc_security_group_egress_rule" "edge_out_to_api_8443_tcp" {
  security_group_id            = aws_security_group.edge.id
  referenced_security_group_id = aws_security_group.api.id
  ip_protocol                  = "tcp"
  from_port                    = 8443
  to_port                      = 8443
  description                  = "edge to api : 8443/tcp - TLS to the API - platform team"
}

resource "aws_vpc_security_group_ingress_rule" "warehouse_in_from_api_5432_tcp" {
  security_group_id            = aws_security_group.warehouse.id
  referenced_security_group_id = aws_security_group.api.id
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
  description                  = "api to warehouse : 5432/tcp - reporting queries - platform team"
}

resource "aws_vpc_security_group_egress_rule" "api_out_to_warehouse_5432_tcp" {
  security_group_id            = aws_security_group.api.id
  referenced_security_group_id = aws_security_group.warehouse.id
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
  description                  = "api to warehouse : 5432/tcp - reporting queries - platform team"
}

resource "aws_vpc_security_group_egress_rule" "api_out_to_endpoints_443_tcp" {
  security_group_id            = aws_security_group.api.id
  referenced_security_group_id = aws_security_group.endpoints.id
  ip_protocol                  = "tcp"
  from_port                    = 443
  to_port                      = 443
  description                  = "api to endpoints : 443/tcp - private endpoint access: aws:ec2messages, aws:kms, aws:logs, aws:ssm, aws:ssmmessages - platform team"
}

resource "aws_vpc_security_group_ingress_rule" "endpoints_in_from_api_443_tcp" {
  security_group_id            = aws_security_group.endpoints.id
  referenced_security_group_id = aws_security_group.api.id
  ip_protocol                  = "tcp"
  from_port                    = 443
  to_port                      = 443
  description                  = "api to endpoints : 443/tcp - private endpoint access: aws:ec2messages, aws:kms, aws:logs, aws:ssm, aws:ssmmessages - platform team"
}

resource "aws_vpc_security_group_egress_rule" "access_vpn_warehouse_out_5432_tcp" {
  security_group_id            = aws_security_group.client-vpn.id
  referenced_security_group_id = aws_security_group.warehouse.id
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
  description                  = "client-vpn to warehouse : 5432/tcp - operator administration over the client VPN - platform team"
}

resource "aws_vpc_security_group_ingress_rule" "access_vpn_warehouse_in_5432_tcp" {
  security_group_id            = aws_security_group.warehouse.id
  referenced_security_group_id = aws_security_group.client-vpn.id
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
  description                  = "client-vpn to warehouse : 5432/tcp - operator administration over the client VPN - platform team"
}
