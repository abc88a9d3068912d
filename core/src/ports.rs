//! Ports and protocols: `"443/tcp"`, `"8000-8100/tcp"`, `"53/udp"`, `"icmp"`, `"all"`.
//!
//! Also owns the list of sensitive (management and database) ports of mandatory rule 1
//! and the default port of each known workload kind.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Proto {
    Tcp,
    Udp,
    Icmp,
    /// Every protocol and port.
    All,
}

impl Proto {
    pub fn as_str(self) -> &'static str {
        match self {
            Proto::Tcp => "tcp",
            Proto::Udp => "udp",
            Proto::Icmp => "icmp",
            Proto::All => "all",
        }
    }
    pub fn has_ports(self) -> bool {
        matches!(self, Proto::Tcp | Proto::Udp)
    }
}

/// A protocol and, for TCP and UDP, an inclusive port range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct PortRange {
    pub proto: Proto,
    /// 1..=65535 for tcp/udp; 0 for icmp and all.
    pub from: u16,
    pub to: u16,
}

/// Why a port string was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PortError {
    #[error("`{0}` is not a port: expected `PORT/PROTO`, `FROM-TO/PROTO`, `icmp` or `all` (e.g. `443/tcp`)")]
    Syntax(String),
    #[error("unknown protocol `{0}`: expected tcp or udp (or the words `icmp` / `all`)")]
    Protocol(String),
    #[error("port {0} is outside 1-65535")]
    OutOfRange(u64),
    #[error("reversed port range {0}-{1}: the first port must not be greater than the second")]
    Reversed(u16, u16),
}

impl PortRange {
    pub const ALL: PortRange = PortRange { proto: Proto::All, from: 0, to: 0 };
    pub const ICMP: PortRange = PortRange { proto: Proto::Icmp, from: 0, to: 0 };

    pub fn single(proto: Proto, port: u16) -> Self {
        PortRange { proto, from: port, to: port }
    }

    pub fn tcp(port: u16) -> Self {
        PortRange::single(Proto::Tcp, port)
    }

    pub fn parse(s: &str) -> Result<Self, PortError> {
        let t = s.trim();
        match t.to_ascii_lowercase().as_str() {
            "all" | "any" | "-1" => return Ok(PortRange::ALL),
            "icmp" => return Ok(PortRange::ICMP),
            _ => {}
        }
        let (range, proto) = t.split_once('/').ok_or_else(|| PortError::Syntax(s.to_string()))?;
        let proto = match proto.to_ascii_lowercase().as_str() {
            "tcp" => Proto::Tcp,
            "udp" => Proto::Udp,
            other => return Err(PortError::Protocol(other.to_string())),
        };
        let num = |p: &str| -> Result<u16, PortError> {
            let p = p.trim();
            if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
                return Err(PortError::Syntax(s.to_string()));
            }
            let n: u64 = p.parse().unwrap_or(u64::MAX);
            if n == 0 || n > 65535 {
                return Err(PortError::OutOfRange(n));
            }
            Ok(n as u16)
        };
        let (from, to) = match range.split_once('-') {
            Some((a, b)) => (num(a)?, num(b)?),
            None => {
                let p = num(range)?;
                (p, p)
            }
        };
        if from > to {
            return Err(PortError::Reversed(from, to));
        }
        Ok(PortRange { proto, from, to })
    }

    pub fn is_single(&self) -> bool {
        self.proto.has_ports() && self.from == self.to
    }

    /// Does this range admit `port` over `proto`? `All` admits everything.
    pub fn admits(&self, proto: Proto, port: u16) -> bool {
        match self.proto {
            Proto::All => true,
            Proto::Icmp => proto == Proto::Icmp,
            p => p == proto && (proto == Proto::Icmp || (self.from <= port && port <= self.to)),
        }
    }

    /// Does this range contain the given port over TCP or UDP?
    pub fn contains_port(&self, port: u16) -> bool {
        match self.proto {
            Proto::All => true,
            Proto::Icmp => false,
            _ => self.from <= port && port <= self.to,
        }
    }

    /// The sensitive ports (mandatory rule 1) this range opens.
    pub fn sensitive_ports(&self) -> Vec<(u16, &'static str)> {
        SENSITIVE_PORTS.iter().copied().filter(|(p, _)| self.contains_port(*p)).collect()
    }
}

impl fmt::Display for PortRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.proto {
            Proto::All => f.write_str("all"),
            Proto::Icmp => f.write_str("icmp"),
            p if self.from == self.to => write!(f, "{}/{}", self.from, p.as_str()),
            p => write!(f, "{}-{}/{}", self.from, self.to, p.as_str()),
        }
    }
}

/// Management and database ports that never open to the internet (mandatory rule 1).
pub const SENSITIVE_PORTS: &[(u16, &str)] = &[
    (22, "SSH"),
    (3389, "RDP"),
    (3306, "MySQL"),
    (5432, "PostgreSQL"),
    (1433, "MSSQL"),
    (6379, "Redis"),
    (27017, "MongoDB"),
    (9200, "Elasticsearch"),
    (11211, "Memcached"),
    (5601, "Kibana"),
    (9042, "Cassandra"),
    (2379, "etcd"),
    (8500, "Consul"),
];

/// Remote-shell ports: mandatory rule 4 (no SSH/RDP bastion reachable from the internet).
pub const REMOTE_SHELL_PORTS: &[u16] = &[22, 3389];

/// The ephemeral range opened for return traffic on stateless filters.
pub const EPHEMERAL: PortRange = PortRange { proto: Proto::Tcp, from: 1024, to: 65535 };

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_form() {
        assert_eq!(PortRange::parse("443/tcp").unwrap(), PortRange::tcp(443));
        assert_eq!(
            PortRange::parse("8000-8100/tcp").unwrap(),
            PortRange { proto: Proto::Tcp, from: 8000, to: 8100 }
        );
        assert_eq!(PortRange::parse("53/UDP").unwrap(), PortRange::single(Proto::Udp, 53));
        assert_eq!(PortRange::parse("icmp").unwrap(), PortRange::ICMP);
        assert_eq!(PortRange::parse("all").unwrap(), PortRange::ALL);
    }

    #[test]
    fn refuses_bad_ports() {
        assert_eq!(PortRange::parse("70000/tcp"), Err(PortError::OutOfRange(70000)));
        assert_eq!(PortRange::parse("0/tcp"), Err(PortError::OutOfRange(0)));
        assert_eq!(PortRange::parse("90-80/tcp"), Err(PortError::Reversed(90, 80)));
        assert!(matches!(PortRange::parse("443"), Err(PortError::Syntax(_))));
        assert!(matches!(PortRange::parse("443/sctp"), Err(PortError::Protocol(_))));
        assert!(matches!(PortRange::parse("a-b/tcp"), Err(PortError::Syntax(_))));
    }

    #[test]
    fn ranges_reveal_the_sensitive_ports_they_contain() {
        let r = PortRange::parse("3000-4000/tcp").unwrap();
        let found: Vec<u16> = r.sensitive_ports().iter().map(|p| p.0).collect();
        assert_eq!(found, vec![3389, 3306]);
        assert_eq!(PortRange::ALL.sensitive_ports().len(), SENSITIVE_PORTS.len());
        assert!(PortRange::ICMP.sensitive_ports().is_empty());
    }
}
