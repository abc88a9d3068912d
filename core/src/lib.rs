//! cloudwall core: everything between a profile file and a provider.
//!
//! The flow is one-directional:
//!
//! ```text
//! profile (TOML/JSON) --parse+validate--> Profile --compile--> Policy (IR)
//!                                                     |-> mandatory rules (findings)
//!                                                     |-> reachability evaluator
//!                                                     '-> Provider::render -> Artifacts
//! ```
//!
//! Nothing in this crate names a cloud: providers (built-in crates or plugins) map the
//! provider-neutral [`policy::Policy`] onto their own resources. Rendering is the
//! providers' job; writing, diffing and the manifest are this crate's ([`output`]).

pub mod diag;
pub mod ports;
pub mod source;

pub mod profile;

pub mod compile;
pub mod policy;
pub mod reach;
pub mod rules;

pub mod output;
pub mod provider;

pub use diag::{Diagnostic, Severity};
pub use policy::Policy;
pub use profile::Profile;
pub use provider::{Artifacts, Phase, Provider};
