//! Shared helpers of the cross-crate tests: finding the real tools (and saying why a
//! test skips when one is missing), running a local AWS API emulator, and the
//! profile -> Policy -> artifacts pipeline the suites drive.

pub mod botocore;
pub mod conformance;
pub mod gen;
pub mod golden;
pub mod moto;
pub mod netfw;
pub mod nftables;
pub mod pipeline;
pub mod readback;
pub mod terraform;
pub mod tools;
