import ArgumentParser

@main
struct CapgenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "egress-capgen", abstract: "Write deterministic synthetic captures.")
}
