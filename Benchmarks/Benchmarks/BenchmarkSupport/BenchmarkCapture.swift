import CaptureSynth
import Foundation
import PacketCapture

/// The capture every benchmark reads: `EGRESS_BENCH_CAPTURE` if set, else a
/// deterministic bulk capture of gateway egress made by the project's own
/// generator (`EGRESS_BENCH_PACKETS`, default 1,000,000) and cached in /tmp.
public enum BenchmarkCapture {
    public static func path() -> String {
        let env = ProcessInfo.processInfo.environment
        if let given = env["EGRESS_BENCH_CAPTURE"] { return given }
        let packets = Int(env["EGRESS_BENCH_PACKETS"] ?? "") ?? 1_000_000
        let path = NSTemporaryDirectory() + "egress-audit-bench-bulk-\(packets).pcap"
        if !FileManager.default.fileExists(atPath: path) {
            let partial = path + ".partial"
            do {
                let output = try FileOutput(path: partial)
                _ = try Scenario.generate("bulk", options: CaptureOptions(seed: 1, packets: packets), output: output)
                try FileManager.default.moveItem(atPath: partial, toPath: path)
            } catch {
                fatalError("cannot generate the benchmark capture at \(path): \(error)")
            }
        }
        return path
    }

    public static func packetCount(_ path: String) -> Int {
        (try? OfflineCapture(path: path).forEachPacket { _ in }) ?? 0
    }
}
