/// The terminal rendering of `analyze`'s capture summary.
public enum CaptureSummaryText {
    public static func render(summary: CaptureSummary, files: [FileSummary]) -> String {
        var out: [String] = []
        out.append("egress-audit analyze: \(files.count) file\(files.count == 1 ? "" : "s"), \(grouped(summary.packets)) packets, \(grouped(summary.bytes)) bytes")
        out.append("")
        var table = TextTable([("FILE", .left), ("FORMAT", .left), ("LINK", .left), ("SNAPLEN", .right), ("PACKETS", .right), ("BYTES", .right), ("FIRST PACKET", .left), ("LAST PACKET", .left)])
        for f in files {
            var format = [f.format ?? "-", f.byteOrder.map { $0 == "little" ? "le" : "be" }, f.timestampPrecision.map { $0 == "nanosecond" ? "ns" : "µs" }].compactMap { $0 }.joined(separator: " ")
            if f.gzip == true { format += " gzip" }
            table.add([f.path, f.error == nil ? format : "error", f.linkTypeName ?? "-", f.snapshotLength.map(String.init) ?? "-",
                       grouped(f.packets), grouped(f.bytes), f.firstPacket ?? "-", f.lastPacket ?? "-"])
        }
        out.append(table.render())
        if let records = summary.logRecords {
            out.append("")
            out.append("logs: \(grouped(records)) records, \(grouped(summary.logRecordsRejected ?? 0)) not parsed")
            for line in summary.logRejections ?? [] { out.append("  \(line)") }
        }
        out.append("")
        out.append("decoding")
        var dec = TextTable([("", .left), ("PACKETS", .right), ("WHY", .left)])
        dec.add(["decoded", grouped(summary.decoded), ""])
        dec.add(["not decoded", grouped(summary.notDecoded), breakdown(summary.notDecodedReasons)])
        dec.add(["malformed", grouped(summary.malformed), breakdown(summary.malformedReasons)])
        dec.add(["truncated (snaplen)", grouped(summary.truncated), ""])
        out.append(dec.render(indent: "  "))
        out.append("")
        out.append("layers")
        out.append("  link       " + summary.linkTypes.sorted { $0.key < $1.key }.map { "\($0.key) \(grouped($0.value))" }.joined(separator: "  "))
        out.append("  network    IPv4 \(grouped(summary.ipv4))  IPv6 \(grouped(summary.ipv6))")
        out.append("  transport  TCP \(grouped(summary.tcp))  UDP \(grouped(summary.udp))  ICMP \(grouped(summary.icmp))  ICMPv6 \(grouped(summary.icmpv6))  other \(grouped(summary.otherTransport))")
        out.append("  also       fragments: first \(grouped(summary.firstFragments)), later \(grouped(summary.laterFragments))  VLAN-tagged \(grouped(summary.vlanTagged))  tunneled \(grouped(summary.tunneled))")
        out.append("  reassembly datagrams \(grouped(summary.reassembledDatagrams)) from \(grouped(summary.reassembledFragments)) fragments  held \(grouped(summary.fragmentsHeld))  dropped: oversize \(grouped(summary.fragmentDatagramsOversize)), timed out \(grouped(summary.fragmentDatagramsTimedOut)), evicted \(grouped(summary.fragmentDatagramsEvicted)) (\(grouped(summary.fragmentsDropped)) fragments)")
        out.append("")
        out.append("flows (TCP/UDP 5-tuples)  \(grouped(summary.flows))  (TCP \(grouped(summary.tcpFlows)), UDP \(grouped(summary.udpFlows)))")
        if let caps = summary.capsReached {
            // Only the caps that turned something away: memory stayed bounded, and this is what it cost.
            let reached = [
                ("flows evicted for room", caps.flowsEvictedForRoom), ("names refused", caps.namesRefused),
                ("DNS answers evicted", caps.dnsAnswersEvicted), ("DNS observations refused", caps.dnsObservationsRefused),
                ("QUIC connections not decrypted", caps.quicFlowsRefused), ("first flights refused", caps.firstFlightsRefused),
                ("first-flight bytes beyond the cap", caps.firstFlightBytesBeyondCap),
                ("first-flight segments refused", caps.firstFlightSegmentsRefused),
            ].filter { $0.1 > 0 }.map { "\($0.0) \(grouped($0.1))" }
            out.append("caps reached  " + reached.joined(separator: ", "))
        }
        let ports = summary.synDestinationPorts
        out.append("TCP SYN destination ports  " + (ports.isEmpty ? "none" : ports.prefix(40).map(String.init).joined(separator: ", ") + (ports.count > 40 ? ", … (\(ports.count) in all)" : "")))
        return out.joined(separator: "\n") + "\n"
    }

    private static func breakdown(_ reasons: [String: Int]) -> String {
        reasons.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map { "\($0.key) \(grouped($0.value))" }.joined(separator: " · ")
    }
}
