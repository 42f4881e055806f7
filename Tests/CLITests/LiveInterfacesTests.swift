import Foundation
import TestSupport
import Testing

/// `live` with several `-i`, and the nodes a live audit judges by default:
/// the captured interfaces' own addresses.
@Suite(.serialized) struct LiveInterfacesTests {
    static let unshare = NetworkNamespaceLab.which("unshare")
    static let bash = NetworkNamespaceLab.which("bash")

    @Test func anInterfaceGivenTwiceOrAnyWithOthersIsRefused() throws {
        let twice = try CLI.run(["live", "-i", "lo", "-i", "lo", "--duration", "1"])
        #expect(twice.status == 64)
        #expect(twice.stderr.contains("-i lo is given twice"))
        let any = try CLI.run(["live", "-i", "any", "-i", "lo", "--duration", "1"])
        #expect(any.status == 64)
        #expect(any.stderr.contains("-i any already captures every interface"))
    }

    /// In a private network namespace (nothing leaves it): `lo` and a veth
    /// `ea0` made for the test, with a static neighbour so a SYN really goes out
    /// on `ea0`. One run captures both; each is its own source in the report.
    /// `.netns` checks first that this kernel makes a veth pair: here, failing to is a failure.
    @Test(.requires(.netns))
    func twoInterfacesAreCapturedByOneRunEachWithItsOwnSource() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("live.json").path, err = dir.appendingPathComponent("live.err").path
        let script = """
        set -e
        ip link set lo up
        ip link add ea0 type veth peer name ea1
        ip link set ea0 up; ip link set ea1 up
        ip addr add 10.99.0.1/24 dev ea0
        ip neigh add 10.99.0.9 lladdr 02:00:00:00:00:09 dev ea0
        "$0" live -i lo -i ea0 --duration 4 --json --output "$1" 2>"$2" &
        tool=$!
        for i in $(seq 100); do grep -q "capturing on" "$2" && break; sleep 0.1; done
        (exec 3<>/dev/tcp/127.0.0.1/9) 2>/dev/null || true
        timeout -s KILL 1 bash -c 'exec 3<>/dev/tcp/10.99.0.9/443' >/dev/null 2>&1 || true
        status=0
        wait $tool || status=$?
        ip link del ea0
        exit $status
        """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: try #require(Self.unshare))
        p.arguments = ["--net", try #require(Self.bash), "-c", script, CLI.executable, out, err]
        let output = Pipe()
        p.standardOutput = output
        p.standardError = output
        try p.run()
        let said = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        let messages = (try? String(contentsOfFile: err, encoding: .utf8)) ?? ""
        #expect(p.terminationStatus == 0, "\(said)\(messages)")
        #expect(messages.contains("capturing on lo (EN10MB), ea0 (EN10MB)"))
        let doc = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out))) as? [String: Any]
        let files = try #require(doc?["files"] as? [[String: Any]])
        #expect(files.map { $0["path"] as? String } == ["lo", "ea0"])
        #expect(files.allSatisfy { $0["format"] as? String == "live" && $0["kernelDrops"] as? Int == 0 })
        #expect(files.allSatisfy { ($0["packets"] as? Int ?? 0) > 0 }, "\(files)")
        // The knock on lo (SYN + RST) and the SYN out of ea0 (unanswered, retried).
        let ports = (doc?["summary"] as? [String: Any])?["synDestinationPorts"] as? [Int]
        #expect(ports == [9, 443])
        let total = (doc?["summary"] as? [String: Any])?["packets"] as? Int
        #expect(total == files.compactMap { $0["packets"] as? Int }.reduce(0, +))
    }

    @Test(.requires(.root))
    func withoutNodeTheAuditedNodesAreTheInterfacesOwnAddresses() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let profile = """
        id: nodes-test
        title: live nodes
        dialect: azure-firewall
        source: [{id: test, title: written for the live nodes test}]
        rules:
          - {id: nine, direction: outbound, destinations: [{cidr: 127.0.0.1}], ports: 46, transport: tcp, required: true, purpose: loopback, source: {document: test}}
        """
        let profilePath = dir.appendingPathComponent("profile.yaml").path
        try profile.write(toFile: profilePath, atomically: true, encoding: .utf8)
        let report = dir.appendingPathComponent("report.json").path
        let p = Process()
        p.executableURL = URL(fileURLWithPath: CLI.executable)
        p.arguments = ["live", "-i", "lo", "--filter", "tcp port 46", "--profile", profilePath, "--json", "--output", report]
        let err = Pipe()
        p.standardError = err
        try p.run()
        _ = LiveCommandTests.waitUntilCapturing(err)
        LiveCommandTests.knock(port: 46, times: 1)
        p.terminate()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        let doc = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: report))) as? [String: Any]
        let nodes = doc?["nodes"] as? [String: Any]
        // lo's addresses, as `ip addr show lo` lists them.
        #expect(Set(nodes?["addresses"] as? [String] ?? []) == Loopback.ipAddresses(device: "lo"))
        #expect((nodes?["how"] as? String)?.hasPrefix("the addresses of the captured interfaces (lo)") == true)
        #expect((doc?["requiredRules"] as? [[String: Any]])?.first?["status"] as? String == "attempted-but-failing")
        let warnings = doc?["warnings"] as? [String] ?? []
        #expect(warnings.contains { $0.hasPrefix("captured with the default audit filter and --filter \"tcp port 46\"") })
    }
}
