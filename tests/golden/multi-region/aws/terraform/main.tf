terraform {
  required_version = ">= 1.5.0"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.80"
    }
  }
}

provider "aws" {
  alias  = "us_east_1"
  region = "us-east-1"
}

module "us_east_1" {
  source = "./regions/us-east-1"
  providers = {
    aws = aws.us_east_1
  }

  region                  = "us-east-1"
  tags                    = var.tags
  peer_region_cidrs       = var.region_tier_cidrs
  mgmt_subnet_ids         = var.us_east_1_mgmt_subnet_ids
  public_subnet_cidrs     = var.us_east_1_public_subnet_cidrs
  app_subnet_cidrs        = var.us_east_1_app_subnet_cidrs
  data_subnet_cidrs       = var.us_east_1_data_subnet_cidrs
  mgmt_subnet_cidrs       = var.us_east_1_mgmt_subnet_cidrs
  vpc_id                  = var.us_east_1_vpc_id
  public_subnet_ids       = var.us_east_1_public_subnet_ids
  app_subnet_ids          = var.us_east_1_app_subnet_ids
  data_subnet_ids         = var.us_east_1_data_subnet_ids
  private_route_table_ids = var.us_east_1_private_route_table_ids
}

output "us_east_1_security_group_ids" {
  description = "Security-group ids in us-east-1, by workload."
  value       = module.us_east_1.security_group_ids
}

provider "aws" {
  alias  = "eu_west_1"
  region = "eu-west-1"
}

module "eu_west_1" {
  source = "./regions/eu-west-1"
  providers = {
    aws = aws.eu_west_1
  }

  region                  = "eu-west-1"
  tags                    = var.tags
  peer_region_cidrs       = var.region_tier_cidrs
  mgmt_subnet_ids         = var.eu_west_1_mgmt_subnet_ids
  public_subnet_cidrs     = var.eu_west_1_public_subnet_cidrs
  app_subnet_cidrs        = var.eu_west_1_app_subnet_cidrs
  data_subnet_cidrs       = var.eu_west_1_data_subnet_cidrs
  mgmt_subnet_cidrs       = var.eu_west_1_mgmt_subnet_cidrs
  vpc_id                  = var.eu_west_1_vpc_id
  public_subnet_ids       = var.eu_west_1_public_subnet_ids
  app_subnet_ids          = var.eu_west_1_app_subnet_ids
  data_subnet_ids         = var.eu_west_1_data_subnet_ids
  private_route_table_ids = var.eu_west_1_private_route_table_ids
}

output "eu_west_1_security_group_ids" {
  description = "Security-group ids in eu-west-1, by workload."
  value       = module.eu_west_1.security_group_ids
}
