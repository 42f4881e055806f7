/// A set of 16-bit ports as a 8 KiB bitmap: constant memory, no allocation on insert.
public struct PortSet: Sendable, Equatable {
    private var words = [UInt64](repeating: 0, count: 1024)

    public init() {}

    @inline(__always)
    public mutating func insert(_ port: UInt16) {
        words[Int(port >> 6)] |= 1 << UInt64(port & 63)
    }

    public func contains(_ port: UInt16) -> Bool {
        words[Int(port >> 6)] & (1 << UInt64(port & 63)) != 0
    }

    public var sorted: [Int] {
        var out: [Int] = []
        for (w, word) in words.enumerated() where word != 0 {
            for b in 0..<64 where word & (1 << UInt64(b)) != 0 { out.append(w * 64 + b) }
        }
        return out
    }
}
