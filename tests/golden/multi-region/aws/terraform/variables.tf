variable "region_tier_cidrs" {
  description = "Region -> tier -> IPv4 CIDRs of that tier's subnets: the peers of cross-region flows, which cannot reference a security group in another region."
  type        = map(map(list(string)))
  default     = {}
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}

variable "us_east_1_mgmt_subnet_ids" {
  description = "Subnets of the mgmt tier (private; they hold the interface endpoints and management workloads)."
  type        = list(string)
  default     = []
}

variable "us_east_1_public_subnet_cidrs" {
  description = "CIDR blocks of the public subnets, in the order of public_subnet_ids. NACLs are stateless and CIDR-based: this is the one place subnet CIDRs are used."
  type        = list(string)
  default     = []

  validation {
    condition     = length(var.us_east_1_public_subnet_cidrs) <= 10
    error_message = "At most 10 subnets per tier: NACL entries toward a tier take 10 consecutive rule numbers."
  }
}

variable "us_east_1_app_subnet_cidrs" {
  description = "CIDR blocks of the app subnets, in the order of app_subnet_ids. NACLs are stateless and CIDR-based: this is the one place subnet CIDRs are used."
  type        = list(string)
  default     = []

  validation {
    condition     = length(var.us_east_1_app_subnet_cidrs) <= 10
    error_message = "At most 10 subnets per tier: NACL entries toward a tier take 10 consecutive rule numbers."
  }
}

variable "us_east_1_data_subnet_cidrs" {
  description = "CIDR blocks of the data subnets, in the order of data_subnet_ids. NACLs are stateless and CIDR-based: this is the one place subnet CIDRs are used."
  type        = list(string)
  default     = []

  validation {
    condition     = length(var.us_east_1_data_subnet_cidrs) <= 10
    error_message = "At most 10 subnets per tier: NACL entries toward a tier take 10 consecutive rule numbers."
  }
}

variable "us_east_1_mgmt_subnet_cidrs" {
  description = "CIDR blocks of the mgmt subnets, in the order of mgmt_subnet_ids. NACLs are stateless and CIDR-based: this is the one place subnet CIDRs are used."
  type        = list(string)
  default     = []

  validation {
    condition     = length(var.us_east_1_mgmt_subnet_cidrs) <= 10
    error_message = "At most 10 subnets per tier: NACL entries toward a tier take 10 consecutive rule numbers."
  }
}

variable "us_east_1_vpc_id" {
  description = "ID of the VPC that holds the security groups."
  type        = string
}

variable "us_east_1_public_subnet_ids" {
  description = "Subnets of the public tier (routed to the internet gateway)."
  type        = list(string)
  default     = []
}

variable "us_east_1_app_subnet_ids" {
  description = "Subnets of the app tier (routed to a NAT gateway)."
  type        = list(string)
  default     = []
}

variable "us_east_1_data_subnet_ids" {
  description = "Subnets of the data tier (no route to the internet)."
  type        = list(string)
  default     = []
}

variable "us_east_1_private_route_table_ids" {
  description = "Route tables of the private subnets."
  type        = list(string)
  default     = []
}

variable "eu_west_1_mgmt_subnet_ids" {
  description = "Subnets of the mgmt tier (private; they hold the interface endpoints and management workloads)."
  type        = list(string)
  default     = []
}

variable "eu_west_1_public_subnet_cidrs" {
  description = "CIDR blocks of the public subnets, in the order of public_subnet_ids. NACLs are stateless and CIDR-based: this is the one place subnet CIDRs are used."
  type        = list(string)
  default     = []

  validation {
    condition     = length(var.eu_west_1_public_subnet_cidrs) <= 10
    error_message = "At most 10 subnets per tier: NACL entries toward a tier take 10 consecutive rule numbers."
  }
}

variable "eu_west_1_app_subnet_cidrs" {
  description = "CIDR blocks of the app subnets, in the order of app_subnet_ids. NACLs are stateless and CIDR-based: this is the one place subnet CIDRs are used."
  type        = list(string)
  default     = []

  validation {
    condition     = length(var.eu_west_1_app_subnet_cidrs) <= 10
    error_message = "At most 10 subnets per tier: NACL entries toward a tier take 10 consecutive rule numbers."
  }
}

variable "eu_west_1_data_subnet_cidrs" {
  description = "CIDR blocks of the data subnets, in the order of data_subnet_ids. NACLs are stateless and CIDR-based: this is the one place subnet CIDRs are used."
  type        = list(string)
  default     = []

  validation {
    condition     = length(var.eu_west_1_data_subnet_cidrs) <= 10
    error_message = "At most 10 subnets per tier: NACL entries toward a tier take 10 consecutive rule numbers."
  }
}

variable "eu_west_1_mgmt_subnet_cidrs" {
  description = "CIDR blocks of the mgmt subnets, in the order of mgmt_subnet_ids. NACLs are stateless and CIDR-based: this is the one place subnet CIDRs are used."
  type        = list(string)
  default     = []

  validation {
    condition     = length(var.eu_west_1_mgmt_subnet_cidrs) <= 10
    error_message = "At most 10 subnets per tier: NACL entries toward a tier take 10 consecutive rule numbers."
  }
}

variable "eu_west_1_vpc_id" {
  description = "ID of the VPC that holds the security groups."
  type        = string
}

variable "eu_west_1_public_subnet_ids" {
  description = "Subnets of the public tier (routed to the internet gateway)."
  type        = list(string)
  default     = []
}

variable "eu_west_1_app_subnet_ids" {
  description = "Subnets of the app tier (routed to a NAT gateway)."
  type        = list(string)
  default     = []
}

variable "eu_west_1_data_subnet_ids" {
  description = "Subnets of the data tier (no route to the internet)."
  type        = list(string)
  default     = []
}

variable "eu_west_1_private_route_table_ids" {
  description = "Route tables of the private subnets."
  type        = list(string)
  default     = []
}
