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
t_ok "offline 33.0" vif_run offline 33 0
t_ok "offline again (nothing left) is fine" vif_run offline 33 0
t_done
