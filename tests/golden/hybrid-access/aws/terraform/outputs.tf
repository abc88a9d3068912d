output "security_group_ids" {
  description = "Security-group id of each workload group."
  value = {
    "api"        = aws_security_group.api.id
    "client-vpn" = aws_security_group.client-vpn.id
    "edge"       = aws_security_group.edge.id
    "endpoints"  = aws_security_group.endpoints.id
    "warehouse"  = aws_security_group.warehouse.id
  }
}

output "api_security_group_id" {
  description = "Security-group id of prod-app-api-sg."
  value       = aws_security_group.api.id
}

output "client-vpn_security_group_id" {
  description = "Security-group id of prod-mgmt-client-vpn-sg."
  value       = aws_security_group.client-vpn.id
}

output "edge_security_group_id" {
  description = "Security-group id of prod-public-edge-sg."
  value       = aws_security_group.edge.id
}

output "endpoints_security_group_id" {
  description = "Security-group id of prod-mgmt-endpoints-sg."
  value       = aws_security_group.endpoints.id
}

output "warehouse_security_group_id" {
  description = "Security-group id of prod-data-warehouse-sg."
  value       = aws_security_group.warehouse.id
}
