//! `verify/verify.sh`: compares each host's live nftables table with the rendered one.
//!
//! The expected listing is produced by the same `nft` on the same machine: the script
//! loads the rendered ruleset into a throwaway network namespace (`unshare --net`) and
//! lists it there, so both sides are in nft's canonical form. Checks print PASS/FAIL;
//! exit 0 when all pass, 1 when one fails, 2 when a check cannot run.

use crate::escape::{hash_comment, sh_quote};
use crate::model::{nft_addr, Model};
use crate::ruleset;
use std::fmt::Write as _;

pub fn render(model: &Model) -> String {
    let d = &model.policy.deployment;
    let mut s = String::new();
    let _ = writeln!(s, "#!/usr/bin/env bash");
    let _ = writeln!(
        s,
        "# Verifies the host firewalls of {} ({}) against the rendered rulesets.",
        hash_comment(&d.name),
        hash_comment(&d.env)
    );
    let _ = writeln!(s, "# Usage: verify.sh [WORKLOAD...]   (default: the workloads whose addresses this host carries)");
    let _ = writeln!(s, "# Needs root (nft, unshare). Exit: 0 all checks pass, 1 a check failed, 2 a check could not run.");
    let _ = writeln!(s, "set -uo pipefail");
    let _ = writeln!(s);
    let names: Vec<String> = model.hosts.iter().map(|h| sh_quote(&h.group.id)).collect();
    let tables: Vec<String> = model.hosts.iter().map(|h| sh_quote(&h.table)).collect();
    let addrs: Vec<String> = model
        .hosts
        .iter()
        .map(|h| {
            sh_quote(
                &h.addrs
                    .v4
                    .iter()
                    .chain(&h.addrs.v6)
                    .map(nft_addr)
                    .collect::<Vec<_>>()
                    .join(" "),
            )
        })
        .collect();
    let _ = writeln!(s, "WORKLOADS=({})", names.join(" "));
    let _ = writeln!(s, "TABLES=({})", tables.join(" "));
    let _ = writeln!(s, "ADDRESSES=({})", addrs.join(" "));
    let _ = writeln!(s);
    s.push_str("# The rendered ruleset of workload number $1 (heredocs are literal).\nexpected_ruleset() {\n\tcase \"$1\" in\n");
    for (i, h) in model.hosts.iter().enumerate() {
        let _ = writeln!(s, "\t{i})\n\t\tcat <<'END_OF_RULESET'");
        s.push_str(&ruleset::render(model, h));
        let _ = writeln!(s, "END_OF_RULESET\n\t\t;;");
    }
    s.push_str("\tesac\n}\n");
    s.push_str(SCRIPT_BODY);
    s
}

const SCRIPT_BODY: &str = r#"
failed=0
broken=0
pass() { printf 'PASS  %s\n' "$1"; }
fail() { printf 'FAIL  %s\n' "$1"; failed=1; }
cannot() { printf 'ERROR %s\n' "$1" >&2; broken=1; }

for tool in nft unshare; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		echo "verify.sh: '$tool' is not installed" >&2
		exit 2
	fi
done

if ! nft_error="$(nft list tables 2>&1 >/dev/null)"; then
	echo "verify.sh: cannot read the live ruleset (run as root): $nft_error" >&2
	exit 2
fi

index_of() {
	local i
	for i in "${!WORKLOADS[@]}"; do
		if [ "${WORKLOADS[$i]}" = "$1" ]; then echo "$i"; return 0; fi
	done
	return 1
}

selected=()
if [ "$#" -gt 0 ]; then
	for w in "$@"; do
		if ! i="$(index_of "$w")"; then
			echo "verify.sh: unknown workload '$w'; expected one of: ${WORKLOADS[*]}" >&2
			exit 2
		fi
		selected+=("$i")
	done
else
	# A workload runs here when this host carries one of its addresses, or an address
	# inside one of its ranges (`ip addr show to PREFIX` matches by prefix).
	for i in "${!WORKLOADS[@]}"; do
		for a in ${ADDRESSES[$i]}; do
			if [ -n "$(ip -o addr show to "$a" 2>/dev/null)" ]; then selected+=("$i"); break; fi
		done
	done
	if [ "${#selected[@]}" -eq 0 ]; then
		echo "verify.sh: no workload's address is configured on this host; name the workloads to check: ${WORKLOADS[*]}" >&2
		exit 2
	fi
fi

for i in "${selected[@]}"; do
	w="${WORKLOADS[$i]}"
	t="${TABLES[$i]}"
	if ! live="$(nft list table inet "$t" 2>/dev/null)"; then
		fail "$w: table inet $t is not loaded"
		continue
	fi
	pass "$w: table inet $t is loaded"
	if printf '%s\n' "$live" | grep -q 'hook input priority filter; policy drop;'; then
		pass "$w: input chain drops by default"
	else
		fail "$w: input chain does not drop by default"
	fi
	if printf '%s\n' "$live" | grep -q 'hook output priority filter; policy drop;'; then
		pass "$w: output chain drops by default (default-deny egress)"
	else
		fail "$w: output chain does not drop by default (egress is open)"
	fi
	if ! expected="$(expected_ruleset "$i" | unshare --net -- sh -c 'nft -f - && nft list table inet "$1"' sh "$t" 2>&1)"; then
		cannot "$w: cannot build the expected listing: $expected"
		continue
	fi
	if [ "$live" = "$expected" ]; then
		pass "$w: live ruleset matches the rendered one"
	else
		fail "$w: live ruleset differs from the rendered one (- rendered, + live):"
		diff -u <(printf '%s\n' "$expected") <(printf '%s\n' "$live") | tail -n +3 | sed 's/^/      /'
	fi
done

if [ "$broken" = 1 ]; then exit 2; fi
exit "$failed"
"#;
