import FastHashing

/// DNS answers that arrive from a resolver's log (Azure Firewall's DNS proxy)
/// rather than from packets: kept with the tracker's own, under the same cap
/// and the same de-duplication, so the report's DNS failures see both.
extension FlowTracker {
    public mutating func record(loggedDNS o: DNSObservation) {
        var h = FastHash.Accumulator()
        h.mix(0x106_0000_0000 | UInt64(UInt32(bitPattern: o.name.rawValue)))
        h.mix(UInt64(o.type) << 8 | UInt64(o.rcode)); h.mix(o.overTCP ? 1 : 0)
        guard !dnsObservationFingerprints.contains(h.value) else { return }
        guard dnsObservations.count < limits.maxDNSObservations else { namingCounters.dnsObservationsRefused += 1; return }
        dnsObservationFingerprints.insert(h.value)
        dnsObservations.append(o)
    }
}
