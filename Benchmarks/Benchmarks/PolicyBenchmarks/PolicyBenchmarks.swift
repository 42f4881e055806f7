// Matcher lookups beside their naive twins (gopacket's habit: every fast path
// is measured next to the obvious implementation). Inputs are the real Azure
// Public service tags when `<repo>/../shared/data` is present, synthetic
// nested prefixes otherwise; addresses and names are fixed by a seeded generator.
import Benchmark
import EgressPolicy
import Foundation
import PacketWire

private let azurePublicPath: String = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("shared/data/azure/ServiceTags_Public_20251109.json").path

private struct SeededRandom: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Tagged prefixes: the Azure file, or 20k synthetic nested IPv4/IPv6 prefixes.
private func taggedPrefixes() -> [(CIDR, Int32)] {
    if let file = try? AzureServiceTagFile(contentsOf: azurePublicPath) {
        var out: [(CIDR, Int32)] = []
        for (i, tag) in file.tags.enumerated() { for p in tag.prefixes { out.append((p, Int32(i))) } }
        return out
    }
    var rng = SeededRandom(state: 7)
    return (0 ..< 20_000).compactMap { i in
        let length = 8 + Int(rng.next() % 25)
        let address = i % 4 == 0 ? IPAddress(ipv6High: 0x2603_1000_0000_0000 | (rng.next() >> 20), low: 0)
                                 : IPAddress(ipv4: 0x1400_0000 | UInt32(truncatingIfNeeded: rng.next() >> 40))
        return CIDR(address: address, prefixLength: address.isIPv4 ? length : length + 16).map { ($0, Int32(i % 300)) }
    }
}

/// Half uniformly random addresses, half inside the given prefixes.
private func probeAddresses(_ prefixes: [CIDR], count: Int, ipv4: Bool) -> [IPAddress] {
    var rng = SeededRandom(state: 42)
    let family = prefixes.filter { $0.isIPv4 == ipv4 }
    return (0 ..< count).map { i in
        if i & 1 == 0 || family.isEmpty {
            return ipv4 ? IPAddress(ipv4: UInt32(truncatingIfNeeded: rng.next()))
                        : IPAddress(ipv6High: 0x2000_0000_0000_0000 | (rng.next() >> 3), low: rng.next())
        }
        let p = family[Int(rng.next() % UInt64(family.count))]
        if ipv4 {
            let hostBits = 32 - p.prefixLength
            let host = hostBits == 0 ? 0 : UInt32(truncatingIfNeeded: rng.next()) & (UInt32.max >> UInt32(32 - hostBits))
            return IPAddress(ipv4: p.address.ipv4 | host)
        }
        let high = p.prefixLength >= 64 ? p.address.high : p.address.high | (p.prefixLength == 0 ? rng.next() : rng.next() >> UInt64(p.prefixLength))
        let low = p.prefixLength >= 128 ? p.address.low : p.address.low | (p.prefixLength <= 64 ? rng.next() : rng.next() >> UInt64(p.prefixLength - 64))
        return IPAddress(ipv6High: high, low: low)
    }
}

private let fqdnPatternTexts: [String] = {
    var texts = [
        "*.blob.core.windows.net", "*.queue.core.windows.net", "*.table.core.windows.net", "*.vault.azure.net",
        "login.microsoftonline.com", "management.azure.com", "*.azurecr.io", "<region>.handler.control.monitor.azure.com",
        "*.ods.opinsights.azure.com", "*.oms.opinsights.azure.com", "acs-mirror.azureedge.net", "*.servicebus.windows.net",
        "*eh.servicebus.windows.net", "arcmktplaceprod.<region>.data.azurecr.io", "*.hcp.<region>.azmk8s.io", "archive.ubuntu.com",
    ]
    for i in 0 ..< 5_000 {
        switch i % 4 {
        case 0: texts.append("svc\(i).region\(i % 40).example.com")
        case 1: texts.append("*.tenant\(i).corp.net")
        case 2: texts.append("api\(i).contoso.io")
        default: texts.append("*.shard\(i).blob.core.windows.net")
        }
    }
    return texts
}()

private let fqdnQueryNames: [String] = {
    let samples = [
        "mystorage.blob.core.windows.net", "MyVault.vault.azure.net", "login.microsoftonline.com", "www.google.com",
        "x.shard123.blob.core.windows.net", "svc40.region0.example.com", "a.b.tenant1.corp.net", "api2.contoso.io",
        "telemetry.events.data.microsoft.com", "archive.ubuntu.com", "nope.example.org",
        "westus.handler.control.monitor.azure.com", "some.random.name.that.is.long.example.net",
    ]
    var rng = SeededRandom(state: 9)
    return (0 ..< 4_096).map { i in
        i % 3 == 0 ? "host\(rng.next() % 100_000).shard\(rng.next() % 5_000).blob.core.windows.net"
                   : samples[Int(rng.next() % UInt64(samples.count))]
    }
}()

/// Names laid out back to back as they would sit in packet buffers.
private struct NameBuffer {
    let bytes: [UInt8]
    let ranges: [(offset: Int, length: Int)]

    init(_ names: [String]) {
        var bytes: [UInt8] = []
        var ranges: [(Int, Int)] = []
        for name in names {
            ranges.append((bytes.count, name.utf8.count))
            bytes += Array(name.utf8)
        }
        self.bytes = bytes
        self.ranges = ranges
    }
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .throughput, .mallocCountTotal], scalingFactor: .kilo,
                                           maxDuration: .seconds(2))

    // MARK: Builds

    Benchmark("Azure service tag JSON parse", configuration: .init(scalingFactor: .one)) { benchmark in
        for _ in benchmark.scaledIterations { blackHole(try? AzureServiceTagFile(contentsOf: azurePublicPath)) }
    }

    Benchmark("PrefixMatcher build (Azure Public)", configuration: .init(scalingFactor: .one)) { benchmark, entries in
        for _ in benchmark.scaledIterations { blackHole(PrefixMatcher(entries)) }
    } setup: {
        taggedPrefixes()
    }

    Benchmark("FQDNMatcher build (5k patterns)", configuration: .init(scalingFactor: .one)) { benchmark, patterns in
        for _ in benchmark.scaledIterations { blackHole(FQDNMatcher(patterns)) }
    } setup: {
        fqdnPatternTexts.enumerated().compactMap { i, t in (try? FQDNPattern(t)).map { ($0, Int32(i)) } }
    }

    // MARK: Prefix lookups

    Benchmark("PrefixMatcher IPv4 lookup") { (benchmark: Benchmark, state: (PrefixMatcher, [IPAddress])) in
        let (matcher, addresses) = state
        var k = 0
        for _ in benchmark.scaledIterations {
            blackHole(matcher.lookup(ipv4: addresses[k & 65_535].ipv4).count)
            k &+= 1
        }
    } setup: {
        let entries = taggedPrefixes()
        return (PrefixMatcher(entries), probeAddresses(entries.map(\.0), count: 65_536, ipv4: true))
    }

    Benchmark("PrefixMatcher IPv6 lookup") { (benchmark: Benchmark, state: (PrefixMatcher, [IPAddress])) in
        let (matcher, addresses) = state
        var k = 0
        for _ in benchmark.scaledIterations {
            blackHole(matcher.lookup(addresses[k & 65_535]).count)
            k &+= 1
        }
    } setup: {
        let entries = taggedPrefixes()
        return (PrefixMatcher(entries), probeAddresses(entries.map(\.0), count: 65_536, ipv4: false))
    }

    Benchmark("Naive IPv4 linear scan of all prefixes", configuration: .init(scalingFactor: .one)) {
        (benchmark: Benchmark, state: ([UInt32], [UInt32], [IPAddress])) in
        let (nets, masks, addresses) = state
        var k = 0
        for _ in benchmark.scaledIterations {
            let a = addresses[k & 1_023].ipv4
            var hits = 0
            for i in 0 ..< nets.count where a & masks[i] == nets[i] { hits &+= 1 }
            blackHole(hits)
            k &+= 1
        }
    } setup: {
        let v4 = taggedPrefixes().map(\.0).filter(\.isIPv4)
        let masks = v4.map { $0.prefixLength == 0 ? UInt32(0) : ~UInt32(0) << UInt32(32 - $0.prefixLength) }
        return (v4.map(\.address.ipv4), masks, probeAddresses(v4, count: 1_024, ipv4: true))
    }

    Benchmark("Naive IPv6 linear scan of all prefixes", configuration: .init(scalingFactor: .one)) {
        (benchmark: Benchmark, state: ([(UInt64, UInt64, UInt64, UInt64)], [IPAddress])) in
        let (prefixes, addresses) = state
        var k = 0
        for _ in benchmark.scaledIterations {
            let a = addresses[k & 1_023]
            var hits = 0
            for p in prefixes where a.high & p.2 == p.0 && a.low & p.3 == p.1 { hits &+= 1 }
            blackHole(hits)
            k &+= 1
        }
    } setup: {
        let v6 = taggedPrefixes().map(\.0).filter { !$0.isIPv4 }
        // (network high, network low, mask high, mask low) per prefix.
        let prefixes = v6.map { c -> (UInt64, UInt64, UInt64, UInt64) in
            let n = c.prefixLength
            let maskHigh: UInt64 = n == 0 ? 0 : (n >= 64 ? ~0 : ~UInt64(0) << UInt64(64 - n))
            let maskLow: UInt64 = n <= 64 ? 0 : (n >= 128 ? ~0 : ~UInt64(0) << UInt64(128 - n))
            return (c.address.high & maskHigh, c.address.low & maskLow, maskHigh, maskLow)
        }
        return (prefixes, probeAddresses(v6, count: 1_024, ipv4: false))
    }

    // MARK: FQDN lookups

    Benchmark("FQDNMatcher lookup (raw bytes)") { (benchmark: Benchmark, state: (FQDNMatcher, NameBuffer)) in
        let (matcher, names) = state
        var buffer = MatchBuffer(capacity: 64)
        names.bytes.withUnsafeBytes { raw in
            let all = ByteView(raw)
            var k = 0
            for _ in benchmark.scaledIterations {
                let r = names.ranges[k & 4_095]
                if let name = all.slice(from: r.offset, length: r.length) {
                    matcher.matches(name, into: &buffer)
                    blackHole(buffer.count)
                }
                k &+= 1
            }
        }
    } setup: {
        (FQDNMatcher(fqdnPatternTexts.enumerated().compactMap { i, t in (try? FQDNPattern(t)).map { ($0, Int32(i)) } }),
         NameBuffer(fqdnQueryNames))
    }

    Benchmark("Naive FQDN Set + suffix walk (String per name)") {
        (benchmark: Benchmark, state: (Set<String>, Set<String>, NameBuffer)) in
        let (exact, wildcardSuffixes, names) = state
        var k = 0
        for _ in benchmark.scaledIterations {
            let r = names.ranges[k & 4_095]
            let name = String(decoding: names.bytes[r.offset ..< r.offset + r.length], as: UTF8.self).lowercased()
            var hits = exact.contains(name) ? 1 : 0
            var index = name.startIndex
            while let dot = name[index...].firstIndex(of: ".") {
                index = name.index(after: dot)
                if wildcardSuffixes.contains(String(name[index...])) { hits += 1 }
            }
            blackHole(hits)
            k &+= 1
        }
    } setup: {
        let exact = Set(fqdnPatternTexts.filter { !$0.contains("*") && !$0.contains("<") }.map { $0.lowercased() })
        let wildcard = Set(fqdnPatternTexts.filter { $0.hasPrefix("*.") }.map { String($0.dropFirst(2)).lowercased() })
        return (exact, wildcard, NameBuffer(fqdnQueryNames))
    }
}
