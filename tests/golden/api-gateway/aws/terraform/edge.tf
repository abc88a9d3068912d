variable "load_balancer_listener_arn" {
  description = "ARN of the public load balancer's listener the API forwards to through the VPC link."
  type        = string
}

resource "aws_apigatewayv2_vpc_link" "edge" {
  name               = "prod-shop-api-gateway-link"
  security_group_ids = [aws_security_group.apigw_vpc_link.id]
  subnet_ids         = var.public_subnet_ids
  tags               = var.tags
}

resource "aws_apigatewayv2_api" "edge" {
  name          = "prod-shop-api-gateway-api"
  protocol_type = "HTTP"
  tags          = var.tags
}

resource "aws_apigatewayv2_integration" "edge" {
  api_id             = aws_apigatewayv2_api.edge.id
  integration_type   = "HTTP_PROXY"
  integration_method = "ANY"
  integration_uri    = var.load_balancer_listener_arn
  connection_type    = "VPC_LINK"
  connection_id      = aws_apigatewayv2_vpc_link.edge.id
}

resource "aws_apigatewayv2_route" "edge" {
  api_id    = aws_apigatewayv2_api.edge.id
  route_key = "$default"
  target    = "integrations/${aws_apigatewayv2_integration.edge.id}"
}

data "aws_caller_identity" "edge" {
}

resource "aws_kms_key" "edge_logs" {
  description             = "Encrypts the edge's logs."
  enable_key_rotation     = true
  deletion_window_in_days = 30

  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "AccountAdministers"
        Effect    = "Allow"
        Principal = { AWS = "arn:aws:iam::${data.aws_caller_identity.edge.account_id}:root" }
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

  tags = var.tags
}

resource "aws_cloudwatch_log_group" "api_access" {
  name              = "/aws/apigateway/prod-shop-api-gateway-api"
  retention_in_days = 365
  kms_key_id        = aws_kms_key.edge_logs.arn

  tags = var.tags
}

resource "aws_apigatewayv2_stage" "edge" {
  api_id      = aws_apigatewayv2_api.edge.id
  name        = "$default"
  auto_deploy = true

  access_log_settings {
    destination_arn = aws_cloudwatch_log_group.api_access.arn
    format          = "{\"httpMethod\":\"$context.httpMethod\",\"integrationError\":\"$context.integrationErrorMessage\",\"requestId\":\"$context.requestId\",\"requestTime\":\"$context.requestTime\",\"responseLength\":\"$context.responseLength\",\"routeKey\":\"$context.routeKey\",\"sourceIp\":\"$context.identity.sourceIp\",\"status\":\"$context.status\"}"
  }

  tags = var.tags
}
