#!/usr/bin/env bash
# Network security controls as aws CLI commands of global (prod), region by region.
# Inputs: the one-region inputs suffixed with the region (VPC_ID_US_EAST_1, APP_SUBNET_IDS_US_EAST_1...);
# each region's script gets them without the suffix, and AWS_REGION set to its region.
# PEER_CIDRS_<REGION>_<TIER>: the tier CIDRs of a region, for cross-region flows.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
status=0
# run_region REGION SUFFIX
run_region() {
  (
    local name
    unset VPC_ID
    while IFS= read -r name; do
      case "$name" in
        *_"$2") export "${name%_"$2"}=${!name}" ;;
      esac
    done < <(compgen -e)
    export AWS_REGION="$1"
    echo "== region $1" >&2
    bash "$here/regions/$1/apply.sh"
  )
}
run_region us-east-1 US_EAST_1
run_region eu-west-1 EU_WEST_1
exit "$status"
