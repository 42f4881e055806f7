import CaptureRuntime
import EgressPolicy
import Foundation
import PacketWire
import TestSupport
import Testing
@testable import EgressAudit

/// Bounded state, honest overflow: with tiny caps the gateway capture's
/// destinations fold into groups, and every flow is still counted, in the
/// groups and in the totals, and the report says which caps were reached.
@Suite struct AuditCapsTests {
    static func report(_ limits: AuditLimits, nodes: [String] = ["10.1.0.0/24", "fd00:1::/64"]) throws -> AuditReport {
        let profile = try ProfileLoader.load(text: AuditorTests.profileYAML, file: "audit-test.yaml")
        let compiled = CompiledProfile(try profile.expand(), catalog: ServiceTagCatalog(tags: [], sources: [], virtualNetwork: []))
        var analyzer = CapturePipeline(audit: AuditAccumulator(profile: compiled, nodes: nodes.compactMap { CIDR($0) }, limits: limits))
        analyzer.read(path: AuditorTests.capture)
        analyzer.finish()
        return try #require(analyzer.auditReport(serviceTagFiles: []))
    }

    static func all(_ r: AuditReport) -> [AuditReport.Destination] { r.allowed + r.undocumented + r.wrongPort + r.resolvers }

    @Test func pastTheCapsFlowsFoldIntoGroupsAndAreAllCounted() throws {
        let free = try Self.report(AuditLimits())
        var tight = AuditLimits()
        tight.namedDestinations = 2
        tight.addressDestinations = 1
        tight.groups = 2
        let capped = try Self.report(tight)

        // Uncapped: nothing folded; every audited flow is in exactly one destination.
        #expect(free.overflow.isEmpty)
        #expect(Self.all(free).allSatisfy { $0.folded == nil })
        let audited = free.flowTotals.outbound + free.flowTotals.inbound
        #expect(Self.all(free).reduce(0) { $0 + $1.flows } == audited)
        #expect(audited + free.flowTotals.notAudited == free.capture.flows, "every flow the capture holds is accounted for")

        // Capped: as many flows and bytes, in at most caps' worth of destinations.
        #expect(capped.flowTotals == free.flowTotals)
        #expect(Self.all(capped).reduce(0) { $0 + $1.flows } == audited)
        #expect(Self.all(capped).reduce(UInt64(0)) { $0 + $1.bytesSent } == Self.all(free).reduce(UInt64(0)) { $0 + $1.bytesSent })
        let plain = Self.all(capped).filter { $0.folded == nil }
        #expect(plain.filter { $0.nameSource == .address }.count <= 1)
        #expect(plain.filter { $0.nameSource != .address }.count <= 2)
        #expect(Self.all(capped).filter { $0.folded == "prefix" || $0.folded == "parent-domain" || $0.folded == "service-tag" }.count <= 2)
        #expect(Self.all(capped).contains { $0.folded == "rest" })
        // A destination kept under a cap is still found for its later flows (past the cap they are
        // not looked up unless its address bit is set): it holds all of them, as uncapped.
        for d in plain {
            let same = try #require(Self.all(free).first { $0.destination == d.destination && $0.direction == d.direction })
            #expect(d.flows == same.flows, "\(d.destination)")
        }
        // The report names the caps reached and the flows that folded.
        let caps = Set(capped.overflow.map(\.cap))
        #expect(caps.isSuperset(of: ["namedDestinations", "addressDestinations", "groups"]), "\(caps)")
        let foldedFlows = Self.all(capped).filter { $0.folded != nil }.reduce(0) { $0 + $1.flows }
        let overflowed = capped.overflow.filter { $0.cap == "namedDestinations" || $0.cap == "addressDestinations" }.reduce(0) { $0 + $1.flows }
        #expect(foldedFlows == overflowed)
        #expect(capped.warnings.contains { $0.hasPrefix("caps reached") })
        // Folding never turns a verdict around: the required rules read the same.
        #expect(capped.requiredRules.map(\.status) == free.requiredRules.map(\.status))
        #expect(capped.limits["addressDestinations"] == 1)
    }

    /// Each answer remembers the destination entry its flows fold into; when the memo starts over
    /// (every second question here), so must that: a flow never lands in another destination's entry.
    @Test func aMemoStartingOverKeepsEveryFlowInItsOwnDestination() throws {
        var tiny = AuditLimits()
        tiny.memoizedQuestions = 2
        let free = try Self.report(AuditLimits())
        let small = try Self.report(tiny)
        func entries(_ r: AuditReport) -> [String: (flows: Int, sent: UInt64, received: UInt64, addresses: [String])] {
            var out: [String: (flows: Int, sent: UInt64, received: UInt64, addresses: [String])] = [:]
            for d in Self.all(r) { out["\(d.direction) \(d.destination)"] = (d.flows, d.bytesSent, d.bytesReceived, d.addresses.sorted()) }
            return out
        }
        let expected = entries(free), got = entries(small)
        #expect(got.count == expected.count)
        #expect(expected.count > 4, "the capture has destinations enough to tell them apart")
        for (key, e) in expected {
            let g = try #require(got[key], "\(key)")
            #expect(g.flows == e.flows && g.sent == e.sent && g.received == e.received && g.addresses == e.addresses, "\(key)")
        }
    }

    @Test func nodesAreChosenFromTheFlowsHeldBack() throws {
        var limits = AuditLimits()
        limits.nodeChoiceFlows = 8
        let early = try Self.report(limits, nodes: [])
        #expect(early.nodes.how.contains("of the first "), "\(early.nodes.how)")
        #expect(!early.nodes.addresses.isEmpty)
        let late = try Self.report(AuditLimits(), nodes: [])
        #expect(late.nodes.addresses == ["10.1.0.4", "10.1.0.5", "fd00:1::4", "fd00:1::5"])
        // Every flow is judged once the choice is made: held flows are not lost.
        #expect(early.flowTotals.outbound + early.flowTotals.inbound + early.flowTotals.notAudited == early.capture.flows)
    }
}

/// The bounded sample behind every address, node and port list.
@Suite struct DistinctSampleTests {
    @Test func belowItsCapacityItKeepsEveryValueAndCountsExactly() {
        var s = DistinctSample<IPAddress>(capacity: 32)
        for i in 0..<20 { for _ in 0..<3 { s.insert(IPAddress(ipv4: 0x0A00_0000 + UInt32(i))) } }
        #expect(s.count == 20)
        #expect(!s.isEstimated)
        #expect(Set(s.values) == Set((0..<20).map { IPAddress(ipv4: 0x0A00_0000 + UInt32($0)) }))
    }

    /// One or two values are kept without an array; the third moves them into one; past
    /// the capacity the kept values are those of the smallest hashes.
    @Test func oneValueThenTwoThenPastACapacityOfTwo() {
        var s = DistinctSample<IPAddress>(capacity: 2)
        #expect(s.isEmpty && s.count == 0 && s.values.isEmpty)
        let a = IPAddress(ipv4: 1), b = IPAddress(ipv4: 2)
        s.insert(a)
        s.insert(a)
        #expect(s.count == 1 && s.values == [a] && !s.isEstimated)
        s.insert(b)
        s.insert(a)
        #expect(s.count == 2 && s.values == [a, b] && !s.isEstimated)
        for v in 3..<200 { s.insert(IPAddress(ipv4: UInt32(v))) }
        #expect(s.values.count == 2 && s.isEstimated)
        let smallest = (1..<200).map { IPAddress(ipv4: UInt32($0)) }.sorted { $0.sampleHash < $1.sampleHash }.prefix(2)
        #expect(Set(s.values) == Set(smallest))
    }

    /// Whatever the order and the repeats, at every small capacity: the kept values are those of
    /// the smallest hashes, the count is exact until one is turned away, and the report's sorted
    /// texts are the values sorted (two kept inline are ordered as `sorted()` orders them).
    @Test func keepsTheSmallestHashesAtEveryCapacity() {
        var random = SplitMix64(seed: 3)
        for capacity in 2...5 {
            for n in 1...12 {
                var s = DistinctSample<IPAddress>(capacity: capacity)
                let distinct = Set((0..<n).map { _ in IPAddress(ipv4: UInt32(truncatingIfNeeded: random.next() % 64)) })
                for _ in 0..<3 { for v in Array(distinct).shuffled(using: &random) { s.insert(v) } }
                let expected = distinct.sorted { $0.sampleHash < $1.sampleHash }.prefix(capacity)
                #expect(Set(s.values) == Set(expected))
                #expect(s.isEstimated == (distinct.count > capacity))
                if !s.isEstimated { #expect(s.count == distinct.count) }
                #expect(s.sortedTexts(\.description) == s.values.sorted().map(\.description))
                #expect(s.only == (s.values.count == 1 ? s.values.first : nil))
            }
        }
    }

    @Test func beyondItEstimatesTheCountWithinItsError() {
        var random = SplitMix64(seed: 11)
        for n in [1_000, 50_000, 400_000] {
            var s = DistinctSample<IPAddress>(capacity: 64)
            var seen = Set<UInt32>()
            while seen.count < n {
                let v = UInt32(truncatingIfNeeded: random.next())
                if seen.insert(v).inserted { s.insert(IPAddress(ipv4: v)) }
                s.insert(IPAddress(ipv4: v)) // repeats change nothing
            }
            #expect(s.isEstimated)
            #expect(s.values.count == 64)
            // Relative standard error 1/sqrt(62) ≈ 12.7 %: within 4 of them.
            let error = abs(Double(s.count) - Double(n)) / Double(n)
            #expect(error < 0.5, "n \(n): estimated \(s.count)")
        }
    }

    @Test func theUnionOfSamplesIsTheSampleOfTheUnion() {
        var random = SplitMix64(seed: 5)
        let values = (0..<5_000).map { _ in IPAddress(ipv4: UInt32(truncatingIfNeeded: random.next())) }
        var all = DistinctSample<IPAddress>(capacity: 32), a = DistinctSample<IPAddress>(capacity: 32), b = DistinctSample<IPAddress>(capacity: 32)
        for (i, v) in values.enumerated() {
            all.insert(v)
            if i % 3 == 0 { a.insert(v) } else { b.insert(v) }
        }
        var merged = a
        merged.formUnion(b)
        #expect(Set(merged.values) == Set(all.values))
        #expect(merged.count == all.count)
        var other = b
        other.formUnion(a)
        #expect(Set(other.values) == Set(all.values))
    }
}

/// The bounded initiator counts behind the choice of nodes.
@Suite struct InitiatorCounterTests {
    @Test func exactWithinCapacityAndKeepsTheHeavyHittersBeyond() {
        var c = InitiatorCounter(capacity: 4)
        let heavy = IPAddress(ipv4: 0x0A01_0001)
        for i in 0..<1_000 {
            c.add(heavy)
            c.add(IPAddress(ipv4: 0xC000_0200 + UInt32(i % 50)))  // 50 light initiators, 20 flows each
        }
        #expect(c.isApproximate)
        let top = c.busiest(1)
        #expect(top.first?.address == heavy)
        // Misra–Gries: low by at most n / (k + 1).
        #expect(top.first.map { $0.flows >= 1_000 - 2_000 / 5 } == true)
        var exact = InitiatorCounter(capacity: 8)
        for i in 0..<40 { exact.add(IPAddress(ipv4: UInt32(i % 5))) }
        #expect(!exact.isApproximate)
        #expect(exact.busiest(5).map(\.flows) == [8, 8, 8, 8, 8])
    }

    /// Against a plain Misra–Gries over a dictionary, on a seeded mix of IPv4 and
    /// IPv6 initiators, skewed so that some are heavy, past the capacity and within it.
    @Test(arguments: [8, 64, 4_096]) func agreesWithAPlainMisraGries(capacity: Int) {
        var counter = InitiatorCounter(capacity: capacity)
        var model: [IPAddress: Int] = [:]
        var approximate = false
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15 &* UInt64(capacity)
        for _ in 0..<20_000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let r = state >> 33
            // Half the flows from 6 heavy initiators, the rest spread over 300.
            let n = r % 2 == 0 ? (r >> 1) % 6 : 6 + (r >> 1) % 300
            let address = n % 3 == 0 ? IPAddress(ipv6High: 0x2001_0db8_0000_0000, low: n) : IPAddress(ipv4: 0x0A00_0000 | UInt32(n))
            counter.add(address)
            if model[address] != nil {
                model[address]! += 1
            } else if model.count < capacity {
                model[address] = 1
            } else {
                approximate = true
                model = model.compactMapValues { $0 > 1 ? $0 - 1 : nil }
            }
        }
        #expect(counter.all == model)
        #expect(counter.isApproximate == approximate)
        #expect(counter.total == 20_000)
    }
}

/// The per-flow node check, against `CIDR.contains` over every node: a few single hosts and
/// prefixes of both families (scanned), and more single hosts than are scanned (a set).
@Suite struct NodeMatcherTests {
    @Test(arguments: [3, FlowClassifier.NodeMatcher.scannedHosts + 5])
    func agreesWithTheNodesPrefixes(singleHosts: Int) throws {
        var nodes = (0 ..< singleHosts).map { CIDR(address: IPAddress(ipv4: 0x0A14_0100 + UInt32($0 * 3)), prefixLength: 32)! }
        nodes += ["10.1.0.0/16", "192.168.7.128/25", "0.0.0.0/32", "fd00:1::/64", "2001:db8::7/128"].compactMap { CIDR($0) }
        let matcher = FlowClassifier.NodeMatcher(nodes)
        var random = SplitMix64(seed: UInt64(singleHosts))
        var probes = nodes.map(\.address) + ["10.1.255.255", "10.2.0.0", "192.168.7.127", "192.168.7.255", "fd00:1::ffff", "fd00:2::", "2001:db8::8"]
            .compactMap { IPAddress($0) }
        for _ in 0 ..< 2_000 {
            let r = random.next()
            probes.append(r & 1 == 0 ? IPAddress(ipv4: 0x0A14_0100 + UInt32(r >> 40) % 96) : IPAddress(ipv4: UInt32(truncatingIfNeeded: r >> 8)))
        }
        for a in probes {
            #expect(matcher.contains(a) == nodes.contains { $0.contains(a) }, "\(a)")
        }
    }
}
