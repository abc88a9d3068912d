//! `cli/apply.sh` for real, against a local moto server on 127.0.0.1: create a VPC, run
//! the script twice (idempotence), then compare `describe-security-groups` with the
//! Policy rule by rule. Skips with a printed reason when `aws` or moto is missing.
//!
//! `aws` runs through `tests/tools/aws_forkserver.py` (the real CLI imported once and
//! forked per call, see there; `CLOUDWALL_AWS_FORKSERVER=0` runs the plain CLI): each
//! plain `aws` run spends about a second importing awscli and parsing its models.

mod common;

use cloudwall_aws::plan::{Plan, SgPeer};
use cloudwall_aws::Aws;
use cloudwall_core::policy::{Direction, Policy};
use cloudwall_core::profile::model::{Tier, WorkloadKind};
use cloudwall_core::provider::{Phase, Provider};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Moto {
    child: Child,
    port: u16,
    /// The `aws` fork server and the folder of its client (`aws`) and socket.
    fast: Option<(Child, tempfile::TempDir)>,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if let Some((c, _)) = &mut self.fast {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// `PATH` with the fork server's `aws` first.
fn path_env(moto: &Moto) -> std::ffi::OsString {
    let mut dirs: Vec<std::path::PathBuf> = moto.fast.iter().map(|(_, d)| d.path().to_path_buf()).collect();
    dirs.extend(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()));
    std::env::join_paths(dirs).unwrap()
}

/// Starts the fork server of the `aws` on PATH; `None` (plain CLI) when it cannot run.
fn fork_server() -> Option<(Child, tempfile::TempDir)> {
    if matches!(std::env::var("CLOUDWALL_AWS_FORKSERVER"), Ok(v) if v == "0" || v == "false") {
        return None;
    }
    let aws = std::env::split_paths(&std::env::var_os("PATH")?).map(|d| d.join("aws")).find(|p| p.is_file())?;
    let python = std::fs::read_to_string(&aws).ok()?.lines().next()?.strip_prefix("#!")?.trim().to_string();
    if python.contains(' ') || !Path::new(&python).is_file() {
        return None;
    }
    let server = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/tools/aws_forkserver.py");
    let dir = tempfile::Builder::new().prefix("awsfs").tempdir_in("/tmp").ok()?;
    let sock = dir.path().join("s");
    let mut child = Command::new(&python)
        .arg(&server)
        .arg("serve")
        .arg(&sock)
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .spawn()
        .ok()?;
    let client = dir.path().join("aws");
    let text = format!(
        "#!{python} -SE\nimport sys\nsys.path.insert(0, {tools:?})\nimport aws_forkserver\nsys.exit(aws_forkserver.client({sock:?}, sys.argv[1:]))\n",
        tools = server.parent()?.display().to_string(),
        sock = sock.display().to_string(),
    );
    std::fs::write(&client, text).ok()?;
    std::fs::set_permissions(&client, std::os::unix::fs::PermissionsExt::from_mode(0o755)).ok()?;
    let start = Instant::now();
    while std::os::unix::net::UnixStream::connect(&sock).is_err() {
        if start.elapsed() > Duration::from_secs(60) || matches!(child.try_wait(), Ok(Some(_))) {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Some((child, dir))
}

fn start_moto() -> Result<Moto, String> {
    let port = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?.local_addr().unwrap().port();
    let child = Command::new("moto_server")
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("moto_server not runnable: {e}"))?;
    let mut moto = Moto { child, port, fast: fork_server() };
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(30) {
        if TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Ok(moto);
        }
        if let Ok(Some(status)) = moto.child.try_wait() {
            return Err(format!("moto_server exited: {status}"));
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    Err("moto_server did not listen within 30s".into())
}

fn aws_env(cmd: &mut Command, moto: &Moto, home: &Path) {
    cmd.env("PATH", path_env(moto))
        .env("AWS_ENDPOINT_URL", format!("http://127.0.0.1:{}", moto.port))
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_CONFIG_FILE", home.join("config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", home.join("credentials"))
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("AWS_DEFAULT_REGION");
}

fn aws(moto: &Moto, home: &Path, args: &[&str]) -> String {
    let mut cmd = Command::new("aws");
    aws_env(&mut cmd, moto, home);
    let out = cmd.args(args).args(["--region", "us-east-1"]).output().unwrap();
    assert!(out.status.success(), "aws {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// One rule as (group name, direction, protocol, ports, peer, description).
type Flat = (String, &'static str, String, Option<(i64, i64)>, String, String);

fn expected(policy: &Policy) -> BTreeSet<Flat> {
    let plan = Plan::new(policy).unwrap();
    plan.rules
        .iter()
        .map(|r| {
            let peer = match r.peer {
                SgPeer::Group(p) => format!("group:{}", plan.groups[p].name),
                SgPeer::Cidr(n) => n.to_string(),
                // The worked example is load-balancer-only: no edge peer (tests/edge.rs).
                SgPeer::CloudFront => "prefix-list:cloudfront".to_string(),
                SgPeer::EdgeLink => format!("group:{}", plan.edge.link.as_ref().map_or("", |l| l.name.as_str())),
            };
            let dir = if r.direction() == Direction::Ingress { "in" } else { "out" };
            let ports = if r.protocol == "-1" { None } else { r.ports.map(|(a, b)| (i64::from(a), i64::from(b))) };
            (plan.groups[r.group].name.clone(), dir, r.protocol.to_string(), ports, peer, r.description.clone())
        })
        .collect()
}

fn live(describe: &Value) -> (BTreeSet<Flat>, BTreeMap<String, String>) {
    let groups = describe["SecurityGroups"].as_array().unwrap();
    let names: BTreeMap<String, String> = groups
        .iter()
        .map(|g| (g["GroupId"].as_str().unwrap().to_string(), g["GroupName"].as_str().unwrap().to_string()))
        .collect();
    let mut out = BTreeSet::new();
    for g in groups {
        let name = g["GroupName"].as_str().unwrap().to_string();
        if name == "default" {
            continue;
        }
        for (key, dir) in [("IpPermissions", "in"), ("IpPermissionsEgress", "out")] {
            for perm in g[key].as_array().unwrap() {
                let proto = perm["IpProtocol"].as_str().unwrap().to_string();
                let proto = match proto.as_str() {
                    "58" => "icmpv6".to_string(),
                    "1" => "icmp".to_string(),
                    _ => proto,
                };
                let ports = if proto == "-1" {
                    None
                } else {
                    Some((perm["FromPort"].as_i64().unwrap(), perm["ToPort"].as_i64().unwrap()))
                };
                let desc = |v: &Value| v["Description"].as_str().unwrap_or("").to_string();
                for p in perm["UserIdGroupPairs"].as_array().unwrap() {
                    let peer = names.get(p["GroupId"].as_str().unwrap()).cloned().unwrap_or_default();
                    out.insert((name.clone(), dir, proto.clone(), ports, format!("group:{peer}"), desc(p)));
                }
                for p in perm["IpRanges"].as_array().unwrap() {
                    out.insert((name.clone(), dir, proto.clone(), ports, p["CidrIp"].as_str().unwrap().into(), desc(p)));
                }
                for p in perm["Ipv6Ranges"].as_array().unwrap() {
                    out.insert((name.clone(), dir, proto.clone(), ports, p["CidrIpv6"].as_str().unwrap().into(), desc(p)));
                }
            }
        }
    }
    (out, names)
}

fn run_apply(script: &Path, moto: &Moto, home: &Path, vpc: &str) -> String {
    let mut cmd = Command::new("bash");
    aws_env(&mut cmd, moto, home);
    let out = cmd.arg(script).env("VPC_ID", vpc).output().unwrap();
    assert!(
        out.status.success(),
        "apply.sh failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Applies `policy` twice and compares; then applies each of `updates` (same groups,
/// changed rules or descriptions) and compares again.
fn apply_and_compare(policy: &Policy, updates: &[Policy]) {
    if Command::new("aws").arg("--version").output().is_err() {
        eprintln!("SKIPPED: the aws CLI is not installed");
        return;
    }
    let moto = match start_moto() {
        Ok(m) => m,
        Err(e) => {
            eprintln!("SKIPPED: {e}");
            return;
        }
    };
    let home = tempfile::tempdir().unwrap();
    let vpc = aws(&moto, home.path(), &["ec2", "create-vpc", "--cidr-block", "10.0.0.0/16", "--query", "Vpc.VpcId", "--output", "text"]);
    let vpc = vpc.trim();
    let artifacts = Aws.render(policy, &[Phase::Groups]).unwrap();
    let script = home.path().join("apply.sh");
    std::fs::write(&script, &artifacts["cli/apply.sh"]).unwrap();

    let first = run_apply(&script, &moto, home.path(), vpc);
    let describe = || -> Value {
        let filter = format!("Name=vpc-id,Values={vpc}");
        serde_json::from_str(&aws(&moto, home.path(), &["ec2", "describe-security-groups", "--filters", &filter, "--output", "json"])).unwrap()
    };
    let after_first = describe();
    let second = run_apply(&script, &moto, home.path(), vpc);
    let after_second = describe();
    assert_eq!(first, second, "the second run reports other ids");
    assert_eq!(after_first, after_second, "the second run changed live state");

    let (rules, ids) = live(&after_second);
    let want = expected(policy);
    let missing: Vec<_> = want.difference(&rules).collect();
    let extra: Vec<_> = rules.difference(&want).collect();
    assert!(missing.is_empty() && extra.is_empty(), "missing: {missing:#?}\nextra: {extra:#?}");

    // One group per Policy group (plus the VPC's default), each printed in the table.
    let plan = Plan::new(policy).unwrap();
    assert_eq!(ids.len(), plan.groups.len() + 1);
    for g in &plan.groups {
        let id = ids.iter().find(|(_, n)| **n == g.name).map(|(id, _)| id.clone()).unwrap();
        assert!(first.lines().any(|l| l.starts_with(&g.name) && l.trim_end().ends_with(&id)), "{first}");
    }

    for update in updates {
        let artifacts = Aws.render(update, &[Phase::Groups]).unwrap();
        std::fs::write(&script, &artifacts["cli/apply.sh"]).unwrap();
        let out = run_apply(&script, &moto, home.path(), vpc);
        assert_eq!(out, first, "group ids changed");
        let (rules, _) = live(&describe());
        let want = expected(update);
        let missing: Vec<_> = want.difference(&rules).collect();
        let extra: Vec<_> = rules.difference(&want).collect();
        assert!(missing.is_empty() && extra.is_empty(), "after update: missing: {missing:#?}\nextra: {extra:#?}");
    }
}

#[test]
fn worked_example_applies_idempotently() {
    // A re-run with new purposes updates the descriptions in place. (Only CIDR rules:
    // moto, unlike EC2, treats a group pair with another description as a new rule.)
    let mut reworded = common::worked_example();
    for r in reworded.rules.iter_mut().filter(|r| matches!(r.peer, cloudwall_core::policy::Peer::Cidr { .. })) {
        r.description.purpose = format!("{} (reviewed)", r.description.purpose);
    }
    apply_and_compare(&common::worked_example(), &[reworded]);
}

#[test]
fn every_protocol_and_hostile_text_apply() {
    let s = "ops & sec's \"team\" → ${x} %{y} | `id` $(id) — café\nline2";
    let policy = common::PolicyBuilder::new("edge", "stage", Some("us-east-1"))
        .group("web", Tier::Public, Some(WorkloadKind::LoadBalancer), s)
        .group("app", Tier::App, Some(WorkloadKind::Vm), "application servers")
        .group("db", Tier::Data, Some(WorkloadKind::Mysql), "")
        .inbound(0, "partner", &["198.51.100.0/24", "2001:db8:1::/48"], "web", "8443-8444/tcp", s, s)
        .inbound(1, "partner", &["198.51.100.0/24", "2001:db8:1::/48"], "web", "icmp", "path MTU discovery", "net team")
        .flow(2, "web", "app", "8000-8100/tcp", s, s)
        .flow(3, "app", "db", "3306/tcp", "orders", "dba")
        .flow(4, "app", "web", "icmp", "health", "ops")
        .egress(0, "app", &["203.0.113.10/32"], "123/udp", "time sync", "ops")
        .egress(1, "web", &["192.0.2.0/24"], "all", "partner tunnel", "net team")
        .build();
    apply_and_compare(&policy, &[]);
}
