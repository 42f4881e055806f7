import Benchmark
import BareLibpcap
import PacketCapture

let benchmarks: @Sendable () -> Void = {
    Benchmark("placeholder") { _ in }
}
