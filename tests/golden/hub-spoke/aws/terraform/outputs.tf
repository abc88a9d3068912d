output "security_group_ids" {
  description = "Security-group id of each workload group."
  value = {
    "alb"        = aws_security_group.alb.id
    "billing"    = aws_security_group.billing.id
    "billing-db" = aws_security_group.billing-db.id
    "endpoints"  = aws_security_group.endpoints.id
    "reports"    = aws_security_group.reports.id
    "warehouse"  = aws_security_group.warehouse.id
  }
}

output "alb_security_group_id" {
  description = "Security-group id of prod-public-alb-sg."
  value       = aws_security_group.alb.id
}

output "billing_security_group_id" {
  description = "Security-group id of prod-app-billing-sg."
  value       = aws_security_group.billing.id
}

output "billing-db_security_group_id" {
  description = "Security-group id of prod-data-billing-db-sg."
  value       = aws_security_group.billing-db.id
}

output "endpoints_security_group_id" {
  description = "Security-group id of prod-mgmt-endpoints-sg."
  value       = aws_security_group.endpoints.id
}

output "reports_security_group_id" {
  description = "Security-group id of prod-app-reports-sg."
  value       = aws_security_group.reports.id
}

output "warehouse_security_group_id" {
  description = "Security-group id of prod-data-warehouse-sg."
  value       = aws_security_group.warehouse.id
}
