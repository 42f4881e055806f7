import Testing
@testable import CaptureSynth

@Suite struct DNSMessageTests {
    @Test func queryBytes() {
        let q = DNSMessageFields(id: 0x1234, isResponse: false, questionName: "a.example.com", questionType: .a)
        #expect(DNSMessage.build(q) == [
            0x12, 0x34, 0x01, 0x00,  // id, RD
            0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // 1 question
            0x01, 0x61, 0x07, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 0x03, 0x63, 0x6f, 0x6d, 0x00,
            0x00, 0x01, 0x00, 0x01,  // A, IN
        ])
    }

    /// RFC 1035 §4.1.4: names repeat as pointers to earlier occurrences of the same suffix.
    @Test func responseWithCNAMEChainIsCompressed() {
        var r = DNSMessageFields(id: 0x1234, isResponse: true, questionName: "a.example.com", questionType: .a)
        r.answers = [DNSRecord(name: "a.example.com", ttl: 60, data: .canonicalName("b.example.com")),
                     DNSRecord(name: "b.example.com", ttl: 30, data: .address(HostAddress("192.0.2.7")!))]
        let m = DNSMessage.build(r)
        #expect(Array(m[0..<12]) == [0x12, 0x34, 0x81, 0x80, 0x00, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00])
        #expect(Array(m[31...]) == [
            0xc0, 0x0c,              // a.example.com → question name at 12
            0x00, 0x05, 0x00, 0x01, 0x00, 0x00, 0x00, 0x3c,
            0x00, 0x04,              // rdlength 4
            0x01, 0x62, 0xc0, 0x0e,  // "b" + pointer to example.com at 14
            0xc0, 0x2b,              // b.example.com at 43
            0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x1e,
            0x00, 0x04, 0xc0, 0x00, 0x02, 0x07,
        ])
    }

    @Test func nxdomainAndTCPFraming() {
        var r = DNSMessageFields(id: 1, isResponse: true, questionName: "x.invalid", questionType: .aaaa)
        r.responseCode = .nameError
        let m = DNSMessage.build(r)
        #expect(m[3] & 0x0f == 3)
        let framed = DNSMessage.tcpFramed(m)
        #expect(Array(framed[0..<2]) == [0, UInt8(m.count)])
        #expect(Array(framed[2...]) == m)
    }
}
