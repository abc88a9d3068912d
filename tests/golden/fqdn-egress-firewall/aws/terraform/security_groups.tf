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

resource "aws_security_group" "worker" {
  name        = "prod-app-worker-sg"
  description = "worker (containers) in the app tier"
  vpc_id      = var.vpc_id

  tags = merge(var.tags, {
    Name = "prod-app-worker-sg"
    Env  = "prod"
    Tier = "app"
    Role = "worker"
  })
}

resource "aws_vpc_security_group_ingress_rule" "alb_in_from_internet_v4_443_tcp" {
  security_group_id = aws_security_group.alb.id
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  description       = "internet to alb : 443/tcp - public API traffic - payments team"
}

resource "aws_vpc_security_group_ingress_rule" "alb_in_from_internet_v6_443_tcp" {
  security_group_id = aws_security_group.alb.id
  cidr_ipv6         = "::/0"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  description       = "internet to alb : 443/tcp - public API traffic - payments team"
}

resource "aws_vpc_security_group_ingress_rule" "api_in_from_alb_8443_tcp" {
  security_group_id            = aws_security_group.api.id
  referenced_security_group_id = aws_security_group.alb.id
  ip_protocol                  = "tcp"
  from_port                    = 8443
  to_port                      = 8443
  description                  = "alb to api : 8443/tcp - request forward - payments team"
}

resource "aws_vpc_security_group_egress_rule" "alb_out_to_api_8443_tcp" {
  security_group_id            = aws_security_group.alb.id
  referenced_security_group_id = aws_security_group.api.id
  ip_protocol                  = "tcp"
  from_port                    = 8443
  to_port                      = 8443
  description                  = "alb to api : 8443/tcp - request forward - payments team"
}

resource "aws_vpc_security_group_egress_rule" "api_out_to_endpoints_443_tcp" {
  security_group_id            = aws_security_group.api.id
  referenced_security_group_id = aws_security_group.endpoints.id
  ip_protocol                  = "tcp"
  from_port                    = 443
  to_port                      = 443
  description                  = "api to endpoints : 443/tcp - private endpoint access: aws:ec2messages, aws:logs, aws:ssm, aws:ssmmessages, container-registry, gcp:storage, kms, object-storage, queue, secrets - payments team"
}

resource "aws_vpc_security_group_ingress_rule" "endpoints_in_from_api_443_tcp" {
  security_group_id            = aws_security_group.endpoints.id
  referenced_security_group_id = aws_security_group.api.id
  ip_protocol                  = "tcp"
  from_port                    = 443
  to_port                      = 443
  description                  = "api to endpoints : 443/tcp - private endpoint access: aws:ec2messages, aws:logs, aws:ssm, aws:ssmmessages, container-registry, gcp:storage, kms, object-storage, queue, secrets - payments team"
}

resource "aws_vpc_security_group_egress_rule" "worker_out_to_endpoints_443_tcp" {
  security_group_id            = aws_security_group.worker.id
  referenced_security_group_id = aws_security_group.endpoints.id
  ip_protocol                  = "tcp"
  from_port                    = 443
  to_port                      = 443
  description                  = "worker to endpoints : 443/tcp - private endpoint access: aws:ec2messages, aws:logs, aws:ssm, aws:ssmmessages, container-registry, gcp:storage, kms, object-storage, queue, secrets - payments team"
}

resource "aws_vpc_security_group_ingress_rule" "endpoints_in_from_worker_443_tcp" {
  security_group_id            = aws_security_group.endpoints.id
  referenced_security_group_id = aws_security_group.worker.id
  ip_protocol                  = "tcp"
  from_port                    = 443
  to_port                      = 443
  description                  = "worker to endpoints : 443/tcp - private endpoint access: aws:ec2messages, aws:logs, aws:ssm, aws:ssmmessages, container-registry, gcp:storage, kms, object-storage, queue, secrets - payments team"
}
