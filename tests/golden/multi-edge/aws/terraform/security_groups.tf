data "aws_ec2_managed_prefix_list" "cloudfront" {
  name = "com.amazonaws.global.cloudfront.origin-facing"
}

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

resource "aws_security_group" "ecs" {
  name        = "prod-app-ecs-sg"
  description = "ecs (containers) in the app tier"
  vpc_id      = var.vpc_id

  tags = merge(var.tags, {
    Name = "prod-app-ecs-sg"
    Env  = "prod"
    Tier = "app"
    Role = "ecs"
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

resource "aws_security_group" "rds" {
  name        = "prod-data-rds-sg"
  description = "rds (PostgreSQL database) in the data tier"
  vpc_id      = var.vpc_id

  tags = merge(var.tags, {
    Name = "prod-data-rds-sg"
    Env  = "prod"
    Tier = "data"
    Role = "rds"
  })
}

resource "aws_security_group" "redis" {
  name        = "prod-data-redis-sg"
  description = "redis (Redis cache) in the data tier"
  vpc_id      = var.vpc_id

  tags = merge(var.tags, {
    Name = "prod-data-redis-sg"
    Env  = "prod"
    Tier = "data"
    Role = "redis"
  })
}

resource "aws_vpc_security_group_ingress_rule" "alb_in_from_internet_v4_443_tcp" {
  security_group_id = aws_security_group.alb.id
  prefix_list_id    = data.aws_ec2_managed_prefix_list.cloudfront.id
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  description       = "cloudfront to alb : 443/tcp - public site traffic - web team"
}

resource "aws_vpc_security_group_ingress_rule" "ecs_in_from_alb_8080_tcp" {
  security_group_id            = aws_security_group.ecs.id
  referenced_security_group_id = aws_security_group.alb.id
  ip_protocol                  = "tcp"
  from_port                    = 8080
  to_port                      = 8080
  description                  = "alb to ecs : 8080/tcp - request forward - platform team"
}

resource "aws_vpc_security_group_egress_rule" "alb_out_to_ecs_8080_tcp" {
  security_group_id            = aws_security_group.alb.id
  referenced_security_group_id = aws_security_group.ecs.id
  ip_protocol                  = "tcp"
  from_port                    = 8080
  to_port                      = 8080
  description                  = "alb to ecs : 8080/tcp - request forward - platform team"
}

resource "aws_vpc_security_group_ingress_rule" "rds_in_from_ecs_5432_tcp" {
  security_group_id            = aws_security_group.rds.id
  referenced_security_group_id = aws_security_group.ecs.id
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
  description                  = "ecs to rds : 5432/tcp - order service write path - payments team"
}

resource "aws_vpc_security_group_egress_rule" "ecs_out_to_rds_5432_tcp" {
  security_group_id            = aws_security_group.ecs.id
  referenced_security_group_id = aws_security_group.rds.id
  ip_protocol                  = "tcp"
  from_port                    = 5432
  to_port                      = 5432
  description                  = "ecs to rds : 5432/tcp - order service write path - payments team"
}

resource "aws_vpc_security_group_ingress_rule" "redis_in_from_ecs_6379_tcp" {
  security_group_id            = aws_security_group.redis.id
  referenced_security_group_id = aws_security_group.ecs.id
  ip_protocol                  = "tcp"
  from_port                    = 6379
  to_port                      = 6379
  description                  = "ecs to redis : 6379/tcp - session cache - platform team"
}

resource "aws_vpc_security_group_egress_rule" "ecs_out_to_redis_6379_tcp" {
  security_group_id            = aws_security_group.ecs.id
  referenced_security_group_id = aws_security_group.redis.id
  ip_protocol                  = "tcp"
  from_port                    = 6379
  to_port                      = 6379
  description                  = "ecs to redis : 6379/tcp - session cache - platform team"
}

resource "aws_vpc_security_group_egress_rule" "ecs_out_to_13_55_0_0_16_443_tcp" {
  security_group_id = aws_security_group.ecs.id
  cidr_ipv4         = "13.55.0.0/16"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  description       = "ecs to 13.55.0.0/16 : 443/tcp - Stripe API payment webhooks - payments team"
}

resource "aws_vpc_security_group_egress_rule" "ecs_out_to_endpoints_443_tcp" {
  security_group_id            = aws_security_group.ecs.id
  referenced_security_group_id = aws_security_group.endpoints.id
  ip_protocol                  = "tcp"
  from_port                    = 443
  to_port                      = 443
  description                  = "ecs to endpoints : 443/tcp - private endpoint access: aws:ec2messages, aws:ssm, aws:ssmmessages, container-registry, kms, logs, object-storage, secrets, sts - platform team"
}

resource "aws_vpc_security_group_ingress_rule" "endpoints_in_from_ecs_443_tcp" {
  security_group_id            = aws_security_group.endpoints.id
  referenced_security_group_id = aws_security_group.ecs.id
  ip_protocol                  = "tcp"
  from_port                    = 443
  to_port                      = 443
  description                  = "ecs to endpoints : 443/tcp - private endpoint access: aws:ec2messages, aws:ssm, aws:ssmmessages, container-registry, kms, logs, object-storage, secrets, sts - platform team"
}
