import Foundation
import Testing
@testable import EgressAudit

/// The HTML page's text safety and self-containment, judged on the page's
/// source. (How it renders and behaves is the browser's to say: CLITests'
/// HTMLReportTests open it in headless Chromium.)
@Suite struct AuditReportHTMLTests {
    static let captures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Captures")

    static func demoReport() throws -> AuditReport {
        try JSONDecoder().decode(AuditReport.self, from: Data(contentsOf: captures.appendingPathComponent("demo-apim-self-hosted-gateway.expected.json")))
    }

    /// The five characters HTML gives meaning to, each written as its character reference (HTML §13.1.4, §13.5).
    @Test func escapingWritesEachSpecialCharacterAsAReference() {
        #expect(AuditReportHTML.escape(#"<script>alert("x")</script>"#) == "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;")
        #expect(AuditReportHTML.escape("a'b&c") == "a&#39;b&amp;c")
        #expect(AuditReportHTML.escape("&amp;") == "&amp;amp;", "an existing reference is text, escaped again")
        #expect(AuditReportHTML.escape("bücher.example\tä") == "bücher.example\tä")
        #expect(AuditReportHTML.escape("nul\u{0}bell\u{7}") == "nul\u{FFFD}bell\u{FFFD}", "control characters have no place in a page")
    }

    /// Names come from the network: a destination, node, rule or tag named like markup stays text.
    @Test func hostileNamesStayText() throws {
        var report = try Self.demoReport()
        let hostile = #"<script>alert("pwned")</script>"#
        let attribute = #"x" onmouseover="alert(1)"#
        report.undocumented[0].destination = hostile
        report.undocumented[0].nodes = [attribute]
        report.undocumented[0].serviceTags = ["<img src=x onerror=alert(2)>"]
        report.findings[0].summary = "</table><b>bold</b>"
        report.requiredRules[0].rule = "'><iframe>"
        report.profile.parameters["apim-name"] = "</title><script>"
        let html = AuditReportHTML.render(report)
        #expect(html.components(separatedBy: "<script").count == 2, "only the page's own script")
        for raw in ["<img", "<iframe", "</table><b>", "onmouseover=\"alert", "</title><script>"] {
            #expect(!html.contains(raw), "\(raw) reached the page unescaped")
        }
        #expect(html.contains("&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;"))
        #expect(html.contains("data-node=\"x&quot; onmouseover=&quot;alert(1)\""), "attribute values are escaped too")
    }

    /// Nothing is fetched: no external script, style, font, image or link, and a policy that forbids them.
    @Test func thePageFetchesNothing() throws {
        let html = AuditReportHTML.render(try Self.demoReport())
        #expect(html.hasPrefix("<!DOCTYPE html>\n"))
        #expect(html.contains("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none';"))
        for reference in [" src=", " href=", "url(", "@import", "<link", "<iframe", "<object", "fetch(", "XMLHttpRequest"] {
            #expect(!html.contains(reference), "\(reference)")
        }
        // The one URL is the SVG namespace, a name and never fetched.
        let urls = html.components(separatedBy: "://").count - 1
        #expect(urls == 1 && html.contains("xmlns=\"http://www.w3.org/2000/svg\""))
        #expect(html.contains("@media print"), "a print style")
    }
}
