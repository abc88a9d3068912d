output "security_group_ids" {
  description = "Security-group id of each workload group."
  value = {
    "alb"       = aws_security_group.alb.id
    "api"       = aws_security_group.api.id
    "endpoints" = aws_security_group.endpoints.id
    "worker"    = aws_security_group.worker.id
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

output "endpoints_security_group_id" {
  description = "Security-group id of prod-mgmt-endpoints-sg."
  value       = aws_security_group.endpoints.id
}

output "worker_security_group_id" {
  description = "Security-group id of prod-app-worker-sg."
  value       = aws_security_group.worker.id
}
