output "security_group_ids" {
  description = "Security-group id of each workload group."
  value = {
    "alb"       = aws_security_group.alb.id
    "ecs"       = aws_security_group.ecs.id
    "endpoints" = aws_security_group.endpoints.id
    "rds"       = aws_security_group.rds.id
    "redis"     = aws_security_group.redis.id
  }
}

output "alb_security_group_id" {
  description = "Security-group id of prod-public-alb-sg."
  value       = aws_security_group.alb.id
}

output "ecs_security_group_id" {
  description = "Security-group id of prod-app-ecs-sg."
  value       = aws_security_group.ecs.id
}

output "endpoints_security_group_id" {
  description = "Security-group id of prod-mgmt-endpoints-sg."
  value       = aws_security_group.endpoints.id
}

output "rds_security_group_id" {
  description = "Security-group id of prod-data-rds-sg."
  value       = aws_security_group.rds.id
}

output "redis_security_group_id" {
  description = "Security-group id of prod-data-redis-sg."
  value       = aws_security_group.redis.id
}
