#!/usr/bin/env python3
"""Captures built to exhaust each of the flow engine's tables (issue 16, item 5).

    Benchmarks/Scripts/abuse-captures.py OUTDIR [--scale N]

Writes into OUTDIR, deterministic (seeded), each aimed at one cap of FlowEngineLimits:

  fragments.pcap         1,000,000 IPv4 first fragments with distinct IDs that never complete
                         (IPFragmentLimits.maxDatagrams: 256 datagrams held at once)
  quic-initials.pcap     1,000,000 QUIC v1 Initials, each from its own port with its own
                         connection ID, none decryptable (maxQUICFlows: 1,024 at once)
  dns-names.pcap         1,000,000 DNS answers, each for a name never seen before
                         (maxNames 262,144; maxDNSAnswers 131,072; maxDNSObservations 65,536)
  split-clienthellos.pcap  2,000 TLS connections whose 16 KB ClientHello comes in 1,000
                         segments of 16 bytes, in reverse order (firstFlightBytes 16 KiB,
                         maxFirstFlights 4,096, the reassembler's segment cap)
  huge-blocks.pcapng     a pcapng whose packet block declares a length of 4 GiB - 16

--scale divides the counts (for a quick try). Raw IPv4 (LINKTYPE_RAW): no link header to spend
bytes on. Benchmarks/Scripts/abuse.sh runs egress-audit on each and prints its peak RSS and what
each cap turned away.
"""
import os
import random
import struct
import sys


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ipv4(src, dst, proto, payload, ident=0, flags_frag=0x4000):
    header = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident & 0xFFFF, flags_frag, 64, proto, 0,
                         bytes(src), bytes(dst))
    header = header[:10] + struct.pack("!H", checksum(header)) + header[12:]
    return header + payload


def udp(sport, dport, payload):
    return struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload


def tcp(sport, dport, seq, flags, payload=b""):
    return struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, 0, 0x50, flags, 64240, 0, 0) + payload


class Pcap:
    def __init__(self, path):
        self.f = open(path, "wb", buffering=1 << 20)
        self.f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 101))
        self.t = 1_767_225_600_000_000  # 2026-01-01, microseconds

    def write(self, frame):
        self.t += 10
        self.f.write(struct.pack("<IIII", self.t // 1_000_000, self.t % 1_000_000, len(frame), len(frame)))
        self.f.write(frame)

    def close(self):
        self.f.close()


def host(i, net=(10, 1)):
    return (net[0], net[1], (i >> 8) & 0xFF, i & 0xFF or 1)


def fragments(path, n):
    out = Pcap(path)
    for i in range(n):
        payload = udp(40000, 53, bytes(64))
        out.write(ipv4(host(i % 65000), (203, 0, 113, 9), 17, payload, ident=i, flags_frag=0x2000))  # MF, offset 0
    out.close()


def quic_initials(path, n, rng):
    out = Pcap(path)
    for i in range(n):
        dcid = rng.randbytes(8)
        # Long header, Initial (0xc3: packet number length 4), version 1, DCID, empty SCID, no token,
        # length, then bytes no key opens.
        body = rng.randbytes(64)
        quic = bytes([0xC3]) + struct.pack("!I", 1) + bytes([8]) + dcid + bytes([0]) + bytes([0]) \
            + struct.pack("!H", 0x4000 | len(body)) + body
        out.write(ipv4(host(i % 60000), (198, 51, 100, 7), 17, udp(1024 + i % 60000, 443, quic)))
    out.close()


def dns_name(i):
    return b"".join(bytes([len(p)]) + p for p in (b"n%07d" % i, b"flood", b"example")) + b"\0"


def dns_names(path, n):
    out = Pcap(path)
    resolver = (10, 0, 0, 53)
    for i in range(n):
        name = dns_name(i)
        message = struct.pack("!HHHHHH", i & 0xFFFF, 0x8180, 1, 1, 0, 0) + name + struct.pack("!HH", 1, 1) \
            + b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 300, 4) + bytes((198, 18, (i >> 8) & 0xFF, i & 0xFF))
        out.write(ipv4(resolver, host(i % 60000), 17, udp(53, 1024 + i % 60000, message)))
    out.close()


def split_clienthellos(path, n, segments=1000, size=16):
    out = Pcap(path)
    server = (192, 0, 2, 44)
    length = segments * size
    # A ClientHello record header claiming the whole length; the body is padding the parser never
    # gets to use whole (the first flight is capped at 16 KiB).
    hello = bytes([0x16, 3, 1]) + struct.pack("!H", length - 5) + bytes([1]) + (length - 9).to_bytes(3, "big")
    hello = (hello + bytes(length))[:length]
    for c in range(n):
        client, sport = host(c), 20000 + c % 40000
        out.write(ipv4(client, server, 6, tcp(sport, 443, 1000, 0x02)))
        for k in reversed(range(segments)):
            out.write(ipv4(client, server, 6, tcp(sport, 443, 1001 + k * size, 0x18, hello[k * size:(k + 1) * size])))
    out.close()


def huge_blocks(path):
    with open(path, "wb") as f:
        shb = struct.pack("<IIIHHq", 0x0A0D0D0A, 28, 0x1A2B3C4D, 1, 0, -1) + struct.pack("<I", 28)
        idb = struct.pack("<IIHHI", 1, 20, 101, 0, 65535) + struct.pack("<I", 20)
        epb = struct.pack("<IIIIIII", 6, 0xFFFFFFF0, 0, 0, 0, 40, 40) + ipv4((10, 1, 0, 1), (192, 0, 2, 1), 6, tcp(1, 443, 0, 2))
        f.write(shb + idb + epb)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    out = sys.argv[1]
    scale = int(sys.argv[sys.argv.index("--scale") + 1]) if "--scale" in sys.argv else 1
    os.makedirs(out, exist_ok=True)
    rng = random.Random(16)
    fragments(os.path.join(out, "fragments.pcap"), 1_000_000 // scale)
    quic_initials(os.path.join(out, "quic-initials.pcap"), 1_000_000 // scale, rng)
    dns_names(os.path.join(out, "dns-names.pcap"), 1_000_000 // scale)
    split_clienthellos(os.path.join(out, "split-clienthellos.pcap"), 2_000 // scale)
    huge_blocks(os.path.join(out, "huge-blocks.pcapng"))


if __name__ == "__main__":
    main()
