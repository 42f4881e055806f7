import Foundation
import TestSupport
import Testing
@testable import PacketCapture

/// The populator that maps a large capture's pages in ahead of the reader:
/// it never gets more than its lead ahead, and packets read with it are the
/// packets libpcap reads.
@Suite struct MappingPopulatorTests {
    /// A 41 MB pcap (little-endian, µs, Ethernet) of 640 records of 64,000
    /// bytes whose contents depend on their index.
    static func largeCapture() throws -> URL {
        let url = URL(fileURLWithPath: TestScratch.path("populator.pcap"))
        var data = Data()
        func le32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { data.append(contentsOf: $0) } }
        func le16(_ v: UInt16) { withUnsafeBytes(of: v.littleEndian) { data.append(contentsOf: $0) } }
        le32(0xa1b2_c3d4); le16(2); le16(4); le32(0); le32(0); le32(65_535); le32(1)
        for i in 0..<640 {
            le32(UInt32(1_700_000_000 + i)); le32(UInt32(i)); le32(64_000); le32(64_000)
            let fill = UInt8(truncatingIfNeeded: i &* 37)
            data.append(contentsOf: [UInt8](repeating: fill, count: 64_000))
        }
        try data.write(to: url)
        return url
    }

    static func packets(_ path: String, reader: OfflineCapture.Reader, populatesAhead: Bool = true) throws -> [[Int]] {
        let capture = try OfflineCapture(path: path, reader: reader)
        capture.populatesAhead = populatesAhead
        var seen: [[Int]] = []
        try capture.forEachPacket { p in
            seen.append([Int(p.timestampNanoseconds), p.bytes.count, p.originalLength,
                         Int(p.bytes.u8(at: 0) ?? 0), Int(p.bytes.u8(at: p.bytes.count - 1) ?? 0)])
        }
        return seen
    }

    @Test func staysWithinItsLeadOfTheReader() throws {
        let url = try Self.largeCapture()
        defer { try? FileManager.default.removeItem(at: url) }
        let capture = try OfflineCapture(path: url.path)
        #expect(capture.readerInUse == .mapped)
        capture.populatesAhead = false
        var strides = 0
        while capture.populateAhead() { strides += 1 }
        // The reader is at 0: strides start at 0, 2, 4, 6 and 8 MiB (8 MiB is the lead),
        // or none where the kernel has no MADV_POPULATE_READ (before 5.14) or there is one core.
        let possible = sysconf(Int32(_SC_NPROCESSORS_ONLN)) >= 2
        #expect(strides == 5 || (strides == 0 && (!possible || Self.kernelLacksPopulate())), "\(strides) strides")
    }

    @Test func packetsReadWithItAreThoseLibpcapReads() throws {
        let url = try Self.largeCapture()
        defer { try? FileManager.default.removeItem(at: url) }
        let reference = try Self.packets(url.path, reader: .libpcap)
        #expect(reference.count == 640)
        #expect(try Self.packets(url.path, reader: .automatic) == reference)
        #expect(try Self.packets(url.path, reader: .automatic, populatesAhead: false) == reference)
    }

    /// `uname -r` below 5.14.
    static func kernelLacksPopulate() -> Bool {
        var u = utsname()
        uname(&u)
        let release = withUnsafeBytes(of: u.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let parts = release.split(separator: ".").prefix(2).compactMap { Int($0.prefix { $0.isNumber }) }
        guard parts.count == 2 else { return false }
        return parts[0] < 5 || (parts[0] == 5 && parts[1] < 14)
    }
}
