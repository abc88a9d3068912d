//! The access phase of the AWS provider against real tools: `apply.sh` creates the Session
//! Manager pieces on a local AWS emulator (moto), the Client VPN commands (which moto does
//! not implement) are validated against the EC2 service model botocore ships, and
//! `cli/migrate-bastion.sh` revokes exactly the internet SSH/RDP rules.

use cloudwall_aws::Aws;
use cloudwall_core::provider::Provider;
use cloudwall_tests::{botocore, moto::Moto, pipeline, tools};

#[test]
fn apply_sh_creates_the_session_manager_pieces_on_the_emulator() {
    let Some(moto) = Moto::start() else { return };
    let (dir, files) = pipeline::render_example(&Aws, "legacy-bastion-migration.toml");
    assert!(files.contains_key("terraform/access.tf"));
    let net = moto.network();
    let script = dir.path().join("cli/apply.sh");
    for run in 0..2 {
        let (code, out, err) = moto.bash(&script, &net);
        assert_eq!(code, 0, "apply.sh run {run} failed\nstdout:\n{out}\nstderr:\n{err}");
    }
    let role = moto.aws_json(&["iam", "get-role", "--role-name", "prod-billing-ssm-instance"]);
    assert!(role["Role"]["AssumeRolePolicyDocument"].to_string().contains("ec2.amazonaws.com"), "{role}");
    let attached = moto.aws_json(&["iam", "list-attached-role-policies", "--role-name", "prod-billing-ssm-instance"]);
    assert!(attached.to_string().contains("AmazonSSMManagedInstanceCore"), "{attached}");
    let inline = moto.aws_json(&[
        "iam", "get-role-policy", "--role-name", "prod-billing-ssm-instance", "--policy-name", "session-logging",
    ]);
    assert!(inline.to_string().contains("s3:PutObject"), "{inline}");
    let profile =
        moto.aws_json(&["iam", "get-instance-profile", "--instance-profile-name", "prod-billing-ssm-instance"]);
    let roles = profile["InstanceProfile"]["Roles"].as_array().expect("Roles");
    assert_eq!(roles.len(), 1, "the role is in the profile exactly once: {profile}");
    let account = moto.aws_json(&["sts", "get-caller-identity"])["Account"].as_str().unwrap().to_string();
    let arn = format!("arn:aws:iam::{account}:policy/prod-billing-ssm-operators");
    let pol = moto.aws_json(&["iam", "get-policy", "--policy-arn", &arn]);
    let version = pol["Policy"]["DefaultVersionId"].as_str().unwrap().to_string();
    let doc = moto.aws_json(&["iam", "get-policy-version", "--policy-arn", &arn, "--version-id", &version]);
    let doc_text = doc.to_string();
    for want in ["ssm:resourceTag/Env", "AWS-StartPortForwardingSessionToRemoteHost", "session/${aws:username}-*"] {
        assert!(doc_text.contains(want), "operator policy lacks {want}: {doc_text}");
    }
    let ssm_doc = moto.aws_json(&["ssm", "get-document", "--name", "SSM-SessionManagerRunShell"]);
    assert_eq!(ssm_doc["DocumentType"], "Session");
    let content: serde_json::Value = serde_json::from_str(ssm_doc["Content"].as_str().unwrap()).unwrap();
    assert_eq!(content["sessionType"], "Standard_Stream");
    assert_eq!(content["inputs"]["idleSessionTimeout"], "15");
    assert_eq!(content["inputs"]["runAsEnabled"], false);
    let bucket = content["inputs"]["s3BucketName"].as_str().unwrap().to_string();
    assert_eq!(bucket, format!("prod-billing-session-logs-{account}"));
    assert!(content["inputs"]["kmsKeyId"].as_str().unwrap().starts_with("arn:aws:kms:"), "{content}");
    let versioning = moto.aws_json(&["s3api", "get-bucket-versioning", "--bucket", &bucket]);
    assert_eq!(versioning["Status"], "Enabled");
    let enc = moto.aws_json(&["s3api", "get-bucket-encryption", "--bucket", &bucket]);
    assert!(enc.to_string().contains("aws:kms"), "{enc}");
    let pab = moto.aws_json(&["s3api", "get-public-access-block", "--bucket", &bucket]);
    assert_eq!(pab["PublicAccessBlockConfiguration"]["BlockPublicPolicy"], true);
    let lc = moto.aws_json(&["s3api", "get-bucket-lifecycle-configuration", "--bucket", &bucket]);
    assert_eq!(lc["Rules"][0]["Expiration"]["Days"], 730);
    let bp = moto.aws_json(&["s3api", "get-bucket-policy", "--bucket", &bucket]);
    assert!(bp["Policy"].as_str().unwrap().contains("aws:SecureTransport"), "{bp}");
    let lg = moto.aws_json(&["logs", "describe-log-groups", "--log-group-name-prefix", "/aws/ssm/sessions/prod-billing"]);
    let g = &lg["logGroups"][0];
    assert_eq!(g["logGroupName"], "/aws/ssm/sessions/prod-billing");
    assert_eq!(g["retentionInDays"], 731, "730 days round up to the accepted 731");
    assert!(g["kmsKeyId"].as_str().is_some_and(|k| k.starts_with("arn:aws:kms:")), "{g}");
    let key = moto.aws_json(&["kms", "describe-key", "--key-id", "alias/prod-billing-access"]);
    let key_id = key["KeyMetadata"]["KeyId"].as_str().unwrap().to_string();
    let rot = moto.aws_json(&["kms", "get-key-rotation-status", "--key-id", &key_id]);
    assert_eq!(rot["KeyRotationEnabled"], true);
    // The SSM endpoints were added to the private endpoints of the plan.
    assert!(files["report.md"].contains("aws ssm start-session --target"));
    assert!(files["report.md"].contains("AWS-StartPortForwardingSessionToRemoteHost"));
    assert!(files["report.md"].contains("5432"), "port forwarding to the data tier's port");
    eprintln!("Session Manager role, profile, operator policy, document, bucket, log group and key exist on moto");
}

/// Every `--cli-input-json` document of the Client VPN commands in `apply.sh`, with its
/// shell placeholders filled with values of the right form.
fn client_vpn_inputs(apply: &str) -> Vec<(&'static str, serde_json::Value)> {
    let fill = |s: &str| {
        s.replace("@SERVER_CERT_ARN@", "arn:aws:acm:us-east-1:123456789012:certificate/server")
            .replace("@ROOT_CERT_ARN@", "arn:aws:acm:us-east-1:123456789012:certificate/root")
            .replace("@VPN_SG@", "sg-0123456789abcdef0")
            .replace("@VPC_ID@", "vpc-0123456789abcdef0")
            .replace("$VPN_ENDPOINT_ID", "cvpn-endpoint-0123456789abcdef0")
            .replace("$subnet", "subnet-0123456789abcdef0")
            .replace("$cidr", "10.20.10.0/24")
    };
    let mut out = vec![];
    for line in apply.lines() {
        let l = line.trim();
        if let Some(rest) = l.strip_prefix("VPN_INPUT='") {
            let json = rest.strip_suffix('\'').expect("single-quoted JSON");
            out.push(("CreateClientVpnEndpoint", serde_json::from_str(&fill(json)).expect("endpoint JSON")));
        } else if l.starts_with("\"{\\\"ClientVpnEndpointId") {
            let json = l.trim_end_matches(" >/dev/null").trim_matches('"').replace("\\\"", "\"");
            let v: serde_json::Value = serde_json::from_str(&fill(&json)).expect("JSON");
            let op = if v.get("SubnetId").is_some() { "AssociateClientVpnTargetNetwork" } else { "AuthorizeClientVpnIngress" };
            out.push((op, v));
        }
    }
    out
}

#[test]
fn client_vpn_commands_match_the_ec2_service_model() {
    eprintln!("moto does not implement the Client VPN API: its commands are validated against botocore's EC2 model");
    for example in ["vpn-only.toml", "hybrid-access.toml"] {
        let (_dir, files) = pipeline::render_example(&Aws, example);
        let apply = &files["cli/apply.sh"];
        let inputs = client_vpn_inputs(apply);
        let ops: Vec<&str> = inputs.iter().map(|(o, _)| *o).collect();
        for want in ["CreateClientVpnEndpoint", "AssociateClientVpnTargetNetwork", "AuthorizeClientVpnIngress"] {
            assert!(ops.contains(&want), "{example}: no {want} command in apply.sh");
        }
        let tf = &files["terraform/access.tf"];
        assert!(tf.contains("resource \"aws_ec2_client_vpn_endpoint\" \"access\""), "{example}");
        assert!(tf.contains("aws_ec2_client_vpn_authorization_rule"), "{example}");
        let calls: Vec<(String, serde_json::Value)> = inputs.iter().map(|(o, v)| (o.to_string(), v.clone())).collect();
        let Some(result) = botocore::validate("ec2", &calls) else { return };
        let out = result.unwrap_or_else(|e| panic!("{example}: botocore refuses the Client VPN parameters:\n{e}"));
        eprintln!("{example}: {out}");
        // A parameter botocore does not know is caught (the check can fail).
        let mut wrong = inputs[0].1.clone();
        wrong["ClientCidr"] = serde_json::json!("10.0.0.0/22");
        let refused = botocore::validate("ec2", &[("CreateClientVpnEndpoint".to_string(), wrong)]);
        assert!(matches!(refused, Some(Err(_))), "an unknown parameter must be refused");
    }
}

#[test]
fn vpn_rules_come_only_from_the_vpn_group() {
    let policy = pipeline::policy_of(&tools::workspace_root().join("examples/vpn-only.toml"));
    let eff = Aws.effective_policy(&policy);
    let vpn = eff.group("client-vpn").expect("client-vpn group");
    assert_eq!(vpn.name, "stage-mgmt-client-vpn");
    let access: Vec<_> =
        eff.rules.iter().filter(|r| matches!(r.source, cloudwall_core::policy::RuleSource::Access)).collect();
    assert!(!access.is_empty());
    for r in &access {
        assert!(matches!(&r.peer, cloudwall_core::policy::Peer::Group { .. }), "{}: VPN access is group to group", r.id);
    }
    let ssh: Vec<_> = access.iter().filter(|r| r.ports.from == 22 && r.group == "shop").collect();
    assert_eq!(ssh.len(), 1, "SSH to the app VMs from the VPN group");
    assert!(access.iter().any(|r| r.group == "orders" && r.ports.from == 3306), "MySQL admin from the VPN group");
    // No SSM with vpn-only.
    assert!(!eff.endpoints.iter().any(|e| e.service == "aws:ssm"));
}

#[test]
fn migrate_bastion_revokes_exactly_the_internet_ssh_and_rdp_rules() {
    let Some(moto) = Moto::start() else { return };
    let (dir, files) = pipeline::render_example(&Aws, "legacy-bastion-migration.toml");
    assert!(files.contains_key("cli/migrate-bastion.sh"));
    let script = dir.path().join("cli/migrate-bastion.sh");
    let vpc = moto.aws_json(&["ec2", "create-vpc", "--cidr-block", "10.30.0.0/16"]);
    let vpc_id = vpc["Vpc"]["VpcId"].as_str().unwrap().to_string();
    let sg = moto.aws_json(&[
        "ec2", "create-security-group", "--group-name", "old-bastion", "--description", "legacy bastion", "--vpc-id", &vpc_id,
    ]);
    let sg_id = sg["GroupId"].as_str().unwrap().to_string();
    let perms = r#"[{"IpProtocol":"tcp","FromPort":22,"ToPort":22,"IpRanges":[{"CidrIp":"0.0.0.0/0"},{"CidrIp":"10.0.0.0/8"}],"Ipv6Ranges":[{"CidrIpv6":"::/0"}]},
                    {"IpProtocol":"tcp","FromPort":3389,"ToPort":3389,"IpRanges":[{"CidrIp":"0.0.0.0/0"}]},
                    {"IpProtocol":"tcp","FromPort":443,"ToPort":443,"IpRanges":[{"CidrIp":"0.0.0.0/0"}]}]"#;
    moto.aws_json(&["ec2", "authorize-security-group-ingress", "--group-id", &sg_id, "--ip-permissions", perms]);
    let rules = |moto: &Moto| {
        let g = moto.aws_json(&["ec2", "describe-security-groups", "--group-ids", &sg_id]);
        let mut out = std::collections::BTreeSet::new();
        for p in g["SecurityGroups"][0]["IpPermissions"].as_array().unwrap() {
            let port = p["FromPort"].as_i64().unwrap();
            for r in p["IpRanges"].as_array().into_iter().flatten() {
                out.insert(format!("{port} {}", r["CidrIp"].as_str().unwrap()));
            }
            for r in p["Ipv6Ranges"].as_array().into_iter().flatten() {
                out.insert(format!("{port} {}", r["CidrIpv6"].as_str().unwrap()));
            }
        }
        out
    };
    let before = rules(&moto);
    // moto does not implement ssm DescribeInstanceInformation (it answers 500): a shim
    // in front of the real aws CLI answers that one call with $FAKE_SSM_MANAGED and
    // passes every other call to the CLI and the emulator.
    eprintln!("moto lacks ssm DescribeInstanceInformation: the SSM-managed list is faked, everything else runs on moto");
    let shim = tempfile::tempdir().unwrap();
    let shim_aws = shim.path().join("aws");
    std::fs::write(
        &shim_aws,
        format!(
            "#!/usr/bin/env bash\nfor a in \"$@\"; do\n  if [ \"$a\" = describe-instance-information ]; then printf '%s\\n' \"${{FAKE_SSM_MANAGED:-}}\"; exit 0; fi\ndone\nexec {} \"$@\"\n",
            moto.aws.display()
        ),
    )
    .unwrap();
    let mut perm = std::fs::metadata(&shim_aws).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perm, 0o755);
    std::fs::set_permissions(&shim_aws, perm).unwrap();
    let moto_path = moto.env().into_iter().find(|(k, _)| k == "PATH").map(|(_, v)| v).unwrap_or_default();
    let env = vec![
        ("VPC_ID".to_string(), vpc_id.clone()),
        ("PATH".to_string(), format!("{}:{moto_path}", shim.path().display())),
    ];
    // Dry run (the default): prints, changes nothing.
    let (code, out, err) = moto.bash(&script, &env);
    assert_eq!(code, 0, "dry run failed\n{out}\n{err}");
    assert_eq!(out.matches("would revoke").count(), 3, "{out}");
    assert_eq!(rules(&moto), before, "a dry run must not change anything");
    // For real.
    let (code, out, err) = moto.bash(&script, &[env.clone(), vec![("DRY_RUN".into(), "0".into())]].concat());
    assert_eq!(code, 0, "revocation failed\n{out}\n{err}");
    assert_eq!(out.matches("revoked on").count(), 3, "{out}");
    let after = rules(&moto);
    let want: std::collections::BTreeSet<String> = ["22 10.0.0.0/8", "443 0.0.0.0/0"].iter().map(|s| s.to_string()).collect();
    assert_eq!(after, want, "only the internet SSH/RDP rules are revoked");
    eprintln!("migrate-bastion.sh revoked 22 and 3389 from 0.0.0.0/0 and ::/0, kept 22 from 10.0.0.0/8 and 443");
    // A running instance that SSM does not manage stops the script before any revocation.
    moto.aws_json(&["ec2", "authorize-security-group-ingress", "--group-id", &sg_id, "--ip-permissions",
        r#"[{"IpProtocol":"tcp","FromPort":22,"ToPort":22,"IpRanges":[{"CidrIp":"0.0.0.0/0"}]}]"#]);
    let subnet = moto.aws_json(&["ec2", "create-subnet", "--vpc-id", &vpc_id, "--cidr-block", "10.30.1.0/24"]);
    let subnet_id = subnet["Subnet"]["SubnetId"].as_str().unwrap().to_string();
    let images = moto.aws_json(&["ec2", "describe-images", "--owners", "amazon"]);
    let ami = images["Images"][0]["ImageId"].as_str().expect("an AMI in moto").to_string();
    let run = moto.aws_json(&["ec2", "run-instances", "--image-id", &ami, "--count", "1", "--instance-type", "t3.micro", "--subnet-id", &subnet_id]);
    let instance = run["Instances"][0]["InstanceId"].as_str().unwrap().to_string();
    let (code, out, err) = moto.bash(&script, &[env.clone(), vec![("DRY_RUN".into(), "0".into())]].concat());
    assert_eq!(code, 2, "must refuse while an instance is not managed by SSM\n{out}\n{err}");
    assert!(err.contains("not managed by SSM") && err.contains(&instance), "{err}");
    assert!(rules(&moto).contains("22 0.0.0.0/0"), "nothing revoked when coverage differs");
    // Once SSM manages it, the script goes on and revokes.
    let (code, out, err) = moto.bash(
        &script,
        &[env, vec![("DRY_RUN".into(), "0".into()), ("FAKE_SSM_MANAGED".into(), instance.clone())]].concat(),
    );
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(!rules(&moto).contains("22 0.0.0.0/0"), "revoked once coverage is complete");
}
