# Operator access without SSH bastions: no group opens 22 or 3389 to the internet.
# Client VPN: operators of the VPN tiers connect from the client pool to management ports only.

data "aws_partition" "access" {
}

data "aws_caller_identity" "access" {
}

resource "aws_kms_key" "access" {
  description             = "Encrypts operator session and connection logs of stage-vpn-shop"
  enable_key_rotation     = true
  deletion_window_in_days = 30

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid    = "AccountAdministers"
        Effect = "Allow"
        Principal = {
          AWS = "arn:${data.aws_partition.access.partition}:iam::${data.aws_caller_identity.access.account_id}:root"
        }
        Action   = "kms:*"
        Resource = "*"
      },
      {
        Sid    = "CloudWatchLogsEncrypt"
        Effect = "Allow"
        Principal = {
          Service = "logs.${var.region}.amazonaws.com"
        }
        Action   = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
        Resource = "*"
        Condition = {
          ArnLike = {
            "kms:EncryptionContext:aws:logs:arn" = ["arn:${data.aws_partition.access.partition}:logs:${var.region}:${data.aws_caller_identity.access.account_id}:log-group:/aws/client-vpn/*"]
          }
        }
      },
    ]
  })

  tags = merge(var.tags, {
    Name = "stage-vpn-shop-access"
    Env  = "stage"
  })
}

resource "aws_kms_alias" "access" {
  name          = "alias/stage-vpn-shop-access"
  target_key_id = aws_kms_key.access.key_id
}

variable "client_vpn_server_certificate_arn" {
  description = "ACM certificate ARN of the Client VPN endpoint (server side)."
  type        = string
}

variable "client_vpn_client_root_certificate_arn" {
  description = "ACM certificate ARN of the root CA that issued the operators' client certificates."
  type        = string
}

variable "vpn_authorized_cidrs" {
  description = "Subnet CIDRs operators may reach over the client VPN, per tier (app, data); other keys are ignored."
  type        = map(list(string))
  default     = {}
}

resource "aws_cloudwatch_log_group" "client_vpn" {
  name              = "/aws/client-vpn/stage-vpn-shop"
  retention_in_days = 365
  kms_key_id        = aws_kms_key.access.arn

  tags = merge(var.tags, {
    Name = "/aws/client-vpn/stage-vpn-shop"
    Env  = "stage"
  })
}

resource "aws_cloudwatch_log_stream" "client_vpn" {
  name           = "connections"
  log_group_name = aws_cloudwatch_log_group.client_vpn.name
}

resource "aws_ec2_client_vpn_endpoint" "access" {
  description            = "stage-vpn-shop-client-vpn"
  server_certificate_arn = var.client_vpn_server_certificate_arn
  client_cidr_block      = "10.100.0.0/22"
  split_tunnel           = true
  transport_protocol     = "udp"
  vpc_id                 = var.vpc_id
  security_group_ids     = [aws_security_group.client-vpn.id]
  session_timeout_hours  = 8

  authentication_options {
    type                       = "certificate-authentication"
    root_certificate_chain_arn = var.client_vpn_client_root_certificate_arn
  }

  connection_log_options {
    enabled               = true
    cloudwatch_log_group  = aws_cloudwatch_log_group.client_vpn.name
    cloudwatch_log_stream = aws_cloudwatch_log_stream.client_vpn.name
  }

  client_connect_options {
    enabled = false
  }

  client_login_banner_options {
    enabled     = true
    banner_text = "Authorized operators of stage-vpn-shop only. Connections are logged."
  }

  tags = merge(var.tags, {
    Name = "stage-vpn-shop-client-vpn"
    Env  = "stage"
  })
}

resource "aws_ec2_client_vpn_network_association" "app" {
  for_each = toset(var.app_subnet_ids)

  client_vpn_endpoint_id = aws_ec2_client_vpn_endpoint.access.id
  subnet_id              = each.value
}

resource "aws_ec2_client_vpn_authorization_rule" "app" {
  for_each = toset(lookup(var.vpn_authorized_cidrs, "app", []))

  client_vpn_endpoint_id = aws_ec2_client_vpn_endpoint.access.id
  target_network_cidr    = each.value
  authorize_all_groups   = true
  description            = "Operators to the app tier"
}

resource "aws_ec2_client_vpn_authorization_rule" "data" {
  for_each = toset(lookup(var.vpn_authorized_cidrs, "data", []))

  client_vpn_endpoint_id = aws_ec2_client_vpn_endpoint.access.id
  target_network_cidr    = each.value
  authorize_all_groups   = true
  description            = "Operators to the data tier"
}
