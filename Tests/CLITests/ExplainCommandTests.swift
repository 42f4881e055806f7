import Foundation
import TestSupport
import Testing

/// `egress-audit explain` as an operator runs it. Names, ports and rules come
/// from the seed documents (Cassandra MI network rules: "*.blob.core.windows.net:443";
/// API Management VNet reference: "login.microsoftonline.com", "Storage.WestUS",
/// "Outbound access on port 53 … DNS servers"); the address comes from the real
/// Azure tag file, read here with Foundation's JSON parser.
@Suite struct ExplainCommandTests {
    static let tagFile = SharedFolder.azurePublicServiceTags

    @Test func entraLoginIsAllowedWithItsRule() throws {
        let r = try CLI.run(["explain", "login.microsoftonline.com", "--port", "443", "--profile", "apim-vnet", "--param", "region=westus"])
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "login.microsoftonline.com outbound on port 443: allowed")
        #expect(lines.contains { $0.hasPrefix("  rule entra-login (outbound tcp/443, required): name matches login.microsoftonline.com") })
    }

    @Test func blobOnPort80IsWrongPortAndExits3() throws {
        let r = try CLI.run(["explain", "x.blob.core.windows.net", "--port", "80", "--transport", "tcp", "--profile", "cassandra-mi",
                             "--param", "region=westus"])
        #expect(r.status == 3, "\(r.stderr)")
        #expect(r.stdout.contains("x.blob.core.windows.net outbound on port 80/tcp: not allowed on port 80/tcp (wrong port or transport)"))
        #expect(r.stdout.contains("allowed on other ports or transports by:"))
        #expect(r.stdout.contains("  rule fqdn-blob-backups (outbound tcp/443, required): name matches *.blob.core.windows.net"))
    }

    @Test func undocumentedNameExits3() throws {
        let r = try CLI.run(["explain", "evil.example.com", "--port", "443", "--profile", "apim-vnet", "--param", "region=westus"])
        #expect(r.status == 3)
        #expect(r.stdout == "evil.example.com outbound on port 443: not allowed: no rule of apim-vnet names it\n")
    }

    @Test func loadBalancerAddressWithoutTagFileSaysSo() throws {
        let r = try CLI.run(["explain", "168.63.129.16", "--port", "53", "--profile", "apim-vnet", "--param", "region=westus"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("  rule dns (outbound any/53, required): address in 168.63.129.16"))
        #expect(r.stdout.contains("168.63.129.16 is in AzureLoadBalancer, Internet"))
        #expect(r.stdout.contains("(no --service-tags file given"))
        #expect(r.stderr.contains("egress-audit: warning: no service tag file given (--service-tags FILE): tags ApiManagement, Storage, Storage.WestUS,"))
    }

    @Test(.requires(.shared))
    func storageWestUSAddressListsItsTagsAndRule() throws {
        let host = try Self.hostInFirstIPv4Prefix(of: "Storage.WestUS")
        let base = ["explain", host, "--profile", "apim-vnet", "--param", "region=West US", "--service-tags", Self.tagFile]
        let r = try CLI.run(base + ["--port", "443"])
        #expect(r.status == 0, "\(r.stderr)")
        let storageLine = r.stdout.split(separator: "\n").first { $0.hasPrefix("  rule storage ") }.map(String.init) ?? ""
        #expect(storageLine.contains("address in service tag Storage") && storageLine.contains("address in service tag Storage.WestUS"))
        let tagLine = r.stdout.split(separator: "\n").first { $0.hasPrefix("\(host) is in ") }.map(String.init) ?? ""
        let tags = Set(tagLine.dropFirst("\(host) is in ".count).split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
        #expect(tags.isSuperset(of: ["AzureCloud", "Storage", "Storage.WestUS"]), "\(tagLine)")
        #expect(!r.stderr.contains("not in"), "every tag apim-vnet names is in the public file: \(r.stderr)")

        let http = try CLI.run(base + ["--port", "80"])
        #expect(http.status == 3)
        #expect(http.stdout.contains("wrong port"))
    }

    @Test func missingTagIsWarnedNamingTagAndFile() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("ServiceTags_Tiny.json")
        try Data(#"{"values": [{"name": "Storage", "properties": {"addressPrefixes": ["20.38.96.0/19"]}}]}"#.utf8).write(to: file)
        let r = try CLI.run(["explain", "20.38.96.1", "--port", "443", "--profile", "cassandra-mi", "--param", "region=westus",
                             "--service-tags", file.path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("rule tag-guestandhybridmanagement: service tag GuestandHybridManagement is not in ServiceTags_Tiny.json"))
        #expect(r.stdout.contains("20.38.96.1 is in Storage, Internet"))
    }

    @Test(arguments: [
        (["explain", "a.com", "--profile", "apim-vnet", "--param", "region"], "--param expects name=value, found \"region\""),
        (["explain", "a.com", "--profile", "apim-vnet", "--port", "70000"], "--port expects a number from 1 to 65535, found \"70000\""),
        (["explain", "a.com", "--profile", "apim-vnet", "--transport", "sctp"], "--transport expects tcp or udp, found \"sctp\""),
        (["explain", "a..com", "--profile", "apim-vnet"], "\"a..com\" is neither an IP address nor a host name"),
        (["explain", "a.com"], "--profile is required"),
        (["explain", "a.com", "--profile", "no-such-profile"], "--profile \"no-such-profile\" is neither a built-in profile"),
        (["explain", "a.com", "--profile", "apim-vnet", "--service-tags", "/nonexistent/tags.json"], "/nonexistent/tags.json"),
    ])
    func badInputIsOneLineAndExit1(arguments: [String], message: String) throws {
        let r = try CLI.run(arguments)
        #expect(r.status == 1)
        let lines = r.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(r.stderr)")
        #expect(r.stderr.hasPrefix("egress-audit: ") && r.stderr.contains(message), "\(r.stderr)")
        #expect(r.stdout.isEmpty)
    }

    /// First IPv4 prefix of `tag` in the real file, plus one (each Storage prefix is shorter than /32).
    static func hostInFirstIPv4Prefix(of tag: String) throws -> String {
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: tagFile)))
        let values = (object as? [String: Any])?["values"] as? [[String: Any]] ?? []
        let prefixes = values.first { $0["name"] as? String == tag }.flatMap { ($0["properties"] as? [String: Any])?["addressPrefixes"] as? [String] } ?? []
        let v4 = try #require(prefixes.first { $0.contains(".") }, "\(tag) has no IPv4 prefix")
        var octets = v4.split(separator: "/")[0].split(separator: ".").compactMap { Int($0) }
        try #require(octets.count == 4)
        octets[3] += 1
        return octets.map(String.init).joined(separator: ".")
    }
}

/// An Azure Firewall FQDN tag without published names: explain says the answer may be incomplete.
@Suite struct ExplainFQDNTagTests {
    @Test func unexpandableTagIsNamedUnderANegativeAnswer() throws {
        let r = try CLI.run(["explain", "download.windowsupdate.com", "--port", "443", "--profile", "hdinsight", "--param", "account=contosohdi"])
        #expect(r.status == 3, "\(r.stderr)")
        #expect(r.stdout.contains("note: rule fqdn-tags names Azure Firewall FQDN tag WindowsUpdate, which is not fully expandable (0 published names checked)"))
        #expect(r.stderr.contains("Azure Firewall FQDN tag HDInsight is not fully expandable"))
    }
}
