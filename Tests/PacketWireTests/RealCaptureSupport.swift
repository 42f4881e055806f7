import Foundation
import TestSupport

/// A minimal pcap/pcapng reader for the agreement tests only (the project's
/// real reader is libpcap behind PacketCapture): enough to hand each frame,
/// its link type and its original length to the decoder.
struct CaptureRecord {
    var linkType: Int32
    var originalLength: Int
    var bytes: ArraySlice<UInt8>
}

enum CaptureFileError: Error { case unknownFormat, cut(Int) }

func readCaptureFile(_ path: String) throws -> [CaptureRecord] {
    guard let data = FileManager.default.contents(atPath: path) else { throw CaptureFileError.unknownFormat }
    let b = [UInt8](data)
    guard b.count >= 24 else { throw CaptureFileError.unknownFormat }
    func u32(_ o: Int, _ little: Bool) -> UInt32 {
        let v = UInt32(b[o]) << 24 | UInt32(b[o + 1]) << 16 | UInt32(b[o + 2]) << 8 | UInt32(b[o + 3])
        return little ? v.byteSwapped : v
    }
    func u16(_ o: Int, _ little: Bool) -> UInt16 {
        let v = UInt16(b[o]) << 8 | UInt16(b[o + 1])
        return little ? v.byteSwapped : v
    }
    var out: [CaptureRecord] = []
    let magicBE = u32(0, false)
    if [0xa1b2_c3d4, 0xa1b2_3c4d, 0xd4c3_b2a1, 0x4d3c_b2a1].contains(magicBE) {
        // Classic pcap: 24-byte file header, then 16-byte record headers.
        let little = magicBE == 0xd4c3_b2a1 || magicBE == 0x4d3c_b2a1
        let link = Int32(u32(20, little) & 0xffff)
        var o = 24
        while o + 16 <= b.count {
            let caplen = Int(u32(o + 8, little)), orig = Int(u32(o + 12, little))
            guard o + 16 + caplen <= b.count else { throw CaptureFileError.cut(o) }
            out.append(CaptureRecord(linkType: link, originalLength: orig, bytes: b[(o + 16)..<(o + 16 + caplen)]))
            o += 16 + caplen
        }
        return out
    }
    guard magicBE == 0x0a0d_0d0a else { throw CaptureFileError.unknownFormat }
    // pcapng: blocks of (type, total length, body, total length); SHB sets byte order.
    var little = true
    var interfaces: [Int32] = []
    var o = 0
    while o + 12 <= b.count {
        if u32(o, false) == 0x0a0d_0d0a {
            little = u32(o + 8, false) == 0x4d3c_2b1a
            interfaces = []
        }
        let type = u32(o, little), length = Int(u32(o + 4, little))
        guard length >= 12, o + length <= b.count else { throw CaptureFileError.cut(o) }
        switch type {
        case 1: // Interface Description Block
            interfaces.append(Int32(u16(o + 8, little)))
        case 6: // Enhanced Packet Block
            let iface = Int(u32(o + 8, little)), caplen = Int(u32(o + 20, little)), orig = Int(u32(o + 24, little))
            guard iface < interfaces.count, o + 28 + caplen <= b.count else { throw CaptureFileError.cut(o) }
            out.append(CaptureRecord(linkType: interfaces[iface], originalLength: orig, bytes: b[(o + 28)..<(o + 28 + caplen)]))
        case 3: // Simple Packet Block
            let orig = Int(u32(o + 8, little)), caplen = min(orig, length - 16)
            guard let link = interfaces.first else { throw CaptureFileError.cut(o) }
            out.append(CaptureRecord(linkType: link, originalLength: orig, bytes: b[(o + 12)..<(o + 12 + caplen)]))
        default:
            break
        }
        o += length
    }
    return out
}

/// The shared folder of real captures (TestSupport's `RealCaptures`).
let realCapturesFolder = RealCaptures.folder.path
