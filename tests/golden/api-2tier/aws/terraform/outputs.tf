output "security_group_ids" {
  description = "Security-group id of each workload group."
  value = {
    "api"       = aws_security_group.api.id
    "endpoints" = aws_security_group.endpoints.id
    "mysql"     = aws_security_group.mysql.id
    "nlb"       = aws_security_group.nlb.id
  }
}

output "api_security_group_id" {
  description = "Security-group id of staging-app-api-sg."
  value       = aws_security_group.api.id
}

output "endpoints_security_group_id" {
  description = "Security-group id of staging-mgmt-endpoints-sg."
  value       = aws_security_group.endpoints.id
}

output "mysql_security_group_id" {
  description = "Security-group id of staging-data-mysql-sg."
  value       = aws_security_group.mysql.id
}

output "nlb_security_group_id" {
  description = "Security-group id of staging-public-nlb-sg."
  value       = aws_security_group.nlb.id
}
