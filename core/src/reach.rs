//! The reachability evaluator: can A reach B on port P, and which rules allow it?

use crate::policy::Policy;
use crate::ports::Proto;

/// The answer to "can `from` reach `to` on `proto`/`port`?".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub reachable: bool,
    /// Ids of the rules that allow it (egress rule of the source, ingress rule of the
    /// destination; only the internal side's rule when the other side is external).
    pub rules: Vec<String>,
    /// One or two sentences a person reads: which rule allows it, or what is missing.
    pub explanation: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReachError {
    #[error("unknown endpoint `{name}`: expected one of {known}")]
    UnknownEndpoint { name: String, known: String },
}

/// `from` and `to` are group ids (workload names), `internet`, or external party names.
pub fn evaluate(policy: &Policy, from: &str, to: &str, proto: Proto, port: u16) -> Result<Verdict, ReachError> {
    let _ = (policy, from, to, proto, port);
    unimplemented!("evaluate")
}
