variable "vpc_id" {
  description = "ID of the VPC that holds the security groups."
  type        = string
}

variable "region" {
  description = "AWS region to deploy into."
  type        = string
  default     = "us-west-2"
}

variable "public_subnet_ids" {
  description = "Subnets of the public tier (routed to the internet gateway)."
  type        = list(string)
  default     = []
}

variable "app_subnet_ids" {
  description = "Subnets of the app tier (routed to a NAT gateway)."
  type        = list(string)
  default     = []
}

variable "data_subnet_ids" {
  description = "Subnets of the data tier (no route to the internet)."
  type        = list(string)
  default     = []
}

variable "private_route_table_ids" {
  description = "Route tables of the private subnets."
  type        = list(string)
  default     = []
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
