//! Parameter validation against the service models that botocore ships with the `aws`
//! CLI (its own Python environment): for the API calls the emulator (moto) does not
//! implement, the generated commands are checked the way the CLI would check them before
//! sending anything.

use crate::tools;
use std::io::Write;
use std::process::{Command, Stdio};

const VALIDATE: &str = r#"
import json, sys, botocore.session, botocore.validate
service = sys.argv[1]
m = botocore.session.get_session().get_service_model(service)
bad = []
for op, params in json.load(sys.stdin):
    try:
        botocore.validate.validate_parameters(params, m.operation_model(op).input_shape)
        print("valid", op, sorted(params))
    except Exception as e:
        bad.append("%s: %s" % (op, e))
if bad:
    print("\n".join(bad)); sys.exit(1)
"#;

/// Validates each `(operation, parameters)` pair (operation in API form, `CreateRuleGroup`)
/// against `service`'s model (`ec2`, `network-firewall`). `Ok` holds one line per valid
/// call; `Err` names every refused call and why. `None` (after a printed reason) when the
/// tools' Python is not installed outside CI.
pub fn validate(service: &str, calls: &[(String, serde_json::Value)]) -> Option<Result<String, String>> {
    let python = tools::tools_python()?;
    let doc = serde_json::Value::Array(calls.iter().map(|(op, v)| serde_json::json!([op, v])).collect()).to_string();
    let mut child = Command::new(python)
        .args(["-c", VALIDATE, service])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the tools' python");
    child.stdin.take().expect("stdin").write_all(doc.as_bytes()).expect("write the calls");
    let o = child.wait_with_output().expect("python");
    let out = String::from_utf8_lossy(&o.stdout).trim().to_string();
    Some(if o.status.success() { Ok(out) } else { Err(format!("{out}\n{}", String::from_utf8_lossy(&o.stderr))) })
}
