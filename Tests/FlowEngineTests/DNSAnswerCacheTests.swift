import Testing
@testable import FlowEngine
import PacketWire

@Suite struct DNSAnswerCacheTests {
    let client = IPAddress(ipv4: 0x0a00_0004)
    let other = IPAddress(ipv4: 0x0a00_0005)

    @Test func theClientsOwnAnswerWinsThenAnyClients() {
        var cache = DNSAnswerCache(capacity: 16)
        let a = NameTable.NameID(rawValue: 1), b = NameTable.NameID(rawValue: 2)
        let server = IPAddress(ipv4: 0xc000_0201)
        cache.record(client: client, address: server, name: a, ttl: 60, now: 0)
        cache.record(client: other, address: server, name: b, ttl: 60, now: 1)
        #expect(cache.name(client: client, address: server, now: 2) == a)
        #expect(cache.name(client: other, address: server, now: 2) == b)
        // A third address of the same node (say its IPv6 one) gets the latest answer for anyone.
        #expect(cache.name(client: IPAddress(ipv6High: 0xfd00 << 48, low: 4), address: server, now: 2) == b)
    }

    @Test func answersExpireAfterTheirTTLPlusGrace() {
        var cache = DNSAnswerCache(capacity: 16)
        cache.staleGraceNanoseconds = 10_000_000_000
        let server = IPAddress(ipv4: 0xc000_0202)
        cache.record(client: client, address: server, name: .init(rawValue: 3), ttl: 30, now: 0)
        #expect(cache.name(client: client, address: server, now: 29_000_000_000) == .init(rawValue: 3))
        #expect(cache.name(client: client, address: server, now: 35_000_000_000) == .init(rawValue: 3))
        #expect(cache.staleUses == 1)
        #expect(cache.name(client: client, address: server, now: 41_000_000_000).isNone)
    }

    @Test func aFloodOfAnswersStaysWithinTheCap() {
        var cache = DNSAnswerCache(capacity: 100)
        for i in 0..<10_000 {
            cache.record(client: client, address: IPAddress(ipv4: 0xc000_0000 | UInt32(i)), name: .init(rawValue: Int32(i + 1)), ttl: 60, now: Int64(i))
            #expect(cache.count <= 100)
        }
        #expect(cache.evicted == 2 * 10_000 - 100)
        // The newest answers are still there.
        #expect(cache.name(client: client, address: IPAddress(ipv4: 0xc000_0000 | 9_999), now: 10_000) == .init(rawValue: 10_000))
    }

    /// An observation keeps its first answers in itself and the rest in an array: every count
    /// reads back the answers in order, and equal observations are equal and hash alike however
    /// they were built (appended one by one, or given whole).
    @Test func observationAnswersInOrderWhereverKept() {
        for count in 0...9 {
            var answers: [DNSObservation.Answer] = []
            for i in 0..<count {
                let address = IPAddress(ipv4: 0xc000_0200 | UInt32(i))
                let target = NameTable.NameID(rawValue: Int32(100 + i))
                answers.append(i % 3 == 2 ? .cname(target) : .address(address))
            }
            var appended = DNSObservation(name: NameTable.NameID(rawValue: 7), type: 1, rcode: 0, answers: [], echAdvertised: false,
                                          overTCP: false, linkLocal: false)
            for answer in answers { appended.append(answer) }
            let whole = DNSObservation(name: NameTable.NameID(rawValue: 7), type: 1, rcode: 0, answers: answers, echAdvertised: false,
                                       overTCP: false, linkLocal: false)
            var walked: [DNSObservation.Answer] = []
            appended.forEachAnswer { walked.append($0) }
            #expect(appended.answers == answers && walked == answers && appended.answerCount == count, "\(count) answers")
            #expect(appended == whole && Set([appended, whole]).count == 1, "\(count) answers")
            if count > 0 {
                var fewer = answers
                fewer.removeLast()
                #expect(whole != DNSObservation(name: NameTable.NameID(rawValue: 7), type: 1, rcode: 0, answers: fewer, echAdvertised: false,
                                                overTCP: false, linkLocal: false))
            }
        }
    }
}

