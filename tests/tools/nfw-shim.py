"""An `aws` command in front of the real CLI for the Network Firewall calls moto lacks.

moto implements CreateFirewall, DescribeFirewall and the logging configuration, but not
rule groups nor firewall policies, and its firewall status has no endpoints. This shim:
- records every `network-firewall ... --cli-input-json` document in $NFW_LOG (one JSON
  line each: {"op": ..., "input": ...}), so a test can validate them against botocore;
- answers the rule-group and firewall-policy calls itself, with state in $NFW_STATE;
- passes DescribeFirewall to moto and adds the endpoint of each subnet mapping from
  $NFW_ENDPOINTS ("subnet-id=az=vpce-id" words), as a provisioned firewall reports them;
- passes every other command to the real CLI ($NFW_REAL_AWS) unchanged.
"""
import json, os, subprocess, sys
import jmespath

REAL = os.environ["NFW_REAL_AWS"]
args = sys.argv[1:]
if not args or args[0] != "network-firewall":
    os.execv(REAL, [REAL] + args)

OPS = {
    "describe-rule-group": "DescribeRuleGroup", "create-rule-group": "CreateRuleGroup",
    "update-rule-group": "UpdateRuleGroup", "describe-firewall-policy": "DescribeFirewallPolicy",
    "create-firewall-policy": "CreateFirewallPolicy", "describe-firewall": "DescribeFirewall",
    "create-firewall": "CreateFirewall", "describe-logging-configuration": "DescribeLoggingConfiguration",
    "update-logging-configuration": "UpdateLoggingConfiguration",
}
op = next((a for a in args if a in OPS), None)


def opt(name):
    return args[args.index(name) + 1] if name in args else None


def without(names):
    out, skip = [], False
    for a in args:
        if skip:
            skip = False
        elif a in names:
            skip = True
        else:
            out.append(a)
    return out


def emit(resp):
    query, output = opt("--query"), opt("--output") or "json"
    if query:
        resp = jmespath.search(query, resp)
    if output == "text":
        fmt = lambda v: "None" if v is None else str(v)
        print("\t".join(map(fmt, resp)) if isinstance(resp, list) else fmt(resp))
    else:
        print(json.dumps(resp))


def fail(code, message):
    sys.stderr.write("\nAn error occurred (%s) when calling the %s operation: %s\n" % (code, OPS[op], message))
    sys.exit(254)


doc = opt("--cli-input-json")
if doc is not None:
    with open(os.environ["NFW_LOG"], "a") as f:
        f.write(json.dumps({"op": OPS.get(op, op), "input": json.loads(doc)}) + "\n")

state = os.environ["NFW_STATE"]
region = opt("--region") or os.environ.get("AWS_REGION", "us-east-1")


def load(kind, name):
    p = os.path.join(state, "%s-%s.json" % (kind, name))
    return json.load(open(p)) if os.path.exists(p) else None


def save(kind, name, value):
    json.dump(value, open(os.path.join(state, "%s-%s.json" % (kind, name)), "w"))


if op in ("describe-rule-group", "create-rule-group", "update-rule-group"):
    name = opt("--rule-group-name") or json.loads(doc)["RuleGroupName"]
    current = load("rule-group", name)
    if op == "describe-rule-group":
        if current is None:
            fail("ResourceNotFoundException", "Unable to find the rule group %s" % name)
        emit(current)
        sys.exit(0)
    params = json.loads(doc)
    if op == "create-rule-group":
        if current is not None:
            fail("InvalidRequestException", "A resource with the specified name already exists")
        n = 1
    else:
        if current is None:
            fail("ResourceNotFoundException", "Unable to find the rule group %s" % name)
        if params.get("UpdateToken") != current["UpdateToken"]:
            fail("InvalidTokenException", "stale update token")
        params["Capacity"] = current["RuleGroupResponse"]["Capacity"]
        n = int(current["UpdateToken"].split("-")[1]) + 1
    resp = {
        "UpdateToken": "token-%d" % n,
        "RuleGroup": params["RuleGroup"],
        "RuleGroupResponse": {
            "RuleGroupArn": "arn:aws:network-firewall:%s:123456789012:stateful-rulegroup/%s" % (region, name),
            "RuleGroupName": name, "Type": params["Type"], "Capacity": params["Capacity"],
            "EncryptionConfiguration": params.get("EncryptionConfiguration"), "Updates": n,
        },
    }
    save("rule-group", name, resp)
    emit(resp)
elif op in ("describe-firewall-policy", "create-firewall-policy"):
    name = opt("--firewall-policy-name") or json.loads(doc)["FirewallPolicyName"]
    current = load("policy", name)
    if op == "describe-firewall-policy":
        if current is None:
            fail("ResourceNotFoundException", "Unable to find the firewall policy %s" % name)
        emit(current)
        sys.exit(0)
    if current is not None:
        fail("InvalidRequestException", "A resource with the specified name already exists")
    params = json.loads(doc)
    resp = {
        "UpdateToken": "token-1",
        "FirewallPolicy": params["FirewallPolicy"],
        "FirewallPolicyResponse": {
            "FirewallPolicyArn": "arn:aws:network-firewall:%s:123456789012:firewall-policy/%s" % (region, name),
            "FirewallPolicyName": name, "EncryptionConfiguration": params.get("EncryptionConfiguration"),
        },
    }
    save("policy", name, resp)
    emit(resp)
elif op == "describe-firewall":
    real = subprocess.run([REAL] + without({"--query", "--output"}) + ["--output", "json"], capture_output=True, text=True)
    if real.returncode != 0:
        sys.stderr.write(real.stderr)
        sys.exit(real.returncode)
    resp = json.loads(real.stdout)
    endpoints = {}
    for word in os.environ.get("NFW_ENDPOINTS", "").split():
        subnet, az, vpce = word.split("=")
        endpoints[subnet] = (az, vpce)
    sync = {}
    for m in resp["Firewall"].get("SubnetMappings") or []:
        if m["SubnetId"] in endpoints:
            az, vpce = endpoints[m["SubnetId"]]
            sync[az] = {"Attachment": {"SubnetId": m["SubnetId"], "EndpointId": vpce, "Status": "READY"}}
    resp["FirewallStatus"]["SyncStates"] = sync
    emit(resp)
else:
    os.execv(REAL, [REAL] + args)
