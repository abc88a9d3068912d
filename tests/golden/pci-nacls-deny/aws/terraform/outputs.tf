output "security_group_ids" {
  description = "Security-group id of each workload group."
  value = {
    "alb"       = aws_security_group.alb.id
    "builder"   = aws_security_group.builder.id
    "endpoints" = aws_security_group.endpoints.id
    "pay"       = aws_security_group.pay.id
    "vault"     = aws_security_group.vault.id
  }
}

output "alb_security_group_id" {
  description = "Security-group id of prod-public-alb-sg."
  value       = aws_security_group.alb.id
}

output "builder_security_group_id" {
  description = "Security-group id of prod-mgmt-builder-sg."
  value       = aws_security_group.builder.id
}

output "endpoints_security_group_id" {
  description = "Security-group id of prod-mgmt-endpoints-sg."
  value       = aws_security_group.endpoints.id
}

output "pay_security_group_id" {
  description = "Security-group id of prod-app-pay-sg."
  value       = aws_security_group.pay.id
}

output "vault_security_group_id" {
  description = "Security-group id of prod-data-vault-sg."
  value       = aws_security_group.vault.id
}
