import ArgumentParser
import EgressAudit
import Foundation

@main
struct EgressAuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "egress-audit",
        abstract: "Audit a node's egress traffic against a service's documented outbound rules.",
        discussion: """
        Reads captures (pcap, pcapng, gzip-compressed) or live traffic, names every \
        destination from the wire (DNS, TLS SNI, QUIC, HTTP) and checks it against a \
        profile of the service's documented outbound rules.
        """,
        version: ToolVersion.current,
        subcommands: [AnalyzeCommand.self, LiveCommand.self, MergeCommand.self, DiffCommand.self, ExportCommand.self, ProfilesCommand.self, ExplainCommand.self,
                      ServiceTagsCommand.self, BenchCommand.self]
    )

    /// `--config FILE` is expanded into the options it holds before the command line is parsed (`RunConfiguration`).
    static func main() {
        let arguments: [String]
        do {
            arguments = try RunConfiguration.expand(Array(CommandLine.arguments.dropFirst()))
        } catch {
            FileHandle.standardError.write(Data("egress-audit: \(error.description)\n".utf8))
            Glibc.exit(1)
        }
        main(arguments)
    }
}
