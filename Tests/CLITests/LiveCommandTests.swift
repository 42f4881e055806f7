import Foundation
import Testing

/// `egress-audit live` on loopback: with capabilities rather than root, its
/// report on SIGTERM, and the one-line refusal without CAP_NET_RAW.
@Suite(.serialized) struct LiveCommandTests {
    static let isRoot = getuid() == 0
    static let setpriv = "/usr/bin/setpriv"
    static let setcap = ["/usr/sbin/setcap", "/sbin/setcap"].first { FileManager.default.isExecutableFile(atPath: $0) }

    /// A copy of the tool in a folder `nobody` can reach.
    static func toolCopy(_ dir: URL) throws -> String {
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: dir.path)
        let tool = dir.appendingPathComponent("egress-audit").path
        try FileManager.default.copyItem(atPath: CLI.executable, toPath: tool)
        return tool
    }

    /// Connection attempts to a closed loopback port: each is a SYN answered by RST.
    static func knock(port: UInt16, times: Int) {
        for _ in 0..<times {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var addr = sockaddr_in()
            addr.sin_family = sa_family_t(AF_INET)
            addr.sin_port = port.bigEndian
            addr.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
            _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
            close(fd)
            usleep(100_000)
        }
    }

    static func runAsNobody(_ tool: String, _ args: [String]) throws -> (Int32, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: setpriv)
        p.arguments = ["--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all", tool] + args
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.8) { knock(port: 9, times: 3) }
        let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        return (p.terminationStatus, message)
    }

    @Test(.enabled(if: isRoot && FileManager.default.isExecutableFile(atPath: setpriv), "needs root to run the tool as nobody"))
    func withoutCapNetRawItSaysWhatIsMissingAndHowToGrantIt() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let tool = try Self.toolCopy(dir)
        let (status, message) = try Self.runAsNobody(tool, ["live", "-i", "lo", "--duration", "1"])
        #expect(status == 1)
        #expect(message.hasPrefix("egress-audit: live capture needs CAP_NET_RAW"))
        #expect(message.contains("setcap cap_net_raw+eip \(tool)"))
        #expect(message.split(separator: "\n").count == 1)
    }

    @Test(.enabled(if: isRoot && setcap != nil && FileManager.default.isExecutableFile(atPath: setpriv)))
    func withCapNetRawAndNotRootItCaptures() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let tool = try Self.toolCopy(dir)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Self.setcap!)
        p.arguments = ["cap_net_raw+ep", tool]
        try p.run()
        p.waitUntilExit()
        try #require(p.terminationStatus == 0, "setcap refused (filesystem without xattrs?)")
        let report = dir.appendingPathComponent("live.json").path
        try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: dir.path)
        let (status, message) = try Self.runAsNobody(tool, ["live", "-i", "lo", "--duration", "3", "--filter", "tcp port 9", "--json", "--output", report])
        #expect(status == 0, "\(message)")
        let doc = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: report))) as? [String: Any]
        let summary = doc?["summary"] as? [String: Any]
        #expect(summary?["synDestinationPorts"] as? [Int] == [9], "the knocks on port 9 were captured")
        let files = doc?["files"] as? [[String: Any]]
        #expect(files?.first?["format"] as? String == "live")
        #expect(files?.first?["kernelDrops"] as? Int == 0)
    }

    @Test(.enabled(if: isRoot))
    func sigtermEndsTheCaptureAndTheReportIsWritten() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let report = dir.appendingPathComponent("live.txt").path
        let p = Process()
        p.executableURL = URL(fileURLWithPath: CLI.executable)
        p.arguments = ["live", "-i", "lo", "--filter", "tcp port 9", "--flows", "--output", report]
        p.standardError = FileHandle.nullDevice
        try p.run()
        Thread.sleep(forTimeInterval: 1.0)
        Self.knock(port: 9, times: 2)
        Thread.sleep(forTimeInterval: 0.3)
        p.terminate()  // SIGTERM
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        let text = try String(contentsOfFile: report, encoding: .utf8)
        #expect(text.contains("127.0.0.1:9"))
        #expect(text.contains("refused"))
    }

    @Test(.enabled(if: isRoot))
    func aBadFilterOrInterfaceIsOneLineAndExitOne() throws {
        let filter = try CLI.run(["live", "-i", "lo", "--filter", "port port", "--duration", "1"])
        #expect(filter.status == 1)
        #expect(filter.stderr.hasPrefix("egress-audit: lo: filter \"port port\" does not compile"))
        let interface = try CLI.run(["live", "-i", "nosuch0", "--duration", "1"])
        #expect(interface.status == 1)
        #expect(interface.stderr.hasPrefix("egress-audit: nosuch0: no such interface"))
        #expect(interface.stderr.split(separator: "\n").count == 1)
    }

    @Test(.enabled(if: isRoot))
    func snapshotsAreWrittenWhileTheCaptureRuns() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let report = dir.appendingPathComponent("snap.json").path
        let p = Process()
        p.executableURL = URL(fileURLWithPath: CLI.executable)
        p.arguments = ["live", "-i", "lo", "--filter", "tcp port 9", "--snapshot-every", "0.5", "--duration", "4", "--json", "--output", report]
        p.standardError = FileHandle.nullDevice
        try p.run()
        Thread.sleep(forTimeInterval: 0.5)
        Self.knock(port: 9, times: 1)
        Thread.sleep(forTimeInterval: 1.5)
        // Mid-run: a snapshot already holds the knock, while the capture goes on.
        #expect(p.isRunning)
        let doc = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: report))) as? [String: Any]
        #expect((doc?["summary"] as? [String: Any])?["synDestinationPorts"] as? [Int] == [9])
        p.terminate()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        let rejected = try CLI.run(["live", "-i", "lo", "--snapshot-every", "1"])
        #expect(rejected.status == 64)
        #expect(rejected.stderr.contains("--snapshot-every needs --output"))
    }
}
