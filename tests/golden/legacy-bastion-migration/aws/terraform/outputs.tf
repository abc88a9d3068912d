output "security_group_ids" {
  description = "Security-group id of each workload group."
  value = {
    "alb"       = aws_security_group.alb.id
    "endpoints" = aws_security_group.endpoints.id
    "ledger"    = aws_security_group.ledger.id
    "workers"   = aws_security_group.workers.id
  }
}

output "alb_security_group_id" {
  description = "Security-group id of prod-public-alb-sg."
  value       = aws_security_group.alb.id
}

output "endpoints_security_group_id" {
  description = "Security-group id of prod-mgmt-endpoints-sg."
  value       = aws_security_group.endpoints.id
}

output "ledger_security_group_id" {
  description = "Security-group id of prod-data-ledger-sg."
  value       = aws_security_group.ledger.id
}

output "workers_security_group_id" {
  description = "Security-group id of prod-app-workers-sg."
  value       = aws_security_group.workers.id
}
