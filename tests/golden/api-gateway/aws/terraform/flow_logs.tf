data "aws_caller_identity" "current" {
}

data "aws_iam_policy_document" "flow_logs_key" {
  statement {
    sid       = "KeyAdministration"
    effect    = "Allow"
    actions   = ["kms:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::${data.aws_caller_identity.current.account_id}:root"]
    }
  }
  statement {
    sid       = "CloudWatchLogsUse"
    effect    = "Allow"
    actions   = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
    resources = ["*"]
    principals {
      type        = "Service"
      identifiers = ["logs.${var.region}.amazonaws.com"]
    }
    condition {
      test     = "ArnEquals"
      variable = "kms:EncryptionContext:aws:logs:arn"
      values   = ["arn:aws:logs:${var.region}:${data.aws_caller_identity.current.account_id}:log-group:/vpc/flow-logs/prod-shop-api-gateway"]
    }
  }
}

resource "aws_kms_key" "flow_logs" {
  description             = "Encrypts the VPC flow logs of prod-shop-api-gateway"
  enable_key_rotation     = true
  deletion_window_in_days = 30

  policy = data.aws_iam_policy_document.flow_logs_key.json

  tags = merge(var.tags, {
    Name = "prod-shop-api-gateway-flow-logs"
    Env  = "prod"
  })
}

resource "aws_cloudwatch_log_group" "flow_logs" {
  name              = "/vpc/flow-logs/prod-shop-api-gateway"
  retention_in_days = 365
  kms_key_id        = aws_kms_key.flow_logs.arn

  tags = merge(var.tags, {
    Name = "/vpc/flow-logs/prod-shop-api-gateway"
    Env  = "prod"
  })
}

data "aws_iam_policy_document" "flow_logs_assume" {
  statement {
    sid     = "FlowLogsAssume"
    effect  = "Allow"
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["vpc-flow-logs.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }
}

resource "aws_iam_role" "flow_logs" {
  name               = "prod-shop-api-gateway-flow-logs"
  assume_role_policy = data.aws_iam_policy_document.flow_logs_assume.json

  tags = merge(var.tags, {
    Name = "prod-shop-api-gateway-flow-logs"
    Env  = "prod"
  })
}

data "aws_iam_policy_document" "flow_logs_delivery" {
  statement {
    sid       = "DeliverToLogGroup"
    effect    = "Allow"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogGroups", "logs:DescribeLogStreams"]
    resources = ["${aws_cloudwatch_log_group.flow_logs.arn}:*"]
  }
}

resource "aws_iam_role_policy" "flow_logs" {
  name   = "deliver-flow-logs"
  role   = aws_iam_role.flow_logs.id
  policy = data.aws_iam_policy_document.flow_logs_delivery.json
}

resource "aws_flow_log" "vpc" {
  vpc_id                   = var.vpc_id
  traffic_type             = "ALL"
  log_destination_type     = "cloud-watch-logs"
  log_destination          = aws_cloudwatch_log_group.flow_logs.arn
  iam_role_arn             = aws_iam_role.flow_logs.arn
  max_aggregation_interval = 60

  tags = merge(var.tags, {
    Name = "prod-shop-api-gateway-flow-logs"
    Env  = "prod"
  })
}
