//! The typed profile: what `profile.md` documents, with the span of every value.
//!
//! Built by [`super::decode`] from the span-carrying tree of a TOML or JSON file (after
//! `extends` merging), checked by [`super::validate`]. Defaults are applied during
//! decoding, so every field here has its final value. Enumerated choices are closed
//! enums; provider names stay strings because plugins add providers.

use crate::ports::PortRange;
use crate::source::{SourceMap, Span, Spanned};
use ipnet::IpNet;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// A whole profile, with the sources it was read from.
///
/// A profile may be as short as `[deployment]` with a `name`; every other field has a
/// default, applied while decoding (defaulted values carry the span of the
/// `[deployment]` table, or of the section they belong to):
///
/// | field | default |
/// |---|---|
/// | `deployment.name` | required (`^[a-z][a-z0-9-]*$`, at most 32 characters) |
/// | `deployment.env` | `"prod"` (a name, at most 16 characters) |
/// | `deployment.provider` / `providers` | `["aws"]`; `provider = "x"` or `providers = ["x", "y"]`, not both |
/// | `deployment.region` | `None`: the provider's default region |
/// | `deployment.regions` | `[]`; required (two or more) with `topology = "multi-region"`, refused otherwise |
/// | `deployment.topology` | `3-tier` |
/// | `deployment.compliance` | `[]` (none) |
/// | `deployment.public` | `load-balancer-only` |
/// | `deployment.bastion` | `None`: the provider's managed access |
/// | `deployment.owner` | `"platform team"` |
/// | `deployment.availability_zones` | `2` (1 to 6) |
/// | `workload`, `flow`, `egress`, `external`, `deny`, `spoke` | `[]` |
/// | `flow.ports` | `[]`: the destination kind's default port, filled in by the compiler |
/// | `egress.ports` | required |
/// | `flow`/`egress`/`external`/`deny` `purpose`, `owner`, `justification` | `None` (blank kept as `Some("")`: the mandatory rules judge it) |
/// | `private_endpoints.services` | `[]` |
/// | `kubernetes` | `None`; `namespace` defaults to `env`, `ingress_namespace` to `None`, `workloads` required |
/// | `access` | empty; required (every non-public tier in use) with `bastion = "hybrid"`, refused otherwise |
/// | `hosts`, `plugins` | empty (plugin paths are kept as written, relative to the file that declares them: `sources.path(span.file)`) |
/// | `flow.across_regions` | `false` (`true` only with `multi-region`) |
/// | `workload.regions` | every region of `deployment.regions` (empty unless `multi-region`) |
/// | `private_endpoints.restrict` | `[]` (endpoint policies allow everything the caller's own permissions allow) |
/// | `egress_filtering` | `mode = "firewall"`, `log_retention_days = 365` |
/// | `flow_logs` | `enabled` = any compliance scope set (span: that scope's value), `destination = "logs"`, `retention_days = 365`, `traffic = "all"` |
/// | `vpn` | `None`; required (`client_cidr`) when VPN access is used (`bastion = "vpn-only"`, or a `vpn-only` tier of `hybrid`), refused otherwise; `split_tunnel = true` |
/// | `session_logging` | `idle_timeout_minutes = 20`, `retention_days = 365` |
#[derive(Debug, Clone)]
pub struct Profile {
    /// The profile file and every base it `extends`.
    pub sources: SourceMap,
    pub deployment: Deployment,
    pub workloads: Vec<Workload>,
    pub flows: Vec<Flow>,
    pub egress: Vec<Egress>,
    pub external: Vec<External>,
    /// `[[deny]]`: CIDRs denied explicitly on stateless filters ("deny known bad").
    pub deny: Vec<Deny>,
    pub private_endpoints: PrivateEndpoints,
    pub kubernetes: Option<Kubernetes>,
    /// `[[spoke]]` (hub-spoke topology).
    pub spokes: Vec<Spoke>,
    /// `[access]`: per-tier access choice for `bastion = "hybrid"`.
    pub access: BTreeMap<Tier, Spanned<Bastion>>,
    /// `[hosts]`: workload name -> addresses, for on-prem providers.
    pub hosts: BTreeMap<String, Spanned<Vec<Spanned<IpNet>>>>,
    /// `plugins = [...]`: plugin libraries to load (paths relative to the profile).
    pub plugins: Vec<Spanned<String>>,
    /// `[egress_filtering]`: how FQDN egress allow-lists are enforced.
    pub egress_filtering: EgressFiltering,
    /// `[flow_logs]`: network flow logging.
    pub flow_logs: FlowLogs,
    /// `[vpn]`: the client VPN; `Some` exactly when VPN access is used.
    pub vpn: Option<Vpn>,
    /// `[session_logging]`: recording of managed shell sessions.
    pub session_logging: SessionLogging,
}

impl Profile {
    /// The file the user named (not a base).
    pub fn path(&self) -> &std::path::Path {
        self.sources.path(crate::source::FileId(0))
    }
    pub fn workload(&self, name: &str) -> Option<&Workload> {
        self.workloads.iter().find(|w| w.name.value == name)
    }
}

#[derive(Debug, Clone)]
pub struct Deployment {
    pub span: Span,
    pub name: Spanned<String>,
    pub env: Spanned<String>,
    /// One or more provider names (`provider = "aws"` or `providers = [...]`), in order.
    pub providers: Vec<Spanned<String>>,
    /// `None`: the provider's default region.
    pub region: Option<Spanned<String>>,
    /// `regions = [...]` for `multi-region`; empty otherwise.
    pub regions: Vec<Spanned<String>>,
    pub topology: Spanned<Topology>,
    pub compliance: Vec<Spanned<Compliance>>,
    pub public: Spanned<PublicMode>,
    /// `None` means "the provider's managed access".
    pub bastion: Option<Spanned<Bastion>>,
    pub owner: Spanned<String>,
    pub availability_zones: Spanned<u32>,
}

macro_rules! word_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum $name {
            $(#[serde(rename = $text)] $variant),+
        }
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub const WORDS: &'static [&'static str] = &[$($text),+];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
            pub fn from_word(s: &str) -> Option<Self> {
                match s { $($text => Some($name::$variant),)+ _ => None }
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

word_enum!(Topology { TwoTier = "2-tier", ThreeTier = "3-tier", HubSpoke = "hub-spoke", MultiRegion = "multi-region" });
word_enum!(Compliance { Hipaa = "hipaa", PciDss = "pci-dss", Soc2 = "soc2", Fedramp = "fedramp" });
word_enum!(PublicMode { None = "none", LoadBalancerOnly = "load-balancer-only", MultiEdge = "multi-edge", ApiGateway = "api-gateway" });
word_enum!(Bastion {
    ExistingSshBastion = "existing-ssh-bastion",
    SsmSessionManager = "ssm-session-manager",
    AzureBastion = "azure-bastion",
    IapTcp = "iap-tcp",
    VpnOnly = "vpn-only",
    Hybrid = "hybrid",
});
word_enum!(Tier { Public = "public", App = "app", Data = "data", Mgmt = "mgmt" });
word_enum!(WorkloadKind {
    LoadBalancer = "load-balancer",
    Containers = "containers",
    Vm = "vm",
    Kubernetes = "kubernetes",
    Function = "function",
    Postgres = "postgres",
    Mysql = "mysql",
    Mssql = "mssql",
    Redis = "redis",
    Mongodb = "mongodb",
    Elasticsearch = "elasticsearch",
    Memcached = "memcached",
    Kibana = "kibana",
    Cassandra = "cassandra",
    Etcd = "etcd",
    Consul = "consul",
    Http = "http",
    Https = "https",
});

impl WorkloadKind {
    /// The port a known kind implies (profile.md); `None` for kinds whose flows must name ports.
    pub fn default_port(self) -> Option<PortRange> {
        use WorkloadKind::*;
        let p = match self {
            Postgres => 5432,
            Mysql => 3306,
            Mssql => 1433,
            Redis => 6379,
            Mongodb => 27017,
            Elasticsearch => 9200,
            Memcached => 11211,
            Kibana => 5601,
            Cassandra => 9042,
            Etcd => 2379,
            Consul => 8500,
            Http => 80,
            Https => 443,
            LoadBalancer | Containers | Vm | Kubernetes | Function => return None,
        };
        Some(PortRange::tcp(p))
    }
    /// Kinds that hold data (databases, caches, search, key-value stores).
    pub fn is_datastore(self) -> bool {
        use WorkloadKind::*;
        matches!(self, Postgres | Mysql | Mssql | Redis | Mongodb | Elasticsearch | Memcached | Cassandra | Etcd | Consul)
    }
}

#[derive(Debug, Clone)]
pub struct Workload {
    pub span: Span,
    pub name: Spanned<String>,
    pub tier: Spanned<Tier>,
    pub kind: Spanned<WorkloadKind>,
    /// The regions the workload runs in (`multi-region`): a subset of
    /// `deployment.regions`, all of them by default (spans: the workload's table). Empty
    /// for the other topologies.
    pub regions: Vec<Spanned<String>>,
}

/// One end of a flow as written in the profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EndpointRef {
    Internet,
    /// A workload or an `[[external]]` party, resolved during validation.
    Named(String),
}

#[derive(Debug, Clone)]
pub struct Flow {
    pub span: Span,
    pub from: Spanned<EndpointRef>,
    pub to: Spanned<EndpointRef>,
    /// Empty in the file means "the destination kind's default port"; decoding keeps it
    /// empty and the compiler fills it in (validation refuses kinds with no default).
    pub ports: Vec<Spanned<PortRange>>,
    /// The span of the `ports` key's value, or of the flow when absent.
    pub ports_span: Span,
    pub purpose: Option<Spanned<String>>,
    pub owner: Option<Spanned<String>>,
    pub justification: Option<Spanned<String>>,
    /// `across_regions = true`: the flow goes from a workload in one region to a workload
    /// in another (`multi-region` only). Defaults to `false` with the flow's span.
    pub across_regions: Spanned<bool>,
}

/// `[[egress]]`: an allow-listed external destination (CIDRs or FQDNs).
#[derive(Debug, Clone)]
pub struct Egress {
    pub span: Span,
    pub from: Spanned<String>,
    pub cidrs: Vec<Spanned<IpNet>>,
    pub fqdns: Vec<Spanned<String>>,
    pub ports: Vec<Spanned<PortRange>>,
    pub ports_span: Span,
    pub purpose: Option<Spanned<String>>,
    pub owner: Option<Spanned<String>>,
}

/// `[[external]]`: a named party outside the network (VPN range, partner).
#[derive(Debug, Clone)]
pub struct External {
    pub span: Span,
    pub name: Spanned<String>,
    pub cidrs: Vec<Spanned<IpNet>>,
    pub purpose: Option<Spanned<String>>,
}

/// `[[deny]]`: CIDRs to deny on the stateless layer.
#[derive(Debug, Clone)]
pub struct Deny {
    pub span: Span,
    pub cidrs: Vec<Spanned<IpNet>>,
    pub purpose: Option<Spanned<String>>,
}

#[derive(Debug, Clone, Default)]
pub struct PrivateEndpoints {
    pub span: Option<Span>,
    /// Provider-neutral names (`object-storage`) or provider-specific (`aws:ecr.dkr`).
    pub services: Vec<Spanned<String>>,
    /// `[[private_endpoints.restrict]]`: endpoint policies, each one allow statement.
    pub restrict: Vec<EndpointRestriction>,
}

/// One `[[private_endpoints.restrict]]`: what may be done through a service's endpoint.
/// At least one of `resources` / `actions` is non-empty; an empty one means "any".
#[derive(Debug, Clone)]
pub struct EndpointRestriction {
    pub span: Span,
    /// One of `private_endpoints.services`, as written there.
    pub service: Spanned<String>,
    /// Resource names (for `object-storage`: bucket names).
    pub resources: Vec<Spanned<String>>,
    /// Neutral words ([`ENDPOINT_ACTIONS`]) or provider-specific `prefix:Action`.
    pub actions: Vec<Spanned<String>>,
}

/// The provider-neutral action words of `[[private_endpoints.restrict]]`.
pub const ENDPOINT_ACTIONS: &[&str] = &["read", "write", "list", "delete"];

/// The provider-neutral endpoint service names of profile.md.
pub const ENDPOINT_SERVICES: &[&str] = &[
    "object-storage",
    "secrets",
    "kms",
    "sts",
    "container-registry",
    "logs",
    "monitoring",
    "queue",
    "database-api",
];

word_enum!(
    /// `egress_filtering.mode`: what enforces FQDN allow-lists.
    EgressMode { Firewall = "firewall", Proxy = "proxy" }
);
word_enum!(
    /// `flow_logs.destination`.
    FlowLogDestination { Logs = "logs", ObjectStorage = "object-storage" }
);
word_enum!(
    /// `flow_logs.traffic`: which flows are recorded.
    FlowLogTraffic { All = "all", Reject = "reject", Accept = "accept" }
);

impl Compliance {
    /// Whether the scope expects network flow logs (the `flow_logs.enabled` default).
    pub fn wants_flow_logs(self) -> bool {
        match self {
            Compliance::Hipaa | Compliance::PciDss | Compliance::Soc2 | Compliance::Fedramp => true,
        }
    }
}

/// Bounds of every `*retention_days` field (one day to ten years).
pub const RETENTION_DAYS: std::ops::RangeInclusive<u32> = 1..=3653;
/// Bounds of `session_logging.idle_timeout_minutes`.
pub const IDLE_TIMEOUT_MINUTES: std::ops::RangeInclusive<u32> = 1..=60;
/// Prefix lengths allowed for an IPv4 `vpn.client_cidr` (managed client-VPN pools).
pub const VPN_CLIENT_PREFIX_V4: std::ops::RangeInclusive<u8> = 12..=22;

/// `[egress_filtering]`. Defaulted values carry the table's span, or the `[deployment]`
/// table's when the table is absent (`span` is then `None`).
#[derive(Debug, Clone)]
pub struct EgressFiltering {
    pub span: Option<Span>,
    pub mode: Spanned<EgressMode>,
    pub log_retention_days: Spanned<u32>,
}

/// `[flow_logs]`. Spans as for [`EgressFiltering`], except a defaulted `enabled = true`,
/// which carries the span of the compliance scope that asked for it.
#[derive(Debug, Clone)]
pub struct FlowLogs {
    pub span: Option<Span>,
    pub enabled: Spanned<bool>,
    pub destination: Spanned<FlowLogDestination>,
    pub retention_days: Spanned<u32>,
    pub traffic: Spanned<FlowLogTraffic>,
}

/// `[vpn]`: the client VPN used by `vpn-only` access.
#[derive(Debug, Clone)]
pub struct Vpn {
    pub span: Span,
    /// The address pool handed to VPN clients (IPv4: /12 to /22).
    pub client_cidr: Spanned<IpNet>,
    /// `true`: only traffic to the network goes through the tunnel.
    pub split_tunnel: Spanned<bool>,
}

/// `[session_logging]`: managed shell sessions. Spans as for [`EgressFiltering`].
#[derive(Debug, Clone)]
pub struct SessionLogging {
    pub span: Option<Span>,
    pub idle_timeout_minutes: Spanned<u32>,
    pub retention_days: Spanned<u32>,
}

#[derive(Debug, Clone)]
pub struct Kubernetes {
    pub span: Span,
    pub namespace: Spanned<String>,
    pub ingress_namespace: Option<Spanned<String>>,
    pub workloads: Vec<Spanned<String>>,
}

#[derive(Debug, Clone)]
pub struct Spoke {
    pub span: Span,
    pub name: Spanned<String>,
    pub workloads: Vec<Spanned<String>>,
}
