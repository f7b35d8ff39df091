#!/bin/sh
# Antispoofing with real frames.  The map marks xpbr0 "antispoof = yes";
# guest 30 (mac 00:16:3e:00:1e:00, ip 10.9.0.5) sits on it.  xpbr1 has no
# antispoofing and guest 31 on it is the control: every forged frame that
# is dropped on xpbr0 gets through on xpbr1, so the checks can fail.
. "$(dirname "$0")/../lib/t.sh"
. "$T_ROOT/tests/netns/t-vif-lib.sh"
vif_init
command -v ping >/dev/null || t_bail "ping (iputils-ping) missing"
command -v nft >/dev/null || t_bail "nft (nftables) missing"

vif_map '[bridge xpbr0]
antispoof = yes

[bridge xpbr1]'
for b in xpbr0:10.9.0.1 xpbr1:10.8.0.1; do
	ip link add "${b%%:*}" type bridge && ip link set "${b%%:*}" up &&
		ip addr add "${b#*:}/24" dev "${b%%:*}" || t_bail "bridge $b"
done
vif_mkvif 30 0 bridge=xpbr0 ip=10.9.0.5 || t_bail "vif 30.0"
vif_mkvif 31 0 bridge=xpbr1 ip=10.8.0.5 || t_bail "vif 31.0"
in_guest ip link set g30_0 down address 00:16:3e:00:1e:00 up
in_guest ip link set g31_0 down address 00:16:3e:00:1f:00 up
in_guest ip addr add 10.9.0.5/24 dev g30_0
in_guest ip addr add 10.8.0.5/24 dev g31_0

t_ok "online on the antispoof bridge" vif_run online 30 0
t_ok "online on the control bridge" vif_run online 31 0
t_match "nftables table for vif30.0" "chain ingress" \
	"$(nft list table netdev xenplumb-vif30.0 2>&1)"
t_fails "no table for the control vif" nft list table netdev xenplumb-vif31.0

pingok() { # DESC SRC DST [dev]
	in_guest ping -c 1 -W 1 -I "$2" "$3" >/dev/null 2>&1
}
# legitimate traffic passes
t_ok "guest pings the host from its own address" pingok x 10.9.0.5 10.9.0.1
t_ok "control: same" pingok x 10.8.0.5 10.8.0.1

# forged source IP (ARP and IPv4)
in_guest ip addr add 10.9.0.66/24 dev g30_0
in_guest ip addr add 10.8.0.66/24 dev g31_0
ip neigh flush dev xpbr0
ip neigh flush dev xpbr1
t_fails "forged IP (ARP for it) is dropped" pingok x 10.9.0.66 10.9.0.1
t_ok "control: forged IP gets through without antispoof" pingok x 10.8.0.66 10.8.0.1
t_nomatch "host learnt nothing about the forged IP" "lladdr" \
	"$(ip neigh show 10.9.0.66 dev xpbr0)"
t_match "control: host learnt the forged IP" "lladdr" "$(ip neigh show 10.8.0.66 dev xpbr1)"
# IPv4 alone: the host already knows where to send, only the IP is checked
ip neigh replace 10.9.0.66 lladdr 00:16:3e:00:1e:00 dev xpbr0
in_guest ip neigh replace 10.9.0.1 lladdr "$("$NLPROBE" link xpbr0 mac)" dev g30_0
t_fails "forged IPv4 source is dropped" pingok x 10.9.0.66 10.9.0.1
t_ok "own address still passes" pingok x 10.9.0.5 10.9.0.1
in_guest ip addr del 10.9.0.66/24 dev g30_0
in_guest ip addr del 10.8.0.66/24 dev g31_0

# forged source MAC
in_guest ip link set g30_0 address 00:16:3e:99:99:99
in_guest ip link set g31_0 address 00:16:3e:99:99:98
ip neigh flush dev xpbr0
ip neigh flush dev xpbr1
in_guest ip neigh flush dev g30_0
in_guest ip neigh flush dev g31_0
t_fails "forged MAC is dropped" pingok x 10.9.0.5 10.9.0.1
t_ok "control: forged MAC gets through without antispoof" pingok x 10.8.0.5 10.8.0.1
in_guest ip link set g30_0 address 00:16:3e:00:1e:00
ip neigh flush dev xpbr0
in_guest ip neigh flush dev g30_0
t_ok "with its own MAC again it passes" pingok x 10.9.0.5 10.9.0.1

# offline removes the rules; a missing mac key is refused
t_ok "offline" vif_run offline 30 0
t_fails "table gone after offline" nft list table netdev xenplumb-vif30.0
vif_mkvif 32 0 bridge=xpbr0 ip=10.9.0.7 || t_bail "vif 32.0"
xenstore-rm "$VIF_BE/32/0/mac"
t_fails "antispoof bridge without a mac key: refused" vif_run online 32 0
t_match "error says so" "antispoof.*no mac key" "$(vif_error 32 0)"
t_eq "32.0 not plumbed" "" "$("$NLPROBE" link vif32.0 master)"
t_fails "and no table left behind" nft list table netdev xenplumb-vif32.0

# no ip key: MAC checked only; rules in place before the port is up
vif_mkvif 33 0 bridge=xpbr0 || t_bail "vif 33.0"
t_ok "online without an ip key" vif_run online 33 0
t_match "MAC rule present" "ether saddr != 00:16:3e:00:21:00 drop" \
	"$(nft list table netdev xenplumb-vif33.0 2>&1)"
t_nomatch "no IP rule" "ip saddr" "$(nft list table netdev xenplumb-vif33.0 2>&1)"
t_match "router advertisements dropped even without ip" "nd-router-advert" \
	"$(nft list table netdev xenplumb-vif33.0 2>&1)"
t_ok "offline 33.0" vif_run offline 33 0
t_ok "offline again (nothing left) is fine" vif_run offline 33 0

# IPv6, NDP, router advertisements, DHCP server replies and redirects, as
# hand-built frames (tests/tools/frame.py) from guest 34 (antispoof, ip
# lists an IPv6 address) and guest 35 (the control, same frames).  A table
# on each vif at priority 0, after the antispoof chain's -300, counts what
# got through; each counter matches a mark only these frames carry.
FR="python3 $T_ROOT/tests/tools/frame.py"
vif_mkvif 34 0 bridge=xpbr0 "ip=10.9.0.9 2001:db8:9::9" || t_bail "vif 34.0"
vif_mkvif 35 0 bridge=xpbr1 "ip=10.8.0.9 2001:db8:8::9" || t_bail "vif 35.0"
in_guest ip link set g34_0 address 00:16:3e:00:22:00 up
in_guest ip link set g35_0 address 00:16:3e:00:23:00 up
t_ok "online 34 (IPv6 listed)" vif_run online 34 0
t_ok "online 35 (control)" vif_run online 35 0
vif_mkvif 40 0 bridge=xpbr0 ip=10.9.0.40 || t_bail "vif 40.0"
in_guest ip link set g40_0 address 00:16:3e:00:28:00 up
t_ok "online 40 (no IPv6 in ip)" vif_run online 40 0
for v in 34 35 40; do
	nft -f - <<NFT || t_bail "observer on vif$v.0"
table netdev obs$v {
	chain c {
		type filter hook ingress device "vif$v.0" priority 0;
		icmpv6 type echo-request counter
		icmpv6 type nd-neighbor-advert @th,160,32 0x99 counter
		icmpv6 type nd-neighbor-advert @th,160,32 0x9 counter
		icmpv6 type nd-neighbor-solicit @th,160,32 0xabcd counter
		icmpv6 type nd-router-advert counter
		udp sport 67 counter
		udp sport 547 counter
		icmp type redirect counter
	}
}
NFT
done
got() { # VIF PATTERN: packets the observer counted
	nft list chain netdev "obs$1" c | grep -F "$2" | sed -n 's/.*packets \([0-9]*\).*/\1/p'
}
M34=00:16:3e:00:22:00 M35=00:16:3e:00:23:00
ll() { echo "fe80::216:3eff:fe00:$(printf %x $(($1 * 256)))"; }
both() { # DESC PATTERN KIND ARGS-FOR-34 / ARGS-FOR-35 (frames are sent by the caller)
	t_eq "$1: dropped" 0 "$(got 34 "$2")"
	t_eq "$1: control gets it" 1 "$(got 35 "$2")"
}
in_guest $FR g34_0 ip6 $M34 2001:db8:9::66 2001:db8:9::1
in_guest $FR g35_0 ip6 $M35 2001:db8:8::66 2001:db8:8::1
both "forged IPv6 source" "echo-request"
in_guest $FR g34_0 ip6 $M34 2001:db8:9::9 2001:db8:9::1
t_eq "own IPv6 source passes" 1 "$(got 34 echo-request)"
in_guest $FR g34_0 na $M34 "$(ll 34)" 2001:db8:9::99 $M34
in_guest $FR g35_0 na $M35 "$(ll 35)" 2001:db8:9::99 $M35
both "neighbour advertisement for another's address" "@th,160,32 0x99 "
in_guest $FR g34_0 na $M34 "$(ll 34)" 2001:db8:9::9 00:16:3e:99:99:99
in_guest $FR g35_0 na $M35 "$(ll 35)" 2001:db8:9::9 00:16:3e:99:99:99
both "neighbour advertisement with another's MAC" "@th,160,32 0x9 "
in_guest $FR g34_0 na $M34 "$(ll 34)" 2001:db8:9::9 $M34
t_eq "own neighbour advertisement passes" 1 "$(got 34 "@th,160,32 0x9 ")"
in_guest $FR g34_0 ns $M34 "$(ll 34)" 2001:db8:9::abcd 00:16:3e:99:99:99
in_guest $FR g35_0 ns $M35 "$(ll 35)" 2001:db8:9::abcd 00:16:3e:99:99:99
both "neighbour solicitation with another's MAC" "0xabcd"
in_guest $FR g34_0 ra $M34 "$(ll 34)"
in_guest $FR g35_0 ra $M35 "$(ll 35)"
both "router advertisement" "nd-router-advert"
in_guest $FR g34_0 dhcp $M34 10.9.0.9
in_guest $FR g35_0 dhcp $M35 10.8.0.9
both "DHCP server reply" "sport 67 "
in_guest $FR g34_0 redirect $M34 10.9.0.9 10.9.0.1
in_guest $FR g35_0 redirect $M35 10.8.0.9 10.8.0.1
both "ICMP redirect" "redirect"
# guest 40's ip lists no IPv6 address: it sends no IPv6 at all
in_guest $FR g40_0 ip6 00:16:3e:00:28:00 "$(ll 40)" ff02::1
t_eq "no IPv6 in ip: even link-local IPv6 dropped" 0 "$(got 40 echo-request)"

# per-vif override (xapi's locking modes) on top of the bridge's default
vif_mkvif 36 0 bridge=xpbr0 ip=10.9.0.36 locking-mode=unlocked || t_bail "vif 36.0"
t_ok "unlocked vif on the antispoof bridge" vif_run online 36 0
t_fails "unlocked: no table" nft list table netdev xenplumb-vif36.0
vif_mkvif 37 0 bridge=xpbr1 ip=10.8.0.37 locking-mode=locked || t_bail "vif 37.0"
t_ok "locked vif on the plain bridge" vif_run online 37 0
t_match "locked: its table" "ip saddr != 10.8.0.37 drop" \
	"$(nft list table netdev xenplumb-vif37.0 2>&1)"
vif_mkvif 38 0 bridge=xpbr1 ip=10.8.0.38 locking-mode=disabled || t_bail "vif 38.0"
in_guest ip link set g38_0 address 00:16:3e:00:26:00 up
in_guest ip addr add 10.8.0.38/24 dev g38_0
t_ok "disabled vif" vif_run online 38 0
t_fails "disabled: the guest sends nothing at all" in_guest ping -c 1 -W 1 -I g38_0 10.8.0.1
vif_mkvif 39 0 bridge=xpbr0 locking-mode=sometimes || t_bail "vif 39.0"
t_fails "unknown locking mode refused" vif_run online 39 0
t_match "error names the key and value" "locking-mode.*sometimes" "$(vif_error 39 0)"
for v in 34 35 36 37 38 40; do vif_run offline $v 0 >/dev/null 2>&1; done
t_eq "no antispoof table left" "" "$(nft list tables | grep "xenplumb-vif\(3[4-8]\|40\)")"
t_done
