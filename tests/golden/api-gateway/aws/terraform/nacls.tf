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

variable "data_subnet_cidrs" {
  description = "CIDR blocks of the data subnets, in the order of data_subnet_ids. NACLs are stateless and CIDR-based: this is the one place subnet CIDRs are used."
  type        = list(string)
  default     = []

  validation {
    condition     = length(var.data_subnet_cidrs) <= 10
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
    Name = "prod-public-nacl"
    Env  = "prod"
    Tier = "public"
  })
}

# internet to alb : 443/tcp - public site traffic - web team
resource "aws_network_acl_rule" "public_in_100" {
  network_acl_id = aws_network_acl.public.id
  rule_number    = 100
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "0.0.0.0/0"
  from_port      = 443
  to_port        = 443
}

# internet to alb : 443/tcp - public site traffic - web team
resource "aws_network_acl_rule" "public_in_110" {
  network_acl_id  = aws_network_acl.public.id
  rule_number     = 110
  egress          = false
  protocol        = "tcp"
  rule_action     = "allow"
  ipv6_cidr_block = "::/0"
  from_port       = 443
  to_port         = 443
}

# return traffic: ephemeral 1024-65535 (Linux 32768-60999, Windows 49152-65535, NAT/ELB 1024-65535)
# return of: alb to ecs : 8080/tcp - request forward - platform team
resource "aws_network_acl_rule" "public_in_120" {
  for_each = { for i, cidr in var.app_subnet_cidrs : cidr => i }

  network_acl_id = aws_network_acl.public.id
  rule_number    = 120 + each.value
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = each.key
  from_port      = 1024
  to_port        = 65535
}

# NAT transit of: ecs to 13.55.0.0/16 : 443/tcp - Stripe API payment webhooks - payments team
resource "aws_network_acl_rule" "public_in_130" {
  for_each = { for i, cidr in var.app_subnet_cidrs : cidr => i }

  network_acl_id = aws_network_acl.public.id
  rule_number    = 130 + each.value
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = each.key
  from_port      = 443
  to_port        = 443
}

# return traffic: ephemeral 1024-65535 (Linux 32768-60999, Windows 49152-65535, NAT/ELB 1024-65535)
# return of: NAT transit of: ecs to 13.55.0.0/16 : 443/tcp - Stripe API payment webhooks - payments team
resource "aws_network_acl_rule" "public_in_140" {
  network_acl_id = aws_network_acl.public.id
  rule_number    = 140
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "13.55.0.0/16"
  from_port      = 1024
  to_port        = 65535
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

# explicit final deny: everything not allowed above
resource "aws_network_acl_rule" "public_in_32010" {
  #checkov:skip=CKV_AWS_352:deny entry, not an allow: explicit final deny: everything not allowed above
  network_acl_id  = aws_network_acl.public.id
  rule_number     = 32010
  egress          = false
  protocol        = "-1"
  rule_action     = "deny"
  ipv6_cidr_block = "::/0"
}

# return traffic: ephemeral 1024-65535 (Linux 32768-60999, Windows 49152-65535, NAT/ELB 1024-65535)
# return of: internet to alb : 443/tcp - public site traffic - web team
resource "aws_network_acl_rule" "public_out_100" {
  network_acl_id = aws_network_acl.public.id
  rule_number    = 100
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "0.0.0.0/0"
  from_port      = 1024
  to_port        = 65535
}

# return traffic: ephemeral 1024-65535 (Linux 32768-60999, Windows 49152-65535, NAT/ELB 1024-65535)
# return of: internet to alb : 443/tcp - public site traffic - web team
resource "aws_network_acl_rule" "public_out_110" {
  network_acl_id  = aws_network_acl.public.id
  rule_number     = 110
  egress          = true
  protocol        = "tcp"
  rule_action     = "allow"
  ipv6_cidr_block = "::/0"
  from_port       = 1024
  to_port         = 65535
}

# alb to ecs : 8080/tcp - request forward - platform team
resource "aws_network_acl_rule" "public_out_120" {
  for_each = { for i, cidr in var.app_subnet_cidrs : cidr => i }

  network_acl_id = aws_network_acl.public.id
  rule_number    = 120 + each.value
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = each.key
  from_port      = 8080
  to_port        = 8080
}

# return traffic: ephemeral 1024-65535 (Linux 32768-60999, Windows 49152-65535, NAT/ELB 1024-65535)
# return of: NAT transit of: ecs to 13.55.0.0/16 : 443/tcp - Stripe API payment webhooks - payments team
resource "aws_network_acl_rule" "public_out_130" {
  for_each = { for i, cidr in var.app_subnet_cidrs : cidr => i }

  network_acl_id = aws_network_acl.public.id
  rule_number    = 130 + each.value
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = each.key
  from_port      = 1024
  to_port        = 65535
}

# NAT transit of: ecs to 13.55.0.0/16 : 443/tcp - Stripe API payment webhooks - payments team
resource "aws_network_acl_rule" "public_out_140" {
  network_acl_id = aws_network_acl.public.id
  rule_number    = 140
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "13.55.0.0/16"
  from_port      = 443
  to_port        = 443
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

# explicit final deny: everything not allowed above
resource "aws_network_acl_rule" "public_out_32010" {
  network_acl_id  = aws_network_acl.public.id
  rule_number     = 32010
  egress          = true
  protocol        = "-1"
  rule_action     = "deny"
  ipv6_cidr_block = "::/0"
}

resource "aws_network_acl" "app" {
  vpc_id     = var.vpc_id
  subnet_ids = var.app_subnet_ids

  tags = merge(var.tags, {
    Name = "prod-app-nacl"
    Env  = "prod"
    Tier = "app"
  })
}

# alb to ecs : 8080/tcp - request forward - platform team
resource "aws_network_acl_rule" "app_in_100" {
  for_each = { for i, cidr in var.public_subnet_cidrs : cidr => i }

  network_acl_id = aws_network_acl.app.id
  rule_number    = 100 + each.value
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = each.key
  from_port      = 8080
  to_port        = 8080
}

# return traffic: ephemeral 1024-65535 (Linux 32768-60999, Windows 49152-65535, NAT/ELB 1024-65535)
# return of: ecs to rds : 5432/tcp - order service write path - payments team
# return of: ecs to redis : 6379/tcp - session cache - platform team
resource "aws_network_acl_rule" "app_in_110" {
  for_each = { for i, cidr in var.data_subnet_cidrs : cidr => i }

  network_acl_id = aws_network_acl.app.id
  rule_number    = 110 + each.value
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = each.key
  from_port      = 1024
  to_port        = 65535
}

# return traffic: ephemeral 1024-65535 (Linux 32768-60999, Windows 49152-65535, NAT/ELB 1024-65535)
# return of: ecs to 13.55.0.0/16 : 443/tcp - Stripe API payment webhooks - payments team
resource "aws_network_acl_rule" "app_in_120" {
  network_acl_id = aws_network_acl.app.id
  rule_number    = 120
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "13.55.0.0/16"
  from_port      = 1024
  to_port        = 65535
}

# return traffic: ephemeral 1024-65535 (Linux 32768-60999, Windows 49152-65535, NAT/ELB 1024-65535)
# return of: ecs to endpoints : 443/tcp - private endpoint access: aws:ec2messages, aws:ssm, aws:ssmmessages, container-registry, kms, logs, object-storage, secrets, sts - platform team
resource "aws_network_acl_rule" "app_in_130" {
  for_each = { for i, cidr in var.mgmt_subnet_cidrs : cidr => i }

  network_acl_id = aws_network_acl.app.id
  rule_number    = 130 + each.value
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = each.key
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

# return traffic: ephemeral 1024-65535 (Linux 32768-60999, Windows 49152-65535, NAT/ELB 1024-65535)
# return of: alb to ecs : 8080/tcp - request forward - platform team
resource "aws_network_acl_rule" "app_out_100" {
  for_each = { for i, cidr in var.public_subnet_cidrs : cidr => i }

  network_acl_id = aws_network_acl.app.id
  rule_number    = 100 + each.value
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = each.key
  from_port      = 1024
  to_port        = 65535
}

# ecs to rds : 5432/tcp - order service write path - payments team
resource "aws_network_acl_rule" "app_out_110" {
  for_each = { for i, cidr in var.data_subnet_cidrs : cidr => i }

  network_acl_id = aws_network_acl.app.id
  rule_number    = 110 + each.value
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = each.key
  from_port      = 5432
  to_port        = 5432
}

# ecs to redis : 6379/tcp - session cache - platform team
resource "aws_network_acl_rule" "app_out_120" {
  for_each = { for i, cidr in var.data_subnet_cidrs : cidr => i }

  network_acl_id = aws_network_acl.app.id
  rule_number    = 120 + each.value
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = each.key
  from_port      = 6379
  to_port        = 6379
}

# ecs to 13.55.0.0/16 : 443/tcp - Stripe API payment webhooks - payments team
resource "aws_network_acl_rule" "app_out_130" {
  network_acl_id = aws_network_acl.app.id
  rule_number    = 130
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "13.55.0.0/16"
  from_port      = 443
  to_port        = 443
}

# ecs to endpoints : 443/tcp - private endpoint access: aws:ec2messages, aws:ssm, aws:ssmmessages, container-registry, kms, logs, object-storage, secrets, sts - platform team
resource "aws_network_acl_rule" "app_out_140" {
  for_each = { for i, cidr in var.mgmt_subnet_cidrs : cidr => i }

  network_acl_id = aws_network_acl.app.id
  rule_number    = 140 + each.value
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = each.key
  from_port      = 443
  to_port        = 443
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

resource "aws_network_acl" "data" {
  vpc_id     = var.vpc_id
  subnet_ids = var.data_subnet_ids

  tags = merge(var.tags, {
    Name = "prod-data-nacl"
    Env  = "prod"
    Tier = "data"
  })
}

# ecs to rds : 5432/tcp - order service write path - payments team
resource "aws_network_acl_rule" "data_in_100" {
  for_each = { for i, cidr in var.app_subnet_cidrs : cidr => i }

  network_acl_id = aws_network_acl.data.id
  rule_number    = 100 + each.value
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = each.key
  from_port      = 5432
  to_port        = 5432
}

# ecs to redis : 6379/tcp - session cache - platform team
resource "aws_network_acl_rule" "data_in_110" {
  for_each = { for i, cidr in var.app_subnet_cidrs : cidr => i }

  network_acl_id = aws_network_acl.data.id
  rule_number    = 110 + each.value
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = each.key
  from_port      = 6379
  to_port        = 6379
}

# explicit final deny: everything not allowed above
resource "aws_network_acl_rule" "data_in_32000" {
  #checkov:skip=CKV_AWS_352:deny entry, not an allow: explicit final deny: everything not allowed above
  network_acl_id = aws_network_acl.data.id
  rule_number    = 32000
  egress         = false
  protocol       = "-1"
  rule_action    = "deny"
  cidr_block     = "0.0.0.0/0"
}

# return traffic: ephemeral 1024-65535 (Linux 32768-60999, Windows 49152-65535, NAT/ELB 1024-65535)
# return of: ecs to rds : 5432/tcp - order service write path - payments team
# return of: ecs to redis : 6379/tcp - session cache - platform team
resource "aws_network_acl_rule" "data_out_100" {
  for_each = { for i, cidr in var.app_subnet_cidrs : cidr => i }

  network_acl_id = aws_network_acl.data.id
  rule_number    = 100 + each.value
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = each.key
  from_port      = 1024
  to_port        = 65535
}

# explicit final deny: everything not allowed above
resource "aws_network_acl_rule" "data_out_32000" {
  network_acl_id = aws_network_acl.data.id
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
    Name = "prod-mgmt-nacl"
    Env  = "prod"
    Tier = "mgmt"
  })
}

# ecs to endpoints : 443/tcp - private endpoint access: aws:ec2messages, aws:ssm, aws:ssmmessages, container-registry, kms, logs, object-storage, secrets, sts - platform team
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
# return of: ecs to endpoints : 443/tcp - private endpoint access: aws:ec2messages, aws:ssm, aws:ssmmessages, container-registry, kms, logs, object-storage, secrets, sts - platform team
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
