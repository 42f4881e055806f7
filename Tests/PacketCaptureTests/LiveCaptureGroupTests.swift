import Foundation
import PacketWire
import Testing
@testable import PacketCapture

/// Several live handles read by one thread through one poll(), and the
/// interfaces' own addresses. Needs root (CAP_NET_RAW) and `lo`.
@Suite(.serialized) struct LiveCaptureGroupTests {
    static let isRoot = getuid() == 0

    /// Connection attempts to a closed loopback port: SYN, answered by RST.
    static func knock(port: UInt16) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = port.bigEndian
        addr.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        close(fd)
    }

    @Test(.enabled(if: isRoot, "live capture needs root or CAP_NET_RAW"))
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
            for _ in 0..<3 { Self.knock(port: 48) }
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
        #expect(Set(InterfaceAddresses.addresses(of: ["lo"]).map(\.description)) == Self.ipAddresses(device: "lo"))
        #expect(InterfaceAddresses.addresses(of: ["nosuch0"]).isEmpty)
        // `any`: every interface's addresses, so lo's among them.
        let all = Set(InterfaceAddresses.addresses(of: ["any"]).map(\.description))
        #expect(all == Self.ipAddresses(device: nil))
    }

    /// `ip -o addr show [dev D]`: the independent list.
    static func ipAddresses(device: String?) -> Set<String> {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/sbin/ip")
        p.arguments = ["-o", "addr", "show"] + (device.map { ["dev", $0] } ?? [])
        let out = Pipe()
        p.standardOutput = out
        guard (try? p.run()) != nil else { return [] }
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        var found = Set<String>()
        for line in text.split(separator: "\n") {
            let words = line.split(separator: " ")
            if let i = words.firstIndex(where: { $0 == "inet" || $0 == "inet6" }), i + 1 < words.count {
                found.insert(String(words[i + 1].split(separator: "/")[0]))
            }
        }
        return found
    }
}
