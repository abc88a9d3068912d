#!/usr/bin/env bash
# Verifies the host firewalls of orders (prod) against the rendered rulesets.
# Usage: verify.sh [WORKLOAD...]   (default: the workloads whose addresses this host carries)
# Needs root (nft, unshare). Exit: 0 all checks pass, 1 a check failed, 2 a check could not run.
set -uo pipefail

WORKLOADS=('api' 'cache' 'db' 'lb' 'web')
TABLES=('prod-app-api-fw' 'prod-data-cache-fw' 'prod-data-db-fw' 'prod-public-lb-fw' 'prod-app-web-fw')
ADDRESSES=('198.51.100.30' '198.51.100.50' '198.51.100.40' '198.51.100.10' '198.51.100.20 198.51.100.21')

# The rendered ruleset of workload number $1 (heredocs are literal).
expected_ruleset() {
	case "$1" in
	0)
		cat <<'END_OF_RULESET'
#!/usr/sbin/nft -f
# Host firewall of workload api (app tier, vm) in orders (prod).
# Addresses: 198.51.100.30
# Load: nft -c -f <this file> (check), then nft -f <this file>. It replaces table
# inet prod-app-api-fw atomically and leaves every other table alone.

table inet prod-app-api-fw
delete table inet prod-app-api-fw

table inet prod-app-api-fw {
	set grp_cache_v4 {
		type ipv4_addr
		flags interval
		comment "hosts of prod-data-cache-fw"
		elements = { 198.51.100.50 }
	}

	set grp_db_v4 {
		type ipv4_addr
		flags interval
		comment "hosts of prod-data-db-fw"
		elements = { 198.51.100.40 }
	}

	set grp_web_v4 {
		type ipv4_addr
		flags interval
		comment "hosts of prod-app-web-fw"
		elements = { 198.51.100.20, 198.51.100.21 }
	}

	chain input {
		type filter hook input priority filter; policy drop;
		ct state invalid drop comment "untracked or malformed packets"
		ct state established,related accept comment "return traffic of allowed connections"
		iifname "lo" accept comment "loopback"
		icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert, nd-router-advert } ip6 hoplimit 255 accept comment "IPv6 neighbour discovery, on-link only"
		ip saddr @grp_web_v4 tcp dport 9000 accept comment "web -> api : 9000/tcp - order API calls - infrastructure team"
		ip saddr 203.0.113.0/24 tcp dport 8443 accept comment "partner -> api : 8443/tcp - partner order callbacks - payments team"
	}

	chain output {
		type filter hook output priority filter; policy drop;
		ct state invalid drop comment "untracked or malformed packets"
		ct state established,related accept comment "return traffic of allowed connections"
		oifname "lo" accept comment "loopback"
		icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert, nd-router-solicit } ip6 hoplimit 255 accept comment "IPv6 neighbour discovery, on-link only"
		ip daddr @grp_db_v4 tcp dport 5432 accept comment "api -> db : 5432/tcp - order writes - payments team"
		ip daddr @grp_cache_v4 tcp dport 6379 accept comment "api -> cache : 6379/tcp - session cache - infrastructure team"
		ip daddr 198.51.100.53 udp dport 53 accept comment "api -> resolvers : 53/udp - name resolution - infrastructure team"
		ip daddr 198.51.100.53 tcp dport 53 accept comment "api -> resolvers : 53/tcp - name resolution - infrastructure team"
		ip daddr 203.0.113.0/24 tcp dport 443 accept comment "api -> 203.0.113.0/24 : 443/tcp - payment partner API - payments team"
	}
}
END_OF_RULESET
		;;
	1)
		cat <<'END_OF_RULESET'
#!/usr/sbin/nft -f
# Host firewall of workload cache (data tier, redis) in orders (prod).
# Addresses: 198.51.100.50
# Load: nft -c -f <this file> (check), then nft -f <this file>. It replaces table
# inet prod-data-cache-fw atomically and leaves every other table alone.

table inet prod-data-cache-fw
delete table inet prod-data-cache-fw

table inet prod-data-cache-fw {
	set grp_api_v4 {
		type ipv4_addr
		flags interval
		comment "hosts of prod-app-api-fw"
		elements = { 198.51.100.30 }
	}

	chain input {
		type filter hook input priority filter; policy drop;
		ct state invalid drop comment "untracked or malformed packets"
		ct state established,related accept comment "return traffic of allowed connections"
		iifname "lo" accept comment "loopback"
		icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert, nd-router-advert } ip6 hoplimit 255 accept comment "IPv6 neighbour discovery, on-link only"
		ip saddr @grp_api_v4 tcp dport 6379 accept comment "api -> cache : 6379/tcp - session cache - infrastructure team"
	}

	chain output {
		type filter hook output priority filter; policy drop;
		ct state invalid drop comment "untracked or malformed packets"
		ct state established,related accept comment "return traffic of allowed connections"
		oifname "lo" accept comment "loopback"
		icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert, nd-router-solicit } ip6 hoplimit 255 accept comment "IPv6 neighbour discovery, on-link only"
	}
}
END_OF_RULESET
		;;
	2)
		cat <<'END_OF_RULESET'
#!/usr/sbin/nft -f
# Host firewall of workload db (data tier, postgres) in orders (prod).
# Addresses: 198.51.100.40
# Load: nft -c -f <this file> (check), then nft -f <this file>. It replaces table
# inet prod-data-db-fw atomically and leaves every other table alone.

table inet prod-data-db-fw
delete table inet prod-data-db-fw

table inet prod-data-db-fw {
	set grp_api_v4 {
		type ipv4_addr
		flags interval
		comment "hosts of prod-app-api-fw"
		elements = { 198.51.100.30 }
	}

	chain input {
		type filter hook input priority filter; policy drop;
		ct state invalid drop comment "untracked or malformed packets"
		ct state established,related accept comment "return traffic of allowed connections"
		iifname "lo" accept comment "loopback"
		icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert, nd-router-advert } ip6 hoplimit 255 accept comment "IPv6 neighbour discovery, on-link only"
		ip saddr @grp_api_v4 tcp dport 5432 accept comment "api -> db : 5432/tcp - order writes - payments team"
	}

	chain output {
		type filter hook output priority filter; policy drop;
		ct state invalid drop comment "untracked or malformed packets"
		ct state established,related accept comment "return traffic of allowed connections"
		oifname "lo" accept comment "loopback"
		icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert, nd-router-solicit } ip6 hoplimit 255 accept comment "IPv6 neighbour discovery, on-link only"
	}
}
END_OF_RULESET
		;;
	3)
		cat <<'END_OF_RULESET'
#!/usr/sbin/nft -f
# Host firewall of workload lb (public tier, load-balancer) in orders (prod).
# Addresses: 198.51.100.10
# Load: nft -c -f <this file> (check), then nft -f <this file>. It replaces table
# inet prod-public-lb-fw atomically and leaves every other table alone.

table inet prod-public-lb-fw
delete table inet prod-public-lb-fw

table inet prod-public-lb-fw {
	set grp_web_v4 {
		type ipv4_addr
		flags interval
		comment "hosts of prod-app-web-fw"
		elements = { 198.51.100.20, 198.51.100.21 }
	}

	chain input {
		type filter hook input priority filter; policy drop;
		ct state invalid drop comment "untracked or malformed packets"
		ct state established,related accept comment "return traffic of allowed connections"
		iifname "lo" accept comment "loopback"
		icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert, nd-router-advert } ip6 hoplimit 255 accept comment "IPv6 neighbour discovery, on-link only"
		meta nfproto ipv4 tcp dport 443 accept comment "internet -> lb : 443/tcp - public site traffic - web team"
		meta nfproto ipv6 tcp dport 443 accept comment "internet -> lb : 443/tcp - public site traffic - web team"
		meta nfproto ipv4 tcp dport 80 accept comment "internet -> lb : 80/tcp - HTTP redirect to HTTPS - web team"
		meta nfproto ipv6 tcp dport 80 accept comment "internet -> lb : 80/tcp - HTTP redirect to HTTPS - web team"
	}

	chain output {
		type filter hook output priority filter; policy drop;
		ct state invalid drop comment "untracked or malformed packets"
		ct state established,related accept comment "return traffic of allowed connections"
		oifname "lo" accept comment "loopback"
		icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert, nd-router-solicit } ip6 hoplimit 255 accept comment "IPv6 neighbour discovery, on-link only"
		ip daddr @grp_web_v4 tcp dport 8080 accept comment "lb -> web : 8080/tcp - request forward - web team"
	}
}
END_OF_RULESET
		;;
	4)
		cat <<'END_OF_RULESET'
#!/usr/sbin/nft -f
# Host firewall of workload web (app tier, vm) in orders (prod).
# Addresses: 198.51.100.20, 198.51.100.21
# Load: nft -c -f <this file> (check), then nft -f <this file>. It replaces table
# inet prod-app-web-fw atomically and leaves every other table alone.

table inet prod-app-web-fw
delete table inet prod-app-web-fw

table inet prod-app-web-fw {
	set grp_api_v4 {
		type ipv4_addr
		flags interval
		comment "hosts of prod-app-api-fw"
		elements = { 198.51.100.30 }
	}

	set grp_lb_v4 {
		type ipv4_addr
		flags interval
		comment "hosts of prod-public-lb-fw"
		elements = { 198.51.100.10 }
	}

	chain input {
		type filter hook input priority filter; policy drop;
		ct state invalid drop comment "untracked or malformed packets"
		ct state established,related accept comment "return traffic of allowed connections"
		iifname "lo" accept comment "loopback"
		icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert, nd-router-advert } ip6 hoplimit 255 accept comment "IPv6 neighbour discovery, on-link only"
		ip saddr @grp_lb_v4 tcp dport 8080 accept comment "lb -> web : 8080/tcp - request forward - web team"
	}

	chain output {
		type filter hook output priority filter; policy drop;
		ct state invalid drop comment "untracked or malformed packets"
		ct state established,related accept comment "return traffic of allowed connections"
		oifname "lo" accept comment "loopback"
		icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert, nd-router-solicit } ip6 hoplimit 255 accept comment "IPv6 neighbour discovery, on-link only"
		ip daddr @grp_api_v4 tcp dport 9000 accept comment "web -> api : 9000/tcp - order API calls - infrastructure team"
	}
}
END_OF_RULESET
		;;
	esac
}

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
