#!/usr/bin/env bash
# Network-security controls of vpn-shop (stage) as aws CLI commands.
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
  REGION=eu-central-1
fi

# Security groups (one per workload group).
SG_CLIENT_VPN="$(ensure_group stage-mgmt-client-vpn-sg 'Client VPN endpoint: operator connections from the VPN pool 10.100.0.0/22' \
  '{"Name":"group-name","Values":["stage-mgmt-client-vpn-sg"]}' \
  '[{"ResourceType":"security-group","Tags":[{"Key":"Name","Value":"stage-mgmt-client-vpn-sg"},{"Key":"Env","Value":"stage"},{"Key":"Tier","Value":"mgmt"},{"Key":"Role","Value":"client-vpn"}]}]')"
SG_LB="$(ensure_group stage-public-lb-sg 'lb (load balancer) in the public tier' \
  '{"Name":"group-name","Values":["stage-public-lb-sg"]}' \
  '[{"ResourceType":"security-group","Tags":[{"Key":"Name","Value":"stage-public-lb-sg"},{"Key":"Env","Value":"stage"},{"Key":"Tier","Value":"public"},{"Key":"Role","Value":"lb"}]}]')"
SG_ORDERS="$(ensure_group stage-data-orders-sg 'orders (MySQL database) in the data tier' \
  '{"Name":"group-name","Values":["stage-data-orders-sg"]}' \
  '[{"ResourceType":"security-group","Tags":[{"Key":"Name","Value":"stage-data-orders-sg"},{"Key":"Env","Value":"stage"},{"Key":"Tier","Value":"data"},{"Key":"Role","Value":"orders"}]}]')"
SG_SHOP="$(ensure_group stage-app-shop-sg 'shop (virtual machines) in the app tier' \
  '{"Name":"group-name","Values":["stage-app-shop-sg"]}' \
  '[{"ResourceType":"security-group","Tags":[{"Key":"Name","Value":"stage-app-shop-sg"},{"Key":"Env","Value":"stage"},{"Key":"Tier","Value":"app"},{"Key":"Role","Value":"shop"}]}]')"

# New groups allow all egress; egress is only what the rules below allow.
revoke_egress "$SG_CLIENT_VPN" '[{"IpProtocol":"-1","IpRanges":[{"CidrIp":"0.0.0.0/0"}]}]'
revoke_egress "$SG_CLIENT_VPN" '[{"IpProtocol":"-1","Ipv6Ranges":[{"CidrIpv6":"::/0"}]}]'
revoke_egress "$SG_LB" '[{"IpProtocol":"-1","IpRanges":[{"CidrIp":"0.0.0.0/0"}]}]'
revoke_egress "$SG_LB" '[{"IpProtocol":"-1","Ipv6Ranges":[{"CidrIpv6":"::/0"}]}]'
revoke_egress "$SG_ORDERS" '[{"IpProtocol":"-1","IpRanges":[{"CidrIp":"0.0.0.0/0"}]}]'
revoke_egress "$SG_ORDERS" '[{"IpProtocol":"-1","Ipv6Ranges":[{"CidrIpv6":"::/0"}]}]'
revoke_egress "$SG_SHOP" '[{"IpProtocol":"-1","IpRanges":[{"CidrIp":"0.0.0.0/0"}]}]'
revoke_egress "$SG_SHOP" '[{"IpProtocol":"-1","Ipv6Ranges":[{"CidrIpv6":"::/0"}]}]'

# stage-mgmt-client-vpn-sg egress
authorize egress "$SG_CLIENT_VPN" '[{"FromPort":3306,"IpProtocol":"tcp","ToPort":3306,"UserIdGroupPairs":[{"Description":"client-vpn to orders : 3306/tcp - operator administration over the client VPN - shop ops","GroupId":"'"$SG_ORDERS"'"}]}]'
authorize egress "$SG_CLIENT_VPN" '[{"FromPort":22,"IpProtocol":"tcp","ToPort":22,"UserIdGroupPairs":[{"Description":"client-vpn to shop : 22/tcp - operator SSH over the client VPN - shop ops","GroupId":"'"$SG_SHOP"'"}]}]'

# stage-public-lb-sg ingress
authorize ingress "$SG_LB" '[{"FromPort":443,"IpProtocol":"tcp","IpRanges":[{"CidrIp":"0.0.0.0/0","Description":"internet to lb : 443/tcp - storefront traffic - shop ops"}],"ToPort":443}]'
authorize ingress "$SG_LB" '[{"FromPort":443,"IpProtocol":"tcp","Ipv6Ranges":[{"CidrIpv6":"::/0","Description":"internet to lb : 443/tcp - storefront traffic - shop ops"}],"ToPort":443}]'

# stage-public-lb-sg egress
authorize egress "$SG_LB" '[{"FromPort":8080,"IpProtocol":"tcp","ToPort":8080,"UserIdGroupPairs":[{"Description":"lb to shop : 8080/tcp - request forward - shop ops","GroupId":"'"$SG_SHOP"'"}]}]'

# stage-data-orders-sg ingress
authorize ingress "$SG_ORDERS" '[{"FromPort":3306,"IpProtocol":"tcp","ToPort":3306,"UserIdGroupPairs":[{"Description":"shop to orders : 3306/tcp - order storage - shop ops","GroupId":"'"$SG_SHOP"'"}]}]'
authorize ingress "$SG_ORDERS" '[{"FromPort":3306,"IpProtocol":"tcp","ToPort":3306,"UserIdGroupPairs":[{"Description":"client-vpn to orders : 3306/tcp - operator administration over the client VPN - shop ops","GroupId":"'"$SG_CLIENT_VPN"'"}]}]'

# stage-app-shop-sg ingress
authorize ingress "$SG_SHOP" '[{"FromPort":8080,"IpProtocol":"tcp","ToPort":8080,"UserIdGroupPairs":[{"Description":"lb to shop : 8080/tcp - request forward - shop ops","GroupId":"'"$SG_LB"'"}]}]'
authorize ingress "$SG_SHOP" '[{"FromPort":22,"IpProtocol":"tcp","ToPort":22,"UserIdGroupPairs":[{"Description":"client-vpn to shop : 22/tcp - operator SSH over the client VPN - shop ops","GroupId":"'"$SG_CLIENT_VPN"'"}]}]'

# stage-app-shop-sg egress
authorize egress "$SG_SHOP" '[{"FromPort":3306,"IpProtocol":"tcp","ToPort":3306,"UserIdGroupPairs":[{"Description":"shop to orders : 3306/tcp - order storage - shop ops","GroupId":"'"$SG_ORDERS"'"}]}]'

echo
printf '%-48s %s\n' 'SECURITY GROUP' 'ID'
printf '%-48s %s\n' stage-mgmt-client-vpn-sg "$SG_CLIENT_VPN"
printf '%-48s %s\n' stage-public-lb-sg "$SG_LB"
printf '%-48s %s\n' stage-data-orders-sg "$SG_ORDERS"
printf '%-48s %s\n' stage-app-shop-sg "$SG_SHOP"

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

# stage-public-nacl (public tier)
read -r -a PUBLIC_SUBNETS <<< "${PUBLIC_SUBNET_IDS:-}"
read -r -a PUBLIC_CIDRS <<< "$(subnet_cidrs "${PUBLIC_SUBNETS[@]}" | tr '\n' ' ')"

if [ -z "${APP_SUBNET_IDS:-}" ]; then
  echo "apply.sh: APP_SUBNET_IDS is not set; export APP_SUBNET_IDS='subnet-... subnet-...' (the app tier's subnets)" >&2
  exit 1
fi

# stage-app-nacl (app tier)
read -r -a APP_SUBNETS <<< "${APP_SUBNET_IDS:-}"
read -r -a APP_CIDRS <<< "$(subnet_cidrs "${APP_SUBNETS[@]}" | tr '\n' ' ')"

if [ -z "${DATA_SUBNET_IDS:-}" ]; then
  echo "apply.sh: DATA_SUBNET_IDS is not set; export DATA_SUBNET_IDS='subnet-... subnet-...' (the data tier's subnets)" >&2
  exit 1
fi

# stage-data-nacl (data tier)
read -r -a DATA_SUBNETS <<< "${DATA_SUBNET_IDS:-}"
read -r -a DATA_CIDRS <<< "$(subnet_cidrs "${DATA_SUBNETS[@]}" | tr '\n' ' ')"

# stage-mgmt-nacl (mgmt tier)
if [ -z "${MGMT_SUBNET_IDS:-}" ]; then
  echo "apply.sh: MGMT_SUBNET_IDS is not set: stage-mgmt-nacl is not created, and no entry toward the mgmt subnets" >&2
fi
read -r -a MGMT_SUBNETS <<< "${MGMT_SUBNET_IDS:-}"
read -r -a MGMT_CIDRS <<< "$(subnet_cidrs "${MGMT_SUBNETS[@]}" | tr '\n' ' ')"

# stage-public-nacl
NACL_PUBLIC="$(ensure_nacl stage-public-nacl public)"
# internet to lb : 443/tcp - storefront traffic - shop ops
nacl_entry "$NACL_PUBLIC" 100 ingress 6 allow 0.0.0.0/0 443 443
# internet to lb : 443/tcp - storefront traffic - shop ops
nacl_entry "$NACL_PUBLIC" 110 ingress 6 allow ::/0 443 443
# return traffic: ephemeral 1024-65535 (Linux 32768-60999, Windows 49152-65535, NAT/ELB 1024-65535)
# return of: lb to shop : 8080/tcp - request forward - shop ops
for i in "${!APP_CIDRS[@]}"; do nacl_entry "$NACL_PUBLIC" $((120 + i)) ingress 6 allow "${APP_CIDRS[$i]}" 1024 65535; done
# explicit final deny: everything not allowed above
nacl_entry "$NACL_PUBLIC" 32000 ingress -1 deny 0.0.0.0/0
# explicit final deny: everything not allowed above
nacl_entry "$NACL_PUBLIC" 32010 ingress -1 deny ::/0
# return traffic: ephemeral 1024-65535 (Linux 32768-60999, Windows 49152-65535, NAT/ELB 1024-65535)
# return of: internet to lb : 443/tcp - storefront traffic - shop ops
nacl_entry "$NACL_PUBLIC" 100 egress 6 allow 0.0.0.0/0 1024 65535
# return traffic: ephemeral 1024-65535 (Linux 32768-60999, Windows 49152-65535, NAT/ELB 1024-65535)
# return of: internet to lb : 443/tcp - storefront traffic - shop ops
nacl_entry "$NACL_PUBLIC" 110 egress 6 allow ::/0 1024 65535
# lb to shop : 8080/tcp - request forward - shop ops
for i in "${!APP_CIDRS[@]}"; do nacl_entry "$NACL_PUBLIC" $((120 + i)) egress 6 allow "${APP_CIDRS[$i]}" 8080 8080; done
# explicit final deny: everything not allowed above
nacl_entry "$NACL_PUBLIC" 32000 egress -1 deny 0.0.0.0/0
# explicit final deny: everything not allowed above
nacl_entry "$NACL_PUBLIC" 32010 egress -1 deny ::/0
associate_nacl "$NACL_PUBLIC" "${PUBLIC_SUBNETS[@]}"

# stage-app-nacl
NACL_APP="$(ensure_nacl stage-app-nacl app)"
# lb to shop : 8080/tcp - request forward - shop ops
for i in "${!PUBLIC_CIDRS[@]}"; do nacl_entry "$NACL_APP" $((100 + i)) ingress 6 allow "${PUBLIC_CIDRS[$i]}" 8080 8080; done
# return traffic: ephemeral 1024-65535 (Linux 32768-60999, Windows 49152-65535, NAT/ELB 1024-65535)
# return of: shop to orders : 3306/tcp - order storage - shop ops
for i in "${!DATA_CIDRS[@]}"; do nacl_entry "$NACL_APP" $((110 + i)) ingress 6 allow "${DATA_CIDRS[$i]}" 1024 65535; done
# client-vpn to shop : 22/tcp - operator SSH over the client VPN - shop ops
for i in "${!MGMT_CIDRS[@]}"; do nacl_entry "$NACL_APP" $((120 + i)) ingress 6 allow "${MGMT_CIDRS[$i]}" 22 22; done
# explicit final deny: everything not allowed above
nacl_entry "$NACL_APP" 32000 ingress -1 deny 0.0.0.0/0
# return traffic: ephemeral 1024-65535 (Linux 32768-60999, Windows 49152-65535, NAT/ELB 1024-65535)
# return of: lb to shop : 8080/tcp - request forward - shop ops
for i in "${!PUBLIC_CIDRS[@]}"; do nacl_entry "$NACL_APP" $((100 + i)) egress 6 allow "${PUBLIC_CIDRS[$i]}" 1024 65535; done
# shop to orders : 3306/tcp - order storage - shop ops
for i in "${!DATA_CIDRS[@]}"; do nacl_entry "$NACL_APP" $((110 + i)) egress 6 allow "${DATA_CIDRS[$i]}" 3306 3306; done
# return traffic: ephemeral 1024-65535 (Linux 32768-60999, Windows 49152-65535, NAT/ELB 1024-65535)
# return of: client-vpn to shop : 22/tcp - operator SSH over the client VPN - shop ops
for i in "${!MGMT_CIDRS[@]}"; do nacl_entry "$NACL_APP" $((120 + i)) egress 6 allow "${MGMT_CIDRS[$i]}" 1024 65535; done
# explicit final deny: everything not allowed above
nacl_entry "$NACL_APP" 32000 egress -1 deny 0.0.0.0/0
associate_nacl "$NACL_APP" "${APP_SUBNETS[@]}"

# stage-data-nacl
NACL_DATA="$(ensure_nacl stage-data-nacl data)"
# shop to orders : 3306/tcp - order storage - shop ops
for i in "${!APP_CIDRS[@]}"; do nacl_entry "$NACL_DATA" $((100 + i)) ingress 6 allow "${APP_CIDRS[$i]}" 3306 3306; done
# client-vpn to orders : 3306/tcp - operator administration over the client VPN - shop ops
for i in "${!MGMT_CIDRS[@]}"; do nacl_entry "$NACL_DATA" $((110 + i)) ingress 6 allow "${MGMT_CIDRS[$i]}" 3306 3306; done
# explicit final deny: everything not allowed above
nacl_entry "$NACL_DATA" 32000 ingress -1 deny 0.0.0.0/0
# return traffic: ephemeral 1024-65535 (Linux 32768-60999, Windows 49152-65535, NAT/ELB 1024-65535)
# return of: shop to orders : 3306/tcp - order storage - shop ops
for i in "${!APP_CIDRS[@]}"; do nacl_entry "$NACL_DATA" $((100 + i)) egress 6 allow "${APP_CIDRS[$i]}" 1024 65535; done
# return traffic: ephemeral 1024-65535 (Linux 32768-60999, Windows 49152-65535, NAT/ELB 1024-65535)
# return of: client-vpn to orders : 3306/tcp - operator administration over the client VPN - shop ops
for i in "${!MGMT_CIDRS[@]}"; do nacl_entry "$NACL_DATA" $((110 + i)) egress 6 allow "${MGMT_CIDRS[$i]}" 1024 65535; done
# explicit final deny: everything not allowed above
nacl_entry "$NACL_DATA" 32000 egress -1 deny 0.0.0.0/0
associate_nacl "$NACL_DATA" "${DATA_SUBNETS[@]}"

# stage-mgmt-nacl
if [ "${#MGMT_SUBNETS[@]}" -gt 0 ]; then
  NACL_MGMT="$(ensure_nacl stage-mgmt-nacl mgmt)"
  # return traffic: ephemeral 1024-65535 (Linux 32768-60999, Windows 49152-65535, NAT/ELB 1024-65535)
  # return of: client-vpn to orders : 3306/tcp - operator administration over the client VPN - shop ops
  for i in "${!DATA_CIDRS[@]}"; do nacl_entry "$NACL_MGMT" $((100 + i)) ingress 6 allow "${DATA_CIDRS[$i]}" 1024 65535; done
  # return traffic: ephemeral 1024-65535 (Linux 32768-60999, Windows 49152-65535, NAT/ELB 1024-65535)
  # return of: client-vpn to shop : 22/tcp - operator SSH over the client VPN - shop ops
  for i in "${!APP_CIDRS[@]}"; do nacl_entry "$NACL_MGMT" $((110 + i)) ingress 6 allow "${APP_CIDRS[$i]}" 1024 65535; done
  # explicit final deny: everything not allowed above
  nacl_entry "$NACL_MGMT" 32000 ingress -1 deny 0.0.0.0/0
  # client-vpn to orders : 3306/tcp - operator administration over the client VPN - shop ops
  for i in "${!DATA_CIDRS[@]}"; do nacl_entry "$NACL_MGMT" $((100 + i)) egress 6 allow "${DATA_CIDRS[$i]}" 3306 3306; done
  # client-vpn to shop : 22/tcp - operator SSH over the client VPN - shop ops
  for i in "${!APP_CIDRS[@]}"; do nacl_entry "$NACL_MGMT" $((110 + i)) egress 6 allow "${APP_CIDRS[$i]}" 22 22; done
  # explicit final deny: everything not allowed above
  nacl_entry "$NACL_MGMT" 32000 egress -1 deny 0.0.0.0/0
  associate_nacl "$NACL_MGMT" "${MGMT_SUBNETS[@]}"
fi

# Operator access: no SSH bastion, no port 22 or 3389 from the internet.
ACCESS_ACCOUNT="$(aws sts get-caller-identity --query Account --output text)"
case "$REGION" in
  cn-*) ACCESS_PARTITION=aws-cn ;;
  us-gov-*) ACCESS_PARTITION=aws-us-gov ;;
  *) ACCESS_PARTITION=aws ;;
esac
ACCESS_BUCKET=stage-vpn-shop-session-logs-@ACCOUNT@
ACCESS_LOG_GROUP=/aws/ssm/sessions/stage-vpn-shop
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
ACCESS_KEY_ARN="$(aws kms describe-key --region "$REGION" --key-id alias/stage-vpn-shop-access --query KeyMetadata.Arn --output text 2>/dev/null || true)"
if [ -z "$ACCESS_KEY_ARN" ] || [ "$ACCESS_KEY_ARN" = "None" ]; then
  ACCESS_KEY_ARN="$(aws kms create-key --region "$REGION" --description 'Encrypts operator session and connection logs of stage-vpn-shop' \
    --policy "$(access_fill '{"Statement":[{"Action":"kms:*","Effect":"Allow","Principal":{"AWS":"arn:@PARTITION@:iam::@ACCOUNT@:root"},"Resource":"*","Sid":"AccountAdministers"},{"Action":["kms:Encrypt*","kms:Decrypt*","kms:ReEncrypt*","kms:GenerateDataKey*","kms:Describe*"],"Condition":{"ArnLike":{"kms:EncryptionContext:aws:logs:arn":["arn:@PARTITION@:logs:@REGION@:@ACCOUNT@:log-group:/aws/client-vpn/*"]}},"Effect":"Allow","Principal":{"Service":"logs.@REGION@.amazonaws.com"},"Resource":"*","Sid":"CloudWatchLogsEncrypt"}],"Version":"2012-10-17"}')" \
    --tags TagKey=Env,TagValue=stage --query KeyMetadata.Arn --output text)"
  aws kms create-alias --region "$REGION" --alias-name alias/stage-vpn-shop-access --target-key-id "$ACCESS_KEY_ARN"
  echo "created KMS key alias/stage-vpn-shop-access: $ACCESS_KEY_ARN" >&2
else
  aws kms put-key-policy --region "$REGION" --key-id "$ACCESS_KEY_ARN" --policy-name default \
    --policy "$(access_fill '{"Statement":[{"Action":"kms:*","Effect":"Allow","Principal":{"AWS":"arn:@PARTITION@:iam::@ACCOUNT@:root"},"Resource":"*","Sid":"AccountAdministers"},{"Action":["kms:Encrypt*","kms:Decrypt*","kms:ReEncrypt*","kms:GenerateDataKey*","kms:Describe*"],"Condition":{"ArnLike":{"kms:EncryptionContext:aws:logs:arn":["arn:@PARTITION@:logs:@REGION@:@ACCOUNT@:log-group:/aws/client-vpn/*"]}},"Effect":"Allow","Principal":{"Service":"logs.@REGION@.amazonaws.com"},"Resource":"*","Sid":"CloudWatchLogsEncrypt"}],"Version":"2012-10-17"}')"
fi
aws kms enable-key-rotation --region "$REGION" --key-id "$ACCESS_KEY_ARN"

# Client VPN (tiers: app, data).
cw_log_group /aws/client-vpn/stage-vpn-shop 365 "$ACCESS_KEY_ARN"
if [ "$(aws logs describe-log-streams --region "$REGION" --log-group-name /aws/client-vpn/stage-vpn-shop --log-stream-name-prefix connections \
    --query "logStreams[?logStreamName=='connections'] | length(@)" --output text)" = "0" ]; then
  aws logs create-log-stream --region "$REGION" --log-group-name /aws/client-vpn/stage-vpn-shop --log-stream-name connections
fi
if [ -z "${CLIENT_VPN_SERVER_CERTIFICATE_ARN:-}" ] || [ -z "${CLIENT_VPN_ROOT_CERTIFICATE_ARN:-}" ]; then
  echo "apply.sh: Client VPN endpoint not created: set CLIENT_VPN_SERVER_CERTIFICATE_ARN and CLIENT_VPN_ROOT_CERTIFICATE_ARN (ACM certificates) and run again" >&2
else
  if [ -z "${APP_SUBNET_IDS:-}" ]; then
    echo "apply.sh: APP_SUBNET_IDS is not set (the subnets the Client VPN is associated with)" >&2
    exit 1
  fi
  if [ -z "${APP_SUBNET_IDS:-}" ]; then
    echo "apply.sh: APP_SUBNET_IDS is not set (the subnets operators reach over the Client VPN)" >&2
    exit 1
  fi
  if [ -z "${DATA_SUBNET_IDS:-}" ]; then
    echo "apply.sh: DATA_SUBNET_IDS is not set (the subnets operators reach over the Client VPN)" >&2
    exit 1
  fi
  VPN_ENDPOINT_ID="$(ec2 describe-client-vpn-endpoints \
    --query "ClientVpnEndpoints[?Tags[?Key=='Name' && Value=='stage-vpn-shop-client-vpn']] | [0].ClientVpnEndpointId" --output text)"
  if [ -z "$VPN_ENDPOINT_ID" ] || [ "$VPN_ENDPOINT_ID" = "None" ]; then
    VPN_INPUT='{"AuthenticationOptions":[{"MutualAuthentication":{"ClientRootCertificateChainArn":"@ROOT_CERT_ARN@"},"Type":"certificate-authentication"}],"ClientCidrBlock":"10.100.0.0/22","ClientLoginBannerOptions":{"BannerText":"Authorized operators of stage-vpn-shop only. Connections are logged.","Enabled":true},"ConnectionLogOptions":{"CloudwatchLogGroup":"/aws/client-vpn/stage-vpn-shop","CloudwatchLogStream":"connections","Enabled":true},"Description":"stage-vpn-shop-client-vpn","SecurityGroupIds":["@VPN_SG@"],"ServerCertificateArn":"@SERVER_CERT_ARN@","SessionTimeoutHours":8,"SplitTunnel":true,"TagSpecifications":[{"ResourceType":"client-vpn-endpoint","Tags":[{"Key":"Name","Value":"stage-vpn-shop-client-vpn"},{"Key":"Env","Value":"stage"}]}],"TransportProtocol":"udp","VpcId":"@VPC_ID@"}'
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
  for cidr in $(ec2 describe-subnets --subnet-ids $APP_SUBNET_IDS --query 'Subnets[].CidrBlock' --output text); do
    if [ "$(ec2 describe-client-vpn-authorization-rules --client-vpn-endpoint-id "$VPN_ENDPOINT_ID" \
        --query "AuthorizationRules[?DestinationCidr=='$cidr'] | length(@)" --output text)" = "0" ]; then
      ec2 authorize-client-vpn-ingress --cli-input-json \
        "{\"ClientVpnEndpointId\":\"$VPN_ENDPOINT_ID\",\"TargetNetworkCidr\":\"$cidr\",\"AuthorizeAllGroups\":true,\"Description\":\"Operators to the app tier\"}" >/dev/null
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
