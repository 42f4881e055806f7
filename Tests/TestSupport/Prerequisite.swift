import Foundation
import Testing

/// What a test needs from the machine beyond the repository: a tool, a
/// privilege, the workspace's `../shared` folder. One probe per prerequisite,
/// run once, and one rule for what a missing one means:
///
/// - on a developer's machine (`EGRESS_REQUIRE` unset) the test is skipped,
///   and the skip says what was missing: `[needs tshark] tshark is not on PATH`;
/// - where CI provides it (`.ci/run` exports `EGRESS_REQUIRE=tshark,root,…`
///   from `.ci/prerequisites`) the test fails instead: "tshark required in CI
///   (EGRESS_REQUIRE) but missing". A quietly failed install cannot turn the
///   agreement tests into skips and CI green.
///
/// Use the trait, `@Test(.requires(.tshark, .shared))`, for whole tests and
/// suites; `check()` for an optional cross-check inside a test body.
public enum Prerequisite: String, CaseIterable, Sendable, CustomStringConvertible {
    /// `<repo>/../shared`: the real captures and their manifest, the cloud IP-range files, the seed documents.
    case shared
    /// Wireshark's dissector, the independent ground truth (apt: tshark).
    case tshark
    /// Wireshark's capture-file rewriter (apt: wireshark-common, with tshark).
    case editcap
    case gzip
    /// uid 0: live capture, network namespaces, running the tool as another user.
    case root
    /// util-linux's setpriv: runs the tool as `nobody`.
    case setpriv
    /// libcap2-bin's setcap: grants the tool CAP_NET_RAW.
    case setcap
    /// python3 (as PATH finds it) able to `import jsonschema` (apt: python3-jsonschema).
    case jsonschema
    /// python3 (as PATH finds it) able to `import yaml` (apt: python3-yaml).
    case pyyaml
    /// systemd's unit verifier (apt: systemd).
    case systemdAnalyze = "systemd-analyze"
    /// Root, the lab's tools (unshare, bash, ip, dnsmasq, openssl, dig, curl, nft)
    /// and a kernel that makes a veth pair in a private network namespace.
    case netns
    /// nftables' `nft`, able to check a ruleset (`nft -c -f`) inside a private
    /// network namespace (`unshare -n`, so root): apt nftables, util-linux.
    case nftCheck = "nft-check"
    /// Headless Chromium driven by Selenium: `chromium` and `chromedriver` on PATH, and python3
    /// (as PATH finds it) able to `import selenium` (apt: chromium, chromium-driver, python3-selenium).
    case browser
    /// The image's root file system (deploy/image/build-rootfs.sh), named by
    /// `EGRESS_IMAGE_ROOTFS`: .ci/run builds it once before the tests.
    case imageRootfs = "image-rootfs"

    public var description: String { rawValue }

    /// The environment variable naming, comma-separated, the prerequisites that must not be missing.
    public static let environmentVariable = "EGRESS_REQUIRE"

    /// The prerequisites the environment requires.
    public static let required: Set<Prerequisite> = Set(requiredNames.compactMap(Prerequisite.init(rawValue:)))

    /// Names in `EGRESS_REQUIRE` that are no prerequisite: a typo there would
    /// otherwise require nothing, so every test with a prerequisite fails on it.
    public static let unknownRequiredNames: [String] = requiredNames.filter { Prerequisite(rawValue: $0) == nil }

    private static let requiredNames: [String] = (ProcessInfo.processInfo.environment[environmentVariable] ?? "")
        .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }

    public var isRequired: Bool { Self.required.contains(self) }

    /// Why it is missing, or nil when it is present (probed once per run).
    public var absence: String? { Probe.absence(self) }

    public var isPresent: Bool { absence == nil }

    /// For a plain condition, `.enabled(if: Prerequisite.root.isAvailable)`:
    /// true when present, and also when required, so the test runs where CI
    /// promised the prerequisite and fails at the point it is missing.
    public var isAvailable: Bool { isPresent || isRequired }

    /// For a tool prerequisite: its path as PATH (then the sbin folders) finds it.
    public var path: String? {
        switch self {
        case .tshark, .editcap, .gzip, .setpriv, .setcap, .systemdAnalyze: Probe.which(rawValue)
        case .browser: Probe.which("chromium")
        default: nil
        }
    }

    /// Inside a test body, before an optional cross-check: true when present.
    /// When missing, records a failure if required, else prints that the
    /// cross-check was left out (a partial skip is said, never silent).
    @discardableResult
    public func check(_ what: String = "", sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
        guard let absence else { return true }
        if isRequired {
            // As an error, so the runner prints the reason on the line naming the test (as the trait's failures).
            Issue.record(RequiredButMissing(description: "\(self) required in CI (\(Self.environmentVariable)) but missing: \(absence)"),
                         sourceLocation: sourceLocation)
        } else {
            print("note: \(sourceLocation.fileID):\(sourceLocation.line): \(what.isEmpty ? "a cross-check" : what) left out [needs \(self)] \(absence)")
        }
        return false
    }

    /// The error a required, missing prerequisite fails its test with.
    public struct RequiredButMissing: Error, CustomStringConvertible {
        public let description: String
    }
}

/// `@Test(.requires(.tshark, .shared))`: skipped when one is missing, failed
/// when a missing one is required (see `Prerequisite`). Its comment names the
/// prerequisites, `[needs tshark,shared]`, which `.ci/run` reads from the skip lines.
public struct PrerequisiteTrait: TestTrait, SuiteTrait {
    public let prerequisites: [Prerequisite]
    public let sourceLocation: SourceLocation

    public var comments: [Comment] { [Comment(rawValue: "[needs \(prerequisites.map(\.rawValue).joined(separator: ","))]")] }

    public func prepare(for test: Test) async throws {
        if !Prerequisite.unknownRequiredNames.isEmpty {
            throw Prerequisite.RequiredButMissing(description: "\(Prerequisite.environmentVariable) names unknown prerequisites: "
                + Prerequisite.unknownRequiredNames.joined(separator: ", ")
                + " (known: \(Prerequisite.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        let missing = prerequisites.filter { !$0.isPresent }
        guard !missing.isEmpty else { return }
        let why = missing.compactMap(\.absence).joined(separator: "; ")
        let required = missing.filter(\.isRequired)
        if !required.isEmpty {
            throw Prerequisite.RequiredButMissing(description: "\(required.map(\.rawValue).joined(separator: ", ")) required in CI "
                + "(\(Prerequisite.environmentVariable)) but missing: \(why)")
        }
        // Skipping is ConditionTrait's to do: its error is the one the runner reports as a skip.
        let names = missing.map(\.rawValue).joined(separator: ",")
        try await ConditionTrait.disabled(Comment(rawValue: "[needs \(names)] \(why)"), sourceLocation: sourceLocation).prepare(for: test)
    }
}

extension Trait where Self == PrerequisiteTrait {
    public static func requires(_ prerequisites: Prerequisite..., sourceLocation: SourceLocation = #_sourceLocation) -> Self {
        PrerequisiteTrait(prerequisites: prerequisites, sourceLocation: sourceLocation)
    }
}

/// The probes, each run at most once (static lets are lazy and thread-safe).
private enum Probe {
    static func absence(_ p: Prerequisite) -> String? {
        switch p {
        case .shared: shared
        case .tshark: tshark
        case .editcap: editcap
        case .gzip: gzip
        case .root: root
        case .setpriv: setpriv
        case .setcap: setcap
        case .jsonschema: jsonschema
        case .pyyaml: pyyaml
        case .systemdAnalyze: systemdAnalyze
        case .netns: netns
        case .nftCheck: nftCheck
        case .imageRootfs: imageRootfs
        case .browser: browser
        }
    }

    static let shared: String? = {
        let root = SharedFolder.root
        let needed = ["captures/real/manifest.json", "data/azure/\(SharedFolder.azurePublicServiceTagsName)", "data/aws/ip-ranges.json",
                      "data/gcp/cloud.json", "seeds"]
        let missing = needed.filter { !FileManager.default.fileExists(atPath: root.appendingPathComponent($0).path) }
        return missing.isEmpty ? nil : "\(root.path) lacks \(missing.joined(separator: ", "))"
    }()

    static let tshark = tool("tshark")
    static let editcap = tool("editcap")
    static let gzip = tool("gzip")
    static let setpriv = tool("setpriv")
    static let setcap = tool("setcap")
    static let systemdAnalyze = tool("systemd-analyze")
    static let root: String? = getuid() == 0 ? nil : "not running as root (uid \(getuid()))"
    static let jsonschema = python("jsonschema")
    static let pyyaml = python("yaml")

    static let netns: String? = {
        if let root { return root }
        let tools = ["unshare", "bash", "ip", "dnsmasq", "openssl", "dig", "curl", "nft"]
        let missing = tools.filter { which($0) == nil }
        if !missing.isEmpty { return "the namespace lab's tools are not on PATH: \(missing.joined(separator: ", "))" }
        // The kernel must make a veth pair inside a private namespace (some containers cannot).
        let status = run(which("unshare")!, ["--net", which("bash")!, "-c", "ip link add ea0 type veth peer name ea1"])
        return status == 0 ? nil : "this kernel cannot make a veth pair in a private network namespace (exit \(status))"
    }()

    static let nftCheck: String? = {
        if let root { return root }
        guard let nft = which("nft"), let unshare = which("unshare") else { return "nft or unshare is not on PATH" }
        // An empty table, checked in a namespace of our own: the kernel's nftables must answer there.
        let status = run(unshare, ["-n", nft, "-c", "add table inet egress_audit_probe"])
        return status == 0 ? nil : "nft -c cannot check a ruleset in a private network namespace (exit \(status))"
    }()

    static let imageRootfs: String? = {
        guard let folder = ProcessInfo.processInfo.environment["EGRESS_IMAGE_ROOTFS"], !folder.isEmpty else {
            return "EGRESS_IMAGE_ROOTFS is not set (deploy/image/build-rootfs.sh makes the folder; .ci/run does)"
        }
        let binary = URL(fileURLWithPath: folder).appendingPathComponent("usr/local/bin/egress-audit").path
        return FileManager.default.isExecutableFile(atPath: binary) ? nil : "EGRESS_IMAGE_ROOTFS=\(folder) has no usr/local/bin/egress-audit"
    }()

    static let browser: String? = {
        let missing = ["chromium", "chromedriver"].filter { which($0) == nil }
        if !missing.isEmpty { return "\(missing.joined(separator: ", ")) not on PATH (apt: chromium, chromium-driver)" }
        return python("selenium").map { $0 + " (apt: python3-selenium)" }
    }()

    static func tool(_ name: String) -> String? { which(name) == nil ? "\(name) is not on PATH" : nil }

    static func python(_ module: String) -> String? {
        run("/usr/bin/env", ["python3", "-c", "import \(module)"]) == 0 ? nil : "python3 (as PATH finds it) cannot import \(module)"
    }

    /// PATH, then the sbin folders a non-login root shell may leave out of it.
    static func which(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let folders = path.split(separator: ":").map(String.init) + ["/usr/local/sbin", "/usr/sbin", "/sbin"]
        return folders.map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Exit status, output discarded; -1 when it cannot start.
    static func run(_ executable: String, _ arguments: [String]) -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: executable)
        p.arguments = arguments
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return -1 }
        p.waitUntilExit()
        return p.terminationStatus
    }
}
