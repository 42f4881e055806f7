import EgressExport
import EgressPolicy
import Foundation
import PacketWire
import TestSupport
import Testing

/// Semantics, not only syntax: for every export of every built-in profile, a
/// table of names and addresses made from the profile's own rules (the
/// documented name, a deeper subdomain, the apex, lookalikes `evil-x` and
/// `x.evil.net`, a tag's address, an address in no tag, a wrong port) is
/// decided by the target's documented semantics (TargetEvaluators, reading the
/// exported file) and by the profile (`CompiledProfile.evaluate`, what
/// `explain` prints). They agree, except where the export said so: a target
/// allowing more only through a rule it warned was widened, allowing less only
/// through a rule it warned about or listed as not exported.
@Suite struct ExportSemanticsTests {
    static let formats = ExportFormat.allCases

    /// The probes for a compiled profile: per enabled outbound rule and peer.
    static func probes(_ compiled: CompiledProfile) -> [Probe] {
        var out: [Probe] = []
        let documentation = IPAddress("192.0.2.10")!   // RFC 5737: in no tag, not even Internet
        for rule in compiled.rules where rule.direction != .inbound {
            if case .optional(_, false) = rule.requirement { continue }
            let transport: RuleTransport = rule.transport == .udp ? .udp : .tcp
            var port: UInt16 = 443
            var wrong: UInt16? = nil
            if case .ranges(let r) = rule.ports, let first = r.first {
                port = first.lower
                wrong = (1 ... 65000).lazy.map { UInt16($0 * 7 % 65000 + 1) }.first { p in !r.contains { $0.contains(p) } }
            }
            func add(_ name: String?, _ address: IPAddress?, _ kind: String, port p: UInt16? = nil) {
                out.append(Probe(name: name, address: address, port: p ?? port, transport: transport, origin: rule.id, kind: kind))
            }
            for peer in rule.destinations {
                switch peer {
                case .fqdn(let text):
                    guard let pattern = try? FQDNPattern(text) else { continue }
                    let labels = pattern.labels.map { l -> String in
                        switch l {
                        case .exact(let b): return String(decoding: b, as: UTF8.self)
                        case .glob(let pieces): return pieces.map { String(decoding: $0, as: UTF8.self) }.joined(separator: "x")
                        case .anyOneLabel, .oneOrMoreLabels: return "a"
                        }
                    }
                    let name = labels.joined(separator: ".")
                    add(name, nil, "documented")
                    add("deep." + name, nil, "deeper")
                    if pattern.labels.first == .oneOrMoreLabels, labels.count > 1 { add(labels.dropFirst().joined(separator: "."), nil, "apex") }
                    add("evil-" + name, nil, "lookalike")
                    add(name + ".evil.net", nil, "lookalike")
                    if let wrong { add(name, nil, "wrong-port", port: wrong) }
                case .serviceTag(let written):
                    guard let tag = CompiledProfile.resolve(written, in: compiled.catalog).tag,
                          let prefix = tag.prefixes.first(where: \.isIPv4) ?? tag.prefixes.first else { continue }
                    add(nil, prefix.address, "tag-address")
                    if let wrong { add(nil, prefix.address, "wrong-port", port: wrong) }
                    add(nil, documentation, "no-tag-address")
                case .cidr(let text):
                    guard let c = CIDR(text) else { continue }
                    add(nil, c.address, "cidr-address")
                    if let wrong { add(nil, c.address, "wrong-port", port: wrong) }
                case .fqdnTag(let tag):
                    // Probed by the names Microsoft publishes for the tag: what Azure Firewall's own tag
                    // (exported as the tag) and every other target (exported as the names) allow by name.
                    for name in FirewallFQDNTags.tag(named: tag)?.names ?? [] where !name.contains("*") {
                        add(name, nil, "documented")
                        add("evil-" + name, nil, "lookalike")
                        if let wrong { add(name, nil, "wrong-port", port: wrong) }
                    }
                }
            }
        }
        return out
    }

    /// YAML through python3's yaml.safe_load (the independent reader), as JSON.
    static func yamlDocument(_ text: String) throws -> [String: Any] {
        let path = try ExportFixtures.write(text, name: "doc.yaml")
        let r = try ExportFixtures.run("/usr/bin/env", ["python3", "-c", "import sys, json, yaml; json.dump(yaml.safe_load(open(sys.argv[1])), sys.stdout)", path])
        try #require(r.status == 0, "\(r.output)")
        return try #require(try JSONSerialization.jsonObject(with: Data(r.output.utf8)) as? [String: Any])
    }

    static func jsonDocument(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test(.requires(.shared, .pyyaml), arguments: Deployment.all, formats)
    func targetDecidesAsTheProfileExceptWhereWarned(deployment: Deployment, format: ExportFormat) throws {
        let compiled = try deployment.compiled()
        let result = try RuleExporter.export(ExportInput(profile: compiled), as: format)
        let catalog = compiled.catalog
        let decide: (Probe) -> Set<String>
        switch format {
        case .azureFirewall:
            let doc = try Self.jsonDocument(result.text)
            decide = { TargetEvaluators.azureFirewall(doc, catalog: catalog, $0) }
        case .nsg:
            let doc = try Self.jsonDocument(result.text)
            decide = { TargetEvaluators.nsg(doc, catalog: catalog, $0) }
        case .awsNetworkFirewall:
            let doc = try Self.jsonDocument(result.text)
            decide = { TargetEvaluators.aws(doc, $0) }
        case .cilium:
            let doc = try Self.yamlDocument(result.text)
            decide = { TargetEvaluators.cilium(doc, $0) }
        case .networkpolicy:
            let doc = try Self.yamlDocument(result.text)
            decide = { TargetEvaluators.networkPolicy(doc, $0) }
        case .nftables:
            let table = NftablesEvaluator(result.text)
            let nodes = (compiled.expanded.parameters["virtual-network"] ?? "").split(separator: ",").compactMap { CIDR(String($0)) }
            decide = { p in
                let family = p.address?.isIPv4 ?? true
                return table.allowed(p, source: nodes.first { $0.isIPv4 == family }?.address)
            }
        }
        let warned = Set(result.warnings.map(\.rule))
        let notExported = Set(result.untranslated.map(\.rule))
        let probes = Self.probes(compiled)
        // A profile deployed bare (no parameters, no tag file) may leave nothing to probe: every rule
        // a service tag with no addresses, or conditioned on a parameter. The demos always have probes.
        if probes.isEmpty && !deployment.withTags { return }
        #expect(!probes.isEmpty)
        var agreed = 0, excused = 0
        for p in probes {
            let e = compiled.evaluate(name: p.name, address: p.address, port: p.port, transport: p.transport)
            let profileAllows = e.verdict == .allowed
            let allowing = decide(p)
            let targetAllows = !allowing.isEmpty
            if profileAllows == targetAllows { agreed += 1; continue }
            // The rules in play: the probe's own, the profile's answer's, and the profile rules
            // the target's allowing rules were exported from (by name or comment: `id`, `id-…`).
            let exportedFrom = compiled.rules.map(\.id).filter { id in allowing.contains { $0 == id || $0.hasPrefix(id + "-") } }
            let involved = Set([p.origin] + (e.allowedBy + e.otherPortsBy).map(\.rule.id) + exportedFrom)
            if targetAllows {
                #expect(!involved.isDisjoint(with: warned), "\(format.rawValue) allows \(p) which the profile does not, and no involved rule was warned about")
            } else {
                #expect(!involved.isDisjoint(with: warned.union(notExported)),
                        "\(format.rawValue) refuses \(p) which the profile allows by \(e.allowedBy.map(\.rule.id)), unannounced")
            }
            excused += 1
        }
        #expect(agreed > 0, "some probe decided alike")
        print("\(deployment.testDescription) \(format.rawValue): \(probes.count) probes, \(agreed) agree, \(excused) differ where the export said so")
    }

    /// Hand-worked cases, each from a target's documents, on the demo deployment of the self-hosted gateway.
    @Test(.requires(.shared, .pyyaml))
    func documentedWildcardCasesPerTarget() throws {
        let d = Deployment.demos[1]
        let cilium = try Self.yamlDocument(try d.export(.cilium).text)
        let aws = try Self.jsonDocument(try d.export(.awsNetworkFirewall).text)
        let fw = try Self.jsonDocument(try d.export(.azureFirewall).text)
        func probe(_ name: String, _ port: UInt16 = 443) -> Probe { Probe(name: name, port: port, transport: .tcp, origin: "", kind: "") }
        // The profile names *.servicebus.windows.net? Whatever it names, these follow the documents:
        // Azure Firewall `*.x`: any depth, never the apex.
        #expect(TargetEvaluators.azureFirewallMatches("*.blob.core.windows.net", "a.b.blob.core.windows.net"))
        #expect(!TargetEvaluators.azureFirewallMatches("*.blob.core.windows.net", "blob.core.windows.net"))
        #expect(!TargetEvaluators.azureFirewallMatches("*.blob.core.windows.net", "evilblob.core.windows.net"))
        // Cilium: `*.` one label, `**.` any depth, neither the apex; `*` within a label.
        #expect(TargetEvaluators.ciliumMatches(pattern: "*.cilium.io", name: nil, "www.cilium.io"))
        #expect(!TargetEvaluators.ciliumMatches(pattern: "*.cilium.io", name: nil, "a.www.cilium.io"))
        #expect(TargetEvaluators.ciliumMatches(pattern: "**.cilium.io", name: nil, "a.www.cilium.io"))
        #expect(!TargetEvaluators.ciliumMatches(pattern: "**.cilium.io", name: nil, "cilium.io"))
        #expect(TargetEvaluators.ciliumMatches(pattern: "sub*.cilium.io", name: nil, "subdomain.cilium.io"))
        #expect(!TargetEvaluators.ciliumMatches(pattern: "sub*.cilium.io", name: nil, "www.cilium.io"))
        // AWS: the leading dot is the apex and every subdomain.
        #expect(TargetEvaluators.awsMatches(".example.com", "example.com"))
        #expect(TargetEvaluators.awsMatches(".example.com", "a.b.example.com"))
        #expect(!TargetEvaluators.awsMatches(".example.com", "badexample.com"))
        // And the exports, read by those rules: the gateway's configuration endpoint passes each target, a lookalike none.
        for (target, decide) in [("cilium", { TargetEvaluators.cilium(cilium, $0) }), ("aws", { TargetEvaluators.aws(aws, $0) }),
                                 ("azure-firewall", { TargetEvaluators.azureFirewall(fw, catalog: Deployment.catalog, $0) })] as [(String, (Probe) -> Set<String>)] {
            #expect(!decide(probe("contoso.configuration.azure-api.net")).isEmpty, "\(target)")
            #expect(decide(probe("contoso.configuration.azure-api.net.evil.net")).isEmpty, "\(target)")
            #expect(decide(probe("evil-contoso.configuration.azure-api.net")).isEmpty, "\(target)")
        }
    }
}
