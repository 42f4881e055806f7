import ArgumentParser

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
        version: "0.1.0",
        subcommands: [AnalyzeCommand.self, LiveCommand.self, MergeCommand.self, DiffCommand.self, ExportCommand.self, ProfilesCommand.self, ExplainCommand.self,
                      ServiceTagsCommand.self, BenchCommand.self]
    )
}
