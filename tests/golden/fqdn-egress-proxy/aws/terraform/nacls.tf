variable "mgmt_subnet_ids" {
  description = "Subnets of the mgmt tier (private; they hold the interface endpoints and management workloads)."
  type        = list(string)
  default     = []
}

variable "public_subnet_cidrs" {
  description = "CIDR blocks of the public subnets, in the order of public_subnet_ids. NACLs are stateless and CIDR-based: this is the one place subnet CIDRs are used."
  type        = list(string)
  default     = []

  validation {
    condition     = length(var.public_subnet_cidrs) <= 10
    error_message = "At most 10 subnets per tier: NACL entries toward a tier take 10 consecutive rule numbers."
  }
}

variable "app_subnet_cidrs" {
  description = "CIDR blocks of the app subnets, in the order of app_subnet_ids. NACLs are stateless and CIDR-based: this is the one place subnet CIDRs are used."
  type        = list(string)
  default     = []

  validation {
    condition     = length(var.app_subnet_cidrs) <= 10
    error_message = "At most 10 subnets per tier: NACL entries toward a tier take 10 consecutive rule numbers."
  }
}

variable "mgmt_subnet_cidrs" {
  description = "CIDR blocks of the mgmt subnets, in the order of mgmt_subnet_ids. NACLs are stateless and CIDR-based: this is the one place subnet CIDRs are used."
  type        = list(string)
  default     = []

  validation {
    condition     = length(var.mgmt_subnet_cidrs) <= 10
    error_message = "At most 10 subnets per tier: NACL entries toward a tier take 10 consecutive rule numbers."
  }
}

resource "aws_network_acl" "public" {
  vpc_id     = var.vpc_id
  subnet_ids = var.public_subnet_ids

  tags = merge(var.tags, {
    Name = "stage-public-nacl"
    Env  = "stage"
    Tier = "public"
  })
}

# NAT transit of: runner to .debian.org, .pypi.org, files.pythonhosted.org : 443/tcp, 80/tcp - package downloads - build team (host names filtered by the egress firewall or proxy)
resource "aws_network_acl_rule" "public_in_100" {
  for_each = { for i, cidr in var.app_subnet_cidrs : cidr => i }

  network_acl_id = aws_network_acl.public.id
  rule_number    = 100 + each.value
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = each.key
  from_port      = 443
  to_port        = 443
}

# return traffic: ephemeral 1024-65535 (Linux 32768-60999, Windows 49152-65535, NAT/ELB 1024-65535)
# return of: NAT transit of: runner to .debian.org, .pypi.org, files.pythonhosted.org : 443/tcp, 80/tcp - package downloads - build team (host names filtered by the egress firewall or proxy)
resource "aws_network_acl_rule" "public_in_110" {
  #checkov:skip=CKV_AWS_231:stateless return path of return of: NAT transit of: runner to .debian.org, .pypi.org, files.pythonhosted.org : 443/tcp, 80/tcp - package downloads - build team (host names filtered by the egress firewall or proxy); the security groups admit no inbound connection on this port
  network_acl_id = aws_network_acl.public.id
  rule_number    = 110
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "0.0.0.0/0"
  from_port      = 1024
  to_port        = 65535
}

# NAT transit of: runner to .debian.org, .pypi.org, files.pythonhosted.org : 443/tcp, 80/tcp - package downloads - build team (host names filtered by the egress firewall or proxy)
resource "aws_network_acl_rule" "public_in_120" {
  for_each = { for i, cidr in var.app_subnet_cidrs : cidr => i }

  network_acl_id = aws_network_acl.public.id
  rule_number    = 120 + each.value
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = each.key
  from_port      = 80
  to_port        = 80
}

# explicit final deny: everything not allowed above
resource "aws_network_acl_rule" "public_in_32000" {
  #checkov:skip=CKV_AWS_352:deny entry, not an allow: explicit final deny: everything not allowed above
  network_acl_id = aws_network_acl.public.id
  rule_number    = 32000
  egress         = false
  protocol       = "-1"
  rule_action    = "deny"
  cidr_block     = "0.0.0.0/0"
}

# return traffic: ephemeral 1024-65535 (Linux 32768-60999, Windows 49152-65535, NAT/ELB 1024-65535)
# return of: NAT transit of: runner to .debian.org, .pypi.org, files.pythonhosted.org : 443/tcp, 80/tcp - package downloads - build team (host names filtered by the egress firewall or proxy)
resource "aws_network_acl_rule" "public_out_100" {
  for_each = { for i, cidr in var.app_subnet_cidrs : cidr => i }

  network_acl_id = aws_network_acl.public.id
  rule_number    = 100 + each.value
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = each.key
  from_port      = 1024
  to_port        = 65535
}

# NAT transit of: runner to .debian.org, .pypi.org, files.pythonhosted.org : 443/tcp, 80/tcp - package downloads - build team (host names filtered by the egress firewall or proxy)
resource "aws_network_acl_rule" "public_out_110" {
  network_acl_id = aws_network_acl.public.id
  rule_number    = 110
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "0.0.0.0/0"
  from_port      = 443
  to_port        = 443
}

# NAT transit of: runner to .debian.org, .pypi.org, files.pythonhosted.org : 443/tcp, 80/tcp - package downloads - build team (host names filtered by the egress firewall or proxy)
resource "aws_network_acl_rule" "public_out_120" {
  network_acl_id = aws_network_acl.public.id
  rule_number    = 120
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "0.0.0.0/0"
  from_port      = 80
  to_port        = 80
}

# explicit final deny: everything not allowed above
resource "aws_network_acl_rule" "public_out_32000" {
  network_acl_id = aws_network_acl.public.id
  rule_number    = 32000
  egress         = true
  protocol       = "-1"
  rule_action    = "deny"
  cidr_block     = "0.0.0.0/0"
}

resource "aws_network_acl" "app" {
  vpc_id     = var.vpc_id
  subnet_ids = var.app_subnet_ids

  tags = merge(var.tags, {
    Name = "stage-app-nacl"
    Env  = "stage"
    Tier = "app"
  })
}

# return traffic: ephemeral 1024-65535 (Linux 32768-60999, Windows 49152-65535, NAT/ELB 1024-65535)
# return of: runner to endpoints : 443/tcp - private endpoint access: aws:ec2messages, aws:ecr.dkr, aws:kms, aws:ssm, aws:ssmmessages, logs, monitoring - build team
resource "aws_network_acl_rule" "app_in_100" {
  for_each = { for i, cidr in var.mgmt_subnet_cidrs : cidr => i }

  network_acl_id = aws_network_acl.app.id
  rule_number    = 100 + each.value
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = each.key
  from_port      = 1024
  to_port        = 65535
}

# return traffic: ephemeral 1024-65535 (Linux 32768-60999, Windows 49152-65535, NAT/ELB 1024-65535)
# return of: runner to .debian.org, .pypi.org, files.pythonhosted.org : 443/tcp, 80/tcp - package downloads - build team (host names filtered by the egress firewall or proxy)
resource "aws_network_acl_rule" "app_in_110" {
  #checkov:skip=CKV_AWS_231:stateless return path of return of: runner to .debian.org, .pypi.org, files.pythonhosted.org : 443/tcp, 80/tcp - package downloads - build team (host names filtered by the egress firewall or proxy); the security groups admit no inbound connection on this port
  network_acl_id = aws_network_acl.app.id
  rule_number    = 110
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "0.0.0.0/0"
  from_port      = 1024
  to_port        = 65535
}

# explicit final deny: everything not allowed above
resource "aws_network_acl_rule" "app_in_32000" {
  #checkov:skip=CKV_AWS_352:deny entry, not an allow: explicit final deny: everything not allowed above
  network_acl_id = aws_network_acl.app.id
  rule_number    = 32000
  egress         = false
  protocol       = "-1"
  rule_action    = "deny"
  cidr_block     = "0.0.0.0/0"
}

# runner to endpoints : 443/tcp - private endpoint access: aws:ec2messages, aws:ecr.dkr, aws:kms, aws:ssm, aws:ssmmessages, logs, monitoring - build team
resource "aws_network_acl_rule" "app_out_100" {
  for_each = { for i, cidr in var.mgmt_subnet_cidrs : cidr => i }

  network_acl_id = aws_network_acl.app.id
  rule_number    = 100 + each.value
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = each.key
  from_port      = 443
  to_port        = 443
}

# runner to .debian.org, .pypi.org, files.pythonhosted.org : 443/tcp, 80/tcp - package downloads - build team (host names filtered by the egress firewall or proxy)
resource "aws_network_acl_rule" "app_out_110" {
  network_acl_id = aws_network_acl.app.id
  rule_number    = 110
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "0.0.0.0/0"
  from_port      = 443
  to_port        = 443
}

# runner to .debian.org, .pypi.org, files.pythonhosted.org : 443/tcp, 80/tcp - package downloads - build team (host names filtered by the egress firewall or proxy)
resource "aws_network_acl_rule" "app_out_120" {
  network_acl_id = aws_network_acl.app.id
  rule_number    = 120
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "0.0.0.0/0"
  from_port      = 80
  to_port        = 80
}

# explicit final deny: everything not allowed above
resource "aws_network_acl_rule" "app_out_32000" {
  network_acl_id = aws_network_acl.app.id
  rule_number    = 32000
  egress         = true
  protocol       = "-1"
  rule_action    = "deny"
  cidr_block     = "0.0.0.0/0"
}

resource "aws_network_acl" "mgmt" {
  vpc_id     = var.vpc_id
  subnet_ids = var.mgmt_subnet_ids

  tags = merge(var.tags, {
    Name = "stage-mgmt-nacl"
    Env  = "stage"
    Tier = "mgmt"
  })
}

# runner to endpoints : 443/tcp - private endpoint access: aws:ec2messages, aws:ecr.dkr, aws:kms, aws:ssm, aws:ssmmessages, logs, monitoring - build team
resource "aws_network_acl_rule" "mgmt_in_100" {
  for_each = { for i, cidr in var.app_subnet_cidrs : cidr => i }

  network_acl_id = aws_network_acl.mgmt.id
  rule_number    = 100 + each.value
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = each.key
  from_port      = 443
  to_port        = 443
}

# explicit final deny: everything not allowed above
resource "aws_network_acl_rule" "mgmt_in_32000" {
  #checkov:skip=CKV_AWS_352:deny entry, not an allow: explicit final deny: everything not allowed above
  network_acl_id = aws_network_acl.mgmt.id
  rule_number    = 32000
  egress         = false
  protocol       = "-1"
  rule_action    = "deny"
  cidr_block     = "0.0.0.0/0"
}

# return traffic: ephemeral 1024-65535 (Linux 32768-60999, Windows 49152-65535, NAT/ELB 1024-65535)
# return of: runner to endpoints : 443/tcp - private endpoint access: aws:ec2messages, aws:ecr.dkr, aws:kms, aws:ssm, aws:ssmmessages, logs, monitoring - build team
resource "aws_network_acl_rule" "mgmt_out_100" {
  for_each = { for i, cidr in var.app_subnet_cidrs : cidr => i }

  network_acl_id = aws_network_acl.mgmt.id
  rule_number    = 100 + each.value
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = each.key
  from_port      = 1024
  to_port        = 65535
}

# explicit final deny: everything not allowed above
resource "aws_network_acl_rule" "mgmt_out_32000" {
  network_acl_id = aws_network_acl.mgmt.id
  rule_number    = 32000
  egress         = true
  protocol       = "-1"
  rule_action    = "deny"
  cidr_block     = "0.0.0.0/0"
}
