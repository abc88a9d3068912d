//! A moto server (a local AWS API emulator) on 127.0.0.1, started per test on a free port
//! and killed when the guard drops, with helpers to run the real `aws` CLI against it.

use crate::tools;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

#[derive(Debug)]
pub struct Moto {
    child: Child,
    pub port: u16,
    pub aws: PathBuf,
    pub region: String,
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
        let moto = Moto { child, port, aws, region: "us-east-1".into() };
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "moto_server did not start on port {port}");
            std::thread::sleep(Duration::from_millis(100));
        }
        Some(moto)
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Environment for any process that talks to this emulator.
    pub fn env(&self) -> Vec<(String, String)> {
        let aws_dir = self.aws.parent().map(Path::to_path_buf).unwrap_or_default();
        let path = match std::env::var_os("PATH") {
            Some(p) => {
                let mut dirs = vec![aws_dir];
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
        let mut cmd = Command::new(&self.aws);
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
        let vpc = self.aws_json(&["ec2", "create-vpc", "--cidr-block", "10.20.0.0/16"]);
        let vpc_id = vpc["Vpc"]["VpcId"].as_str().expect("VpcId").to_string();
        let mut env = vec![("VPC_ID".to_string(), vpc_id.clone())];
        for (i, var) in ["PUBLIC_SUBNET_IDS", "APP_SUBNET_IDS", "DATA_SUBNET_IDS"].iter().enumerate() {
            let mut ids = vec![];
            for az in 0..2 {
                let cidr = format!("10.20.{}.0/24", i * 10 + az);
                let zone = format!("{}{}", self.region, ["a", "b"][az]);
                let s = self.aws_json(&[
                    "ec2", "create-subnet", "--vpc-id", &vpc_id, "--cidr-block", &cidr, "--availability-zone", &zone,
                ]);
                ids.push(s["Subnet"]["SubnetId"].as_str().expect("SubnetId").to_string());
            }
            env.push((var.to_string(), ids.join(" ")));
        }
        let rt = self.aws_json(&["ec2", "create-route-table", "--vpc-id", &vpc_id]);
        env.push((
            "PRIVATE_ROUTE_TABLE_IDS".into(),
            rt["RouteTable"]["RouteTableId"].as_str().expect("RouteTableId").to_string(),
        ));
        env
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
