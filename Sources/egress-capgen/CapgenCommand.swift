import ArgumentParser
import CaptureSynth
import Foundation

@main
struct CapgenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "egress-capgen",
        abstract: "Write deterministic synthetic captures of gateway-node egress, with their ground truth.",
        discussion: "The same scenario, options and seed always produce the same bytes. Use --list to see the scenarios."
    )

    @Argument(help: "Scenario to generate (see --list).")
    var scenario: String?

    @Flag(name: .long, help: "List the scenarios and exit.")
    var list = false

    @Option(name: .shortAndLong, help: "Capture file to write; - for standard output (e.g. `-o - | gzip -1 > flood.pcap.gz`).")
    var output: String?

    @Option(name: .long, help: "File format: pcap or pcapng.")
    var format: CaptureFormat = .pcap

    @Flag(name: .long, help: "Nanosecond timestamps (pcap magic a1b23c4d; pcapng if_tsresol 9).")
    var nanosecond = false

    @Flag(name: .long, help: "Write the file's headers big-endian.")
    var bigEndian = false

    @Option(name: .long, help: "Exact number of packets (bulk, per-flow).")
    var packets: Int?

    @Option(name: .long, help: "Number of flood SYNs (flood; its named sessions come on top).")
    var syns: Int?

    @Option(name: .long, help: "Seed of the generator.")
    var seed: UInt64 = 1

    @Option(name: .long, help: "Maximum bytes kept per packet.")
    var snaplen: UInt32 = 262_144

    @Option(name: .long, help: "Write the plant list (ground truth, JSON) to this file.")
    var plants: String?

    @Option(name: .long, help: "Write the planted audit findings (JSON) to this file (demo-* scenarios only).")
    var findings: String?

    func validate() throws {
        if list { return }
        guard let scenario else { throw ValidationError("Name a scenario, or use --list.") }
        guard Scenario.names.contains(scenario) else {
            throw ValidationError("Unknown scenario '\(scenario)'. Known: \(Scenario.names.joined(separator: ", ")).")
        }
        guard output != nil else { throw ValidationError("--output FILE is required.") }
        if scenario == "gateway-egress-multi" && format != .pcapng {
            throw ValidationError("gateway-egress-multi has two interfaces: use --format pcapng.")
        }
        if let packets, packets < 0 { throw ValidationError("--packets must be ≥ 0.") }
        if let syns, syns < 0 { throw ValidationError("--syns must be ≥ 0.") }
        if syns != nil && scenario != "flood" { throw ValidationError("--syns applies to the flood scenario only.") }
        if packets != nil && scenario == "flood" { throw ValidationError("flood writes --syns SYNs plus its sessions: use --syns, not --packets.") }
        if snaplen == 0 { throw ValidationError("--snaplen must be > 0.") }
        if findings != nil && !scenario.hasPrefix("demo-") { throw ValidationError("--findings applies to the demo-* scenarios only.") }
    }

    func run() throws {
        if list {
            for entry in Scenario.catalog { print("\(entry.name)\t\(entry.summary)") }
            return
        }
        guard let scenario, let output else { return }
        let options = CaptureOptions(format: format, nanosecond: nanosecond, byteOrder: bigEndian ? .bigEndian : .littleEndian,
                                     seed: seed, packets: packets, snapLength: snaplen, syns: syns)
        let (plantList, planted) = try Scenario.generateWithFindings(scenario, options: options, output: FileOutput(path: output))
        if let plants {
            try plantList.jsonData().write(to: URL(fileURLWithPath: plants))
        }
        if let findings, let planted {
            try planted.jsonData().write(to: URL(fileURLWithPath: findings))
        }
        var standardError = FileHandle.standardError
        print("\(scenario): \(plantList.packetCount) packets, \(plantList.flowCount) flows → \(output == "-" ? "standard output" : output)",
              to: &standardError)
    }
}

extension CaptureFormat: ExpressibleByArgument {}

extension FileHandle: @retroactive TextOutputStream {
    public func write(_ string: String) { write(Data(string.utf8)) }
}
