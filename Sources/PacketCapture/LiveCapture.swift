#if canImport(Glibc)
import Glibc
#endif
import CPcap
import PacketWire

/// A live interface through libpcap: `pcap_create` + options + `pcap_activate`
/// (TPACKET_V3 ring on Linux), an optional BPF filter, and a read loop that
/// wakes at least every `timeoutMilliseconds` so a stop request is seen.
///
/// One thread reads; `breakLoop()` may be called from any other (libpcap
/// documents `pcap_breakloop` for that), hence the unchecked Sendable.
public final class LiveCapture: @unchecked Sendable {
    public struct Options: Sendable {
        /// Bytes kept per packet: whole ClientHellos and DNS answers fit in 64 KiB.
        public var snapshotLength: Int32 = 65_535
        /// Kernel ring size; larger rides out bursts without drops.
        public var bufferBytes: Int32 = 32 << 20
        public var promiscuous = false
        public var timeoutMilliseconds: Int32 = 200
        /// A BPF filter expression (tcpdump syntax), or nil for every packet.
        public var filter: String?
        public init() {}
    }

    public struct Statistics: Sendable, Equatable {
        public var received: UInt32
        /// Dropped by the kernel: the ring was full.
        public var dropped: UInt32
        /// Dropped by the interface or driver.
        public var interfaceDropped: UInt32
    }

    public let interface: String
    public let linkType: Int32
    /// The filter in force (nil: every packet).
    public private(set) var filter: String?
    private let handle: OpaquePointer
    /// The descriptor `poll()` waits on; `LiveCaptureGroup` polls several at once.
    let selectableDescriptor: Int32
    let timeoutMilliseconds: Int32

    public init(interface: String, options: Options = Options()) throws(CaptureError) {
        self.interface = interface
        func fail(_ message: String) -> CaptureError { CaptureError(source: interface, problem: .liveOpenFailed(message)) }
        var errbuf = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE) + 1)
        guard let h = pcap_create(interface, &errbuf) else {
            throw fail(errbuf.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })
        }
        _ = pcap_set_snaplen(h, options.snapshotLength)
        _ = pcap_set_buffer_size(h, options.bufferBytes)
        _ = pcap_set_promisc(h, options.promiscuous ? 1 : 0)
        _ = pcap_set_timeout(h, options.timeoutMilliseconds)
        _ = pcap_set_tstamp_precision(h, Int32(PCAP_TSTAMP_PRECISION_NANO))
        let rc = pcap_activate(h)
        if rc < 0 {
            let detail = String(cString: pcap_geterr(h))
            pcap_close(h)
            switch rc {
            case PCAP_ERROR_PERM_DENIED, PCAP_ERROR_PROMISC_PERM_DENIED:
                throw fail("permission denied (\(detail))")
            case PCAP_ERROR_NO_SUCH_DEVICE:
                throw fail("no such interface (\(detail))")
            default:
                throw fail(detail)
            }
        }
        handle = h
        linkType = pcap_datalink(h)
        // Non-blocking reads with our own poll(): with a filter that matched
        // nothing, a blocking pcap_next_ex never returned here (TPACKET_V3),
        // and a stop request must be seen within one timeout regardless.
        if pcap_setnonblock(h, 1, &errbuf) != 0 {
            pcap_close(h)
            throw fail(errbuf.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })
        }
        selectableDescriptor = pcap_get_selectable_fd(h)
        timeoutMilliseconds = options.timeoutMilliseconds
        if let filter = options.filter {
            // Fully initialised from here: a throw runs deinit, which closes the handle.
            try setFilter(filter)
        }
    }

    /// Why `expression` does not compile for this interface's link type, or nil when it does.
    public func compileError(_ expression: String) -> String? {
        var program = bpf_program()
        if pcap_compile(handle, &program, expression, 1, PCAP_NETMASK_UNKNOWN) != 0 {
            return String(cString: pcap_geterr(handle))
        }
        pcap_freecode(&program)
        return nil
    }

    /// Compiles `expression` and hands it to the kernel: from now on only the
    /// packets it keeps are captured (libpcap filters what the ring already holds).
    public func setFilter(_ expression: String) throws(CaptureError) {
        func fail(_ message: String) -> CaptureError { CaptureError(source: interface, problem: .liveOpenFailed(message)) }
        var program = bpf_program()
        if pcap_compile(handle, &program, expression, 1, PCAP_NETMASK_UNKNOWN) != 0 {
            throw fail("filter \"\(expression)\" does not compile: \(String(cString: pcap_geterr(handle)))")
        }
        defer { pcap_freecode(&program) }
        if pcap_setfilter(handle, &program) != 0 {
            throw fail("filter \"\(expression)\" cannot be set: \(String(cString: pcap_geterr(handle)))")
        }
        filter = expression
    }

    deinit {
        pcap_close(handle)
    }

    /// Reads packets until `shouldStop()` says so (checked after every packet
    /// and every read timeout) or `breakLoop()` is called; returns the count.
    @discardableResult
    public func forEachPacket(shouldStop: () -> Bool, _ body: (CapturedPacket) -> Void) throws(CaptureError) -> Int {
        var count = 0
        var header: UnsafeMutablePointer<pcap_pkthdr>?
        var data: UnsafePointer<UInt8>?
        while !shouldStop() {
            let rc = pcap_next_ex(handle, &header, &data)
            if rc == 1, let h = header {
                body(CapturedPacket(h, data, linkType: linkType))
                count += 1
            } else if rc == 0 {
                // Nothing buffered: wait for the descriptor, at most one timeout, then look at shouldStop again.
                var fds = pollfd(fd: selectableDescriptor, events: Int16(POLLIN), revents: 0)
                _ = poll(&fds, 1, timeoutMilliseconds)
            } else if rc == PCAP_ERROR_BREAK {
                return count
            } else {
                throw CaptureError(source: interface, problem: .readFailed(String(cString: pcap_geterr(handle))))
            }
        }
        return count
    }

    /// Reads what the kernel captured but has not handed over yet: TPACKET_V3
    /// passes packets in blocks, retired when full or after the read timeout,
    /// so a stop waits one timeout for the last block before reporting.
    @discardableResult
    public func drain(_ body: (CapturedPacket) -> Void) -> Int {
        var count = 0
        var header: UnsafeMutablePointer<pcap_pkthdr>?
        var data: UnsafePointer<UInt8>?
        for _ in 0..<2 {
            while pcap_next_ex(handle, &header, &data) == 1, let h = header {
                body(CapturedPacket(h, data, linkType: linkType))
                count += 1
            }
            var fds = pollfd(fd: selectableDescriptor, events: Int16(POLLIN), revents: 0)
            _ = poll(&fds, 1, timeoutMilliseconds + 50)
        }
        return count
    }

    /// Result of one non-blocking pass over what libpcap has buffered.
    enum Pass {
        /// Packets were read, up to the limit; more may be waiting.
        case read(Int)
        /// Nothing buffered right now (or `limit` was 0).
        case empty(Int)
        /// `breakLoop()` was called.
        case broken(Int)
    }

    /// Reads at most `limit` packets already buffered, without waiting: one
    /// handle's share of a `LiveCaptureGroup` wake-up, so a busy interface
    /// cannot starve the others.
    func readBuffered(limit: Int, _ body: (CapturedPacket) -> Void) throws(CaptureError) -> Pass {
        var count = 0
        var header: UnsafeMutablePointer<pcap_pkthdr>?
        var data: UnsafePointer<UInt8>?
        while count < limit {
            let rc = pcap_next_ex(handle, &header, &data)
            if rc == 1, let h = header {
                body(CapturedPacket(h, data, linkType: linkType))
                count += 1
            } else if rc == 0 {
                return .empty(count)
            } else if rc == PCAP_ERROR_BREAK {
                return .broken(count)
            } else if linkType == 239, errno == EAGAIN || errno == EWOULDBLOCK {
                // libpcap's NFLOG reader (pcap-netfilter-linux.c) reports a non-blocking socket's
                // "nothing queued" as an error; it is the same as 0 from the packet socket.
                return .empty(count)
            } else {
                throw CaptureError(source: interface, problem: .readFailed(String(cString: pcap_geterr(handle))))
            }
        }
        return .read(count)
    }

    /// Makes a running `forEachPacket` return (safe from another thread).
    public func breakLoop() {
        pcap_breakloop(handle)
    }

    /// Kernel and interface counters since the capture began.
    public func statistics() -> Statistics? {
        var s = pcap_stat()
        guard pcap_stats(handle, &s) == 0 else { return nil }
        return Statistics(received: s.ps_recv, dropped: s.ps_drop, interfaceDropped: s.ps_ifdrop)
    }
}
