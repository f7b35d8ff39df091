#!/usr/bin/env python3
"""Send one hand-built Ethernet frame out of an interface (AF_PACKET), for
the antispoofing tests: frames a guest's own IP stack would never send.

  frame.py IFACE KIND SRC_MAC ARGS...
    ip6  SRC DST          ICMPv6 echo request from SRC
    ns   SRC TARGET [LLMAC] neighbour solicitation, source lladdr option
                          LLMAC (default SRC_MAC)
    na   SRC TARGET LLMAC unsolicited neighbour advertisement (override),
                          target lladdr option LLMAC
    ra   SRC              router advertisement to ff02::1
    dhcp SRC              a DHCP server reply (udp 67 -> 68) from SRC
    redirect SRC DST      an ICMP redirect from SRC to DST
"""
import socket
import struct
import sys


def mac(s):
    return bytes(int(x, 16) for x in s.split(":"))


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def ip6(src, dst, nh, payload, hops=255):
    s, d = socket.inet_pton(socket.AF_INET6, src), socket.inet_pton(socket.AF_INET6, dst)
    if nh == 58:  # ICMPv6 checksum over the pseudo-header
        pseudo = s + d + struct.pack("!I3xB", len(payload), 58)
        c = csum(pseudo + payload)
        payload = payload[:2] + struct.pack("!H", c) + payload[4:]
    return struct.pack("!IHBB", 6 << 28, len(payload), nh, hops) + s + d + payload


def ip4(src, dst, proto, payload):
    s, d = socket.inet_aton(src), socket.inet_aton(dst)
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 0, 0, 64, proto, 0, s, d)
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return h + payload


def main():
    ifc, kind, src_mac = sys.argv[1], sys.argv[2], mac(sys.argv[3])
    a = sys.argv[4:]
    dst_mac, etype = b"\xff" * 6, 0x86DD
    if kind == "ip6":
        body = ip6(a[0], a[1], 58, struct.pack("!BBHHH", 128, 0, 0, 0x7870, 1) + b"xenplumb", 64)
        dst_mac = b"\x33\x33\x00\x00\x00\x01"
    elif kind == "ns":
        t = socket.inet_pton(socket.AF_INET6, a[1])
        snm = socket.inet_ntop(socket.AF_INET6, bytes.fromhex("ff0200000000000000000001ff") + t[13:])
        ll = mac(a[2]) if len(a) > 2 else src_mac
        icmp = struct.pack("!BBHI", 135, 0, 0, 0) + t + struct.pack("!BB", 1, 1) + ll
        body = ip6(a[0], snm, 58, icmp)
        dst_mac = b"\x33\x33\xff" + t[13:]
    elif kind == "na":
        t = socket.inet_pton(socket.AF_INET6, a[1])
        icmp = struct.pack("!BBHI", 136, 0, 0, 0x20000000) + t + struct.pack("!BB", 2, 1) + mac(a[2])
        body = ip6(a[0], "ff02::1", 58, icmp)
        dst_mac = b"\x33\x33\x00\x00\x00\x01"
    elif kind == "ra":
        icmp = struct.pack("!BBHBBHII", 134, 0, 0, 64, 0, 1800, 0, 0) + \
            struct.pack("!BB", 1, 1) + src_mac
        body = ip6(a[0], "ff02::1", 58, icmp)
        dst_mac = b"\x33\x33\x00\x00\x00\x01"
    elif kind == "dhcp":
        bootp = struct.pack("!BBBB", 2, 1, 6, 0) + b"\0" * 232 + b"\x63\x82\x53\x63\xff"
        udp = struct.pack("!HHHH", 67, 68, 8 + len(bootp), 0) + bootp
        body, etype = ip4(a[0], "255.255.255.255", 17, udp), 0x0800
    elif kind == "redirect":
        icmp = struct.pack("!BBHI", 5, 1, 0, 0) + ip4(a[1], a[0], 1, b"\0" * 8)
        icmp = icmp[:2] + struct.pack("!H", csum(icmp)) + icmp[4:]
        body, etype = ip4(a[0], a[1], 1, icmp), 0x0800
    else:
        sys.exit("unknown frame kind " + kind)
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((ifc, 0))
    s.send(dst_mac + src_mac + struct.pack("!H", etype) + body)


main()
