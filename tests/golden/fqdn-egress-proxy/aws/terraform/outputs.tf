output "security_group_ids" {
  description = "Security-group id of each workload group."
  value = {
    "endpoints" = aws_security_group.endpoints.id
    "runner"    = aws_security_group.runner.id
  }
}

output "endpoints_security_group_id" {
  description = "Security-group id of stage-mgmt-endpoints-sg."
  value       = aws_security_group.endpoints.id
}

output "runner_security_group_id" {
  description = "Security-group id of stage-app-runner-sg."
  value       = aws_security_group.runner.id
}
