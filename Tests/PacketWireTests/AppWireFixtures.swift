import PacketWire
import TestSupport

/// Helpers for the application-layer wire tests (DNS, TLS, HTTP, QUIC).
enum AppWireFixtures {
    /// Hex to bytes (`TestSupport.hexBytes`: whitespace ignored, `//` comments).
    static func bytes(_ hex: String) -> [UInt8] { hexBytes(hex) }

    static func ascii(_ text: String) -> [UInt8] { Array(text.utf8) }

    @discardableResult
    static func withView<R>(_ bytes: [UInt8], _ body: (ByteView) throws -> R) rethrows -> R {
        try bytes.withUnsafeBytes { try body(ByteView($0)) }
    }

    static func string(_ view: ByteView?) -> String? {
        view.map { v in v.withUnsafeBytes { String(decoding: $0, as: UTF8.self) } }
    }
}

/// Deterministic generator for the seeded fuzz loops.
struct AppWireRNG {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func bytes(maxCount: Int) -> [UInt8] {
        (0..<Int(next() % UInt64(maxCount + 1))).map { _ in UInt8(truncatingIfNeeded: next()) }
    }
}
