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

resource "aws_security_group" "api" {
  name        = "prod-app-api-sg"
  description = "api (containers) in the app tier"
  vpc_id      = var.vpc_id

  tags = merge(var.tags, {
    Name = "prod-app-api-sg"
    Env  = "prod"
    Tier = "app"
    Role = "api"
  })
}

resource "aws_security_group" "cache" {
  name        = "prod-data-cache-sg"
  description = "cache (Redis cache) in the data tier"
  vpc_id      = var.vpc_id

  tags = merge(var.tags, {
    Name = "prod-data-cache-sg"
    Env  = "prod"
    Tier = "data"
    Role = "cache"
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

resource "aws_security_group" "primary-db" {
  name        = "prod-data-primary-db-sg"
  description = "primary-db (PostgreSQL database) in the data tier"
  vpc_id      = var.vpc_id

  tags = merge(var.tags, {
    Name = "prod-data-primary-db-sg"
    Env  = "prod"
    Tier = "data"
    Role = "primary-db"
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

resource "aws_vpc_security_group_ingress_rule" "api_in_from_alb_8080_tcp" {
  security_group_id            = aws_security_group.api.id
  referenced_security_group_id = aws_security_group.alb.id
  ip_protocol                  = "tcp"
  from_port                    = 8080
  to_port                      = 8080
  description                  = "alb to api : 8080/tcp - API traffic - platform team"
}

resource "aws_vpc_security_group_egress_rule" "alb_out_to_api_8080_tcp" {
  security_group_id            = aws_security_group.alb.id
  referenced_security_group_id = aws_security_group.api.id
  ip_protocol                  = "tcp"
  from_port                    = 8080
  to_port                      = 8080
  description                  = "alb to api : 8080/tcp - API traffic - platform team"
}

resource "aws_vpc_security_group_ingress_rule" "cache_in_from_api_6379_tcp" {
  security_group_id            = aws_security_group.cache.id
  referenced_security_group_id = aws_security_group.api.id
  ip_protocol                  = "tcp"
  from_port                    = 6379
  to_port                      = 6379
  description                  = "api to cache : 6379/tcp - per-region session cache - platform team"
}

resource "aws_vpc_security_group_egress_rule" "api_out_to_cache_6379_tcp" {
  security_group_id            = aws_security_group.api.id
  referenced_security_group_id = aws_security_group.cache.id
  ip_protocol                  = "tcp"
  from_port                    = 6379
  to_port                      = 6379
  description                  = "api to cache : 6379/tcp - per-region session cache - platform team"
}

resource "aws_vpc_security_group_ingress_rule" "primary_db_in_from_api_5432_tcp" {
  security_group_id            = aws_security_group.primary-db.id
  referenced_security_group_id = aws_security_group.api.id
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
  description                  = "api to primary-db : 5432/tcp - writes go to the primary region - data team"
}

resource "aws_vpc_security_group_egress_rule" "api_out_to_primary_db_5432_tcp" {
  security_group_id            = aws_security_group.api.id
  referenced_security_group_id = aws_security_group.primary-db.id
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
  description                  = "api to primary-db : 5432/tcp - writes go to the primary region - data team"
}

resource "aws_vpc_security_group_egress_rule" "api_out_to_endpoints_443_tcp" {
  security_group_id            = aws_security_group.api.id
  referenced_security_group_id = aws_security_group.endpoints.id
  ip_protocol                  = "tcp"
  from_port                    = 443
  to_port                      = 443
  description                  = "api to endpoints : 443/tcp - private endpoint access: aws:ec2messages, aws:kms, aws:ssm, aws:ssmmessages, logs, secrets - platform team"
}

resource "aws_vpc_security_group_ingress_rule" "endpoints_in_from_api_443_tcp" {
  security_group_id            = aws_security_group.endpoints.id
  referenced_security_group_id = aws_security_group.api.id
  ip_protocol                  = "tcp"
  from_port                    = 443
  to_port                      = 443
  description                  = "api to endpoints : 443/tcp - private endpoint access: aws:ec2messages, aws:kms, aws:ssm, aws:ssmmessages, logs, secrets - platform team"
}
