import CaptureRuntime
import EgressPolicy
import Foundation
import PacketWire
import TestSupport
import Testing
@testable import EgressAudit

/// The audit over `Captures/gateway-egress.pcap`, whose contents are known from
/// its plant list and README (not from the engine), against a profile written
/// here so every verdict and required-rule status has a case.
@Suite struct AuditorTests {
    static let profileYAML = AuditTestProfile.yaml

    static let capture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Captures/gateway-egress.pcap").path

    static func report(nodes: [String] = ["10.1.0.0/24", "fd00:1::/64"]) throws -> AuditReport {
        let profile = try ProfileLoader.load(text: profileYAML, file: "audit-test.yaml")
        let compiled = CompiledProfile(try profile.expand(), catalog: ServiceTagCatalog(tags: [], sources: [], virtualNetwork: []))
        var analyzer = CapturePipeline(audit: AuditAccumulator(profile: compiled, nodes: nodes.compactMap { CIDR($0) }))
        analyzer.read(path: capture)
        analyzer.finish()
        return try #require(analyzer.auditReport(serviceTagFiles: []))
    }

    @Test func requiredRulesAreRatedFromTheirFlows() throws {
        let r = try Self.report()
        let status = Dictionary(uniqueKeysWithValues: r.requiredRules.map { ($0.rule, $0.status) })
        #expect(status["entra"] == "satisfied")
        #expect(status["blob"] == "satisfied", "CONNECT through the proxy names the real destination")
        #expect(status["arm"] == "satisfied", "IPv6 flow, ClientHello delivered out of order")
        #expect(status["google-quic"] == "satisfied", "QUIC Initial SNI")
        #expect(status["dns"] == "satisfied")
        #expect(status["blackholed"] == "attempted-but-failing", "SYN, SYN, SYN and nothing back")
        #expect(status["docker"] == "attempted-but-failing", "ICMP administratively prohibited")
        #expect(status["metrics"] == "not-seen", "only seen on 8443")
        #expect(status["missing"] == "not-seen")
        let blocked = r.findings.filter { $0.kind == .blockedRequired }.compactMap(\.rule)
        #expect(Set(blocked) == ["blackholed", "docker"])
        let failures = r.requiredRules.first { $0.rule == "blackholed" }?.failures ?? []
        #expect(failures.map(\.text) == ["blackholed.contoso.net:443 unanswered ×1"])
        #expect(r.verdict.hasPrefix("FAIL: 2 required rules blocked"))
    }

    @Test func wrongPortFailingDNSAndUndocumented() throws {
        let r = try Self.report()
        #expect(r.wrongPort.map(\.destination) == ["metrics.contoso.com"])
        #expect(r.wrongPort.first?.ports == ["tcp/8443"])
        #expect(r.findings.contains { $0.kind == .failingDNS && $0.destination == "doesnotexist.contoso.invalid" })
        let failing = Dictionary(uniqueKeysWithValues: r.dnsFailures.map { ($0.name, $0.rcode) })
        #expect(failing == ["doesnotexist.contoso.invalid": "NXDOMAIN", "dnssec-failed.org": "SERVFAIL"])
        let undocumented = Set(r.undocumented.map(\.destination))
        // Planted destinations no rule of the test profile names.
        for name in ["api.github.com", "mcr.microsoft.com", "packages.microsoft.com", "acs-mirror.azureedge.net",
                     "security.ubuntu.com", "cloudflare-quic.com", "dc.services.visualstudio.com", "ghcr.io"] {
            #expect(undocumented.contains(name), "\(name)")
        }
        #expect(r.undocumented.first { $0.destination == "security.ubuntu.com" }?.nameSource == .httpHost)
        #expect(r.undocumented.first { $0.destination == "cloudflare-quic.com" }?.nameSource == .quicSNI)
        // The ECH ClientHello's SNI is only the public name: never a name mismatch.
        #expect(!r.findings.contains { $0.kind == .nameMismatch })
        // Nothing allowed is reported as undocumented, and the reverse.
        #expect(undocumented.isDisjoint(with: Set(r.allowed.map(\.destination))))
    }

    @Test func nodesAreChosenFromTheBusiestInitiators() throws {
        let r = try Self.report(nodes: [])
        #expect(r.nodes.addresses == ["10.1.0.4", "10.1.0.5", "fd00:1::4", "fd00:1::5"])
        #expect(r.nodes.how.hasPrefix("the busiest initiators"))
        let given = try Self.report(nodes: ["10.1.0.5/32"])
        #expect(given.nodes.addresses == ["10.1.0.5"])
        #expect(given.nodes.how == "given with --node")
        // Only node b's flows are judged now (plant list: node b signed in; node a made the QUIC call).
        #expect(given.requiredRules.first { $0.rule == "entra" }?.status == "satisfied")
        #expect(given.requiredRules.first { $0.rule == "google-quic" }?.status == "not-seen")
    }

    @Test func suggestedRulesLoadAsAProfileAndCoverTheAllowedEgress() throws {
        let r = try Self.report()
        let yaml = RuleSuggester.yaml(profileID: "audit-test", items: Set(r.suggestions), observed: "gateway-egress.pcap")
        let suggested = try ProfileLoader.load(text: yaml, file: "suggested.yaml")
        let compiled = CompiledProfile(try suggested.expand(), catalog: ServiceTagCatalog(tags: [], sources: [], virtualNetwork: []))
        for d in r.allowed where d.direction == "outbound" {
            for port in d.ports {
                let parts = port.split(separator: "/")
                let transport: RuleTransport = parts[0] == "tcp" ? .tcp : .udp
                let e = compiled.evaluate(name: d.nameSource == .address ? nil : d.destination, address: d.addresses.first.flatMap(IPAddress.init),
                                          port: UInt16(parts[1]), transport: transport)
                #expect(e.verdict == .allowed, "\(d.destination) \(port)")
            }
        }
        // Least privilege: nothing undocumented becomes allowed.
        for d in r.undocumented where d.nameSource != .address {
            let e = compiled.evaluate(name: d.destination, address: nil, port: 443, transport: .tcp)
            #expect(e.verdict != .allowed, "\(d.destination)")
        }
    }

    /// The same packets in pcap and in pcapng (the generator writes both) give the same report, byte for byte,
    /// but for the capture summary's file details: the audit does not depend on the container or on hash order.
    @Test func theSamePacketsInPcapAndPcapngGiveTheSameReport() throws {
        func report(_ path: String) throws -> AuditReport {
            let profile = try ProfileLoader.load(text: Self.profileYAML, file: "audit-test.yaml")
            let compiled = CompiledProfile(try profile.expand(), catalog: ServiceTagCatalog(tags: [], sources: [], virtualNetwork: []))
            var pipeline = CapturePipeline(audit: AuditAccumulator(profile: compiled, nodes: [CIDR("10.1.0.0/24")!, CIDR("fd00:1::/64")!]))
            pipeline.read(path: path)
            pipeline.finish()
            return try #require(pipeline.auditReport(serviceTagFiles: []))
        }
        var a = try report(Self.capture)
        let b = try report(Self.capture.replacingOccurrences(of: ".pcap", with: ".pcapng"))
        #expect(a.capture.packets == b.capture.packets && a.capture.packets > 0)
        a.capture = b.capture
        #expect(try ReportOutput.json(a) == ReportOutput.json(b))
    }
}
