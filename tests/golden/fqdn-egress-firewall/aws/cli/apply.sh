#!/usr/bin/env bash
# Network-security controls of payments (prod) as aws CLI commands.
# Inputs (environment; ids space-separated):
#   VPC_ID: the VPC (required)
#   AWS_REGION: the region (default: the profile's)
#   PUBLIC_SUBNET_IDS: public-tier subnets
#   APP_SUBNET_IDS: app-tier subnets
#   DATA_SUBNET_IDS: data-tier subnets
#   MGMT_SUBNET_IDS: mgmt-tier subnets (optional: without them no mgmt NACL)
#   PRIVATE_ROUTE_TABLE_IDS: private route tables (gateway endpoints)
#   FIREWALL_SUBNET_IDS: one dedicated egress-firewall subnet per AZ
#   NAT_GATEWAY_IDS: NAT gateways (one per AZ, or one for all)
#   HOME_NET_CIDRS: extra CIDRs the egress firewall inspects (optional)
#   FIREWALL_WAIT_SECONDS: how long to wait for the firewall endpoints (optional)
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
  REGION=eu-west-1
fi

# Security groups (one per workload group).
SG_ALB="$(ensure_group prod-public-alb-sg 'alb (load balancer) in the public tier' \
  '{"Name":"group-name","Values":["prod-public-alb-sg"]}' \
  '[{"ResourceType":"security-group","Tags":[{"Key":"Name","Value":"prod-public-alb-sg"},{"Key":"Env","Value":"prod"},{"Key":"Tier","Value":"public"},{"Key":"Role","Value":"alb"}]}]')"
SG_API="$(ensure_group prod-app-api-sg 'api (containers) in the app tier' \
  '{"Name":"group-name","Values":["prod-app-api-sg"]}' \
  '[{"ResourceType":"security-group","Tags":[{"Key":"Name","Value":"prod-app-api-sg"},{"Key":"Env","Value":"prod"},{"Key":"Tier","Value":"app"},{"Key":"Role","Value":"api"}]}]')"
SG_ENDPOINTS="$(ensure_group prod-mgmt-endpoints-sg 'private endpoints of the cloud services the workloads use' \
  '{"Name":"group-name","Values":["prod-mgmt-endpoints-sg"]}' \
  '[{"ResourceType":"security-group","Tags":[{"Key":"Name","Value":"prod-mgmt-endpoints-sg"},{"Key":"Env","Value":"prod"},{"Key":"Tier","Value":"mgmt"},{"Key":"Role","Value":"endpoints"}]}]')"
SG_WORKER="$(ensure_group prod-app-worker-sg 'worker (containers) in the app tier' \
  '{"Name":"group-name","Values":["prod-app-worker-sg"]}' \
  '[{"ResourceType":"security-group","Tags":[{"Key":"Name","Value":"prod-app-worker-sg"},{"Key":"Env","Value":"prod"},{"Key":"Tier","Value":"app"},{"Key":"Role","Value":"worker"}]}]')"

# New groups allow all egress; egress is only what the rules below allow.
revoke_egress "$SG_ALB" '[{"IpProtocol":"-1","IpRanges":[{"CidrIp":"0.0.0.0/0"}]}]'
revoke_egress "$SG_ALB" '[{"IpProtocol":"-1","Ipv6Ranges":[{"CidrIpv6":"::/0"}]}]'
revoke_egress "$SG_API" '[{"IpProtocol":"-1","IpRanges":[{"CidrIp":"0.0.0.0/0"}]}]'
revoke_egress "$SG_API" '[{"IpProtocol":"-1","Ipv6Ranges":[{"CidrIpv6":"::/0"}]}]'
revoke_egress "$SG_ENDPOINTS" '[{"IpProtocol":"-1","IpRanges":[{"CidrIp":"0.0.0.0/0"}]}]'
revoke_egress "$SG_ENDPOINTS" '[{"IpProtocol":"-1","Ipv6Ranges":[{"CidrIpv6":"::/0"}]}]'
revoke_egress "$SG_WORKER" '[{"IpProtocol":"-1","IpRanges":[{"CidrIp":"0.0.0.0/0"}]}]'
revoke_egress "$SG_WORKER" '[{"IpProtocol":"-1","Ipv6Ranges":[{"CidrIpv6":"::/0"}]}]'

# prod-public-alb-sg ingress
authorize ingress "$SG_ALB" '[{"FromPort":443,"IpProtocol":"tcp","IpRanges":[{"CidrIp":"0.0.0.0/0","Description":"internet to alb : 443/tcp - public API traffic - payments team"}],"ToPort":443}]'
authorize ingress "$SG_ALB" '[{"FromPort":443,"IpProtocol":"tcp","Ipv6Ranges":[{"CidrIpv6":"::/0","Description":"internet to alb : 443/tcp - public API traffic - payments team"}],"ToPort":443}]'

# prod-public-alb-sg egress
authorize egress "$SG_ALB" '[{"FromPort":8443,"IpProtocol":"tcp","ToPort":8443,"UserIdGroupPairs":[{"Description":"alb to api : 8443/tcp - request forward - payments team","GroupId":"'"$SG_API"'"}]}]'

# prod-app-api-sg ingress
authorize ingress "$SG_API" '[{"FromPort":8443,"IpProtocol":"tcp","ToPort":8443,"UserIdGroupPairs":[{"Description":"alb to api : 8443/tcp - request forward - payments team","GroupId":"'"$SG_ALB"'"}]}]'

# prod-app-api-sg egress
authorize egress "$SG_API" '[{"FromPort":443,"IpProtocol":"tcp","ToPort":443,"UserIdGroupPairs":[{"Description":"api to endpoints : 443/tcp - private endpoint access: aws:ec2messages, aws:logs, aws:ssm, aws:ssmmessages, container-registry, gcp:storage, kms, object-storage, queue, secrets - payments team","GroupId":"'"$SG_ENDPOINTS"'"}]}]'

# prod-mgmt-endpoints-sg ingress
authorize ingress "$SG_ENDPOINTS" '[{"FromPort":443,"IpProtocol":"tcp","ToPort":443,"UserIdGroupPairs":[{"Description":"api to endpoints : 443/tcp - private endpoint access: aws:ec2messages, aws:logs, aws:ssm, aws:ssmmessages, container-registry, gcp:storage, kms, object-storage, queue, secrets - payments team","GroupId":"'"$SG_API"'"}]}]'
authorize ingress "$SG_ENDPOINTS" '[{"FromPort":443,"IpProtocol":"tcp","ToPort":443,"UserIdGroupPairs":[{"Description":"worker to endpoints : 443/tcp - private endpoint access: aws:ec2messages, aws:logs, aws:ssm, aws:ssmmessages, container-registry, gcp:storage, kms, object-storage, queue, secrets - payments team","GroupId":"'"$SG_WORKER"'"}]}]'

# prod-app-worker-sg egress
authorize egress "$SG_WORKER" '[{"FromPort":443,"IpProtocol":"tcp","ToPort":443,"UserIdGroupPairs":[{"Description":"worker to endpoints : 443/tcp - private endpoint access: aws:ec2messages, aws:logs, aws:ssm, aws:ssmmessages, container-registry, gcp:storage, kms, object-storage, queue, secrets - payments team","GroupId":"'"$SG_ENDPOINTS"'"}]}]'

echo
printf '%-48s %s\n' 'SECURITY GROUP' 'ID'
printf '%-48s %s\n' prod-public-alb-sg "$SG_ALB"
printf '%-48s %s\n' prod-app-api-sg "$SG_API"
printf '%-48s %s\n' prod-mgmt-endpoints-sg "$SG_ENDPOINTS"
printf '%-48s %s\n' prod-app-worker-sg "$SG_WORKER"

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

# prod-mgmt-nacl (mgmt tier)
if [ -z "${MGMT_SUBNET_IDS:-}" ]; then
  echo "apply.sh: MGMT_SUBNET_IDS is not set: prod-mgmt-nacl is not created, and no entry toward the mgmt subnets" >&2
fi
read -r -a MGMT_SUBNETS <<< "${MGMT_SUBNET_IDS:-}"
read -r -a MGMT_CIDRS <<< "$(subnet_cidrs "${MGMT_SUBNETS[@]}" | tr '\n' ' ')"

# prod-public-nacl
NACL_PUBLIC="$(ensure_nacl prod-public-nacl public)"
# internet to alb : 443/tcp - public API traffic - payments team
nacl_entry "$NACL_PUBLIC" 100 ingress 6 allow 0.0.0.0/0 443 443
# internet to alb : 443/tcp - public API traffic - payments team
nacl_entry "$NACL_PUBLIC" 110 ingress 6 allow ::/0 443 443
# return traffic: ephemeral 1024-65535 (Linux 32768-60999, Windows 49152-65535, NAT/ELB 1024-65535)
# return of: alb to api : 8443/tcp - request forward - payments team
for i in "${!APP_CIDRS[@]}"; do nacl_entry "$NACL_PUBLIC" $((120 + i)) ingress 6 allow "${APP_CIDRS[$i]}" 1024 65535; done
# NAT transit of: worker to .githubusercontent.com, api.stripe.com : 443/tcp - card payments and release downloads - payments team (host names filtered by the egress firewall or proxy)
# NAT transit of: api to .example.com : 443/tcp - partner API - payments team (host names filtered by the egress firewall or proxy)
for i in "${!APP_CIDRS[@]}"; do nacl_entry "$NACL_PUBLIC" $((130 + i)) ingress 6 allow "${APP_CIDRS[$i]}" 443 443; done
# return traffic: ephemeral 1024-65535 (Linux 32768-60999, Windows 49152-65535, NAT/ELB 1024-65535)
# return of: NAT transit of: worker to .githubusercontent.com, api.stripe.com : 443/tcp - card payments and release downloads - payments team (host names filtered by the egress firewall or proxy)
# return of: NAT transit of: api to .example.com : 443/tcp - partner API - payments team (host names filtered by the egress firewall or proxy)
nacl_entry "$NACL_PUBLIC" 140 ingress 6 allow 0.0.0.0/0 1024 65535
# explicit final deny: everything not allowed above
nacl_entry "$NACL_PUBLIC" 32000 ingress -1 deny 0.0.0.0/0
# explicit final deny: everything not allowed above
nacl_entry "$NACL_PUBLIC" 32010 ingress -1 deny ::/0
# return traffic: ephemeral 1024-65535 (Linux 32768-60999, Windows 49152-65535, NAT/ELB 1024-65535)
# return of: internet to alb : 443/tcp - public API traffic - payments team
nacl_entry "$NACL_PUBLIC" 100 egress 6 allow 0.0.0.0/0 1024 65535
# return traffic: ephemeral 1024-65535 (Linux 32768-60999, Windows 49152-65535, NAT/ELB 1024-65535)
# return of: internet to alb : 443/tcp - public API traffic - payments team
nacl_entry "$NACL_PUBLIC" 110 egress 6 allow ::/0 1024 65535
# alb to api : 8443/tcp - request forward - payments team
for i in "${!APP_CIDRS[@]}"; do nacl_entry "$NACL_PUBLIC" $((120 + i)) egress 6 allow "${APP_CIDRS[$i]}" 8443 8443; done
# return traffic: ephemeral 1024-65535 (Linux 32768-60999, Windows 49152-65535, NAT/ELB 1024-65535)
# return of: NAT transit of: worker to .githubusercontent.com, api.stripe.com : 443/tcp - card payments and release downloads - payments team (host names filtered by the egress firewall or proxy)
# return of: NAT transit of: api to .example.com : 443/tcp - partner API - payments team (host names filtered by the egress firewall or proxy)
for i in "${!APP_CIDRS[@]}"; do nacl_entry "$NACL_PUBLIC" $((130 + i)) egress 6 allow "${APP_CIDRS[$i]}" 1024 65535; done
# NAT transit of: worker to .githubusercontent.com, api.stripe.com : 443/tcp - card payments and release downloads - payments team (host names filtered by the egress firewall or proxy)
# NAT transit of: api to .example.com : 443/tcp - partner API - payments team (host names filtered by the egress firewall or proxy)
nacl_entry "$NACL_PUBLIC" 140 egress 6 allow 0.0.0.0/0 443 443
# explicit final deny: everything not allowed above
nacl_entry "$NACL_PUBLIC" 32000 egress -1 deny 0.0.0.0/0
# explicit final deny: everything not allowed above
nacl_entry "$NACL_PUBLIC" 32010 egress -1 deny ::/0
associate_nacl "$NACL_PUBLIC" "${PUBLIC_SUBNETS[@]}"

# prod-app-nacl
NACL_APP="$(ensure_nacl prod-app-nacl app)"
# alb to api : 8443/tcp - request forward - payments team
for i in "${!PUBLIC_CIDRS[@]}"; do nacl_entry "$NACL_APP" $((100 + i)) ingress 6 allow "${PUBLIC_CIDRS[$i]}" 8443 8443; done
# return traffic: ephemeral 1024-65535 (Linux 32768-60999, Windows 49152-65535, NAT/ELB 1024-65535)
# return of: api to endpoints : 443/tcp - private endpoint access: aws:ec2messages, aws:logs, aws:ssm, aws:ssmmessages, container-registry, gcp:storage, kms, object-storage, queue, secrets - payments team
# return of: worker to endpoints : 443/tcp - private endpoint access: aws:ec2messages, aws:logs, aws:ssm, aws:ssmmessages, container-registry, gcp:storage, kms, object-storage, queue, secrets - payments team
for i in "${!MGMT_CIDRS[@]}"; do nacl_entry "$NACL_APP" $((110 + i)) ingress 6 allow "${MGMT_CIDRS[$i]}" 1024 65535; done
# return traffic: ephemeral 1024-65535 (Linux 32768-60999, Windows 49152-65535, NAT/ELB 1024-65535)
# return of: worker to .githubusercontent.com, api.stripe.com : 443/tcp - card payments and release downloads - payments team (host names filtered by the egress firewall or proxy)
# return of: api to .example.com : 443/tcp - partner API - payments team (host names filtered by the egress firewall or proxy)
nacl_entry "$NACL_APP" 120 ingress 6 allow 0.0.0.0/0 1024 65535
# explicit final deny: everything not allowed above
nacl_entry "$NACL_APP" 32000 ingress -1 deny 0.0.0.0/0
# return traffic: ephemeral 1024-65535 (Linux 32768-60999, Windows 49152-65535, NAT/ELB 1024-65535)
# return of: alb to api : 8443/tcp - request forward - payments team
for i in "${!PUBLIC_CIDRS[@]}"; do nacl_entry "$NACL_APP" $((100 + i)) egress 6 allow "${PUBLIC_CIDRS[$i]}" 1024 65535; done
# api to endpoints : 443/tcp - private endpoint access: aws:ec2messages, aws:logs, aws:ssm, aws:ssmmessages, container-registry, gcp:storage, kms, object-storage, queue, secrets - payments team
# worker to endpoints : 443/tcp - private endpoint access: aws:ec2messages, aws:logs, aws:ssm, aws:ssmmessages, container-registry, gcp:storage, kms, object-storage, queue, secrets - payments team
for i in "${!MGMT_CIDRS[@]}"; do nacl_entry "$NACL_APP" $((110 + i)) egress 6 allow "${MGMT_CIDRS[$i]}" 443 443; done
# worker to .githubusercontent.com, api.stripe.com : 443/tcp - card payments and release downloads - payments team (host names filtered by the egress firewall or proxy)
# api to .example.com : 443/tcp - partner API - payments team (host names filtered by the egress firewall or proxy)
nacl_entry "$NACL_APP" 120 egress 6 allow 0.0.0.0/0 443 443
# explicit final deny: everything not allowed above
nacl_entry "$NACL_APP" 32000 egress -1 deny 0.0.0.0/0
associate_nacl "$NACL_APP" "${APP_SUBNETS[@]}"

# prod-mgmt-nacl
if [ "${#MGMT_SUBNETS[@]}" -gt 0 ]; then
  NACL_MGMT="$(ensure_nacl prod-mgmt-nacl mgmt)"
  # api to endpoints : 443/tcp - private endpoint access: aws:ec2messages, aws:logs, aws:ssm, aws:ssmmessages, container-registry, gcp:storage, kms, object-storage, queue, secrets - payments team
  # worker to endpoints : 443/tcp - private endpoint access: aws:ec2messages, aws:logs, aws:ssm, aws:ssmmessages, container-registry, gcp:storage, kms, object-storage, queue, secrets - payments team
  for i in "${!APP_CIDRS[@]}"; do nacl_entry "$NACL_MGMT" $((100 + i)) ingress 6 allow "${APP_CIDRS[$i]}" 443 443; done
  # explicit final deny: everything not allowed above
  nacl_entry "$NACL_MGMT" 32000 ingress -1 deny 0.0.0.0/0
  # return traffic: ephemeral 1024-65535 (Linux 32768-60999, Windows 49152-65535, NAT/ELB 1024-65535)
  # return of: api to endpoints : 443/tcp - private endpoint access: aws:ec2messages, aws:logs, aws:ssm, aws:ssmmessages, container-registry, gcp:storage, kms, object-storage, queue, secrets - payments team
  # return of: worker to endpoints : 443/tcp - private endpoint access: aws:ec2messages, aws:logs, aws:ssm, aws:ssmmessages, container-registry, gcp:storage, kms, object-storage, queue, secrets - payments team
  for i in "${!APP_CIDRS[@]}"; do nacl_entry "$NACL_MGMT" $((100 + i)) egress 6 allow "${APP_CIDRS[$i]}" 1024 65535; done
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
ACCESS_BUCKET=prod-payments-session-logs-@ACCOUNT@
ACCESS_LOG_GROUP=/aws/ssm/sessions/prod-payments
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
ACCESS_KEY_ARN="$(aws kms describe-key --region "$REGION" --key-id alias/prod-payments-access --query KeyMetadata.Arn --output text 2>/dev/null || true)"
if [ -z "$ACCESS_KEY_ARN" ] || [ "$ACCESS_KEY_ARN" = "None" ]; then
  ACCESS_KEY_ARN="$(aws kms create-key --region "$REGION" --description 'Encrypts operator session and connection logs of prod-payments' \
    --policy "$(access_fill '{"Statement":[{"Action":"kms:*","Effect":"Allow","Principal":{"AWS":"arn:@PARTITION@:iam::@ACCOUNT@:root"},"Resource":"*","Sid":"AccountAdministers"},{"Action":["kms:Encrypt*","kms:Decrypt*","kms:ReEncrypt*","kms:GenerateDataKey*","kms:Describe*"],"Condition":{"ArnLike":{"kms:EncryptionContext:aws:logs:arn":["arn:@PARTITION@:logs:@REGION@:@ACCOUNT@:log-group:/aws/ssm/sessions/*"]}},"Effect":"Allow","Principal":{"Service":"logs.@REGION@.amazonaws.com"},"Resource":"*","Sid":"CloudWatchLogsEncrypt"}],"Version":"2012-10-17"}')" \
    --tags TagKey=Env,TagValue=prod --query KeyMetadata.Arn --output text)"
  aws kms create-alias --region "$REGION" --alias-name alias/prod-payments-access --target-key-id "$ACCESS_KEY_ARN"
  echo "created KMS key alias/prod-payments-access: $ACCESS_KEY_ARN" >&2
else
  aws kms put-key-policy --region "$REGION" --key-id "$ACCESS_KEY_ARN" --policy-name default \
    --policy "$(access_fill '{"Statement":[{"Action":"kms:*","Effect":"Allow","Principal":{"AWS":"arn:@PARTITION@:iam::@ACCOUNT@:root"},"Resource":"*","Sid":"AccountAdministers"},{"Action":["kms:Encrypt*","kms:Decrypt*","kms:ReEncrypt*","kms:GenerateDataKey*","kms:Describe*"],"Condition":{"ArnLike":{"kms:EncryptionContext:aws:logs:arn":["arn:@PARTITION@:logs:@REGION@:@ACCOUNT@:log-group:/aws/ssm/sessions/*"]}},"Effect":"Allow","Principal":{"Service":"logs.@REGION@.amazonaws.com"},"Resource":"*","Sid":"CloudWatchLogsEncrypt"}],"Version":"2012-10-17"}')"
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
  '{"Rules":[{"AbortIncompleteMultipartUpload":{"DaysAfterInitiation":7},"Expiration":{"Days":365},"Filter":{},"ID":"expire-session-logs","NoncurrentVersionExpiration":{"NoncurrentDays":30},"Status":"Enabled"}]}'
aws s3api put-bucket-policy --region "$REGION" --bucket "$ACCESS_BUCKET" --policy "$(access_fill '{"Statement":[{"Action":"s3:*","Condition":{"Bool":{"aws:SecureTransport":"false"}},"Effect":"Deny","Principal":"*","Resource":["arn:@PARTITION@:s3:::@BUCKET@","arn:@PARTITION@:s3:::@BUCKET@/*"],"Sid":"DenyInsecureTransport"}],"Version":"2012-10-17"}')"

# Session log group, encrypted with the key (365 days kept).
cw_log_group "$ACCESS_LOG_GROUP" 365 "$ACCESS_KEY_ARN"

# Instance role and profile: AmazonSSMManagedInstanceCore plus writing session logs.
if ! aws iam get-role --role-name prod-payments-ssm-instance >/dev/null 2>&1; then
  aws iam create-role --role-name prod-payments-ssm-instance --description 'Instances reachable through Session Manager' \
    --assume-role-policy-document '{"Statement":[{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Sid":"Ec2AssumeRole"}],"Version":"2012-10-17"}' --tags Key=Env,Value=prod >/dev/null
  echo "created role prod-payments-ssm-instance" >&2
fi
aws iam attach-role-policy --role-name prod-payments-ssm-instance --policy-arn "arn:$ACCESS_PARTITION:iam::aws:policy/AmazonSSMManagedInstanceCore"
aws iam put-role-policy --role-name prod-payments-ssm-instance --policy-name session-logging --policy-document "$(access_fill '{"Statement":[{"Action":"s3:PutObject","Effect":"Allow","Resource":"arn:@PARTITION@:s3:::@BUCKET@/*","Sid":"SessionLogsToS3"},{"Action":"s3:GetEncryptionConfiguration","Effect":"Allow","Resource":"arn:@PARTITION@:s3:::@BUCKET@","Sid":"SessionLogBucketEncryption"},{"Action":["logs:CreateLogStream","logs:PutLogEvents","logs:DescribeLogStreams"],"Effect":"Allow","Resource":"arn:@PARTITION@:logs:@REGION@:@ACCOUNT@:log-group:@LOG_GROUP@:*","Sid":"SessionLogsToCloudWatch"},{"Action":"logs:DescribeLogGroups","Effect":"Allow","Resource":"*","Sid":"DescribeLogGroups"},{"Action":["kms:Decrypt","kms:GenerateDataKey"],"Effect":"Allow","Resource":"@KEY_ARN@","Sid":"SessionEncryption"}],"Version":"2012-10-17"}')"
if ! aws iam get-instance-profile --instance-profile-name prod-payments-ssm-instance >/dev/null 2>&1; then
  aws iam create-instance-profile --instance-profile-name prod-payments-ssm-instance >/dev/null
fi
if [ "$(aws iam get-instance-profile --instance-profile-name prod-payments-ssm-instance --query "length(InstanceProfile.Roles[?RoleName=='prod-payments-ssm-instance'])" --output text)" = "0" ]; then
  aws iam add-role-to-instance-profile --instance-profile-name prod-payments-ssm-instance --role-name prod-payments-ssm-instance
fi

# Operator policy: sessions on this environment's instances, approved documents, own sessions.
ACCESS_OPERATOR_POLICY="arn:$ACCESS_PARTITION:iam::$ACCESS_ACCOUNT:policy/prod-payments-ssm-operators"
ACCESS_OPERATOR_DOC="$(access_fill '{"Statement":[{"Action":"ssm:StartSession","Condition":{"StringEquals":{"ssm:resourceTag/Env":"prod"}},"Effect":"Allow","Resource":"arn:@PARTITION@:ec2:@REGION@:@ACCOUNT@:instance/*","Sid":"StartSessionOnEnvInstances"},{"Action":"ssm:StartSession","Condition":{"BoolIfExists":{"ssm:SessionDocumentAccessCheck":"true"}},"Effect":"Allow","Resource":["arn:@PARTITION@:ssm:@REGION@::document/AWS-StartPortForwardingSession","arn:@PARTITION@:ssm:@REGION@::document/AWS-StartPortForwardingSessionToRemoteHost","arn:@PARTITION@:ssm:@REGION@:@ACCOUNT@:document/SSM-SessionManagerRunShell"],"Sid":"StartSessionWithApprovedDocuments"},{"Action":["ssm:TerminateSession","ssm:ResumeSession"],"Effect":"Allow","Resource":"arn:@PARTITION@:ssm:*:@ACCOUNT@:session/${aws:username}-*","Sid":"OwnSessionsOnly"},{"Action":"kms:GenerateDataKey","Effect":"Allow","Resource":"@KEY_ARN@","Sid":"SessionEncryption"},{"Action":"ssm:GetConnectionStatus","Effect":"Allow","Resource":["arn:@PARTITION@:ec2:@REGION@:@ACCOUNT@:instance/*","arn:@PARTITION@:ssm:@REGION@:@ACCOUNT@:managed-instance/*"],"Sid":"ConnectionStatusOfInstances"},{"Action":["ssm:DescribeSessions","ssm:DescribeInstanceInformation","ssm:DescribeInstanceProperties","ec2:DescribeInstances"],"Effect":"Allow","Resource":"*","Sid":"DescribeTargets"}],"Version":"2012-10-17"}')"
if aws iam get-policy --policy-arn "$ACCESS_OPERATOR_POLICY" >/dev/null 2>&1; then
  for v in $(aws iam list-policy-versions --policy-arn "$ACCESS_OPERATOR_POLICY" \
      --query 'Versions[?!IsDefaultVersion].VersionId' --output text); do
    aws iam delete-policy-version --policy-arn "$ACCESS_OPERATOR_POLICY" --version-id "$v"
  done
  aws iam create-policy-version --policy-arn "$ACCESS_OPERATOR_POLICY" --policy-document "$ACCESS_OPERATOR_DOC" \
    --set-as-default >/dev/null
else
  aws iam create-policy --policy-name prod-payments-ssm-operators --description 'Session Manager sessions on instances tagged Env=prod only; own sessions only' \
    --policy-document "$ACCESS_OPERATOR_DOC" >/dev/null
  echo "created policy prod-payments-ssm-operators" >&2
fi

# Session preferences. A document created earlier in the console exists under the same
# name: it is updated in place (DocumentAlreadyExists otherwise).
ACCESS_SESSION_DOC="$(access_fill '{"description":"Session Manager preferences: encrypted, logged sessions with an idle timeout","inputs":{"cloudWatchEncryptionEnabled":true,"cloudWatchLogGroupName":"@LOG_GROUP@","cloudWatchStreamingEnabled":true,"idleSessionTimeout":"20","kmsKeyId":"@KEY_ARN@","runAsDefaultUser":"","runAsEnabled":false,"s3BucketName":"@BUCKET@","s3EncryptionEnabled":true,"s3KeyPrefix":"sessions/","shellProfile":{"linux":"","windows":""}},"schemaVersion":"1.0","sessionType":"Standard_Stream"}')"
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

# VPC endpoints: AWS services reached without the internet.
: "${PRIVATE_ROUTE_TABLE_IDS:?apply.sh: set PRIVATE_ROUTE_TABLE_IDS to the private route tables (space-separated rtb-...) for the gateway endpoints}"
read -r -a private_route_tables <<< "$PRIVATE_ROUTE_TABLE_IDS"
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
ensure_endpoint "com.amazonaws.$REGION".ecr.api prod-ecr-api-vpce '' \
  --vpc-endpoint-type Interface --subnet-ids "${app_subnets[@]}" --security-group-ids "$SG_ENDPOINTS" --private-dns-enabled
ensure_endpoint "com.amazonaws.$REGION".ecr.dkr prod-ecr-dkr-vpce '' \
  --vpc-endpoint-type Interface --subnet-ids "${app_subnets[@]}" --security-group-ids "$SG_ENDPOINTS" --private-dns-enabled
ensure_endpoint "com.amazonaws.$REGION".kms prod-kms-vpce '{"Statement":[{"Action":["kms:Decrypt","kms:GenerateDataKey"],"Effect":"Allow","Principal":"*","Resource":"*"}],"Version":"2012-10-17"}' \
  --vpc-endpoint-type Interface --subnet-ids "${app_subnets[@]}" --security-group-ids "$SG_ENDPOINTS" --private-dns-enabled
ensure_endpoint "com.amazonaws.$REGION".logs prod-logs-vpce '' \
  --vpc-endpoint-type Interface --subnet-ids "${app_subnets[@]}" --security-group-ids "$SG_ENDPOINTS" --private-dns-enabled
ensure_endpoint "com.amazonaws.$REGION".s3 prod-s3-vpce '{"Statement":[{"Action":["s3:GetObject","s3:PutObject","s3:ListBucket"],"Effect":"Allow","Principal":"*","Resource":["arn:aws:s3:::payments-raw","arn:aws:s3:::payments-raw/*","arn:aws:s3:::payments-curated","arn:aws:s3:::payments-curated/*"]},{"Action":["s3:GetObject"],"Effect":"Allow","Principal":"*","Resource":["arn:aws:s3:::prod-'"$REGION"'-starport-layer-bucket/*"],"Sid":"EcrImageLayers"}],"Version":"2012-10-17"}' \
  --vpc-endpoint-type Gateway --route-table-ids "${private_route_tables[@]}"
ensure_endpoint "com.amazonaws.$REGION".secretsmanager prod-secretsmanager-vpce '' \
  --vpc-endpoint-type Interface --subnet-ids "${app_subnets[@]}" --security-group-ids "$SG_ENDPOINTS" --private-dns-enabled
ensure_endpoint "com.amazonaws.$REGION".sqs prod-sqs-vpce '{"Statement":[{"Action":["sqs:SendMessage"],"Effect":"Allow","Principal":"*","Resource":["arn:aws:sqs:'"$REGION"':*:payments-events"]}],"Version":"2012-10-17"}' \
  --vpc-endpoint-type Interface --subnet-ids "${app_subnets[@]}" --security-group-ids "$SG_ENDPOINTS" --private-dns-enabled
ensure_endpoint "com.amazonaws.$REGION".ssm prod-ssm-vpce '' \
  --vpc-endpoint-type Interface --subnet-ids "${app_subnets[@]}" --security-group-ids "$SG_ENDPOINTS" --private-dns-enabled
ensure_endpoint "com.amazonaws.$REGION".ssmmessages prod-ssmmessages-vpce '' \
  --vpc-endpoint-type Interface --subnet-ids "${app_subnets[@]}" --security-group-ids "$SG_ENDPOINTS" --private-dns-enabled

# Host-name egress: the workloads' ports towards the internet; the Network Firewall
# (terraform/egress.tf) on the private route tables' default route narrows them to the allow-list.
authorize egress "$SG_WORKER" '[{"FromPort":443,"IpProtocol":"tcp","IpRanges":[{"CidrIp":"0.0.0.0/0","Description":"worker to .githubusercontent.com, api.stripe.com : 443/tcp - card payments and release downloads - payments team"}],"ToPort":443}]'
authorize egress "$SG_API" '[{"FromPort":443,"IpProtocol":"tcp","IpRanges":[{"CidrIp":"0.0.0.0/0","Description":"api to .example.com : 443/tcp - partner API - payments team"}],"ToPort":443}]'

# Egress firewall (AWS Network Firewall): the host-name allow-list on the app subnets' way out.
# Path: app subnets -> firewall endpoint (same AZ) -> NAT gateway -> internet gateway; the
# NAT gateways' subnets send the replies to the app subnets back through the firewall.
# Inputs (space-separated ids): FIREWALL_SUBNET_IDS (one dedicated subnet per AZ),
# APP_SUBNET_IDS, NAT_GATEWAY_IDS (one per AZ, or a single one for all); optional:
# DATA_SUBNET_IDS (checked to keep no internet route), HOME_NET_CIDRS (spoke CIDRs inspected
# besides the VPC's own), FIREWALL_WAIT_SECONDS (how long to wait for the endpoints, 900).
for fw_var in FIREWALL_SUBNET_IDS APP_SUBNET_IDS NAT_GATEWAY_IDS; do
  if [ -z "${!fw_var:-}" ]; then
    echo "apply.sh: $fw_var is not set; the egress firewall needs it (space-separated ids: FIREWALL_SUBNET_IDS=subnet-... one per AZ, APP_SUBNET_IDS=subnet-..., NAT_GATEWAY_IDS=nat-...)" >&2
    exit 1
  fi
done
for fw_cidr in ${HOME_NET_CIDRS:-}; do
  if ! [[ "$fw_cidr" =~ ^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+/[0-9]+$ ]]; then
    echo "apply.sh: HOME_NET_CIDRS holds '$fw_cidr', which is not an IPv4 CIDR" >&2
    exit 1
  fi
done

nfw() {
  aws network-firewall --region "$REGION" "$@"
}

# subnet_field SUBNET_ID FIELD: one field of a subnet (AvailabilityZone, CidrBlock).
subnet_field() {
  ec2 describe-subnets --subnet-ids "$1" --query "Subnets[0].$2" --output text
}

# subnet_route_table SUBNET_ID: the route table associated with the subnet, or nothing.
subnet_route_table() {
  local rt
  rt="$(ec2 describe-route-tables --filters "Name=association.subnet-id,Values=$1" \
    --query 'RouteTables[0].RouteTableId' --output text)" || return 1
  case "$rt" in
    rtb-*) printf '%s\n' "$rt" ;;
  esac
}

# own_route_table SUBNET_ID WHAT: the subnet's own route table; the VPC's main route table is refused.
own_route_table() {
  local rt
  rt="$(subnet_route_table "$1")" || return 1
  if [ -z "$rt" ]; then
    echo "apply.sh: $2 subnet $1 uses the VPC's main route table; associate it with a route table of its own first" >&2
    return 1
  fi
  printf '%s\n' "$rt"
}

# ensure_route ROUTE_TABLE CIDR TARGET_OPTION TARGET_ID: the route to CIDR goes to TARGET_ID
# (created, or replaced when it goes elsewhere).
ensure_route() {
  local current
  current="$(ec2 describe-route-tables --route-table-ids "$1" \
    --query "RouteTables[0].Routes[?DestinationCidrBlock=='$2'] | [0].[GatewayId, NatGatewayId]" --output text)" || return 1
  case "$current" in
    *"$4"*) echo "route $2 in $1 goes to $4" >&2 ;;
    ""|None) ec2 create-route --route-table-id "$1" --destination-cidr-block "$2" "$3" "$4" >/dev/null
      echo "route $2 in $1 created to $4" >&2 ;;
    *) ec2 replace-route --route-table-id "$1" --destination-cidr-block "$2" "$3" "$4" >/dev/null
      echo "route $2 in $1 now goes to $4 (was: $current)" >&2 ;;
  esac
}

# fw_fill TEXT: TEXT with the account, region, VPC and the ids found so far.
fw_fill() {
  local t="$1"
  t="${t//@ACCOUNT@/$FW_ACCOUNT}"
  t="${t//@REGION@/$REGION}"
  t="${t//@VPC_ID@/$VPC_ID}"
  t="${t//@KEY_ARN@/${FW_KEY_ARN:-}}"
  t="${t//@HOME_NET@/${FW_HOME_NET:-}}"
  t="${t//@RULE_GROUP_ARN@/${FW_RULE_GROUP_ARN:-}}"
  t="${t//@POLICY_ARN@/${FW_POLICY_ARN:-}}"
  t="${t//@SUBNET_MAPPINGS@/${FW_SUBNET_MAPPINGS:-}}"
  t="${t//@TOKEN@/${FW_TOKEN:-}}"
  printf '%s' "$t"
}

# not_found OUTPUT: whether an error output says the resource does not exist.
not_found() {
  case "$1" in
    *ResourceNotFound*) return 0 ;;
    *) printf '%s\n' "$1" >&2; return 1 ;;
  esac
}
FW_NAME=prod-payments-egress-firewall
FW_RULE_GROUP=prod-payments-egress-fqdn-allowlist
FW_POLICY=prod-payments-egress-policy
FW_KEY_ALIAS=alias/prod-payments-egress-firewall
FW_LOG_GROUP=/prod-payments/network-firewall/egress
FW_RETENTION_DAYS=120
FW_KEY_POLICY='{"Statement":[{"Action":"kms:*","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::@ACCOUNT@:root"},"Resource":"*","Sid":"AccountAdministers"},{"Action":["kms:Encrypt*","kms:Decrypt*","kms:ReEncrypt*","kms:GenerateDataKey*","kms:Describe*"],"Effect":"Allow","Principal":{"Service":"logs.@REGION@.amazonaws.com"},"Resource":"*","Sid":"CloudWatchLogsEncrypts"}],"Version":"2012-10-17"}'
FW_CREATE_RULE_GROUP='{"Capacity":100,"Description":"Host names the workloads may reach (TLS SNI and HTTP Host); other TLS and HTTP is dropped.","EncryptionConfiguration":{"KeyId":"@KEY_ARN@","Type":"CUSTOMER_KMS"},"RuleGroup":{"RuleVariables":{"IPSets":{"HOME_NET":{"Definition":[@HOME_NET@]}}},"RulesSource":{"RulesSourceList":{"GeneratedRulesType":"ALLOWLIST","TargetTypes":["TLS_SNI","HTTP_HOST"],"Targets":[".example.com",".githubusercontent.com","api.stripe.com"]}}},"RuleGroupName":"prod-payments-egress-fqdn-allowlist","Tags":[{"Key":"Name","Value":"prod-payments-egress-fqdn-allowlist"},{"Key":"Env","Value":"prod"}],"Type":"STATEFUL"}'
FW_UPDATE_RULE_GROUP='{"Description":"Host names the workloads may reach (TLS SNI and HTTP Host); other TLS and HTTP is dropped.","EncryptionConfiguration":{"KeyId":"@KEY_ARN@","Type":"CUSTOMER_KMS"},"RuleGroup":{"RuleVariables":{"IPSets":{"HOME_NET":{"Definition":[@HOME_NET@]}}},"RulesSource":{"RulesSourceList":{"GeneratedRulesType":"ALLOWLIST","TargetTypes":["TLS_SNI","HTTP_HOST"],"Targets":[".example.com",".githubusercontent.com","api.stripe.com"]}}},"RuleGroupName":"prod-payments-egress-fqdn-allowlist","Type":"STATEFUL","UpdateToken":"@TOKEN@"}'
FW_CREATE_POLICY='{"EncryptionConfiguration":{"KeyId":"@KEY_ARN@","Type":"CUSTOMER_KMS"},"FirewallPolicy":{"StatefulRuleGroupReferences":[{"ResourceArn":"@RULE_GROUP_ARN@"}],"StatelessDefaultActions":["aws:forward_to_sfe"],"StatelessFragmentDefaultActions":["aws:forward_to_sfe"]},"FirewallPolicyName":"prod-payments-egress-policy","Tags":[{"Key":"Name","Value":"prod-payments-egress-policy"},{"Key":"Env","Value":"prod"}]}'
FW_CREATE_FIREWALL='{"DeleteProtection":true,"Description":"Egress filter: host-name allow-list on the app subnets'\'' way to the internet","EncryptionConfiguration":{"KeyId":"@KEY_ARN@","Type":"CUSTOMER_KMS"},"FirewallName":"prod-payments-egress-firewall","FirewallPolicyArn":"@POLICY_ARN@","FirewallPolicyChangeProtection":true,"SubnetChangeProtection":true,"SubnetMappings":[@SUBNET_MAPPINGS@],"Tags":[{"Key":"Name","Value":"prod-payments-egress-firewall"},{"Key":"Env","Value":"prod"}],"VpcId":"@VPC_ID@"}'
FW_LOGGING_ALERT='{"FirewallName":"prod-payments-egress-firewall","LoggingConfiguration":{"LogDestinationConfigs":[{"LogDestination":{"logGroup":"/prod-payments/network-firewall/egress"},"LogDestinationType":"CloudWatchLogs","LogType":"ALERT"}]}}'
FW_LOGGING_BOTH='{"FirewallName":"prod-payments-egress-firewall","LoggingConfiguration":{"LogDestinationConfigs":[{"LogDestination":{"logGroup":"/prod-payments/network-firewall/egress"},"LogDestinationType":"CloudWatchLogs","LogType":"ALERT"},{"LogDestination":{"logGroup":"/prod-payments/network-firewall/egress"},"LogDestinationType":"CloudWatchLogs","LogType":"FLOW"}]}}'
FW_ACCOUNT="$(aws sts get-caller-identity --query Account --output text)"

# Where everything is: the AZ of each firewall subnet, NAT gateway and app subnet.
declare -A fw_subnet_of=() fw_nat_of=() fw_app_rt_az=()
read -r -a fw_subnets <<< "$FIREWALL_SUBNET_IDS"
for subnet in "${fw_subnets[@]}"; do
  az="$(subnet_field "$subnet" AvailabilityZone)"
  if [ -n "${fw_subnet_of[$az]:-}" ]; then
    echo "apply.sh: FIREWALL_SUBNET_IDS has two subnets in $az (${fw_subnet_of[$az]} and $subnet); give one per AZ" >&2
    exit 1
  fi
  fw_subnet_of[$az]="$subnet"
done
read -r -a fw_nats <<< "$NAT_GATEWAY_IDS"
declare -a fw_nat_route_tables=()
for nat in "${fw_nats[@]}"; do
  nat_subnet="$(ec2 describe-nat-gateways --nat-gateway-ids "$nat" --query 'NatGateways[0].SubnetId' --output text)"
  az="$(subnet_field "$nat_subnet" AvailabilityZone)"
  fw_nat_of[$az]="$nat"
  rt="$(own_route_table "$nat_subnet" "NAT gateway $nat's")"
  case " ${fw_nat_route_tables[*]} " in *" $rt "*) ;; *) fw_nat_route_tables+=("$rt") ;; esac
done
read -r -a fw_app_subnets <<< "$APP_SUBNET_IDS"
declare -a fw_app_cidrs=() fw_app_azs=() fw_app_rts=()
for subnet in "${fw_app_subnets[@]}"; do
  az="$(subnet_field "$subnet" AvailabilityZone)"
  if [ -z "${fw_subnet_of[$az]:-}" ]; then
    echo "apply.sh: app subnet $subnet is in $az, where FIREWALL_SUBNET_IDS has no firewall subnet" >&2
    exit 1
  fi
  rt="$(own_route_table "$subnet" app)"
  if [ -n "${fw_app_rt_az[$rt]:-}" ] && [ "${fw_app_rt_az[$rt]}" != "$az" ]; then
    echo "apply.sh: route table $rt serves app subnets in ${fw_app_rt_az[$rt]} and $az; each AZ needs its own (its default route goes to that AZ's firewall endpoint)" >&2
    exit 1
  fi
  fw_app_rt_az[$rt]="$az"
  fw_app_cidrs+=("$(subnet_field "$subnet" CidrBlock)")
  fw_app_azs+=("$az")
done
# Only the data tier keeps no internet route: it must not share a route table with the app tier.
for subnet in ${DATA_SUBNET_IDS:-}; do
  rt="$(subnet_route_table "$subnet")"
  if [ -n "$rt" ] && [ -n "${fw_app_rt_az[$rt]:-}" ]; then
    echo "apply.sh: data subnet $subnet shares route table $rt with the app tier; the data tier keeps no internet route, give it a route table of its own" >&2
    exit 1
  fi
done
FW_HOME_NET=""
for cidr in $(ec2 describe-vpcs --vpc-ids "$VPC_ID" \
    --query 'Vpcs[0].CidrBlockAssociationSet[?CidrBlockState.State==`associated`].CidrBlock' --output text) ${HOME_NET_CIDRS:-}; do
  case ",$FW_HOME_NET," in *",\"$cidr\","*) ;; *) FW_HOME_NET="${FW_HOME_NET:+$FW_HOME_NET,}\"$cidr\"" ;; esac
done
FW_SUBNET_MAPPINGS=""
for subnet in "${fw_subnets[@]}"; do
  FW_SUBNET_MAPPINGS="${FW_SUBNET_MAPPINGS:+$FW_SUBNET_MAPPINGS,}{\"SubnetId\":\"$subnet\"}"
done

# KMS key of the firewall and its logs (rotation on).
FW_KEY_ARN="$(aws kms --region "$REGION" describe-key --key-id "$FW_KEY_ALIAS" --query KeyMetadata.Arn --output text 2>/dev/null || true)"
case "$FW_KEY_ARN" in
  arn:*) aws kms --region "$REGION" put-key-policy --key-id "$FW_KEY_ARN" --policy-name default --policy "$(fw_fill "$FW_KEY_POLICY")" ;;
  *)
    FW_KEY_ARN="$(aws kms --region "$REGION" create-key --description 'Encrypts the egress firewall and its logs' \
      --policy "$(fw_fill "$FW_KEY_POLICY")" --query KeyMetadata.Arn --output text)"
    aws kms --region "$REGION" create-alias --alias-name "$FW_KEY_ALIAS" --target-key-id "$FW_KEY_ARN"
    echo "created KMS key $FW_KEY_ALIAS: $FW_KEY_ARN" >&2
    ;;
esac
aws kms --region "$REGION" enable-key-rotation --key-id "$FW_KEY_ARN"

# Log group of the ALERT and FLOW records, encrypted with the key.
cw_log_group "$FW_LOG_GROUP" "$FW_RETENTION_DAYS" "$FW_KEY_ARN"

# Rule group: created once (its capacity is fixed), its allow-list brought up to date after.
if FW_TOKEN="$(nfw describe-rule-group --rule-group-name "$FW_RULE_GROUP" --type STATEFUL --query UpdateToken --output text 2>&1)"; then
  FW_RULE_GROUP_ARN="$(nfw update-rule-group --cli-input-json "$(fw_fill "$FW_UPDATE_RULE_GROUP")" \
    --query RuleGroupResponse.RuleGroupArn --output text)"
  echo "updated rule group $FW_RULE_GROUP" >&2
else
  not_found "$FW_TOKEN" || exit 1
  FW_RULE_GROUP_ARN="$(nfw create-rule-group --cli-input-json "$(fw_fill "$FW_CREATE_RULE_GROUP")" \
    --query RuleGroupResponse.RuleGroupArn --output text)"
  echo "created rule group $FW_RULE_GROUP: $FW_RULE_GROUP_ARN" >&2
fi

# Firewall policy: every packet to the stateful engine, which applies the rule group.
if ! FW_POLICY_ARN="$(nfw describe-firewall-policy --firewall-policy-name "$FW_POLICY" \
    --query FirewallPolicyResponse.FirewallPolicyArn --output text 2>&1)"; then
  not_found "$FW_POLICY_ARN" || exit 1
  FW_POLICY_ARN="$(nfw create-firewall-policy --cli-input-json "$(fw_fill "$FW_CREATE_POLICY")" \
    --query FirewallPolicyResponse.FirewallPolicyArn --output text)"
  echo "created firewall policy $FW_POLICY: $FW_POLICY_ARN" >&2
fi

# Firewall: one endpoint in each firewall subnet.
if ! FW_ARN="$(nfw describe-firewall --firewall-name "$FW_NAME" --query Firewall.FirewallArn --output text 2>&1)"; then
  not_found "$FW_ARN" || exit 1
  FW_ARN="$(nfw create-firewall --cli-input-json "$(fw_fill "$FW_CREATE_FIREWALL")" --query Firewall.FirewallArn --output text)"
  echo "created firewall $FW_NAME: $FW_ARN" >&2
fi

# Logging: ALERT (dropped connections) and FLOW records; the API takes one change per call.
fw_logs="$(nfw describe-logging-configuration --firewall-name "$FW_NAME" \
  --query 'LoggingConfiguration.LogDestinationConfigs[].LogType' --output text)"
case "$fw_logs" in
  *ALERT*FLOW*|*FLOW*ALERT*) ;;
  *ALERT*|*FLOW*) nfw update-logging-configuration --cli-input-json "$(fw_fill "$FW_LOGGING_BOTH")" >/dev/null ;;
  *)
    nfw update-logging-configuration --cli-input-json "$(fw_fill "$FW_LOGGING_ALERT")" >/dev/null
    nfw update-logging-configuration --cli-input-json "$(fw_fill "$FW_LOGGING_BOTH")" >/dev/null
    ;;
esac

# The firewall endpoint of each AZ (they appear once the firewall is provisioned).
declare -A fw_endpoint_of=()
fw_deadline=$((SECONDS + ${FIREWALL_WAIT_SECONDS:-900}))
while :; do
  missing=""
  for az in "${!fw_subnet_of[@]}"; do
    ep="$(nfw describe-firewall --firewall-name "$FW_NAME" \
      --query "FirewallStatus.SyncStates.\"$az\".Attachment.EndpointId" --output text)"
    case "$ep" in
      vpce-*) fw_endpoint_of[$az]="$ep" ;;
      *) missing="$missing $az" ;;
    esac
  done
  [ -z "$missing" ] && break
  if [ "$SECONDS" -ge "$fw_deadline" ]; then
    echo "apply.sh: the firewall has no endpoint yet in:$missing; run apply.sh again once it is provisioned" >&2
    exit 1
  fi
  sleep 15
done

# Firewall subnets -> NAT gateway of their AZ (or the only one).
for az in "${!fw_subnet_of[@]}"; do
  nat="${fw_nat_of[$az]:-}"
  if [ -z "$nat" ]; then
    if [ "${#fw_nats[@]}" -ne 1 ]; then
      echo "apply.sh: NAT_GATEWAY_IDS has no NAT gateway in $az" >&2
      exit 1
    fi
    nat="${fw_nats[0]}"
  fi
  rt="$(subnet_route_table "${fw_subnet_of[$az]}")"
  if [ -z "$rt" ]; then
    rt="$(ec2 create-route-table --vpc-id "$VPC_ID" --query RouteTable.RouteTableId --output text \
      --tag-specifications "ResourceType=route-table,Tags=[{Key=Name,Value=$FW_NAME-$az}]")"
    ec2 associate-route-table --route-table-id "$rt" --subnet-id "${fw_subnet_of[$az]}" >/dev/null
    echo "created route table $rt of firewall subnet ${fw_subnet_of[$az]}" >&2
  fi
  ensure_route "$rt" 0.0.0.0/0 --nat-gateway-id "$nat"
done
# Replies: NAT gateways' subnets -> each app subnet through the endpoint of its AZ.
for rt in "${fw_nat_route_tables[@]}"; do
  for i in "${!fw_app_cidrs[@]}"; do
    ensure_route "$rt" "${fw_app_cidrs[$i]}" --vpc-endpoint-id "${fw_endpoint_of[${fw_app_azs[$i]}]}"
  done
done
# Last, the app subnets' way out: 0.0.0.0/0 to the endpoint of their AZ.
for rt in "${!fw_app_rt_az[@]}"; do
  ensure_route "$rt" 0.0.0.0/0 --vpc-endpoint-id "${fw_endpoint_of[${fw_app_rt_az[$rt]}]}"
done
