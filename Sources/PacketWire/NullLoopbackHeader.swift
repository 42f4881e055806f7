/// BSD loopback encapsulation: a 4-byte address family before the IP packet.
/// NULL (DLT 0) writes it in the capturing host's byte order, LOOP (DLT 108)
/// in network order; a file read elsewhere can carry either, so both orders
/// are tried. AF_INET is 2 everywhere; AF_INET6 is 10 (Linux), 24 (NetBSD,
/// OpenBSD), 28 (FreeBSD) or 30 (macOS).
public struct NullLoopbackHeader {
    public static let length = 4

    public let view: ByteView
    public let offset: Int

    @inlinable
    public init?(_ view: ByteView, at offset: Int) {
        guard view.contains(offset: offset, width: Self.length) else { return nil }
        self.view = view
        self.offset = offset
    }

    public enum Family: Equatable, Sendable { case ipv4, ipv6, other(UInt32) }

    /// The family, trying `networkOrderFirst` byte order first and the other one second.
    public func family(networkOrderFirst: Bool) -> Family {
        let big = view.u32Unchecked(at: offset)
        let little = big.byteSwapped
        let first = networkOrderFirst ? big : little
        let second = networkOrderFirst ? little : big
        if let f = Self.known(first) { return f }
        if let f = Self.known(second) { return f }
        return .other(first)
    }

    public var payloadOffset: Int { offset + Self.length }

    static func known(_ value: UInt32) -> Family? {
        switch value {
        case 2: .ipv4
        case 10, 24, 28, 30: .ipv6
        default: nil
        }
    }
}
