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

# deny known bad: scanner networks seen in the WAF logs
resource "aws_network_acl_rule" "public_in_10" {
  #checkov:skip=CKV_AWS_352:deny entry, not an allow: deny known bad: scanner networks seen in the WAF logs
  network_acl_id = aws_network_acl.public.id
  rule_number    = 10
  egress         = false
  protocol       = "-1"
  rule_action    = "deny"
  cidr_block     = "203.0.113.0/24"
}

# deny known bad: scanner networks seen in the WAF logs
resource "aws_network_acl_rule" "public_in_20" {
  #checkov:skip=CKV_AWS_352:deny entry, not an allow: deny known bad: scanner networks seen in the WAF logs
  network_acl_id  = aws_network_acl.public.id
  rule_number     = 20
  egress          = false
  protocol        = "-1"
  rule_action     = "deny"
  ipv6_cidr_block = "2001:db8:bad::/48"
}

# deny known bad: benchmarking range that must never be reached
resource "aws_network_acl_rule" "public_in_30" {
  #checkov:skip=CKV_AWS_352:deny entry, not an allow: deny known bad: benchmarking range that must never be reached
  network_acl_id = aws_network_acl.public.id
  rule_number    = 30
  egress         = false
  protocol       = "-1"
  rule_action    = "deny"
  cidr_block     = "198.18.0.0/15"
}

# internet to alb : 443/tcp - card payment API - card platform team
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

# internet to alb : 443/tcp - card payment API - card platform team
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

# monitoring to alb : icmp - uptime probes - card platform team
resource "aws_network_acl_rule" "public_in_120" {
  #checkov:skip=CKV_AWS_352:icmp has no ports; the entry admits only what the flow needs: monitoring to alb : icmp - uptime probes - card platform team
  network_acl_id = aws_network_acl.public.id
  rule_number    = 120
  egress         = false
  protocol       = "icmp"
  rule_action    = "allow"
  cidr_block     = "192.0.2.64/26"
  icmp_type      = -1
  icmp_code      = -1
}

# return traffic: ephemeral 1024-65535 (Linux 32768-60999, Windows 49152-65535, NAT/ELB 1024-65535)
# return of: alb to pay : 8443/tcp - payment requests over TLS - card platform team
resource "aws_network_acl_rule" "public_in_130" {
  for_each = { for i, cidr in var.app_subnet_cidrs : cidr => i }

  network_acl_id = aws_network_acl.public.id
  rule_number    = 130 + each.value
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = each.key
  from_port      = 1024
  to_port        = 65535
}

# NAT transit of: pay to resolver : 53/udp - card network DNS - card platform team
resource "aws_network_acl_rule" "public_in_140" {
  for_each = { for i, cidr in var.app_subnet_cidrs : cidr => i }

  network_acl_id = aws_network_acl.public.id
  rule_number    = 140 + each.value
  egress         = false
  protocol       = "udp"
  rule_action    = "allow"
  cidr_block     = each.key
  from_port      = 53
  to_port        = 53
}

# return traffic: ephemeral 1024-65535 (Linux 32768-60999, Windows 49152-65535, NAT/ELB 1024-65535)
# return of: NAT transit of: pay to resolver : 53/udp - card network DNS - card platform team
resource "aws_network_acl_rule" "public_in_150" {
  network_acl_id = aws_network_acl.public.id
  rule_number    = 150
  egress         = false
  protocol       = "udp"
  rule_action    = "allow"
  cidr_block     = "198.51.100.53/32"
  from_port      = 1024
  to_port        = 65535
}

# NAT transit of: pay to .visa.com, api.mastercard.com : 443/tcp - card network authorisation - card platform team (host names filtered by the egress firewall or proxy)
resource "aws_network_acl_rule" "public_in_160" {
  for_each = { for i, cidr in var.app_subnet_cidrs : cidr => i }

  network_acl_id = aws_network_acl.public.id
  rule_number    = 160 + each.value
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = each.key
  from_port      = 443
  to_port        = 443
}

# return traffic: ephemeral 1024-65535 (Linux 32768-60999, Windows 49152-65535, NAT/ELB 1024-65535)
# return of: NAT transit of: pay to .visa.com, api.mastercard.com : 443/tcp - card network authorisation - card platform team (host names filtered by the egress firewall or proxy)
resource "aws_network_acl_rule" "public_in_170" {
  #checkov:skip=CKV_AWS_231:stateless return path of return of: NAT transit of: pay to .visa.com, api.mastercard.com : 443/tcp - card network authorisation - card platform team (host names filtered by the egress firewall or proxy); the security groups admit no inbound connection on this port
  network_acl_id = aws_network_acl.public.id
  rule_number    = 170
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

# deny known bad: scanner networks seen in the WAF logs
resource "aws_network_acl_rule" "public_out_10" {
  network_acl_id = aws_network_acl.public.id
  rule_number    = 10
  egress         = true
  protocol       = "-1"
  rule_action    = "deny"
  cidr_block     = "203.0.113.0/24"
}

# deny known bad: scanner networks seen in the WAF logs
resource "aws_network_acl_rule" "public_out_20" {
  network_acl_id  = aws_network_acl.public.id
  rule_number     = 20
  egress          = true
  protocol        = "-1"
  rule_action     = "deny"
  ipv6_cidr_block = "2001:db8:bad::/48"
}

# deny known bad: benchmarking range that must never be reached
resource "aws_network_acl_rule" "public_out_30" {
  network_acl_id = aws_network_acl.public.id
  rule_number    = 30
  egress         = true
  protocol       = "-1"
  rule_action    = "deny"
  cidr_block     = "198.18.0.0/15"
}

# return traffic: ephemeral 1024-65535 (Linux 32768-60999, Windows 49152-65535, NAT/ELB 1024-65535)
# return of: internet to alb : 443/tcp - card payment API - card platform team
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
# return of: internet to alb : 443/tcp - card payment API - card platform team
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

# return traffic: ephemeral 1024-65535 (Linux 32768-60999, Windows 49152-65535, NAT/ELB 1024-65535)
# return of: monitoring to alb : icmp - uptime probes - card platform team
resource "aws_network_acl_rule" "public_out_120" {
  network_acl_id = aws_network_acl.public.id
  rule_number    = 120
  egress         = true
  protocol       = "icmp"
  rule_action    = "allow"
  cidr_block     = "192.0.2.64/26"
  icmp_type      = -1
  icmp_code      = -1
}

# alb to pay : 8443/tcp - payment requests over TLS - card platform team
resource "aws_network_acl_rule" "public_out_130" {
  for_each = { for i, cidr in var.app_subnet_cidrs : cidr => i }

  network_acl_id = aws_network_acl.public.id
  rule_number    = 130 + each.value
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = each.key
  from_port      = 8443
  to_port        = 8443
}

# return traffic: ephemeral 1024-65535 (Linux 32768-60999, Windows 49152-65535, NAT/ELB 1024-65535)
# return of: NAT transit of: pay to resolver : 53/udp - card network DNS - card platform team
resource "aws_network_acl_rule" "public_out_140" {
  for_each = { for i, cidr in var.app_subnet_cidrs : cidr => i }

  network_acl_id = aws_network_acl.public.id
  rule_number    = 140 + each.value
  egress         = true
  protocol       = "udp"
  rule_action    = "allow"
  cidr_block     = each.key
  from_port      = 1024
  to_port        = 65535
}

# NAT transit of: pay to resolver : 53/udp - card network DNS - card platform team
resource "aws_network_acl_rule" "public_out_150" {
  network_acl_id = aws_network_acl.public.id
  rule_number    = 150
  egress         = true
  protocol       = "udp"
  rule_action    = "allow"
  cidr_block     = "198.51.100.53/32"
  from_port      = 53
  to_port        = 53
}

# return traffic: ephemeral 1024-65535 (Linux 32768-60999, Windows 49152-65535, NAT/ELB 1024-65535)
# return of: NAT transit of: pay to .visa.com, api.mastercard.com : 443/tcp - card network authorisation - card platform team (host names filtered by the egress firewall or proxy)
resource "aws_network_acl_rule" "public_out_160" {
  for_each = { for i, cidr in var.app_subnet_cidrs : cidr => i }

  network_acl_id = aws_network_acl.public.id
  rule_number    = 160 + each.value
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = each.key
  from_port      = 1024
  to_port        = 65535
}

# NAT transit of: pay to .visa.com, api.mastercard.com : 443/tcp - card network authorisation - card platform team (host names filtered by the egress firewall or proxy)
resource "aws_network_acl_rule" "public_out_170" {
  network_acl_id = aws_network_acl.public.id
  rule_number    = 170
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

resource "aws_network_acl" "app" {
  vpc_id     = var.vpc_id
  subnet_ids = var.app_subnet_ids

  tags = merge(var.tags, {
    Name = "prod-app-nacl"
    Env  = "prod"
    Tier = "app"
  })
}

# deny known bad: scanner networks seen in the WAF logs
resource "aws_network_acl_rule" "app_in_10" {
  #checkov:skip=CKV_AWS_352:deny entry, not an allow: deny known bad: scanner networks seen in the WAF logs
  network_acl_id = aws_network_acl.app.id
  rule_number    = 10
  egress         = false
  protocol       = "-1"
  rule_action    = "deny"
  cidr_block     = "203.0.113.0/24"
}

# deny known bad: scanner networks seen in the WAF logs
resource "aws_network_acl_rule" "app_in_20" {
  #checkov:skip=CKV_AWS_352:deny entry, not an allow: deny known bad: scanner networks seen in the WAF logs
  network_acl_id  = aws_network_acl.app.id
  rule_number     = 20
  egress          = false
  protocol        = "-1"
  rule_action     = "deny"
  ipv6_cidr_block = "2001:db8:bad::/48"
}

# deny known bad: benchmarking range that must never be reached
resource "aws_network_acl_rule" "app_in_30" {
  #checkov:skip=CKV_AWS_352:deny entry, not an allow: deny known bad: benchmarking range that must never be reached
  network_acl_id = aws_network_acl.app.id
  rule_number    = 30
  egress         = false
  protocol       = "-1"
  rule_action    = "deny"
  cidr_block     = "198.18.0.0/15"
}

# alb to pay : 8443/tcp - payment requests over TLS - card platform team
resource "aws_network_acl_rule" "app_in_100" {
  for_each = { for i, cidr in var.public_subnet_cidrs : cidr => i }

  network_acl_id = aws_network_acl.app.id
  rule_number    = 100 + each.value
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = each.key
  from_port      = 8443
  to_port        = 8443
}

# return traffic: ephemeral 1024-65535 (Linux 32768-60999, Windows 49152-65535, NAT/ELB 1024-65535)
# return of: pay to vault : 5432/tcp - card token vault - card platform team
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

# builder to pay : 9000/tcp - deployment agent - card platform team
resource "aws_network_acl_rule" "app_in_120" {
  for_each = { for i, cidr in var.mgmt_subnet_cidrs : cidr => i }

  network_acl_id = aws_network_acl.app.id
  rule_number    = 120 + each.value
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = each.key
  from_port      = 9000
  to_port        = 9000
}

# return traffic: ephemeral 1024-65535 (Linux 32768-60999, Windows 49152-65535, NAT/ELB 1024-65535)
# return of: pay to resolver : 53/udp - card network DNS - card platform team
resource "aws_network_acl_rule" "app_in_130" {
  network_acl_id = aws_network_acl.app.id
  rule_number    = 130
  egress         = false
  protocol       = "udp"
  rule_action    = "allow"
  cidr_block     = "198.51.100.53/32"
  from_port      = 1024
  to_port        = 65535
}

# return traffic: ephemeral 1024-65535 (Linux 32768-60999, Windows 49152-65535, NAT/ELB 1024-65535)
# return of: pay to endpoints : 443/tcp - private endpoint access: aws:ec2messages, aws:kms, aws:logs, aws:ssm, aws:ssmmessages - card platform team
resource "aws_network_acl_rule" "app_in_140" {
  for_each = { for i, cidr in var.mgmt_subnet_cidrs : cidr => i }

  network_acl_id = aws_network_acl.app.id
  rule_number    = 140 + each.value
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = each.key
  from_port      = 1024
  to_port        = 65535
}

# return traffic: ephemeral 1024-65535 (Linux 32768-60999, Windows 49152-65535, NAT/ELB 1024-65535)
# return of: pay to .visa.com, api.mastercard.com : 443/tcp - card network authorisation - card platform team (host names filtered by the egress firewall or proxy)
resource "aws_network_acl_rule" "app_in_150" {
  #checkov:skip=CKV_AWS_231:stateless return path of return of: pay to .visa.com, api.mastercard.com : 443/tcp - card network authorisation - card platform team (host names filtered by the egress firewall or proxy); the security groups admit no inbound connection on this port
  network_acl_id = aws_network_acl.app.id
  rule_number    = 150
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

# explicit final deny: everything not allowed above
resource "aws_network_acl_rule" "app_in_32010" {
  #checkov:skip=CKV_AWS_352:deny entry, not an allow: explicit final deny: everything not allowed above
  network_acl_id  = aws_network_acl.app.id
  rule_number     = 32010
  egress          = false
  protocol        = "-1"
  rule_action     = "deny"
  ipv6_cidr_block = "::/0"
}

# deny known bad: scanner networks seen in the WAF logs
resource "aws_network_acl_rule" "app_out_10" {
  network_acl_id = aws_network_acl.app.id
  rule_number    = 10
  egress         = true
  protocol       = "-1"
  rule_action    = "deny"
  cidr_block     = "203.0.113.0/24"
}

# deny known bad: scanner networks seen in the WAF logs
resource "aws_network_acl_rule" "app_out_20" {
  network_acl_id  = aws_network_acl.app.id
  rule_number     = 20
  egress          = true
  protocol        = "-1"
  rule_action     = "deny"
  ipv6_cidr_block = "2001:db8:bad::/48"
}

# deny known bad: benchmarking range that must never be reached
resource "aws_network_acl_rule" "app_out_30" {
  network_acl_id = aws_network_acl.app.id
  rule_number    = 30
  egress         = true
  protocol       = "-1"
  rule_action    = "deny"
  cidr_block     = "198.18.0.0/15"
}

# return traffic: ephemeral 1024-65535 (Linux 32768-60999, Windows 49152-65535, NAT/ELB 1024-65535)
# return of: alb to pay : 8443/tcp - payment requests over TLS - card platform team
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

# pay to vault : 5432/tcp - card token vault - card platform team
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

# return traffic: ephemeral 1024-65535 (Linux 32768-60999, Windows 49152-65535, NAT/ELB 1024-65535)
# return of: builder to pay : 9000/tcp - deployment agent - card platform team
resource "aws_network_acl_rule" "app_out_120" {
  for_each = { for i, cidr in var.mgmt_subnet_cidrs : cidr => i }

  network_acl_id = aws_network_acl.app.id
  rule_number    = 120 + each.value
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = each.key
  from_port      = 1024
  to_port        = 65535
}

# pay to resolver : 53/udp - card network DNS - card platform team
resource "aws_network_acl_rule" "app_out_130" {
  network_acl_id = aws_network_acl.app.id
  rule_number    = 130
  egress         = true
  protocol       = "udp"
  rule_action    = "allow"
  cidr_block     = "198.51.100.53/32"
  from_port      = 53
  to_port        = 53
}

# pay to endpoints : 443/tcp - private endpoint access: aws:ec2messages, aws:kms, aws:logs, aws:ssm, aws:ssmmessages - card platform team
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

# pay to .visa.com, api.mastercard.com : 443/tcp - card network authorisation - card platform team (host names filtered by the egress firewall or proxy)
resource "aws_network_acl_rule" "app_out_150" {
  network_acl_id = aws_network_acl.app.id
  rule_number    = 150
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "0.0.0.0/0"
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

# explicit final deny: everything not allowed above
resource "aws_network_acl_rule" "app_out_32010" {
  network_acl_id  = aws_network_acl.app.id
  rule_number     = 32010
  egress          = true
  protocol        = "-1"
  rule_action     = "deny"
  ipv6_cidr_block = "::/0"
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

# deny known bad: scanner networks seen in the WAF logs
resource "aws_network_acl_rule" "data_in_10" {
  #checkov:skip=CKV_AWS_352:deny entry, not an allow: deny known bad: scanner networks seen in the WAF logs
  network_acl_id = aws_network_acl.data.id
  rule_number    = 10
  egress         = false
  protocol       = "-1"
  rule_action    = "deny"
  cidr_block     = "203.0.113.0/24"
}

# deny known bad: scanner networks seen in the WAF logs
resource "aws_network_acl_rule" "data_in_20" {
  #checkov:skip=CKV_AWS_352:deny entry, not an allow: deny known bad: scanner networks seen in the WAF logs
  network_acl_id  = aws_network_acl.data.id
  rule_number     = 20
  egress          = false
  protocol        = "-1"
  rule_action     = "deny"
  ipv6_cidr_block = "2001:db8:bad::/48"
}

# deny known bad: benchmarking range that must never be reached
resource "aws_network_acl_rule" "data_in_30" {
  #checkov:skip=CKV_AWS_352:deny entry, not an allow: deny known bad: benchmarking range that must never be reached
  network_acl_id = aws_network_acl.data.id
  rule_number    = 30
  egress         = false
  protocol       = "-1"
  rule_action    = "deny"
  cidr_block     = "198.18.0.0/15"
}

# pay to vault : 5432/tcp - card token vault - card platform team
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

# explicit final deny: everything not allowed above
resource "aws_network_acl_rule" "data_in_32010" {
  #checkov:skip=CKV_AWS_352:deny entry, not an allow: explicit final deny: everything not allowed above
  network_acl_id  = aws_network_acl.data.id
  rule_number     = 32010
  egress          = false
  protocol        = "-1"
  rule_action     = "deny"
  ipv6_cidr_block = "::/0"
}

# deny known bad: scanner networks seen in the WAF logs
resource "aws_network_acl_rule" "data_out_10" {
  network_acl_id = aws_network_acl.data.id
  rule_number    = 10
  egress         = true
  protocol       = "-1"
  rule_action    = "deny"
  cidr_block     = "203.0.113.0/24"
}

# deny known bad: scanner networks seen in the WAF logs
resource "aws_network_acl_rule" "data_out_20" {
  network_acl_id  = aws_network_acl.data.id
  rule_number     = 20
  egress          = true
  protocol        = "-1"
  rule_action     = "deny"
  ipv6_cidr_block = "2001:db8:bad::/48"
}

# deny known bad: benchmarking range that must never be reached
resource "aws_network_acl_rule" "data_out_30" {
  network_acl_id = aws_network_acl.data.id
  rule_number    = 30
  egress         = true
  protocol       = "-1"
  rule_action    = "deny"
  cidr_block     = "198.18.0.0/15"
}

# return traffic: ephemeral 1024-65535 (Linux 32768-60999, Windows 49152-65535, NAT/ELB 1024-65535)
# return of: pay to vault : 5432/tcp - card token vault - card platform team
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

# explicit final deny: everything not allowed above
resource "aws_network_acl_rule" "data_out_32010" {
  network_acl_id  = aws_network_acl.data.id
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

# deny known bad: scanner networks seen in the WAF logs
resource "aws_network_acl_rule" "mgmt_in_10" {
  #checkov:skip=CKV_AWS_352:deny entry, not an allow: deny known bad: scanner networks seen in the WAF logs
  network_acl_id = aws_network_acl.mgmt.id
  rule_number    = 10
  egress         = false
  protocol       = "-1"
  rule_action    = "deny"
  cidr_block     = "203.0.113.0/24"
}

# deny known bad: scanner networks seen in the WAF logs
resource "aws_network_acl_rule" "mgmt_in_20" {
  #checkov:skip=CKV_AWS_352:deny entry, not an allow: deny known bad: scanner networks seen in the WAF logs
  network_acl_id  = aws_network_acl.mgmt.id
  rule_number     = 20
  egress          = false
  protocol        = "-1"
  rule_action     = "deny"
  ipv6_cidr_block = "2001:db8:bad::/48"
}

# deny known bad: benchmarking range that must never be reached
resource "aws_network_acl_rule" "mgmt_in_30" {
  #checkov:skip=CKV_AWS_352:deny entry, not an allow: deny known bad: benchmarking range that must never be reached
  network_acl_id = aws_network_acl.mgmt.id
  rule_number    = 30
  egress         = false
  protocol       = "-1"
  rule_action    = "deny"
  cidr_block     = "198.18.0.0/15"
}

# return traffic: ephemeral 1024-65535 (Linux 32768-60999, Windows 49152-65535, NAT/ELB 1024-65535)
# return of: builder to pay : 9000/tcp - deployment agent - card platform team
resource "aws_network_acl_rule" "mgmt_in_100" {
  for_each = { for i, cidr in var.app_subnet_cidrs : cidr => i }

  network_acl_id = aws_network_acl.mgmt.id
  rule_number    = 100 + each.value
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = each.key
  from_port      = 1024
  to_port        = 65535
}

# return traffic: ephemeral 1024-65535 (Linux 32768-60999, Windows 49152-65535, NAT/ELB 1024-65535)
# return of: builder to endpoints : 443/tcp - private endpoint access: aws:ec2messages, aws:kms, aws:logs, aws:ssm, aws:ssmmessages - card platform team
resource "aws_network_acl_rule" "mgmt_in_110" {
  for_each = { for i, cidr in var.mgmt_subnet_cidrs : cidr => i }

  network_acl_id = aws_network_acl.mgmt.id
  rule_number    = 110 + each.value
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = each.key
  from_port      = 1024
  to_port        = 65535
}

# builder to endpoints : 443/tcp - private endpoint access: aws:ec2messages, aws:kms, aws:logs, aws:ssm, aws:ssmmessages - card platform team
resource "aws_network_acl_rule" "mgmt_in_120" {
  for_each = { for i, cidr in var.mgmt_subnet_cidrs : cidr => i }

  network_acl_id = aws_network_acl.mgmt.id
  rule_number    = 120 + each.value
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = each.key
  from_port      = 443
  to_port        = 443
}

# pay to endpoints : 443/tcp - private endpoint access: aws:ec2messages, aws:kms, aws:logs, aws:ssm, aws:ssmmessages - card platform team
resource "aws_network_acl_rule" "mgmt_in_130" {
  for_each = { for i, cidr in var.app_subnet_cidrs : cidr => i }

  network_acl_id = aws_network_acl.mgmt.id
  rule_number    = 130 + each.value
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

# explicit final deny: everything not allowed above
resource "aws_network_acl_rule" "mgmt_in_32010" {
  #checkov:skip=CKV_AWS_352:deny entry, not an allow: explicit final deny: everything not allowed above
  network_acl_id  = aws_network_acl.mgmt.id
  rule_number     = 32010
  egress          = false
  protocol        = "-1"
  rule_action     = "deny"
  ipv6_cidr_block = "::/0"
}

# deny known bad: scanner networks seen in the WAF logs
resource "aws_network_acl_rule" "mgmt_out_10" {
  network_acl_id = aws_network_acl.mgmt.id
  rule_number    = 10
  egress         = true
  protocol       = "-1"
  rule_action    = "deny"
  cidr_block     = "203.0.113.0/24"
}

# deny known bad: scanner networks seen in the WAF logs
resource "aws_network_acl_rule" "mgmt_out_20" {
  network_acl_id  = aws_network_acl.mgmt.id
  rule_number     = 20
  egress          = true
  protocol        = "-1"
  rule_action     = "deny"
  ipv6_cidr_block = "2001:db8:bad::/48"
}

# deny known bad: benchmarking range that must never be reached
resource "aws_network_acl_rule" "mgmt_out_30" {
  network_acl_id = aws_network_acl.mgmt.id
  rule_number    = 30
  egress         = true
  protocol       = "-1"
  rule_action    = "deny"
  cidr_block     = "198.18.0.0/15"
}

# builder to pay : 9000/tcp - deployment agent - card platform team
resource "aws_network_acl_rule" "mgmt_out_100" {
  for_each = { for i, cidr in var.app_subnet_cidrs : cidr => i }

  network_acl_id = aws_network_acl.mgmt.id
  rule_number    = 100 + each.value
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = each.key
  from_port      = 9000
  to_port        = 9000
}

# builder to endpoints : 443/tcp - private endpoint access: aws:ec2messages, aws:kms, aws:logs, aws:ssm, aws:ssmmessages - card platform team
resource "aws_network_acl_rule" "mgmt_out_110" {
  for_each = { for i, cidr in var.mgmt_subnet_cidrs : cidr => i }

  network_acl_id = aws_network_acl.mgmt.id
  rule_number    = 110 + each.value
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = each.key
  from_port      = 443
  to_port        = 443
}

# return traffic: ephemeral 1024-65535 (Linux 32768-60999, Windows 49152-65535, NAT/ELB 1024-65535)
# return of: builder to endpoints : 443/tcp - private endpoint access: aws:ec2messages, aws:kms, aws:logs, aws:ssm, aws:ssmmessages - card platform team
resource "aws_network_acl_rule" "mgmt_out_120" {
  for_each = { for i, cidr in var.mgmt_subnet_cidrs : cidr => i }

  network_acl_id = aws_network_acl.mgmt.id
  rule_number    = 120 + each.value
  egress         = true
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = each.key
  from_port      = 1024
  to_port        = 65535
}

# return traffic: ephemeral 1024-65535 (Linux 32768-60999, Windows 49152-65535, NAT/ELB 1024-65535)
# return of: pay to endpoints : 443/tcp - private endpoint access: aws:ec2messages, aws:kms, aws:logs, aws:ssm, aws:ssmmessages - card platform team
resource "aws_network_acl_rule" "mgmt_out_130" {
  for_each = { for i, cidr in var.app_subnet_cidrs : cidr => i }

  network_acl_id = aws_network_acl.mgmt.id
  rule_number    = 130 + each.value
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

# explicit final deny: everything not allowed above
resource "aws_network_acl_rule" "mgmt_out_32010" {
  network_acl_id  = aws_network_acl.mgmt.id
  rule_number     = 32010
  egress          = true
  protocol        = "-1"
  rule_action     = "deny"
  ipv6_cidr_block = "::/0"
}
