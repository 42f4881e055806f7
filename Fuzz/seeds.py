#!/usr/bin/env python3
"""Builds the seed corpora of the fuzz targets (Fuzz/corpus/<Target>/, not in git) from what
the repository and ../shared hold: the packets of Captures/ and ../shared/captures/real
(split per target by a small decoder of its own), the built-in profiles, and trimmed copies
of the service tag and IP range files of ../shared/data. Standard library only; PyYAML,
when present, adds JSON twins of the profiles.

usage: Fuzz/seeds.py [OUTPUT_DIR]     (default: Fuzz/corpus)
"""
import hashlib
import json
import os
import re
import struct
import sys
from pathlib import Path

FUZZ = Path(__file__).resolve().parent
REPO = FUZZ.parent
SHARED = REPO.parent / "shared"
# Link types in the order the targets' first byte picks them (FuzzPacketDecoder, FuzzFlowEngine).
DECODER_LINKS = [0, 1, 12, 14, 101, 108, 113, 228, 229, 276, 239, 147]
FLOW_LINKS = [1, 12, 113, 276, 0, 108, 228, 229]
MAX_SEEDS = 40  # per target and source file: variety from every capture, small enough to start fast


class Corpus:
    def __init__(self, root):
        self.root = Path(root)
        self.counts = {}
        self.source = None
        self.per_source = {}

    def add(self, target, data, limit=MAX_SEEDS):
        if not data or self.per_source.get((target, self.source), 0) >= limit:
            return
        self.per_source[(target, self.source)] = self.per_source.get((target, self.source), 0) + 1
        d = self.root / target
        d.mkdir(parents=True, exist_ok=True)
        p = d / hashlib.sha1(data).hexdigest()
        if not p.exists():
            p.write_bytes(data)
            self.counts[target] = self.counts.get(target, 0) + 1


def read_capture(path):
    """Yields (linktype, timestamp_seconds, bytes) of a pcap or pcapng file."""
    b = path.read_bytes()
    if len(b) < 24:
        return
    magic = b[:4]
    pcap = {b"\xd4\xc3\xb2\xa1": ("<", 1e-6), b"\xa1\xb2\xc3\xd4": (">", 1e-6),
            b"\x4d\x3c\xb2\xa1": ("<", 1e-9), b"\xa1\xb2\x3c\x4d": (">", 1e-9)}
    if magic in pcap:
        e, unit = pcap[magic]
        link = struct.unpack(e + "I", b[20:24])[0] & 0x0FFFFFFF
        off = 24
        while off + 16 <= len(b):
            sec, frac, incl, _ = struct.unpack(e + "IIII", b[off:off + 16])
            yield link, sec + frac * unit, b[off + 16:off + 16 + incl]
            off += 16 + incl
    elif magic == b"\x0a\x0d\x0d\x0a":
        e = "<" if b[8:12] == b"\x4d\x3c\x2b\x1a" else ">"
        links, off = [], 0
        while off + 12 <= len(b):
            btype, blen = struct.unpack(e + "II", b[off:off + 8])
            if blen < 12:
                return
            body = b[off + 8:off + blen - 4]
            if btype == 1:
                links.append(struct.unpack(e + "H", body[:2])[0])
            elif btype == 6 and len(body) >= 20:
                iface, hi, lo, cap = struct.unpack(e + "IIII", body[:16])
                if iface < len(links):
                    yield links[iface], ((hi << 32) | lo) * 1e-6, body[20:20 + cap]
            elif btype == 3 and links:
                yield links[0], 0.0, body[4:]
            off += blen


def network(link, f):
    """(ethertype-ish version, offset of the IP header) or None."""
    if link == 1:
        off, et = 14, struct.unpack(">H", f[12:14])[0] if len(f) >= 14 else 0
        while et in (0x8100, 0x88A8, 0x9100) and len(f) >= off + 4:
            et, off = struct.unpack(">H", f[off + 2:off + 4])[0], off + 4
        if et in (0x8847, 0x8848):
            while len(f) >= off + 4:
                bottom = f[off + 2] & 1
                off += 4
                if bottom:
                    break
            et = 0x0800 if len(f) > off and f[off] >> 4 == 4 else 0x86DD
        return (et, off) if et in (0x0800, 0x86DD) else None
    if link == 113 and len(f) >= 16:
        return struct.unpack(">H", f[14:16])[0], 16
    if link == 276 and len(f) >= 20:
        return struct.unpack(">H", f[0:2])[0], 20
    if link in (0, 108) and len(f) >= 4:
        fam = f[0] if f[0] else f[3]
        return (0x0800 if fam == 2 else 0x86DD), 4
    if link in (12, 14, 101, 228, 229) and f:
        return (0x0800 if f[0] >> 4 == 4 else 0x86DD), 0
    return None


def transport(link, f):
    """(proto, src, dst, sport, dport, seq, payload) or None."""
    n = network(link, f)
    if not n:
        return None
    et, o = n
    if et == 0x0800 and len(f) >= o + 20:
        ihl = (f[o] & 15) * 4
        if struct.unpack(">H", f[o + 6:o + 8])[0] & 0x1FFF:
            return None
        proto, src, dst = f[o + 9], f[o + 12:o + 16], f[o + 16:o + 20]
        total = struct.unpack(">H", f[o + 2:o + 4])[0]
        end = min(len(f), o + total) if total else len(f)
        t = o + ihl
    elif et == 0x86DD and len(f) >= o + 40:
        proto, src, dst, t = f[o + 6], f[o + 8:o + 24], f[o + 24:o + 40], o + 40
        end = min(len(f), t + struct.unpack(">H", f[o + 4:o + 6])[0])
        while proto in (0, 43, 60) and len(f) >= t + 2:
            proto, t = f[t], t + (f[t + 1] + 1) * 8
    else:
        return None
    if proto == 6 and len(f) >= t + 20:
        sp, dp, seq = struct.unpack(">HHI", f[t:t + 8])
        return 6, src, dst, sp, dp, seq, f[t + (f[t + 12] >> 4) * 4:end]
    if proto == 17 and len(f) >= t + 8:
        sp, dp = struct.unpack(">HH", f[t:t + 4])
        return 17, src, dst, sp, dp, 0, f[t + 8:end]
    return None


HTTP_METHODS = (b"GET ", b"POST ", b"PUT ", b"HEAD ", b"CONNECT ", b"OPTIONS ", b"DELETE ", b"PATCH ")


def varint(v):
    if v < 64:
        return bytes([v])
    if v < 16384:
        return struct.pack(">H", v | 0x4000)
    return struct.pack(">I", v | 0x80000000)


def packets(c, path):
    frames = list(read_capture(path))
    streams = {}
    quic = {}
    for link, ts, f in frames:
        if link in DECODER_LINKS:
            c.add("PacketDecoder", bytes([DECODER_LINKS.index(link), 0]) + f)
        t = transport(link, f)
        if not t:
            continue
        proto, src, dst, sp, dp, seq, payload = t
        if not payload:
            continue
        key = (proto, src, dst, sp, dp)
        if proto == 6:
            streams.setdefault(key, []).append((seq, bytes(payload)))
            if payload.startswith(HTTP_METHODS):
                c.add("HTTPRequestHead", bytes(payload))
            if 53 in (sp, dp):
                c.add("DNSMessage", bytes(payload))
        else:
            if {53, 5353, 5355} & {sp, dp}:
                c.add("DNSMessage", bytes(payload))
            if payload[0] & 0x80 and len(payload) >= 1200:
                quic.setdefault(key, []).append(bytes(payload))
    for key, segs in streams.items():
        segs.sort()
        first = segs[0][1]
        if first[:1] == b"\x16" and first[1:2] == b"\x03":
            stream, base = b"", segs[0][0]
            for seq, p in segs:
                if seq - base == len(stream):
                    stream += p
                if len(stream) >= 16384:
                    break
            c.add("TLSClientHello", b"\x00" + stream)
            split = b"\x01" + struct.pack(">I", base)
            for i in range(0, min(len(stream), 8000), 200):
                split += bytes([len(stream[i:i + 200]), 0]) + stream[i:i + 200]
            c.add("TLSClientHello", split)
            # The ClientHello as CRYPTO frames, second half first, for the QUIC target's sealed mode.
            if len(stream) > 9 and stream[5] == 1:
                hs = stream[5:5 + 4 + int.from_bytes(stream[6:9], "big")]
                half = len(hs) // 2
                p1 = b"\x06" + varint(half) + varint(len(hs) - half) + hs[half:] + b"\x01"
                p2 = b"\x06" + varint(0) + varint(half) + hs[:half]
                dcid = hashlib.sha1(hs).digest()[:8]
                c.add("QUICInitial", b"\x01" + bytes([8]) + dcid
                      + b"\x00" + struct.pack(">H", len(p1)) + p1 + b"\x01" + struct.pack(">H", len(p2)) + p2)
    for key, datagrams in quic.items():
        c.add("QUICInitial", b"\x00" + b"".join(struct.pack(">H", len(d)) + d for d in datagrams[:4]))
    # The flow engine: windows of consecutive frames with their real spacing.
    usable = [(l, ts, f) for l, ts, f in frames if l in FLOW_LINKS]
    for start in range(0, min(len(usable), 2048), 48):
        out, prev = b"", None
        for link, ts, f in usable[start:start + 64]:
            step = 0 if prev is None else max(0, min(0x7FFF, int((ts - prev) * 100)))
            prev = ts
            f = f[:4096]
            out += bytes([FLOW_LINKS.index(link)]) + struct.pack(">HH", step, len(f)) + f
        c.add("FlowEngine", out)


def capture_file(c, path, limit=48 * 1024):
    """The file itself when small, else its head cut at a record or block boundary."""
    b = path.read_bytes()
    if len(b) > limit:
        if b[:4] == b"\x0a\x0d\x0d\x0a":
            e = "<" if b[8:12] == b"\x4d\x3c\x2b\x1a" else ">"
            off = 0
            while off + 8 <= len(b):
                blen = struct.unpack(e + "I", b[off + 4:off + 8])[0]
                if blen < 12 or off + blen > limit:
                    break
                off += blen
            b = b[:off]
        else:
            e = "<" if b[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
            off = 24
            while off + 16 <= len(b):
                incl = struct.unpack(e + "I", b[off + 8:off + 12])[0]
                if off + 16 + incl > limit:
                    break
                off += 16 + incl
            b = b[:off]
    c.add("CaptureFileMapped", b)
    c.add("CaptureFileLibpcap", b)


def profiles(c):
    texts = []
    for p in sorted((REPO / "Sources/EgressPolicy").rglob("*")):
        if p.suffix in (".yaml", ".yml", ".json"):
            texts.append(p.read_text())
        elif p.suffix == ".swift":
            texts += re.findall(r'#"""\n(.*?)\n"""#', p.read_text(), re.S)
    for i, t in enumerate(texts):
        c.source = ("profile", i)
        c.add("ProfileLoader", t.encode())
        try:
            import yaml
            c.add("ProfileLoader", json.dumps(yaml.safe_load(t), indent=1).encode())
        except Exception:
            pass
        # Rule by rule: small documents mutate faster than the 1,000-line one.
        head, _, rules = t.partition("\nrules:\n")
        for chunk in re.split(r"\n(?=  - id: )", rules)[:40]:
            c.add("ProfileLoader", (head + "\nrules:\n" + chunk.strip("\n") + "\n").encode())


def tag_files(c):
    data = SHARED / "data"
    for p in sorted((data / "azure").glob("*.json")):
        doc = json.loads(p.read_text())
        c.source = p
        for i in range(0, min(len(doc["values"]), 400), 20):
            small = dict(doc, values=[dict(v, properties=dict(v["properties"], addressPrefixes=v["properties"]["addressPrefixes"][:4]))
                                      for v in doc["values"][i:i + 3]])
            c.add("AzureServiceTags", json.dumps(small, indent=2).encode())
    aws = data / "aws/ip-ranges.json"
    if aws.exists():
        doc = json.loads(aws.read_text())
        for i in range(0, 400, 40):
            c.add("AWSIPRanges", json.dumps(dict(doc, prefixes=doc["prefixes"][i:i + 4],
                                                 ipv6_prefixes=doc["ipv6_prefixes"][i:i + 4]), indent=2).encode())
    for p in sorted((data / "gcp").glob("*.json")):
        doc = json.loads(p.read_text())
        c.source = p
        for i in range(0, min(len(doc.get("prefixes", [])), 200), 20):
            c.add("GCPRanges", json.dumps(dict(doc, prefixes=doc["prefixes"][i:i + 4]), indent=2).encode())


def log_files(c):
    """Captures/logs: Microsoft's documented log records, whole and record by record."""
    for p in sorted((REPO / "Captures/logs").glob("*")):
        if p.suffix not in (".json", ".csv"):
            continue
        c.source = p
        target = "NetworkFlowLog" if "flow-log" in p.name else "AzureFirewallLog"
        text = p.read_bytes()
        c.add(target, text)
        for line in text.splitlines():
            if line.strip():
                c.add(target, line + b"\n")


def main():
    if len(sys.argv) > 2 or (len(sys.argv) == 2 and sys.argv[1].startswith("-")):
        sys.exit("usage: Fuzz/seeds.py [OUTPUT_DIR]")
    c = Corpus(sys.argv[1] if len(sys.argv) == 2 else FUZZ / "corpus")
    captures = sorted((REPO / "Captures").glob("*.pcap*")) + sorted((SHARED / "captures/real").glob("*.pcap*"))
    for p in captures:
        c.source = p
        packets(c, p)
        capture_file(c, p)
    c.source = "profiles"
    profiles(c)
    c.source = "data"
    if (SHARED / "data").exists():
        tag_files(c)
    log_files(c)
    # Hand-picked seeds kept in git (regression inputs and the cases above cannot make).
    for d in sorted((FUZZ / "seeds").glob("*")):
        c.source = d
        for f in sorted(d.glob("*")):
            c.add(d.name, f.read_bytes(), limit=10**9)
    for target, n in sorted(c.counts.items()):
        print(f"seeds: {target}: {n}")


if __name__ == "__main__":
    main()
