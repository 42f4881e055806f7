import Foundation
import TestSupport
import Testing

/// `egress-audit live` end to end on real kernel traffic: a client namespace
/// (the audited node) talks over a veth to a server namespace that plays DNS
/// resolver (dnsmasq) and HTTPS servers (openssl s_server), with a firewall
/// (nftables) silently dropping one required destination. The tool captures
/// on the client's veth; its report, written on SIGTERM, must tell the three
/// planted cases apart: an allowed required destination, a required one
/// attempted but blocked, and an undocumented one.
///
/// Addresses (all private, in namespaces this test creates and deletes):
///
///     client veth  10.213.0.2/24  fd00:ea::2/64          (the node, --node)
///     server veth  10.213.0.1     fd00:ea::1   allowed.test  (s_server)
///                  10.213.0.3                  blocked.test  (dropped by nft)
///                  10.213.0.4                  rogue.test    (s_server)
///                  10.213.0.53                 resolver      (dnsmasq)
///
/// The drop sits on the server side (its input hook), as an upstream firewall
/// would: a drop in the client's own output hook would happen before the
/// packet socket sees the SYN, so nothing would be on the wire to audit.
@Suite(.serialized) struct LiveNamespaceTests {
    static let resolver = "10.213.0.53"

    static let profile = """
        id: netns-e2e
        title: End-to-end test in network namespaces
        dialect: azure-firewall
        source: [{id: test, title: written for the namespace test}]
        rules:
          - {id: resolver, direction: outbound, destinations: [{cidr: \(resolver)}], ports: 53, transport: udp, required: true, purpose: name resolution, source: {document: test}}
          - {id: allowed-https, direction: outbound, destinations: [{fqdn: allowed.test}], ports: 443, transport: tcp, required: true, purpose: the reachable dependency, source: {document: test}}
          - {id: blocked-https, direction: outbound, destinations: [{fqdn: blocked.test}], ports: 443, transport: tcp, required: true, purpose: the dependency a firewall blocks, source: {document: test}}
        """

    /// dnsmasq on the server side answering `answers` (`/name/address`), ready when it answers the
    /// first, checked from inside the server namespace (its loopback, never the audited veth).
    static func startResolver(_ lab: NetworkNamespaceLab, _ dir: URL, answers: [String]) throws {
        let tool = NetworkNamespaceLab.tool
        // dnsmasq as a daemon: in the foreground it still closes every inherited descriptor, which
        // Foundation's Process reads as the child's exit and then blocks reaping it.
        let pidFile = dir.appendingPathComponent("dnsmasq.pid").path
        lab.adoptDaemon(pidFile: pidFile)
        try lab.inside(lab.server, [tool("dnsmasq"), "--conf-file=/dev/null", "--no-resolv", "--no-hosts",
                                    "--port=53", "--listen-address=\(resolver)", "--bind-interfaces", "--user=root",
                                    "--pid-file=\(pidFile)", "--log-facility=\(dir.appendingPathComponent("dnsmasq.log").path)"]
                                   + answers.map { "--address=\($0)" })
        let first = answers[0].split(separator: "/")
        try lab.waitFor("dnsmasq") {
            let r = try? lab.inside(lab.server, [tool("dig"), "+short", "+time=1", "+tries=1", "@\(resolver)", String(first[0])], check: false)
            return r?.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == String(first[1])
        }
    }

    @Test(.requires(.netns))
    func allowedBlockedAndUndocumentedDestinationsAreToldApartOnAVeth() throws {
        let dir = try CLI.temporaryDirectory()
        let lab = NetworkNamespaceLab(directory: dir)
        defer {
            lab.tearDown()
            try? FileManager.default.removeItem(at: dir)
        }
        let tool = NetworkNamespaceLab.tool
        try lab.build(serverAddresses: ["10.213.0.1/24", "10.213.0.3/24", "10.213.0.4/24", "\(Self.resolver)/24", "fd00:ea::1/64"],
                      clientAddresses: ["10.213.0.2/24", "fd00:ea::2/64"])

        // The firewall: SYNs to blocked.test's address vanish (no RST, no ICMP), like a cloud NSG's deny.
        try lab.inside(lab.server, [tool("nft"), "add", "table", "inet", "egress_audit_test"])
        try lab.inside(lab.server, [tool("nft"), "add", "chain", "inet", "egress_audit_test", "input", "{ type filter hook input priority 0; }"])
        try lab.inside(lab.server, [tool("nft"), "add", "rule", "inet", "egress_audit_test", "input", "ip", "daddr", "10.213.0.3", "tcp", "dport", "443", "drop"])

        let key = dir.appendingPathComponent("key.pem").path, cert = dir.appendingPathComponent("cert.pem").path
        try lab.run([tool("openssl"), "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                     "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=egress-audit-test"])
        try Self.startResolver(lab, dir, answers: ["/allowed.test/10.213.0.1", "/allowed.test/fd00:ea::1",
                                                   "/blocked.test/10.213.0.3", "/rogue.test/10.213.0.4"])
        // One s_server on the wildcard address answers for allowed.test and rogue.test, IPv4 and IPv6.
        try lab.start(in: lab.server, [tool("openssl"), "s_server", "-accept", "443", "-cert", cert, "-key", key, "-www", "-quiet"],
                      log: "s_server.log")
        // Ready checks from inside the server namespace: over its loopback, never on the audited veth.
        try lab.waitFor("s_server") {
            let r = try? lab.inside(lab.server, [tool("curl"), "-sk", "--max-time", "2", "-o", "/dev/null", "https://10.213.0.1/"], check: false)
            return r?.status == 0
        }

        let profilePath = dir.appendingPathComponent("profile.yaml").path
        try Self.profile.write(toFile: profilePath, atomically: true, encoding: .utf8)
        let reportPath = dir.appendingPathComponent("report.json").path
        let (live, err, started) = try LiveCommandTests.startInClient(
            lab, [CLI.executable, "live", "-i", lab.clientLink, "--profile", profilePath,
                  "--node", "10.213.0.2", "--node", "fd00:ea::2", "--output", reportPath, "--json"])
        var messages = started

        // The node's traffic. Each dig is one query from its own port: four DNS flows.
        func dig(_ name: String, _ type: String = "A") throws -> String {
            try lab.inside(lab.client, [tool("dig"), "+short", "+time=2", "+tries=1", "@\(Self.resolver)", name, type])
                .stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        #expect(try dig("allowed.test") == "10.213.0.1")
        #expect(try dig("allowed.test", "AAAA") == "fd00:ea::1")
        #expect(try dig("blocked.test") == "10.213.0.3")
        #expect(try dig("rogue.test") == "10.213.0.4")
        // HTTPS with the SNI of each name; --resolve pins the address so curl sends no DNS of its own.
        func https(_ name: String, _ address: String) throws -> Int32 {
            try lab.inside(lab.client, [tool("curl"), "-sk", "--connect-timeout", "2", "--max-time", "5", "-o", "/dev/null",
                                        "--resolve", "\(name):443:\(address)", "https://\(name)/"], check: false).status
        }
        #expect(try https("allowed.test", "10.213.0.1") == 0)
        #expect(try https("allowed.test", "[fd00:ea::1]") == 0)
        #expect(try https("blocked.test", "10.213.0.3") == 28, "curl's 28 is a connect timeout: the SYN went unanswered")
        #expect(try https("rogue.test", "10.213.0.4") == 0)

        // No --snapshot-every: nothing is written until the capture ends.
        #expect(!FileManager.default.fileExists(atPath: reportPath))
        live.terminate()
        let end = Date().addingTimeInterval(15)
        while live.isRunning && Date() < end { usleep(20_000) }
        try #require(!live.isRunning, "live did not end within 15 s of SIGTERM")
        messages += String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(live.terminationStatus == 0, "\(messages)")

        let data = try Data(contentsOf: URL(fileURLWithPath: reportPath))
        let doc = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        func list(_ key: String) -> [[String: Any]] { doc[key] as? [[String: Any]] ?? [] }
        func rule(_ id: String) -> [String: Any]? { list("requiredRules").first { $0["rule"] as? String == id } }
        func destination(_ list: [[String: Any]], _ name: String) -> [String: Any]? { list.first { $0["destination"] as? String == name } }

        #expect(Set((doc["nodes"] as? [String: Any])?["addresses"] as? [String] ?? []) == ["10.213.0.2", "fd00:ea::2"])

        // Required rules: the resolver and allowed.test reached, blocked.test tried and never answered.
        #expect(rule("resolver")?["status"] as? String == "satisfied")
        #expect(rule("allowed-https")?["status"] as? String == "satisfied")
        #expect(rule("allowed-https")?["flows"] as? Int == 2, "one flow over IPv4, one over IPv6")
        #expect(rule("blocked-https")?["status"] as? String == "attempted-but-failing")
        #expect(rule("blocked-https")?["destinations"] as? [String] == ["blocked.test:443"])
        #expect(rule("blocked-https")?["failedFlows"] as? Int == 1)
        let failures = rule("blocked-https")?["failures"] as? [[String: Any]] ?? []
        #expect(failures.count == 1 && failures.first?["destination"] as? String == "blocked.test:443"
                && failures.first?["outcome"] as? String == "unanswered", "\(failures)")

        // Allowed (by a rule, whatever the outcome): allowed.test on both families, named by SNI;
        // blocked.test, named by the client's DNS answer since no TLS got through; the resolver by address.
        let allowed = list("allowed")
        #expect(Set(allowed.compactMap { $0["destination"] as? String }) == ["allowed.test", "blocked.test", Self.resolver])
        let blocked = destination(allowed, "blocked.test")
        #expect(blocked?["addresses"] as? [String] == ["10.213.0.3"])
        #expect(blocked?["nameSource"] as? String == "dns")
        #expect(blocked?["failedFlows"] as? Int == 1)
        #expect(blocked?["bytesReceived"] as? Int == 0, "nothing ever came back from the dropped address")
        let allowedTest = destination(allowed, "allowed.test")
        #expect(Set(allowedTest?["addresses"] as? [String] ?? []) == ["10.213.0.1", "fd00:ea::1"])
        #expect(allowedTest?["nameSource"] as? String == "sni")
        #expect(allowedTest?["ports"] as? [String] == ["tcp/443"])
        let dns = destination(allowed, Self.resolver)
        #expect(dns?["ports"] as? [String] == ["udp/53"])
        #expect(dns?["rules"] as? [String] == ["resolver"])
        #expect(dns?["flows"] as? Int == 4)
        // A profile with a DNS rule judges DNS like any egress: nothing is set apart as a resolver.
        #expect(list("resolvers").isEmpty)

        // Undocumented: rogue.test and nothing else (no invented destination from DNS, ARP or IPv6 housekeeping).
        let undocumented = list("undocumented")
        #expect(undocumented.count == 1, "\(undocumented)")
        let rogue = destination(undocumented, "rogue.test")
        #expect(rogue?["addresses"] as? [String] == ["10.213.0.4"])
        #expect(rogue?["ports"] as? [String] == ["tcp/443"])
        #expect(rogue?["nameSource"] as? String == "sni")
        #expect(rogue?["flows"] as? Int == 1)

        #expect(list("wrongPort").isEmpty)
        #expect(list("dnsFailures").isEmpty)
        let findings = list("findings").map { "\($0["kind"] as? String ?? "?") \($0["rule"] as? String ?? $0["destination"] as? String ?? "?")" }
        #expect(findings.sorted() == ["blocked-required blocked-https", "undocumented rogue.test"])
        #expect((doc["capture"] as? [String: Any])?["synDestinationPorts"] as? [Int] == [443])
        #expect((doc["verdict"] as? String)?.hasPrefix("FAIL") == true)
    }
}

/// The firewall's drop log as the evidence: the node's own nftables drops a
/// required destination and logs the drop (and the DNS answers) to an NFLOG
/// group; `live -i nflog:N` reads only what the rule passes up and must
/// report the drop as a blocked attempt, with the name the DNS answer gave.
/// (In the same serialized suite: the labs share namespace names.)
extension LiveNamespaceTests {
    @Test(.requires(.netns))
    func aDropLoggedToAGroupIsReportedAsABlockedRequiredDestination() throws {
        let dir = try CLI.temporaryDirectory()
        let lab = NetworkNamespaceLab(directory: dir)
        defer {
            lab.tearDown()
            try? FileManager.default.removeItem(at: dir)
        }
        let tool = NetworkNamespaceLab.tool
        try lab.build(serverAddresses: ["10.213.0.3/24", "\(LiveNamespaceTests.resolver)/24"], clientAddresses: ["10.213.0.2/24"])
        // The node's firewall, as README shows it: drop and log blocked.test's address; log DNS answers to the same group.
        let rules = """
            table inet egress_audit_log {
              chain output {
                type filter hook output priority 0;
                ip daddr 10.213.0.3 tcp dport 443 log prefix "egress-drop: " group 7 drop
              }
              chain input {
                type filter hook input priority 0;
                udp sport 53 log group 7
              }
            }
            """
        let rulesPath = dir.appendingPathComponent("rules.nft").path
        try rules.write(toFile: rulesPath, atomically: true, encoding: .utf8)
        try lab.inside(lab.client, [tool("nft"), "-f", rulesPath])
        try Self.startResolver(lab, dir, answers: ["/blocked.test/10.213.0.3"])
        let profilePath = dir.appendingPathComponent("profile.yaml").path
        try LiveNamespaceTests.profile.write(toFile: profilePath, atomically: true, encoding: .utf8)
        let reportPath = dir.appendingPathComponent("report.json").path
        let flowLogPath = dir.appendingPathComponent("flows.jsonl").path
        let (live, err, started) = try LiveCommandTests.startInClient(
            lab, [CLI.executable, "live", "-i", "nflog:7", "--profile", profilePath, "--node", "10.213.0.2",
                  "--output", reportPath, "--json", "--flow-log", flowLogPath], interface: "nflog:7")

        let answer = try lab.inside(lab.client, [tool("dig"), "+short", "+time=2", "+tries=1", "@\(LiveNamespaceTests.resolver)", "blocked.test"])
        #expect(answer.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "10.213.0.3")
        let curl = try lab.inside(lab.client, [tool("curl"), "-sk", "--connect-timeout", "2", "--max-time", "4", "-o", "/dev/null",
                                               "--resolve", "blocked.test:443:10.213.0.3", "https://blocked.test/"], check: false)
        #expect(curl.status == 28, "the SYNs were dropped")
        live.terminate()
        let end = Date().addingTimeInterval(15)
        while live.isRunning && Date() < end { usleep(20_000) }
        try #require(!live.isRunning)
        let messages = started + String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(live.terminationStatus == 0, "\(messages)")

        let doc = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: reportPath))) as? [String: Any])
        func list(_ key: String) -> [[String: Any]] { doc[key] as? [[String: Any]] ?? [] }
        let blocked = list("requiredRules").first { $0["rule"] as? String == "blocked-https" }
        #expect(blocked?["status"] as? String == "attempted-but-failing", "\(String(describing: blocked))")
        #expect(blocked?["destinations"] as? [String] == ["blocked.test:443"])
        let destination = list("allowed").first { $0["destination"] as? String == "blocked.test" }
        #expect(destination?["nameSource"] as? String == "dns")
        #expect(destination?["addresses"] as? [String] == ["10.213.0.3"])
        // The group saw only what the rules logged: the dropped SYNs and the DNS answer.
        let files = doc["capture"] as? [String: Any]
        #expect((files?["linkTypes"] as? [String: Int])?.keys.sorted() == ["NFLOG"])
        #expect(list("findings").contains { $0["kind"] as? String == "blocked-required" && $0["rule"] as? String == "blocked-https" })
        // The flow log keeps which group and which rule (by its prefix) logged each flow.
        let lines = try String(contentsOfFile: flowLogPath, encoding: .utf8).split(separator: "\n")
        let flows = try lines.map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        let drop = flows.first { $0["dport"] as? Int == 443 }
        #expect(drop?["nflog_group"] as? Int == 7 && drop?["nflog_prefix"] as? String == "egress-drop: ", "\(flows)")
        #expect(drop?["outcome"] as? String == "unanswered" && drop?["dns"] as? String == "blocked.test")
        let dns = flows.first { $0["dport"] as? Int == 53 }
        #expect(dns?["nflog_group"] as? Int == 7 && dns?["nflog_prefix"] == nil, "the DNS rule logs without a prefix")
    }
}
