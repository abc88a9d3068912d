resource "aws_security_group" "client-vpn" {
  name        = "stage-mgmt-client-vpn-sg"
  description = "Client VPN endpoint: operator connections from the VPN pool 10.100.0.0/22"
  vpc_id      = var.vpc_id

  tags = merge(var.tags, {
    Name = "stage-mgmt-client-vpn-sg"
    Env  = "stage"
    Tier = "mgmt"
    Role = "client-vpn"
  })
}

resource "aws_security_group" "lb" {
  name        = "stage-public-lb-sg"
  description = "lb (load balancer) in the public tier"
  vpc_id      = var.vpc_id

  tags = merge(var.tags, {
    Name = "stage-public-lb-sg"
    Env  = "stage"
    Tier = "public"
    Role = "lb"
  })
}

resource "aws_security_group" "orders" {
  name        = "stage-data-orders-sg"
  description = "orders (MySQL database) in the data tier"
  vpc_id      = var.vpc_id

  tags = merge(var.tags, {
    Name = "stage-data-orders-sg"
    Env  = "stage"
    Tier = "data"
    Role = "orders"
  })
}

resource "aws_security_group" "shop" {
  name        = "stage-app-shop-sg"
  description = "shop (virtual machines) in the app tier"
  vpc_id      = var.vpc_id

  tags = merge(var.tags, {
    Name = "stage-app-shop-sg"
    Env  = "stage"
    Tier = "app"
    Role = "shop"
  })
}

resource "aws_vpc_security_group_ingress_rule" "lb_in_from_internet_v4_443_tcp" {
  security_group_id = aws_security_group.lb.id
  cidr_ipv4         = "0.0.0.0/0"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  description       = "internet to lb : 443/tcp - storefront traffic - shop ops"
}

resource "aws_vpc_security_group_ingress_rule" "lb_in_from_internet_v6_443_tcp" {
  security_group_id = aws_security_group.lb.id
  cidr_ipv6         = "::/0"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  description       = "internet to lb : 443/tcp - storefront traffic - shop ops"
}

resource "aws_vpc_security_group_ingress_rule" "shop_in_from_lb_8080_tcp" {
  security_group_id            = aws_security_group.shop.id
  referenced_security_group_id = aws_security_group.lb.id
  ip_protocol                  = "tcp"
  from_port                    = 8080
  to_port                      = 8080
  description                  = "lb to shop : 8080/tcp - request forward - shop ops"
}

resource "aws_vpc_security_group_egress_rule" "lb_out_to_shop_8080_tcp" {
  security_group_id            = aws_security_group.lb.id
  referenced_security_group_id = aws_security_group.shop.id
  ip_protocol                  = "tcp"
  from_port                    = 8080
  to_port                      = 8080
  description                  = "lb to shop : 8080/tcp - request forward - shop ops"
}

resource "aws_vpc_security_group_ingress_rule" "orders_in_from_shop_3306_tcp" {
  security_group_id            = aws_security_group.orders.id
  referenced_security_group_id = aws_security_group.shop.id
  ip_protocol                  = "tcp"
  from_port                    = 3306
  to_port                      = 3306
  description                  = "shop to orders : 3306/tcp - order storage - shop ops"
}

resource "aws_vpc_security_group_egress_rule" "shop_out_to_orders_3306_tcp" {
  security_group_id            = aws_security_group.shop.id
  referenced_security_group_id = aws_security_group.orders.id
  ip_protocol                  = "tcp"
  from_port                    = 3306
  to_port                      = 3306
  description                  = "shop to orders : 3306/tcp - order storage - shop ops"
}

resource "aws_vpc_security_group_egress_rule" "access_vpn_orders_out_3306_tcp" {
  security_group_id            = aws_security_group.client-vpn.id
  referenced_security_group_id = aws_security_group.orders.id
  ip_protocol                  = "tcp"
  from_port                    = 3306
  to_port                      = 3306
  description                  = "client-vpn to orders : 3306/tcp - operator administration over the client VPN - shop ops"
}

resource "aws_vpc_security_group_ingress_rule" "access_vpn_orders_in_3306_tcp" {
  security_group_id            = aws_security_group.orders.id
  referenced_security_group_id = aws_security_group.client-vpn.id
  ip_protocol                  = "tcp"
  from_port                    = 3306
  to_port                      = 3306
  description                  = "client-vpn to orders : 3306/tcp - operator administration over the client VPN - shop ops"
}

resource "aws_vpc_security_group_egress_rule" "access_vpn_shop_out_22_tcp" {
  security_group_id            = aws_security_group.client-vpn.id
  referenced_security_group_id = aws_security_group.shop.id
  ip_protocol                  = "tcp"
  from_port                    = 22
  to_port                      = 22
  description                  = "client-vpn to shop : 22/tcp - operator SSH over the client VPN - shop ops"
}

resource "aws_vpc_security_group_ingress_rule" "access_vpn_shop_in_22_tcp" {
  #checkov:skip=CKV_AWS_24:operator SSH over the client VPN - the source is the stage-mgmt-client-vpn-sg security group, not an address range
  security_group_id            = aws_security_group.shop.id
  referenced_security_group_id = aws_security_group.client-vpn.id
  ip_protocol                  = "tcp"
  from_port                    = 22
  to_port                      = 22
  description                  = "client-vpn to shop : 22/tcp - operator SSH over the client VPN - shop ops"
}
