import EgressAudit
import FlowEngine
import PacketCapture
import PacketWire

/// Runs packets through the whole pipeline — PacketWire decode → IP fragment
/// reassembly → FlowEngine tracking → the audit — keeping the counters the
/// reports need. Packets come from a `PacketSource`, whichever it is: capture
/// files (`readToEnd`: one after another; a file that fails is reported and
/// the run goes on, packets read before a mid-file error still count) or live
/// interfaces (`read(from:shouldStop:)` pass by pass, from `LiveSession`).
public struct CapturePipeline {
    public private(set) var counters = DecodeCounters()
    public internal(set) var tracker: FlowTracker
    public internal(set) var files: [FileSummary] = []
    public internal(set) var errors: [CaptureError] = []
    public private(set) var synPorts = PortSet()
    private var flowTotals = (total: 0, tcp: 0, udp: 0)
    private var truncatedFrames = 0
    private let decoder = PacketDecoder()
    /// IP fragments wait here until their datagram is whole.
    public private(set) var fragments = IPFragmentReassembler()
    /// Keep every flow as it leaves the tracker, for `--flows` (small captures: it grows with flows).
    public var keepsFlows: Bool
    /// The audit, fed each flow as it leaves the tracker (nil: no profile).
    public var audit: AuditAccumulator?
    /// Called with each flow as it leaves the tracker, after the audit (and its
    /// verdict when the audit judged it): `--flow-log`.
    public var flowObserver: ((FlowRecord, NameTable, FlowLogVerdict?) -> Void)? {
        didSet { audit?.observer = flowObserver }
    }
    /// Called every 2^18 packets with (file, packets read so far in it): a progress line for long runs.
    public var progress: ((String, Int) -> Void)?
    /// Flows that left the tracker, when `keepsFlows`.
    public private(set) var flows: [FlowRecord] = []
    /// Where the tracker's ended flows wait for the audit: a box lent to the
    /// per-packet call without touching any reference count, drained after it
    /// (the audit needs the tracker's names, which the call holds).
    private var endedFlows = EndedFlows()
    /// Read and decode on a second thread, ahead of tracking, when the capture
    /// is mapped and the machine has two cores (`DecodeAheadRing`); the results
    /// are the same either way.
    public var decodesAhead = true
    /// Slots of the decode-ahead ring: about a millisecond of packets, so that a thread held up for a
    /// while (a busy host) does not stall the other at once; twice as many no longer stay in the
    /// cache. The sizes measured are in Benchmarks/README (session 13).
    var decodeAheadCapacity = 4096
    /// Passes (files) read through the decode-ahead ring (for tests).
    private(set) var passesDecodedAhead = 0
    /// During a decode-ahead pass with a profile, fold the audit on a third
    /// thread (`AuditThread`); the results are the same either way.
    public var auditsAhead = true
    /// The audit's thread during such a pass (it holds the accumulator, and `audit` is nil, until the pass ends).
    private var auditThread: AuditThread? { didSet { auditAhead = auditThread.map { Unmanaged.passUnretained($0) } } }
    /// The same, unretained: what the per-packet path reads (`auditThread` holds it).
    private var auditAhead: Unmanaged<AuditThread>?
    /// Passes whose audit was folded on its own thread (for tests).
    private(set) var passesAuditedAhead = 0
    /// Ended flows the audit's thread's ring holds (small ones exist for tests).
    var auditAheadCapacity = 4096
    /// What each input of the source delivered, by input index.
    private var inputCounts: [InputCounts] = []

    public init(limits: FlowEngineLimits = FlowEngineLimits(), keepsFlows: Bool = false, audit: AuditAccumulator? = nil) {
        tracker = FlowTracker(limits: limits)
        self.keepsFlows = keepsFlows
        self.audit = audit
    }

    /// Reads a source to its end: every input of a `CaptureFileSource`, one
    /// after another. An input that fails is recorded and the rest are read
    /// (packets read before a mid-file error still count); each input is then
    /// recorded as a source of the report.
    public mutating func readToEnd(_ source: any PacketSource) {
        while true {
            do {
                if try read(from: source, shouldStop: { false }) == .ended { break }
            } catch {
                errors.append(error)
            }
        }
        for i in source.inputs.indices { record(source: source.summary(input: i, delivered: delivered(input: i))) }
    }

    /// Reads one capture file to its end: `readToEnd` over a one-file source.
    public mutating func read(path: String, reader: OfflineCapture.Reader = .automatic) {
        readToEnd(CaptureFileSource(paths: [path], reader: reader))
    }

    /// One pass over a source (a file, or live packets until `shouldStop` or
    /// a timeout): decoded ahead on a second thread when the source reads
    /// whole inputs (files and pipes; their packets copied when the source
    /// does not lend them lastingly) and the machine has a core to spare, here
    /// otherwise; the results are the same either way. Throws the source's
    /// error after the packets before it were taken.
    public mutating func read(from source: any PacketSource, shouldStop: () -> Bool) throws(CaptureError) -> PacketSourceState {
        let progress = self.progress
        var seen = 0
        // Counted into locals (the input being read, and the counts by input) and stored back after
        // the pass: per packet, nothing of `self` is read for them.
        var counts = inputCounts
        var input = -1
        var current = InputCounts()
        defer {
            if input >= 0 { Self.put(current, at: input, in: &counts) }
            inputCounts = counts
        }
        if decodesAhead, source.lendsLastingBytes || source.readsWholeInputs, DecodeAheadRing.worthwhile {
            passesDecodedAhead += 1
            let ring = DecodeAheadRing(source: source, capacity: decodeAheadCapacity, flowHasher: tracker.table.hasher,
                                       nameHasher: tracker.names.hasher, answerHasher: tracker.dnsCache.hasher)
            if auditsAhead, let accumulator = audit {
                audit = nil
                auditThread = AuditThread.start(audit: accumulator, names: tracker.names, capacity: auditAheadCapacity)
                if auditThread == nil { audit = accumulator } else { passesAuditedAhead += 1 }
            }
            // The audit's thread hands the accumulator back with every flow of the pass folded.
            defer {
                if let thread = auditThread {
                    audit = thread.finish()
                    auditThread = nil
                }
            }
            // Packets the decode thread counted are merged in after the pass (its link type last, as if counted here).
            defer {
                var pass = ring.counters
                pass.merge(counters)
                counters = pass
            }
            return try ring.run { index, packet, captured, preview, counted, ahead in
                if index != input {
                    if input >= 0 { Self.put(current, at: input, in: &counts) }
                    input = index
                    current = index < counts.count ? counts[index] : InputCounts()
                }
                current.add(captured)
                // What a packet a few on will touch, loaded while this one is tracked.
                tracker.prefetch(far: ahead.far, farPacket: ahead.farPacket, near: ahead.near)
                take(packet, captured, preview, counted: counted)
                seen &+= 1
                if seen & 0x3_ffff == 0, let progress { progress(source.inputs[index], seen) }
            }
        }
        return try source.forEachPacket(shouldStop: shouldStop) { index, captured in
            if index != input {
                if input >= 0 { Self.put(current, at: input, in: &counts) }
                input = index
                current = index < counts.count ? counts[index] : InputCounts()
            }
            current.add(captured)
            ingest(captured)
            seen &+= 1
            if seen & 0x3_ffff == 0, let progress { progress(source.inputs[index], seen) }
        }
    }

    private static func put(_ c: InputCounts, at index: Int, in counts: inout [InputCounts]) {
        while counts.count <= index { counts.append(InputCounts()) }
        counts[index] = c
    }

    /// What input `index` of the source being read has delivered so far.
    public func delivered(input index: Int) -> InputCounts {
        index < inputCounts.count ? inputCounts[index] : InputCounts()
    }

    /// Adds one packet of input `index` outside a pass (a live source's last buffered packets).
    public mutating func add(_ captured: CapturedPacket, input index: Int) {
        var counts = delivered(input: index)
        counts.add(captured)
        Self.put(counts, at: index, in: &inputCounts)
        ingest(captured)
    }

    /// Records a live source in the report's source list.
    public mutating func record(source: FileSummary) {
        files.append(source)
    }

    /// The per-packet path: no allocation once the tables are warm.
    @inline(__always)
    private mutating func ingest(_ captured: CapturedPacket) {
        var packet = DecodedPacket()
        decoder.decode(captured.bytes, linkType: LinkType(rawValue: captured.linkType), originalLength: captured.originalLength, into: &packet)
        withUnsafePointer(to: &packet) { take($0, captured, PayloadPreview.none, counted: false) }
    }

    /// What follows decoding. The packet is lent by address, a ring slot's or
    /// a stack value's, and read field by field: as a value (even a borrowed
    /// one, read from the slot) the compiler copied all 368 bytes of it first,
    /// as it cannot rule out a write to the slot by the calls that follow.
    @inline(__always)
    private mutating func take(_ packet: UnsafePointer<DecodedPacket>, _ captured: CapturedPacket, _ preview: borrowing PayloadPreview,
                               counted: Bool) {
        // Packets are counted as captured, before reassembly: a datagram's fragments stay its packets
        // (by the decode thread, when it decoded them).
        if !counted { counters.record(packet, wireLength: captured.originalLength) }
        if captured.isTruncated { truncatedFrames += 1 }
        let status = packet.pointee.status, fragment = packet.pointee.fragment
        if status.isDecoded, packet.pointee.transport == .tcp, packet.pointee.tcp.hasHeader,
           packet.pointee.tcp.flags.contains(.syn), !packet.pointee.tcp.flags.contains(.ack) {
            synPorts.insert(packet.pointee.destinationPort)
        }
        // Fragments wait for their datagram (RFC 791 §3.2, RFC 8200 §4.5); a first fragment the
        // snaplen cut can never be whole, so the tracker reads what it holds, as before.
        if fragment != .none, status.isDecoded || status == .notDecoded(.laterFragment),
           !(packet.pointee.truncated && fragment == .first) {
            if let datagram = fragments.add(packet.pointee, frame: captured.bytes, timestamp: captured.timestampNanoseconds,
                                            wireLength: captured.originalLength) {
                // Rare (one per reassembled datagram): a stack value, valid while the reassembler's scratch is.
                var reassembled = DecodedPacket()
                decoder.decode(datagram.bytes, linkType: .raw, originalLength: datagram.bytes.count, into: &reassembled)
                withUnsafePointer(to: &reassembled) {
                    track($0, timestamp: captured.timestampNanoseconds, wireLength: datagram.wireLength, preview: PayloadPreview.none)
                }
            }
            return
        }
        track(packet, timestamp: captured.timestampNanoseconds, wireLength: captured.originalLength, preview: preview)
    }

    /// Hands one decoded packet (captured or reassembled) to the tracker.
    @inline(__always)
    private mutating func track(_ packet: UnsafePointer<DecodedPacket>, timestamp: Int64, wireLength: Int, preview: borrowing PayloadPreview) {
        let created = tracker.counters.flowsCreated
        if let ahead = auditAhead, !keepsFlows {
            // Straight to the audit's thread, the record copied once, into its ring.
            tracker.process(packet, timestamp: timestamp, wireLength: wireLength, preview: preview) { r in ahead._withUnsafeGuaranteedRef { $0.add(r) } }
        } else if keepsFlows || audit != nil || flowObserver != nil {
            if !isKnownUniquelyReferenced(&endedFlows) { endedFlows = EndedFlows() }
            // Unretained: `self` holds the box throughout the call (and the call is rare to use it).
            let box = Unmanaged.passUnretained(endedFlows)
            tracker.process(packet, timestamp: timestamp, wireLength: wireLength, preview: preview) { box.takeUnretainedValue().flows.append($0) }
            if !endedFlows.flows.isEmpty { drainEndedFlows() }
        } else {
            tracker.process(packet, timestamp: timestamp, wireLength: wireLength, preview: preview) { _ in }
        }
        if tracker.counters.flowsCreated != created {
            flowTotals.total += 1
            if packet.pointee.transport == .tcp { flowTotals.tcp += 1 } else { flowTotals.udp += 1 }
        }
    }

    private mutating func drainEndedFlows() {
        for r in endedFlows.flows { consume(r) }
        endedFlows.flows.removeAll(keepingCapacity: true)
    }

    /// One flow that left the tracker: to the listing, the audit and the flow log.
    mutating func consume(_ r: FlowRecord) {
        Self.deliver(r, names: tracker.names, keepsFlows: keepsFlows, to: &flows, ahead: auditAhead, audit: &audit, observer: flowObserver)
    }

    /// `consume`, with what it writes lent: `finish` calls it while the tracker is busy.
    private static func deliver(_ r: FlowRecord, names: NameTable, keepsFlows: Bool, to flows: inout [FlowRecord], ahead: Unmanaged<AuditThread>?,
                                audit: inout AuditAccumulator?, observer: ((FlowRecord, NameTable, FlowLogVerdict?) -> Void)?) {
        if keepsFlows { flows.append(r) }
        if let ahead {
            ahead._withUnsafeGuaranteedRef { $0.add(r) }
        } else if audit != nil {
            audit!.add(r, names: names)
        } else if let observer {
            observer(r, names, nil)
        }
    }

    /// Ends the run: remaining flows leave the tracker, each read where it lies
    /// (the listing and the audit are moved out meanwhile, not copied).
    public mutating func finish() {
        guard keepsFlows || audit != nil || flowObserver != nil else { return tracker.finish { _, _ in } }
        var audit = self.audit, flows = self.flows
        self.audit = nil
        self.flows = []
        let keepsFlows = keepsFlows, ahead = auditAhead, observer = flowObserver
        tracker.finish { r, names in
            Self.deliver(r, names: names, keepsFlows: keepsFlows, to: &flows, ahead: ahead, audit: &audit, observer: observer)
        }
        audit?.finish(names: tracker.names)
        self.audit = audit
        self.flows = flows
    }

    /// What `finish()` would leave, without ending the run: for a live
    /// capture's periodic snapshots. The flows still open are folded into the
    /// copy's audit as they stand; the tracker keeps them (and is not copied).
    public func snapshot() -> CapturePipeline {
        var copy = self
        copy.endedFlows = EndedFlows()
        copy.flowObserver = nil
        copy.audit?.observer = nil
        tracker.table.forEach { copy.consume($0) }
        return copy
    }

    /// The audit report of what was read so far (nil without a profile).
    public func auditReport(serviceTagFiles: [String], warnings: [String] = []) -> AuditReport? {
        audit?.report(names: tracker.names, dns: tracker.dnsObservations, capture: summary, serviceTagFiles: serviceTagFiles,
                      warnings: errors.map(\.description) + warnings)
    }

    public var summary: CaptureSummary {
        var caps = EngineCapsReached()
        caps.flowsEvictedForRoom = tracker.table.evictedForCapacity
        caps.namesRefused = tracker.names.refusedForCapacity
        caps.dnsAnswersEvicted = tracker.dnsCache.evicted
        caps.dnsObservationsRefused = Int(tracker.namingCounters.dnsObservationsRefused)
        caps.quicFlowsRefused = Int(tracker.namingCounters.quicFlowsRefused)
        caps.firstFlightsRefused = tracker.firstFlights.refusedPoolFull
        caps.firstFlightBytesBeyondCap = tracker.firstFlights.bytesBeyondCap
        caps.firstFlightSegmentsRefused = tracker.firstFlights.segmentsRefusedTooFragmented
        return CaptureSummary(counters: counters, files: files.count, truncatedFrames: truncatedFrames, flows: flowTotals,
                              synPorts: synPorts.sorted, fragments: fragments.counters, caps: caps).addingLogs(files)
    }
}

/// The flows that left the tracker during one call, in a box `CapturePipeline` lends the tracker.
final class EndedFlows {
    /// Read per packet: unchecked, as only the pipeline's own thread touches the box (a dynamic
    /// exclusivity check here cost ~75 instructions per packet, callgrind).
    @exclusivity(unchecked) var flows: [FlowRecord] = []
}
