//! Protocol versions: `MAJOR.MINOR.PATCH`, compared with caret (`^`) semantics.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The protocol version this build of the host and SDK speaks.
///
/// Bump the minor version for additions (new optional fields, new enum values), the
/// major version for anything an older peer would misread.
pub const PROTOCOL_VERSION: ProtocolVersion = ProtocolVersion {
    major: 1,
    minor: 0,
    patch: 0,
};

/// A semantic version of the JSON protocol. `#[repr(C)]`: it is part of the ABI table.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ProtocolVersion {
    pub major: u32,
    pub minor: u32,
    pub patch: u32,
}

impl ProtocolVersion {
    /// Parses `MAJOR.MINOR.PATCH` (no pre-release or build suffix).
    pub fn parse(s: &str) -> Option<ProtocolVersion> {
        let mut parts = s.trim().split('.');
        let mut num = || -> Option<u32> {
            let p = parts.next()?;
            if p.is_empty()
                || !p.bytes().all(|b| b.is_ascii_digit())
                || (p.len() > 1 && p.starts_with('0'))
            {
                return None;
            }
            p.parse().ok()
        };
        let v = ProtocolVersion {
            major: num()?,
            minor: num()?,
            patch: num()?,
        };
        if parts.next().is_some() {
            return None;
        }
        Some(v)
    }

    /// Caret compatibility: does `self` (the version a peer offers) satisfy `^required`?
    ///
    /// Same major and at least `required`; for `0.y.z` the minor must match too (and
    /// for `0.0.z` the patch), as in Cargo.
    pub fn satisfies_caret(self, required: ProtocolVersion) -> bool {
        if self < required || self.major != required.major {
            return false;
        }
        if required.major == 0 {
            if self.minor != required.minor {
                return false;
            }
            if required.minor == 0 {
                return self.patch == required.patch;
            }
        }
        true
    }

    /// Can a host speaking `self` drive a plugin built for `plugin`?
    ///
    /// The plugin's version is the requirement (`^plugin`): the host must be the same
    /// major and at least as new, so that it understands everything the plugin sends.
    pub fn host_accepts(self, plugin: ProtocolVersion) -> bool {
        self.satisfies_caret(plugin)
    }
}

/// Serialized as the string `"MAJOR.MINOR.PATCH"`.
impl Serialize for ProtocolVersion {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ProtocolVersion {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        ProtocolVersion::parse(&s).ok_or_else(|| {
            serde::de::Error::custom(format!("`{s}` is not a MAJOR.MINOR.PATCH version"))
        })
    }
}

impl fmt::Display for ProtocolVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> ProtocolVersion {
        ProtocolVersion::parse(s).unwrap()
    }

    #[test]
    fn parses_three_numbers_only() {
        assert_eq!(
            v("1.2.3"),
            ProtocolVersion {
                major: 1,
                minor: 2,
                patch: 3
            }
        );
        for bad in [
            "",
            "1",
            "1.2",
            "1.2.3.4",
            "1.x.3",
            "01.2.3",
            "1.2.3-rc1",
            "-1.2.3",
        ] {
            assert_eq!(ProtocolVersion::parse(bad), None, "{bad}");
        }
        assert_eq!(v("10.0.7").to_string(), "10.0.7");
    }

    #[test]
    fn caret_rules() {
        assert!(v("1.0.0").host_accepts(v("1.0.0")));
        assert!(v("1.3.0").host_accepts(v("1.2.9")));
        assert!(
            !v("1.2.0").host_accepts(v("1.3.0")),
            "older host, newer plugin"
        );
        assert!(!v("2.0.0").host_accepts(v("1.0.0")));
        assert!(!v("1.0.0").host_accepts(v("2.0.0")));
        assert!(v("0.2.5").host_accepts(v("0.2.1")));
        assert!(!v("0.3.0").host_accepts(v("0.2.1")));
        assert!(!v("0.0.2").host_accepts(v("0.0.1")));
        assert!(v("0.0.1").host_accepts(v("0.0.1")));
    }
}
