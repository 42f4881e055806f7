import Foundation
import TestSupport

/// The workspace's real public captures with tshark ground truth
/// (`<repo>/../shared/captures/real/manifest.json`); absent on some machines
/// (tests declare `.requires(.shared)`).
enum SharedCaptures {
    static let folder = RealCaptures.folder

    struct Entry: Decodable {
        let file: String
        let packet_count: Int
        let tcp_dst_ports: [Int]
        let flows: Int
        let truncated_frames: Int
        let malformed_frames: Int
        let sni: [String]
        let quic_sni: [String]
        let http_hosts: [String]
        let dns: [DNS]
    }

    struct DNS: Decodable {
        let qname: String
        let answers: [String]
        let answer_records: [[String]]
    }

    static func manifest() throws -> [Entry] {
        struct M: Decodable { let captures: [Entry] }
        let captures = try JSONDecoder().decode(M.self, from: Data(contentsOf: folder.appendingPathComponent("manifest.json"))).captures
        try RealCaptures.requireFullManifest(captures.count)
        return captures
    }

    static func path(_ file: String) -> String { RealCaptures.path(file) }
}
