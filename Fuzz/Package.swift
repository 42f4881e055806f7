// swift-tools-version: 6.1
// libFuzzer targets for egress-audit's parsers (issue 16, hostile input). A separate
// package so the root's build and `swift test` stay untouched: every module here is
// compiled with `-sanitize=fuzzer,address`. Build and run through `Fuzz/run`.
import PackageDescription

// A path dependency's identity is its folder's name, which differs between
// clones: derive it from where this package sits (Fuzz/ in the repo).
let root = String(Context.packageDirectory.split(separator: "/").dropLast().last ?? "EgressAudit").lowercased()

/// One fuzz target: a folder `Sources/Fuzz<Name>` with one file defining `LLVMFuzzerTestOneInput`.
func fuzzer(_ name: String, _ modules: [String], extra: [Target.Dependency] = []) -> Target {
    .executableTarget(
        name: "Fuzz\(name)",
        dependencies: ["FuzzSupport"] + modules.map { .product(name: $0, package: root) } + extra,
        swiftSettings: [.unsafeFlags(["-parse-as-library"])]
    )
}

let package = Package(
    name: "EgressAuditFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: ".."),
        // The root's own Yams: the ProfileTree target builds YAML node trees itself.
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        // The one shared helper: carving structured values out of the fuzzer's bytes.
        .target(name: "FuzzSupport"),
        fuzzer("PacketDecoder", ["PacketWire"]),
        fuzzer("TLSClientHello", ["PacketWire", "FlowEngine"]),
        fuzzer("DNSMessage", ["PacketWire"]),
        fuzzer("QUICInitial", ["PacketWire", "FlowEngine", "CaptureSynth"]),
        fuzzer("HTTPRequestHead", ["PacketWire"]),
        fuzzer("CaptureFileMapped", ["PacketCapture", "PacketWire"]),
        fuzzer("CaptureFileLibpcap", ["PacketCapture", "PacketWire"]),
        fuzzer("ProfileLoader", ["EgressPolicy"]),
        fuzzer("ProfileTree", ["EgressPolicy"], extra: [.product(name: "Yams", package: "Yams")]),
        fuzzer("AzureServiceTags", ["EgressPolicy"]),
        fuzzer("AWSIPRanges", ["EgressPolicy"]),
        fuzzer("GCPRanges", ["EgressPolicy"]),
        fuzzer("FlowEngine", ["PacketWire", "FlowEngine"]),
        fuzzer("AzureFirewallLog", ["EgressLogs", "FlowEngine"]),
        fuzzer("NetworkFlowLog", ["EgressLogs", "FlowEngine"]),
    ]
)
