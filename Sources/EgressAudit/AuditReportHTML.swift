import EgressPolicy
import PacketWire

/// The audit report as one self-contained HTML page, for people the audit is
/// handed to (a security reviewer, a firewall team, a ticket): the verdict
/// first, findings by severity, required rules with their evidence, the
/// destinations with names, addresses, service tags and nodes, a node ×
/// destination map drawn as inline SVG, and the capture's numbers.
///
/// Built from the same `AuditReport` as the JSON, text and Markdown renderings
/// and nothing else: every figure on the page is one of the report's, none is
/// computed here but counts of the report's own lists. Self-contained: inline
/// CSS and a little JavaScript (sorting and filtering tables), no fetch, font
/// or image from anywhere, and a Content-Security-Policy that forbids them,
/// so it works offline from a file URL; a print style drops the controls.
///
/// Every string from the report (names from the network included) goes
/// through `escape`, in text and in attributes.
public enum AuditReportHTML {
    /// How many nodes and destinations the map draws at most (the rest are counted under it).
    public static let mapNodeLimit = 40
    public static let mapDestinationLimit = 80

    public static func render(_ r: AuditReport) -> String {
        var page = Page()
        page.head(title: "egress-audit: \(r.profile.id) — \(r.verdict)")
        page.verdict(r)
        page.summary(r)
        page.findings(r)
        page.rules(r)
        page.destinations("undocumented", "Undocumented destinations", r.undocumented,
                          note: "Egress no rule of the profile allows: the service tags containing each address say what it is.")
        page.destinations("wrong-port", "Wrong port or transport", r.wrongPort, note: "Destinations rules name, reached on other ports or another transport.")
        page.map(r)
        page.destinations("allowed", "Allowed", r.allowed, note: "Egress the profile's rules allow, and which rules.")
        page.destinations("resolvers", "Resolvers asked", r.resolvers, note: "DNS servers the nodes asked, when the profile documents no DNS rule.")
        page.dns(r)
        page.capture(r)
        page.foot(r)
        return page.out
    }

    /// Text for HTML text and double- or single-quoted attribute values.
    public static func escape(_ s: String) -> String {
        s.escapingScalars { c in
            switch c {
            case "&": return "&amp;"
            case "<": return "&lt;"
            case ">": return "&gt;"
            case "\"": return "&quot;"
            case "'": return "&#39;"
            // C0 controls but tab and newline have no place in HTML text (U+0000 is a parse error).
            case _ where c.value < 0x20 && c != "\t" && c != "\n" || c.value == 0x7F: return "\u{FFFD}"
            default: return nil
            }
        }
    }

    /// Escaped, with a line-break opportunity after each dot and slash (`<wbr>`: no text of its own),
    /// so long names and addresses break where a reader expects.
    static func breakable(_ s: String) -> String {
        escape(s).replacingOccurrences(of: ".", with: ".<wbr>").replacingOccurrences(of: "/", with: "/<wbr>")
    }

    /// The CSS class a verdict line gets: pass, fail, or incomplete.
    static func verdictClass(_ verdict: String) -> String {
        verdict.hasPrefix("PASS") ? "pass" : verdict.hasPrefix("FAIL") ? "fail" : "incomplete"
    }

    /// A table column: its heading, whether it sorts as a number, and a cell per row.
    struct Column<Row> {
        var title: String
        var numeric: Bool
        /// The cell's HTML (already escaped) and, for numbers, the value to sort by.
        var cell: (Row) -> (html: String, sort: String?)

        static func text(_ title: String, _ value: @escaping (Row) -> String) -> Column {
            Column(title: title, numeric: false) { (escape(value($0)), nil) }
        }

        static func number(_ title: String, _ value: @escaping (Row) -> Int) -> Column {
            Column(title: title, numeric: true) { let n = value($0); return (grouped(n), String(n)) }
        }

        static func html(_ title: String, _ value: @escaping (Row) -> String) -> Column {
            Column(title: title, numeric: false) { (value($0), nil) }
        }
    }

    struct Page {
        var out = ""

        mutating func line(_ s: String) { out += s + "\n" }

        mutating func head(title: String) {
            line("<!DOCTYPE html>")
            line("<html lang=\"en\">")
            line("<head>")
            line("<meta charset=\"utf-8\">")
            // Nothing is fetched from anywhere: no script, style, font or image but the inline ones.
            line("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">")
            line("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
            line("<meta name=\"generator\" content=\"egress-audit \(escape(ToolVersion.current))\">")
            line("<title>\(escape(title))</title>")
            line("<style>\n\(AuditReportHTML.style)</style>")
            line("</head>")
            line("<body>")
        }

        mutating func foot(_ r: AuditReport) {
            line("<footer>Written by egress-audit \(escape(r.toolVersion ?? "(version not recorded)")), report schema version \(r.schemaVersion). "
                 + "The JSON report (<code>--json</code>) holds the same figures.</footer>")
            line("<script>\n\(AuditReportHTML.script)</script>")
            line("</body>")
            line("</html>")
        }

        mutating func verdict(_ r: AuditReport) {
            line("<header id=\"verdict\" class=\"verdict \(verdictClass(r.verdict))\">")
            line("<p class=\"tool\">egress-audit · profile <strong>\(escape(r.profile.id))</strong></p>")
            line("<h1 id=\"verdict-line\">\(escape(r.verdict))</h1>")
            line("</header>")
        }

        mutating func summary(_ r: AuditReport) {
            line("<section id=\"summary\"><h2>Audit</h2><dl class=\"facts\">")
            func fact(_ term: String, _ html: String) { line("<dt>\(escape(term))</dt><dd>\(html)</dd>") }
            fact("profile", "\(escape(r.profile.id)): \(escape(r.profile.title))")
            let params = r.profile.parameters.sorted { $0.key < $1.key }.map { "<code>\(escape($0.key))=\(escape($0.value))</code>" }
            fact("parameters", params.isEmpty ? "(defaults)" : params.joined(separator: " "))
            fact("features", r.profile.features.isEmpty ? "none" : r.profile.features.map { "<code>\(escape($0))</code>" }.joined(separator: " "))
            fact("service tag files", r.profile.serviceTagFiles.isEmpty ? "none" : r.profile.serviceTagFiles.map(escape).joined(separator: ", "))
            fact("nodes", "<span id=\"nodes\">\(r.nodes.addresses.map(escape).joined(separator: ", "))</span> (\(escape(r.nodes.how)))")
            fact("flows", "\(grouped(r.flowTotals.outbound)) egress from a node, \(grouped(r.flowTotals.inbound)) toward a node, "
                 + "\(grouped(r.flowTotals.notAudited)) neither")
            fact("capture", "\(grouped(r.capture.files)) input(s), \(grouped(r.capture.packets)) packets, \(grouped(r.capture.bytes)) bytes, "
                 + "\(grouped(r.capture.flows)) flows")
            line("</dl>")
            if !r.warnings.isEmpty {
                line("<ul id=\"warnings\" class=\"warnings\">")
                for w in r.warnings { line("<li>\(escape(w))</li>") }
                line("</ul>")
            }
            line("</section>")
        }

        mutating func findings(_ r: AuditReport) {
            line("<section id=\"findings\"><h2>Findings <span class=\"count\">(\(r.findings.count))</span></h2>")
            if r.findings.isEmpty {
                line("<p>None.</p></section>")
                return
            }
            // One button per kind present, in severity order: a filter on the table.
            line("<p class=\"kinds\" data-table=\"findings-table\">")
            for kind in AuditReport.Severity.allCases {
                let n = r.findings.filter { $0.kind == kind }.count
                if n > 0 {
                    line("<button type=\"button\" class=\"kind sev-\(kind.rawValue)\" data-kind=\"\(kind.rawValue)\" aria-pressed=\"false\">"
                         + "\(kind.rawValue) <b>\(n)</b></button>")
                }
            }
            line("</p>")
            table("findings-table", r.findings, rowAttributes: { "data-kind=\"\($0.kind.rawValue)\" class=\"sev-\($0.kind.rawValue)\"" }, [
                .html("kind") { "<span class=\"badge sev-\($0.kind.rawValue)\">\($0.kind.rawValue)</span>" },
                .text("finding") { $0.summary },
                .text("rule") { $0.rule ?? "" },
                .text("profile") { $0.profile ?? "" },
                .text("destination") { $0.destination ?? "" },
                .init(title: "port", numeric: true) { f in (f.port.map(String.init) ?? "", f.port.map(String.init) ?? "-1") },
                .text("known (baseline)") { $0.known ?? "" },
            ])
            line("</section>")
        }

        mutating func rules(_ r: AuditReport) {
            line("<section id=\"required-rules\"><h2>Required rules <span class=\"count\">(\(r.requiredRules.count))</span></h2>")
            table("required-rules-table", r.requiredRules, rowAttributes: { "data-status=\"\(escape($0.status))\"" }, ruleColumns(optional: false))
            line("</section>")
            guard !r.optionalRules.isEmpty else { return }
            line("<section id=\"optional-rules\"><h2>Optional rules of enabled features <span class=\"count\">(\(r.optionalRules.count))</span></h2>")
            table("optional-rules-table", r.optionalRules, rowAttributes: { "data-status=\"\(escape($0.status))\"" }, ruleColumns(optional: true))
            line("</section>")
        }

        func ruleColumns(optional: Bool) -> [Column<AuditReport.RuleStatus>] {
            var columns: [Column<AuditReport.RuleStatus>] = [
                .html("rule") { "<code>\(escape($0.rule))</code>" },
                .html("status") { "<span class=\"status st-\(escape($0.status))\">\(escape($0.status))</span>" },
            ]
            if optional { columns.append(.text("feature") { $0.feature ?? "" }) }
            columns += [
                .number("flows") { $0.flows },
                .number("failed") { $0.failedFlows },
                .html("evidence") { s in
                    let failures = s.failures.map { "<li class=\"failure\">\(breakable($0.destination)) \(escape($0.outcome)) ×\(grouped($0.flows))</li>" }
                    let reached = s.destinations.map { "<li>\(breakable($0))</li>" }
                    let items = failures + reached
                    return items.isEmpty ? "" : "<ul>" + items.joined() + "</ul>"
                },
                .html("nodes") { s in
                    guard let nodes = s.nodes, !nodes.isEmpty else { return "" }
                    return "<ul>" + nodes.sorted { $0.key < $1.key }.map {
                        "<li>\(escape($0.key)): <span class=\"status st-\(escape($0.value))\">\(escape($0.value))</span></li>"
                    }.joined() + "</ul>"
                },
                .text("purpose") { $0.purpose },
            ]
            return columns
        }

        mutating func destinations(_ id: String, _ title: String, _ list: [AuditReport.Destination], note: String) {
            guard !list.isEmpty || id == "undocumented" else { return }
            line("<section id=\"\(id)\"><h2>\(escape(title)) <span class=\"count\">(\(list.count))</span></h2>")
            line("<p class=\"note\">\(escape(note))</p>")
            if list.isEmpty {
                line("<p>None.</p></section>")
                return
            }
            func sample(_ items: [String], _ count: Int, _ what: String, _ d: AuditReport.Destination) -> String {
                let about = d.estimated?.contains(what) == true ? "about " : ""
                let more = count > items.count ? " <span class=\"more\">(\(about)\(grouped(count)) in all)</span>" : ""
                return items.map(breakable).joined(separator: "<br>") + more
            }
            table("\(id)-table", list, rowAttributes: { "data-direction=\"\(escape($0.direction))\"" }, [
                .html("destination") { d in
                    "<span class=\"name\">\(breakable(d.destination))</span>" + (d.folded.map { " <span class=\"folded\">(group: \(escape($0)))</span>" } ?? "")
                },
                .text("name from") { $0.nameSource.rawValue },
                .text("direction") { $0.direction },
                .html("ports") { sample($0.ports, $0.portCount, "ports", $0) },
                .number("flows") { $0.flows },
                .number("failed") { $0.failedFlows },
                .text("failures") { d in d.failures.sorted { $0.key < $1.key }.map { "\($0.key) ×\(grouped($0.value))" }.joined(separator: ", ") },
                .number("bytes sent") { Int(clamping: $0.bytesSent) },
                .number("bytes received") { Int(clamping: $0.bytesReceived) },
                .html("addresses") { sample($0.addresses, $0.addressCount, "addresses", $0) },
                .html("service tags") { $0.serviceTags.map { "<span class=\"tag\">\(escape($0))</span>" }.joined(separator: " ") },
                .html("rules") { $0.rules.map { "<code>\(escape($0))</code>" }.joined(separator: " ") },
                .html("nodes") { sample($0.nodes, $0.nodeCount, "nodes", $0) },
                .text("first seen") { $0.firstSeen },
                .text("last seen") { $0.lastSeen },
            ])
            line("</section>")
        }

        mutating func dns(_ r: AuditReport) {
            if !r.dnsFailures.isEmpty {
                line("<section id=\"dns-failures\"><h2>Failing DNS <span class=\"count\">(\(r.dnsFailures.count))</span></h2>")
                table("dns-failures-table", r.dnsFailures, rowAttributes: { _ in "" }, [
                    .text("name") { $0.name }, .text("answer") { $0.rcode },
                    .text("rules") { $0.rules.joined(separator: ", ") }, .text("required") { $0.required ? "yes" : "no" },
                ])
                line("</section>")
            }
            if !r.nameMismatches.isEmpty {
                line("<section id=\"name-mismatches\"><h2>Name mismatches <span class=\"count\">(\(r.nameMismatches.count))</span></h2>")
                line("<p class=\"note\">TLS or QUIC server names that disagree with the DNS answer for the same address.</p>")
                table("name-mismatches-table", r.nameMismatches, rowAttributes: { _ in "" }, [
                    .text("server name") { $0.sni }, .text("DNS name") { $0.dns }, .text("address") { $0.address },
                    .number("port") { $0.port }, .number("flows") { $0.flows },
                ])
                line("</section>")
            }
            if !r.suggestions.isEmpty {
                line("<section id=\"suggestions\"><h2>Least-privilege rules for the allowed egress seen <span class=\"count\">(\(r.suggestions.count))</span></h2>")
                line("<p class=\"note\"><code>--suggest-rules</code> prints them as a profile.</p>")
                table("suggestions-table", r.suggestions, rowAttributes: { _ in "" }, [
                    .text("kind") { $0.kind }, .text("value") { $0.value }, .text("transport") { $0.transport }, .number("port") { Int($0.port) },
                ])
                line("</section>")
            }
        }

        mutating func capture(_ r: AuditReport) {
            line("<section id=\"capture\"><h2>What was read</h2>")
            let c = r.capture
            let counts: [(String, Int)] = [
                ("inputs", c.files), ("packets", c.packets), ("bytes", c.bytes), ("decoded", c.decoded), ("not decoded", c.notDecoded),
                ("malformed", c.malformed), ("truncated by the snap length", c.truncated), ("IPv4", c.ipv4), ("IPv6", c.ipv6),
                ("TCP", c.tcp), ("UDP", c.udp), ("ICMP", c.icmp), ("ICMPv6", c.icmpv6), ("other transport", c.otherTransport),
                ("first fragments", c.firstFragments), ("later fragments", c.laterFragments),
                ("datagrams reassembled", c.reassembledDatagrams), ("fragments reassembled", c.reassembledFragments),
                ("fragments held at the end", c.fragmentsHeld), ("fragment datagrams oversize", c.fragmentDatagramsOversize),
                ("fragment datagrams timed out", c.fragmentDatagramsTimedOut), ("fragment datagrams evicted", c.fragmentDatagramsEvicted),
                ("fragments dropped", c.fragmentsDropped), ("VLAN-tagged", c.vlanTagged), ("tunnelled", c.tunneled),
                ("flows", c.flows), ("TCP flows", c.tcpFlows), ("UDP flows", c.udpFlows),
            ] + (c.capsReached.map { caps in [
                ("flows evicted for room (cap)", caps.flowsEvictedForRoom), ("names refused (cap)", caps.namesRefused),
                ("DNS answers evicted (cap)", caps.dnsAnswersEvicted), ("DNS observations refused (cap)", caps.dnsObservationsRefused),
                ("QUIC connections not decrypted (cap)", caps.quicFlowsRefused), ("first flights refused (cap)", caps.firstFlightsRefused),
                ("first-flight bytes beyond the cap", caps.firstFlightBytesBeyondCap),
                ("first-flight segments refused (cap)", caps.firstFlightSegmentsRefused),
            ] } ?? []) + (c.logRecords.map { [("log records", $0), ("log records rejected", c.logRecordsRejected ?? 0)] } ?? [])
            line("<dl class=\"numbers\">")
            for (term, n) in counts { line("<dt>\(escape(term))</dt><dd>\(grouped(n))</dd>") }
            line("</dl>")
            func breakdown(_ title: String, _ values: [String: Int]) {
                guard !values.isEmpty else { return }
                line("<h3>\(escape(title))</h3><dl class=\"numbers\">")
                for (k, v) in values.sorted(by: { $0.key < $1.key }) { line("<dt>\(escape(k))</dt><dd>\(grouped(v))</dd>") }
                line("</dl>")
            }
            breakdown("Link types", c.linkTypes)
            breakdown("Not decoded, by reason", c.notDecodedReasons)
            breakdown("Malformed, by layer and reason", c.malformedReasons)
            if !c.synDestinationPorts.isEmpty {
                line("<h3>TCP SYN destination ports</h3><p class=\"ports\">\(c.synDestinationPorts.map(String.init).joined(separator: ", "))</p>")
            }
            if !r.initiators.isEmpty {
                line("<h3>Busiest initiators</h3>")
                table("initiators-table", r.initiators, rowAttributes: { _ in "" }, [.text("address") { $0.address }, .number("flows") { $0.flows }])
            }
            if !r.overflow.isEmpty {
                line("<h3>Caps reached</h3>")
                table("overflow-table", r.overflow, rowAttributes: { _ in "" }, [
                    .text("cap") { $0.cap }, .number("limit") { $0.limit }, .number("flows folded") { $0.flows },
                ])
            }
            breakdown("Caps in force", r.limits)
            line("</section>")
        }

        /// Nodes down, destinations across; a cell where a node reached a destination,
        /// coloured by the destination's verdict (allowed with every flow failed: blocked).
        mutating func map(_ r: AuditReport) {
            struct Column { let d: AuditReport.Destination; let verdict: String }
            var all: [Column] = []
            for (list, verdict) in [(r.undocumented, "undocumented"), (r.wrongPort, "wrong-port"), (r.allowed, "allowed")] {
                for d in list where d.direction == "outbound" && !d.nodes.isEmpty {
                    all.append(Column(d: d, verdict: verdict == "allowed" && d.flows > 0 && d.failedFlows == d.flows ? "blocked" : verdict))
                }
            }
            guard !all.isEmpty else { return }
            let rank = ["blocked": 0, "undocumented": 1, "wrong-port": 2, "allowed": 3]
            let columns = Array(all.enumerated().sorted { a, b in
                let (ra, rb) = (rank[a.element.verdict] ?? 9, rank[b.element.verdict] ?? 9)
                return ra != rb ? ra < rb : a.element.d.flows != b.element.d.flows ? a.element.d.flows > b.element.d.flows : a.offset < b.offset
            }.map(\.element).prefix(mapDestinationLimit))
            let allNodes = Set(all.flatMap(\.d.nodes))
            let nodes = Array(allNodes.sorted(by: nodeOrder).prefix(mapNodeLimit))
            let sampled = all.contains { $0.d.nodeCount > $0.d.nodes.count }

            let cell = 16, labelChars = min(columns.map(\.d.destination.count).max() ?? 10, 40)
            let left = 8 + 7 * (nodes.map(\.count).max() ?? 8), top = 10 + Int(Double(labelChars) * 6.2)
            // Labels lean right at 60°: room for the last one's run (cos 60° of its length).
            let width = left + cell * columns.count + 10 + Int(Double(labelChars) * 3.4), height = top + cell * nodes.count + 10
            line("<section id=\"map\"><h2>Nodes and destinations</h2>")
            line("<p class=\"note\">Which node reached which destination (egress), coloured by the destination's verdict. "
                 + "Showing \(nodes.count) of \(allNodes.count) node(s) and \(columns.count) of \(all.count) destination(s)"
                 + (sampled ? "; a destination reached by more nodes than its sample holds shows its sample." : ".") + "</p>")
            line("<p class=\"legend\"><span class=\"key v-blocked\"></span>allowed, every flow failed <span class=\"key v-undocumented\"></span>undocumented "
                 + "<span class=\"key v-wrong-port\"></span>wrong port <span class=\"key v-allowed\"></span>allowed</p>")
            line("<svg id=\"node-map\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\" "
                 + "aria-label=\"nodes by destinations\">")
            for (i, n) in nodes.enumerated() {
                line("<text class=\"node-label\" x=\"\(left - 6)\" y=\"\(top + i * cell + 12)\" text-anchor=\"end\">\(escape(n))</text>")
            }
            for (j, c) in columns.enumerated() {
                let x = left + j * cell + 11
                let shown = c.d.destination.count > 40 ? String(c.d.destination.prefix(39)) + "…" : c.d.destination
                line("<text class=\"dest-label\" x=\"\(x)\" y=\"\(top - 6)\" transform=\"rotate(-60 \(x) \(top - 6))\">\(escape(shown))</text>")
                let reached = Set(c.d.nodes)
                for (i, n) in nodes.enumerated() where reached.contains(n) {
                    line("<rect class=\"cell v-\(c.verdict)\" data-node=\"\(escape(n))\" data-destination=\"\(escape(c.d.destination))\" "
                         + "x=\"\(left + j * cell + 1)\" y=\"\(top + i * cell + 1)\" width=\"\(cell - 2)\" height=\"\(cell - 2)\">"
                         + "<title>\(escape(n)) → \(escape(c.d.destination)): \(c.verdict), \(grouped(c.d.flows)) flows of every node</title></rect>")
                }
            }
            line("</svg></section>")
        }

        /// A sortable, filterable table: one filter box per table, a click on a heading sorts by it.
        mutating func table<Row>(_ id: String, _ rows: [Row], rowAttributes: (Row) -> String, _ columns: [Column<Row>]) {
            line("<div class=\"controls\"><input type=\"search\" class=\"filter\" data-table=\"\(id)\" placeholder=\"filter\" aria-label=\"filter the table\"> "
                 + "<span class=\"shown\" data-table=\"\(id)\">\(rows.count) of \(rows.count)</span></div>")
            line("<div class=\"scroll\"><table id=\"\(id)\" class=\"sortable\">")
            line("<thead><tr>" + columns.map { "<th scope=\"col\" class=\"\($0.numeric ? "num" : "")\" aria-sort=\"none\">\(escape($0.title))</th>" }.joined()
                 + "</tr></thead>")
            line("<tbody>")
            for row in rows {
                let attributes = rowAttributes(row)
                var tr = "<tr\(attributes.isEmpty ? "" : " " + attributes)>"
                for c in columns {
                    let (html, sort) = c.cell(row)
                    tr += "<td" + (c.numeric ? " class=\"num\"" : "") + (sort.map { " data-sort=\"\($0)\"" } ?? "") + ">\(html)</td>"
                }
                line(tr + "</tr>")
            }
            line("</tbody></table></div>")
        }
    }

    /// Addresses by value (IPv4 first), then anything else by its text: the map's node order.
    static func nodeOrder(_ a: String, _ b: String) -> Bool {
        switch (IPAddress(a), IPAddress(b)) {
        case let (x?, y?): return x != y ? x < y : a < b
        case (.some, nil): return true
        case (nil, .some): return false
        case (nil, nil): return a < b
        }
    }
}
