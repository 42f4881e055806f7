// swift-tools-version: 6.1
// Benchmarks for egress-audit (package-benchmark). A separate package so the
// root's `swift test` stays lean. Run: `swift package --package-path Benchmarks benchmark`.
import PackageDescription

// A path dependency's identity is its folder's name, which differs between
// clones: derive it from where this package sits (Benchmarks/ in the repo).
let root = String(Context.packageDirectory.split(separator: "/").dropLast().last ?? "EgressAudit").lowercased()

let package = Package(
    name: "EgressAuditBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        // The bare loop (PacketCapture's BareReadLoop) and the benchmark capture, shared by every benchmark.
        .target(
            name: "BenchmarkSupport",
            dependencies: [
                .product(name: "PacketCapture", package: root),
                .product(name: "CaptureSynth", package: root),
                .product(name: "EgressPolicy", package: root),
                .product(name: "EgressAudit", package: root),
                .product(name: "CaptureRuntime", package: root),
            ],
            path: "Benchmarks/BenchmarkSupport"
        ),
        .executableTarget(
            name: "CaptureBenchmarks",
            dependencies: [
                "BenchmarkSupport",
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "PacketCapture", package: root),
                .product(name: "PacketWire", package: root),
                .product(name: "CaptureSynth", package: root),
                .product(name: "EgressAudit", package: root),
                .product(name: "CaptureRuntime", package: root),
                .product(name: "EgressPolicy", package: root),
            ],
            path: "Benchmarks/CaptureBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // Policy matchers (prefix, FQDN) and their builds beside naive baselines.
        .executableTarget(
            name: "PolicyBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "EgressPolicy", package: root),
                .product(name: "PacketWire", package: root),
            ],
            path: "Benchmarks/PolicyBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // Alternating-round timing of the read paths against the bare loop: prints the ratios.
        .executableTarget(
            name: "read-loop-ratio",
            dependencies: [
                "BenchmarkSupport",
                .product(name: "EgressPolicy", package: root),
                .product(name: "PacketCapture", package: root),
                .product(name: "PacketWire", package: root),
                .product(name: "EgressAudit", package: root),
                .product(name: "CaptureRuntime", package: root),
                .product(name: "CaptureSynth", package: root),
            ],
            path: "Benchmarks/ReadLoopRatio"
        ),
    ]
)
