resource "aws_security_group" "egress_proxy" {
  name        = "stage-app-egress-proxy-sg"
  description = "Egress proxy: forwards allow-listed host names on 3128/tcp"
  vpc_id      = var.vpc_id

  tags = merge(var.tags, {
    Name = "stage-app-egress-proxy-sg"
    Env  = "stage"
    Tier = "app"
    Role = "egress-proxy"
  })
}

resource "aws_vpc_security_group_egress_rule" "runner_to_egress_proxy" {
  security_group_id            = aws_security_group.runner.id
  referenced_security_group_id = aws_security_group.egress_proxy.id
  ip_protocol                  = "tcp"
  from_port                    = 3128
  to_port                      = 3128
  description                  = "stage-app-runner-sg to stage-app-egress-proxy-sg : 3128/tcp - HTTP(S) through the egress proxy to the host-name allow-list - build team"
}

resource "aws_vpc_security_group_ingress_rule" "egress_proxy_from_runner" {
  security_group_id            = aws_security_group.egress_proxy.id
  referenced_security_group_id = aws_security_group.runner.id
  ip_protocol                  = "tcp"
  from_port                    = 3128
  to_port                      = 3128
  description                  = "stage-app-runner-sg to stage-app-egress-proxy-sg : 3128/tcp - HTTP(S) through the egress proxy to the host-name allow-list - build team"
}

resource "aws_vpc_security_group_egress_rule" "egress_proxy_out_80_80" {
  security_group_id = aws_security_group.egress_proxy.id
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "tcp"
  from_port         = 80
  to_port           = 80
  description       = "stage-app-egress-proxy-sg to internet : 80/tcp - allow-listed host names only, enforced by the proxy - build team"
}

resource "aws_vpc_security_group_egress_rule" "egress_proxy_out_443_443" {
  security_group_id = aws_security_group.egress_proxy.id
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  description       = "stage-app-egress-proxy-sg to internet : 443/tcp - allow-listed host names only, enforced by the proxy - build team"
}

output "egress_proxy_security_group_id" {
  description = "Security group to attach to the egress proxy instances."
  value       = aws_security_group.egress_proxy.id
}
