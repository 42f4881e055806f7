import EgressPolicy
import TestSupport
import Testing
import Yams

/// Loader errors: each message must carry file, line:column, path and expectation.
/// Line/column are 1-based as libyaml counts them (columns in Unicode scalars); the
/// YAML fragments below are laid out so positions can be counted by eye.
@Suite struct ProfileLoaderTests {
    /// A valid minimal profile; `rules` is spliced in at line 10.
    private func yaml(rules: String, parameters: String = "") -> String {
        """
        id: demo
        title: Demo
        source: https://example.invalid/doc
        dialect: azure-firewall
        \(parameters.isEmpty ? "parameters: []" : "parameters:\n" + parameters)
        features:
          - name: git
            description: Git over SMB
        rules:
        \(rules)
        """
    }

    private func errors(_ text: String, file: String = "demo.yaml") -> [String] {
        do {
            _ = try ProfileLoader.load(text: text, file: file)
            return []
        } catch {
            return error.errors.map(\.description)
        }
    }

    @Test func minimalProfileLoads() throws {
        let profile = try ProfileLoader.load(
            text: yaml(
                rules: """
                  - id: a
                    direction: outbound
                    destinations: [{fqdn: "*.example.com"}, {serviceTag: Storage}, {cidr: 10.0.0.0/8}]
                    ports: [443, "6381-6383"]
                    transport: tcp
                    required: true
                    purpose: p
                """), file: "demo.yaml")
        #expect(profile.id == "demo")
        #expect(profile.dialect == .azureFirewall)
        #expect(profile.documents == [ProfileDocument(id: "https://example.invalid/doc", url: "https://example.invalid/doc")])
        let rule = try #require(profile.rules.first)
        #expect(rule.destinations == [.fqdn("*.example.com"), .serviceTag("Storage"), .cidr("10.0.0.0/8")])
        #expect(rule.ports.contains(443) && rule.ports.contains(6382) && !rule.ports.contains(6384) && !rule.ports.contains(80))
    }

    @Test func yamlSyntaxErrorCarriesYamsPosition() {
        // Line 2: `title: a: b` — libyaml rejects the second ':' (column 9) in block context.
        let found = errors("id: demo\ntitle: a: b\n")
        #expect(found.count == 1)
        #expect(found.first?.hasPrefix("demo.yaml:2:9: expected well-formed YAML or JSON, found mapping values are not allowed") == true)
    }

    @Test func badPortIsLocated() {
        // Line 10 is the rule's `- id`; `ports:` is line 13, its value at column 12.
        let found = errors(
            yaml(
                rules: """
                  - id: a
                    direction: outbound
                    destinations: [{fqdn: a.example.com}]
                    ports: http
                    transport: tcp
                    required: true
                    purpose: p
                """))
        #expect(found == [#"demo.yaml:13:12: rules[0].ports: expected a port 1-65535, a list, a range "A-B" or "any", found "http""#])
    }

    @Test func portOutOfRangeAndBackwardsRangeInList() {
        let found = errors(
            yaml(
                rules: """
                  - id: a
                    direction: outbound
                    destinations: [{fqdn: a.example.com}]
                    ports: [0, 65536, "6383-6381"]
                    transport: tcp
                    required: true
                    purpose: p
                """))
        #expect(
            found == [
                #"demo.yaml:13:13: rules[0].ports[0]: expected a port 1-65535 or a range "A-B", found "0""#,
                #"demo.yaml:13:16: rules[0].ports[1]: expected a port 1-65535 or a range "A-B", found "65536""#,
                #"demo.yaml:13:23: rules[0].ports[2]: expected a port 1-65535 or a range "A-B", found "6383-6381""#,
            ])
    }

    @Test func wrongTypes() {
        let found = errors(
            yaml(
                rules: """
                  - id: a
                    direction: outbound
                    destinations: a.example.com
                    ports: 443
                    transport: tcp
                    required: "yes"
                    purpose: [p]
                """))
        #expect(
            found == [
                #"demo.yaml:12:19: rules[0].destinations: expected a list, found "a.example.com""#,
                #"demo.yaml:15:15: rules[0].required: expected true or false, found "yes""#,
                #"demo.yaml:16:14: rules[0].purpose: expected text, found a list"#,
            ])
    }

    @Test func unknownKeyIsRejectedWithSuggestionAndMissingKeyReported() {
        let found = errors(
            yaml(
                rules: """
                  - id: a
                    direction: outbound
                    destinations: [{fqdn: a.example.com}]
                    portz: 443
                    transport: tcp
                    required: true
                    purpose: p
                """))
        #expect(found.count == 2)
        #expect(
            found.first
                == #"demo.yaml:13:5: rules[0].portz: expected one of the keys id, direction, sources, destinations, ports, transport, required, feature, when, purpose, note, source, found unknown key "portz" (did you mean "ports"?)"#
        )
        #expect(found.last == #"demo.yaml:10:5: rules[0]: expected key "ports""#)
    }

    /// A misspelt key is named with the nearest key when the edit distance is at most a
    /// third of its length (at least 2): "destinationsxxxxxx" (18 scalars, limit 6) is 6
    /// insertions from "destinations"; one more letter (19, limit 6, 7 away) is no typo,
    /// nor is a key of 300 letters.
    @Test func suggestionsStayWithinAThirdOfTheLength() {
        func suggestion(forKey key: String) -> String? {
            let found = errors(
                yaml(
                    rules: """
                      - id: a
                        direction: outbound
                        destinations: [{fqdn: a.example.com}]
                        ports: 443
                        transport: tcp
                        required: true
                        purpose: p
                        \(key): 1
                    """))
            guard let line = found.first(where: { $0.contains("unknown key") }) else { return "no error" }
            guard let range = line.range(of: "(did you mean \"") else { return nil }
            return String(line[range.upperBound...].prefix { $0 != "\"" })
        }
        #expect(suggestion(forKey: "purpse") == "purpose")
        #expect(suggestion(forKey: "destinationsxxxxxx") == "destinations")
        #expect(suggestion(forKey: "destinationsxxxxxxx") == nil)
        #expect(suggestion(forKey: String(repeating: "q", count: 300)) == nil)
    }

    /// `load(node:file:)` reads a tree built without YAML text (no marks: errors name
    /// their path without a position) with the same checks as `load(text:file:)`.
    @Test func nodeTreesLoadLikeText() throws {
        let rule: Node = [
            "id": "a", "direction": "outbound", "destinations": [["fqdn": "*.example.com"]], "ports": [443],
            // Plain style: a quoted "true" is text, and the reader says so.
            "transport": "tcp", "required": Node("true", .implicit, .plain), "purpose": "p",
        ]
        let root: Node = [
            "id": "demo", "title": "Demo", "source": "https://example.invalid/doc", "dialect": "azure-firewall",
            "rules": [rule],
        ]
        let profile = try ProfileLoader.load(node: root, file: "tree")
        #expect(profile == (try ProfileLoader.load(text: try Yams.serialize(node: root), file: "tree")))
        #expect(profile.rules.first?.ports.contains(443) == true)

        var broken = root
        broken["dialect"] = "squid"
        do {
            _ = try ProfileLoader.load(node: broken, file: "tree")
            Issue.record("a tree with an unknown dialect loaded")
        } catch {
            #expect(error.errors.map(\.description) == [#"tree: dialect: expected one of azure-firewall, found "squid""#])
        }
    }

    @Test func duplicateRuleIdPointsAtFirstUse() {
        let rule = """
              - id: same
                direction: outbound
                destinations: [{fqdn: a.example.com}]
                ports: 443
                transport: tcp
                required: true
                purpose: p
            """
        // Second copy starts at line 17; its id value sits at column 9.
        let found = errors(yaml(rules: rule + "\n" + rule))
        #expect(found == [#"demo.yaml:17:9: rules[1].id: expected a rule id not used before (first at 10:9), found "same""#])
    }

    @Test func unknownFeatureIsRejectedWithSuggestion() {
        let found = errors(
            yaml(
                rules: """
                  - id: a
                    direction: outbound
                    destinations: [{fqdn: a.example.com}]
                    ports: 445
                    transport: tcp
                    required: false
                    feature: gti
                    purpose: p
                """))
        #expect(found == [#"demo.yaml:16:14: rules[0].feature: expected a feature declared under features (git), found "gti" (did you mean "git"?)"#])
    }

    @Test func badParameterValuesInDefaultAndCondition() {
        let parameters = """
              - name: cloud
                description: Azure cloud
                values: [public, usgov, china]
                default: mars
              - name: region
                description: Region
                kind: region
            """
        // parameters block occupies lines 6-12, so features start at 13 and the rule at line 17.
        let found = errors(
            yaml(
                rules: """
                  - id: a
                    direction: outbound
                    destinations: [{fqdn: "<region>.example.com"}]
                    ports: 443
                    transport: tcp
                    required: true
                    when: {cloud: public, region: Atlantis}
                    purpose: p
                """, parameters: parameters))
        #expect(
            found == [
                #"demo.yaml:9:14: parameters[0].default: expected one of public, usgov, china, found "mars""#,
                #"demo.yaml:23:35: rules[0].when.region: expected a known Azure region (e.g. "West US" or westus), found "Atlantis""#,
            ])
    }

    @Test func placeholderMustNameAParameterAndWildcardOnlyLeftmost() {
        let found = errors(
            yaml(
                rules: """
                  - id: a
                    direction: outbound
                    destinations: [{fqdn: "<regoin>.example.com"}, {fqdn: "a.*.example.com"}, {cidr: 10.0.0.0/33}]
                    ports: 443
                    transport: tcp
                    required: true
                    purpose: p
                """))
        #expect(
            found == [
                #"demo.yaml:12:27: rules[0].destinations[0].fqdn: expected placeholders naming a parameter (), found "<regoin>""#,
                #"demo.yaml:12:59: rules[0].destinations[1].fqdn: expected a host name or *.pattern ("*" only as the leftmost label), found "a.*.example.com""#,
                #"demo.yaml:12:86: rules[0].destinations[2].cidr: expected an IP address or prefix (e.g. 10.0.0.0/16), found "10.0.0.0/33""#,
            ])
    }

    // JSON goes through the same node API, so the same mistakes give the same messages with JSON positions.
    private let jsonHead = """
        {
          "id": "demo",
          "title": "Demo",
          "source": "https://example.invalid/doc",
          "dialect": "azure-firewall",
          "features": [{"name": "git", "description": "Git over SMB"}],
          "rules": [

        """

    @Test func jsonBadPortUnknownKeyAndDuplicateID() {
        let text =
            jsonHead + """
                {"id": "a", "direction": "outbound", "destinations": [{"fqdn": "a.example.com"}],
                 "ports": "http", "transport": "tcp", "required": true, "purpose": "p"},
                {"id": "a", "direction": "outbound", "destinations": [{"fqdn": "a.example.com"}],
                 "portz": 443, "ports": 443, "transport": "tcp", "required": true, "purpose": "p"},
                {"id": "b", "direction": "outbound", "destinations": [{"fqdn": "a.example.com"}],
                 "ports": 445, "transport": "tcp", "required": false, "feature": "gti", "purpose": "p"}
              ]
            }
            """
        let found = errors(text, file: "demo.json")
        #expect(
            found == [
                #"demo.json:9:15: rules[0].ports: expected a port 1-65535, a list, a range "A-B" or "any", found "http""#,
                #"demo.json:11:6: rules[1].portz: expected one of the keys id, direction, sources, destinations, ports, transport, required, feature, when, purpose, note, source, found unknown key "portz" (did you mean "ports"?)"#,
                #"demo.json:10:12: rules[1].id: expected a rule id not used before (first at 8:12), found "a""#,
                #"demo.json:13:70: rules[2].feature: expected a feature declared under features (git), found "gti" (did you mean "git"?)"#,
            ])
    }

    @Test func jsonWrongTypeAndSyntaxError() {
        let wrongType =
            jsonHead + """
                {"id": "a", "direction": "outbound", "destinations": [{"fqdn": "a.example.com"}],
                 "ports": 443, "transport": "tcp", "required": "true", "purpose": "p"}
              ]
            }
            """
        #expect(errors(wrongType, file: "demo.json") == [#"demo.json:9:52: rules[0].required: expected true or false, found "true""#])

        // A missing comma between members: libyaml stops at the second key (line 3, column 3).
        let broken = "{\n  \"id\": \"demo\"\n  \"title\": \"Demo\"\n}\n"
        let found = errors(broken, file: "demo.json")
        #expect(found.count == 1)
        #expect(found.first?.hasPrefix("demo.json:3:3: expected well-formed YAML or JSON, found ") == true)
    }

    /// Mutated built-in profiles (deterministic SplitMix64 edits: delete, duplicate or
    /// replace a byte with YAML punctuation) must never crash the loader, and every error
    /// it reports must point at a line and column of the file.
    @Test func mutatedProfilesFailWithLocatedErrors() throws {
        let original = Array(try #require(BuiltinProfiles.text(id: "cassandra-mi")).yaml.utf8)
        let punctuation = Array(":-[]{}\"'#&*!|>%@` \n\t,0".utf8)
        var random = SplitMix64(seed: 0x5EED_1234_ABCD_0001)
        func next() -> UInt64 { random.next() }
        var rejected = 0
        for _ in 0..<300 {
            var bytes = original
            for _ in 0..<(1 + Int(next() % 4)) {
                let position = Int(next() % UInt64(bytes.count))
                switch next() % 3 {
                case 0: bytes.remove(at: position)
                case 1: bytes.insert(bytes[position], at: position)
                default: bytes[position] = punctuation[Int(next() % UInt64(punctuation.count))]
                }
            }
            do {
                _ = try ProfileLoader.load(text: String(decoding: bytes, as: UTF8.self), file: "fuzz.yaml")
            } catch {
                rejected += 1
                #expect(!error.errors.isEmpty)
                for item in error.errors {
                    #expect(item.file == "fuzz.yaml" && item.line != nil && item.column != nil, "\(item)")
                }
            }
        }
        // Most random edits of a strict format must be caught.
        #expect(rejected > 150)
    }
}

/// Hostile documents (issue 16): what an alias-heavy profile costs is bounded.
@Suite struct ProfileLoaderAliasTests {
    /// `count` aliases of one rule whose destinations are `count` aliases of one destination:
    /// a document of about 19 × count bytes standing for count² destinations.
    private func aliasSquare(_ count: Int) -> String {
        """
        x: &d [\(Array(repeating: "{fqdn: a.com}", count: count).joined(separator: ", "))]
        y: &r {id: r, direction: outbound, destinations: *d, ports: 443, transport: tcp, required: true, purpose: p}
        id: p
        title: t
        rules: [\(Array(repeating: "*r", count: count).joined(separator: ", "))]
        """
    }

    @Test func aliasesExpandingPastTheCapAreOneError() throws {
        let text = aliasSquare(3_000)
        #expect(text.utf8.count < 60_000)
        // The cap stops the expansion (before it: most of an hour); no timing here, the error says it stopped.
        var caught: ProfileValidationErrors?
        do { _ = try ProfileLoader.load(text: text, file: "aliases.yaml") } catch { caught = error }
        let errors = try #require(caught).errors
        #expect(errors.count == 1)
        #expect(errors.first?.description == "aliases.yaml:1:1: expected at most 100000 YAML nodes with aliases expanded, found more (an alias repeated inside aliased nodes?)")
    }

    @Test func builtinProfilesAndSmallAliasesStillLoad() throws {
        for builtin in BuiltinProfiles.texts {
            _ = try builtin.load()
        }
        let profile = try ProfileLoader.load(text: """
            id: demo
            title: Demo
            source: https://example.invalid/doc
            dialect: azure-firewall
            parameters: []
            features: []
            rules:
              - {id: a, direction: outbound, destinations: &d [{fqdn: a.example.com}], ports: 443, transport: tcp, required: true, purpose: &p shared}
              - {id: b, direction: outbound, destinations: *d, ports: 80, transport: tcp, required: true, purpose: *p}
            """, file: "small.yaml")
        #expect(profile.rules.map(\.id) == ["a", "b"])
    }
}
