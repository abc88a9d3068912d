output "security_group_ids" {
  description = "Security-group id of each workload group."
  value = {
    "alb"        = aws_security_group.alb.id
    "api"        = aws_security_group.api.id
    "cache"      = aws_security_group.cache.id
    "endpoints"  = aws_security_group.endpoints.id
    "primary-db" = aws_security_group.primary-db.id
  }
}

output "alb_security_group_id" {
  description = "Security-group id of prod-public-alb-sg."
  value       = aws_security_group.alb.id
}

output "api_security_group_id" {
  description = "Security-group id of prod-app-api-sg."
  value       = aws_security_group.api.id
}

output "cache_security_group_id" {
  description = "Security-group id of prod-data-cache-sg."
  value       = aws_security_group.cache.id
}

output "endpoints_security_group_id" {
  description = "Security-group id of prod-mgmt-endpoints-sg."
  value       = aws_security_group.endpoints.id
}

output "primary-db_security_group_id" {
  description = "Security-group id of prod-data-primary-db-sg."
  value       = aws_security_group.primary-db.id
}
