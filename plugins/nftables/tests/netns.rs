//! End-to-end enforcement: the rendered rulesets, loaded with `nft -f` into one network
//! namespace per workload, let through exactly what the core reachability evaluator
//! says, for every (source, destination, port) of the example profile, over TCP and UDP.
//!
//! Topology: a bridge namespace; one namespace per workload (its `[hosts]` addresses),
//! one for the internet (an address outside every declared range) and one per
//! `[[external]]` party (the first address of its first range), each joined to the
//! bridge by a veth pair. Listeners and connection attempts run in child processes
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

/// An outside address for the internet: in the documentation ranges the test may use
/// (198.51.100.0/24, 203.0.113.0/24), in no declared range and not in `[hosts]`.
fn internet_address(policy: &Policy) -> Ipv4Addr {
    let candidates = (200..=254)
        .map(|h| Ipv4Addr::new(198, 51, 100, h))
        .chain((200..=254).map(|h| Ipv4Addr::new(203, 0, 113, h)));
    let taken = |a: Ipv4Addr| {
        let ip = std::net::IpAddr::V4(a);
        policy
            .externals
            .iter()
            .filter(|e| e.name != "internet")
            .flat_map(|e| &e.cidrs)
            .any(|c| c.contains(&ip))
            || policy.hosts.values().flatten().any(|c| c.contains(&ip))
    };
    candidates
        .into_iter()
        .find(|a| !taken(*a))
        .expect("a free outside address")
}

fn nodes(policy: &Policy, pid: u32) -> Vec<Node> {
    let mut out = Vec::new();
    let mut i = 0;
    let mut next_ns = || {
        i += 1;
        format!("cw{pid}n{i}")
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
    let mut outside: Vec<(String, Ipv4Addr)> =
        vec![("internet".to_string(), internet_address(policy))];
    for e in policy.externals.iter().filter(|e| e.name != "internet") {
        if let Some(ipnet::IpNet::V4(net)) =
            e.cidrs.iter().find(|c| matches!(c, ipnet::IpNet::V4(_)))
        {
            let addr = net.hosts().next().unwrap_or(net.addr());
            outside.push((e.name.clone(), addr));
        }
    }
    for (name, addr) in outside {
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

#[test]
fn rulesets_enforce_exactly_the_evaluated_reachability() {
    let pid = std::process::id();
    if let Some(why) = cannot_run(&format!("cw{pid}probe")) {
        // Under CI (which runs as root with nftables and iproute2 installed) a skip
        // would hide a broken setup: fail instead.
        let in_ci =
            matches!(std::env::var("CI"), Ok(v) if !v.is_empty() && v != "false" && v != "0");
        assert!(!in_ci, "the enforcement test cannot run under CI: {why}");
        let _ = writeln!(std::io::stderr(), "SKIP rulesets_enforce_exactly_the_evaluated_reachability: {why}");
        return;
    }
    let policy = common::example_policy();
    let plugin = common::nftables_plugin();
    let artifacts = plugin.render(&policy, Phase::ALL).expect("render");
    let out = tempfile::tempdir().unwrap();
    for (path, text) in &artifacts {
        let p = out.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
    }

    let nodes = nodes(&policy, pid);
    let ports = ports(&policy);
    let mut guard = Guard::default();
    build_topology(&mut guard, &nodes, &format!("cw{pid}br")).unwrap_or_else(|e| panic!("{e}"));

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
            .unwrap_or_else(|e| panic!("{e}"));
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
            (LISTEN_ENV, port_list.clone()),
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
            "listener in {} did not start: {seen:?}",
            n.ns
        );
    }

    // Every attempt, from every node.
    let mut checked = 0usize;
    let mut allowed = 0usize;
    let mut allowed_udp = 0usize;
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
            let expected = common::reachable(&policy, &src.end, &dst.end, port.proto, port.port);
            let key = format!("{}/{addr}", if port.proto == Proto::Udp { "udp" } else { "tcp" });
            let actual = *results
                .get(&key)
                .unwrap_or_else(|| panic!("no result for {key} from {}", src.name));
            checked += 1;
            allowed += usize::from(actual);
            allowed_udp += usize::from(actual && port.proto == Proto::Udp);
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
    let _ = writeln!(
        std::io::stderr(),
        "reachability matrix: {} namespaces, {} ports ({} tcp, {udp} udp), {checked} attempts, {allowed} connected ({allowed_udp} over udp), {} mismatches",
        nodes.len(),
        ports.len(),
        ports.len() - udp,
        mismatches.len()
    );
    assert!(checked > 0);
    assert!(
        allowed > 0,
        "nothing connected at all: the topology is broken"
    );
    assert!(
        allowed_udp > 0 || !policy.rules.iter().any(|r| r.ports.proto == Proto::Udp),
        "the Policy allows UDP but no datagram was answered: the UDP probe is broken"
    );
    assert!(
        mismatches.is_empty(),
        "enforcement differs from the evaluator:\n{}",
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
            "verify.sh failed on {}:\n{text}{}",
            n.name,
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(
            text.contains(&format!("PASS  {}: live ruleset matches", n.name)),
            "{text}"
        );
    }
    let victim = nodes.iter().find(|n| n.workload).unwrap();
    let table = common::table_of(&policy, &victim.name);
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
        "verify.sh must fail on a tampered ruleset:\n{text}"
    );
    assert!(
        text.contains("FAIL") && text.contains("tcp dport 22 accept"),
        "{text}"
    );
    drop(guard);
}

/// Helper process: listens on the ports in `CW_NETNS_TEST_LISTEN` (`tcp/443,udp/53`)
/// until killed; a UDP port answers every datagram with one back.
#[test]
#[ignore = "helper process of the enforcement test"]
fn netns_helper_listen() {
    let Ok(list) = std::env::var(LISTEN_ENV) else {
        return;
    };
    let mut handles = Vec::new();
    let mut bound = Vec::new();
    for p in list.split(',') {
        let p: Port = p.parse().unwrap();
        if p.proto == Proto::Udp {
            let sock = UdpSocket::bind(("0.0.0.0", p.port)).unwrap();
            bound.push(std::thread::spawn(move || {
                let mut buf = [0u8; 64];
                while let Ok((n, from)) = sock.recv_from(&mut buf) {
                    let _ = sock.send_to(&buf[..n], from);
                }
            }));
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
