import ArgumentParser
import EgressPolicy
import PacketWire

/// `egress-audit explain HOST|IP`: which rules of a profile allow a destination, and why.
struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Explain whether a profile allows a host name or address, and by which rules.",
        discussion: """
            Prints every rule allowing the peer (rule id, the pattern, service tag or prefix \
            that matched, ports, required or optional with its feature), or that none does and \
            on which ports or transports rules would allow it. For an address it also lists \
            every service tag containing it. Service tags come only from --service-tags files. \
            Without --profile, an address and --service-tags FILE: the service tags containing the address.

            Exit status: 0 when an enabled rule allows it; 3 when none does (including when \
            only a rule of a disabled feature would); 1 for bad input (unknown profile, \
            parameter, feature, unreadable tag file, malformed host, port or transport); 64 \
            for a malformed command line (missing or unknown option).
            """
    )

    @Argument(help: ArgumentHelp("A host name (login.microsoftonline.com) or an IPv4/IPv6 address.", valueName: "host|ip"))
    var target: String

    @Option(help: ArgumentHelp("Destination port (default: any port).", valueName: "n"))
    var port: String?

    @Option(help: ArgumentHelp("tcp or udp (default: either).", valueName: "tcp|udp"))
    var transport: String?

    @Option(help: ArgumentHelp("outbound (the node connects to it, default) or inbound (it connects to the node).", valueName: "dir"))
    var direction: String = "outbound"

    @OptionGroup var policy: PolicyOptions

    func run() throws {
        let query = try parseQuery()
        if policy.profile == nil, let address = query.address, !policy.serviceTagFiles.isEmpty {
            // No profile to judge by: the question left is which service tags contain the address.
            let catalog: ServiceTagCatalog
            do { catalog = try ServiceTagSources.catalog(files: policy.serviceTagFiles) } catch {
                Diagnostics.error(error.description)
                throw ExitCode(1)
            }
            for file in policy.serviceTagFiles { if let stale = ServiceTagSources.staleness(of: file) { Diagnostics.warning(stale) } }
            print(ExplainText.tags(of: address, catalog: catalog), terminator: "")
            return
        }
        let compiled = try policy.compile()
        let evaluation = compiled.evaluate(
            name: query.address == nil ? target : nil, address: query.address, port: query.port, transport: query.transport,
            direction: query.direction)
        print(ExplainText.render(evaluation, profile: compiled), terminator: "")
        if evaluation.verdict != .allowed { throw ExitCode(3) }
    }

    private struct Query {
        var address: IPAddress?
        var port: UInt16?
        var transport: RuleTransport
        var direction: RuleDirection
    }

    private func parseQuery() throws -> Query {
        func bad(_ message: String) -> ExitCode {
            Diagnostics.error(message)
            return ExitCode(1)
        }
        var query = Query(address: IPAddress(target), port: nil, transport: .any, direction: .outbound)
        if query.address == nil {
            var name = target.utf8[...]
            if name.last == UInt8(ascii: ".") { name = name.dropLast() }
            let valid = !name.isEmpty && name.count <= 253
                && name.allSatisfy { c in
                    (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z"))
                        || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) || c == UInt8(ascii: "-") || c == UInt8(ascii: "_")
                        || c == UInt8(ascii: ".")
                }
                && !name.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false).contains { $0.isEmpty || $0.count > 63 }
            guard valid else {
                throw bad("\"\(target)\" is neither an IP address nor a host name (letters, digits, '-', '_' in dot-separated labels)")
            }
        }
        if let port {
            guard let n = UInt16(port), n > 0 else { throw bad("--port expects a number from 1 to 65535, found \"\(port)\"") }
            query.port = n
        }
        if let transport {
            switch transport.lowercased() {
            case "tcp": query.transport = .tcp
            case "udp": query.transport = .udp
            default: throw bad("--transport expects tcp or udp, found \"\(transport)\"")
            }
        }
        switch direction.lowercased() {
        case "outbound": query.direction = .outbound
        case "inbound": query.direction = .inbound
        default: throw bad("--direction expects outbound or inbound, found \"\(direction)\"")
        }
        return query
    }
}

/// The text `explain` prints.
enum ExplainText {
    static func render(_ e: Evaluation, profile: CompiledProfile) -> String {
        let peer = e.address.map(\.description) ?? e.name ?? "?"
        let on = (e.port.map { "port \($0)" } ?? "any port") + (e.transport == .any ? "" : "/\(e.transport.rawValue)")
        var lines: [String] = []
        let verdict: String
        switch e.verdict {
        case .allowed: verdict = "allowed"
        case .allowedIfFeatureEnabled: verdict = "not allowed (only by rules of disabled features)"
        case .wrongPort: verdict = "not allowed on \(on) (wrong port or transport)"
        case .undocumented: verdict = "not allowed: no rule of \(profile.expanded.profileID) names it"
        }
        lines.append("\(peer) \(e.direction.rawValue) on \(on): \(verdict)")
        if !e.allowedBy.isEmpty {
            lines.append("allowed by:")
            lines += e.allowedBy.flatMap(describe)
        }
        if !e.allowedIfEnabled.isEmpty {
            lines.append(e.allowedBy.isEmpty ? "would be allowed with a feature enabled (--feature NAME) by:" : "also, with a feature enabled:")
            lines += e.allowedIfEnabled.flatMap(describe)
        }
        if !e.otherPortsBy.isEmpty {
            lines.append(e.verdict == .wrongPort ? "allowed on other ports or transports by:" : "also named, on other ports or transports, by:")
            lines += e.otherPortsBy.flatMap(describe)
        }
        if let address = e.address {
            let tags = e.serviceTags
            lines.append(tags.isEmpty ? "\(address) is in no service tag" : "\(address) is in " + tags.joined(separator: ", "))
            if profile.catalog.sources.isEmpty {
                lines.append("(no --service-tags file given: only the built-in tags AzureLoadBalancer, VirtualNetwork, Internet and CIDR rules were checked)")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Without a profile: every service tag containing `address`, from the files given.
    static func tags(of address: IPAddress, catalog: ServiceTagCatalog) -> String {
        let tags = catalog.tags(containing: address)
        let from = catalog.sources.joined(separator: ", ")
        return (tags.isEmpty ? "\(address) is in no service tag of \(from)" : "\(address) is in " + tags.joined(separator: ", ") + " (\(from))")
            + "\n(no --profile given: add one to ask which of its rules allow it)\n"
    }

    private static func describe(_ match: Evaluation.Match) -> [String] {
        let rule = match.rule
        let need: String
        switch rule.requirement {
        case .required: need = "required"
        case .optional(let feature, let enabled): need = "optional, feature \(feature) " + (enabled ? "enabled" : "disabled")
        }
        return [
            "  rule \(rule.id) (\(rule.direction.rawValue) \(rule.transport.rawValue)/\(rule.ports), \(need)): "
                + match.reasons.map(\.description).joined(separator: "; "),
            "    \(rule.purpose)",
        ]
    }
}
