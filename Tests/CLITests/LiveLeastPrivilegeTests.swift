import Foundation
import TestSupport
import Testing

/// `live` on a veth in network namespaces this test makes: promiscuous
/// capture holding CAP_NET_RAW alone (the kernel's own counters say the
/// interface went promiscuous and which capabilities the process held), and a
/// capture whose interface is deleted mid-run ending loudly (exit 1, one line
/// naming the interface and the cause) after writing its report.
///
/// Addresses (private, inside the namespaces made here):
///
///     client veth  10.214.0.2/24   (captured)
///     server veth  10.214.0.1/24   (knocks on the client's closed port 9)
@Suite(.serialized) struct LiveLeastPrivilegeTests {
    static let clientAddress = "10.214.0.2"

    /// A lab of its own (its own names), so it never collides with the other namespace tests.
    static func lab(_ dir: URL, _ suffix: String) throws -> NetworkNamespaceLab {
        let lab = NetworkNamespaceLab(directory: dir, tag: "\(getpid())\(suffix)")
        try lab.build(serverAddresses: ["10.214.0.1/24"], clientAddresses: ["\(clientAddress)/24"])
        return lab
    }

    /// TCP SYNs from the server namespace to the client's closed port 9 (each answered by RST).
    static func knock(_ lab: NetworkNamespaceLab, times: Int = 3) throws {
        for _ in 0..<times {
            try lab.inside(lab.server, [NetworkNamespaceLab.tool("curl"), "-s", "--max-time", "1", "http://\(clientAddress):9/"], check: false)
        }
    }

    /// `promiscuity N` of `ip -d link show`: the kernel's count of promiscuous users of the interface.
    static func promiscuity(_ lab: NetworkNamespaceLab) throws -> Int? {
        let out = try lab.run([NetworkNamespaceLab.tool("ip"), "-n", lab.client, "-d", "link", "show", "dev", lab.clientLink]).stdout
        let words = out.split(whereSeparator: { $0 == " " || $0 == "\n" })
        return words.firstIndex(of: "promiscuity").flatMap { words.index(after: $0) < words.endIndex ? Int(words[words.index(after: $0)]) : nil }
    }

    /// A capability set of /proc/PID/status (`CapEff`, `CapBnd`, …), as bits.
    static func capabilities(_ field: String, pid: pid_t) -> UInt64? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        return status.split(separator: "\n").first { $0.hasPrefix("\(field):") }
            .flatMap { UInt64($0.dropFirst(field.count + 1).trimmingCharacters(in: .whitespaces), radix: 16) }
    }

    @Test(.requires(.netns, .setpriv))
    func promiscuousCaptureWorksHoldingCapNetRawAlone() throws {
        let dir = try CLI.temporaryDirectory()
        let lab = try Self.lab(dir, "p")
        defer {
            lab.tearDown()
            try? FileManager.default.removeItem(at: dir)
        }
        let tool = try LiveCommandTests.toolCopy(dir)
        try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: dir.path)
        let report = dir.appendingPathComponent("report.json").path
        #expect(try Self.promiscuity(lab) == 0)
        // nobody, with CAP_NET_RAW as its only capability: ambient (so no setcap), and the only one left in the bounding set.
        let nobody = [LiveCommandTests.setpriv, "--reuid=65534", "--regid=65534", "--clear-groups",
                      "--inh-caps=-all,+net_raw", "--ambient-caps=-all,+net_raw", "--bounding-set=-all,+net_raw"]
        let (live, err, started) = try LiveCommandTests.startInClient(
            lab, nobody + [tool, "live", "-i", lab.clientLink, "--promiscuous", "--capture-all", "--duration", "6", "--json", "--output", report],
            who: "live as nobody with CAP_NET_RAW")
        var messages = started
        // `ip netns exec` execs setpriv, which execs the tool: the process is the tool itself.
        let netRaw: UInt64 = 1 << 13
        #expect(Self.capabilities("CapEff", pid: live.processIdentifier) == netRaw, "effective: CAP_NET_RAW and nothing else")
        #expect(Self.capabilities("CapBnd", pid: live.processIdentifier) == netRaw, "bounding: CAP_NET_RAW and nothing else")
        #expect(try Self.promiscuity(lab) == 1, "the kernel counts the capture as a promiscuous user of the interface")
        try Self.knock(lab)
        live.waitUntilExit()
        messages += String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(live.terminationStatus == 0, "\(messages)")
        #expect(try Self.promiscuity(lab) == 0, "closing the socket left promiscuous mode")
        let doc = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: report))) as? [String: Any]
        #expect((doc?["summary"] as? [String: Any])?["synDestinationPorts"] as? [Int] == [9], "the knocks were captured: \(messages)")
    }

    @Test(.requires(.netns))
    func aDeletedInterfaceEndsTheRunWithExitOneAndOneLineAfterTheReport() throws {
        let dir = try CLI.temporaryDirectory()
        let lab = try Self.lab(dir, "d")
        defer {
            lab.tearDown()
            try? FileManager.default.removeItem(at: dir)
        }
        let report = dir.appendingPathComponent("report.json").path
        let (live, err, _) = try LiveCommandTests.startInClient(lab, [CLI.executable, "live", "-i", lab.clientLink, "--json", "--output", report])
        try Self.knock(lab)
        try lab.run([NetworkNamespaceLab.tool("ip"), "-n", lab.client, "link", "del", lab.clientLink])
        let end = Date().addingTimeInterval(15)
        while live.isRunning && Date() < end { usleep(20_000) }
        try #require(!live.isRunning, "live kept running for 15 s after its interface was deleted")
        let after = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(live.terminationStatus == 1, "\(after)")
        let lines = after.split(separator: "\n")
        #expect(lines.count == 1, "one line: \(after)")
        #expect(lines.first?.hasPrefix("egress-audit: \(lab.clientLink): ") == true, "names the interface: \(after)")
        #expect(lines.first?.contains("the capture stopped") == true, "\(after)")
        // The report of what was read before the failure is written.
        let doc = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: report))) as? [String: Any]
        #expect((doc?["summary"] as? [String: Any])?["synDestinationPorts"] as? [Int] == [9])
    }
}
