// swift-tools-version: 6.1
// egress-audit: a packet-capture egress auditor. Layers point down only:
// egress-audit (CLI) → CaptureRuntime → {EgressAudit, EgressLogs} → {EgressPolicy, FlowEngine → PacketWire → FastHashing, PacketCapture → CPcap}.
// egress-audit (CLI) → EgressExport → {EgressAudit, EgressPolicy}: rules for enforcement points from a profile or a report.
import PackageDescription

/// Sources/EgressPolicy/BuiltinProfiles/Profiles/<id>.yaml, in `profiles list` order
/// (BuiltinProfiles.swift lists the same ids; a test checks the folder, this list and that one agree).
let builtinProfiles = [
    "apim-vnet", "apim-self-hosted-gateway", "cassandra-mi", "aks", "spring-apps", "container-apps",
    "avd-session-host", "arc-servers", "azure-ml", "hdinsight", "databricks", "app-service-environment-v3",
]

let package = Package(
    name: "EgressAudit",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "egress-audit", targets: ["egress-audit"]),
        .executable(name: "egress-capgen", targets: ["egress-capgen"]),
        .library(name: "FastHashing", targets: ["FastHashing"]),
        .library(name: "PacketWire", targets: ["PacketWire"]),
        .library(name: "PacketCapture", targets: ["PacketCapture"]),
        .library(name: "FlowEngine", targets: ["FlowEngine"]),
        .library(name: "EgressPolicy", targets: ["EgressPolicy"]),
        .library(name: "EgressAudit", targets: ["EgressAudit"]),
        .library(name: "EgressLogs", targets: ["EgressLogs"]),
        .library(name: "CaptureRuntime", targets: ["CaptureRuntime"]),
        .library(name: "EgressExport", targets: ["EgressExport"]),
        .library(name: "CaptureSynth", targets: ["CaptureSynth"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
    ],
    targets: [
        // libpcap itself (apt: libpcap-dev).
        .systemLibrary(
            name: "CPcap",
            pkgConfig: "libpcap",
            providers: [.apt(["libpcap-dev"])]
        ),
        // The few C calls Swift cannot make well: gzip-backed FILE* for pcap_fopen_offline.
        .target(
            name: "CPcapShim",
            dependencies: ["CPcap"],
            linkerSettings: [.linkedLibrary("z")]
        ),
        // The one hash, and the fixed-key hash map (and fingerprint set) every per-flow table uses.
        .target(name: "FastHashing", dependencies: ["CPrefetch"]),
        // SHA-256's compression on the x86 SHA extensions, for QUIC Initial keys (FlowEngine).
        .target(name: "CSHA256"),
        // AES-128 and AES-128-GCM decryption on AES-NI/PCLMULQDQ (portable C elsewhere), for QUIC Initial packets (FlowEngine).
        .target(name: "CAES128"),
        // Cache prefetch hints (the capture readers' walk, the flow table's slots).
        .target(name: "CPrefetch"),
        // Bytes → typed views. No Foundation, no I/O, no allocation.
        .target(name: "PacketWire", dependencies: ["FastHashing"]),
        // Packet sources over libpcap: offline files (pcap, pcapng, gzip), live interfaces.
        .target(name: "PacketCapture", dependencies: ["CPcap", "CPcapShim", "CPrefetch", "PacketWire"]),
        // Packets → flows, first-flight reassembly, names (DNS, TLS, QUIC, HTTP).
        .target(
            name: "FlowEngine",
            dependencies: [
                "CAES128", "CPrefetch", "CSHA256", "FastHashing", "PacketWire",
            ]
        ),
        // Profiles, service tags and the compiled matchers.
        // (CPcapShim for its gzip reader: Service Tags files may be .json.gz.)
        // The built-in profiles are YAML files embedded in the code (no resource bundle: the binary stands alone).
        .target(
            name: "EgressPolicy",
            dependencies: ["CPcapShim", "FastHashing", "PacketWire", .product(name: "Yams", package: "Yams")],
            resources: builtinProfiles.map { .embedInCode("BuiltinProfiles/Profiles/\($0).yaml") }
        ),
        // Flows + profile → verdicts, aggregates, findings, reports, merge. Knows nothing of how packets arrive.
        .target(name: "EgressAudit", dependencies: ["CPrefetch", "FastHashing", "FlowEngine", "EgressPolicy", "PacketWire", .product(name: "Crypto", package: "swift-crypto"), .product(name: "Yams", package: "Yams")]),
        // Evidence that arrives as logs, not packets: Azure Firewall's records and VNet/NSG flow
        // logs → the same FlowRecords a capture gives (names, outcomes, counters where logged);
        // and the sniffing that tells a log from a capture by its first bytes.
        // (CPcapShim and EgressPolicy for their gzip reader.)
        .target(name: "EgressLogs", dependencies: ["CPcapShim", "EgressPolicy", "FlowEngine", "PacketWire"]),
        // A profile's rules, or a report's allowed egress, as rules of an enforcement point
        // (Azure Firewall, NSG, nftables, Cilium, NetworkPolicy, AWS Network Firewall).
        .target(name: "EgressExport", dependencies: ["EgressAudit", "EgressPolicy", "PacketWire"]),
        // Packet sources (files, pipes, live interface groups) → decode → reassembly → tracking → audit,
        // with every helper thread; the live session (signals, reload, snapshots, metrics).
        .target(name: "CaptureRuntime", dependencies: ["CPrefetch", "EgressAudit", "EgressLogs", "FlowEngine", "EgressPolicy", "PacketCapture", "PacketWire"]),
        // Deterministic synthetic captures of gateway-node egress (pcap/pcapng writer + scenarios).
        .target(name: "CaptureSynth", dependencies: [.product(name: "Crypto", package: "swift-crypto"), .product(name: "CryptoExtras", package: "swift-crypto")]),
        .executableTarget(
            name: "egress-audit",
            dependencies: [
                "CaptureRuntime", "CaptureSynth", "EgressAudit", "EgressExport", "EgressLogs", "EgressPolicy", "FlowEngine", "PacketCapture", "PacketWire",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                // --config FILE (RunConfiguration): options as YAML.
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .executableTarget(
            name: "egress-capgen",
            dependencies: ["CaptureSynth", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        // Shared by the test targets: the real captures, their manifest, tshark.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "FastHashingTests", dependencies: ["CPrefetch", "FastHashing", "TestSupport"]),
        .testTarget(name: "PacketWireTests", dependencies: ["PacketWire", "TestSupport"]),
        .testTarget(name: "PacketCaptureTests", dependencies: ["PacketCapture", "PacketWire", "CaptureSynth", "TestSupport"]),
        .testTarget(
            name: "FlowEngineTests",
            dependencies: ["FlowEngine", "PacketWire", "CaptureSynth", "TestSupport", .product(name: "Crypto", package: "swift-crypto")]
        ),
        .testTarget(name: "EgressPolicyTests", dependencies: ["EgressPolicy", "PacketWire", "TestSupport", .product(name: "Yams", package: "Yams")]),
        .testTarget(name: "EgressAuditTests", dependencies: ["EgressAudit", "CaptureRuntime", "CaptureSynth", "TestSupport"]),
        .testTarget(name: "EgressLogsTests", dependencies: ["EgressLogs", "EgressPolicy", "FlowEngine", "PacketWire", "TestSupport"]),
        .testTarget(name: "CaptureRuntimeTests", dependencies: ["CaptureRuntime", "EgressAudit", "PacketCapture", "PacketWire", "CaptureSynth", "TestSupport"]),
        .testTarget(name: "EgressExportTests", dependencies: ["EgressExport", "EgressAudit", "EgressPolicy", "PacketWire", "TestSupport"]),
        .testTarget(name: "CaptureSynthTests", dependencies: ["CaptureSynth", "PacketWire", "TestSupport"]),
        .testTarget(name: "CLITests", dependencies: ["CaptureSynth", "egress-audit", "TestSupport"]),
    ]
)
