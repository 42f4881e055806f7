import Foundation
import TestSupport
import Testing

/// The image's root file system (deploy/image/build-rootfs.sh, named by
/// `EGRESS_IMAGE_ROOTFS`) run as a container would run it: chroot into it in a
/// private mount namespace, as user 65534. The binary carries cap_net_raw+ep
/// (getcap says so, not the tool), finds every library it needs inside the
/// folder, prints its version and audits a bundled capture with the findings
/// the checked-in expected report has; with NET_RAW missing from the bounding
/// set the kernel refuses to execute it, which is why every container running
/// it adds NET_RAW.
@Suite(.serialized, .requires(.imageRootfs, .root, .setpriv, .setcap))
struct ImageRootfsTests {
    static var rootfs: String { ProcessInfo.processInfo.environment["EGRESS_IMAGE_ROOTFS"] ?? "" }
    static let binary = "/usr/local/bin/egress-audit"

    static func which(_ name: String) -> String { NetworkNamespaceLab.which(name) ?? "/usr/sbin/\(name)" }

    /// `unshare --mount --pid --fork --mount-proc -- [prefix…] chroot --userspec=65534:65534 ROOTFS command…`:
    /// a private mount namespace with `binds` (host folder → folder inside) and the capture folder at /data.
    static func inImage(_ command: [String], prefix: [String] = [], binds: [(String, String)] = []) throws -> CLI.Result {
        let captures = CLI.repoRoot.appendingPathComponent("Captures").path
        let all = [(captures, "/data")] + binds
        // mount --bind "$1" "$ROOT$2" for each pair, then exec the rest.
        let script = "root=\"$1\"; n=\"$2\"; shift 2; for _ in $(seq \"$n\"); do mount --bind \"$1\" \"$root$2\" || exit 125; shift 2; done; exec \"$@\""
        // A PID namespace with its own /proc inside the folder, as a runtime gives a container (the Swift
        // runtime reads its arguments from /proc/self/cmdline).
        return try CLI.runProgram([which("unshare"), "--mount", "--propagation", "private", "--pid", "--fork", "--mount-proc=\(rootfs)/proc",
                                   "--", which("bash"), "-c", script, "bash", rootfs, String(all.count)] + all.flatMap { [$0.0, $0.1] }
                                  + prefix + [which("chroot"), "--userspec=65534:65534", rootfs] + command)
    }

    @Test func theBinaryCarriesCapNetRawAloneAndEveryLibraryIsInside() throws {
        let getcap = try CLI.runProgram([Self.which("getcap"), Self.rootfs + Self.binary])
        #expect(getcap.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "\(Self.rootfs)\(Self.binary) cap_net_raw=ep", "\(getcap.stdout)\(getcap.stderr)")
        let version = try Self.inImage([Self.binary, "--version"])
        #expect(version.status == 0, "\(version.stderr)")
        #expect(version.stdout == "0.1.0\n")
        // Nothing but the binary, its libraries, the loader and a passwd: no shell to fall back on.
        #expect(!FileManager.default.fileExists(atPath: Self.rootfs + "/bin/sh") && !FileManager.default.fileExists(atPath: Self.rootfs + "/usr/bin/sh"))
        let passwd = try String(contentsOfFile: Self.rootfs + "/etc/passwd", encoding: .utf8)
        #expect(passwd.contains("nobody:x:65534:65534:"))
    }

    @Test(.requires(.shared))
    func anAuditInsideTheImageFindsWhatTheExpectedReportHas() throws {
        // The demonstration's own parameters (Captures/demo-apim-self-hosted-gateway.findings.json).
        let plants = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: CLI.repoRoot.appendingPathComponent(
            "Captures/demo-apim-self-hosted-gateway.findings.json"))) as? [String: Any])
        var options: [String] = []
        for (k, v) in (plants["parameters"] as? [String: String] ?? [:]).sorted(by: { $0.key < $1.key }) { options += ["--param", "\(k)=\(v)"] }
        for f in plants["features"] as? [String] ?? [] { options += ["--feature", f] }
        for n in plants["nodes"] as? [[String: Any]] ?? [] { options += ["--node", n["address"] as? String ?? "?"] }
        let tagFile = try #require(plants["serviceTagFile"] as? String)
        let tags = SharedFolder.root.appendingPathComponent("data/azure").path
        let run = try Self.inImage([Self.binary, "analyze", "/data/demo-apim-self-hosted-gateway.pcap", "--profile", "apim-self-hosted-gateway", "--json",
                                    "--service-tags", "/var/lib/egress-audit-tags/\(tagFile)"] + options, binds: [(tags, "/var/lib/egress-audit-tags")])
        #expect(run.status == 0, "\(run.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], "\(run.stderr)")
        let expected = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: CLI.repoRoot.appendingPathComponent(
            "Captures/demo-apim-self-hosted-gateway.expected.json"))) as? [String: Any])
        // The release build inside the image reaches the checked-in report's findings and verdict.
        let findings = (report["findings"] as? [[String: Any]] ?? []).map { NSDictionary(dictionary: $0) }
        let wanted = (expected["findings"] as? [[String: Any]] ?? []).map { NSDictionary(dictionary: $0) }
        #expect(!wanted.isEmpty && findings == wanted, "\(findings) vs \(wanted)")
        #expect(report["verdict"] as? String == expected["verdict"] as? String)
        #expect((report["capture"] as? [String: Any])?["packets"] as? Int == (expected["capture"] as? [String: Any])?["packets"] as? Int)
    }

    @Test func withoutNetRawInTheBoundingSetTheKernelRefusesToRunIt() throws {
        // setpriv (as root) drops NET_RAW from the bounding set, chroot switches to 65534 and executes the
        // cap_net_raw+ep binary: execve fails (EPERM), as in a container that does not add NET_RAW.
        let refused = try Self.inImage([Self.binary, "--version"], prefix: [Self.which("setpriv"), "--bounding-set=-net_raw", "--"])
        #expect(refused.status == 126, "\(refused.stdout)\(refused.stderr)")
        #expect(refused.stderr.contains("Operation not permitted"), "\(refused.stderr)")
    }

    /// The DaemonSet's init container, its exact arguments parsed out of the YAML, run in the image
    /// (built with the shared Service Tags file, as .ci/run does) against an emptyDir stand-in.
    @Test(.requires(.pyyaml, .shared))
    func theInitContainerCopiesTheImagesTagFileAndSaysItsAge() throws {
        let inImage = Self.rootfs + "/usr/share/egress-audit/ServiceTags_Public.json.gz"
        try #require(FileManager.default.fileExists(atPath: inImage), "the image was built without --service-tags")
        let docs = try DeployFilesTests.documents("kubernetes/daemonset.yaml")
        let pod = DeployFilesTests.podSpec(DeployFilesTests.document(docs, kind: "DaemonSet"))
        let args = try #require(DeployFilesTests.container(pod, "service-tags", initContainer: true)?["args"] as? [String])
        let target = try #require(DeployFilesTests.value(after: "--copy-to", in: args))
        let emptyDir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: emptyDir) }
        try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: emptyDir.path)
        let folder = URL(fileURLWithPath: target).deletingLastPathComponent().path
        let run = try Self.inImage([Self.binary] + args, binds: [(emptyDir.path, folder)])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains(": Azure Public, changeNumber ") && run.stdout.contains(" days old (by its modification time)"), "\(run.stdout)")
        #expect(run.stdout.hasSuffix("copied to \(target)\n"), "\(run.stdout)")
        let copied = emptyDir.appendingPathComponent(URL(fileURLWithPath: target).lastPathComponent).path
        #expect(FileManager.default.contents(atPath: copied) == FileManager.default.contents(atPath: inImage))
    }

    /// What the pod relies on: as user 65534, with no capability but the one the file carries, the
    /// binary in the image opens a packet socket and captures (here on the host's loopback).
    @Test func asNobodyInsideTheImageTheFileCapabilityCaptures() throws {
        // Knocks on a loopback port no other test uses, spread over the run, from another thread.
        for delay in [1.0, 1.6, 2.2] { DispatchQueue.global().asyncAfter(deadline: .now() + delay) { Loopback.knock(port: 49, times: 1, pause: 0) } }
        let run = try Self.inImage([Self.binary, "live", "-i", "lo", "--duration", "4", "--filter", "tcp port 49", "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], "\(run.stderr)")
        #expect((doc["summary"] as? [String: Any])?["synDestinationPorts"] as? [Int] == [49], "\(run.stderr)")
    }
}
