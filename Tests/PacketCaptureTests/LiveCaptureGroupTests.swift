import Foundation
import PacketWire
import TestSupport
import Testing
@testable import PacketCapture

/// Several live handles read by one thread through one poll(), and the
/// interfaces' own addresses. Needs root (CAP_NET_RAW) and `lo`.
@Suite(.serialized) struct LiveCaptureGroupTests {
    @Test(.requires(.root))
    func oneThreadReadsEveryHandleAndAnInterruptEndsTheLoop() throws {
        // Two handles on lo with different filters: each knock's SYN is seen by the first,
        // its RST by the second, so both descriptors must be polled and read.
        var options = LiveCapture.Options()
        options.filter = "tcp port 48 and tcp[tcpflags] & tcp-syn != 0"
        let syns = try LiveCapture(interface: "lo", options: options)
        options.filter = "tcp port 48 and tcp[tcpflags] & tcp-rst != 0"
        let resets = try LiveCapture(interface: "lo", options: options)
        let group = try LiveCaptureGroup([syns, resets])
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.3) {
            for _ in 0..<3 { Loopback.knock(port: 48) }
        }
        var seen = [0, 0]
        var ports: [Int: Set<UInt16>] = [:]
        let end = DispatchTime.now().uptimeNanoseconds + 20_000_000_000
        try group.forEachPacket(shouldStop: { seen == [3, 3] || DispatchTime.now().uptimeNanoseconds > end }) { index, packet in
            seen[index] += 1
            // Ethernet (lo) + IPv4 (20) → TCP: source port at 34, destination at 36.
            let port = index == 0 ? packet.bytes.u16(at: 36) : packet.bytes.u16(at: 34)
            ports[index, default: []].insert(port ?? 0)
        }
        #expect(seen == [3, 3])
        #expect(ports == [0: [48], 1: [48]])

        // Nothing arrives now: only interrupt() can end the loop, from another thread.
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.3) { group.interrupt() }
        let count = try group.forEachPacket(shouldStop: { DispatchTime.now().uptimeNanoseconds > end }) { _, _ in }
        #expect(count == 0)
        #expect(DispatchTime.now().uptimeNanoseconds < end, "returned on interrupt(), not on the guard deadline")
    }

    @Test func theInterfacesOwnAddressesAreTheOnesIpLists() {
        #expect(Set(InterfaceAddresses.addresses(of: ["lo"]).map(\.description)) == Loopback.ipAddresses(device: "lo"))
        #expect(InterfaceAddresses.addresses(of: ["nosuch0"]).isEmpty)
        // `any`: every interface's addresses, so lo's among them.
        let all = Set(InterfaceAddresses.addresses(of: ["any"]).map(\.description))
        #expect(all == Loopback.ipAddresses(device: nil))
    }
}
