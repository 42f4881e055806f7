/// Drift between two audit reports (`egress-audit diff OLD NEW`): what
/// appeared or disappeared (destinations and ports per table, name
/// mismatches), required and optional rules whose status changed, and the
/// profile, parameters and features that differ (a diff across profiles says
/// so before anything else). A report diffed with itself is empty.
public struct AuditDiff: Codable, Sendable, Equatable {
    /// "profile apim-vnet → cassandra-mi", "parameter region: westus → eastus", "feature cert-chain: added".
    public var profileChanges: [String]
    public var destinations: [DestinationChange]
    public var rules: [RuleChange]
    public var nameMismatches: [MismatchChange]

    public struct DestinationChange: Codable, Sendable, Equatable {
        /// appeared | disappeared
        public var change: String
        /// allowed | undocumented | wrongPort | resolvers
        public var table: String
        public var direction: String
        public var destination: String
        /// "tcp/443"
        public var port: String
    }

    public struct RuleChange: Codable, Sendable, Equatable {
        public var rule: String
        public var required: Bool
        /// Status in the old report, or "absent".
        public var old: String
        public var new: String
    }

    public struct MismatchChange: Codable, Sendable, Equatable {
        public var change: String
        public var address: String
        public var port: Int
        public var sni: String
        public var dns: String
    }

    /// What `--fail-on` can name, and the changes each stands for.
    public enum Kind: String, Sendable, CaseIterable {
        /// An (undocumented destination, port) that was not there before.
        case newUndocumented = "new-undocumented"
        /// A required rule now attempted-but-failing that was not.
        case newlyBlocked = "newly-blocked"
        /// A required rule now not-seen that was seen.
        case newlyMissing = "newly-missing"
        case newWrongPort = "new-wrong-port"
        case newNameMismatch = "new-name-mismatch"
        /// The reports are of different profiles, parameters or features.
        case profileChanged = "profile-changed"
    }

    public var isEmpty: Bool { profileChanges.isEmpty && destinations.isEmpty && rules.isEmpty && nameMismatches.isEmpty }

    /// The kinds present in this diff.
    public var kinds: Set<Kind> {
        var k = Set<Kind>()
        if !profileChanges.isEmpty { k.insert(.profileChanged) }
        for d in destinations where d.change == "appeared" {
            if d.table == "undocumented" { k.insert(.newUndocumented) }
            if d.table == "wrongPort" { k.insert(.newWrongPort) }
        }
        for r in rules where r.required {
            if r.new == "attempted-but-failing" { k.insert(.newlyBlocked) }
            if r.new == "not-seen" && r.old != "not-seen" { k.insert(.newlyMissing) }
        }
        if nameMismatches.contains(where: { $0.change == "appeared" }) { k.insert(.newNameMismatch) }
        return k
    }

    public init(old: AuditReport, new: AuditReport) {
        var profile: [String] = []
        if old.profile.id != new.profile.id { profile.append("profile \(old.profile.id) → \(new.profile.id)") }
        for key in Set(old.profile.parameters.keys).union(new.profile.parameters.keys).sorted() {
            let a = old.profile.parameters[key], b = new.profile.parameters[key]
            if a != b { profile.append("parameter \(key): \(a ?? "(unset)") → \(b ?? "(unset)")") }
        }
        let fa = Set(old.profile.features), fb = Set(new.profile.features)
        for f in fb.subtracting(fa).sorted() { profile.append("feature \(f): added") }
        for f in fa.subtracting(fb).sorted() { profile.append("feature \(f): removed") }
        if old.profile.serviceTagFiles != new.profile.serviceTagFiles {
            profile.append("service tag files \(old.profile.serviceTagFiles.joined(separator: ",")) → \(new.profile.serviceTagFiles.joined(separator: ","))")
        }
        profileChanges = profile

        struct Key: Hashable, Comparable {
            var table: String, direction: String, destination: String, port: String
            static func < (a: Key, b: Key) -> Bool { (a.table, a.direction, a.destination, a.port) < (b.table, b.direction, b.destination, b.port) }
        }
        func keys(_ r: AuditReport) -> Set<Key> {
            var out = Set<Key>()
            for (table, list) in [("allowed", r.allowed), ("undocumented", r.undocumented), ("wrongPort", r.wrongPort), ("resolvers", r.resolvers)] {
                for d in list { for p in d.ports { out.insert(Key(table: table, direction: d.direction, destination: d.destination, port: p)) } }
            }
            return out
        }
        let ka = keys(old), kb = keys(new)
        destinations = kb.subtracting(ka).sorted().map { DestinationChange(change: "appeared", table: $0.table, direction: $0.direction, destination: $0.destination, port: $0.port) }
            + ka.subtracting(kb).sorted().map { DestinationChange(change: "disappeared", table: $0.table, direction: $0.direction, destination: $0.destination, port: $0.port) }

        var rules: [RuleChange] = []
        for (required, a, b) in [(true, old.requiredRules, new.requiredRules), (false, old.optionalRules, new.optionalRules)] {
            let sa = Dictionary(a.map { ($0.rule, $0.status) }, uniquingKeysWith: { x, _ in x })
            let sb = Dictionary(b.map { ($0.rule, $0.status) }, uniquingKeysWith: { x, _ in x })
            for rule in Set(sa.keys).union(sb.keys).sorted() where sa[rule] != sb[rule] {
                rules.append(RuleChange(rule: rule, required: required, old: sa[rule] ?? "absent", new: sb[rule] ?? "absent"))
            }
        }
        self.rules = rules

        struct M: Hashable, Comparable {
            var address: String, port: Int, sni: String, dns: String
            static func < (a: M, b: M) -> Bool { (a.address, a.port, a.sni, a.dns) < (b.address, b.port, b.sni, b.dns) }
        }
        let ma = Set(old.nameMismatches.map { M(address: $0.address, port: $0.port, sni: $0.sni, dns: $0.dns) })
        let mb = Set(new.nameMismatches.map { M(address: $0.address, port: $0.port, sni: $0.sni, dns: $0.dns) })
        nameMismatches = mb.subtracting(ma).sorted().map { MismatchChange(change: "appeared", address: $0.address, port: $0.port, sni: $0.sni, dns: $0.dns) }
            + ma.subtracting(mb).sorted().map { MismatchChange(change: "disappeared", address: $0.address, port: $0.port, sni: $0.sni, dns: $0.dns) }
    }

    // MARK: Rendering

    /// The diff for a terminal (`markdown: false`) or a ticket.
    public func render(markdown: Bool) -> String {
        var out: [String] = []
        func section(_ title: String, _ lines: [String]) {
            guard !lines.isEmpty else { return }
            out.append(markdown ? "## \(title)\n" : title)
            out += lines.map { markdown ? "- \($0)" : "  \($0)" }
            out.append("")
        }
        if isEmpty { return (markdown ? "No drift: the reports agree.\n" : "no drift: the reports agree\n") }
        section("Profile", profileChanges)
        section("Destinations", destinations.map { "\($0.change == "appeared" ? "+" : "-") \($0.table) \($0.direction) \($0.destination) \($0.port)" })
        section("Rules", rules.map { "\($0.rule) (\($0.required ? "required" : "optional")): \($0.old) → \($0.new)" })
        section("Name mismatches", nameMismatches.map { "\($0.change == "appeared" ? "+" : "-") \($0.address):\($0.port) SNI \($0.sni), DNS \($0.dns)" })
        return out.joined(separator: "\n")
    }
}
