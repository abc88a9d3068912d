resource "aws_security_group" "endpoints" {
  name        = "stage-mgmt-endpoints-sg"
  description = "private endpoints of the cloud services the workloads use"
  vpc_id      = var.vpc_id

  tags = merge(var.tags, {
    Name = "stage-mgmt-endpoints-sg"
    Env  = "stage"
    Tier = "mgmt"
    Role = "endpoints"
  })
}

resource "aws_security_group" "runner" {
  name        = "stage-app-runner-sg"
  description = "runner (virtual machines) in the app tier"
  vpc_id      = var.vpc_id

  tags = merge(var.tags, {
    Name = "stage-app-runner-sg"
    Env  = "stage"
    Tier = "app"
    Role = "runner"
  })
}

resource "aws_vpc_security_group_egress_rule" "runner_out_to_endpoints_443_tcp" {
  security_group_id            = aws_security_group.runner.id
  referenced_security_group_id = aws_security_group.endpoints.id
  ip_protocol                  = "tcp"
  from_port                    = 443
  to_port                      = 443
  description                  = "runner to endpoints : 443/tcp - private endpoint access: aws:ec2messages, aws:ecr.dkr, aws:kms, aws:ssm, aws:ssmmessages, logs, monitoring - build team"
}

resource "aws_vpc_security_group_ingress_rule" "endpoints_in_from_runner_443_tcp" {
  security_group_id            = aws_security_group.endpoints.id
  referenced_security_group_id = aws_security_group.runner.id
  ip_protocol                  = "tcp"
  from_port                    = 443
  to_port                      = 443
  description                  = "runner to endpoints : 443/tcp - private endpoint access: aws:ec2messages, aws:ecr.dkr, aws:kms, aws:ssm, aws:ssmmessages, logs, monitoring - build team"
}
