import ArgumentParser

@main
struct EgressAuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "egress-audit",
        abstract: "Audit a node's egress traffic against a service's documented outbound rules."
    )
}
