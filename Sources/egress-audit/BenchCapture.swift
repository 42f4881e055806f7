import CaptureSynth
import Foundation

/// The capture `bench` measures when given none: CaptureSynth's per-flow-heavy
/// scenario (four self-hosted-gateway nodes, a DNS lookup before each
/// connection, ~8 packets per connection), written to a folder of its own in
/// the temporary directory and removed when the command ends, also on SIGINT
/// or SIGTERM.
final class BenchCapture {
    static let scenario = "per-flow"
    static let defaultPackets = 200_000

    let folder: String
    let path: String
    let packets: Int
    let flows: Int

    init(packets: Int) throws {
        var temporary = NSTemporaryDirectory()
        while temporary.count > 1, temporary.hasSuffix("/") { temporary.removeLast() }
        var template = Array((temporary + "/egress-audit-bench-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else {
            throw BenchCaptureError(description: "cannot make a temporary folder in \(temporary) (\(String(cString: strerror(errno)))): set TMPDIR or name a capture FILE")
        }
        folder = String(cString: made)
        path = folder + "/per-flow-\(packets).pcap"
        Self.removeOnSignal(file: path, folder: folder)
        do {
            let plants = try Scenario.generate(Self.scenario, options: CaptureOptions(seed: 1, packets: packets), output: FileOutput(path: path))
            self.packets = plants.packetCount
            self.flows = plants.flowCount
        } catch {
            Self.remove(file: path, folder: folder)
            throw BenchCaptureError(description: "cannot write the generated capture \(path) (\(error)): set TMPDIR to a folder with room, or name a capture FILE")
        }
    }

    /// Removes the file and its folder (idempotent).
    func remove() {
        Self.remove(file: path, folder: folder)
    }

    deinit { remove() }

    private static func remove(file: String, folder: String) {
        unlink(file)
        rmdir(folder)
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
        if let paths = cleanup {
            cleanup = nil
            free(paths.file)
            free(paths.folder)
        }
    }

    /// The paths the signal handler removes, as C strings made before the handler can run
    /// (a handler may only call async-signal-safe functions: unlink, rmdir, _exit).
    nonisolated(unsafe) private static var cleanup: (file: UnsafeMutablePointer<CChar>, folder: UnsafeMutablePointer<CChar>)?

    private static func removeOnSignal(file: String, folder: String) {
        cleanup = (strdup(file), strdup(folder))
        let handler: @convention(c) (Int32) -> Void = { sig in
            if let paths = BenchCapture.cleanup {
                unlink(paths.file)
                rmdir(paths.folder)
            }
            _exit(128 + sig)
        }
        signal(SIGINT, handler)
        signal(SIGTERM, handler)
    }
}

struct BenchCaptureError: Error, CustomStringConvertible {
    let description: String
}
