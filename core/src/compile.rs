//! The compiler: a validated [`Profile`] -> the provider-neutral [`Policy`].

use crate::policy::Policy;
use crate::profile::Profile;

/// Compiles a validated profile. Never fails: validation has refused whatever could not
/// be compiled; the mandatory rules are checked on the result ([`crate::rules`]).
pub fn compile(profile: &Profile) -> Policy {
    let _ = profile;
    unimplemented!("compile")
}

/// Adds private endpoint services that a provider's access strategy needs (e.g. the
/// endpoints a managed-shell service reaches instances through), creating the shared
/// endpoint group and its consumers' 443/tcp rules if the profile listed none.
/// Providers call it on a clone of the Policy inside `render`.
pub fn add_endpoint_services(policy: &mut Policy, services: &[&str], for_access: bool) {
    let _ = (policy, services, for_access);
    unimplemented!("add_endpoint_services")
}
