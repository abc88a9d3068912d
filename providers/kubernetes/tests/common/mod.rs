//! Shared test helpers: a Policy builder, the YAML reader, the structural checks and the
//! real `kubernetes-validate` tool.
#![allow(dead_code)]

use cloudwall_core::policy::*;
use cloudwall_core::ports::{PortRange, Proto};
use cloudwall_core::profile::{PublicMode, Tier, Topology, WorkloadKind};
use cloudwall_core::source::Location;
use ipnet::IpNet;
use serde_norway::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

pub fn loc() -> Location {
    Location {
        file: "hand.toml".into(),
        line: 1,
        col: 1,
    }
}

pub fn empty_policy(name: &str, env: &str) -> Policy {
    Policy {
        deployment: DeploymentInfo {
            name: name.into(),
            env: env.into(),
            providers: vec!["aws".into()],
            region: None,
            regions: vec![],
            topology: Topology::ThreeTier,
            compliance: vec![],
            public: PublicMode::LoadBalancerOnly,
            owner: "platform team".into(),
            availability_zones: 2,
            source: "hand.toml".into(),
        },
        groups: vec![],
        rules: vec![],
        externals: vec![],
        fqdn_egress: vec![],
        endpoints: vec![],
        access: Access {
            strategy: None,
            per_tier: BTreeMap::new(),
            origin: loc(),
        },
        deny: vec![],
        kubernetes: None,
        spokes: vec![],
        hosts: BTreeMap::new(),
        controls: Default::default(),
        placement: Default::default(),
    }
}

pub fn group(p: &mut Policy, id: &str, tier: Tier, kind: WorkloadKind) {
    p.groups.push(Group {
        id: id.into(),
        name: format!("{}-{}-{}", p.deployment.env, tier, id),
        tier,
        kind: Some(kind),
        summary: format!("{id} in the {tier} tier"),
        origin: loc(),
    });
    p.groups.sort_by(|a, b| a.id.cmp(&b.id));
}

pub fn desc(src: &str, dst: &str, ports: PortRange, purpose: &str, owner: &str) -> Description {
    Description {
        source: src.into(),
        destination: dst.into(),
        ports: ports.to_string(),
        purpose: purpose.into(),
        owner: owner.into(),
    }
}

/// Both sides of a flow between two groups.
pub fn flow(p: &mut Policy, from: &str, to: &str, ports: PortRange, purpose: &str, owner: &str) {
    let d = desc(from, to, ports, purpose, owner);
    let tok = token(ports);
    p.rules.push(rule(
        &format!("{to}_in_from_{from}_{tok}"),
        to,
        Direction::Ingress,
        Peer::Group { id: from.into() },
        ports,
        d.clone(),
    ));
    p.rules.push(rule(
        &format!("{from}_out_to_{to}_{tok}"),
        from,
        Direction::Egress,
        Peer::Group { id: to.into() },
        ports,
        d,
    ));
}

/// A rule between a group and a CIDR party.
#[allow(clippy::too_many_arguments)]
pub fn cidr_rule(
    p: &mut Policy,
    group: &str,
    dir: Direction,
    cidr: &str,
    party: &str,
    ports: PortRange,
    purpose: &str,
    owner: &str,
) {
    let cidr: IpNet = cidr.parse().unwrap();
    let (src, dst) = match dir {
        Direction::Ingress => (party.to_string(), group.to_string()),
        Direction::Egress => (group.to_string(), party.to_string()),
    };
    let d = desc(&src, &dst, ports, purpose, owner);
    let word = if dir == Direction::Ingress {
        "in_from"
    } else {
        "out_to"
    };
    let id = format!(
        "{group}_{word}_{}_{}",
        cidr.to_string().replace(['.', '/', ':'], "_"),
        token(ports)
    );
    p.rules.push(rule(
        &id,
        group,
        dir,
        Peer::Cidr {
            cidr,
            party: party.into(),
        },
        ports,
        d,
    ));
}

pub fn rule(
    id: &str,
    group: &str,
    direction: Direction,
    peer: Peer,
    ports: PortRange,
    description: Description,
) -> Rule {
    Rule {
        id: id.into(),
        group: group.into(),
        direction,
        peer,
        ports,
        description,
        justification: None,
        source: RuleSource::Flow { index: 0 },
        origin: loc(),
    }
}

pub fn token(p: PortRange) -> String {
    match p.proto {
        Proto::All => "all".into(),
        Proto::Icmp => "icmp".into(),
        pr if p.from == p.to => format!("{}_{}", p.from, pr.as_str()),
        pr => format!("{}_{}_{}", p.from, p.to, pr.as_str()),
    }
}

/// The worked example of profile.md, built by hand.
pub fn worked_example() -> Policy {
    let mut p = empty_policy("webapp", "prod");
    group(&mut p, "alb", Tier::Public, WorkloadKind::LoadBalancer);
    group(&mut p, "ecs", Tier::App, WorkloadKind::Containers);
    group(&mut p, "rds", Tier::Data, WorkloadKind::Postgres);
    group(&mut p, "redis", Tier::Data, WorkloadKind::Redis);
    for (cidr, port, purpose) in [
        ("0.0.0.0/0", 443, "public site traffic"),
        ("::/0", 443, "public site traffic"),
        ("0.0.0.0/0", 80, "HTTP redirect to HTTPS"),
        ("::/0", 80, "HTTP redirect to HTTPS"),
    ] {
        cidr_rule(
            &mut p,
            "alb",
            Direction::Ingress,
            cidr,
            "internet",
            PortRange::tcp(port),
            purpose,
            "web team",
        );
    }
    flow(
        &mut p,
        "alb",
        "ecs",
        PortRange::tcp(8080),
        "request forward",
        "platform team",
    );
    flow(
        &mut p,
        "ecs",
        "rds",
        PortRange::tcp(5432),
        "order service write path",
        "payments team",
    );
    flow(
        &mut p,
        "ecs",
        "redis",
        PortRange::tcp(6379),
        "session cache",
        "platform team",
    );
    cidr_rule(
        &mut p,
        "ecs",
        Direction::Egress,
        "13.55.0.0/16",
        "13.55.0.0/16",
        PortRange::tcp(443),
        "Stripe API payment webhooks",
        "payments team",
    );
    p.kubernetes = Some(KubernetesScope {
        namespace: "prod".into(),
        ingress_namespace: Some("ingress-nginx".into()),
        workloads: vec!["ecs".into()],
        origin: loc(),
    });
    p
}

/// The YAML documents of a rendered file, parsed by a real YAML library.
pub fn parse_docs(yaml: &str) -> Vec<Value> {
    let mut docs = Vec::new();
    for de in serde_norway::Deserializer::from_str(yaml) {
        let v: Value = serde::Deserialize::deserialize(de)
            .unwrap_or_else(|e| panic!("YAML does not parse: {e}\n{yaml}"));
        if !v.is_null() {
            docs.push(v);
        }
    }
    docs
}

pub fn s<'a>(v: &'a Value, path: &[&str]) -> Option<&'a Value> {
    let mut cur = v;
    for k in path {
        cur = cur.get(*k)?;
    }
    Some(cur)
}

pub fn is_dns_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

fn is_qualified_name_part(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.starts_with(|c: char| c.is_ascii_alphanumeric())
        && s.ends_with(|c: char| c.is_ascii_alphanumeric())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// The checks every rendered file must pass; returns the policies by name.
pub fn structural_checks(
    yaml: &str,
    policy: &Policy,
    external: Option<&[IpNet]>,
    valid_names: bool,
) -> BTreeMap<String, Value> {
    for needle in ["generated by", "cloudwall", "auto-generated"] {
        assert!(
            !yaml.to_lowercase().contains(needle),
            "mentions a generator: {needle}"
        );
    }
    let docs = parse_docs(yaml);
    let scope = policy.kubernetes.as_ref().unwrap();
    let mut by_name = BTreeMap::new();
    for d in &docs {
        assert_eq!(
            s(d, &["apiVersion"]).and_then(Value::as_str),
            Some("networking.k8s.io/v1")
        );
        assert_eq!(
            s(d, &["kind"]).and_then(Value::as_str),
            Some("NetworkPolicy")
        );
        let name = s(d, &["metadata", "name"])
            .and_then(Value::as_str)
            .expect("name")
            .to_string();
        assert!(is_dns_label(&name), "name {name:?} is not a DNS-1123 label");
        assert_eq!(
            s(d, &["metadata", "namespace"]).and_then(Value::as_str),
            Some(scope.namespace.as_str()),
            "namespace read back"
        );
        if let Some(ann) = s(d, &["metadata", "annotations"]).and_then(Value::as_mapping) {
            for (k, v) in ann {
                let k = k.as_str().expect("annotation key is a string");
                assert!(is_qualified_name_part(k), "annotation key {k:?}");
                assert!(v.as_str().is_some(), "annotation value of {k} is a string");
            }
        }
        let types: Vec<&str> = s(d, &["spec", "policyTypes"])
            .and_then(Value::as_sequence)
            .expect("policyTypes explicit")
            .iter()
            .map(|t| t.as_str().unwrap())
            .collect();
        assert!(!types.is_empty(), "{name}: empty policyTypes");
        for (key, ty) in [("ingress", "Ingress"), ("egress", "Egress")] {
            if s(d, &["spec", key]).is_some() {
                assert!(
                    types.contains(&ty),
                    "{name}: {key} rules without {ty} in policyTypes"
                );
            }
        }
        assert!(
            s(d, &["spec", "podSelector"])
                .and_then(Value::as_mapping)
                .is_some(),
            "{name}: podSelector"
        );
        if let Some(rules) = s(d, &["spec", "egress"]).and_then(Value::as_sequence) {
            for r in rules {
                check_not_wide_open(&name, r, "to");
            }
        }
        if let Some(rules) = s(d, &["spec", "ingress"]).and_then(Value::as_sequence) {
            for r in rules {
                check_not_wide_open(&name, r, "from");
            }
        }
        if valid_names {
            if let Some(labels) =
                s(d, &["spec", "podSelector", "matchLabels"]).and_then(Value::as_mapping)
            {
                for (_, v) in labels {
                    assert!(
                        is_qualified_name_part(v.as_str().unwrap()),
                        "label value {v:?}"
                    );
                }
            }
        }
        assert!(
            by_name.insert(name.clone(), d.clone()).is_none(),
            "duplicate policy name {name}"
        );
    }

    // Default deny: every pod, both directions, no rules.
    let deny = &by_name["default-deny-all"];
    assert_eq!(
        s(deny, &["spec", "podSelector"])
            .and_then(Value::as_mapping)
            .map(|m| m.len()),
        Some(0)
    );
    let types: Vec<&str> = s(deny, &["spec", "policyTypes"])
        .unwrap()
        .as_sequence()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    assert_eq!(types, ["Ingress", "Egress"]);
    assert!(s(deny, &["spec", "ingress"]).is_none() && s(deny, &["spec", "egress"]).is_none());

    // DNS: kube-system AND kube-dns pods in one element, UDP and TCP 53.
    let dns = &by_name["allow-dns"];
    let eg = s(dns, &["spec", "egress"]).unwrap().as_sequence().unwrap();
    assert_eq!(eg.len(), 1);
    let to = eg[0].get("to").unwrap().as_sequence().unwrap();
    assert_eq!(
        to.len(),
        1,
        "namespace and pod selectors AND-ed in one element"
    );
    assert_eq!(
        s(
            &to[0],
            &[
                "namespaceSelector",
                "matchLabels",
                "kubernetes.io/metadata.name"
            ]
        )
        .and_then(Value::as_str),
        Some("kube-system")
    );
    assert_eq!(
        s(&to[0], &["podSelector", "matchLabels", "k8s-app"]).and_then(Value::as_str),
        Some("kube-dns")
    );
    let mut ports: Vec<(String, u64)> = eg[0]
        .get("ports")
        .unwrap()
        .as_sequence()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["protocol"].as_str().unwrap().to_string(),
                p["port"].as_u64().unwrap(),
            )
        })
        .collect();
    ports.sort();
    assert_eq!(ports, [("TCP".to_string(), 53), ("UDP".to_string(), 53)]);

    // Every rule of an in-cluster workload carries its description.
    let mut in_cluster: Vec<&String> = scope.workloads.iter().collect();
    in_cluster.dedup();
    for r in policy
        .rules
        .iter()
        .filter(|r| scope.workloads.contains(&r.group))
    {
        let rendered: Vec<&Value> = by_name
            .values()
            .filter_map(|d| s(d, &["metadata", "annotations"]))
            .filter_map(Value::as_mapping)
            .flat_map(|m| m.values())
            .collect();
        let outside_known =
            external.is_some_and(|c| !c.is_empty() && c.iter().all(|n| n.prefix_len() > 0));
        let specific_peer = match &r.peer {
            Peer::Group { id } => {
                scope.workloads.contains(id)
                    || (r.direction == Direction::Ingress
                        && scope.ingress_namespace.is_some()
                        && policy.group(id).is_some_and(|g| g.tier == Tier::Public))
                    || outside_known
            }
            Peer::Cidr { cidr, .. } => cidr.prefix_len() > 0,
        };
        let renderable =
            r.ports.proto != Proto::Icmp && (r.ports.proto != Proto::All || specific_peer);
        if renderable {
            assert!(
                rendered
                    .iter()
                    .any(|v| v.as_str() == Some(r.description.text().as_str())),
                "description of {} read back unchanged",
                r.id
            );
        } else {
            assert!(
                yaml.contains(&format!("# {}: not rendered", r.id)),
                "rule {} not rendered without a note",
                r.id
            );
        }
    }
    by_name
}

/// No rule may open every port to every address.
fn check_not_wide_open(name: &str, r: &Value, peer_key: &str) {
    let has_ports = r
        .get("ports")
        .and_then(Value::as_sequence)
        .is_some_and(|p| !p.is_empty());
    if has_ports {
        for p in r["ports"].as_sequence().unwrap() {
            let proto = p["protocol"].as_str().unwrap();
            assert!(["TCP", "UDP"].contains(&proto), "{name}: protocol {proto}");
            let port = p["port"].as_u64().unwrap();
            assert!((1..=65535).contains(&port));
            if let Some(end) = p.get("endPort") {
                assert!(end.as_u64().unwrap() > port, "{name}: endPort after port");
            }
        }
        return;
    }
    let peers = r.get(peer_key).and_then(Value::as_sequence);
    let peers = peers.unwrap_or_else(|| {
        panic!("{name}: a rule without ports and without {peer_key} opens everything")
    });
    assert!(!peers.is_empty(), "{name}: empty {peer_key} list");
    for p in peers {
        if let Some(c) = s(p, &["ipBlock", "cidr"]).and_then(Value::as_str) {
            let net: IpNet = c.parse().unwrap();
            assert!(net.prefix_len() > 0, "{name}: every port to {c}");
        }
    }
}

/// The real `kubernetes-validate` (PyPI): `$KUBERNETES_VALIDATE` when set, else on PATH,
/// else in the workspace's tool venv.
pub fn kubernetes_validate() -> Option<PathBuf> {
    let exe = "kubernetes-validate";
    if let Some(p) = std::env::var_os("KUBERNETES_VALIDATE") {
        return Some(PathBuf::from(p)).filter(|p| p.is_file());
    }
    if let Some(path) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&path) {
            let c = dir.join(exe);
            if c.is_file() {
                return Some(c);
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    Some(root.join(".venv/tools/bin").join(exe)).filter(|c| c.is_file())
}

pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

/// Validates files with the real tool (strict schema); `false` when it is missing here.
pub fn validate_files(files: &[PathBuf]) -> bool {
    let Some(tool) = kubernetes_validate() else {
        let why = "SKIP: kubernetes-validate not found on PATH nor in .venv/tools (run scripts/setup-tools.sh)";
        assert!(!in_ci(), "{why}; CI must have it");
        eprintln!("{why}");
        return false;
    };
    let out = Command::new(&tool)
        .arg("--strict")
        .arg("--no-warn")
        .args(files)
        .output()
        .expect("run kubernetes-validate");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success(),
        "kubernetes-validate refused the manifests:\n{text}"
    );
    let docs: usize = files
        .iter()
        .map(|f| parse_docs(&std::fs::read_to_string(f).unwrap()).len())
        .sum();
    let passed = text.lines().filter(|l| l.contains("passed")).count();
    assert_eq!(passed, docs, "every document validated:\n{text}");
    true
}

/// A second, independent YAML reader: PyYAML (YAML 1.1, like the Go decoder of kubectl)
/// from the tools' Python, as JSON. `None` when that Python is not available.
pub fn pyyaml_docs(file: &Path) -> Option<serde_json::Value> {
    let python = std::env::var_os("CLOUDWALL_TOOLS_PYTHON")
        .map(PathBuf::from)
        .or_else(|| kubernetes_validate().map(|k| k.with_file_name("python")))
        .filter(|p| p.is_file())?;
    let script = "import sys, json, yaml\n\
docs = [d for d in yaml.safe_load_all(open(sys.argv[1], encoding='utf-8')) if d is not None]\n\
sys.stdout.write(json.dumps(docs))\n";
    let out = Command::new(python)
        .arg("-c")
        .arg(script)
        .arg(file)
        .output()
        .ok()?;
    assert!(
        out.status.success(),
        "PyYAML refused the file: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(serde_json::from_slice(&out.stdout).expect("json from PyYAML"))
}

/// The documents as JSON, read by serde_norway.
pub fn norway_docs_json(yaml: &str) -> serde_json::Value {
    serde_json::to_value(parse_docs(yaml)).expect("YAML values convert to JSON")
}
