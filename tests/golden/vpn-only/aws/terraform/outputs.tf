output "security_group_ids" {
  description = "Security-group id of each workload group."
  value = {
    "client-vpn" = aws_security_group.client-vpn.id
    "lb"         = aws_security_group.lb.id
    "orders"     = aws_security_group.orders.id
    "shop"       = aws_security_group.shop.id
  }
}

output "client-vpn_security_group_id" {
  description = "Security-group id of stage-mgmt-client-vpn-sg."
  value       = aws_security_group.client-vpn.id
}

output "lb_security_group_id" {
  description = "Security-group id of stage-public-lb-sg."
  value       = aws_security_group.lb.id
}

output "orders_security_group_id" {
  description = "Security-group id of stage-data-orders-sg."
  value       = aws_security_group.orders.id
}

output "shop_security_group_id" {
  description = "Security-group id of stage-app-shop-sg."
  value       = aws_security_group.shop.id
}
