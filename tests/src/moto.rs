//! A moto server (a local AWS API emulator) on 127.0.0.1, started per test on a free port
//! and killed when the guard drops, with helpers to run the real `aws` CLI against it.
//!
//! Every `aws` run costs about a second of CPU, nearly all of it importing awscli and
//! parsing the service models, which made the moto suites take tens of minutes. So each
//! [`Moto`] also starts `tests/tools/aws_forkserver.py`: the real awscli, imported once,
//! forked for every call with the caller's arguments, environment, directory and streams
//! (see that file). [`Moto::env`] puts its `aws` first on `PATH`, so the generated scripts
//! and [`Moto::aws_json`] go through it; `CLOUDWALL_AWS_FORKSERVER=0` runs the plain CLI.

use crate::tools;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

#[derive(Debug)]
pub struct Moto {
    child: Child,
    pub port: u16,
    /// The real `aws` CLI (a Python script).
    pub aws: PathBuf,
    pub region: String,
    /// The fork server of the real CLI and the folder holding its `aws` client and socket.
    fast: Option<(Child, tempfile::TempDir)>,
}

/// Starts the `aws` fork server for `aws` (the real CLI script); `None` when it cannot run.
fn fork_server(aws: &Path, env: &[(String, String)]) -> Option<(Child, tempfile::TempDir)> {
    if matches!(std::env::var("CLOUDWALL_AWS_FORKSERVER"), Ok(v) if v == "0" || v == "false") {
        return None;
    }
    let first = std::fs::read_to_string(aws).ok()?.lines().next()?.to_string();
    let python = first.strip_prefix("#!")?.trim().to_string();
    if python.contains(' ') || !Path::new(&python).is_file() {
        return None;
    }
    let server = tools::workspace_root().join("tests/tools/aws_forkserver.py");
    let dir = tempfile::Builder::new().prefix("awsfs").tempdir_in("/tmp").ok()?;
    let sock = dir.path().join("s");
    let child = Command::new(&python)
        .arg(&server)
        .arg("serve")
        .arg(&sock)
        .env_clear()
        .envs(env.iter().cloned())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .ok()?;
    let client = dir.path().join("aws");
    let text = format!(
        "#!{python} -SE\nimport sys\nsys.path.insert(0, {tools:?})\nimport aws_forkserver\nsys.exit(aws_forkserver.client({sock:?}, sys.argv[1:]))\n",
        tools = server.parent().unwrap().display().to_string(),
        sock = sock.display().to_string(),
    );
    std::fs::write(&client, text).ok()?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&client, std::fs::Permissions::from_mode(0o755)).ok()?;
    }
    let mut child = child;
    let deadline = Instant::now() + Duration::from_secs(60);
    while std::os::unix::net::UnixStream::connect(&sock).is_err() {
        if Instant::now() > deadline || matches!(child.try_wait(), Ok(Some(_))) {
            let _ = child.kill();
            let _ = child.wait();
            eprintln!("the aws fork server did not start: using the plain aws CLI");
            return None;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Some((child, dir))
}

impl Moto {
    /// Starts moto and waits until it answers; `None` (after a printed reason) when the
    /// tools are missing outside CI.
    pub fn start() -> Option<Moto> {
        let server = tools::require("moto_server", "the AWS API emulator the scripts run against")?;
        let aws = tools::require("aws", "the real AWS CLI the generated scripts call")?;
        let port = TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("free port").port();
        let child = Command::new(server)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            // AWS managed policies (AmazonSSMManagedInstanceCore...) exist, as in a real account.
            .env("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start moto_server");
        let mut moto = Moto { child, port, aws, region: "us-east-1".into(), fast: None };
        moto.fast = fork_server(&moto.aws, &moto.env());
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "moto_server did not start on port {port}");
            std::thread::sleep(Duration::from_millis(100));
        }
        Some(moto)
    }

    /// The `aws` the tests and scripts run: the fork server's client, or the plain CLI.
    pub fn cli(&self) -> PathBuf {
        match &self.fast {
            Some((_, dir)) => dir.path().join("aws"),
            None => self.aws.clone(),
        }
    }

    /// Runs `bash SCRIPT` against the emulator with `env` on top of [`Moto::env`].
    pub fn bash(&self, script: &Path, env: &[(String, String)]) -> (i32, String, String) {
        let mut cmd = Command::new("bash");
        cmd.arg(script).envs(self.env()).envs(env.iter().cloned());
        tools::run(&mut cmd)
    }

    /// Runs `bash SCRIPT` and panics (with its output) unless it exits 0.
    pub fn apply(&self, script: &Path, env: &[(String, String)]) {
        let (code, out, err) = self.bash(script, env);
        assert_eq!(code, 0, "{} failed\nstdout:\n{out}\nstderr:\n{err}", script.display());
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Environment for any process that talks to this emulator.
    pub fn env(&self) -> Vec<(String, String)> {
        let aws_dir = self.aws.parent().map(Path::to_path_buf).unwrap_or_default();
        let mut first = vec![];
        if let Some((_, dir)) = &self.fast {
            first.push(dir.path().to_path_buf());
        }
        first.push(aws_dir.clone());
        let path = match std::env::var_os("PATH") {
            Some(p) => {
                let mut dirs = first;
                dirs.extend(std::env::split_paths(&p));
                std::env::join_paths(dirs).unwrap().to_string_lossy().into_owned()
            }
            None => aws_dir.display().to_string(),
        };
        vec![
            ("AWS_ENDPOINT_URL".into(), self.endpoint()),
            ("AWS_ACCESS_KEY_ID".into(), "testing".into()),
            ("AWS_SECRET_ACCESS_KEY".into(), "testing".into()),
            ("AWS_SESSION_TOKEN".into(), "testing".into()),
            ("AWS_DEFAULT_REGION".into(), self.region.clone()),
            ("AWS_REGION".into(), self.region.clone()),
            ("AWS_PAGER".into(), String::new()),
            ("AWS_CONFIG_FILE".into(), "/dev/null".into()),
            ("AWS_SHARED_CREDENTIALS_FILE".into(), "/dev/null".into()),
            ("PATH".into(), path),
        ]
    }

    /// Runs `aws ARGS... --output json` and parses the JSON answer (panics on failure).
    pub fn aws_json(&self, args: &[&str]) -> serde_json::Value {
        let mut cmd = Command::new(self.cli());
        cmd.args(args).args(["--output", "json"]).envs(self.env());
        let (code, out, err) = tools::run(&mut cmd);
        assert_eq!(code, 0, "aws {args:?} failed: {err}");
        if out.trim().is_empty() {
            serde_json::Value::Null
        } else {
            serde_json::from_str(&out).unwrap_or_else(|e| panic!("aws {args:?}: not JSON ({e}): {out}"))
        }
    }

    /// Creates a VPC with one subnet per tier and a private route table; returns the
    /// environment `apply.sh` / `verify.sh` take.
    pub fn network(&self) -> Vec<(String, String)> {
        self.network_in(&self.region.clone(), 20)
    }

    /// [`Moto::network`] in `region`, with the VPC `10.<second>.0.0/16` (a multi-region
    /// profile takes one per region, each with its own range).
    pub fn network_in(&self, region: &str, second: u8) -> Vec<(String, String)> {
        let vpc = self.aws_json(&["ec2", "create-vpc", "--region", region, "--cidr-block", &format!("10.{second}.0.0/16")]);
        let vpc_id = vpc["Vpc"]["VpcId"].as_str().expect("VpcId").to_string();
        let mut env = vec![("VPC_ID".to_string(), vpc_id.clone())];
        for (i, var) in ["PUBLIC_SUBNET_IDS", "APP_SUBNET_IDS", "DATA_SUBNET_IDS"].iter().enumerate() {
            let mut ids = vec![];
            for az in 0..2 {
                let cidr = format!("10.{second}.{}.0/24", i * 10 + az);
                let zone = format!("{region}{}", ["a", "b"][az]);
                let s = self.aws_json(&[
                    "ec2", "create-subnet", "--region", region, "--vpc-id", &vpc_id, "--cidr-block", &cidr, "--availability-zone", &zone,
                ]);
                ids.push(s["Subnet"]["SubnetId"].as_str().expect("SubnetId").to_string());
            }
            env.push((var.to_string(), ids.join(" ")));
        }
        let rt = self.aws_json(&["ec2", "create-route-table", "--region", region, "--vpc-id", &vpc_id]);
        env.push((
            "PRIVATE_ROUTE_TABLE_IDS".into(),
            rt["RouteTable"]["RouteTableId"].as_str().expect("RouteTableId").to_string(),
        ));
        env
    }

    /// [`Moto::network`] plus what the policy's topology adds to the scripts' inputs: for
    /// hub-spoke, the hub's transit-gateway subnet and route table and, per spoke, a VPC
    /// (`10.31.0.0/16`, `10.32.0.0/16`, ...) with its transit-gateway subnet, route table
    /// and one pair of subnets per tier (`SPOKE_<NAME>_<TIER>_SUBNET_IDS`). Multi-region
    /// profiles take one VPC per region instead; `tests/tests/aws_topology.rs` builds those.
    pub fn network_for(&self, policy: &cloudwall_core::policy::Policy) -> Vec<(String, String)> {
        let mut env = self.network();
        if policy.spokes.is_empty() {
            return env;
        }
        let get = |env: &[(String, String)], k: &str| env.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).expect("network input");
        let subnet = |vpc: &str, cidr: &str, az: &str| -> String {
            let zone = format!("{}{az}", self.region);
            let s = self.aws_json(&["ec2", "create-subnet", "--vpc-id", vpc, "--cidr-block", cidr, "--availability-zone", &zone]);
            s["Subnet"]["SubnetId"].as_str().expect("SubnetId").to_string()
        };
        let hub_vpc = get(&env, "VPC_ID");
        env.push(("HUB_TGW_SUBNET_IDS".into(), subnet(&hub_vpc, "10.20.200.0/28", "a")));
        env.push(("HUB_ROUTE_TABLE_IDS".into(), get(&env, "PRIVATE_ROUTE_TABLE_IDS")));
        for (i, spoke) in policy.spokes.iter().enumerate() {
            let prefix = cloudwall_aws::phases::topology::spoke_env(spoke);
            let second = 31 + i;
            let vpc = self.aws_json(&["ec2", "create-vpc", "--cidr-block", &format!("10.{second}.0.0/16")]);
            let vpc = vpc["Vpc"]["VpcId"].as_str().expect("VpcId").to_string();
            let rt = self.aws_json(&["ec2", "create-route-table", "--vpc-id", &vpc]);
            let rt = rt["RouteTable"]["RouteTableId"].as_str().expect("RouteTableId").to_string();
            env.push((format!("{prefix}_TGW_SUBNET_IDS"), subnet(&vpc, &format!("10.{second}.1.0/28"), "a")));
            for (tier, third) in [("PUBLIC", 5), ("APP", 10), ("DATA", 20)] {
                let ids: Vec<String> = ["a", "b"]
                    .iter()
                    .enumerate()
                    .map(|(k, az)| subnet(&vpc, &format!("10.{second}.{third}.{}/26", k * 64), az))
                    .collect();
                env.push((format!("{prefix}_{tier}_SUBNET_IDS"), ids.join(" ")));
            }
            env.push((format!("{prefix}_VPC_ID"), vpc));
            env.push((format!("{prefix}_ROUTE_TABLE_IDS"), rt));
        }
        env
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        if let Some((child, _)) = &mut self.fast {
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs `f` on every item, a few at a time: one emulator per worker thread, whose items run
/// one after the other, each in a VPC of its own. (Separate emulators because the scripts
/// also create account-wide resources, such as Session Manager's preferences document,
/// whose find-or-create must not race.) Panics after all ran, listing every item that
/// failed; returns without running anything (after a printed reason) when the tools are
/// missing outside CI.
pub fn each_on_moto<T: Sync>(items: &[T], name: impl Fn(&T) -> String + Sync, f: impl Fn(&Moto, &T) + Sync) {
    if tools::require("moto_server", "the AWS API emulator the scripts run against").is_none()
        || tools::require("aws", "the real AWS CLI the generated scripts call").is_none()
    {
        return;
    }
    let threads = std::env::var("CLOUDWALL_MOTO_THREADS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()).clamp(2, 3))
        .clamp(1, items.len().max(1));
    let next = std::sync::atomic::AtomicUsize::new(0);
    let failures = std::sync::Mutex::new(Vec::<String>::new());
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                let moto = Moto::start().expect("the tools were found");
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    let Some(item) = items.get(i) else { break };
                    let started = Instant::now();
                    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(&moto, item))) {
                        Ok(()) => eprintln!("{}: ok in {:.0?}", name(item), started.elapsed()),
                        Err(e) => {
                            let msg = e
                                .downcast_ref::<String>()
                                .cloned()
                                .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                                .unwrap_or_default();
                            failures.lock().unwrap().push(format!("{}: {msg}", name(item)));
                        }
                    }
                }
            });
        }
    });
    let failures = failures.into_inner().unwrap();
    assert!(failures.is_empty(), "{} of {} failed:\n\n{}", failures.len(), items.len(), failures.join("\n\n"));
}
