@testable import EgressLogs
import FlowEngine
import PacketWire
import Testing

/// Flow tuples as Network Watcher documents them: B, C and E tuples of one
/// connection become one flow whose counters are the sums of its C and E tuples
/// (the documents' own bandwidth example: 1,021 + 52 packets, 588,096 + 29,952 bytes).
@Suite struct NetworkFlowLogTests {
    static func read(_ json: String) -> (flows: [LoggedFlow], errors: [NetworkFlowLog.TupleError]) {
        var log = NetworkFlowLog()
        var flows: [LoggedFlow] = [], errors: [NetworkFlowLog.TupleError] = []
        LogRecordStream.jsonRecords(Array(json.utf8)) { item in
            if case .record(let r) = item { log.read(r, emit: { flows.append($0) }, reject: { errors.append($0) }, skip: { _ in }) }
        }
        log.flushAll { flows.append($0) }
        return (flows, errors)
    }

    @Test func nsgVersion2TuplesJoinIntoOneConnection() {
        // https://learn.microsoft.com/azure/network-watcher/nsg-flow-logs-overview#log-tuple-and-bandwidth-calculation
        let json = #"""
        {"records": [{"time": "2024-02-26T20:10:15Z", "properties": {"Version": 2, "flows": [{"rule": "UserRule_https", "flows": [{"mac": "000D3AF87856", "flowTuples": [
        "1708978215,203.0.113.105,10.0.0.5,35370,443,T,I,A,B,,,,",
        "1708978215,203.0.113.105,10.0.0.5,35370,443,T,I,A,C,1021,588096,8005,4610880",
        "1708978215,203.0.113.105,10.0.0.5,35370,443,T,I,A,E,52,29952,47,27072"]}]}]}}]}
        """#
        let (flows, errors) = Self.read(json)
        #expect(errors.isEmpty)
        #expect(flows.count == 1)
        let f = flows[0]
        #expect(f.source == IPAddress("203.0.113.105") && f.destination == IPAddress("10.0.0.5") && f.destinationPort == 443)
        #expect(f.packetsSent == 1073 && f.bytesSent == 618_048 && f.packetsReceived == 8052 && f.bytesReceived == 4_637_952)
        #expect(f.outcome == .established && f.rule == "Allow: UserRule_https")
    }

    @Test func vnetVersion4DenyAndUnansweredAndBadTuples() {
        let json = #"""
        {"records": [{"time": "2022-09-14T09:00:52Z", "flowLogVersion": 4, "flowRecords": {"flows": [{"aclID": "x", "flowGroups": [
          {"rule": "DefaultRule_AllowInternetOutBound", "flowTuples": [
            "1663146003599,10.0.0.6,52.239.184.180,23956,443,6,O,B,NX,0,0,0,0",
            "1663146003606,10.0.0.6,52.239.184.180,23956,443,6,O,E,NX,3,180,0,0",
            "1663146003607,10.0.0.6,52.239.184.180,23957,443,6,O,E,NX,3,180",
            "1663146003608,10.0.0.6,52.239.184.999,23958,443,6,O,E,NX,3,180,0,0"]},
          {"rule": "BlockHighRiskTCPPortsFromInternet", "flowTuples": [
            "1663145998065,101.33.218.153,10.0.0.6,55188,22,6,I,D,NX,0,0,0,0"]}]}]}}]}
        """#
        let (flows, errors) = Self.read(json)
        #expect(flows.count == 2)
        // Three SYNs and nothing back: the far end never answered.
        #expect(flows.first { $0.destinationPort == 443 }?.outcome == .unanswered)
        let deny = flows.first { $0.destinationPort == 22 }
        #expect(deny?.outcome == .prohibited && deny?.rule == "Deny: BlockHighRiskTCPPortsFromInternet")
        #expect(deny?.time == 1_663_145_998_065_000_000)
        // Each bad tuple on its own line, the rest read.
        #expect(errors.map(\.line) == [5, 6])
    }
}
