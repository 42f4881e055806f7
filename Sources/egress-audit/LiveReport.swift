import ArgumentParser
import CaptureRuntime
import EgressAudit
import EgressPolicy
import Foundation
import PacketCapture
import PacketWire

/// What a live run adds to a report: the audited nodes default to the
/// captured interfaces' own addresses (offline, the busiest initiators are the
/// best guess; live, the node is the machine capturing), and which capture
/// filter was in force.
struct LiveReportContext {
    var interfaces: [String]
    /// The interfaces' own addresses (all local addresses for `any`).
    var localAddresses: [IPAddress]
    /// `--filter`, and whether `--capture-all` dropped the default audit filter.
    var narrowing: String?
    var capturingAll: Bool

    var sources: String { "live capture on \(interfaces.joined(separator: ", "))" }

    /// One line naming the filter in force, for the report's warnings and the summary.
    var filterNote: String {
        if capturingAll {
            return narrowing.map { "captured with --capture-all and --filter \"\($0)\"" } ?? "captured every packet (--capture-all)"
        }
        return "captured with the default audit filter\(narrowing.map { " and --filter \"\($0)\"" } ?? ""): server→client data "
            + "from well-known ports is not captured, so bytes received are partial (--capture-all for full byte counts)"
    }
}
