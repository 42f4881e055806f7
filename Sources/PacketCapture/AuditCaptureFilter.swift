/// The BPF filter a live audit runs with unless `--capture-all`: it keeps
/// every packet the audit reads (handshakes, teardowns, names, first flights,
/// failures) and drops the bulk (downloads, QUIC 1-RTT data), so a busy node's
/// ring does not overflow with bytes the audit never looks at.
///
/// Written for libpcap 1.10, where `tcp[…]` and `udp[…]` index IPv4 only
/// (`ip6 and tcp[13] …` compiles to "rejects all packets"): the IPv6 clauses
/// read fixed offsets after the 40-byte header instead, and an IPv6 packet with
/// extension headers before its transport header is kept whole (BPF cannot
/// find its ports). What the filter drops is server→client data on
/// well-known ports, so responder byte counts are partial under it.
public enum AuditCaptureFilter {
    public struct Clause: Sendable, Equatable {
        /// tcpdump syntax.
        public let expression: String
        /// Why the audit needs these packets.
        public let reason: String
    }

    public static let clauses: [Clause] = [
        // RFC 9293 §3.1: SYN/FIN/RST open, close and refuse connections — the outcome
        // (S0, REJ, SF, RSTO) and the SYN ports come from these alone. IPv4 form.
        Clause(expression: "(tcp[tcpflags] & (tcp-syn|tcp-fin|tcp-rst) != 0)",
               reason: "TCP handshakes, teardowns and refusals (IPv4)"),
        // The same for IPv6: next header 6 directly after the fixed header,
        // flags at 40 + 13; FIN 0x01 | SYN 0x02 | RST 0x04.
        Clause(expression: "(ip6[6] == 6 and ip6[53] & 0x07 != 0)",
               reason: "TCP handshakes, teardowns and refusals (IPv6)"),
        // DNS (RFC 1035, UDP and TCP), mDNS (RFC 6762) and LLMNR (RFC 4795) in both
        // directions: answers name the addresses flows go to. libpcap's `port`
        // reads IPv6's next header itself, so this covers both families.
        Clause(expression: "port 53 or port 5353 or port 5355",
               reason: "DNS, mDNS and LLMNR queries and answers"),
        // A client's whole first flight (ClientHello over several segments, HTTP
        // request heads, CONNECT) travels client→server; what is dropped is data from
        // a well-known port to an ephemeral one: the server's side of the download.
        Clause(expression: "(tcp and not (src portrange 1-1023 and dst portrange 1024-65535))",
               reason: "TCP segments except server→client data (downloads)"),
        // Every UDP datagram except QUIC short-header (1-RTT) packets, whose first
        // byte has the header-form bit clear (RFC 9000 §17.3); long headers
        // (Initial: the QUIC SNI) are kept. IPv4: the UDP payload via udp[8].
        Clause(expression: "(ip and udp and not (port 443 and udp[8] & 0x80 == 0))",
               reason: "UDP except QUIC short-header packets (IPv4)"),
        // IPv6: the UDP payload starts at 40 + 8.
        Clause(expression: "(ip6 and udp and not (port 443 and ip6[48] & 0x80 == 0))",
               reason: "UDP except QUIC short-header packets (IPv6)"),
        // ICMP errors quote the packet they answer (RFC 792): "unreachable" and
        // "administratively prohibited" are the evidence a flow was blocked.
        Clause(expression: "icmp", reason: "ICMP (unreachable, prohibited)"),
        // ICMPv6 (RFC 4443), IPv6 fragments (next header 44, RFC 8200 §4.5) and any
        // packet whose extension headers hide its ports from BPF: kept whole.
        Clause(expression: "(ip6 and ip6[6] != 6 and ip6[6] != 17)",
               reason: "ICMPv6, IPv6 fragments and extension headers"),
        // IPv4 fragments (RFC 791 §3.2: MF set or a fragment offset): later fragments
        // carry no ports, so the clauses above cannot see them; reassembly needs all.
        Clause(expression: "(ip and ip[6:2] & 0x3fff != 0)", reason: "IPv4 fragments"),
    ]

    /// The clauses joined by `or`: the default filter for untagged frames.
    public static let expression: String = clauses.map(\.expression).joined(separator: " or ")

    /// DLT_EN10MB: the only link type of these where libpcap accepts `vlan`.
    static let ethernet: Int32 = 1

    /// The default filter for a link type. On Ethernet, frames whose 802.1Q tag
    /// is still in the data (a trunk the NIC does not untag, an inner QinQ tag)
    /// are judged by the same clauses after the tag: `vlan` shifts every later
    /// offset, so it comes last (libpcap reads it in order, parentheses or not).
    public static func expression(linkType: Int32) -> String {
        linkType == ethernet ? "\(expression) or (vlan and (\(expression)))" : expression
    }

    /// The filter a live capture runs with: the default, narrowed by `narrowing`
    /// when given (`(default) and (narrowing)`, written so that on Ethernet the
    /// narrowing is read both before and after a VLAN tag); with `capturingAll`,
    /// only `narrowing` (nil: every packet).
    /// An NFLOG group (`nflog:N`) runs with none: the nftables/iptables rule that logs to the
    /// group chose the packets, and libpcap cannot filter NFLOG messages by their contents.
    public static func effective(capturingAll: Bool, narrowing: String?, linkType: Int32) -> String? {
        if linkType == 239 { return nil }
        if capturingAll { return narrowing }
        guard let narrowing else { return expression(linkType: linkType) }
        let untagged = "((\(narrowing)) and (\(expression)))"
        return linkType == ethernet ? "\(untagged) or (vlan and (\(narrowing)) and (\(expression)))" : untagged
    }
}
