# Adopts the VPC's default security group and removes every rule it holds: no
# ingress or egress block means no rule (CKV2_AWS_12).
resource "aws_default_security_group" "default" {
  vpc_id = var.vpc_id

  tags = merge(var.tags, {
    Name = "prod-default-sg-no-rules"
    Env  = "prod"
  })
}
