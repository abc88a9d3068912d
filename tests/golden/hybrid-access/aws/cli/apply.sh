#!/usr/bin/env bash
# Network-security controls of mixed (prod) as aws CLI commands.
# Inputs (environment; ids space-separated):
#   VPC_ID: the VPC (required)
#   AWS_REGION: the region (default: the profile's)
#   PUBLIC_SUBNET_IDS: public-tier subnets
#   APP_SUBNET_IDS: app-tier subnets
#   DATA_SUBNET_IDS: data-tier subnets
#   MGMT_SUBNET_IDS: mgmt-tier subnets (optional: without them no mgmt NACL)
#   CLIENT_VPN_SERVER_CERTIFICATE_ARN: ACM server certificate of the Client VPN
#   CLIENT_VPN_ROOT_CERTIFICATE_ARN: ACM client root certificate of the Client VPN
# AWS_ENDPOINT_URL, AWS_PROFILE and the other aws CLI settings apply as usual.
# Each section checks the inputs it needs before use and names a missing one.
# Safe to run again: existing resources are reused and existing rules are kept.
set -euo pipefail
shopt -s inherit_errexit

if [ -z "${VPC_ID:-}" ]; then
  echo "apply.sh: VPC_ID is not set; export VPC_ID=vpc-... (the VPC that holds the security groups)" >&2
  exit 1
fi
if ! [[ "$VPC_ID" =~ ^vpc-[0-9A-Za-z]+$ ]]; then
  echo "apply.sh: VPC_ID='$VPC_ID' does not look like a VPC id (vpc-...)" >&2
  exit 1
fi
command -v aws >/dev/null 2>&1 || { echo "apply.sh: the aws CLI is not installed" >&2; exit 1; }

ec2() {
  aws ec2 --region "$REGION" "$@"
}

# ensure_group NAME DESCRIPTION NAME_FILTER_JSON TAG_SPECIFICATIONS_JSON: prints the group id.
ensure_group() {
  local filters id
  filters="[{\"Name\":\"vpc-id\",\"Values\":[\"$VPC_ID\"]},$3]"
  id="$(ec2 describe-security-groups --filters "$filters" --query 'SecurityGroups[0].GroupId' --output text)" || return 1
  if [ -z "$id" ] || [ "$id" = "None" ]; then
    id="$(ec2 create-security-group --group-name "$1" --description "$2" --vpc-id "$VPC_ID" \
      --tag-specifications "$4" --query GroupId --output text)" || return 1
    echo "created $1: $id" >&2
  else
    echo "found $1: $id" >&2
  fi
  case "$id" in
    sg-*) printf '%s\n' "$id" ;;
    *) echo "apply.sh: no usable group id for $1 (got '$id')" >&2; return 1 ;;
  esac
}

# revoke_egress GROUP_ID IP_PERMISSIONS_JSON: removes a rule; a rule that is not there is fine.
revoke_egress() {
  local out
  if ! out="$(ec2 revoke-security-group-egress --group-id "$1" --ip-permissions "$2" 2>&1)"; then
    case "$out" in
      *InvalidPermission.NotFound*) ;;
      *) printf '%s\n' "$out" >&2; return 1 ;;
    esac
  fi
}

# authorize ingress|egress GROUP_ID IP_PERMISSIONS_JSON: adds a rule; when it is already
# there, brings its description up to date instead.
authorize() {
  local out
  if ! out="$(ec2 "authorize-security-group-$1" --group-id "$2" --ip-permissions "$3" 2>&1)"; then
    case "$out" in
      *InvalidPermission.Duplicate*)
        ec2 "update-security-group-rule-descriptions-$1" --group-id "$2" --ip-permissions "$3" >/dev/null
        ;;
      *) printf '%s\n' "$out" >&2; return 1 ;;
    esac
  fi
}

REGION="${AWS_REGION:-}"
if [ -z "$REGION" ]; then
  REGION=us-west-2
fi

# Security groups (one per workload group).
SG_API="$(ensure_group prod-app-api-sg 'api (virtual machines) in the app tier' \
  '{"Name":"group-name","Values":["prod-app-api-sg"]}' \
  '[{"ResourceType":"security-group","Tags":[{"Key":"Name","Value":"prod-app-api-sg"},{"Key":"Env","Value":"prod"},{"Key":"Tier","Value":"app"},{"Key":"Role","Value":"api"}]}]')"
SG_CLIENT_VPN="$(ensure_group prod-mgmt-client-vpn-sg 'Client VPN endpoint: operator connections from the VPN pool 172.20.0.0/16' \
  '{"Name":"group-name","Values":["prod-mgmt-client-vpn-sg"]}' \
  '[{"ResourceType":"security-group","Tags":[{"Key":"Name","Value":"prod-mgmt-client-vpn-sg"},{"Key":"Env","Value":"prod"},{"Key":"Tier","Value":"mgmt"},{"Key":"Role","Value":"client-vpn"}]}]')"
SG_EDGE="$(ensure_group prod-public-edge-sg 'edge (load balancer) in the public tier' \
  '{"Name":"group-name","Values":["prod-public-edge-sg"]}' \
  '[{"ResourceType":"security-group","Tags":[{"Key":"Name","Value":"prod-public-edge-sg"},{"Key":"Env","Value":"prod"},{"Key":"Tier","Value":"public"},{"Key":"Role","Value":"edge"}]}]')"
SG_ENDPOINTS="$(ensure_group prod-mgmt-endpoints-sg 'private endpoints of the cloud services the workloads use' \
  '{"Name":"group-name","Values":["prod-mgmt-endpoints-sg"]}' \
  '[{"ResourceType":"security-group","Tags":[{"Key":"Name","Value":"prod-mgmt-endpoints-sg"},{"Key":"Env","Value":"prod"},{"Key":"Tier","Value":"mgmt"},{"Key":"Role","Value":"endpoints"}]}]')"
SG_WAREHOUSE="$(ensure_group prod-data-warehouse-sg 'warehouse (PostgreSQL database) in the data tier' \
  '{"Name":"group-name","Values":["prod-data-warehouse-sg"]}' \
  '[{"ResourceType":"security-group","Tags":[{"Key":"Name","Value":"prod-data-warehouse-sg"},{"Key":"Env","Value":"prod"},{"Key":"Tier","Value":"data"},{"Key":"Role","Value":"warehouse"}]}]')"

# New groups allow all egress; egress is only what the rules below allow.
revoke_egress "$SG_API" '[{"IpProtocol":"-1","IpRanges":[{"CidrIp":"0.0.0.0/0"}]}]'
revoke_egress "$SG_API" '[{"IpProtocol":"-1","Ipv6Ranges":[{"CidrIpv6":"::/0"}]}]'
revoke_egress "$SG_CLIENT_VPN" '[{"IpProtocol":"-1","IpRanges":[{"CidrIp":"0.0.0.0/0"}]}]'
revoke_egress "$SG_CLIENT_VPN" '[{"IpProtocol":"-1","Ipv6Ranges":[{"CidrIpv6":"::/0"}]}]'
revoke_egress "$SG_EDGE" '[{"IpProtocol":"-1","IpRanges":[{"CidrIp":"0.0.0.0/0"}]}]'
revoke_egress "$SG_EDGE" '[{"IpProtocol":"-1","Ipv6Ranges":[{"CidrIpv6":"::/0"}]}]'
revoke_egress "$SG_ENDPOINTS" '[{"IpProtocol":"-1","IpRanges":[{"CidrIp":"0.0.0.0/0"}]}]'
revoke_egress "$SG_ENDPOINTS" '[{"IpProtocol":"-1","Ipv6Ranges":[{"CidrIpv6":"::/0"}]}]'
revoke_egress "$SG_WAREHOUSE" '[{"IpProtocol":"-1","IpRanges":[{"CidrIp":"0.0.0.0/0"}]}]'
revoke_egress "$SG_WAREHOUSE" '[{"IpProtocol":"-1","Ipv6Ranges":[{"CidrIpv6":"::/0"}]}]'

# prod-app-api-sg ingress
authorize ingress "$SG_API" '[{"FromPort":8443,"IpProtocol":"tcp","ToPort":8443,"UserIdGroupPairs":[{"Description":"edge to api : 8443/tcp - TLS to the API - platform team","GroupId":"'"$SG_EDGE"'"}]}]'

# prod-app-api-sg egress
authorize egress "$SG_API" '[{"FromPort":5432,"IpProtocol":"tcp","ToPort":5432,"UserIdGroupPairs":[{"Description":"api to warehouse : 5432/tcp - reporting queries - platform team","GroupId":"'"$SG_WAREHOUSE"'"}]}]'
authorize egress "$SG_API" '[{"FromPort":443,"IpProtocol":"tcp","ToPort":443,"UserIdGroupPairs":[{"Description":"api to endpoints : 443/tcp - private endpoint access: aws:ec2messages, aws:kms, aws:logs, aws:ssm, aws:ssmmessages - platform team","GroupId":"'"$SG_ENDPOINTS"'"}]}]'

# prod-mgmt-client-vpn-sg egress
authorize egress "$SG_CLIENT_VPN" '[{"FromPort":5432,"IpProtocol":"tcp","ToPort":5432,"UserIdGroupPairs":[{"Description":"client-vpn to warehouse : 5432/tcp - operator administration over the client VPN - platform team","GroupId":"'"$SG_WAREHOUSE"'"}]}]'

# prod-public-edge-sg ingress
authorize ingress "$SG_EDGE" '[{"FromPort":443,"IpProtocol":"tcp","IpRanges":[{"CidrIp":"0.0.0.0/0","Description":"internet to edge : 443/tcp - API traffic - platform team"}],"ToPort":443}]'
authorize ingress "$SG_EDGE" '[{"FromPort":443,"IpProtocol":"tcp","Ipv6Ranges":[{"CidrIpv6":"::/0","Description":"internet to edge : 443/tcp - API traffic - platform team"}],"ToPort":443}]'

# prod-public-edge-sg egress
authorize egress "$SG_EDGE" '[{"FromPort":8443,"IpProtocol":"tcp","ToPort":8443,"UserIdGroupPairs":[{"Description":"edge to api : 8443/tcp - TLS to the API - platform team","GroupId":"'"$SG_API"'"}]}]'

# prod-mgmt-endpoints-sg ingress
authorize ingress "$SG_ENDPOINTS" '[{"FromPort":443,"IpProtocol":"tcp","ToPort":443,"UserIdGroupPairs":[{"Description":"api to endpoints : 443/tcp - private endpoint access: aws:ec2messages, aws:kms, aws:logs, aws:ssm, aws:ssmmessages - platform team","GroupId":"'"$SG_API"'"}]}]'

# prod-data-warehouse-sg ingress
authorize ingress "$SG_WAREHOUSE" '[{"FromPort":5432,"IpProtocol":"tcp","ToPort":5432,"UserIdGroupPairs":[{"Description":"api to warehouse : 5432/tcp - reporting queries - platform team","GroupId":"'"$SG_API"'"}]}]'
authorize ingress "$SG_WAREHOUSE" '[{"FromPort":5432,"IpProtocol":"tcp","ToPort":5432,"UserIdGroupPairs":[{"Description":"client-vpn to warehouse : 5432/tcp - operator administration over the client VPN - platform team","GroupId":"'"$SG_CLIENT_VPN"'"}]}]'

echo
printf '%-48s %s\n' 'SECURITY GROUP' 'ID'
printf '%-48s %s\n' prod-app-api-sg "$SG_API"
printf '%-48s %s\n' prod-mgmt-client-vpn-sg "$SG_CLIENT_VPN"
printf '%-48s %s\n' prod-public-edge-sg "$SG_EDGE"
printf '%-48s %s\n' prod-mgmt-endpoints-sg "$SG_ENDPOINTS"
printf '%-48s %s\n' prod-data-warehouse-sg "$SG_WAREHOUSE"

# cw_log_group NAME RETENTION_DAYS KEY_ARN: the log group, encrypted with the key (an
# existing group keeps its data and is re-keyed only if needed), with its retention.
cw_log_group() {
  local out current
  if out="$(aws logs --region "$REGION" create-log-group --log-group-name "$1" --kms-key-id "$3" 2>&1)"; then
    echo "created log group $1" >&2
  else
    case "$out" in
      *ResourceAlreadyExistsException*)
        current="$(aws logs --region "$REGION" describe-log-groups --log-group-name-prefix "$1" \
          --query "logGroups[?logGroupName=='$1'] | [0].kmsKeyId" --output text)" || return 1
        if [ "$current" != "$3" ]; then
          aws logs --region "$REGION" associate-kms-key --log-group-name "$1" --kms-key-id "$3" || return 1
        fi
        ;;
      *) printf '%s\n' "$out" >&2; return 1 ;;
    esac
  fi
  aws logs --region "$REGION" put-retention-policy --log-group-name "$1" --retention-in-days "$2"
}

# The VPC's default security group: no rules (nothing may rely on it).
DEFAULT_SG="$(ec2 describe-security-groups \
  --filters "Name=vpc-id,Values=$VPC_ID" "Name=group-name,Values=default" \
  --query 'SecurityGroups[0].GroupId' --output text)"
case "$DEFAULT_SG" in
  sg-*) ;;
  *) echo "apply.sh: no default security group found in $VPC_ID (got '$DEFAULT_SG')" >&2; exit 1 ;;
esac
DEFAULT_IN="$(ec2 describe-security-groups --group-ids "$DEFAULT_SG" --query 'SecurityGroups[0].IpPermissions' --output json)"
DEFAULT_OUT="$(ec2 describe-security-groups --group-ids "$DEFAULT_SG" --query 'SecurityGroups[0].IpPermissionsEgress' --output json)"
if [ "$DEFAULT_IN" != "[]" ] && [ "$DEFAULT_IN" != "null" ]; then
  ec2 revoke-security-group-ingress --group-id "$DEFAULT_SG" --ip-permissions "$DEFAULT_IN" >/dev/null
fi
if [ "$DEFAULT_OUT" != "[]" ] && [ "$DEFAULT_OUT" != "null" ]; then
  ec2 revoke-security-group-egress --group-id "$DEFAULT_SG" --ip-permissions "$DEFAULT_OUT" >/dev/null
fi
echo "emptied the default security group $DEFAULT_SG" >&2

# Network ACLs: one per tier, stateless; subnet CIDRs are read from the subnets.
# subnet_cidrs SUBNET_ID...: the CIDR blocks of the subnets, in the order given.
subnet_cidrs() {
  local id
  for id in "$@"; do
    ec2 describe-subnets --subnet-ids "$id" --query 'Subnets[0].CidrBlock' --output text
  done
}

# ensure_nacl NAME TIER [VPC_ID]: prints the id of the network ACL tagged NAME in the VPC
# ($VPC_ID by default), created if missing.
ensure_nacl() {
  local id vpc="${3:-$VPC_ID}"
  id="$(ec2 describe-network-acls --filters "Name=vpc-id,Values=$vpc" "Name=tag:Name,Values=$1" \
    --query 'NetworkAcls[0].NetworkAclId' --output text)" || return 1
  if [ -z "$id" ] || [ "$id" = "None" ]; then
    id="$(ec2 create-network-acl --vpc-id "$vpc" --query NetworkAcl.NetworkAclId --output text \
      --tag-specifications "ResourceType=network-acl,Tags=[{Key=Name,Value=$1},{Key=Tier,Value=$2}]")" || return 1
    echo "created $1: $id" >&2
  else
    echo "found $1: $id" >&2
  fi
  case "$id" in
    acl-*) printf '%s\n' "$id" ;;
    *) echo "apply.sh: no usable network ACL id for $1 (got '$id')" >&2; return 1 ;;
  esac
}

# nacl_entry ACL_ID NUMBER ingress|egress PROTOCOL allow|deny CIDR [FROM TO]: creates the
# entry, or replaces the one that holds the number already.
nacl_entry() {
  local args out
  args=(--network-acl-id "$1" --rule-number "$2" --protocol "$4" --rule-action "$5")
  if [ "$3" = egress ]; then args+=(--egress); else args+=(--ingress); fi
  case "$6" in
    *:*) args+=(--ipv6-cidr-block "$6") ;;
    *) args+=(--cidr-block "$6") ;;
  esac
  case "$4" in
    1|58) args+=(--icmp-type-code Type=-1,Code=-1) ;;
  esac
  if [ $# -ge 8 ]; then args+=(--port-range "From=$7,To=$8"); fi
  if ! out="$(ec2 create-network-acl-entry "${args[@]}" 2>&1)"; then
    case "$out" in
      *NetworkAclEntryAlreadyExists*) ec2 replace-network-acl-entry "${args[@]}" >/dev/null ;;
      *) printf '%s\n' "$out" >&2; return 1 ;;
    esac
  fi
}

# associate_nacl ACL_ID SUBNET_ID...: moves each subnet to the network ACL.
associate_nacl() {
  local acl="$1" subnet assoc current
  shift
  for subnet in "$@"; do
    read -r assoc current < <(ec2 describe-network-acls --filters "Name=association.subnet-id,Values=$subnet" \
      --query "NetworkAcls[0].Associations[?SubnetId=='$subnet'] | [0].[NetworkAclAssociationId,NetworkAclId]" --output text)
    if [ "$current" = "$acl" ]; then
      continue
    fi
    if [ -z "$assoc" ] || [ "$assoc" = "None" ]; then
      echo "apply.sh: subnet $subnet has no network ACL association" >&2
      return 1
    fi
    ec2 replace-network-acl-association --association-id "$assoc" --network-acl-id "$acl" >/dev/null
  done
}

if [ -z "${PUBLIC_SUBNET_IDS:-}" ]; then
  echo "apply.sh: PUBLIC_SUBNET_IDS is not set; export PUBLIC_SUBNET_IDS='subnet-... subnet-...' (the public tier's subnets)" >&2
  exit 1
fi

# prod-public-nacl (public tier)
read -r -a PUBLIC_SUBNETS <<< "${PUBLIC_SUBNET_IDS:-}"
read -r -a PUBLIC_CIDRS <<< "$(subnet_cidrs "${PUBLIC_SUBNETS[@]}" | tr '\n' ' ')"

if [ -z "${APP_SUBNET_IDS:-}" ]; then
  echo "apply.sh: APP_SUBNET_IDS is not set; export APP_SUBNET_IDS='subnet-... subnet-...' (the app tier's subnets)" >&2
  exit 1
fi

# prod-app-nacl (app tier)
read -r -a APP_SUBNETS <<< "${APP_SUBNET_IDS:-}"
read -r -a APP_CIDRS <<< "$(subnet_cidrs "${APP_SUBNETS[@]}" | tr '\n' ' ')"

if [ -z "${DATA_SUBNET_IDS:-}" ]; then
  echo "apply.sh: DATA_SUBNET_IDS is not set; export DATA_SUBNET_IDS='subnet-... subnet-...' (the data tier's subnets)" >&2
  exit 1
fi

# prod-data-nacl (data tier)
read -r -a DATA_SUBNETS <<< "${DATA_SUBNET_IDS:-}"
read -r -a DATA_CIDRS <<< "$(subnet_cidrs "${DATA_SUBNETS[@]}" | tr '\n' ' ')"

# prod-mgmt-nacl (mgmt tier)
if [ -z "${MGMT_SUBNET_IDS:-}" ]; then
  echo "apply.sh: MGMT_SUBNET_IDS is not set: prod-mgmt-nacl is not created, and no entry toward the mgmt subnets" >&2
fi
read -r -a MGMT_SUBNETS <<< "${MGMT_SUBNET_IDS:-}"
read -r -a MGMT_CIDRS <<< "$(subnet_cidrs "${MGMT_SUBNETS[@]}" | tr '\n' ' ')"

# prod-public-nacl
NACL_PUBLIC="$(ensure_nacl prod-public-nacl public)"
# internet to edge : 443/tcp - API traffic - platform team
nacl_entry "$NACL_PUBLIC" 100 ingress 6 allow 0.0.0.0/0 443 443
# internet to edge : 443/tcp - API traffic - platform team
nacl_entry "$NACL_PUBLIC" 110 ingress 6 allow ::/0 443 443
# return traffic: ephemeral 1024-65535 (Linux 32768-60999, Windows 49152-65535, NAT/ELB 1024-65535)
# return of: edge to api : 8443/tcp - TLS to the API - platform team
for i in "${!APP_CIDRS[@]}"; do nacl_entry "$NACL_PUBLIC" $((120 + i)) ingress 6 allow "${APP_CIDRS[$i]}" 1024 65535; done
# explicit final deny: everything not allowed above
nacl_entry "$NACL_PUBLIC" 32000 ingress -1 deny 0.0.0.0/0
# explicit final deny: everything not allowed above
nacl_entry "$NACL_PUBLIC" 32010 ingress -1 deny ::/0
# return traffic: ephemeral 1024-65535 (Linux 32768-60999, Windows 49152-65535, NAT/ELB 1024-65535)
# return of: internet to edge : 443/tcp - API traffic - platform team
nacl_entry "$NACL_PUBLIC" 100 egress 6 allow 0.0.0.0/0 1024 65535
# return traffic: ephemeral 1024-65535 (Linux 32768-60999, Windows 49152-65535, NAT/ELB 1024-65535)
# return of: internet to edge : 443/tcp - API traffic - platform team
nacl_entry "$NACL_PUBLIC" 110 egress 6 allow ::/0 1024 65535
# edge to api : 8443/tcp - TLS to the API - platform team
for i in "${!APP_CIDRS[@]}"; do nacl_entry "$NACL_PUBLIC" $((120 + i)) egress 6 allow "${APP_CIDRS[$i]}" 8443 8443; done
# explicit final deny: everything not allowed above
nacl_entry "$NACL_PUBLIC" 32000 egress -1 deny 0.0.0.0/0
# explicit final deny: everything not allowed above
nacl_entry "$NACL_PUBLIC" 32010 egress -1 deny ::/0
associate_nacl "$NACL_PUBLIC" "${PUBLIC_SUBNETS[@]}"

# prod-app-nacl
NACL_APP="$(ensure_nacl prod-app-nacl app)"
# edge to api : 8443/tcp - TLS to the API - platform team
for i in "${!PUBLIC_CIDRS[@]}"; do nacl_entry "$NACL_APP" $((100 + i)) ingress 6 allow "${PUBLIC_CIDRS[$i]}" 8443 8443; done
# return traffic: ephemeral 1024-65535 (Linux 32768-60999, Windows 49152-65535, NAT/ELB 1024-65535)
# return of: api to warehouse : 5432/tcp - reporting queries - platform team
for i in "${!DATA_CIDRS[@]}"; do nacl_entry "$NACL_APP" $((110 + i)) ingress 6 allow "${DATA_CIDRS[$i]}" 1024 65535; done
# return traffic: ephemeral 1024-65535 (Linux 32768-60999, Windows 49152-65535, NAT/ELB 1024-65535)
# return of: api to endpoints : 443/tcp - private endpoint access: aws:ec2messages, aws:kms, aws:logs, aws:ssm, aws:ssmmessages - platform team
for i in "${!MGMT_CIDRS[@]}"; do nacl_entry "$NACL_APP" $((120 + i)) ingress 6 allow "${MGMT_CIDRS[$i]}" 1024 65535; done
# explicit final deny: everything not allowed above
nacl_entry "$NACL_APP" 32000 ingress -1 deny 0.0.0.0/0
# return traffic: ephemeral 1024-65535 (Linux 32768-60999, Windows 49152-65535, NAT/ELB 1024-65535)
# return of: edge to api : 8443/tcp - TLS to the API - platform team
for i in "${!PUBLIC_CIDRS[@]}"; do nacl_entry "$NACL_APP" $((100 + i)) egress 6 allow "${PUBLIC_CIDRS[$i]}" 1024 65535; done
# api to warehouse : 5432/tcp - reporting queries - platform team
for i in "${!DATA_CIDRS[@]}"; do nacl_entry "$NACL_APP" $((110 + i)) egress 6 allow "${DATA_CIDRS[$i]}" 5432 5432; done
# api to endpoints : 443/tcp - private endpoint access: aws:ec2messages, aws:kms, aws:logs, aws:ssm, aws:ssmmessages - platform team
for i in "${!MGMT_CIDRS[@]}"; do nacl_entry "$NACL_APP" $((120 + i)) egress 6 allow "${MGMT_CIDRS[$i]}" 443 443; done
# explicit final deny: everything not allowed above
nacl_entry "$NACL_APP" 32000 egress -1 deny 0.0.0.0/0
associate_nacl "$NACL_APP" "${APP_SUBNETS[@]}"

# prod-data-nacl
NACL_DATA="$(ensure_nacl prod-data-nacl data)"
# api to warehouse : 5432/tcp - reporting queries - platform team
for i in "${!APP_CIDRS[@]}"; do nacl_entry "$NACL_DATA" $((100 + i)) ingress 6 allow "${APP_CIDRS[$i]}" 5432 5432; done
# client-vpn to warehouse : 5432/tcp - operator administration over the client VPN - platform team
for i in "${!MGMT_CIDRS[@]}"; do nacl_entry "$NACL_DATA" $((110 + i)) ingress 6 allow "${MGMT_CIDRS[$i]}" 5432 5432; done
# explicit final deny: everything not allowed above
nacl_entry "$NACL_DATA" 32000 ingress -1 deny 0.0.0.0/0
# return traffic: ephemeral 1024-65535 (Linux 32768-60999, Windows 49152-65535, NAT/ELB 1024-65535)
# return of: api to warehouse : 5432/tcp - reporting queries - platform team
for i in "${!APP_CIDRS[@]}"; do nacl_entry "$NACL_DATA" $((100 + i)) egress 6 allow "${APP_CIDRS[$i]}" 1024 65535; done
# return traffic: ephemeral 1024-65535 (Linux 32768-60999, Windows 49152-65535, NAT/ELB 1024-65535)
# return of: client-vpn to warehouse : 5432/tcp - operator administration over the client VPN - platform team
for i in "${!MGMT_CIDRS[@]}"; do nacl_entry "$NACL_DATA" $((110 + i)) egress 6 allow "${MGMT_CIDRS[$i]}" 1024 65535; done
# explicit final deny: everything not allowed above
nacl_entry "$NACL_DATA" 32000 egress -1 deny 0.0.0.0/0
associate_nacl "$NACL_DATA" "${DATA_SUBNETS[@]}"

# prod-mgmt-nacl
if [ "${#MGMT_SUBNETS[@]}" -gt 0 ]; then
  NACL_MGMT="$(ensure_nacl prod-mgmt-nacl mgmt)"
  # api to endpoints : 443/tcp - private endpoint access: aws:ec2messages, aws:kms, aws:logs, aws:ssm, aws:ssmmessages - platform team
  for i in "${!APP_CIDRS[@]}"; do nacl_entry "$NACL_MGMT" $((100 + i)) ingress 6 allow "${APP_CIDRS[$i]}" 443 443; done
  # return traffic: ephemeral 1024-65535 (Linux 32768-60999, Windows 49152-65535, NAT/ELB 1024-65535)
  # return of: client-vpn to warehouse : 5432/tcp - operator administration over the client VPN - platform team
  for i in "${!DATA_CIDRS[@]}"; do nacl_entry "$NACL_MGMT" $((110 + i)) ingress 6 allow "${DATA_CIDRS[$i]}" 1024 65535; done
  # explicit final deny: everything not allowed above
  nacl_entry "$NACL_MGMT" 32000 ingress -1 deny 0.0.0.0/0
  # return traffic: ephemeral 1024-65535 (Linux 32768-60999, Windows 49152-65535, NAT/ELB 1024-65535)
  # return of: api to endpoints : 443/tcp - private endpoint access: aws:ec2messages, aws:kms, aws:logs, aws:ssm, aws:ssmmessages - platform team
  for i in "${!APP_CIDRS[@]}"; do nacl_entry "$NACL_MGMT" $((100 + i)) egress 6 allow "${APP_CIDRS[$i]}" 1024 65535; done
  # client-vpn to warehouse : 5432/tcp - operator administration over the client VPN - platform team
  for i in "${!DATA_CIDRS[@]}"; do nacl_entry "$NACL_MGMT" $((110 + i)) egress 6 allow "${DATA_CIDRS[$i]}" 5432 5432; done
  # explicit final deny: everything not allowed above
  nacl_entry "$NACL_MGMT" 32000 egress -1 deny 0.0.0.0/0
  associate_nacl "$NACL_MGMT" "${MGMT_SUBNETS[@]}"
fi


# VPC flow logs.
ACCOUNT_ID="$(aws sts get-caller-identity --query Account --output text)"
FLOW_KEY_ALIAS=alias/prod-mixed-flow-logs
FLOW_KEY="$(aws kms --region "$REGION" list-aliases --query "Aliases[?AliasName=='$FLOW_KEY_ALIAS'] | [0].TargetKeyId" --output text)"
if [ -z "$FLOW_KEY" ] || [ "$FLOW_KEY" = "None" ]; then
  FLOW_KEY="$(aws kms --region "$REGION" create-key --description 'Encrypts the VPC flow logs' --query KeyMetadata.KeyId --output text)"
  aws kms --region "$REGION" create-alias --alias-name "$FLOW_KEY_ALIAS" --target-key-id "$FLOW_KEY"
fi
aws kms --region "$REGION" enable-key-rotation --key-id "$FLOW_KEY"
FLOW_KEY_ARN="$(aws kms --region "$REGION" describe-key --key-id "$FLOW_KEY" --query KeyMetadata.Arn --output text)"
FLOW_LOG_GROUP=/vpc/flow-logs/prod-mixed
FLOW_ROLE=prod-mixed-flow-logs
FLOW_KEY_POLICY='{"Statement":[{"Action":"kms:*","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::ACCOUNT:root"},"Resource":"*","Sid":"KeyAdministration"},{"Action":["kms:Encrypt*","kms:Decrypt*","kms:ReEncrypt*","kms:GenerateDataKey*","kms:Describe*"],"Condition":{"ArnEquals":{"kms:EncryptionContext:aws:logs:arn":"arn:aws:logs:REGION:ACCOUNT:log-group:/vpc/flow-logs/prod-mixed"}},"Effect":"Allow","Principal":{"Service":"logs.REGION.amazonaws.com"},"Resource":"*","Sid":"CloudWatchLogsUse"}],"Version":"2012-10-17"}'
FLOW_KEY_POLICY="${FLOW_KEY_POLICY//ACCOUNT/$ACCOUNT_ID}"
FLOW_KEY_POLICY="${FLOW_KEY_POLICY//REGION/$REGION}"
aws kms --region "$REGION" put-key-policy --key-id "$FLOW_KEY" --policy-name default --policy "$FLOW_KEY_POLICY"
cw_log_group "$FLOW_LOG_GROUP" 365 "$FLOW_KEY_ARN"
FLOW_ASSUME='{"Statement":[{"Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:SourceAccount":"ACCOUNT"}},"Effect":"Allow","Principal":{"Service":"vpc-flow-logs.amazonaws.com"}}],"Version":"2012-10-17"}'
FLOW_ASSUME="${FLOW_ASSUME//ACCOUNT/$ACCOUNT_ID}"
FLOW_DELIVERY='{"Statement":[{"Action":["logs:CreateLogStream","logs:PutLogEvents","logs:DescribeLogGroups","logs:DescribeLogStreams"],"Effect":"Allow","Resource":"arn:aws:logs:REGION:ACCOUNT:log-group:/vpc/flow-logs/prod-mixed:*","Sid":"DeliverToLogGroup"}],"Version":"2012-10-17"}'
FLOW_DELIVERY="${FLOW_DELIVERY//ACCOUNT/$ACCOUNT_ID}"
FLOW_DELIVERY="${FLOW_DELIVERY//REGION/$REGION}"
if ! FLOW_ROLE_ARN="$(aws iam get-role --role-name "$FLOW_ROLE" --query Role.Arn --output text 2>/dev/null)"; then
  FLOW_ROLE_ARN="$(aws iam create-role --role-name "$FLOW_ROLE" --assume-role-policy-document "$FLOW_ASSUME" --query Role.Arn --output text)"
fi
aws iam put-role-policy --role-name "$FLOW_ROLE" --policy-name deliver-flow-logs --policy-document "$FLOW_DELIVERY"
FLOW_EXISTING="$(ec2 describe-flow-logs --filter "Name=resource-id,Values=$VPC_ID" "Name=log-group-name,Values=$FLOW_LOG_GROUP" --query 'FlowLogs[0].FlowLogId' --output text)"
if [ -z "$FLOW_EXISTING" ] || [ "$FLOW_EXISTING" = "None" ]; then
  ec2 create-flow-logs --resource-type VPC --resource-ids "$VPC_ID" --traffic-type ALL \
    --log-destination-type cloud-watch-logs --log-group-name "$FLOW_LOG_GROUP" \
    --deliver-logs-permission-arn "$FLOW_ROLE_ARN" --max-aggregation-interval 60 >/dev/null
fi

# Operator access: no SSH bastion, no port 22 or 3389 from the internet.
ACCESS_ACCOUNT="$(aws sts get-caller-identity --query Account --output text)"
case "$REGION" in
  cn-*) ACCESS_PARTITION=aws-cn ;;
  us-gov-*) ACCESS_PARTITION=aws-us-gov ;;
  *) ACCESS_PARTITION=aws ;;
esac
ACCESS_BUCKET=prod-mixed-session-logs-@ACCOUNT@
ACCESS_LOG_GROUP=/aws/ssm/sessions/prod-mixed
# access_fill TEXT: TEXT with the account, partition, region, key, bucket and log group.
access_fill() {
  local t="$1"
  t="${t//@ACCOUNT@/$ACCESS_ACCOUNT}"
  t="${t//@PARTITION@/$ACCESS_PARTITION}"
  t="${t//@REGION@/$REGION}"
  t="${t//@KEY_ARN@/${ACCESS_KEY_ARN:-}}"
  t="${t//@BUCKET@/${ACCESS_BUCKET:-}}"
  t="${t//@LOG_GROUP@/${ACCESS_LOG_GROUP:-}}"
  printf '%s' "$t"
}
ACCESS_BUCKET="$(access_fill "$ACCESS_BUCKET")"

# KMS key of the session and connection logs (rotation on).
ACCESS_KEY_ARN="$(aws kms describe-key --region "$REGION" --key-id alias/prod-mixed-access --query KeyMetadata.Arn --output text 2>/dev/null || true)"
if [ -z "$ACCESS_KEY_ARN" ] || [ "$ACCESS_KEY_ARN" = "None" ]; then
  ACCESS_KEY_ARN="$(aws kms create-key --region "$REGION" --description 'Encrypts operator session and connection logs of prod-mixed' \
    --policy "$(access_fill '{"Statement":[{"Action":"kms:*","Effect":"Allow","Principal":{"AWS":"arn:@PARTITION@:iam::@ACCOUNT@:root"},"Resource":"*","Sid":"AccountAdministers"},{"Action":["kms:Encrypt*","kms:Decrypt*","kms:ReEncrypt*","kms:GenerateDataKey*","kms:Describe*"],"Condition":{"ArnLike":{"kms:EncryptionContext:aws:logs:arn":["arn:@PARTITION@:logs:@REGION@:@ACCOUNT@:log-group:/aws/ssm/sessions/*","arn:@PARTITION@:logs:@REGION@:@ACCOUNT@:log-group:/aws/client-vpn/*"]}},"Effect":"Allow","Principal":{"Service":"logs.@REGION@.amazonaws.com"},"Resource":"*","Sid":"CloudWatchLogsEncrypt"}],"Version":"2012-10-17"}')" \
    --tags TagKey=Env,TagValue=prod --query KeyMetadata.Arn --output text)"
  aws kms create-alias --region "$REGION" --alias-name alias/prod-mixed-access --target-key-id "$ACCESS_KEY_ARN"
  echo "created KMS key alias/prod-mixed-access: $ACCESS_KEY_ARN" >&2
else
  aws kms put-key-policy --region "$REGION" --key-id "$ACCESS_KEY_ARN" --policy-name default \
    --policy "$(access_fill '{"Statement":[{"Action":"kms:*","Effect":"Allow","Principal":{"AWS":"arn:@PARTITION@:iam::@ACCOUNT@:root"},"Resource":"*","Sid":"AccountAdministers"},{"Action":["kms:Encrypt*","kms:Decrypt*","kms:ReEncrypt*","kms:GenerateDataKey*","kms:Describe*"],"Condition":{"ArnLike":{"kms:EncryptionContext:aws:logs:arn":["arn:@PARTITION@:logs:@REGION@:@ACCOUNT@:log-group:/aws/ssm/sessions/*","arn:@PARTITION@:logs:@REGION@:@ACCOUNT@:log-group:/aws/client-vpn/*"]}},"Effect":"Allow","Principal":{"Service":"logs.@REGION@.amazonaws.com"},"Resource":"*","Sid":"CloudWatchLogsEncrypt"}],"Version":"2012-10-17"}')"
fi
aws kms enable-key-rotation --region "$REGION" --key-id "$ACCESS_KEY_ARN"

# Session Manager: encrypted session-log bucket (versioned, private, TLS only, expiring).
if ! aws s3api head-bucket --region "$REGION" --bucket "$ACCESS_BUCKET" >/dev/null 2>&1; then
  if [ "$REGION" = us-east-1 ]; then
    aws s3api create-bucket --region "$REGION" --bucket "$ACCESS_BUCKET" >/dev/null
  else
    aws s3api create-bucket --region "$REGION" --bucket "$ACCESS_BUCKET" \
      --create-bucket-configuration "LocationConstraint=$REGION" >/dev/null
  fi
  echo "created bucket $ACCESS_BUCKET" >&2
fi
aws s3api put-bucket-versioning --region "$REGION" --bucket "$ACCESS_BUCKET" --versioning-configuration Status=Enabled
aws s3api put-bucket-encryption --region "$REGION" --bucket "$ACCESS_BUCKET" --server-side-encryption-configuration \
  "{\"Rules\":[{\"ApplyServerSideEncryptionByDefault\":{\"SSEAlgorithm\":\"aws:kms\",\"KMSMasterKeyID\":\"$ACCESS_KEY_ARN\"},\"BucketKeyEnabled\":true}]}"
aws s3api put-public-access-block --region "$REGION" --bucket "$ACCESS_BUCKET" --public-access-block-configuration \
  BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true
aws s3api put-bucket-lifecycle-configuration --region "$REGION" --bucket "$ACCESS_BUCKET" --lifecycle-configuration \
  '{"Rules":[{"AbortIncompleteMultipartUpload":{"DaysAfterInitiation":7},"Expiration":{"Days":400},"Filter":{},"ID":"expire-session-logs","NoncurrentVersionExpiration":{"NoncurrentDays":30},"Status":"Enabled"}]}'
aws s3api put-bucket-policy --region "$REGION" --bucket "$ACCESS_BUCKET" --policy "$(access_fill '{"Statement":[{"Action":"s3:*","Condition":{"Bool":{"aws:SecureTransport":"false"}},"Effect":"Deny","Principal":"*","Resource":["arn:@PARTITION@:s3:::@BUCKET@","arn:@PARTITION@:s3:::@BUCKET@/*"],"Sid":"DenyInsecureTransport"}],"Version":"2012-10-17"}')"

# Session log group, encrypted with the key (400 days kept).
cw_log_group "$ACCESS_LOG_GROUP" 400 "$ACCESS_KEY_ARN"

# Instance role and profile: AmazonSSMManagedInstanceCore plus writing session logs.
if ! aws iam get-role --role-name prod-mixed-ssm-instance >/dev/null 2>&1; then
  aws iam create-role --role-name prod-mixed-ssm-instance --description 'Instances reachable through Session Manager' \
    --assume-role-policy-document '{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Sid":"Ec2AssumeRole"}],"Version":"2012-10-17"}' --tags Key=Env,Value=prod >/dev/null
  echo "created role prod-mixed-ssm-instance" >&2
fi
aws iam attach-role-policy --role-name prod-mixed-ssm-instance --policy-arn "arn:$ACCESS_PARTITION:iam::aws:policy/AmazonSSMManagedInstanceCore"
aws iam put-role-policy --role-name prod-mixed-ssm-instance --policy-name session-logging --policy-document "$(access_fill '{"Statement":[{"Action":"s3:PutObject","Effect":"Allow","Resource":"arn:@PARTITION@:s3:::@BUCKET@/*","Sid":"SessionLogsToS3"},{"Action":"s3:GetEncryptionConfiguration","Effect":"Allow","Resource":"arn:@PARTITION@:s3:::@BUCKET@","Sid":"SessionLogBucketEncryption"},{"Action":["logs:CreateLogStream","logs:PutLogEvents","logs:DescribeLogStreams"],"Effect":"Allow","Resource":"arn:@PARTITION@:logs:@REGION@:@ACCOUNT@:log-group:@LOG_GROUP@:*","Sid":"SessionLogsToCloudWatch"},{"Action":"logs:DescribeLogGroups","Effect":"Allow","Resource":"*","Sid":"DescribeLogGroups"},{"Action":["kms:Decrypt","kms:GenerateDataKey"],"Effect":"Allow","Resource":"@KEY_ARN@","Sid":"SessionEncryption"}],"Version":"2012-10-17"}')"
if ! aws iam get-instance-profile --instance-profile-name prod-mixed-ssm-instance >/dev/null 2>&1; then
  aws iam create-instance-profile --instance-profile-name prod-mixed-ssm-instance >/dev/null
fi
if [ "$(aws iam get-instance-profile --instance-profile-name prod-mixed-ssm-instance --query "length(InstanceProfile.Roles[?RoleName=='prod-mixed-ssm-instance'])" --output text)" = "0" ]; then
  aws iam add-role-to-instance-profile --instance-profile-name prod-mixed-ssm-instance --role-name prod-mixed-ssm-instance
fi

# Operator policy: sessions on this environment's instances, approved documents, own sessions.
ACCESS_OPERATOR_POLICY="arn:$ACCESS_PARTITION:iam::$ACCESS_ACCOUNT:policy/prod-mixed-ssm-operators"
ACCESS_OPERATOR_DOC="$(access_fill '{"Statement":[{"Action":"ssm:StartSession","Condition":{"StringEquals":{"ssm:resourceTag/Env":"prod"}},"Effect":"Allow","Resource":"arn:@PARTITION@:ec2:@REGION@:@ACCOUNT@:instance/*","Sid":"StartSessionOnEnvInstances"},{"Action":"ssm:StartSession","Condition":{"BoolIfExists":{"ssm:SessionDocumentAccessCheck":"true"}},"Effect":"Allow","Resource":["arn:@PARTITION@:ssm:@REGION@::document/AWS-StartPortForwardingSession","arn:@PARTITION@:ssm:@REGION@::document/AWS-StartPortForwardingSessionToRemoteHost","arn:@PARTITION@:ssm:@REGION@:@ACCOUNT@:document/SSM-SessionManagerRunShell"],"Sid":"StartSessionWithApprovedDocuments"},{"Action":["ssm:TerminateSession","ssm:ResumeSession"],"Effect":"Allow","Resource":"arn:@PARTITION@:ssm:*:@ACCOUNT@:session/${aws:username}-*","Sid":"OwnSessionsOnly"},{"Action":"kms:GenerateDataKey","Effect":"Allow","Resource":"@KEY_ARN@","Sid":"SessionEncryption"},{"Action":"ssm:GetConnectionStatus","Effect":"Allow","Resource":["arn:@PARTITION@:ec2:@REGION@:@ACCOUNT@:instance/*","arn:@PARTITION@:ssm:@REGION@:@ACCOUNT@:managed-instance/*"],"Sid":"ConnectionStatusOfInstances"},{"Action":["ssm:DescribeSessions","ssm:DescribeInstanceInformation","ssm:DescribeInstanceProperties","ec2:DescribeInstances"],"Effect":"Allow","Resource":"*","Sid":"DescribeTargets"}],"Version":"2012-10-17"}')"
if aws iam get-policy --policy-arn "$ACCESS_OPERATOR_POLICY" >/dev/null 2>&1; then
  for v in $(aws iam list-policy-versions --policy-arn "$ACCESS_OPERATOR_POLICY" \
      --query 'Versions[?!IsDefaultVersion].VersionId' --output text); do
    aws iam delete-policy-version --policy-arn "$ACCESS_OPERATOR_POLICY" --version-id "$v"
  done
  aws iam create-policy-version --policy-arn "$ACCESS_OPERATOR_POLICY" --policy-document "$ACCESS_OPERATOR_DOC" \
    --set-as-default >/dev/null
else
  aws iam create-policy --policy-name prod-mixed-ssm-operators --description 'Session Manager sessions on instances tagged Env=prod only; own sessions only' \
    --policy-document "$ACCESS_OPERATOR_DOC" >/dev/null
  echo "created policy prod-mixed-ssm-operators" >&2
fi

# Session preferences. A document created earlier in the console exists under the same
# name: it is updated in place (DocumentAlreadyExists otherwise).
ACCESS_SESSION_DOC="$(access_fill '{"description":"Session Manager preferences: encrypted, logged sessions with an idle timeout","inputs":{"cloudWatchEncryptionEnabled":true,"cloudWatchLogGroupName":"@LOG_GROUP@","cloudWatchStreamingEnabled":true,"idleSessionTimeout":"10","kmsKeyId":"@KEY_ARN@","runAsDefaultUser":"","runAsEnabled":false,"s3BucketName":"@BUCKET@","s3EncryptionEnabled":true,"s3KeyPrefix":"sessions/","shellProfile":{"linux":"","windows":""}},"schemaVersion":"1.0","sessionType":"Standard_Stream"}')"
if aws ssm describe-document --region "$REGION" --name SSM-SessionManagerRunShell >/dev/null 2>&1; then
  if ACCESS_OUT="$(aws ssm update-document --region "$REGION" --name SSM-SessionManagerRunShell --document-version '$LATEST' \
      --document-format JSON --content "$ACCESS_SESSION_DOC" --query DocumentDescription.DocumentVersion --output text 2>&1)"; then
    aws ssm update-document-default-version --region "$REGION" --name SSM-SessionManagerRunShell --document-version "$ACCESS_OUT" >/dev/null
  else
    case "$ACCESS_OUT" in
      *DuplicateDocumentContent*) ;;
      *) printf '%s\n' "$ACCESS_OUT" >&2; exit 1 ;;
    esac
  fi
else
  aws ssm create-document --region "$REGION" --name SSM-SessionManagerRunShell --document-type Session --document-format JSON \
    --content "$ACCESS_SESSION_DOC" --tags Key=Env,Value=prod >/dev/null
  echo "created document SSM-SessionManagerRunShell" >&2
fi
# Client VPN (tiers: data).
cw_log_group /aws/client-vpn/prod-mixed 400 "$ACCESS_KEY_ARN"
if [ "$(aws logs describe-log-streams --region "$REGION" --log-group-name /aws/client-vpn/prod-mixed --log-stream-name-prefix connections \
    --query "logStreams[?logStreamName=='connections'] | length(@)" --output text)" = "0" ]; then
  aws logs create-log-stream --region "$REGION" --log-group-name /aws/client-vpn/prod-mixed --log-stream-name connections
fi
if [ -z "${CLIENT_VPN_SERVER_CERTIFICATE_ARN:-}" ] || [ -z "${CLIENT_VPN_ROOT_CERTIFICATE_ARN:-}" ]; then
  echo "apply.sh: Client VPN endpoint not created: set CLIENT_VPN_SERVER_CERTIFICATE_ARN and CLIENT_VPN_ROOT_CERTIFICATE_ARN (ACM certificates) and run again" >&2
else
  if [ -z "${APP_SUBNET_IDS:-}" ]; then
    echo "apply.sh: APP_SUBNET_IDS is not set (the subnets the Client VPN is associated with)" >&2
    exit 1
  fi
  if [ -z "${DATA_SUBNET_IDS:-}" ]; then
    echo "apply.sh: DATA_SUBNET_IDS is not set (the subnets operators reach over the Client VPN)" >&2
    exit 1
  fi
  VPN_ENDPOINT_ID="$(ec2 describe-client-vpn-endpoints \
    --query "ClientVpnEndpoints[?Tags[?Key=='Name' && Value=='prod-mixed-client-vpn']] | [0].ClientVpnEndpointId" --output text)"
  if [ -z "$VPN_ENDPOINT_ID" ] || [ "$VPN_ENDPOINT_ID" = "None" ]; then
    VPN_INPUT='{"AuthenticationOptions":[{"MutualAuthentication":{"ClientRootCertificateChainArn":"@ROOT_CERT_ARN@"},"Type":"certificate-authentication"}],"ClientCidrBlock":"172.20.0.0/16","ClientLoginBannerOptions":{"BannerText":"Authorized operators of prod-mixed only. Connections are logged.","Enabled":true},"ConnectionLogOptions":{"CloudwatchLogGroup":"/aws/client-vpn/prod-mixed","CloudwatchLogStream":"connections","Enabled":true},"Description":"prod-mixed-client-vpn","SecurityGroupIds":["@VPN_SG@"],"ServerCertificateArn":"@SERVER_CERT_ARN@","SessionTimeoutHours":8,"SplitTunnel":true,"TagSpecifications":[{"ResourceType":"client-vpn-endpoint","Tags":[{"Key":"Name","Value":"prod-mixed-client-vpn"},{"Key":"Env","Value":"prod"}]}],"TransportProtocol":"udp","VpcId":"@VPC_ID@"}'
    VPN_INPUT="${VPN_INPUT//@SERVER_CERT_ARN@/$CLIENT_VPN_SERVER_CERTIFICATE_ARN}"
    VPN_INPUT="${VPN_INPUT//@ROOT_CERT_ARN@/$CLIENT_VPN_ROOT_CERTIFICATE_ARN}"
    VPN_INPUT="${VPN_INPUT//@VPN_SG@/$SG_CLIENT_VPN}"
    VPN_INPUT="${VPN_INPUT//@VPC_ID@/$VPC_ID}"
    VPN_ENDPOINT_ID="$(ec2 create-client-vpn-endpoint --cli-input-json "$VPN_INPUT" --query ClientVpnEndpointId --output text)"
    echo "created Client VPN endpoint $VPN_ENDPOINT_ID" >&2
  fi
  for subnet in $APP_SUBNET_IDS; do
    if [ "$(ec2 describe-client-vpn-target-networks --client-vpn-endpoint-id "$VPN_ENDPOINT_ID" \
        --query "ClientVpnTargetNetworks[?TargetNetworkId=='$subnet'] | length(@)" --output text)" = "0" ]; then
      ec2 associate-client-vpn-target-network --cli-input-json \
        "{\"ClientVpnEndpointId\":\"$VPN_ENDPOINT_ID\",\"SubnetId\":\"$subnet\"}" >/dev/null
    fi
  done
  for cidr in $(ec2 describe-subnets --subnet-ids $DATA_SUBNET_IDS --query 'Subnets[].CidrBlock' --output text); do
    if [ "$(ec2 describe-client-vpn-authorization-rules --client-vpn-endpoint-id "$VPN_ENDPOINT_ID" \
        --query "AuthorizationRules[?DestinationCidr=='$cidr'] | length(@)" --output text)" = "0" ]; then
      ec2 authorize-client-vpn-ingress --cli-input-json \
        "{\"ClientVpnEndpointId\":\"$VPN_ENDPOINT_ID\",\"TargetNetworkCidr\":\"$cidr\",\"AuthorizeAllGroups\":true,\"Description\":\"Operators to the data tier\"}" >/dev/null
    fi
  done
fi

# VPC endpoints: AWS services reached without the internet.
: "${APP_SUBNET_IDS:?apply.sh: set APP_SUBNET_IDS to the app-tier subnets (space-separated subnet-..., one per AZ) for the interface endpoints}"
read -r -a app_subnets <<< "$APP_SUBNET_IDS"
# ensure_endpoint SERVICE_NAME NAME POLICY_JSON CREATE_ARGS...: creates the endpoint unless
# the VPC has one for the service (then only its policy is brought up to date).
ensure_endpoint() {
  local service="$1" name="$2" policy="$3" id
  shift 3
  id="$(ec2 describe-vpc-endpoints \
    --filters "Name=vpc-id,Values=$VPC_ID" "Name=service-name,Values=$service" \
    --query 'VpcEndpoints[?State!=`deleted` && State!=`deleting`] | [0].VpcEndpointId' --output text)" || return 1
  if [ -z "$id" ] || [ "$id" = "None" ]; then
    if [ -n "$policy" ]; then
      set -- "$@" --policy-document "$policy"
    fi
    id="$(ec2 create-vpc-endpoint --vpc-id "$VPC_ID" --service-name "$service" "$@" \
      --tag-specifications "ResourceType=vpc-endpoint,Tags=[{Key=Name,Value=$name}]" \
      --query VpcEndpoint.VpcEndpointId --output text)" || return 1
    echo "created $name: $id" >&2
  else
    if [ -n "$policy" ]; then
      ec2 modify-vpc-endpoint --vpc-endpoint-id "$id" --policy-document "$policy" >/dev/null || return 1
    fi
    echo "found $name: $id" >&2
  fi
}
ensure_endpoint "com.amazonaws.$REGION".ec2messages prod-ec2messages-vpce '' \
  --vpc-endpoint-type Interface --subnet-ids "${app_subnets[@]}" --security-group-ids "$SG_ENDPOINTS" --private-dns-enabled
ensure_endpoint "com.amazonaws.$REGION".kms prod-kms-vpce '' \
  --vpc-endpoint-type Interface --subnet-ids "${app_subnets[@]}" --security-group-ids "$SG_ENDPOINTS" --private-dns-enabled
ensure_endpoint "com.amazonaws.$REGION".logs prod-logs-vpce '' \
  --vpc-endpoint-type Interface --subnet-ids "${app_subnets[@]}" --security-group-ids "$SG_ENDPOINTS" --private-dns-enabled
ensure_endpoint "com.amazonaws.$REGION".ssm prod-ssm-vpce '' \
  --vpc-endpoint-type Interface --subnet-ids "${app_subnets[@]}" --security-group-ids "$SG_ENDPOINTS" --private-dns-enabled
ensure_endpoint "com.amazonaws.$REGION".ssmmessages prod-ssmmessages-vpce '' \
  --vpc-endpoint-type Interface --subnet-ids "${app_subnets[@]}" --security-group-ids "$SG_ENDPOINTS" --private-dns-enabled
