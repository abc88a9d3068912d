//! Phase `Nacls`: one network ACL per tier in use (`terraform/nacls.tf`, the `apply.sh`
//! fragment and the report's NACL tables).
//!
//! NACLs are stateless and CIDR-based: they cannot reference security groups, so this is
//! the one place the subnets' CIDRs are used (Terraform variables `<tier>_subnet_cidrs`;
//! `apply.sh` reads them with `describe-subnets` of the tier's subnet ids). Every Policy
//! rule becomes, on the NACL of its group's tier, the allow on that side plus the return
//! path on ephemeral ports 1024-65535 in the other direction; a flow between two tiers
//! therefore opens both NACLs, and a flow inside one tier opens it between the tier's
//! subnets (one per zone: traffic between two subnets crosses their NACL even when it is
//! the same one). Egress from a private tier to an external CIDR or to a host-name
//! allow-list transits the NAT gateway in the public subnets, so the public NACL carries
//! that transit too. `[[deny]]` ranges come first (rule numbers below 100) in every NACL;
//! each NACL ends with numbered deny-all entries at 32000 ahead of the implicit `*` rule.
//!
//! With `topology = "hub-spoke"` a NACL belongs to a tier of one network: the hub's tiers
//! (the `<tier>_subnet_*` inputs, `var.vpc_id`) and each spoke's tiers holding its
//! workloads (`spoke_<name>_<tier>_subnet_*`, the spoke's VPC). A flow between networks
//! opens both sides toward the other network's tier subnets; a spoke's internet egress
//! transits the hub's public subnets (the NAT behind the egress filter).

use crate::hcl::{Block, Expr};
use crate::names;
use crate::phases::Contribution;
use crate::plan::Plan;
use crate::report::md_cell;
use crate::shell::quote;
use cloudwall_core::policy::{Direction, Peer, Policy, SpokeInfo};
use cloudwall_core::ports::Proto;
use cloudwall_core::profile::model::{Tier, Topology};
use ipnet::IpNet;
use std::fmt::Write as _;

/// Default quota of rules per NACL, per direction.
pub const NACL_RULES_PER_DIRECTION: usize = 20;
/// Most subnets per tier the numbering leaves room for (entries toward a tier take
/// consecutive numbers `N..N+9`).
pub const MAX_SUBNETS_PER_TIER: usize = 10;
/// Rule number of the first final deny entry.
pub const FINAL_DENY: u32 = 32000;
/// Ephemeral ports of the return path.
pub const EPHEMERAL: (u16, u16) = (1024, 65535);
/// The comment above every return-path entry.
pub const RETURN_NOTE: &str =
    "return traffic: ephemeral 1024-65535 (Linux 32768-60999, Windows 49152-65535, NAT/ELB 1024-65535)";

/// The other side of a NACL entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum NaclPeer {
    /// Every subnet of a tier of the hub (of the VPC, without spokes): one entry per
    /// subnet CIDR.
    Tier(Tier),
    /// Every subnet of a tier of a spoke (index into `Policy::spokes`), hub-spoke only.
    SpokeTier(usize, Tier),
    Cidr(IpNet),
}

impl NaclPeer {
    /// Whether the peer stands for a list of subnet CIDRs.
    pub fn is_tier(&self) -> bool {
        !matches!(self, NaclPeer::Cidr(_))
    }
}

/// Where a NACL's subnets are: a spoke (index into `Policy::spokes`) or the hub, and a tier.
pub type Place = (Option<usize>, Tier);

/// The spokes of a hub-spoke Policy (none for the other topologies).
pub fn spokes_of(policy: &Policy) -> &[SpokeInfo] {
    if policy.deployment.topology == Topology::HubSpoke {
        &policy.spokes
    } else {
        &[]
    }
}

/// The peer standing for a place's subnets.
pub fn peer_of(place: Place) -> NaclPeer {
    match place {
        (None, t) => NaclPeer::Tier(t),
        (Some(i), t) => NaclPeer::SpokeTier(i, t),
    }
}

/// The place a peer's subnets are in (`None` for a CIDR).
pub fn place_of_peer(peer: NaclPeer) -> Option<Place> {
    match peer {
        NaclPeer::Tier(t) => Some((None, t)),
        NaclPeer::SpokeTier(i, t) => Some((Some(i), t)),
        NaclPeer::Cidr(_) => None,
    }
}

/// One logical NACL entry (a tier peer expands to one rule per subnet CIDR).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NaclEntry {
    /// Rule number (of the first subnet CIDR for a tier peer).
    pub number: u32,
    pub egress: bool,
    pub allow: bool,
    /// `tcp`, `udp`, `icmp`, `icmpv6` or `-1`.
    pub protocol: &'static str,
    pub ports: Option<(u16, u16)>,
    pub peer: NaclPeer,
    /// Why the entry exists (one line per reason, deduplicated).
    pub why: Vec<String>,
    /// The stateless return path of a flow.
    pub return_path: bool,
}

impl NaclEntry {
    /// Checkov checks this entry fails by design, with the reason (the flow's purpose).
    pub fn checkov_skips(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        let why = self.why.first().cloned().unwrap_or_default();
        if !self.egress {
            let portless = self.protocol == "-1" || self.protocol.starts_with("icmp");
            if portless {
                let reason = if self.allow {
                    format!("{} has no ports; the entry admits only what the flow needs: {why}", self.protocol)
                } else {
                    format!("deny entry, not an allow: {why}")
                };
                out.push(("CKV_AWS_352", reason));
            }
            let any = matches!(self.peer, NaclPeer::Cidr(c) if c.prefix_len() == 0);
            if self.allow && any && self.return_path {
                for (id, port) in [("CKV_AWS_229", 21), ("CKV_AWS_230", 20), ("CKV_AWS_231", 3389), ("CKV_AWS_232", 22)] {
                    let hit = match self.ports {
                        None => true,
                        Some((a, b)) => a <= port && port <= b,
                    };
                    if hit {
                        out.push((
                            id,
                            format!("stateless return path of {why}; the security groups admit no inbound connection on this port"),
                        ));
                    }
                }
            }
        }
        out
    }
}

/// The NACL of one tier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Nacl {
    pub tier: Tier,
    /// The spoke (index into `Policy::spokes`) whose VPC holds it; `None`: the hub.
    pub spoke: Option<usize>,
    /// `{env}-{tier}-nacl`, in a spoke `{env}-{spoke}-{tier}-nacl`.
    pub name: String,
    pub entries: Vec<NaclEntry>,
}

impl Nacl {
    /// Rules AWS will hold in one direction with `subnets` subnets per tier.
    pub fn rule_count(&self, egress: bool, subnets: usize) -> usize {
        self.entries
            .iter()
            .filter(|e| e.egress == egress)
            .map(|e| if e.peer.is_tier() { subnets } else { 1 })
            .sum()
    }
}

/// `tier_word` of the Terraform variables and shell variables (`app`, `APP`).
pub fn tier_word(t: Tier) -> &'static str {
    t.as_str()
}

/// The NACL protocol of `p`, and the port range its return traffic comes back on.
fn proto_of(p: Proto, v6: bool) -> (&'static str, Option<(u16, u16)>) {
    match p {
        Proto::Tcp => ("tcp", Some(EPHEMERAL)),
        Proto::Udp => ("udp", Some(EPHEMERAL)),
        Proto::Icmp if v6 => ("icmpv6", None),
        Proto::Icmp => ("icmp", None),
        Proto::All => ("-1", None),
    }
}

struct Builder {
    nacls: Vec<(Place, Vec<NaclEntry>)>,
}

impl Builder {
    #[allow(clippy::too_many_arguments)]
    fn add(&mut self, tier: Place, egress: bool, protocol: &'static str, ports: Option<(u16, u16)>, peer: NaclPeer, why: String, ret: bool) {
        let idx = match self.nacls.iter().position(|(t, _)| *t == tier) {
            Some(i) => i,
            None => {
                self.nacls.push((tier, Vec::new()));
                self.nacls.len() - 1
            }
        };
        let list = &mut self.nacls[idx].1;
        if let Some(e) =
            list.iter_mut().find(|e| e.allow && e.egress == egress && e.protocol == protocol && e.ports == ports && e.peer == peer)
        {
            if !e.why.contains(&why) {
                e.why.push(why);
            }
            e.return_path &= ret;
            return;
        }
        list.push(NaclEntry { number: 0, egress, allow: true, protocol, ports, peer, why: vec![why], return_path: ret });
    }

    /// The allow on `tier`'s side (`egress` = outbound) and the return path opposite.
    #[allow(clippy::too_many_arguments)]
    fn flow(&mut self, tier: Place, egress: bool, p: Proto, from: u16, to: u16, peer: NaclPeer, why: &str) {
        let v6 = matches!(peer, NaclPeer::Cidr(IpNet::V6(_)));
        let (protocol, ret) = proto_of(p, v6);
        let ports = if matches!(p, Proto::Tcp | Proto::Udp) { Some((from, to)) } else { None };
        self.add(tier, egress, protocol, ports, peer, why.to_string(), false);
        self.add(tier, !egress, protocol, ret, peer, format!("return of: {why}"), true);
    }
}

/// The tiers whose subnets the Policy uses, and each tier's NACL entries.
pub fn plan_nacls(policy: &Policy) -> Vec<Nacl> {
    let mut b = Builder { nacls: Vec::new() };
    let spokes = spokes_of(policy);
    let tier_of = |id: &str| -> Option<Place> {
        let g = policy.group(id)?;
        Some((spokes.iter().position(|s| s.workloads.contains(&g.id)), g.tier))
    };
    let mut tiers: Vec<Place> = policy.groups.iter().filter_map(|g| tier_of(&g.id)).collect();
    let hub_public: Place = (None, Tier::Public);
    let mut transit = false;
    for r in &policy.rules {
        let Some(here) = tier_of(&r.group) else { continue };
        let peer = match &r.peer {
            Peer::Group { id } => match tier_of(id) {
                Some(t) => peer_of(t),
                None => continue,
            },
            Peer::Cidr { cidr, .. } => NaclPeer::Cidr(cidr.trunc()),
        };
        let why = names::rule_description(&r.description);
        let egress = r.direction == Direction::Egress;
        b.flow(here, egress, r.ports.proto, r.ports.from, r.ports.to, peer, &why);
        if egress && here != hub_public && matches!(peer, NaclPeer::Cidr(_)) {
            transit = true;
            let t = format!("NAT transit of: {why}");
            b.flow(hub_public, false, r.ports.proto, r.ports.from, r.ports.to, peer_of(here), &t);
            b.flow(hub_public, true, r.ports.proto, r.ports.from, r.ports.to, peer, &t);
        }
    }
    for f in &policy.fqdn_egress {
        let Some(here) = tier_of(&f.group) else { continue };
        let any = NaclPeer::Cidr("0.0.0.0/0".parse().expect("v4 any"));
        let why = format!(
            "{} (host names filtered by the egress firewall or proxy)",
            names::rule_description(&f.description)
        );
        for p in &f.ports {
            b.flow(here, true, p.proto, p.from, p.to, any, &why);
            if here != hub_public {
                transit = true;
                let t = format!("NAT transit of: {why}");
                b.flow(hub_public, false, p.proto, p.from, p.to, peer_of(here), &t);
                b.flow(hub_public, true, p.proto, p.from, p.to, any, &t);
            }
        }
    }
    if transit {
        tiers.push(hub_public);
    }
    tiers.sort();
    tiers.dedup();
    let env = &policy.deployment.env;
    let mut out = Vec::new();
    for place in tiers {
        let (spoke, tier) = place;
        let allows = b.nacls.iter().find(|(t, _)| *t == place).map(|(_, l)| l.clone()).unwrap_or_default();
        let mut entries = Vec::new();
        for egress in [false, true] {
            let deny: Vec<(IpNet, &str)> =
                policy.deny.iter().flat_map(|d| d.cidrs.iter().map(move |c| (c.trunc(), d.purpose.as_str()))).collect();
            let step = if deny.len() <= 9 { 10 } else { 1 };
            for (i, (cidr, purpose)) in deny.iter().enumerate() {
                entries.push(NaclEntry {
                    number: step * (i as u32 + 1),
                    egress,
                    allow: false,
                    protocol: "-1",
                    ports: None,
                    peer: NaclPeer::Cidr(*cidr),
                    why: vec![format!("deny known bad: {}", names::aws_text(purpose))],
                    return_path: false,
                });
            }
            let mut n = 100;
            let mut v6 = false;
            for e in allows.iter().filter(|e| e.egress == egress) {
                v6 |= matches!(e.peer, NaclPeer::Cidr(IpNet::V6(_)));
                entries.push(NaclEntry { number: n, ..e.clone() });
                n += 10;
            }
            let mut finals = vec!["0.0.0.0/0"];
            if v6 || deny.iter().any(|(c, _)| matches!(c, IpNet::V6(_))) {
                finals.push("::/0");
            }
            for (i, any) in finals.iter().enumerate() {
                entries.push(NaclEntry {
                    number: FINAL_DENY + 10 * i as u32,
                    egress,
                    allow: false,
                    protocol: "-1",
                    ports: None,
                    peer: NaclPeer::Cidr(any.parse().expect("any")),
                    why: vec!["explicit final deny: everything not allowed above".into()],
                    return_path: false,
                });
            }
        }
        let name = match spoke {
            None => format!("{env}-{}-nacl", tier.as_str()),
            Some(i) => format!("{env}-{}-{}-nacl", spokes[i].name, tier.as_str()),
        };
        out.push(Nacl { tier, spoke, name, entries });
    }
    out
}

/// A place's part of Terraform names: `app`, `spoke_finance_app`.
pub fn place_tf(policy: &Policy, (spoke, tier): Place) -> String {
    match spoke {
        None => tier.as_str().to_string(),
        Some(i) => format!("spoke_{}_{}", super::topology::spoke_tf(&spokes_of(policy)[i]), tier.as_str()),
    }
}

/// A place's part of shell names: `APP`, `SPOKE_FINANCE_APP`.
pub fn place_sh(policy: &Policy, (spoke, tier): Place) -> String {
    let up = tier.as_str().to_ascii_uppercase();
    match spoke {
        None => up,
        Some(i) => format!("{}_{up}", super::topology::spoke_env(&spokes_of(policy)[i])),
    }
}

/// A place in words: `app`, `spoke finance app`.
fn place_words(policy: &Policy, (spoke, tier): Place) -> String {
    match spoke {
        None => tier.as_str().to_string(),
        Some(i) => format!("spoke {} {}", spokes_of(policy)[i].name, tier.as_str()),
    }
}

fn place(n: &Nacl) -> Place {
    (n.spoke, n.tier)
}

fn resource_name(policy: &Policy, n: &Nacl, e: &NaclEntry) -> String {
    format!("{}_{}_{}", place_tf(policy, place(n)), if e.egress { "out" } else { "in" }, e.number)
}

fn tf_protocol(p: &str) -> &str {
    p
}

fn cidr_var(policy: &Policy, p: Place) -> String {
    format!("{}_subnet_cidrs", place_tf(policy, p))
}

fn ids_var(policy: &Policy, p: Place) -> String {
    format!("{}_subnet_ids", place_tf(policy, p))
}

fn ports_text(e: &NaclEntry) -> String {
    match (e.protocol, e.ports) {
        ("-1", _) => "all".into(),
        (p, _) if p.starts_with("icmp") => "all types".into(),
        (_, Some((a, b))) if a == b => a.to_string(),
        (_, Some((a, b))) => format!("{a}-{b}"),
        (_, None) => "all".into(),
    }
}

fn terraform(plan: &Plan<'_>, nacls: &[Nacl]) -> String {
    let mut blocks: Vec<(Vec<String>, Block)> = Vec::new();
    let env = &plan.policy.deployment.env;
    let policy = plan.policy;
    if nacls.iter().any(|n| n.tier == Tier::Mgmt && n.spoke.is_none()) {
        blocks.push((vec![],
            Block::new("variable", &["mgmt_subnet_ids"])
                .attr("description", Expr::str("Subnets of the mgmt tier (private; they hold the interface endpoints and management workloads)."))
                .attr("type", Expr::raw("list(string)"))
                .attr("default", Expr::raw("[]")),
        ));
    }
    for n in nacls.iter().filter(|n| n.spoke.is_some()) {
        let mut b = Block::new("variable", &[&ids_var(policy, place(n))])
            .attr(
                "description",
                Expr::str(&names::aws_text(&format!("Subnets of the {} tier (in the spoke's VPC).", place_words(policy, place(n))))),
            )
            .attr("type", Expr::raw("list(string)"));
        if n.tier == Tier::Mgmt {
            b = b.attr("default", Expr::raw("[]"));
        }
        blocks.push((vec![], b));
    }
    for n in nacls {
        let var = cidr_var(policy, place(n));
        blocks.push((vec![],
            Block::new("variable", &[&var])
                .attr(
                    "description",
                    Expr::str(&format!(
                        "CIDR blocks of the {} subnets, in the order of {}. NACLs are stateless and CIDR-based: this is the one place subnet CIDRs are used.",
                        names::aws_text(&place_words(policy, place(n))),
                        ids_var(policy, place(n))
                    )),
                )
                .attr("type", Expr::raw("list(string)"))
                .attr("default", Expr::raw("[]"))
                .blank()
                .block(
                    Block::new("validation", &[])
                        .attr("condition", Expr::raw(format!("length(var.{var}) <= {MAX_SUBNETS_PER_TIER}")))
                        .attr(
                            "error_message",
                            Expr::str(&format!("At most {MAX_SUBNETS_PER_TIER} subnets per tier: NACL entries toward a tier take 10 consecutive rule numbers.")),
                        ),
                ),
        ));
    }
    for n in nacls {
        let tags = Expr::Object(vec![
            ("Name".into(), Expr::str(&names::tag_value(&n.name))),
            ("Env".into(), Expr::str(&names::tag_value(env))),
            ("Tier".into(), Expr::str(n.tier.as_str())),
        ]);
        let vpc = match n.spoke {
            None => "var.vpc_id".to_string(),
            Some(i) => format!("var.spoke_{}_vpc_id", super::topology::spoke_tf(&spokes_of(policy)[i])),
        };
        blocks.push((vec![],
            Block::new("resource", &["aws_network_acl", &place_tf(policy, place(n))])
                .attr("vpc_id", Expr::raw(vpc))
                .attr("subnet_ids", Expr::raw(format!("var.{}", ids_var(policy, place(n)))))
                .blank()
                .attr("tags", Expr::Wrap("merge(var.tags, ".into(), Box::new(tags), ")".into())),
        ));
        for e in &n.entries {
            let mut b = Block::new("resource", &["aws_network_acl_rule", &resource_name(policy, n, e)]);
            let mut comment = Vec::new();
            if e.return_path {
                comment.push(format!("# {RETURN_NOTE}"));
            }
            for w in &e.why {
                comment.push(format!("# {}", one_line(w)));
            }
            for (id, reason) in e.checkov_skips() {
                comment.push(format!("  #checkov:skip={id}:{}", one_line(&reason)));
            }
            if let Some(t) = place_of_peer(e.peer) {
                b = b.attr("for_each", Expr::raw(format!("{{ for i, cidr in var.{} : cidr => i }}", cidr_var(policy, t)))).blank();
            }
            b = b
                .attr("network_acl_id", Expr::raw(format!("aws_network_acl.{}.id", place_tf(policy, place(n)))))
                .attr(
                    "rule_number",
                    Expr::raw(if e.peer.is_tier() {
                        format!("{} + each.value", e.number)
                    } else {
                        e.number.to_string()
                    }),
                )
                .attr("egress", Expr::raw(e.egress.to_string()))
                .attr("protocol", Expr::str(tf_protocol(e.protocol)))
                .attr("rule_action", Expr::str(if e.allow { "allow" } else { "deny" }));
            b = match e.peer {
                NaclPeer::Tier(_) | NaclPeer::SpokeTier(..) => b.attr("cidr_block", Expr::raw("each.key")),
                NaclPeer::Cidr(IpNet::V4(c)) => b.attr("cidr_block", Expr::str(&c.to_string())),
                NaclPeer::Cidr(IpNet::V6(c)) => b.attr("ipv6_cidr_block", Expr::str(&c.to_string())),
            };
            if let Some((from, to)) = e.ports {
                b = b.attr("from_port", Expr::num(from)).attr("to_port", Expr::num(to));
            }
            if e.protocol.starts_with("icmp") {
                b = b.attr("icmp_type", Expr::num(-1)).attr("icmp_code", Expr::num(-1));
            }
            blocks.push((comment, b));
        }
    }
    let parts: Vec<String> = blocks
        .iter()
        .map(|(comment, b)| {
            // `# why` above the block; `#checkov:skip` inside it, where checkov reads it.
            let (inside, above): (Vec<&String>, Vec<&String>) = comment.iter().partition(|l| l.starts_with("  #"));
            let mut text: String = above.iter().map(|l| format!("{l}\n")).collect();
            let body = b.render(0);
            let (first, rest) = body.split_once('\n').unwrap_or((&body, ""));
            text.push_str(first);
            text.push('\n');
            for l in inside {
                text.push_str(l);
                text.push('\n');
            }
            text.push_str(rest);
            text
        })
        .collect();
    parts.join("\n")
}

/// `s` on one line, for a `#` comment.
fn one_line(s: &str) -> String {
    s.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}

const SCRIPT_HELPERS: &str = r#"# subnet_cidrs SUBNET_ID...: the CIDR blocks of the subnets, in the order given.
subnet_cidrs() {
  local id
  for id in "$@"; do
    ec2 describe-subnets --subnet-ids "$id" --query 'Subnets[0].CidrBlock' --output text
  done
}

# ensure_nacl NAME TIER [VPC_ID]: prints the id of the network ACL tagged NAME in the VPC
# ($VPC_ID by default), created if missing.
ensure_nacl() {
  local id vpc="${3:-$VPC_ID}"
  id="$(ec2 describe-network-acls --filters "Name=vpc-id,Values=$vpc" "Name=tag:Name,Values=$1" \
    --query 'NetworkAcls[0].NetworkAclId' --output text)" || return 1
  if [ -z "$id" ] || [ "$id" = "None" ]; then
    id="$(ec2 create-network-acl --vpc-id "$vpc" --query NetworkAcl.NetworkAclId --output text \
      --tag-specifications "ResourceType=network-acl,Tags=[{Key=Name,Value=$1},{Key=Tier,Value=$2}]")" || return 1
    echo "created $1: $id" >&2
  else
    echo "found $1: $id" >&2
  fi
  case "$id" in
    acl-*) printf '%s\n' "$id" ;;
    *) echo "apply.sh: no usable network ACL id for $1 (got '$id')" >&2; return 1 ;;
  esac
}

# nacl_entry ACL_ID NUMBER ingress|egress PROTOCOL allow|deny CIDR [FROM TO]: creates the
# entry, or replaces the one that holds the number already.
nacl_entry() {
  local args out
  args=(--network-acl-id "$1" --rule-number "$2" --protocol "$4" --rule-action "$5")
  if [ "$3" = egress ]; then args+=(--egress); else args+=(--ingress); fi
  case "$6" in
    *:*) args+=(--ipv6-cidr-block "$6") ;;
    *) args+=(--cidr-block "$6") ;;
  esac
  case "$4" in
    1|58) args+=(--icmp-type-code Type=-1,Code=-1) ;;
  esac
  if [ $# -ge 8 ]; then args+=(--port-range "From=$7,To=$8"); fi
  if ! out="$(ec2 create-network-acl-entry "${args[@]}" 2>&1)"; then
    case "$out" in
      *NetworkAclEntryAlreadyExists*) ec2 replace-network-acl-entry "${args[@]}" >/dev/null ;;
      *) printf '%s\n' "$out" >&2; return 1 ;;
    esac
  fi
}

# associate_nacl ACL_ID SUBNET_ID...: moves each subnet to the network ACL.
associate_nacl() {
  local acl="$1" subnet assoc current
  shift
  for subnet in "$@"; do
    read -r assoc current < <(ec2 describe-network-acls --filters "Name=association.subnet-id,Values=$subnet" \
      --query "NetworkAcls[0].Associations[?SubnetId=='$subnet'] | [0].[NetworkAclAssociationId,NetworkAclId]" --output text)
    if [ "$current" = "$acl" ]; then
      continue
    fi
    if [ -z "$assoc" ] || [ "$assoc" = "None" ]; then
      echo "apply.sh: subnet $subnet has no network ACL association" >&2
      return 1
    fi
    ec2 replace-network-acl-association --association-id "$assoc" --network-acl-id "$acl" >/dev/null
  done
}
"#;

/// The protocol number the EC2 API takes.
pub fn protocol_number(p: &str) -> &'static str {
    match p {
        "tcp" => "6",
        "udp" => "17",
        "icmp" => "1",
        "icmpv6" => "58",
        _ => "-1",
    }
}

fn script(policy: &Policy, nacls: &[Nacl]) -> String {
    let mut s = String::new();
    s.push_str("# Network ACLs: one per tier, stateless; subnet CIDRs are read from the subnets.\n");
    s.push_str(SCRIPT_HELPERS);
    for n in nacls {
        let up = place_sh(policy, place(n));
        let ids = format!("{up}_SUBNET_IDS");
        let words = names::tag_value(&place_words(policy, place(n)));
        let required = n.tier != Tier::Mgmt;
        if required {
            let _ = writeln!(
                s,
                "\nif [ -z \"${{{ids}:-}}\" ]; then\n  echo \"apply.sh: {ids} is not set; export {ids}='subnet-... subnet-...' (the {} tier's subnets)\" >&2\n  exit 1\nfi",
                words
            );
        }
        let _ = writeln!(s, "\n# {} ({} tier)", n.name, words);
        if !required {
            let _ = writeln!(
                s,
                "if [ -z \"${{{ids}:-}}\" ]; then\n  echo \"apply.sh: {ids} is not set: {} is not created, and no entry toward the mgmt subnets\" >&2\nfi",
                n.name
            );
        }
        let _ = writeln!(s, "read -r -a {up}_SUBNETS <<< \"${{{ids}:-}}\"");
        let _ = writeln!(s, "read -r -a {up}_CIDRS <<< \"$(subnet_cidrs \"${{{up}_SUBNETS[@]}}\" | tr '\\n' ' ')\"");
    }
    for n in nacls {
        let up = place_sh(policy, place(n));
        let var = format!("NACL_{up}");
        let vpc = n.spoke.map(|i| format!(" \"${}_VPC_ID\"", super::topology::spoke_env(&spokes_of(policy)[i]))).unwrap_or_default();
        let guard = n.tier == Tier::Mgmt;
        let _ = writeln!(s, "\n# {}", n.name);
        let ind = if guard {
            let _ = writeln!(s, "if [ \"${{#{up}_SUBNETS[@]}}\" -gt 0 ]; then");
            "  "
        } else {
            ""
        };
        let _ = writeln!(s, "{ind}{var}=\"$(ensure_nacl {} {}{vpc})\"", quote(&n.name), n.tier.as_str());
        for e in &n.entries {
            if e.return_path {
                let _ = writeln!(s, "{ind}# {RETURN_NOTE}");
            }
            for w in &e.why {
                let _ = writeln!(s, "{ind}# {}", one_line(w));
            }
            let dir = if e.egress { "egress" } else { "ingress" };
            let action = if e.allow { "allow" } else { "deny" };
            let proto = protocol_number(e.protocol);
            let ports = e.ports.map(|(a, b)| format!(" {a} {b}")).unwrap_or_default();
            match e.peer {
                NaclPeer::Cidr(c) => {
                    let _ = writeln!(s, "{ind}nacl_entry \"${var}\" {} {dir} {proto} {action} {}{ports}", e.number, quote(&c.to_string()));
                }
                NaclPeer::Tier(_) | NaclPeer::SpokeTier(..) => {
                    let tu = place_sh(policy, place_of_peer(e.peer).expect("a tier peer"));
                    let _ = writeln!(
                        s,
                        "{ind}for i in \"${{!{tu}_CIDRS[@]}}\"; do nacl_entry \"${var}\" $(({} + i)) {dir} {proto} {action} \"${{{tu}_CIDRS[$i]}}\"{ports}; done",
                        e.number
                    );
                }
            }
        }
        let _ = writeln!(s, "{ind}associate_nacl \"${var}\" \"${{{up}_SUBNETS[@]}}\"");
        if guard {
            s.push_str("fi\n");
        }
    }
    s
}

fn report(plan: &Plan<'_>, nacls: &[Nacl]) -> String {
    let mut s = String::new();
    s.push_str("## Network ACLs\n\n");
    s.push_str(
        "One stateless network ACL per tier, a second layer under the security groups. NACLs cannot \
reference security groups, so they use the subnets' CIDR blocks (the only place subnet CIDRs are \
used); an entry toward a tier expands to one rule per subnet of that tier, numbered N, N+1, ... \
Each allowed flow opens its port on one side and the ephemeral return range 1024-65535 on the \
other (Linux clients use 32768-60999, Windows 49152-65535, NAT gateways and load balancers \
1024-65535), because NACLs keep no connection state. Egress from a private tier to the internet \
transits the NAT gateway in the public subnets, so the public NACL carries that transit too. \
Rules 32000+ deny everything else explicitly, ahead of the implicit `*` rule.\n\n",
    );
    if !spokes_of(plan.policy).is_empty() {
        s.push_str(
            "Hub and spoke: each spoke's tiers get their own NACLs in the spoke's VPC (inputs \
`spoke_<name>_<tier>_subnet_ids` / `SPOKE_<NAME>_<TIER>_SUBNET_IDS`), the hub's tiers theirs in the hub VPC. \
A flow between a spoke and the hub or another spoke opens both NACLs toward the other side's tier subnets \
(the traffic keeps its addresses across the transit gateway); a spoke's internet egress transits the hub's \
public subnets, so the hub's public NACL carries it.\n\n",
        );
    }
    if !plan.policy.deny.is_empty() {
        s.push_str("Known-bad ranges (`[[deny]]`) are denied in every NACL, in both directions, with rule numbers below 100 so that they win over every allow.\n\n");
    }
    let scopes: Vec<&str> = plan
        .policy
        .deployment
        .compliance
        .iter()
        .map(|c| c.as_str())
        .filter(|c| *c == "pci-dss" || *c == "fedramp")
        .collect();
    if !scopes.is_empty() {
        if plan.policy.deny.is_empty() {
            let _ = writeln!(
                s,
                "Note: the compliance scope ({}) calls for explicit \"deny known bad\" rules; the profile has no `[[deny]]` entry, so the NACLs only deny what is not allowed.\n",
                md_cell(&scopes.join(", "))
            );
        } else {
            let _ = writeln!(s, "The `[[deny]]` entries serve the \"deny known bad\" expectation of {}.\n", md_cell(&scopes.join(", ")));
        }
    }
    let subnets = plan.policy.deployment.availability_zones.max(1) as usize;
    for n in nacls {
        let _ = writeln!(
            s,
            "### `{}` ({} subnets)\n\nWith {subnets} subnet(s) per tier: {} inbound and {} outbound rules (default quota {NACL_RULES_PER_DIRECTION} per direction).\n",
            md_cell(&n.name),
            md_cell(&place_words(plan.policy, place(n))),
            n.rule_count(false, subnets),
            n.rule_count(true, subnets)
        );
        s.push_str("| # | Direction | Action | Protocol | Ports | CIDR | Why |\n|---|---|---|---|---|---|---|\n");
        for e in &n.entries {
            let cidr = match place_of_peer(e.peer) {
                Some(p) => format!("{} subnets", md_cell(&place_words(plan.policy, p))),
                None => match e.peer {
                    NaclPeer::Cidr(c) => format!("`{c}`"),
                    _ => String::new(),
                },
            };
            let number = if e.peer.is_tier() { format!("{}+", e.number) } else { e.number.to_string() };
            let mut why = e.why.iter().map(|w| md_cell(w)).collect::<Vec<_>>().join("; ");
            if e.return_path {
                why = format!("{why} (ephemeral return path)");
            }
            let _ = writeln!(
                s,
                "| {number} | {} | {} | {} | {} | {cidr} | {why} |",
                if e.egress { "outbound" } else { "inbound" },
                if e.allow { "allow" } else { "deny" },
                if e.protocol == "-1" { "all" } else { e.protocol },
                ports_text(e),
            );
        }
        s.push('\n');
    }
    s
}

/// The phase: `terraform/nacls.tf`, the NACL part of `apply.sh` and the report section.
pub fn render(plan: &Plan<'_>) -> Contribution {
    let nacls = plan_nacls(plan.policy);
    if nacls.is_empty() {
        return Contribution::default();
    }
    Contribution {
        files: vec![("terraform/nacls.tf".into(), terraform(plan, &nacls))],
        script: script(plan.policy, &nacls),
        report: report(plan, &nacls),
    }
}
