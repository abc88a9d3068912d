//! End-to-end enforcement: the rendered rulesets, loaded with `nft -f` into one network
//! namespace per workload, let through exactly what the core reachability evaluator
//! says, for every (source, destination, port) of a profile, over TCP and UDP: the
//! example profile, then random valid profiles of the shared generator (fixed seed;
//! `CLOUDWALL_RANDOM_NETNS` sets how many, default 4) given `[hosts]` addresses.
//!
//! Topology: a bridge namespace; one namespace per workload (its `[hosts]` addresses),
//! one for the internet (an address outside every declared range), one per
//! `[[external]]` party (the first address of its first range in the documentation
//! ranges) and one per `[[deny]]` range in the documentation ranges, each joined to the
//! bridge by a veth pair. Every address is in 192.0.2.0/24, 198.51.100.0/24 or
//! 203.0.113.0/24, inside namespaces the test made. Listeners and connection attempts run in child processes
//! (this test binary re-run inside `ip netns exec`, see the two helper tests at the
//! bottom). Namespaces and children are removed by a Drop guard, even on failure.

mod common;

use cloudwall_core::policy::Policy;
use cloudwall_core::ports::Proto;
use cloudwall_core::{Phase, Provider};
use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Write as _};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const LISTEN_ENV: &str = "CW_NETNS_TEST_LISTEN";
const CONNECT_ENV: &str = "CW_NETNS_TEST_CONNECT";
const CONNECT_TIMEOUT: Duration = Duration::from_millis(1500);

/// One namespace: a workload or an outside party.
#[derive(Debug, Clone)]
struct Node {
    /// Workload id, `internet` or the external party's name.
    name: String,
    ns: String,
    addrs: Vec<Ipv4Addr>,
    /// How the evaluator names this node: the workload id, or the outside address
    /// itself (the evaluator finds the parties and rules whose ranges contain it).
    end: String,
    workload: bool,
}

/// Deletes the namespaces and kills the children it was given, whatever happens.
#[derive(Debug, Default)]
struct Guard {
    namespaces: Vec<String>,
    children: Vec<Child>,
}

impl Drop for Guard {
    fn drop(&mut self) {
        for c in &mut self.children {
            let _ = c.kill();
            let _ = c.wait();
        }
        for ns in self.namespaces.iter().rev() {
            let _ = Command::new("ip").args(["netns", "del", ns]).status();
        }
    }
}

fn run(cmd: &mut Command) -> Result<String, String> {
    let out = cmd.output().map_err(|e| format!("{cmd:?}: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "{cmd:?} failed ({}): {}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn ip(args: &[&str]) -> Result<String, String> {
    run(Command::new("ip").args(args))
}

fn in_ns(ns: &str, args: &[&str]) -> Command {
    let mut c = Command::new("ip");
    c.args(["netns", "exec", ns]).args(args);
    c
}

/// Why this machine cannot run the test, if it cannot.
fn cannot_run(probe: &str) -> Option<String> {
    for tool in ["ip", "nft"] {
        if Command::new(tool).arg("-V").output().is_err() {
            return Some(format!(
                "`{tool}` is not installed (apt-get install iproute2 nftables)"
            ));
        }
    }
    match ip(&["netns", "add", probe]) {
        Ok(_) => {
            let _ = ip(&["netns", "del", probe]);
            None
        }
        Err(e) => Some(format!(
            "this machine cannot create network namespaces (needs root / CAP_SYS_ADMIN): {e}"
        )),
    }
}

/// The address ranges the test may give namespaces.
const DOC_RANGES: [&str; 3] = ["192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24"];

fn in_doc_ranges(a: Ipv4Addr) -> bool {
    DOC_RANGES.iter().any(|r| r.parse::<ipnet::Ipv4Net>().unwrap().contains(&a))
}

/// Is `a` inside a declared range (an external party's, a `[[deny]]` entry's) or a host?
fn declared(policy: &Policy, a: Ipv4Addr) -> bool {
    let ip = std::net::IpAddr::V4(a);
    policy
        .externals
        .iter()
        .filter(|e| e.name != "internet")
        .flat_map(|e| &e.cidrs)
        .chain(policy.deny.iter().flat_map(|d| &d.cidrs))
        .chain(policy.hosts.values().flatten())
        .any(|c| c.contains(&ip))
}

/// An outside address for the internet: in the documentation ranges, in no declared
/// range and not in `[hosts]`.
fn internet_address(policy: &Policy) -> Ipv4Addr {
    DOC_RANGES
        .iter()
        .flat_map(|r| r.parse::<ipnet::Ipv4Net>().unwrap().hosts().collect::<Vec<_>>().into_iter().rev())
        .find(|a| !declared(policy, *a))
        .expect("a free outside address")
}

/// `count` addresses for workloads (`.10` upwards in each documentation range) that no
/// external party or `[[deny]]` entry covers.
fn free_host_addresses(policy: &Policy, count: usize) -> Vec<Ipv4Addr> {
    let v: Vec<Ipv4Addr> = DOC_RANGES
        .iter()
        .flat_map(|r| r.parse::<ipnet::Ipv4Net>().unwrap().hosts().skip(9).take(90))
        .filter(|a| !declared(policy, *a))
        .take(count)
        .collect();
    assert_eq!(v.len(), count, "not enough free documentation addresses");
    v
}

fn nodes(policy: &Policy, prefix: &str) -> Vec<Node> {
    let mut out = Vec::new();
    let mut i = 0;
    let mut next_ns = || {
        i += 1;
        format!("{prefix}n{i}")
    };
    for (w, nets) in &policy.hosts {
        let addrs: Vec<Ipv4Addr> = nets
            .iter()
            .filter_map(|n| match n {
                ipnet::IpNet::V4(v4) => Some(v4.addr()),
                ipnet::IpNet::V6(_) => None,
            })
            .collect();
        if addrs.is_empty() {
            continue;
        }
        out.push(Node {
            name: w.clone(),
            ns: next_ns(),
            addrs,
            end: w.clone(),
            workload: true,
        });
    }
    // Outside parties: the first address of their first IPv4 range the test may use.
    let first_usable = |cidrs: &[ipnet::IpNet]| {
        cidrs.iter().find_map(|c| match c {
            ipnet::IpNet::V4(net) => {
                let a = net.hosts().next().unwrap_or(net.addr());
                in_doc_ranges(a).then_some(a)
            }
            ipnet::IpNet::V6(_) => None,
        })
    };
    let mut outside: Vec<(String, Ipv4Addr)> =
        vec![("internet".to_string(), internet_address(policy))];
    for e in policy.externals.iter().filter(|e| e.name != "internet") {
        match first_usable(&e.cidrs) {
            Some(a) => outside.push((e.name.clone(), a)),
            None => {
                let _ = writeln!(
                    std::io::stderr(),
                    "note: external `{}` has no IPv4 range in the documentation ranges; it gets no namespace",
                    e.name
                );
            }
        }
    }
    for d in &policy.deny {
        if let Some(a) = first_usable(&d.cidrs) {
            outside.push((format!("deny {a}"), a));
        }
    }
    let mut seen = BTreeSet::new();
    for (name, addr) in outside {
        if !seen.insert(addr) {
            continue;
        }
        out.push(Node {
            name,
            ns: next_ns(),
            addrs: vec![addr],
            end: addr.to_string(),
            workload: false,
        });
    }
    out
}

/// A transport port the test listens on and tries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Port {
    proto: Proto,
    port: u16,
}

impl std::fmt::Display for Port {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let p = if self.proto == Proto::Udp { "udp" } else { "tcp" };
        write!(f, "{p}/{}", self.port)
    }
}

impl std::str::FromStr for Port {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let (p, n) = s.split_once('/').ok_or(s.to_string())?;
        let proto = match p {
            "tcp" => Proto::Tcp,
            "udp" => Proto::Udp,
            _ => return Err(s.to_string()),
        };
        Ok(Port { proto, port: n.parse().map_err(|_| s.to_string())? })
    }
}

/// Every TCP and UDP port the Policy mentions (range bounds), plus 22/tcp and 53/udp
/// unless the Policy opens them: ports nothing allows must stay closed.
fn ports(policy: &Policy) -> Vec<Port> {
    let mut set = BTreeSet::from([Port { proto: Proto::Tcp, port: 22 }, Port { proto: Proto::Udp, port: 53 }]);
    for r in &policy.rules {
        if matches!(r.ports.proto, Proto::Tcp | Proto::Udp) {
            set.insert(Port { proto: r.ports.proto, port: r.ports.from });
            set.insert(Port { proto: r.ports.proto, port: r.ports.to });
        }
    }
    set.into_iter().collect()
}

fn spawn_helper(ns: &str, helper: &str, env: (&str, String)) -> Result<Child, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    in_ns(
        ns,
        &[
            exe.to_str().ok_or("exe path")?,
            "--exact",
            helper,
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ],
    )
    .env(env.0, env.1)
    .stdin(Stdio::null())
    .stdout(Stdio::piped())
    .stderr(Stdio::null())
    .spawn()
    .map_err(|e| format!("cannot start {helper} in {ns}: {e}"))
}

fn build_topology(guard: &mut Guard, nodes: &[Node], bridge: &str) -> Result<(), String> {
    ip(&["netns", "add", bridge])?;
    guard.namespaces.push(bridge.to_string());
    ip(&["-n", bridge, "link", "add", "br0", "type", "bridge"])?;
    ip(&["-n", bridge, "link", "set", "br0", "up"])?;
    for (i, n) in nodes.iter().enumerate() {
        ip(&["netns", "add", &n.ns])?;
        guard.namespaces.push(n.ns.clone());
        let port = format!("p{i}");
        ip(&[
            "link", "add", "eth0", "netns", &n.ns, "type", "veth", "peer", "name", &port, "netns",
            bridge,
        ])?;
        ip(&["-n", bridge, "link", "set", &port, "master", "br0"])?;
        ip(&["-n", bridge, "link", "set", &port, "up"])?;
        ip(&["-n", &n.ns, "link", "set", "lo", "up"])?;
        for a in &n.addrs {
            ip(&[
                "-n",
                &n.ns,
                "addr",
                "add",
                &format!("{a}/32"),
                "dev",
                "eth0",
            ])?;
        }
        ip(&["-n", &n.ns, "link", "set", "eth0", "up"])?;
        // Every node is on the one bridge: all destinations are on-link.
        ip(&["-n", &n.ns, "route", "add", "default", "dev", "eth0"])?;
    }
    Ok(())
}

/// `true` when the enforcement tests can run here; otherwise says why they are skipped
/// (and fails under CI, which runs as root with nftables and iproute2 installed: a skip
/// there would hide a broken setup).
fn can_run(test: &str) -> bool {
    static PROBE: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let probe = PROBE.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let Some(why) = cannot_run(&format!("cw{}probe{probe}", std::process::id())) else {
        return true;
    };
    assert!(!common::in_ci(), "{test} cannot run under CI: {why}");
    let _ = writeln!(std::io::stderr(), "SKIP {test}: {why}");
    false
}

#[test]
fn rulesets_enforce_exactly_the_evaluated_reachability() {
    if can_run("rulesets_enforce_exactly_the_evaluated_reachability") {
        enforce(&common::example_policy(), "examples/onprem-nftables.toml");
    }
}

/// The same check on profiles nobody wrote by hand: random valid profiles of the shared
/// generator (every option of the format it draws), with each workload given one or two
/// host addresses in the documentation ranges, and a `[[deny]]` range where the profile
/// has none (an evaluator that forgot `[[deny]]` was caught this way).
#[test]
fn random_profiles_enforce_exactly_the_evaluated_reachability() {
    use proptest::strategy::{Strategy, ValueTree};
    use proptest::test_runner::TestRunner;
    if !can_run("random_profiles_enforce_exactly_the_evaluated_reachability") {
        return;
    }
    let n: usize = std::env::var("CLOUDWALL_RANDOM_NETNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(4);
    let mut runner = TestRunner::deterministic();
    let (mut done, mut drawn) = (0, 0);
    while done < n {
        drawn += 1;
        assert!(drawn <= 20 * n.max(1), "the generator keeps making profiles this test cannot use");
        let text = cloudwall_tests::gen::profile_toml()
            .new_tree(&mut runner)
            .expect("a profile")
            .current()
            .replace("provider = \"aws\"", "provider = \"nftables\"");
        let path = std::path::Path::new("random.toml");
        let mut first = cloudwall_core::profile::parse_str(path, &text).expect("generator makes valid profiles");
        // Every run meets a `[[deny]]` range: one inside what internet rules open.
        let text = if first.deny.is_empty() {
            let text = format!(
                "{text}\n[[deny]]\ncidrs = [\"203.0.113.192/27\"]\npurpose = \"scanner range\"\n"
            );
            first = cloudwall_core::profile::parse_str(path, &text).expect("a valid [[deny]]");
            text
        } else {
            text
        };
        let free = free_host_addresses(&cloudwall_core::compile::compile(&first), first.workloads.len() * 2);
        let mut free = free.into_iter();
        let mut hosts = String::from("\n[hosts]\n");
        for (i, w) in first.workloads.iter().enumerate() {
            let count = if i % 2 == 0 { 2 } else { 1 };
            let addrs: Vec<String> = free.by_ref().take(count).map(|a| format!("\"{a}\"")).collect();
            hosts.push_str(&format!("{} = [{}]\n", w.name.value, addrs.join(", ")));
        }
        let text = format!("{text}{hosts}");
        let profile = cloudwall_core::profile::parse_str(path, &text).unwrap_or_else(|e| {
            panic!("{:?}\n{text}", e.diagnostics.iter().map(|d| d.headline(&e.sources)).collect::<Vec<_>>())
        });
        let policy = cloudwall_core::compile::compile(&profile);
        if cloudwall_core::rules::check(&profile, &policy).iter().any(|d| d.is_error()) {
            continue; // refused profiles render nothing
        }
        done += 1;
        enforce(&policy, &format!("random profile {done} of {n}:\n{text}"));
    }
}

/// Renders `policy` with the plugin, builds the namespaces, loads every ruleset, and
/// compares every connection attempt with the evaluator; then runs verify.sh on every
/// host and once more after tampering with one. `label` names the profile in failures.
fn enforce(policy: &Policy, label: &str) {
    static RUN: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let run_no = RUN.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    let prefix = format!("cw{}r{run_no}", std::process::id());
    let plugin = common::nftables_plugin();
    let artifacts = plugin.render(policy, Phase::ALL).expect("render");
    let out = tempfile::tempdir().unwrap();
    for (path, text) in &artifacts {
        let p = out.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
    }

    let nodes = nodes(policy, &prefix);
    let ports = ports(policy);
    let mut guard = Guard::default();
    build_topology(&mut guard, &nodes, &format!("{prefix}br")).unwrap_or_else(|e| panic!("{label}\n{e}"));

    // Rulesets: one per workload namespace.
    let file_of: BTreeMap<String, PathBuf> = nodes
        .iter()
        .filter(|n| n.workload)
        .map(|n| {
            (
                n.name.clone(),
                out.path().join(format!("rulesets/{}.nft", n.name)),
            )
        })
        .collect();
    for n in nodes.iter().filter(|n| n.workload) {
        let file = &file_of[&n.name];
        assert!(file.exists(), "no ruleset rendered for {}", n.name);
        run(&mut in_ns(&n.ns, &["nft", "-f", file.to_str().unwrap()]))
            .unwrap_or_else(|e| panic!("{label}\n{e}"));
    }

    // Listeners on every port of every namespace.
    let port_list = ports
        .iter()
        .map(|p| p.to_string())
        .collect::<Vec<_>>()
        .join(",");
    for n in &nodes {
        let mut child = spawn_helper(
            &n.ns,
            "netns_helper_listen",
            (
                LISTEN_ENV,
                format!(
                    "{} {port_list}",
                    n.addrs.iter().map(|a| a.to_string()).collect::<Vec<_>>().join("+")
                ),
            ),
        )
        .unwrap();
        // The test harness prints its own lines first; wait for the helper's.
        let mut reader = BufReader::new(child.stdout.take().unwrap());
        guard.children.push(child);
        let mut seen = String::new();
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap() == 0 || line.contains("LISTENING") {
                seen.push_str(&line);
                break;
            }
            seen.push_str(&line);
        }
        assert!(
            seen.contains("LISTENING"),
            "listener in {} did not start: {seen:?}\n{label}",
            n.ns
        );
    }

    // Every attempt, from every node.
    let mut checked = 0usize;
    let mut allowed = 0usize;
    let mut allowed_udp = 0usize;
    let mut expected_udp = 0usize;
    let mut mismatches = Vec::new();
    for src in &nodes {
        let mut targets = Vec::new();
        for dst in nodes
            .iter()
            .filter(|d| d.name != src.name && (src.workload || d.workload))
        {
            for a in &dst.addrs {
                for p in &ports {
                    targets.push((dst, *p, SocketAddr::from((*a, p.port))));
                }
            }
        }
        let list = targets
            .iter()
            .map(|(_, p, a)| format!("{}/{a}", if p.proto == Proto::Udp { "udp" } else { "tcp" }))
            .collect::<Vec<_>>()
            .join(",");
        let child = spawn_helper(&src.ns, "netns_helper_connect", (CONNECT_ENV, list)).unwrap();
        let output = child.wait_with_output().unwrap();
        let results: BTreeMap<String, bool> = String::from_utf8_lossy(&output.stdout)
            .lines()
            .filter_map(|l| l.find("RESULT ").map(|i| &l[i + 7..]))
            .filter_map(|l| l.split_once(' ').map(|(a, r)| (a.to_string(), r == "open")))
            .collect();
        for (dst, port, addr) in &targets {
            let expected = common::reachable(policy, &src.end, &dst.end, port.proto, port.port);
            let key = format!("{}/{addr}", if port.proto == Proto::Udp { "udp" } else { "tcp" });
            let actual = *results
                .get(&key)
                .unwrap_or_else(|| panic!("no result for {key} from {}", src.name));
            checked += 1;
            allowed += usize::from(actual);
            allowed_udp += usize::from(actual && port.proto == Proto::Udp);
            expected_udp += usize::from(expected && port.proto == Proto::Udp);
            if expected != actual {
                mismatches.push(format!(
                    "{} -> {} ({addr}) {port}: evaluator says {}, the network {}",
                    src.name,
                    dst.name,
                    if expected { "reachable" } else { "unreachable" },
                    if actual { "connected" } else { "refused it" }
                ));
            }
        }
    }
    // Written to the process's stderr directly: the harness captures only the print
    // macros, and the matrix size belongs in every run's log, passing or not.
    let udp = ports.iter().filter(|p| p.proto == Proto::Udp).count();
    let outside: Vec<&str> = nodes.iter().filter(|n| !n.workload).map(|n| n.name.as_str()).collect();
    let _ = writeln!(
        std::io::stderr(),
        "{}: reachability matrix: {} namespaces (outside: {}), {} ports ({} tcp, {udp} udp), {checked} attempts, {allowed} connected ({allowed_udp} over udp), {} mismatches",
        label.lines().next().unwrap_or_default().trim_end_matches(':'),
        nodes.len(),
        outside.join(", "),
        ports.len(),
        ports.len() - udp,
        mismatches.len()
    );
    assert!(checked > 0, "{label}");
    if allowed == 0 && mismatches.len() > 1 {
        mismatches.insert(0, "nothing connected at all: the topology is broken?".to_string());
    } else if allowed_udp == 0 && expected_udp > 0 {
        mismatches.insert(0, "no datagram was answered: the UDP probe is broken?".to_string());
    }
    assert!(
        mismatches.is_empty(),
        "enforcement differs from the evaluator:\n{}\n\n{label}",
        mismatches.join("\n")
    );

    // verify.sh passes on every host, then catches a tampered ruleset.
    let verify = out.path().join("verify/verify.sh");
    for n in nodes.iter().filter(|n| n.workload) {
        let o = in_ns(&n.ns, &["bash", verify.to_str().unwrap()])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&o.stdout);
        assert!(
            o.status.success(),
            "verify.sh failed on {}:\n{text}{}\n{label}",
            n.name,
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(
            text.contains(&format!("PASS  {}: live ruleset matches", n.name)),
            "{text}\n{label}"
        );
    }
    let victim = nodes.iter().find(|n| n.workload).unwrap();
    let table = common::table_of(policy, &victim.name);
    run(&mut in_ns(
        &victim.ns,
        &[
            "nft", "add", "rule", "inet", &table, "input", "tcp", "dport", "22", "accept",
        ],
    ))
    .unwrap();
    let o = in_ns(
        &victim.ns,
        &["bash", verify.to_str().unwrap(), &victim.name],
    )
    .output()
    .unwrap();
    let text = String::from_utf8_lossy(&o.stdout);
    assert_eq!(
        o.status.code(),
        Some(1),
        "verify.sh must fail on a tampered ruleset:\n{text}\n{label}"
    );
    assert!(
        text.contains("FAIL") && text.contains("tcp dport 22 accept"),
        "{text}\n{label}"
    );
    drop(guard);
}

/// Helper process: listens on the ports in `CW_NETNS_TEST_LISTEN`
/// (`198.51.100.10+198.51.100.11 tcp/443,udp/53`: the namespace's addresses, then the
/// ports) until killed. A UDP port answers every datagram with one back, from the
/// address it was sent to (one socket per address: a socket bound to 0.0.0.0 would
/// answer from the primary address, which the prober rightly refuses).
#[test]
#[ignore = "helper process of the enforcement test"]
fn netns_helper_listen() {
    let Ok(list) = std::env::var(LISTEN_ENV) else {
        return;
    };
    let (addrs, list) = list.split_once(' ').expect("addresses, then ports");
    let addrs: Vec<Ipv4Addr> = addrs.split('+').map(|a| a.parse().unwrap()).collect();
    let mut handles = Vec::new();
    let mut bound = Vec::new();
    for p in list.split(',') {
        let p: Port = p.parse().unwrap();
        if p.proto == Proto::Udp {
            for a in &addrs {
                let sock = UdpSocket::bind((*a, p.port)).unwrap();
                bound.push(std::thread::spawn(move || {
                    let mut buf = [0u8; 64];
                    while let Ok((n, from)) = sock.recv_from(&mut buf) {
                        let _ = sock.send_to(&buf[..n], from);
                    }
                }));
            }
        } else {
            let l = TcpListener::bind(("0.0.0.0", p.port)).unwrap();
            handles.push(std::thread::spawn(move || {
                for s in l.incoming().flatten() {
                    drop(s);
                }
            }));
        }
    }
    handles.extend(bound);
    println!("LISTENING");
    for h in handles {
        let _ = h.join();
    }
}

/// Helper process: tries each `tcp/addr:port` or `udp/addr:port` of
/// `CW_NETNS_TEST_CONNECT` (TCP: a connection; UDP: a datagram answered by the listener),
/// prints one `RESULT proto/addr:port open|closed` line each.
#[test]
#[ignore = "helper process of the enforcement test"]
fn netns_helper_connect() {
    let Ok(list) = std::env::var(CONNECT_ENV) else {
        return;
    };
    let targets: Vec<(&str, SocketAddr)> = list
        .split(',')
        .map(|t| {
            let (proto, a) = t.split_once('/').unwrap();
            (proto, a.parse().unwrap())
        })
        .collect();
    let udp_answered = |a: &SocketAddr| {
        let Ok(sock) = UdpSocket::bind(("0.0.0.0", 0)) else { return false };
        let _ = sock.set_read_timeout(Some(CONNECT_TIMEOUT));
        let mut buf = [0u8; 64];
        sock.send_to(b"ping", a).is_ok() && matches!(sock.recv_from(&mut buf), Ok((n, from)) if from == *a && &buf[..n] == b"ping")
    };
    let results: Vec<(String, bool)> = std::thread::scope(|s| {
        let handles: Vec<_> = targets
            .iter()
            .map(|(proto, a)| {
                s.spawn(move || {
                    let open = if *proto == "udp" { udp_answered(a) } else { TcpStream::connect_timeout(a, CONNECT_TIMEOUT).is_ok() };
                    (format!("{proto}/{a}"), open)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for (a, open) in results {
        println!("RESULT {a} {}", if open { "open" } else { "closed" });
    }
}
