//! The inputs of `cli/apply.sh`, as its header lists them: every environment variable the
//! assembled script reads that the user provides (ids of the network it runs against,
//! certificates, peer ranges), found in the script's own text so that the list cannot
//! drift from what the phases read. Each phase checks the inputs it needs before use and
//! names a missing one.

use std::collections::BTreeSet;

/// Inputs with a fixed name, in the order the header lists them, with their meaning.
const FIXED: &[(&str, &str)] = &[
    ("VPC_ID", "the VPC (required)"),
    ("AWS_REGION", "the region (default: the profile's)"),
    ("PUBLIC_SUBNET_IDS", "public-tier subnets"),
    ("APP_SUBNET_IDS", "app-tier subnets"),
    ("DATA_SUBNET_IDS", "data-tier subnets"),
    ("MGMT_SUBNET_IDS", "mgmt-tier subnets (optional: without them no mgmt NACL)"),
    ("PRIVATE_ROUTE_TABLE_IDS", "private route tables (gateway endpoints)"),
    ("FIREWALL_SUBNET_IDS", "one dedicated egress-firewall subnet per AZ"),
    ("NAT_GATEWAY_IDS", "NAT gateways (one per AZ, or one for all)"),
    ("HOME_NET_CIDRS", "extra CIDRs the egress firewall inspects (optional)"),
    ("FIREWALL_WAIT_SECONDS", "how long to wait for the firewall endpoints (optional)"),
    ("LOAD_BALANCER_ARN", "the public load balancer, for the web ACL (optional)"),
    ("LOAD_BALANCER_LISTENER_ARN", "the load balancer listener the API integrates with (optional)"),
    ("CLIENT_VPN_SERVER_CERTIFICATE_ARN", "ACM server certificate of the Client VPN"),
    ("CLIENT_VPN_ROOT_CERTIFICATE_ARN", "ACM client root certificate of the Client VPN"),
    ("HUB_TGW_SUBNET_IDS", "hub subnets of the transit gateway attachment"),
    ("HUB_ROUTE_TABLE_IDS", "hub route tables that answer the spokes"),
];

/// Inputs named after a spoke or a peer region: prefix, suffixes and meaning.
const FAMILIES: &[(&str, &[&str], &str)] = &[
    ("SPOKE_", &["_VPC_ID", "_TGW_SUBNET_IDS", "_ROUTE_TABLE_IDS", "_SUBNET_IDS"], "of a spoke (its VPC, attachment subnets, route tables, tier subnets)"),
    ("PEER_CIDRS_", &[""], "CIDRs of a peer region's tier, for cross-region flows"),
];

/// The shell words of `script` outside comments.
fn words(script: &str) -> BTreeSet<&str> {
    script
        .lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .flat_map(|l| l.split(|c: char| !(c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')))
        .filter(|w| !w.is_empty())
        .collect()
}

/// The header lines (`# Inputs: ...`) for a script whose full text is `script`.
pub fn header(script: &str) -> String {
    let found = words(script);
    let mut out = String::from("# Inputs (environment; ids space-separated):\n");
    for (name, meaning) in FIXED {
        if found.contains(name) {
            out.push_str(&format!("#   {name}: {meaning}\n"));
        }
    }
    for (prefix, suffixes, meaning) in FAMILIES {
        let names: Vec<&str> = found
            .iter()
            .copied()
            .filter(|w| w.len() > prefix.len() && w.starts_with(prefix) && suffixes.iter().any(|s| w.ends_with(s)))
            .collect();
        for name in names {
            out.push_str(&format!("#   {name}: {meaning}\n"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_what_the_script_reads_outside_comments() {
        let h = header("# APP_SUBNET_IDS in a comment\nfor v in FIREWALL_SUBNET_IDS NAT_GATEWAY_IDS; do :; done\n: \"${VPC_ID:?}\" \"$SPOKE_FIN_APP_SUBNET_IDS\" $PEER_CIDRS_EU_WEST_1_APP\n");
        assert_eq!(
            h,
            "# Inputs (environment; ids space-separated):\n#   VPC_ID: the VPC (required)\n#   FIREWALL_SUBNET_IDS: one dedicated egress-firewall subnet per AZ\n#   NAT_GATEWAY_IDS: NAT gateways (one per AZ, or one for all)\n#   SPOKE_FIN_APP_SUBNET_IDS: of a spoke (its VPC, attachment subnets, route tables, tier subnets)\n#   PEER_CIDRS_EU_WEST_1_APP: CIDRs of a peer region's tier, for cross-region flows\n"
        );
    }
}
