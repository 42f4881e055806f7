import Foundation
import TestSupport
import Testing
@testable import CaptureRuntime
import EgressAudit
import FlowEngine

/// Past a cap the engine turns work away and the summary says how much: a
/// capture of DNS answers, each for a name never seen before, against small
/// caps. The expected counts follow from how the capture was built.
@Suite struct EngineCapsTests {
    /// `count` DNS answers from 10.0.0.53, each to its own client port, for n0000000.caps.test … with one A record.
    static func dnsFlood(_ count: Int) -> [UInt8] {
        var file: [UInt8] = []
        func u32(_ v: UInt32) { file += withUnsafeBytes(of: v.littleEndian, Array.init) }
        func u16(_ v: UInt16) { file += withUnsafeBytes(of: v.littleEndian, Array.init) }
        u32(0xa1b2_c3d4); u16(2); u16(4); u32(0); u32(0); u32(65535); u32(101)
        for i in 0..<count {
            let label = Array(String(format: "n%07d", i).utf8)
            var dns: [UInt8] = [UInt8(i >> 8 & 0xff), UInt8(i & 0xff), 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0]
            dns += [UInt8(label.count)] + label + [4] + Array("caps".utf8) + [4] + Array("test".utf8) + [0, 0, 1, 0, 1]
            dns += [0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 1, 44, 0, 4, 198, 18, UInt8(i >> 8 & 0xff), UInt8(i & 0xff)]
            let port = UInt16(10_000 + i)
            let udp: [UInt8] = [0, 53, UInt8(port >> 8), UInt8(port & 0xff), UInt8((8 + dns.count) >> 8), UInt8((8 + dns.count) & 0xff), 0, 0] + dns
            let total = 20 + udp.count
            let ip: [UInt8] = [0x45, 0, UInt8(total >> 8), UInt8(total & 0xff), 0, 0, 0x40, 0, 64, 17, 0, 0, 10, 0, 0, 53, 10, 1, 0, 2] + udp
            u32(1_767_225_600 + UInt32(i)); u32(0); u32(UInt32(ip.count)); u32(UInt32(ip.count))
            file += ip
        }
        return file
    }

    @Test func dnsCapsTurnAwayWhatTheyMustAndTheSummarySaysSo() throws {
        let path = TestScratch.path("caps.pcap")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(Self.dnsFlood(300)).write(to: URL(fileURLWithPath: path))

        var limits = FlowEngineLimits()
        limits.maxDNSObservations = 100
        limits.maxDNSAnswers = 50
        var pipeline = CapturePipeline(limits: limits)
        pipeline.read(path: path)
        pipeline.finish()
        let caps = try #require(pipeline.summary.capsReached)
        // 300 answers, each a new (name, address): 100 observations kept, 200 refused.
        #expect(caps.dnsObservationsRefused == 200)
        // The answer cache holds 50 entries, and each answer makes two (this client's, and any
        // client's: DNSAnswerCache.record): 600 made, the first 50 fill it, 550 evict one each.
        #expect(caps.dnsAnswersEvicted == 550)
        #expect(caps.namesRefused == 0 && caps.flowsEvictedForRoom == 0 && caps.quicFlowsRefused == 0)

        // Within the default caps nothing is turned away, and the summary has nothing to say.
        var roomy = CapturePipeline()
        roomy.read(path: path)
        roomy.finish()
        #expect(roomy.summary.capsReached == nil)
        #expect(roomy.summary.packets == 300 && roomy.summary.udpFlows == 300)
    }
}
