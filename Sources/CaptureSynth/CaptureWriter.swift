/// A capture timestamp with nanosecond precision (seconds since the Unix epoch).
public struct Timestamp: Hashable, Comparable, Sendable, Codable {
    public var nanoseconds: UInt64
    public init(nanoseconds: UInt64) { self.nanoseconds = nanoseconds }
    public init(seconds: UInt64, nanoseconds: UInt64 = 0) { self.nanoseconds = seconds &* 1_000_000_000 &+ nanoseconds }
    public var seconds: UInt64 { nanoseconds / 1_000_000_000 }
    public var subsecondNanoseconds: UInt64 { nanoseconds % 1_000_000_000 }
    public func adding(nanoseconds delta: UInt64) -> Timestamp { Timestamp(nanoseconds: nanoseconds &+ delta) }
    public func adding(microseconds delta: UInt64) -> Timestamp { adding(nanoseconds: delta &* 1000) }
    public func adding(milliseconds delta: UInt64) -> Timestamp { adding(nanoseconds: delta &* 1_000_000) }
    public static func < (a: Timestamp, b: Timestamp) -> Bool { a.nanoseconds < b.nanoseconds }
}

/// LINKTYPE_* values (https://www.tcpdump.org/linktypes.html) the builders can produce.
public enum LinkType: UInt16, Sendable, Codable, CaseIterable {
    case null = 0
    case ethernet = 1
    case raw = 101
    case linuxSLL = 113
    case linuxSLL2 = 276
}

/// One capture interface: its link type, snap length and (pcapng) timestamp resolution.
public struct CaptureInterface: Sendable, Hashable {
    public var linkType: LinkType
    public var snapLength: UInt32
    /// pcapng if_tsresol exponent (units of 10^-n s): 6 = µs (the default), 9 = ns.
    public var timestampResolution: UInt8
    public var name: String?

    public init(linkType: LinkType, snapLength: UInt32 = 262_144, timestampResolution: UInt8 = 6, name: String? = nil) {
        self.linkType = linkType
        self.snapLength = snapLength
        self.timestampResolution = timestampResolution
        self.name = name
    }
}

/// Writes frames to a capture file, one record at a time.
public protocol CaptureWriter: AnyObject {
    /// Appends one frame. `interface` indexes the interfaces the writer was created with
    /// (classic pcap has exactly one).
    func write(frame: [UInt8], timestamp: Timestamp, interface: Int) throws
    func close() throws
}

extension CaptureWriter {
    public func write(frame: [UInt8], timestamp: Timestamp) throws { try write(frame: frame, timestamp: timestamp, interface: 0) }
}

public struct CaptureWriterError: Error, CustomStringConvertible, Sendable {
    public let description: String
}
