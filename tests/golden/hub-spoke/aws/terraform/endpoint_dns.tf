resource "aws_route53_zone" "endpoint_ec2messages" {
  name    = "ec2messages.${var.region}.amazonaws.com"
  comment = "prod-platform: ec2messages through the hub interface endpoint, for the hub and every spoke"

  vpc {
    vpc_id = var.vpc_id
  }
  vpc {
    vpc_id = var.spoke_finance_vpc_id
  }
  vpc {
    vpc_id = var.spoke_analytics_vpc_id
  }

  tags = merge(var.tags, {
    Name = "prod-platform-ec2messages-phz"
    Env  = "prod"
  })
}

resource "aws_route53_record" "endpoint_ec2messages" {
  zone_id = aws_route53_zone.endpoint_ec2messages.zone_id
  name    = "ec2messages.${var.region}.amazonaws.com"
  type    = "A"

  alias {
    name                   = aws_vpc_endpoint.ec2messages.dns_entry[0].dns_name
    zone_id                = aws_vpc_endpoint.ec2messages.dns_entry[0].hosted_zone_id
    evaluate_target_health = true
  }
}

resource "aws_route53_zone" "endpoint_kms" {
  name    = "kms.${var.region}.amazonaws.com"
  comment = "prod-platform: kms through the hub interface endpoint, for the hub and every spoke"

  vpc {
    vpc_id = var.vpc_id
  }
  vpc {
    vpc_id = var.spoke_finance_vpc_id
  }
  vpc {
    vpc_id = var.spoke_analytics_vpc_id
  }

  tags = merge(var.tags, {
    Name = "prod-platform-kms-phz"
    Env  = "prod"
  })
}

resource "aws_route53_record" "endpoint_kms" {
  zone_id = aws_route53_zone.endpoint_kms.zone_id
  name    = "kms.${var.region}.amazonaws.com"
  type    = "A"

  alias {
    name                   = aws_vpc_endpoint.kms.dns_entry[0].dns_name
    zone_id                = aws_vpc_endpoint.kms.dns_entry[0].hosted_zone_id
    evaluate_target_health = true
  }
}

resource "aws_route53_zone" "endpoint_logs" {
  name    = "logs.${var.region}.amazonaws.com"
  comment = "prod-platform: logs through the hub interface endpoint, for the hub and every spoke"

  vpc {
    vpc_id = var.vpc_id
  }
  vpc {
    vpc_id = var.spoke_finance_vpc_id
  }
  vpc {
    vpc_id = var.spoke_analytics_vpc_id
  }

  tags = merge(var.tags, {
    Name = "prod-platform-logs-phz"
    Env  = "prod"
  })
}

resource "aws_route53_record" "endpoint_logs" {
  zone_id = aws_route53_zone.endpoint_logs.zone_id
  name    = "logs.${var.region}.amazonaws.com"
  type    = "A"

  alias {
    name                   = aws_vpc_endpoint.logs.dns_entry[0].dns_name
    zone_id                = aws_vpc_endpoint.logs.dns_entry[0].hosted_zone_id
    evaluate_target_health = true
  }
}

resource "aws_route53_zone" "endpoint_secretsmanager" {
  name    = "secretsmanager.${var.region}.amazonaws.com"
  comment = "prod-platform: secretsmanager through the hub interface endpoint, for the hub and every spoke"

  vpc {
    vpc_id = var.vpc_id
  }
  vpc {
    vpc_id = var.spoke_finance_vpc_id
  }
  vpc {
    vpc_id = var.spoke_analytics_vpc_id
  }

  tags = merge(var.tags, {
    Name = "prod-platform-secretsmanager-phz"
    Env  = "prod"
  })
}

resource "aws_route53_record" "endpoint_secretsmanager" {
  zone_id = aws_route53_zone.endpoint_secretsmanager.zone_id
  name    = "secretsmanager.${var.region}.amazonaws.com"
  type    = "A"

  alias {
    name                   = aws_vpc_endpoint.secretsmanager.dns_entry[0].dns_name
    zone_id                = aws_vpc_endpoint.secretsmanager.dns_entry[0].hosted_zone_id
    evaluate_target_health = true
  }
}

resource "aws_route53_zone" "endpoint_ssm" {
  name    = "ssm.${var.region}.amazonaws.com"
  comment = "prod-platform: ssm through the hub interface endpoint, for the hub and every spoke"

  vpc {
    vpc_id = var.vpc_id
  }
  vpc {
    vpc_id = var.spoke_finance_vpc_id
  }
  vpc {
    vpc_id = var.spoke_analytics_vpc_id
  }

  tags = merge(var.tags, {
    Name = "prod-platform-ssm-phz"
    Env  = "prod"
  })
}

resource "aws_route53_record" "endpoint_ssm" {
  zone_id = aws_route53_zone.endpoint_ssm.zone_id
  name    = "ssm.${var.region}.amazonaws.com"
  type    = "A"

  alias {
    name                   = aws_vpc_endpoint.ssm.dns_entry[0].dns_name
    zone_id                = aws_vpc_endpoint.ssm.dns_entry[0].hosted_zone_id
    evaluate_target_health = true
  }
}

resource "aws_route53_zone" "endpoint_ssmmessages" {
  name    = "ssmmessages.${var.region}.amazonaws.com"
  comment = "prod-platform: ssmmessages through the hub interface endpoint, for the hub and every spoke"

  vpc {
    vpc_id = var.vpc_id
  }
  vpc {
    vpc_id = var.spoke_finance_vpc_id
  }
  vpc {
    vpc_id = var.spoke_analytics_vpc_id
  }

  tags = merge(var.tags, {
    Name = "prod-platform-ssmmessages-phz"
    Env  = "prod"
  })
}

resource "aws_route53_record" "endpoint_ssmmessages" {
  zone_id = aws_route53_zone.endpoint_ssmmessages.zone_id
  name    = "ssmmessages.${var.region}.amazonaws.com"
  type    = "A"

  alias {
    name                   = aws_vpc_endpoint.ssmmessages.dns_entry[0].dns_name
    zone_id                = aws_vpc_endpoint.ssmmessages.dns_entry[0].hosted_zone_id
    evaluate_target_health = true
  }
}
