//! Golden trees, one harness for every provider: each bundled example that names a
//! provider is rendered by it (the AWS provider built in, the nftables plugin through
//! the real plugin loader) and compared with the reviewed tree under
//! `tests/golden/<example>/<provider>/`. After an intended change:
//! `UPDATE_GOLDEN=1 cargo test -p cloudwall-tests --test golden`, then review the diff.

use cloudwall_core::provider::Provider;
use cloudwall_tests::{golden, pipeline, tools};

macro_rules! golden_suite {
    ($name:ident, $provider:expr, $provider_name:literal) => {
        #[test]
        fn $name() {
            let provider: &dyn Provider = $provider;
            let root = tools::workspace_root().join("tests/golden");
            let mut seen = Vec::new();
            for example in pipeline::examples() {
                let policy = pipeline::policy_of(&example);
                if !policy.deployment.providers.iter().any(|p| p == $provider_name) {
                    continue;
                }
                let stem = example.file_stem().unwrap().to_string_lossy().to_string();
                let rendered = pipeline::render_all(provider, &policy);
                golden::check_tree(&root.join(&stem).join($provider_name), &rendered);
                seen.push(stem);
            }
            assert!(!seen.is_empty(), "no example names {}", $provider_name);
            // No golden tree outlives its example or its provider.
            for entry in std::fs::read_dir(&root).unwrap().flatten() {
                let stem = entry.file_name().to_string_lossy().to_string();
                let dir = entry.path().join($provider_name);
                if !dir.is_dir() || seen.contains(&stem) {
                    continue;
                }
                assert!(
                    golden::updating(),
                    "{} is a golden tree of no example naming {} (UPDATE_GOLDEN=1 removes it)",
                    dir.display(),
                    $provider_name
                );
                std::fs::remove_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
            }
        }
    };
}

golden_suite!(aws, &cloudwall_aws::Aws, "aws");
golden_suite!(nftables, cloudwall_tests::nftables::plugin(), "nftables");
