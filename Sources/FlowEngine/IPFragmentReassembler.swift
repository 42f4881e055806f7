import PacketWire

/// Limits that bound fragment reassembly whatever the traffic.
public struct IPFragmentLimits: Sendable {
    /// Datagrams being reassembled at once; a new one past this evicts the
    /// least recently seen (counted).
    public var maxDatagrams = 256
    /// Largest datagram rebuilt (bytes after the IP header); larger ones are
    /// refused and their fragments absorbed (counted). At most 65,495.
    public var maxDatagramBytes = 16 * 1024
    /// A datagram with no new fragment for this long is dropped (counted).
    /// RFC 791 §3.2 suggests a timer of tens of seconds; Linux uses 30.
    public var idleTimeoutNanoseconds: Int64 = 30_000_000_000
    public init() {}
}

/// What the reassembler did with fragments, for the report.
public struct IPFragmentCounters: Sendable, Equatable {
    /// Fragments offered (first and later).
    public var fragments = 0
    public var datagramsReassembled = 0
    /// Fragments that went into reassembled datagrams.
    public var fragmentsReassembled = 0
    /// Datagrams still waiting for fragments, and the fragments they hold.
    public var datagramsInProgress = 0
    public var fragmentsHeld = 0
    /// Datagrams refused because they grew past `maxDatagramBytes`.
    public var droppedOversize = 0
    /// Datagrams dropped after `idleTimeoutNanoseconds` without a fragment.
    public var droppedTimeout = 0
    /// Datagrams evicted to make room for a new one at `maxDatagrams`.
    public var droppedCapacity = 0
    /// Fragments discarded: those of dropped datagrams, fragments of refused
    /// datagrams, and fragments too scattered to track (more holes than the pool keeps).
    public var fragmentsDropped = 0
    /// Fragments whose data the capture did not hold in full (snaplen).
    public var fragmentsTruncated = 0
    public init() {}
}

/// A datagram put back together: a contiguous IP packet without fragmentation
/// (IPv4 header with flags and offset 0, or IPv6 header whose next header is
/// the fragmentable part's first header), ready for `PacketDecoder` with
/// `LinkType.raw`. `bytes` is lent until the next `add`.
public struct ReassembledDatagram {
    public let bytes: ByteView
    /// Sum of the fragments' wire lengths: what the datagram cost on the wire.
    public let wireLength: Int
    public let fragments: Int
}

/// Reassembles IPv4 (RFC 791 §3.2) and IPv6 (RFC 8200 §4.5) fragments of
/// small datagrams, bounded in count, size and time.
///
/// Fragments may arrive in any order, duplicated or overlapping: bytes
/// already held are kept (first copy wins, as in `FirstFlightPool`, whose
/// buffers hold each datagram's data: base sequence 0, sequence = fragment
/// offset). A datagram is complete when its last fragment (M = 0) has fixed
/// its length and every byte before that length is held.
///
/// Memory is fixed by the limits: slots and their index are reserved at
/// start, pool buffers are recycled and the output scratch is allocated
/// once, so a steady state of fragments allocates nothing.
public struct IPFragmentReassembler {
    /// A datagram's identity: RFC 791 keys IPv4 by (source, destination,
    /// protocol, identification); RFC 8200 keys IPv6 by (source, destination,
    /// identification) — its Fragment headers may disagree on next header.
    struct Key: Hashable {
        var source: IPAddress
        var destination: IPAddress
        var identification: UInt32
        var protocolNumber: UInt8
        var ipv6: Bool
    }

    struct Slot {
        var key = Key(source: IPAddress(ipv4: 0), destination: IPAddress(ipv4: 0), identification: 0, protocolNumber: 0,
                      ipv6: false)
        var inUse = false
        /// Pool buffer, or -1 for a refused (oversize) datagram whose later fragments are absorbed.
        var buffer: FirstFlightPool.BufferID = -1
        var lastSeen: Int64 = 0
        /// Data length once the M = 0 fragment arrived; -1 before.
        var totalLength = -1
        var fragments = 0
        var wireLength = 0
        /// The fragmentable part's first header, from the offset-0 fragment.
        var protocolNumber: UInt8 = 0
        var ttl: UInt8 = 0
    }

    public let limits: IPFragmentLimits
    public private(set) var counters = IPFragmentCounters()
    private var pool: FirstFlightPool
    private var slots: [Slot]
    private var freeSlots: [Int32]
    private var index: [Key: Int32]
    private let scratch: ScratchBuffer
    /// Latest timestamp seen: captures are not always in time order.
    private var now: Int64 = .min
    private var lastSweep: Int64 = .min

    public init(limits: IPFragmentLimits = IPFragmentLimits()) {
        var limits = limits
        limits.maxDatagrams = Swift.max(1, limits.maxDatagrams)
        // IPv4 total length is 16 bits and includes its 20-byte header; IPv6's payload length
        // field would allow 65,535, but one bound for both keeps the scratch simple.
        limits.maxDatagramBytes = Swift.min(Swift.max(8, limits.maxDatagramBytes), 65_535 - 40)
        self.limits = limits
        pool = FirstFlightPool(bufferSize: limits.maxDatagramBytes, maxBuffers: limits.maxDatagrams)
        slots = Array(repeating: Slot(), count: limits.maxDatagrams)
        freeSlots = (0..<Int32(limits.maxDatagrams)).reversed()
        index = Dictionary(minimumCapacity: limits.maxDatagrams)
        scratch = ScratchBuffer(size: limits.maxDatagramBytes + IPv6Header.length)
    }

    /// Adds the fragment `packet` decoded from `frame` (`packet.fragment !=
    /// .none`), seen at `timestamp` (ns) and `wireLength` bytes on the wire.
    /// Returns the datagram when this fragment completes it.
    public mutating func add(_ packet: DecodedPacket, frame: ByteView, timestamp: Int64, wireLength: Int) -> ReassembledDatagram? {
        guard packet.fragment != .none, packet.network != .none else { return nil }
        counters.fragments += 1
        if timestamp > now { now = timestamp }
        sweepIfDue()
        let facts = packet.fragmentFacts
        guard let data = frame.slice(from: facts.dataOffset, length: facts.dataLength) else {
            counters.fragmentsTruncated += 1
            return nil
        }
        let ipv6 = packet.network == .ipv6
        let key = Key(source: packet.source, destination: packet.destination, identification: facts.identification,
                      protocolNumber: ipv6 ? 0 : facts.protocolNumber, ipv6: ipv6)
        let s: Int
        if let found = index[key] {
            s = Int(found)
        } else {
            s = openSlot(key)
        }
        slots[s].lastSeen = now
        slots[s].wireLength &+= wireLength
        slots[s].fragments += 1
        counters.fragmentsHeld += 1
        let buffer = slots[s].buffer
        guard buffer >= 0 else { return nil } // refused earlier: absorbed until it idles out

        // offset ≤ 65,528 and data.count ≤ the frame's size: the sum cannot overflow.
        let end = facts.offset + data.count
        if end > limits.maxDatagramBytes {
            counters.droppedOversize += 1
            counters.fragmentsDropped += slots[s].fragments
            counters.fragmentsHeld -= slots[s].fragments
            slots[s].fragments = 0
            pool.release(buffer)
            slots[s].buffer = -1
            return nil
        }
        if facts.offset == 0 {
            slots[s].protocolNumber = facts.protocolNumber
            slots[s].ttl = packet.ttl
        }
        if !facts.moreFragments && slots[s].totalLength < 0 { slots[s].totalLength = end }
        let scattered = pool.segmentsRefusedTooFragmented
        let contiguous = pool.add(buffer, sequence: UInt32(facts.offset), bytes: data)
        if pool.segmentsRefusedTooFragmented != scattered {
            // More holes than the pool tracks: this fragment is lost, the datagram may still idle out.
            slots[s].fragments -= 1
            counters.fragmentsHeld -= 1
            counters.fragmentsDropped += 1
        }

        let total = slots[s].totalLength
        guard total > 0, contiguous >= total else { return nil }
        let datagram = emit(slot: slots[s], data: pool.contiguousBytes(buffer).prefix(total))
        counters.datagramsReassembled += 1
        counters.fragmentsReassembled += slots[s].fragments
        counters.fragmentsHeld -= slots[s].fragments
        closeSlot(s)
        return datagram
    }

    /// Drops datagrams idle longer than the timeout at `timestamp` (also done
    /// as fragments arrive); call at the end of a capture to count leftovers.
    public mutating func evictIdle(now timestamp: Int64) {
        if timestamp > now { now = timestamp }
        lastSweep = now
        for s in slots.indices where slots[s].inUse && now &- slots[s].lastSeen > limits.idleTimeoutNanoseconds {
            drop(s, reason: .timeout)
        }
    }

    // MARK: Slots

    /// Sweeping at most once a second of capture time keeps the per-fragment cost flat.
    private mutating func sweepIfDue() {
        guard lastSweep == .min || now &- lastSweep >= 1_000_000_000 else { return }
        evictIdle(now: now)
    }

    private mutating func openSlot(_ key: Key) -> Int {
        if freeSlots.isEmpty {
            // Full: the least recently seen datagram makes room (a flood of
            // never-completing fragments cannot lock out new datagrams).
            var oldest = 0
            for s in slots.indices where slots[s].lastSeen < slots[oldest].lastSeen { oldest = s }
            drop(oldest, reason: .capacity)
        }
        let s = Int(freeSlots.removeLast())
        slots[s] = Slot()
        slots[s].key = key
        slots[s].inUse = true
        // Slots never outnumber pool buffers, so acquire only fails if the limits are inconsistent.
        slots[s].buffer = pool.acquire(baseSequence: 0) ?? -1
        index[key] = Int32(s)
        counters.datagramsInProgress += 1
        return s
    }

    private enum DropReason { case timeout, capacity }

    private mutating func drop(_ s: Int, reason: DropReason) {
        // A refused datagram was counted when it was refused.
        if slots[s].buffer >= 0 {
            switch reason {
            case .timeout: counters.droppedTimeout += 1
            case .capacity: counters.droppedCapacity += 1
            }
        }
        counters.fragmentsDropped += slots[s].fragments
        counters.fragmentsHeld -= slots[s].fragments
        closeSlot(s)
    }

    private mutating func closeSlot(_ s: Int) {
        if slots[s].buffer >= 0 { pool.release(slots[s].buffer) }
        index[slots[s].key] = nil
        slots[s].inUse = false
        slots[s].buffer = -1
        freeSlots.append(Int32(s))
        counters.datagramsInProgress -= 1
    }

    // MARK: Output

    /// Writes the datagram as one unfragmented IP packet into the scratch.
    private func emit(slot: Slot, data: ByteView) -> ReassembledDatagram {
        let out = scratch.buffer
        let header: Int
        if slot.key.ipv6 {
            header = writeIPv6Header(slot, payloadLength: data.count, into: out)
        } else {
            header = writeIPv4Header(slot, payloadLength: data.count, into: out)
        }
        // SAFETY: the scratch holds maxDatagramBytes + 40 bytes and data.count ≤ maxDatagramBytes.
        data.withUnsafeBytes { src in
            if let base = src.baseAddress, let dst = out.baseAddress {
                (dst + header).copyMemory(from: base, byteCount: src.count)
            }
        }
        let bytes = ByteView(UnsafeRawBufferPointer(start: out.baseAddress, count: header + data.count))
        return ReassembledDatagram(bytes: bytes, wireLength: slot.wireLength, fragments: slot.fragments)
    }

    /// RFC 791 §3.1 header, 20 bytes, no options, DF/MF and offset 0.
    private func writeIPv4Header(_ slot: Slot, payloadLength: Int, into out: UnsafeMutableRawBufferPointer) -> Int {
        store16(0x4500, at: 0, out)                                   // version 4, IHL 5, TOS 0
        store16(UInt16(IPv4Header.minimumLength + payloadLength), at: 2, out) // total length
        store16(UInt16(truncatingIfNeeded: slot.key.identification), at: 4, out)
        store16(0, at: 6, out)                                        // flags and fragment offset
        out[8] = slot.ttl
        out[9] = slot.protocolNumber
        store16(0, at: 10, out)                                       // checksum, filled below
        store32(slot.key.source.ipv4, at: 12, out)
        store32(slot.key.destination.ipv4, at: 16, out)
        store16(Self.checksum(out, count: IPv4Header.minimumLength), at: 10, out)
        return IPv4Header.minimumLength
    }

    /// RFC 8200 §3 header, 40 bytes; next header is the fragmentable part's first header.
    private func writeIPv6Header(_ slot: Slot, payloadLength: Int, into out: UnsafeMutableRawBufferPointer) -> Int {
        store16(0x6000, at: 0, out)
        store16(0, at: 2, out)
        store16(UInt16(payloadLength), at: 4, out)
        out[6] = slot.protocolNumber
        out[7] = slot.ttl
        let s = slot.key.source, d = slot.key.destination
        store64(s.high, at: 8, out); store64(s.low, at: 16, out)
        store64(d.high, at: 24, out); store64(d.low, at: 32, out)
        return IPv6Header.length
    }

    private func store16(_ v: UInt16, at i: Int, _ out: UnsafeMutableRawBufferPointer) {
        out[i] = UInt8(v >> 8)
        out[i + 1] = UInt8(truncatingIfNeeded: v)
    }

    private func store32(_ v: UInt32, at i: Int, _ out: UnsafeMutableRawBufferPointer) {
        store16(UInt16(v >> 16), at: i, out)
        store16(UInt16(truncatingIfNeeded: v), at: i + 2, out)
    }

    private func store64(_ v: UInt64, at i: Int, _ out: UnsafeMutableRawBufferPointer) {
        for k in 0..<8 { out[i + k] = UInt8(truncatingIfNeeded: v >> (56 - 8 * k)) }
    }

    /// RFC 1071 one's-complement sum over `count` bytes (checksum field zero).
    static func checksum(_ bytes: UnsafeMutableRawBufferPointer, count: Int) -> UInt16 {
        var sum: UInt32 = 0
        var i = 0
        while i + 1 < count { sum += UInt32(bytes[i]) << 8 | UInt32(bytes[i + 1]); i += 2 }
        while sum > 0xffff { sum = (sum & 0xffff) + (sum >> 16) }
        return ~UInt16(sum)
    }
}
