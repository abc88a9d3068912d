//! The compiler: a validated [`Profile`] -> the provider-neutral [`Policy`].

use crate::policy::Policy;
use crate::profile::Profile;

/// Compiles a validated profile. Never fails: validation has refused whatever could not
/// be compiled; the mandatory rules are checked on the result ([`crate::rules`]).
pub fn compile(profile: &Profile) -> Policy {
    let _ = profile;
    unimplemented!("compile")
}
