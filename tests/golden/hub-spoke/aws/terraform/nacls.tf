variable "mgmt_subnet_ids" {
  description = "Subnets of the mgmt tier (private; they hold the interface endpoints and management workloads)."
  type        = list(string)
  default     = []
}

variable "spoke_finance_app_subnet_ids" {
  description = "Subnets of the spoke finance app tier (in the spokes VPC)."
  type        = list(string)
}

variable "spoke_finance_data_subnet_ids" {
  description = "Subnets of the spoke finance data tier (in the spokes VPC)."
  type        = list(string)
}

variable "spoke_analytics_app_subnet_ids" {
  description = "Subnets of the spoke analytics app tier (in the spokes VPC)."
  type        = list(string)
}

variable "spoke_analytics_data_subnet_ids" {
  description = "Subnets of the spoke analytics data tier (in the spokes VPC)."
  type        = list(string)
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

variable "mgmt_subnet_cidrs" {
  description = "CIDR blocks of the mgmt subnets, in the order of mgmt_subnet_ids. NACLs are stateless and CIDR-based: this is the one place subnet CIDRs are used."
  type        = list(string)
  default     = []

  validation {
    condition     = length(var.mgmt_subnet_cidrs) <= 10
    error_message = "At most 10 subnets per tier: NACL entries toward a tier take 10 consecutive rule numbers."
  }
}

variable "spoke_finance_app_subnet_cidrs" {
  description = "CIDR blocks of the spoke finance app subnets, in the order of spoke_finance_app_subnet_ids. NACLs are stateless and CIDR-based: this is the one place subnet CIDRs are used."
  type        = list(string)
  default     = []

  validation {
    condition     = length(var.spoke_finance_app_subnet_cidrs) <= 10
    error_message = "At most 10 subnets per tier: NACL entries toward a tier take 10 consecutive rule numbers."
  }
}

variable "spoke_finance_data_subnet_cidrs" {
  description = "CIDR blocks of the spoke finance data subnets, in the order of spoke_finance_data_subnet_ids. NACLs are stateless and CIDR-based: this is the one place subnet CIDRs are used."
  type        = list(string)
  default     = []

  validation {
    condition     = length(var.spoke_finance_data_subnet_cidrs) <= 10
    error_message = "At most 10 subnets per tier: NACL entries toward a tier take 10 consecutive rule numbers."
  }
}

variable "spoke_analytics_app_subnet_cidrs" {
  description = "CIDR blocks of the spoke analytics app subnets, in the order of spoke_analytics_app_subnet_ids. NACLs are stateless and CIDR-based: this is the one place subnet CIDRs are used."
  type        = list(string)
  default     = []

  validation {
    condition     = length(var.spoke_analytics_app_subnet_cidrs) <= 10
    error_message = "At most 10 subnets per tier: NACL entries toward a tier take 10 consecutive rule numbers."
  }
}

variable "spoke_analytics_data_subnet_cidrs" {
  description = "CIDR blocks of the spoke analytics data subnets, in the order of spoke_analytics_data_subnet_ids. NACLs are stateless and CIDR-based: this is the one place subnet CIDRs are used."
  type        = list(string)
  default     = []

  validation {
    condition     = length(var.spoke_analytics_data_subnet_cidrs) <= 10
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

# internet to alb : 443/tcp - customer HTTPS - platform team
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

# internet to alb : 443/tcp - customer HTTPS - platform team
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
# return of: alb to billing : 8080/tcp - billing API behind the shared load balancer - platform team
resource "aws_network_acl_rule" "public_in_120" {
  for_each = { for i, cidr in var.spoke_finance_app_subnet_cidrs : cidr => i }

  network_acl_id = aws_network_acl.public.id
  rule_number    = 120 + each.value
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = each.key
  from_port      = 1024
  to_port        = 65535
}

# NAT transit of: billing to api.stripe.com : 443/tcp - card payments - finance team (host names filtered by the egress firewall or proxy)
resource "aws_network_acl_rule" "public_in_130" {
  for_each = { for i, cidr in var.spoke_finance_app_subnet_cidrs : cidr => i }

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
# return of: NAT transit of: billing to api.stripe.com : 443/tcp - card payments - finance team (host names filtered by the egress firewall or proxy)
resource "aws_network_acl_rule" "public_in_140" {
  #checkov:skip=CKV_AWS_231:stateless return path of return of: NAT transit of: billing to api.stripe.com : 443/tcp - card payments - finance team (host names filtered by the egress firewall or proxy); the security groups admit no inbound connection on this port
  network_acl_id = aws_network_acl.public.id
  rule_number    = 140
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "0.0.0.0/0"
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
# return of: internet to alb : 443/tcp - customer HTTPS - platform team
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
# return of: internet to alb : 443/tcp - customer HTTPS - platform team
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

# alb to billing : 8080/tcp - billing API behind the shared load balancer - platform team
resource "aws_network_acl_rule" "public_out_120" {
  for_each = { for i, cidr in var.spoke_finance_app_subnet_cidrs : cidr => i }

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
# return of: NAT transit of: billing to api.stripe.com : 443/tcp - card payments - finance team (host names filtered by the egress firewall or proxy)
resource "aws_network_acl_rule" "public_out_130" {
  for_each = { for i, cidr in var.spoke_finance_app_subnet_cidrs : cidr => i }

  network_acl_id = aws_network_acl.public.id
  rule_number    = 130 + each.value
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = each.key
  from_port      = 1024
  to_port        = 65535
}

# NAT transit of: billing to api.stripe.com : 443/tcp - card payments - finance team (host names filtered by the egress firewall or proxy)
resource "aws_network_acl_rule" "public_out_140" {
  network_acl_id = aws_network_acl.public.id
  rule_number    = 140
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "0.0.0.0/0"
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

resource "aws_network_acl" "mgmt" {
  vpc_id     = var.vpc_id
  subnet_ids = var.mgmt_subnet_ids

  tags = merge(var.tags, {
    Name = "prod-mgmt-nacl"
    Env  = "prod"
    Tier = "mgmt"
  })
}

# billing to endpoints : 443/tcp - private endpoint access: aws:ec2messages, aws:ssm, aws:ssmmessages, kms, logs, secrets - platform team
resource "aws_network_acl_rule" "mgmt_in_100" {
  for_each = { for i, cidr in var.spoke_finance_app_subnet_cidrs : cidr => i }

  network_acl_id = aws_network_acl.mgmt.id
  rule_number    = 100 + each.value
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = each.key
  from_port      = 443
  to_port        = 443
}

# reports to endpoints : 443/tcp - private endpoint access: aws:ec2messages, aws:ssm, aws:ssmmessages, kms, logs, secrets - platform team
resource "aws_network_acl_rule" "mgmt_in_110" {
  for_each = { for i, cidr in var.spoke_analytics_app_subnet_cidrs : cidr => i }

  network_acl_id = aws_network_acl.mgmt.id
  rule_number    = 110 + each.value
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
# return of: billing to endpoints : 443/tcp - private endpoint access: aws:ec2messages, aws:ssm, aws:ssmmessages, kms, logs, secrets - platform team
resource "aws_network_acl_rule" "mgmt_out_100" {
  for_each = { for i, cidr in var.spoke_finance_app_subnet_cidrs : cidr => i }

  network_acl_id = aws_network_acl.mgmt.id
  rule_number    = 100 + each.value
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = each.key
  from_port      = 1024
  to_port        = 65535
}

# return traffic: ephemeral 1024-65535 (Linux 32768-60999, Windows 49152-65535, NAT/ELB 1024-65535)
# return of: reports to endpoints : 443/tcp - private endpoint access: aws:ec2messages, aws:ssm, aws:ssmmessages, kms, logs, secrets - platform team
resource "aws_network_acl_rule" "mgmt_out_110" {
  for_each = { for i, cidr in var.spoke_analytics_app_subnet_cidrs : cidr => i }

  network_acl_id = aws_network_acl.mgmt.id
  rule_number    = 110 + each.value
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

resource "aws_network_acl" "spoke_finance_app" {
  vpc_id     = var.spoke_finance_vpc_id
  subnet_ids = var.spoke_finance_app_subnet_ids

  tags = merge(var.tags, {
    Name = "prod-finance-app-nacl"
    Env  = "prod"
    Tier = "app"
  })
}

# alb to billing : 8080/tcp - billing API behind the shared load balancer - platform team
resource "aws_network_acl_rule" "spoke_finance_app_in_100" {
  for_each = { for i, cidr in var.public_subnet_cidrs : cidr => i }

  network_acl_id = aws_network_acl.spoke_finance_app.id
  rule_number    = 100 + each.value
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = each.key
  from_port      = 8080
  to_port        = 8080
}

# return traffic: ephemeral 1024-65535 (Linux 32768-60999, Windows 49152-65535, NAT/ELB 1024-65535)
# return of: billing to billing-db : 5432/tcp - invoices and payments - finance team
resource "aws_network_acl_rule" "spoke_finance_app_in_110" {
  for_each = { for i, cidr in var.spoke_finance_data_subnet_cidrs : cidr => i }

  network_acl_id = aws_network_acl.spoke_finance_app.id
  rule_number    = 110 + each.value
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = each.key
  from_port      = 1024
  to_port        = 65535
}

# return traffic: ephemeral 1024-65535 (Linux 32768-60999, Windows 49152-65535, NAT/ELB 1024-65535)
# return of: billing to endpoints : 443/tcp - private endpoint access: aws:ec2messages, aws:ssm, aws:ssmmessages, kms, logs, secrets - platform team
resource "aws_network_acl_rule" "spoke_finance_app_in_120" {
  for_each = { for i, cidr in var.mgmt_subnet_cidrs : cidr => i }

  network_acl_id = aws_network_acl.spoke_finance_app.id
  rule_number    = 120 + each.value
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = each.key
  from_port      = 1024
  to_port        = 65535
}

# return traffic: ephemeral 1024-65535 (Linux 32768-60999, Windows 49152-65535, NAT/ELB 1024-65535)
# return of: billing to api.stripe.com : 443/tcp - card payments - finance team (host names filtered by the egress firewall or proxy)
resource "aws_network_acl_rule" "spoke_finance_app_in_130" {
  #checkov:skip=CKV_AWS_231:stateless return path of return of: billing to api.stripe.com : 443/tcp - card payments - finance team (host names filtered by the egress firewall or proxy); the security groups admit no inbound connection on this port
  network_acl_id = aws_network_acl.spoke_finance_app.id
  rule_number    = 130
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "0.0.0.0/0"
  from_port      = 1024
  to_port        = 65535
}

# explicit final deny: everything not allowed above
resource "aws_network_acl_rule" "spoke_finance_app_in_32000" {
  #checkov:skip=CKV_AWS_352:deny entry, not an allow: explicit final deny: everything not allowed above
  network_acl_id = aws_network_acl.spoke_finance_app.id
  rule_number    = 32000
  egress         = false
  protocol       = "-1"
  rule_action    = "deny"
  cidr_block     = "0.0.0.0/0"
}

# return traffic: ephemeral 1024-65535 (Linux 32768-60999, Windows 49152-65535, NAT/ELB 1024-65535)
# return of: alb to billing : 8080/tcp - billing API behind the shared load balancer - platform team
resource "aws_network_acl_rule" "spoke_finance_app_out_100" {
  for_each = { for i, cidr in var.public_subnet_cidrs : cidr => i }

  network_acl_id = aws_network_acl.spoke_finance_app.id
  rule_number    = 100 + each.value
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = each.key
  from_port      = 1024
  to_port        = 65535
}

# billing to billing-db : 5432/tcp - invoices and payments - finance team
resource "aws_network_acl_rule" "spoke_finance_app_out_110" {
  for_each = { for i, cidr in var.spoke_finance_data_subnet_cidrs : cidr => i }

  network_acl_id = aws_network_acl.spoke_finance_app.id
  rule_number    = 110 + each.value
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = each.key
  from_port      = 5432
  to_port        = 5432
}

# billing to endpoints : 443/tcp - private endpoint access: aws:ec2messages, aws:ssm, aws:ssmmessages, kms, logs, secrets - platform team
resource "aws_network_acl_rule" "spoke_finance_app_out_120" {
  for_each = { for i, cidr in var.mgmt_subnet_cidrs : cidr => i }

  network_acl_id = aws_network_acl.spoke_finance_app.id
  rule_number    = 120 + each.value
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = each.key
  from_port      = 443
  to_port        = 443
}

# billing to api.stripe.com : 443/tcp - card payments - finance team (host names filtered by the egress firewall or proxy)
resource "aws_network_acl_rule" "spoke_finance_app_out_130" {
  network_acl_id = aws_network_acl.spoke_finance_app.id
  rule_number    = 130
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "0.0.0.0/0"
  from_port      = 443
  to_port        = 443
}

# explicit final deny: everything not allowed above
resource "aws_network_acl_rule" "spoke_finance_app_out_32000" {
  network_acl_id = aws_network_acl.spoke_finance_app.id
  rule_number    = 32000
  egress         = true
  protocol       = "-1"
  rule_action    = "deny"
  cidr_block     = "0.0.0.0/0"
}

resource "aws_network_acl" "spoke_finance_data" {
  vpc_id     = var.spoke_finance_vpc_id
  subnet_ids = var.spoke_finance_data_subnet_ids

  tags = merge(var.tags, {
    Name = "prod-finance-data-nacl"
    Env  = "prod"
    Tier = "data"
  })
}

# billing to billing-db : 5432/tcp - invoices and payments - finance team
resource "aws_network_acl_rule" "spoke_finance_data_in_100" {
  for_each = { for i, cidr in var.spoke_finance_app_subnet_cidrs : cidr => i }

  network_acl_id = aws_network_acl.spoke_finance_data.id
  rule_number    = 100 + each.value
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = each.key
  from_port      = 5432
  to_port        = 5432
}

# reports to billing-db : 5432/tcp - nightly read of settled invoices (the one flow between spokes) - analytics team
resource "aws_network_acl_rule" "spoke_finance_data_in_110" {
  for_each = { for i, cidr in var.spoke_analytics_app_subnet_cidrs : cidr => i }

  network_acl_id = aws_network_acl.spoke_finance_data.id
  rule_number    = 110 + each.value
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = each.key
  from_port      = 5432
  to_port        = 5432
}

# explicit final deny: everything not allowed above
resource "aws_network_acl_rule" "spoke_finance_data_in_32000" {
  #checkov:skip=CKV_AWS_352:deny entry, not an allow: explicit final deny: everything not allowed above
  network_acl_id = aws_network_acl.spoke_finance_data.id
  rule_number    = 32000
  egress         = false
  protocol       = "-1"
  rule_action    = "deny"
  cidr_block     = "0.0.0.0/0"
}

# return traffic: ephemeral 1024-65535 (Linux 32768-60999, Windows 49152-65535, NAT/ELB 1024-65535)
# return of: billing to billing-db : 5432/tcp - invoices and payments - finance team
resource "aws_network_acl_rule" "spoke_finance_data_out_100" {
  for_each = { for i, cidr in var.spoke_finance_app_subnet_cidrs : cidr => i }

  network_acl_id = aws_network_acl.spoke_finance_data.id
  rule_number    = 100 + each.value
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = each.key
  from_port      = 1024
  to_port        = 65535
}

# return traffic: ephemeral 1024-65535 (Linux 32768-60999, Windows 49152-65535, NAT/ELB 1024-65535)
# return of: reports to billing-db : 5432/tcp - nightly read of settled invoices (the one flow between spokes) - analytics team
resource "aws_network_acl_rule" "spoke_finance_data_out_110" {
  for_each = { for i, cidr in var.spoke_analytics_app_subnet_cidrs : cidr => i }

  network_acl_id = aws_network_acl.spoke_finance_data.id
  rule_number    = 110 + each.value
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = each.key
  from_port      = 1024
  to_port        = 65535
}

# explicit final deny: everything not allowed above
resource "aws_network_acl_rule" "spoke_finance_data_out_32000" {
  network_acl_id = aws_network_acl.spoke_finance_data.id
  rule_number    = 32000
  egress         = true
  protocol       = "-1"
  rule_action    = "deny"
  cidr_block     = "0.0.0.0/0"
}

resource "aws_network_acl" "spoke_analytics_app" {
  vpc_id     = var.spoke_analytics_vpc_id
  subnet_ids = var.spoke_analytics_app_subnet_ids

  tags = merge(var.tags, {
    Name = "prod-analytics-app-nacl"
    Env  = "prod"
    Tier = "app"
  })
}

# return traffic: ephemeral 1024-65535 (Linux 32768-60999, Windows 49152-65535, NAT/ELB 1024-65535)
# return of: reports to warehouse : 5432/tcp - report queries - analytics team
resource "aws_network_acl_rule" "spoke_analytics_app_in_100" {
  for_each = { for i, cidr in var.spoke_analytics_data_subnet_cidrs : cidr => i }

  network_acl_id = aws_network_acl.spoke_analytics_app.id
  rule_number    = 100 + each.value
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = each.key
  from_port      = 1024
  to_port        = 65535
}

# return traffic: ephemeral 1024-65535 (Linux 32768-60999, Windows 49152-65535, NAT/ELB 1024-65535)
# return of: reports to billing-db : 5432/tcp - nightly read of settled invoices (the one flow between spokes) - analytics team
resource "aws_network_acl_rule" "spoke_analytics_app_in_110" {
  for_each = { for i, cidr in var.spoke_finance_data_subnet_cidrs : cidr => i }

  network_acl_id = aws_network_acl.spoke_analytics_app.id
  rule_number    = 110 + each.value
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = each.key
  from_port      = 1024
  to_port        = 65535
}

# return traffic: ephemeral 1024-65535 (Linux 32768-60999, Windows 49152-65535, NAT/ELB 1024-65535)
# return of: reports to endpoints : 443/tcp - private endpoint access: aws:ec2messages, aws:ssm, aws:ssmmessages, kms, logs, secrets - platform team
resource "aws_network_acl_rule" "spoke_analytics_app_in_120" {
  for_each = { for i, cidr in var.mgmt_subnet_cidrs : cidr => i }

  network_acl_id = aws_network_acl.spoke_analytics_app.id
  rule_number    = 120 + each.value
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = each.key
  from_port      = 1024
  to_port        = 65535
}

# explicit final deny: everything not allowed above
resource "aws_network_acl_rule" "spoke_analytics_app_in_32000" {
  #checkov:skip=CKV_AWS_352:deny entry, not an allow: explicit final deny: everything not allowed above
  network_acl_id = aws_network_acl.spoke_analytics_app.id
  rule_number    = 32000
  egress         = false
  protocol       = "-1"
  rule_action    = "deny"
  cidr_block     = "0.0.0.0/0"
}

# reports to warehouse : 5432/tcp - report queries - analytics team
resource "aws_network_acl_rule" "spoke_analytics_app_out_100" {
  for_each = { for i, cidr in var.spoke_analytics_data_subnet_cidrs : cidr => i }

  network_acl_id = aws_network_acl.spoke_analytics_app.id
  rule_number    = 100 + each.value
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = each.key
  from_port      = 5432
  to_port        = 5432
}

# reports to billing-db : 5432/tcp - nightly read of settled invoices (the one flow between spokes) - analytics team
resource "aws_network_acl_rule" "spoke_analytics_app_out_110" {
  for_each = { for i, cidr in var.spoke_finance_data_subnet_cidrs : cidr => i }

  network_acl_id = aws_network_acl.spoke_analytics_app.id
  rule_number    = 110 + each.value
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = each.key
  from_port      = 5432
  to_port        = 5432
}

# reports to endpoints : 443/tcp - private endpoint access: aws:ec2messages, aws:ssm, aws:ssmmessages, kms, logs, secrets - platform team
resource "aws_network_acl_rule" "spoke_analytics_app_out_120" {
  for_each = { for i, cidr in var.mgmt_subnet_cidrs : cidr => i }

  network_acl_id = aws_network_acl.spoke_analytics_app.id
  rule_number    = 120 + each.value
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = each.key
  from_port      = 443
  to_port        = 443
}

# explicit final deny: everything not allowed above
resource "aws_network_acl_rule" "spoke_analytics_app_out_32000" {
  network_acl_id = aws_network_acl.spoke_analytics_app.id
  rule_number    = 32000
  egress         = true
  protocol       = "-1"
  rule_action    = "deny"
  cidr_block     = "0.0.0.0/0"
}

resource "aws_network_acl" "spoke_analytics_data" {
  vpc_id     = var.spoke_analytics_vpc_id
  subnet_ids = var.spoke_analytics_data_subnet_ids

  tags = merge(var.tags, {
    Name = "prod-analytics-data-nacl"
    Env  = "prod"
    Tier = "data"
  })
}

# reports to warehouse : 5432/tcp - report queries - analytics team
resource "aws_network_acl_rule" "spoke_analytics_data_in_100" {
  for_each = { for i, cidr in var.spoke_analytics_app_subnet_cidrs : cidr => i }

  network_acl_id = aws_network_acl.spoke_analytics_data.id
  rule_number    = 100 + each.value
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = each.key
  from_port      = 5432
  to_port        = 5432
}

# explicit final deny: everything not allowed above
resource "aws_network_acl_rule" "spoke_analytics_data_in_32000" {
  #checkov:skip=CKV_AWS_352:deny entry, not an allow: explicit final deny: everything not allowed above
  network_acl_id = aws_network_acl.spoke_analytics_data.id
  rule_number    = 32000
  egress         = false
  protocol       = "-1"
  rule_action    = "deny"
  cidr_block     = "0.0.0.0/0"
}

# return traffic: ephemeral 1024-65535 (Linux 32768-60999, Windows 49152-65535, NAT/ELB 1024-65535)
# return of: reports to warehouse : 5432/tcp - report queries - analytics team
resource "aws_network_acl_rule" "spoke_analytics_data_out_100" {
  for_each = { for i, cidr in var.spoke_analytics_app_subnet_cidrs : cidr => i }

  network_acl_id = aws_network_acl.spoke_analytics_data.id
  rule_number    = 100 + each.value
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = each.key
  from_port      = 1024
  to_port        = 65535
}

# explicit final deny: everything not allowed above
resource "aws_network_acl_rule" "spoke_analytics_data_out_32000" {
  network_acl_id = aws_network_acl.spoke_analytics_data.id
  rule_number    = 32000
  egress         = true
  protocol       = "-1"
  rule_action    = "deny"
  cidr_block     = "0.0.0.0/0"
}
