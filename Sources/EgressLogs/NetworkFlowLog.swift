import EgressPolicy
import FlowEngine
import PacketWire

/// Azure Network Watcher's flow logs: flows by address, no names.
///
/// VNet flow logs (version 4): `records[].flowRecords.flows[].flowGroups[].flowTuples`,
/// each tuple `time(ms),src,dst,sport,dport,proto(IANA number),direction(I/O),state(B/C/E/D),encryption,
/// packets s→d,bytes s→d,packets d→s,bytes d→s`; state D is a deny.
/// https://learn.microsoft.com/azure/network-watcher/vnet-flow-logs-overview#log-format
///
/// NSG flow logs (version 2; version 1 has no state or counters):
/// `records[].properties.flows[].flows[].flowTuples`, each tuple
/// `time(s),src,dst,sport,dport,proto(T/U),direction(I/O),decision(A/D),state(B/C/E),packets s→d,bytes s→d,packets d→s,bytes d→s`.
/// https://learn.microsoft.com/azure/network-watcher/nsg-flow-logs-overview#log-format
///
/// One connection is several tuples: B when it begins (no counters), C every
/// few minutes, E when it ends, each C and E counting since the one before.
/// They are joined by 5-tuple into one flow, emitted at E (or D, or at the end
/// of the file for one still open), so a connection counts once.
public struct NetworkFlowLog {
    public struct TupleError: Error, Equatable {
        public var line: Int
        public var expected: String
    }

    private struct Key: Hashable {
        let transport: TransportKind
        let source: IPAddress, destination: IPAddress
        let sourcePort: UInt16, destinationPort: UInt16
    }

    private var open: [Key: LoggedFlow] = [:]
    /// Connections held while waiting for their E tuple; past this the oldest are emitted as they stand.
    public static let openLimit = 65_536
    public private(set) var tuples = 0

    public init() {}

    /// Reads one record's tuples; ended flows go to `emit`, bad tuples to `reject`; skipped tuples (not TCP/UDP) are counted.
    public mutating func read(_ record: JSONValue, emit: (LoggedFlow) -> Void, reject: (TupleError) -> Void, skip: (String) -> Void) {
        if let groups = record["flowRecords"]?["flows"] {
            // Version 4 (VNet): flows[].flowGroups[].{rule, flowTuples[]}.
            guard case .array(let acls, _) = groups else { reject(.init(line: groups.line, expected: "\"flowRecords.flows\" as an array")); return }
            for acl in acls {
                guard case .array(let flowGroups, _)? = acl["flowGroups"] else { reject(.init(line: acl.line, expected: "\"flowGroups\" as an array")); continue }
                for group in flowGroups {
                    readTuples(group["flowTuples"], rule: group["rule"]?.text, at: group.line, version: 4, emit: emit, reject: reject, skip: skip)
                }
            }
            return
        }
        if let properties = record["properties"], let rules = properties["flows"] {
            let version = Int(properties["Version"]?.text ?? "2") ?? 2
            guard case .array(let ruleList, _) = rules else { reject(.init(line: rules.line, expected: "\"properties.flows\" as an array")); return }
            for rule in ruleList {
                guard case .array(let macs, _)? = rule["flows"] else { reject(.init(line: rule.line, expected: "\"flows\" as an array")); continue }
                for mac in macs {
                    readTuples(mac["flowTuples"], rule: rule["rule"]?.text, at: mac.line, version: version, emit: emit, reject: reject, skip: skip)
                }
            }
            return
        }
        reject(.init(line: record.line, expected: "a flow log record (\"flowRecords\" for a VNet flow log, \"properties.flows\" for an NSG flow log)"))
    }

    private mutating func readTuples(_ list: JSONValue?, rule: String?, at line: Int, version: Int, emit: (LoggedFlow) -> Void,
                                     reject: (TupleError) -> Void, skip: (String) -> Void) {
        guard case .array(let items, _)? = list else { reject(.init(line: line, expected: "\"flowTuples\" as an array of strings")); return }
        for item in items {
            tuples += 1
            guard case .string(let text, let tupleLine) = item else { reject(.init(line: item.line, expected: "a flow tuple string")); continue }
            do throws(TupleError) {
                try readTuple(text, line: tupleLine, rule: rule, version: version, emit: emit, skip: skip)
            } catch {
                reject(error)
            }
        }
    }

    private mutating func readTuple(_ text: String, line: Int, rule: String?, version: Int, emit: (LoggedFlow) -> Void,
                                    skip: (String) -> Void) throws(TupleError) {
        let f = text.split(separator: ",", omittingEmptySubsequences: false)
        let vnet = version >= 4
        let wanted = vnet ? "time,src,dst,sport,dport,proto,I|O,B|C|E|D,encryption,packets,bytes,packets,bytes"
            : version == 1 ? "time,src,dst,sport,dport,T|U,I|O,A|D" : "time,src,dst,sport,dport,T|U,I|O,A|D,B|C|E,packets,bytes,packets,bytes"
        let count = vnet ? 13 : version == 1 ? 8 : 13
        guard f.count == count else { throw TupleError(line: line, expected: "a tuple of \(count) fields \(wanted), found \(f.count) in \"\(text.prefix(100))\"") }
        func bad(_ what: String) -> TupleError { TupleError(line: line, expected: "\(what) in tuple \"\(text.prefix(100))\" (\(wanted))") }
        guard let time = LogTime.epoch(f[0]) else { throw bad("an epoch time") }
        guard let source = IPAddress(String(f[1])), let destination = IPAddress(String(f[2])) else { throw bad("IP addresses") }
        guard let sport = UInt16(f[3]), let dport = UInt16(f[4]) else { throw bad("ports") }
        let transport: TransportKind
        switch f[5] {
        case "6", "T": transport = .tcp
        case "17", "U": transport = .udp
        case "1", "58": skip("flow log ICMP"); return
        default:
            guard UInt8(f[5]) != nil else { throw bad("a protocol (6, 17, T or U)") }
            skip("flow log protocol \(f[5])"); return
        }
        guard f[6] == "I" || f[6] == "O" else { throw bad("a direction I or O") }
        let denied: Bool, state: Substring
        if vnet {
            state = f[7]
            guard ["B", "C", "E", "D"].contains(state) else { throw bad("a state B, C, E or D") }
            denied = state == "D"
        } else {
            guard f[7] == "A" || f[7] == "D" else { throw bad("a decision A or D") }
            denied = f[7] == "D"
            state = version == 1 ? "E" : f[8]
            guard ["B", "C", "E"].contains(state) else { throw bad("a state B, C or E") }
        }
        var counters: [UInt64] = [0, 0, 0, 0]
        if count == 13 {
            for i in 0..<4 {
                let t = f[9 + i]
                if t.isEmpty { continue }  // B tuples leave them empty
                guard let v = UInt64(t) else { throw bad("counters") }
                counters[i] = v
            }
        }
        let key = Key(transport: transport, source: source, destination: destination, sourcePort: sport, destinationPort: dport)
        var flow = open.removeValue(forKey: key) ?? LoggedFlow(
            time: time, transport: transport, source: source, sourcePort: sport, destination: destination, destinationPort: dport,
            outcome: .established, rule: rule.map { "\(denied ? "Deny" : "Allow"): \($0)" })
        flow.time = Swift.min(flow.time, time)
        flow.lastTime = Swift.max(flow.lastTime, time)
        flow.packetsSent &+= counters[0]; flow.bytesSent &+= counters[1]
        flow.packetsReceived &+= counters[2]; flow.bytesReceived &+= counters[3]
        if denied {
            flow.outcome = .prohibited
            flow.rule = rule.map { "Deny: \($0)" } ?? "Deny"
            emit(flow)
            return
        }
        if state == "E" {
            emit(Self.settled(flow))
            return
        }
        if open.count >= Self.openLimit { flushAll(emit) }
        open[key] = flow
    }

    /// An allowed flow's outcome: by its counters when the log gave any (packets
    /// back: answered; none back: unanswered), else established (only a B tuple:
    /// the platform let it begin, nothing more is known).
    private static func settled(_ flow: LoggedFlow) -> LoggedFlow {
        var f = flow
        if f.packetsSent > 0 || f.packetsReceived > 0 { f.outcome = f.packetsReceived > 0 ? .established : .unanswered }
        return f
    }

    /// The end of the input: flows still open are emitted as they stand.
    public mutating func flushAll(_ emit: (LoggedFlow) -> Void) {
        for (_, flow) in open.sorted(by: { ($0.value.time, $0.value.sourcePort) < ($1.value.time, $1.value.sourcePort) }) { emit(Self.settled(flow)) }
        open.removeAll()
    }
}
