variable "home_net_cidrs" {
  description = "CIDRs inspected as HOME_NET besides the VPC's own (always included): spoke VPCs whose egress is routed through this firewall."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for c in var.home_net_cidrs : can(cidrhost(c, 0))])
    error_message = "home_net_cidrs holds CIDR blocks (10.1.0.0/16)."
  }
}

variable "firewall_subnet_ids" {
  description = "Dedicated firewall subnet of each AZ (AZ => subnet id): a small subnet (/28) that holds only the firewall endpoint, in every AZ with app subnets."
  type        = map(string)

  validation {
    condition     = length(var.firewall_subnet_ids) > 0 && alltrue([for az, id in var.firewall_subnet_ids : can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]+[a-z]$", az)) && can(regex("^subnet-[0-9a-f]+$", id))])
    error_message = "firewall_subnet_ids maps each Availability Zone name (eu-west-1a) to its dedicated firewall subnet (subnet-...), at least one."
  }
}

variable "app_route_table_ids" {
  description = "Route table of the app subnets of each AZ (AZ => route table id): its 0.0.0.0/0 goes to the firewall endpoint of the same AZ. Never a route table of the data tier, which keeps no internet route."
  type        = map(string)

  validation {
    condition     = length(var.app_route_table_ids) > 0 && alltrue([for az, id in var.app_route_table_ids : can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]+[a-z]$", az)) && can(regex("^rtb-[0-9a-f]+$", id))])
    error_message = "app_route_table_ids maps each Availability Zone name (eu-west-1a) to the route table of its app subnets (rtb-...), at least one."
  }
}

variable "nat_gateway_ids" {
  description = "NAT gateway of each AZ (AZ => NAT gateway id): the firewall subnet of that AZ sends 0.0.0.0/0 to it."
  type        = map(string)

  validation {
    condition     = length(var.nat_gateway_ids) > 0 && alltrue([for az, id in var.nat_gateway_ids : can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]+[a-z]$", az)) && can(regex("^nat-[0-9a-f]+$", id))])
    error_message = "nat_gateway_ids maps each Availability Zone name (eu-west-1a) to its NAT gateway (nat-...), at least one."
  }
}

variable "nat_route_table_ids" {
  description = "Route tables of the subnets that hold the NAT gateways: each app subnet's CIDR goes back through the firewall endpoint of the app subnet's AZ, so replies cross the firewall too. Keep load balancers out of these subnets (their traffic to the app tier would cross the firewall one way only)."
  type        = list(string)

  validation {
    condition     = length(var.nat_route_table_ids) > 0 && alltrue([for id in var.nat_route_table_ids : can(regex("^rtb-[0-9a-f]+$", id))])
    error_message = "nat_route_table_ids lists the route tables (rtb-...) of the NAT gateways' subnets, at least one."
  }
}

data "aws_caller_identity" "egress" {
}

resource "aws_kms_key" "egress_firewall" {
  description             = "Encrypts the egress firewall and its logs."
  enable_key_rotation     = true
  deletion_window_in_days = 30

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "AccountAdministers"
        Effect    = "Allow"
        Principal = { AWS = "arn:aws:iam::${data.aws_caller_identity.egress.account_id}:root" }
        Action    = "kms:*"
        Resource  = "*"
      },
      {
        Sid       = "CloudWatchLogsEncrypts"
        Effect    = "Allow"
        Principal = { Service = "logs.${var.region}.amazonaws.com" }
        Action    = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
        Resource  = "*"
      },
    ]
  })

  tags = merge(var.tags, {
    Name = "prod-payments-egress-firewall-key"
    Env  = "prod"
  })
}

resource "aws_cloudwatch_log_group" "egress_firewall" {
  # checkov:skip=CKV_AWS_338:egress filter logs are kept 120 days, as the profile's egress_filtering.log_retention_days asks
  name              = "/prod-payments/network-firewall/egress"
  retention_in_days = 120
  kms_key_id        = aws_kms_key.egress_firewall.arn

  tags = merge(var.tags, {
    Name = "prod-payments-egress-firewall-logs"
    Env  = "prod"
  })
}

resource "aws_networkfirewall_rule_group" "egress_fqdn_allowlist" {
  name        = "prod-payments-egress-fqdn-allowlist"
  description = "Host names the workloads may reach (TLS SNI and HTTP Host); other TLS and HTTP is dropped."
  type        = "STATEFUL"
  capacity    = 100

  encryption_configuration {
    key_id = aws_kms_key.egress_firewall.arn
    type   = "CUSTOMER_KMS"
  }

  rule_group {
    rule_variables {
      ip_sets {
        key = "HOME_NET"
        ip_set {
          definition = distinct(concat(data.aws_vpc.egress.cidr_block_associations[*].cidr_block, var.home_net_cidrs))
        }
      }
    }
    rules_source {
      rules_source_list {
        generated_rules_type = "ALLOWLIST"
        target_types         = ["TLS_SNI", "HTTP_HOST"]
        targets              = [".example.com", ".githubusercontent.com", "api.stripe.com"]
      }
    }
  }

  tags = merge(var.tags, {
    Name = "prod-payments-egress-fqdn-allowlist"
    Env  = "prod"
  })
}

resource "aws_networkfirewall_firewall_policy" "egress" {
  name = "prod-payments-egress-policy"

  encryption_configuration {
    key_id = aws_kms_key.egress_firewall.arn
    type   = "CUSTOMER_KMS"
  }

  firewall_policy {
    stateless_default_actions          = ["aws:forward_to_sfe"]
    stateless_fragment_default_actions = ["aws:forward_to_sfe"]

    stateful_rule_group_reference {
      resource_arn = aws_networkfirewall_rule_group.egress_fqdn_allowlist.arn
    }
  }

  tags = merge(var.tags, {
    Name = "prod-payments-egress-policy"
    Env  = "prod"
  })
}

resource "aws_networkfirewall_firewall" "egress" {
  name                              = "prod-payments-egress-firewall"
  firewall_policy_arn               = aws_networkfirewall_firewall_policy.egress.arn
  vpc_id                            = var.vpc_id
  delete_protection                 = true
  subnet_change_protection          = true
  firewall_policy_change_protection = true

  encryption_configuration {
    key_id = aws_kms_key.egress_firewall.arn
    type   = "CUSTOMER_KMS"
  }

  dynamic "subnet_mapping" {
    for_each = var.firewall_subnet_ids

    content {
      subnet_id = subnet_mapping.value
    }
  }

  tags = merge(var.tags, {
    Name = "prod-payments-egress-firewall"
    Env  = "prod"
  })
}

resource "aws_networkfirewall_logging_configuration" "egress" {
  firewall_arn = aws_networkfirewall_firewall.egress.arn

  logging_configuration {
    log_destination_config {
      log_destination_type = "CloudWatchLogs"
      log_type             = "ALERT"
      log_destination = {
        logGroup = aws_cloudwatch_log_group.egress_firewall.name
      }
    }
    log_destination_config {
      log_destination_type = "CloudWatchLogs"
      log_type             = "FLOW"
      log_destination = {
        logGroup = aws_cloudwatch_log_group.egress_firewall.name
      }
    }
  }
}

output "egress_firewall_endpoints" {
  description = "Firewall endpoint of each AZ: the target of the private route tables' default route."
  value       = local.egress_firewall_endpoints
}

data "aws_vpc" "egress" {
  id = var.vpc_id
}

data "aws_subnet" "egress_app" {
  for_each = toset(var.app_subnet_ids)
  id       = each.value
}

locals {
  egress_firewall_endpoints = { for s in aws_networkfirewall_firewall.egress.firewall_status[0].sync_states : s.availability_zone => s.attachment[0].endpoint_id }
}

resource "aws_route_table" "egress_firewall" {
  for_each = var.firewall_subnet_ids
  vpc_id   = var.vpc_id

  tags = merge(var.tags, {
    Name = "prod-payments-egress-firewall-${each.key}"
    Env  = "prod"
  })
}

resource "aws_route_table_association" "egress_firewall" {
  for_each       = var.firewall_subnet_ids
  subnet_id      = each.value
  route_table_id = aws_route_table.egress_firewall[each.key].id
}

resource "aws_route" "egress_firewall_to_nat" {
  for_each               = var.firewall_subnet_ids
  route_table_id         = aws_route_table.egress_firewall[each.key].id
  destination_cidr_block = "0.0.0.0/0"
  nat_gateway_id         = lookup(var.nat_gateway_ids, each.key, null)

  lifecycle {
    precondition {
      condition     = contains(keys(var.nat_gateway_ids), each.key)
      error_message = "Every AZ of firewall_subnet_ids needs a NAT gateway in nat_gateway_ids."
    }
  }
}

resource "aws_route" "app_default_via_firewall" {
  for_each               = var.app_route_table_ids
  route_table_id         = each.value
  destination_cidr_block = "0.0.0.0/0"
  vpc_endpoint_id        = lookup(local.egress_firewall_endpoints, each.key, null)

  lifecycle {
    precondition {
      condition     = contains(keys(var.firewall_subnet_ids), each.key) && length(var.app_subnet_ids) > 0
      error_message = "Every AZ of app_route_table_ids needs a firewall subnet in firewall_subnet_ids, and app_subnet_ids must list the app subnets (their replies are routed back through the firewall)."
    }
  }
}

resource "aws_route" "nat_return_via_firewall" {
  for_each               = { for p in setproduct(var.nat_route_table_ids, var.app_subnet_ids) : "${p[0]}_${p[1]}" => { route_table_id = p[0], subnet_id = p[1] } }
  route_table_id         = each.value.route_table_id
  destination_cidr_block = data.aws_subnet.egress_app[each.value.subnet_id].cidr_block
  vpc_endpoint_id        = lookup(local.egress_firewall_endpoints, data.aws_subnet.egress_app[each.value.subnet_id].availability_zone, null)

  lifecycle {
    precondition {
      condition     = contains(keys(var.firewall_subnet_ids), data.aws_subnet.egress_app[each.value.subnet_id].availability_zone)
      error_message = "Every AZ with app subnets needs a firewall subnet in firewall_subnet_ids."
    }
  }
}

resource "aws_vpc_security_group_egress_rule" "worker_fqdn_egress_443_443" {
  security_group_id = aws_security_group.worker.id
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  description       = "worker to .githubusercontent.com, api.stripe.com : 443/tcp - card payments and release downloads - payments team"
}

resource "aws_vpc_security_group_egress_rule" "api_fqdn_egress_443_443" {
  security_group_id = aws_security_group.api.id
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  description       = "api to .example.com : 443/tcp - partner API - payments team"
}
