#!/usr/bin/env bash
# Retires the SSH bastion of billing (prod) once Session Manager reaches every instance.
# Inputs: VPC_ID (required); AWS_REGION (default: the profile's region);
# DRY_RUN=1 (default) only prints; DRY_RUN=0 revokes.
# 1. Refuses to continue while a running instance of the VPC is not managed by SSM.
# 2. Revokes every ingress rule that opens 22/tcp or 3389/tcp (or all traffic) to
#    0.0.0.0/0 or ::/0 on the groups of the VPC, exactly those ranges and nothing else.
# 3. Prints what it did. Decommissioning the bastion host and releasing its Elastic IP
#    stay manual (see the report's checklist).
set -euo pipefail
shopt -s inherit_errexit

if [ -z "${VPC_ID:-}" ] || ! [[ "$VPC_ID" =~ ^vpc-[0-9A-Za-z]+$ ]]; then
  echo "migrate-bastion.sh: set VPC_ID=vpc-... (the VPC whose bastion is retired)" >&2
  exit 1
fi
command -v aws >/dev/null 2>&1 || { echo "migrate-bastion.sh: the aws CLI is not installed" >&2; exit 1; }
command -v python3 >/dev/null 2>&1 || { echo "migrate-bastion.sh: python3 is needed to read the rules" >&2; exit 1; }
REGION="${AWS_REGION:-us-east-1}"
DRY_RUN="${DRY_RUN:-1}"

# 1. Coverage: running instances of the VPC against the instances SSM manages.
running="$(aws ec2 describe-instances --region "$REGION" \
  --filters "Name=vpc-id,Values=$VPC_ID" "Name=instance-state-name,Values=running" \
  --query 'Reservations[].Instances[].InstanceId' --output text | tr '\t' '\n' | sed '/^$/d' | sort -u)"
managed="$(aws ssm describe-instance-information --region "$REGION" \
  --query 'InstanceInformationList[].InstanceId' --output text | tr '\t' '\n' | sed '/^$/d' | sort -u)"
missing="$(comm -23 <(printf '%s\n' "$running" | sed '/^$/d') <(printf '%s\n' "$managed" | sed '/^$/d'))"
echo "running instances: $(printf '%s\n' "$running" | sed '/^$/d' | wc -l), managed by SSM: $(printf '%s\n' "$running" | sed '/^$/d' | comm -12 - <(printf '%s\n' "$managed" | sed '/^$/d') | wc -l)"
if [ -n "$missing" ]; then
  echo "migrate-bastion.sh: not managed by SSM yet (install/start the agent, attach the instance profile):" >&2
  printf '  %s\n' $missing >&2
  echo "migrate-bastion.sh: refusing to close the bastion while coverage differs" >&2
  exit 2
fi

# 2. Ingress rules that open SSH or RDP to the internet.
groups_json="$(aws ec2 describe-security-groups --region "$REGION" \
  --filters "Name=vpc-id,Values=$VPC_ID" --output json)"
plan="$(printf '%s' "$groups_json" | python3 -c '
import json, sys
doc = json.load(sys.stdin)
for g in doc.get("SecurityGroups", []):
    for p in g.get("IpPermissions", []):
        proto = p.get("IpProtocol")
        lo, hi = p.get("FromPort", -1), p.get("ToPort", -1)
        if proto == "-1":
            hit = True
        elif proto in ("tcp", "6"):
            hit = any(lo <= port <= hi for port in (22, 3389))
        else:
            hit = False
        if not hit:
            continue
        base = {"IpProtocol": proto}
        if proto != "-1":
            base["FromPort"], base["ToPort"] = lo, hi
        for r in p.get("IpRanges", []):
            if r.get("CidrIp") == "0.0.0.0/0":
                perm = dict(base, IpRanges=[{"CidrIp": "0.0.0.0/0"}])
                print(g["GroupId"] + "\t" + json.dumps([perm], separators=(",", ":")))
        for r in p.get("Ipv6Ranges", []):
            if r.get("CidrIpv6") == "::/0":
                perm = dict(base, Ipv6Ranges=[{"CidrIpv6": "::/0"}])
                print(g["GroupId"] + "\t" + json.dumps([perm], separators=(",", ":")))
')"
if [ -z "$plan" ]; then
  echo "no security group of $VPC_ID opens 22 or 3389 to the internet"
fi
while IFS=$'\t' read -r group perm; do
  [ -n "$group" ] || continue
  if [ "$DRY_RUN" = "0" ]; then
    aws ec2 revoke-security-group-ingress --region "$REGION" --group-id "$group" --ip-permissions "$perm" >/dev/null
    echo "revoked on $group: $perm"
  else
    echo "would revoke on $group: $perm (DRY_RUN=0 to revoke)"
  fi
done <<< "$plan"

# 3. What stays manual.
echo "next: stop and terminate the bastion host, release its Elastic IP, remove its key pairs and DNS name"
