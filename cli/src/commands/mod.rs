//! One module per command; each returns the process exit code.

pub mod check;
pub mod completions;
pub mod diff;
pub mod explain;
pub mod generate;
pub mod init;
pub mod plugins;
pub mod verify;

/// Exit codes (stable; documented in the README).
pub mod exit {
    /// Success, clean, reachable, no change, all checks passed.
    pub const OK: u8 = 0;
    /// Findings, invalid input, an error, not reachable, a verification check failed.
    pub const FAILURE: u8 = 1;
    /// `diff`: changes found. `verify`: a check could not run.
    pub const CHANGES: u8 = 2;
    pub const COULD_NOT_RUN: u8 = 2;
}
