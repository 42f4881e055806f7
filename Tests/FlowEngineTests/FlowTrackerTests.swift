import CaptureSynth
import PacketWire
import Testing
@testable import FlowEngine

/// FlowTracker on packets written by CaptureSynth and decoded by PacketDecoder:
/// who initiated, what came of the attempt (Zeek's S0, REJ and the rest), a
/// 5-tuple reused after RST or FIN, ICMP errors matched to the flow they
/// quote, and which flow gives way when the table is full. Every expected
/// value is worked from the packets the test sends.
@Suite struct FlowTrackerTests {
    // The node is the low address of its flows to 192.0.2.10, the high one of its flows to 10.0.0.1.
    let node = Endpoint("10.0.0.4", 40000)
    let web = Endpoint("192.0.2.10", 443)
    let highNode = Endpoint("203.0.113.9", 40001)
    /// Bytes on the wire of a TCP segment without options or payload: IPv4 20 + TCP 20.
    let bareSegment: UInt64 = 40

    // MARK: Initiator

    @Test(arguments: [false, true])
    func theSYNSenderInitiatesWhicheverEndIsLow(_ nodeIsHigh: Bool) throws {
        var h = TrackerHarness()
        let client = nodeIsHigh ? highNode : node
        h.handshake(client, web)
        let r = try h.flow(client, web)
        #expect(r.initiatorIsLow == !nodeIsHigh)
        #expect(r.initiator.address == client.ip && r.initiator.port == client.port)
        #expect(r.responder.address == web.ip && r.responder.port == 443)
        #expect(r.initiatorEvidence == .handshake)
        // SYN and ACK from the client, SYN-ACK from the server.
        #expect(r.fromInitiator.packets == 2 && r.fromInitiator.bytes == 2 * bareSegment)
        #expect(r.fromResponder.packets == 1 && r.fromResponder.bytes == bareSegment)
        #expect(r.synCount == 1 && r.synAckSeen)
        #expect(r.outcome == .established)
    }

    @Test func aCaptureStartingAtTheSYNACKStillKnowsTheClient() throws {
        var h = TrackerHarness()
        h.feed(TrackerHarness.tcp(web, highNode, [.syn, .ack], seq: 5000, ack: 1001))
        let r = try h.flow(highNode, web)
        #expect(r.initiator.address == highNode.ip && r.initiator.port == highNode.port)
        #expect(r.initiatorEvidence == .handshake)
        #expect(r.fromResponder.packets == 1 && r.fromInitiator.packets == 0)
        #expect(r.outcome == .responderOnly)
    }

    @Test func midStreamTheServicePortSideIsTheResponder() throws {
        var h = TrackerHarness()
        // First packet captured: the server (port 443) sending to an ephemeral port.
        let client = Endpoint("10.0.0.4", 50000)
        h.feed(TrackerHarness.tcp(web, client, .ack, seq: 7000, ack: 3000, payload: [1, 2, 3]))
        var r = try h.flow(client, web)
        #expect(r.initiator.address == client.ip && r.initiator.port == 50000)
        #expect(r.initiatorEvidence == .servicePort)
        #expect(r.outcome == .responderOnly)
        h.feed(TrackerHarness.tcp(client, web, .ack, seq: 3000, ack: 7003))
        r = try h.flow(client, web)
        #expect(r.outcome == .established)
        // Above 1023 a registered service port still names the service side (PostgreSQL 5432 here).
        let db = Endpoint("192.0.2.30", 5432), app = Endpoint("10.0.0.4", 33000)
        h.feed(TrackerHarness.tcp(db, app, .ack, seq: 1, ack: 1, payload: [0]))
        #expect(try h.flow(app, db).initiator.port == 33000)
    }

    @Test func withNoBetterEvidenceTheFirstSenderInitiates() throws {
        var h = TrackerHarness()
        // Two unremarkable ports (1024…49151): rank equal, so the first packet decides.
        let a = Endpoint("192.0.2.77", 41000), b = Endpoint("10.0.0.4", 42000)
        h.feed(TrackerHarness.udp(a, b, payload: [0xde, 0xad]))
        let r = try h.flow(a, b, transport: .udp)
        #expect(r.initiator.address == a.ip && r.initiator.port == 41000)
        #expect(r.initiatorEvidence == .firstPacket)
        // IPv4 20 + UDP 8 + 2 bytes, and no answer.
        #expect(r.fromInitiator.bytes == 30)
        #expect(r.outcome == .unanswered)
    }

    // MARK: Outcomes

    @Test func aSYNWithoutAnswerIsS0AndItsRetransmissionsAreOneFlow() throws {
        var h = TrackerHarness()
        // Linux retries a SYN after 1 s, 2 s, 4 s: the same tuple and sequence number.
        for (i, t) in [0, 1, 3, 7].enumerated() {
            h.feed(TrackerHarness.tcp(node, web, .syn, seq: 1000), at: 1_000_000_000 + Int64(t) * 1_000_000_000)
            #expect(h.tracker.counters.flowsCreated == 1, "after SYN \(i + 1)")
        }
        let r = try h.flow(node, web)
        #expect(r.synCount == 4 && r.synRetransmits == 3)
        #expect(r.fromInitiator.packets == 4 && r.fromResponder.packets == 0)
        #expect(r.outcome == .unanswered && r.outcome.isFailure)
        #expect(r.lastSeen - r.firstSeen == 7_000_000_000)
    }

    @Test func aSYNAnsweredByRSTIsRefused() throws {
        var h = TrackerHarness()
        h.feed(TrackerHarness.tcp(node, web, .syn, seq: 1000))
        h.feed(TrackerHarness.tcp(web, node, [.rst, .ack], seq: 0, ack: 1001))
        let r = try h.flow(node, web)
        #expect(r.resetByResponder && !r.resetByInitiator)
        #expect(r.outcome == .refused && r.outcome.isFailure)
    }

    @Test func aResetAfterTheHandshakeDoesNotUndoIt() throws {
        var h = TrackerHarness()
        h.handshake(node, web)
        h.feed(TrackerHarness.tcp(web, node, [.rst, .ack], seq: 5001, ack: 1001))
        #expect(try h.flow(node, web).outcome == .established)
    }

    @Test func aUDPAnswerEstablishes() throws {
        var h = TrackerHarness()
        let ntp = Endpoint("192.0.2.123", 123), client = Endpoint("10.0.0.4", 51000)
        h.feed(TrackerHarness.udp(client, ntp, payload: [UInt8](repeating: 0, count: 48)))
        #expect(try h.flow(client, ntp, transport: .udp).outcome == .unanswered)
        h.feed(TrackerHarness.udp(ntp, client, payload: [UInt8](repeating: 0, count: 48)))
        #expect(try h.flow(client, ntp, transport: .udp).outcome == .established)
    }

    // MARK: ICMP errors

    @Test func aPortUnreachableQuotingAUDPDatagramMakesItsFlowUnreachable() throws {
        var h = TrackerHarness()
        let resolver = Endpoint("192.0.2.53", 53), client = Endpoint("10.0.0.4", 40053)
        let query = TrackerHarness.udp(client, resolver, payload: [0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0])
        h.feed(query)
        h.feed(TrackerHarness.icmpUnreachable(from: "192.0.2.53", code: .port, quoting: query))
        let r = try h.flow(client, resolver, transport: .udp)
        #expect(r.icmpError == .unreachablePort)
        #expect(r.icmpReporter == IPAddress("192.0.2.53"))
        #expect(r.outcome == .unreachable)
        #expect(h.tracker.counters.icmpErrorsMatched == 1 && h.tracker.counters.icmpErrorsUnmatched == 0)
        // The ICMP packet is evidence about a flow, not a flow of its own.
        #expect(h.tracker.counters.flowsCreated == 1)
    }

    @Test func administrativelyProhibitedFromAFirewallIsProhibited() throws {
        var h = TrackerHarness()
        let syn = TrackerHarness.tcp(node, web, .syn, seq: 1000)
        h.feed(syn)
        h.feed(TrackerHarness.icmpUnreachable(from: "10.0.0.1", code: .administrativelyProhibited, quoting: syn))
        let r = try h.flow(node, web)
        #expect(r.icmpError == .adminProhibited)
        #expect(r.icmpReporter == IPAddress("10.0.0.1"))
        #expect(r.outcome == .prohibited && r.outcome.isFailure)
    }

    @Test(arguments: [false, true])
    func aProhibitionOutranksAPlainUnreachableInEitherOrder(_ prohibitedFirst: Bool) throws {
        var h = TrackerHarness()
        let syn = TrackerHarness.tcp(node, web, .syn, seq: 1000)
        h.feed(syn)
        let codes: [ICMPv4UnreachableCode] = prohibitedFirst ? [.administrativelyProhibited, .host] : [.host, .administrativelyProhibited]
        for code in codes { h.feed(TrackerHarness.icmpUnreachable(from: "10.0.0.1", code: code, quoting: syn)) }
        #expect(try h.flow(node, web).outcome == .prohibited)
    }

    @Test func anICMPv6AdministrativelyProhibitedIsProhibitedToo() throws {
        var h = TrackerHarness()
        let client = Endpoint("fd00::4", 40000), server = Endpoint("2001:db8::10", 443)
        let syn = TrackerHarness.tcp(client, server, .syn, seq: 1000)
        h.feed(syn)
        h.feed(TrackerHarness.icmpv6Unreachable(from: "fd00::1", to: "fd00::4", code: .administrativelyProhibited, quoting: syn))
        let r = try h.flow(client, server)
        #expect(r.icmpError == .adminProhibited && r.outcome == .prohibited)
        #expect(r.icmpReporter == IPAddress("fd00::1"))
    }

    @Test func anICMPErrorAfterTheAnswerDoesNotUndoIt() throws {
        var h = TrackerHarness()
        let syn = TrackerHarness.tcp(node, web, .syn, seq: 1000)
        h.handshake(node, web)
        h.feed(TrackerHarness.icmpUnreachable(from: "10.0.0.1", code: .administrativelyProhibited, quoting: syn))
        let r = try h.flow(node, web)
        #expect(r.icmpError == .adminProhibited)
        #expect(r.outcome == .established)
    }

    @Test func anICMPErrorForNoKnownFlowIsCountedAndCreatesNone() {
        var h = TrackerHarness()
        let stray = TrackerHarness.tcp(node, web, .syn, seq: 1000)   // never fed
        h.feed(TrackerHarness.icmpUnreachable(from: "10.0.0.1", code: .administrativelyProhibited, quoting: stray))
        #expect(h.tracker.counters.icmpErrorsUnmatched == 1 && h.tracker.counters.icmpErrorsMatched == 0)
        #expect(h.tracker.table.count == 0 && h.tracker.counters.flowsCreated == 0)
    }

    // MARK: 5-tuple reuse

    @Test func aSYNAfterARSTOnTheSameTupleIsANewFlow() throws {
        var h = TrackerHarness()
        h.feed(TrackerHarness.tcp(node, web, .syn, seq: 1000))
        h.feed(TrackerHarness.tcp(web, node, [.rst, .ack], seq: 0, ack: 1001))
        // The client retries from the same port a moment later, and this time it is answered.
        h.feed(TrackerHarness.tcp(node, web, .syn, seq: 9000))
        h.feed(TrackerHarness.tcp(web, node, [.syn, .ack], seq: 4000, ack: 9001))
        #expect(h.tracker.counters.flowsCreated == 2)
        let flows = h.flows(node, web)
        try #require(flows.count == 2)
        #expect(flows[0].outcome == .refused && flows[0].synCount == 1)
        #expect(flows[1].outcome == .established && flows[1].synCount == 1)
        #expect(flows[1].fromInitiator.packets == 1 && flows[1].fromResponder.packets == 1)
    }

    @Test func aSYNAfterFINOnTheSameTupleIsANewFlow() throws {
        var h = TrackerHarness()
        h.handshake(node, web)
        h.feed(TrackerHarness.tcp(node, web, [.fin, .ack], seq: 1001, ack: 5001))
        h.feed(TrackerHarness.tcp(web, node, [.fin, .ack], seq: 5001, ack: 1002))
        h.feed(TrackerHarness.tcp(node, web, .ack, seq: 1002, ack: 5002))
        h.feed(TrackerHarness.tcp(node, web, .syn, seq: 20000))
        let flows = h.flows(node, web)
        try #require(flows.count == 2)
        #expect(flows[0].finSeen && flows[0].outcome == .established && flows[0].fromInitiator.packets == 4)
        #expect(flows[1].outcome == .unanswered && flows[1].fromInitiator.packets == 1)
    }

    @Test func aLateSegmentAfterRSTStaysOnItsFlow() throws {
        var h = TrackerHarness()
        h.feed(TrackerHarness.tcp(node, web, .syn, seq: 1000))
        h.feed(TrackerHarness.tcp(web, node, [.rst, .ack], seq: 0, ack: 1001))
        // Not a SYN: nothing opens a new connection.
        h.feed(TrackerHarness.tcp(node, web, .ack, seq: 1001, ack: 1))
        #expect(h.tracker.counters.flowsCreated == 1)
        #expect(try h.flow(node, web).fromInitiator.packets == 2)
    }

    // MARK: Eviction

    @Test func aFullTableEvictsTheLeastRecentlySeenFlow() throws {
        var limits = FlowEngineLimits()
        limits.maxFlows = 3
        var h = TrackerHarness(limits: limits)
        let servers = (1...5).map { Endpoint("192.0.2.\($0)", 443) }
        for (i, s) in servers.prefix(3).enumerated() { h.feed(TrackerHarness.tcp(node, s, .syn, seq: 1), at: Int64(i + 1) * 1_000_000_000) }
        // The first flow is seen again, so the second is now the least recently seen.
        h.feed(TrackerHarness.tcp(node, servers[0], .syn, seq: 1), at: 4_000_000_000)
        h.feed(TrackerHarness.tcp(node, servers[3], .syn, seq: 1), at: 5_000_000_000)
        #expect(h.ended.map(\.responder.address) == [servers[1].ip])
        h.feed(TrackerHarness.tcp(node, servers[4], .syn, seq: 1), at: 6_000_000_000)
        #expect(h.ended.map(\.responder.address) == [servers[1].ip, servers[2].ip])
        #expect(h.tracker.table.evictedForCapacity == 2 && h.tracker.table.evictedIdle == 0)
        #expect(h.tracker.table.count == 3)
        // What is left leaves at the end, and every flow was handed out exactly once.
        let all = h.finish()
        #expect(Set(all.map(\.responder.address)) == Set(servers.map(\.ip)))
        #expect(all.count == 5)
    }

    @Test func anIdleFlowGivesWayBeforeTheTableIsFull() throws {
        var limits = FlowEngineLimits()
        limits.udpIdleTimeoutSeconds = 1
        var h = TrackerHarness(limits: limits)
        let resolver = Endpoint("192.0.2.53", 53)
        h.feed(TrackerHarness.udp(node, resolver, payload: [0]), at: 0)
        h.feed(TrackerHarness.tcp(node, web, .syn, seq: 1), at: 500_000_000)
        #expect(h.ended.isEmpty)
        // 2 s later the UDP flow has been idle longer than its 1 s timeout; the TCP one (300 s) has not.
        h.feed(TrackerHarness.tcp(node, Endpoint("192.0.2.11", 443), .syn, seq: 1), at: 2_000_000_000)
        #expect(h.ended.map(\.key.transport) == [.udp])
        #expect(h.tracker.table.evictedIdle == 1 && h.tracker.table.evictedForCapacity == 0)
    }

    // MARK: Closed connections leave early

    /// SYN, SYN-ACK, ACK, then FIN from each side and the last ACK, from `t0` on, 1 ms apart.
    private func closedConnection(_ h: inout TrackerHarness, at t0: Int64) {
        let ms: Int64 = 1_000_000
        h.feed(TrackerHarness.tcp(node, web, .syn, seq: 1000), at: t0)
        h.feed(TrackerHarness.tcp(web, node, [.syn, .ack], seq: 5000, ack: 1001), at: t0 + ms)
        h.feed(TrackerHarness.tcp(node, web, .ack, seq: 1001, ack: 5001), at: t0 + 2 * ms)
        h.feed(TrackerHarness.tcp(node, web, [.fin, .ack], seq: 1001, ack: 5001), at: t0 + 3 * ms)
        h.feed(TrackerHarness.tcp(web, node, [.fin, .ack], seq: 5001, ack: 1002), at: t0 + 4 * ms)
        h.feed(TrackerHarness.tcp(node, web, .ack, seq: 1002, ack: 5002), at: t0 + 5 * ms)
    }

    @Test func aConnectionClosedByBothSidesLeavesFiveSecondsAfterItsLastPacket() throws {
        var h = TrackerHarness()
        let s: Int64 = 1_000_000_000
        closedConnection(&h, at: 10 * s)
        // The server's FIN again, 3 s later (its ACK was lost): still the same flow.
        h.feed(TrackerHarness.tcp(web, node, [.fin, .ack], seq: 5001, ack: 1002), at: 13 * s)
        // 4 s after that last packet a new flow sweeps the table: the closed one stays.
        h.feed(TrackerHarness.tcp(node, Endpoint("192.0.2.11", 443), .syn, seq: 1), at: 17 * s)
        #expect(h.ended.isEmpty)
        // 5.1 s after it, the next new flow finds it past the 5 s delay.
        h.feed(TrackerHarness.tcp(node, Endpoint("192.0.2.12", 443), .syn, seq: 1), at: 18 * s + 100_000_000)
        try #require(h.ended.count == 1)
        let r = h.ended[0]
        #expect(r.responder.address == web.ip && r.isClosed && r.outcome == .established)
        // SYN-ACK, FIN, FIN again; SYN, ACK, FIN, ACK.
        #expect(r.fromResponder.packets == 3 && r.fromInitiator.packets == 4)
        #expect(h.tracker.table.retiredClosed == 1 && h.tracker.table.evictedIdle == 0)
        #expect(h.tracker.table.count == 2)
    }

    @Test func aConnectionClosedByOneSideWaitsForTheIdleTimeout() throws {
        var h = TrackerHarness()
        let s: Int64 = 1_000_000_000
        h.handshake(node, web)
        h.feed(TrackerHarness.tcp(node, web, [.fin, .ack], seq: 1001, ack: 5001), at: 2 * s)
        // Half closed: the server may still send. A minute later it is still tracked.
        h.feed(TrackerHarness.tcp(node, Endpoint("192.0.2.11", 443), .syn, seq: 1), at: 62 * s)
        #expect(h.ended.isEmpty)
        #expect(try h.flow(node, web).isClosed == false)
        // Past the 300 s TCP idle timeout it leaves, as idle.
        h.feed(TrackerHarness.tcp(node, Endpoint("192.0.2.12", 443), .syn, seq: 1), at: 303 * s)
        #expect(h.ended.map(\.responder.address) == [web.ip])
        #expect(h.tracker.table.evictedIdle == 1 && h.tracker.table.retiredClosed == 0)
    }

    @Test func aResetConnectionLeavesAfterTheCloseDelay() throws {
        var h = TrackerHarness()
        let s: Int64 = 1_000_000_000
        h.feed(TrackerHarness.tcp(node, web, .syn, seq: 1000), at: 1 * s)
        h.feed(TrackerHarness.tcp(web, node, [.rst, .ack], seq: 0, ack: 1001), at: 1 * s + 1_000_000)
        h.feed(TrackerHarness.tcp(node, Endpoint("192.0.2.11", 443), .syn, seq: 1), at: 5 * s)
        #expect(h.ended.isEmpty)
        h.feed(TrackerHarness.tcp(node, Endpoint("192.0.2.12", 443), .syn, seq: 1), at: 7 * s)
        #expect(h.ended.map(\.outcome) == [.refused])
        #expect(h.tracker.table.retiredClosed == 1)
    }

    @Test func aDNSExchangeLeavesAfterTenSecondsOtherUDPAfterAMinute() throws {
        var h = TrackerHarness()
        let s: Int64 = 1_000_000_000
        let resolver = Endpoint("192.0.2.53", 53), quic = Endpoint("192.0.2.20", 443)
        h.feed(TrackerHarness.udp(node, resolver, payload: [0]), at: 1 * s)
        h.feed(TrackerHarness.udp(node, quic, payload: [0]), at: 1 * s)
        // A resolver's retry 5 s later is the same lookup.
        h.feed(TrackerHarness.udp(node, resolver, payload: [0]), at: 6 * s)
        h.feed(TrackerHarness.tcp(node, web, .syn, seq: 1), at: 15 * s)
        #expect(h.ended.isEmpty)
        h.feed(TrackerHarness.tcp(node, Endpoint("192.0.2.11", 443), .syn, seq: 1), at: 17 * s)
        #expect(h.ended.map(\.responder.port) == [53])
        #expect(h.ended.first?.fromInitiator.packets == 2)
        h.feed(TrackerHarness.tcp(node, Endpoint("192.0.2.12", 443), .syn, seq: 1), at: 62 * s)
        #expect(h.ended.map(\.responder.port) == [53, 443])
        #expect(h.tracker.table.evictedIdle == 2)
    }
}
