//! The random-profile generator itself: every profile it makes must load cleanly, or the
//! property tests built on it would silently test nothing.

use cloudwall_core::profile;
use cloudwall_tests::gen;
use proptest::prelude::*;
use std::path::Path;

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]
    #[test]
    fn generated_profiles_load(text in gen::profile_toml()) {
        if let Err(e) = profile::parse_str(Path::new("random.toml"), &text) {
            let msgs: Vec<String> = e.diagnostics.iter().map(|d| d.headline(&e.sources)).collect();
            prop_assert!(false, "generated profile refused:\n{}\n---\n{}", msgs.join("\n"), text);
        }
    }
}
