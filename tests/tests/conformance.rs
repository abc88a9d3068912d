//! One conformance suite, every provider: the same test bodies (determinism, clean paths,
//! the mandatory rules read back from the artifacts, artifacts equal to the Policy,
//! inert user text) run against each provider over every example and over random valid
//! profiles.

use cloudwall_core::{compile, profile, rules};
use cloudwall_tests::conformance::{self, Target};
use cloudwall_tests::{gen, pipeline};
use proptest::prelude::*;
use std::path::Path;

macro_rules! conformance_suite {
    ($name:ident, $target:expr, $provider_name:literal) => {
        mod $name {
            use super::*;

            fn target() -> Target<'static> {
                $target
            }

            #[test]
            fn every_example_conforms() {
                let t = target();
                let mut n = 0;
                for example in pipeline::examples() {
                    let policy = pipeline::policy_of(&example);
                    if !policy.deployment.providers.iter().any(|p| p == $provider_name) {
                        continue;
                    }
                    conformance::check_all(&t, &policy);
                    n += 1;
                }
                assert!(n > 0, "no example for {}", $provider_name);
            }

            proptest! {
                #![proptest_config(ProptestConfig { cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(96), ..ProptestConfig::default() })]
                #[test]
                fn random_valid_profiles_conform(text in gen::profile_toml()) {
                    let text = text.replace("provider = \"aws\"", &format!("provider = \"{}\"", $provider_name));
                    let p = profile::parse_str(Path::new("random.toml"), &text).expect("generator makes valid profiles");
                    let policy = compile::compile(&p);
                    let findings: Vec<String> = rules::check(&p, &policy).iter().filter(|d| d.is_error()).map(|d| d.headline(&p.sources)).collect();
                    prop_assert!(findings.is_empty(), "generator made a refused profile: {findings:?}\n{text}");
                    conformance::check_all(&target(), &policy);
                }
            }
        }
    };
}

conformance_suite!(aws, conformance::aws(), "aws");

conformance_suite!(
    nftables,
    Target {
        provider: cloudwall_tests::nftables::plugin(),
        read: cloudwall_tests::nftables::read,
        group_suffix: "-fw",
        max_description: 128,
        arrow: "->",
        host_name_egress: false,
        public_edge: false,
        read_region: None,
    },
    "nftables"
);
