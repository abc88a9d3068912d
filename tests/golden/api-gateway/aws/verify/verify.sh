#!/usr/bin/env bash
# Verification of shop-api-gateway (prod): the live state of one VPC checked against the profile.
# Inputs: VPC_ID (required); AWS_REGION (default: the profile's region);
# VERIFY_REQUIRE_ATTACHED=1 makes a group attached to nothing a failure (default: a warning).
# AWS_ENDPOINT_URL, AWS_PROFILE and the other aws CLI settings apply as usual.
# Output: one line per check: PASS <check>, FAIL <check>: <found>, WARN <check>: <found>,
# or ERROR <check>: <why it could not run>. Needs bash 4.4 or later.
# Exit status: 0 every check passed, 1 a check failed, 2 a check could not run.
set -uo pipefail

if [ -z "${VPC_ID:-}" ]; then
  echo "verify.sh: VPC_ID is not set; export VPC_ID=vpc-... (the VPC to check)" >&2
  exit 2
fi
if ! [[ "$VPC_ID" =~ ^vpc-[0-9A-Za-z]+$ ]]; then
  echo "verify.sh: VPC_ID='$VPC_ID' does not look like a VPC id (vpc-...)" >&2
  exit 2
fi
if ! command -v aws >/dev/null 2>&1; then
  echo "verify.sh: the aws CLI is not installed (not on PATH): no check can run" >&2
  exit 2
fi
export AWS_PAGER=""

FAILED=0
BROKEN=0
ERR_FILE="$(mktemp "${TMPDIR:-/tmp}/verify.XXXXXX")" || {
  echo "verify.sh: cannot create a temporary file" >&2
  exit 2
}
trap 'rm -f "$ERR_FILE"' EXIT

pass() { printf 'PASS %s\n' "$1"; }
fail() { printf 'FAIL %s: %s\n' "$1" "$2"; FAILED=1; }
warn() { printf 'WARN %s: %s\n' "$1" "$2"; }
broken() { printf 'ERROR %s: %s\n' "$1" "$2"; BROKEN=1; }

# q SERVICE ARGS...: one aws call with text output; its error message stays in $ERR_FILE.
q() {
  local service="$1"
  shift
  aws "$service" --region "$REGION" --output text "$@" 2>"$ERR_FILE"
}

# The last aws error on one line.
aws_error() {
  local msg
  msg="$(tr -s '\r\n\t' '   ' <"$ERR_FILE")"
  printf '%s' "${msg:0:400}"
}

# join_by SEPARATOR WORDS...
join_by() {
  local sep="$1" out="" x
  shift
  for x in "$@"; do
    out+="${out:+$sep}$x"
  done
  printf '%s' "$out"
}

# The words of aws text output (tabs, spaces and lines), one per line; `None` dropped.
words() {
  tr -s '\t ' '\n\n' <<<"$1" | while IFS= read -r w; do
    if [ -n "$w" ] && [ "$w" != None ]; then printf '%s\n' "$w"; fi
  done
}

is_internet() { [ "$1" = "0.0.0.0/0" ] || [ "$1" = "::/0" ]; }

dir_word() {
  if [ "$1" = IN ]; then printf ingress; else printf egress; fi
}

# rule_text GROUP DIRECTION PROTOCOL FROM TO PEER: one rule in words.
rule_text() {
  local ports way
  case "$3" in
    -1) ports="all traffic" ;;
    icmp | icmpv6) if [ "$4" = -1 ]; then ports="$3"; else ports="$3 type $4 code $5"; fi ;;
    *) if [ "$4" = "$5" ]; then ports="$3 $4"; else ports="$3 $4-$5"; fi ;;
  esac
  if [ "$2" = ingress ]; then way=from; else way=to; fi
  printf '%s %s %s %s %s' "$1" "$2" "$ports" "$way" "$6"
}

# Lines of tab-separated rules (as expected_rules prints them), in words, joined by "; ".
rules_text() {
  local g d p f t peer out=()
  while IFS=$'\t' read -r g d p f t peer; do
    [ -n "$g" ] && out+=("$(rule_text "$g" "$d" "$p" "$f" "$t" "$peer")")
  done <<<"$1"
  join_by "; " "${out[@]}"
}

REGION="${AWS_REGION:-}"
if [ -z "$REGION" ]; then
  REGION=us-east-1
fi

# ---- expected state, from the profile ----
# Management and database ports never open to the internet: port:name.
SENSITIVE_PORTS=(
  22:SSH
  3389:RDP
  3306:MySQL
  5432:PostgreSQL
  1433:MSSQL
  6379:Redis
  27017:MongoDB
  9200:Elasticsearch
  11211:Memcached
  5601:Kibana
  9042:Cassandra
  2379:etcd
  8500:Consul
)
# The security groups of the profile (with the VPC link's and the egress proxy's).
EXPECTED_GROUPS=(
  prod-public-alb-sg
  prod-app-ecs-sg
  prod-mgmt-endpoints-sg
  prod-data-rds-sg
  prod-data-redis-sg
  prod-public-apigw-link-sg
)
# Their rules: group, direction, protocol, from, to, peer (group name or CIDR).
expected_rules() {
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' \
    prod-app-ecs-sg egress tcp 443 443 13.55.0.0/16 \
    prod-app-ecs-sg egress tcp 443 443 prod-mgmt-endpoints-sg \
    prod-app-ecs-sg egress tcp 5432 5432 prod-data-rds-sg \
    prod-app-ecs-sg egress tcp 6379 6379 prod-data-redis-sg \
    prod-app-ecs-sg ingress tcp 8080 8080 prod-public-alb-sg \
    prod-data-rds-sg ingress tcp 5432 5432 prod-app-ecs-sg \
    prod-data-redis-sg ingress tcp 6379 6379 prod-app-ecs-sg \
    prod-mgmt-endpoints-sg ingress tcp 443 443 prod-app-ecs-sg \
    prod-public-alb-sg egress tcp 8080 8080 prod-app-ecs-sg \
    prod-public-alb-sg ingress tcp 443 443 prod-public-apigw-link-sg \
    prod-public-apigw-link-sg egress tcp 443 443 prod-public-alb-sg
}
# Groups whose instances must be online in SSM (empty: every running instance of the VPC).
SSM_GROUPS=()
# Private endpoints: service (com.amazonaws.<region>.<service>) and type.
EXPECTED_ENDPOINTS=(
  'ec2messages Interface'
  'ssm Interface'
  'ssmmessages Interface'
  'ecr.api Interface'
  'ecr.dkr Interface'
  's3 Gateway'
  'kms Interface'
  'logs Interface'
  'secretsmanager Interface'
  'sts Interface'
)
ENDPOINT_GROUP=prod-mgmt-endpoints-sg
ENDPOINT_PRIVATE_DNS=true
# Flow logs: traffic type and destination.
FLOW_LOG_TRAFFIC=ALL
FLOW_LOG_DESTINATION=cloud-watch-logs

# ---- live state: every security group of the VPC and its rules, in one call ----
if ! q ec2 describe-vpcs --vpc-ids "$VPC_ID" --query 'Vpcs[].VpcId' >/dev/null; then
  echo "verify.sh: cannot read VPC $VPC_ID in $REGION: $(aws_error)" >&2
  exit 2
fi

# One `SG id name` line per group, then one `IN|EG protocol from to peers undescribed-peers`
# line per permission (peers: CIDRs, group ids and prefix lists, space-separated; `-`: none).
PERM='{a: IpProtocol, b: FromPort || `"-"`, c: ToPort || `"-"`, d: join(`" "`, [IpRanges[].CidrIp, Ipv6Ranges[].CidrIpv6, UserIdGroupPairs[].GroupId, PrefixListIds[].PrefixListId][]) || `"-"`, e: join(`" "`, [IpRanges[?!Description].CidrIp, Ipv6Ranges[?!Description].CidrIpv6, UserIdGroupPairs[?!Description].GroupId, PrefixListIds[?!Description].PrefixListId][]) || `"-"`}'
SG_QUERY="{SG: SecurityGroups[].{a: GroupId, b: GroupName, EG: IpPermissionsEgress[].$PERM || \`[]\`, IN: IpPermissions[].$PERM || \`[]\`}}"

declare -A SG_NAME=() SG_ID=() PL_NAME=()
# Prefix lists by id, so that rules referencing one compare by its name.
if PL_DUMP="$(q ec2 describe-managed-prefix-lists --query 'PrefixLists[].[PrefixListId, PrefixListName]' 2>/dev/null)"; then
  while IFS=$'\t' read -r pl_id pl_name; do
    [ -n "$pl_id" ] && PL_NAME["$pl_id"]="$pl_name"
  done <<<"$PL_DUMP"
fi
RULES=()
SG_ERROR=""
if SG_DUMP="$(q ec2 describe-security-groups --filters "Name=vpc-id,Values=${SG_VPC_IDS:-$VPC_ID}" --query "$SG_QUERY")"; then
  current=""
  while IFS=$'\t' read -r kind a b c d e; do
    case "$kind" in
      SG)
        current="$a"
        SG_NAME["$a"]="$b"
        SG_ID["$b"]="$a"
        ;;
      IN | EG)
        case "$a" in
          6) a=tcp ;;
          17) a=udp ;;
          1) a=icmp ;;
          58) a=icmpv6 ;;
        esac
        if [ "$a" = "-1" ] || [ "$b" = "-" ] || [ "$c" = "-" ]; then
          b=-1
          c=-1
        fi
        RULES+=("$current"$'\t'"$kind"$'\t'"$a"$'\t'"$b"$'\t'"$c"$'\t'"$d"$'\t'"$e")
        ;;
    esac
  done <<<"$SG_DUMP"
else
  SG_ERROR="describe-security-groups: $(aws_error)"
fi

# The groups of the profile that exist: id -> 1.
declare -A GEN=()
GEN_IDS=()
for name in "${EXPECTED_GROUPS[@]}"; do
  if [ -n "${SG_ID[$name]:-}" ]; then
    GEN["${SG_ID[$name]}"]=1
    GEN_IDS+=("${SG_ID[$name]}")
  fi
done

declare -A EXPECTED=()
while IFS= read -r line; do
  if [ -n "$line" ]; then EXPECTED["$line"]=1; fi
done < <(expected_rules)

# The rules of the profile's groups as expected_rules prints them (peer groups by name).
actual_rules() {
  local rule gid kind proto from to peers undescribed peer list
  for rule in "${RULES[@]}"; do
    IFS=$'\t' read -r gid kind proto from to peers undescribed <<<"$rule"
    [ -n "${GEN[$gid]:-}" ] || continue
    read -ra list <<<"$peers"
    for peer in "${list[@]}"; do
      [ "$peer" = "-" ] && continue
      if [ -n "${SG_NAME[$peer]:-}" ]; then peer="${SG_NAME[$peer]}"; fi
      if [ -n "${PL_NAME[$peer]:-}" ]; then peer="prefix-list:${PL_NAME[$peer]}"; fi
      printf '%s\t%s\t%s\t%s\t%s\t%s\n' "${SG_NAME[$gid]}" "$(dir_word "$kind")" "$proto" "$from" "$to" "$peer"
    done
  done
}

# ---- checks -------------------------------------------------------------------

# no-internet-sensitive-port and no-internet-all-traffic: every group of the VPC.
check_internet() {
  if [ -n "$SG_ERROR" ]; then
    broken no-internet-sensitive-port "$SG_ERROR"
    broken no-internet-all-traffic "$SG_ERROR"
    return
  fi
  local sensitive=() all=() rule gid kind proto from to peers undescribed peer list entry port hits label
  for rule in "${RULES[@]}"; do
    IFS=$'\t' read -r gid kind proto from to peers undescribed <<<"$rule"
    [ "$kind" = IN ] || continue
    read -ra list <<<"$peers"
    for peer in "${list[@]}"; do
      is_internet "$peer" || continue
      label="$(rule_text "${SG_NAME[$gid]} ($gid)" ingress "$proto" "$from" "$to" "$peer")"
      if [ "$proto" = "-1" ]; then
        sensitive+=("$label opens every port")
        all+=("$label")
        continue
      fi
      case "$proto" in
        tcp | udp) ;;
        *) continue ;;
      esac
      hits=()
      for entry in "${SENSITIVE_PORTS[@]}"; do
        port="${entry%%:*}"
        if [ "$from" -le "$port" ] && [ "$to" -ge "$port" ]; then hits+=("$port ${entry#*:}"); fi
      done
      if [ "${#hits[@]}" -gt 0 ]; then sensitive+=("$label opens $(join_by ", " "${hits[@]}")"); fi
      if [ "$from" -le 1 ] && [ "$to" -ge 65535 ]; then all+=("$label"); fi
    done
  done
  if [ "${#sensitive[@]}" -eq 0 ]; then
    pass no-internet-sensitive-port
  else
    fail no-internet-sensitive-port "$(join_by "; " "${sensitive[@]}")"
  fi
  if [ "${#all[@]}" -eq 0 ]; then
    pass no-internet-all-traffic
  else
    fail no-internet-all-traffic "$(join_by "; " "${all[@]}")"
  fi
}

check_groups_present() {
  if [ -n "$SG_ERROR" ]; then
    broken groups-present "$SG_ERROR"
    return
  fi
  local missing=() name
  for name in "${EXPECTED_GROUPS[@]}"; do
    if [ -z "${SG_ID[$name]:-}" ]; then missing+=("$name"); fi
  done
  if [ "${#missing[@]}" -eq 0 ]; then
    pass groups-present
  else
    fail groups-present "missing in $VPC_ID: $(join_by ", " "${missing[@]}")"
  fi
}

check_default_egress() {
  if [ -n "$SG_ERROR" ]; then
    broken default-egress-revoked "$SG_ERROR"
    return
  fi
  local found=() rule gid kind proto from to peers undescribed peer list
  for rule in "${RULES[@]}"; do
    IFS=$'\t' read -r gid kind proto from to peers undescribed <<<"$rule"
    [ -n "${GEN[$gid]:-}" ] && [ "$kind" = EG ] && [ "$proto" = "-1" ] || continue
    read -ra list <<<"$peers"
    for peer in "${list[@]}"; do
      is_internet "$peer" || continue
      [ -n "${EXPECTED[${SG_NAME[$gid]}$'\t'egress$'\t'-1$'\t'-1$'\t'-1$'\t'$peer]:-}" ] && continue
      found+=("${SG_NAME[$gid]} ($gid) allows all egress to $peer")
    done
  done
  if [ "${#found[@]}" -eq 0 ]; then
    pass default-egress-revoked
  else
    fail default-egress-revoked "$(join_by "; " "${found[@]}")"
  fi
}

check_described() {
  if [ -n "$SG_ERROR" ]; then
    broken rules-described "$SG_ERROR"
    return
  fi
  local found=() rule gid kind proto from to peers undescribed peer list
  for rule in "${RULES[@]}"; do
    IFS=$'\t' read -r gid kind proto from to peers undescribed <<<"$rule"
    [ -n "${GEN[$gid]:-}" ] && [ "$undescribed" != "-" ] || continue
    read -ra list <<<"$undescribed"
    for peer in "${list[@]}"; do
      if [ -n "${SG_NAME[$peer]:-}" ]; then peer="${SG_NAME[$peer]}"; fi
      found+=("$(rule_text "${SG_NAME[$gid]}" "$(dir_word "$kind")" "$proto" "$from" "$to" "$peer")")
    done
  done
  if [ "${#found[@]}" -eq 0 ]; then
    pass rules-described
  else
    fail rules-described "no description on: $(join_by "; " "${found[@]}")"
  fi
}

check_match() {
  if [ -n "$SG_ERROR" ]; then
    broken rules-match-policy "$SG_ERROR"
    return
  fi
  local want have extra missing detail=()
  want="$(expected_rules | LC_ALL=C sort -u)"
  have="$(actual_rules | LC_ALL=C sort -u)"
  extra="$(LC_ALL=C comm -13 <(printf '%s\n' "$want") <(printf '%s\n' "$have"))"
  missing="$(LC_ALL=C comm -23 <(printf '%s\n' "$want") <(printf '%s\n' "$have"))"
  extra="$(rules_text "$extra")"
  missing="$(rules_text "$missing")"
  if [ -n "$extra" ]; then detail+=("extra: $extra"); fi
  if [ -n "$missing" ]; then detail+=("missing: $missing"); fi
  if [ "${#detail[@]}" -eq 0 ]; then
    pass rules-match-policy
  else
    fail rules-match-policy "$(join_by " | " "${detail[@]}")"
  fi
}

check_attached() {
  local strict=0 out id unattached=()
  if [ "${VERIFY_REQUIRE_ATTACHED:-0}" = 1 ]; then strict=1; fi
  if [ -n "$SG_ERROR" ]; then
    broken groups-attached "$SG_ERROR"
    return
  fi
  if [ "${#GEN_IDS[@]}" -eq 0 ]; then
    out="none of the groups exists"
  else
    if ! out="$(q ec2 describe-network-interfaces --filters "Name=group-id,Values=$(join_by , "${GEN_IDS[@]}")" \
      --query 'NetworkInterfaces[].Groups[].GroupId')"; then
      broken groups-attached "describe-network-interfaces: $(aws_error)"
      return
    fi
    declare -A used=()
    while IFS= read -r id; do used["$id"]=1; done < <(words "$out")
    for id in "${GEN_IDS[@]}"; do
      if [ -z "${used[$id]:-}" ]; then unattached+=("${SG_NAME[$id]} ($id)"); fi
    done
    if [ "${#unattached[@]}" -eq 0 ]; then
      pass groups-attached
      return
    fi
    out="attached to no network interface: $(join_by ", " "${unattached[@]}")"
  fi
  if [ "$strict" = 1 ]; then
    fail groups-attached "$out"
  else
    warn groups-attached "$out (a warning until workloads run; VERIFY_REQUIRE_ATTACHED=1 makes it a failure)"
  fi
}

# ssm-coverage: running instances in scope, all reachable through SSM Session Manager.
check_ssm() {
  local filters=("Name=vpc-id,Values=$VPC_ID" "Name=instance-state-name,Values=running") out managed_out id ids=()
  if [ "${#SSM_GROUPS[@]}" -gt 0 ]; then
    if [ -n "$SG_ERROR" ]; then
      broken ssm-coverage "$SG_ERROR"
      return
    fi
    local name scope=()
    for name in "${SSM_GROUPS[@]}"; do
      if [ -n "${SG_ID[$name]:-}" ]; then scope+=("${SG_ID[$name]}"); fi
    done
    if [ "${#scope[@]}" -eq 0 ]; then
      pass ssm-coverage
      return
    fi
    filters+=("Name=instance.group-id,Values=$(join_by , "${scope[@]}")")
  fi
  if ! out="$(q ec2 describe-instances --filters "${filters[@]}" --query 'Reservations[].Instances[].InstanceId')"; then
    broken ssm-coverage "describe-instances: $(aws_error)"
    return
  fi
  while IFS= read -r id; do ids+=("$id"); done < <(words "$out")
  if [ "${#ids[@]}" -eq 0 ]; then
    pass ssm-coverage
    return
  fi
  if ! managed_out="$(q ssm describe-instance-information \
    --query 'InstanceInformationList[?PingStatus==`"Online"`].InstanceId')"; then
    broken ssm-coverage "ssm describe-instance-information: $(aws_error)"
    return
  fi
  declare -A managed=()
  local uncovered=()
  while IFS= read -r id; do managed["$id"]=1; done < <(words "$managed_out")
  for id in "${ids[@]}"; do
    if [ -z "${managed[$id]:-}" ]; then uncovered+=("$id"); fi
  done
  if [ "${#uncovered[@]}" -eq 0 ]; then
    pass ssm-coverage
  else
    fail ssm-coverage "running but not online in SSM (no agent, no instance role or no path to the ssm endpoints): $(join_by ", " "${uncovered[@]}")"
  fi
}

# endpoints-present: each expected service has an available endpoint of the right type;
# interface endpoints with private DNS (off with shared hub zones), behind the endpoint group.
check_endpoints() {
  local out want svc type problems=() name etype state dns groups issues best
  if ! out="$(q ec2 describe-vpc-endpoints --filters "Name=vpc-id,Values=$VPC_ID" \
    --query 'VpcEndpoints[].[ServiceName, VpcEndpointType, State, PrivateDnsEnabled || `false`, join(`" "`, Groups[].GroupId) || `"-"`]')"; then
    broken endpoints-present "describe-vpc-endpoints: $(aws_error)"
    return
  fi
  local group_id=""
  if [ -n "$ENDPOINT_GROUP" ]; then group_id="${SG_ID[$ENDPOINT_GROUP]:-}"; fi
  for want in "${EXPECTED_ENDPOINTS[@]}"; do
    svc="com.amazonaws.$REGION.${want%% *}"
    type="${want#* }"
    best="missing"
    while IFS=$'\t' read -r name etype state dns groups; do
      [ "$name" = "$svc" ] || continue
      issues=()
      if [ "${etype,,}" != "${type,,}" ]; then issues+=("$etype endpoint, expected $type"); fi
      if [ "${state,,}" != available ]; then issues+=("state $state"); fi
      if [ "$type" = Interface ]; then
        if [ "${dns,,}" != "${ENDPOINT_PRIVATE_DNS:-true}" ]; then
          if [ "${ENDPOINT_PRIVATE_DNS:-true}" = true ]; then issues+=("private DNS off"); else issues+=("private DNS on (the shared private hosted zone must answer)"); fi
        fi
        if [ -n "$group_id" ] && [[ " $groups " != *" $group_id "* ]]; then
          issues+=("not behind $ENDPOINT_GROUP")
        fi
      fi
      if [ "${#issues[@]}" -eq 0 ]; then
        best=""
        break
      fi
      best="$(join_by ", " "${issues[@]}")"
    done <<<"$out"
    if [ -n "$best" ]; then problems+=("$svc: $best"); fi
  done
  if [ "${#problems[@]}" -eq 0 ]; then
    pass endpoints-present
  else
    fail endpoints-present "$(join_by "; " "${problems[@]}")"
  fi
}

# flow-logs-on: an active flow log on the VPC recording the expected traffic.
check_flow_logs() {
  local out traffic dest status seen=()
  if ! out="$(q ec2 describe-flow-logs --filter "Name=resource-id,Values=$VPC_ID" \
    --query 'FlowLogs[].[TrafficType, LogDestinationType || `"cloud-watch-logs"`, FlowLogStatus]')"; then
    broken flow-logs-on "describe-flow-logs: $(aws_error)"
    return
  fi
  while IFS=$'\t' read -r traffic dest status; do
    [ -n "$traffic" ] || continue
    if [ "$status" = ACTIVE ] && [ "$dest" = "$FLOW_LOG_DESTINATION" ] \
      && { [ "$traffic" = "$FLOW_LOG_TRAFFIC" ] || [ "$traffic" = ALL ]; }; then
      pass flow-logs-on
      return
    fi
    seen+=("$traffic to $dest ($status)")
  done <<<"$out"
  if [ "${#seen[@]}" -eq 0 ]; then seen=("none"); fi
  fail flow-logs-on "no active flow log of $FLOW_LOG_TRAFFIC traffic to $FLOW_LOG_DESTINATION on $VPC_ID (found: $(join_by ", " "${seen[@]}"))"
}

# ---- run ----
check_internet
check_groups_present
check_default_egress
check_described
check_match
check_attached
check_ssm
check_endpoints
check_flow_logs

if [ "$FAILED" -ne 0 ]; then
  exit 1
fi
if [ "$BROKEN" -ne 0 ]; then
  exit 2
fi
exit 0
