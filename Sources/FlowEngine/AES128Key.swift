import CAES128

/// An AES-128 key expanded into its round keys, inline (176 bytes, no heap),
/// and the two operations QUIC Initial protection needs of it (RFC 9001 §5.3,
/// §5.4.3): one block's encryption for the header-protection mask, and
/// AES-128-GCM decryption of the payload. The arithmetic is CAES128's: AES-NI
/// and PCLMULQDQ where the CPU has them, portable C elsewhere.
struct AES128Key: Sendable {
    private var expanded = egress_aes128_key()
    /// Whether calls take CAES128's AES-NI path (false: its portable rounds, the reference the tests compare it with).
    let hardware: Bool

    /// Whether this CPU has AES-NI and PCLMULQDQ.
    static let hardwareAvailable = egress_aes128_has_hardware() != 0

    /// `bytes`: the 16-byte key.
    init(_ bytes: UnsafeRawBufferPointer, hardware: Bool = AES128Key.hardwareAvailable) {
        precondition(bytes.count == 16, "AES-128 takes a 16-byte key")
        self.hardware = hardware && Self.hardwareAvailable
        egress_aes128_expand(&expanded, bytes.baseAddress!.assumingMemoryBound(to: UInt8.self))
    }

    /// The key's 16 bytes (its first round key): for tests and diagnostics.
    var bytes: [UInt8] { withUnsafeBytes(of: expanded.rounds) { Array($0.prefix(16)) } }

    /// Encrypts one 16-byte block in place.
    func encrypt(_ block: inout (UInt64, UInt64)) {
        withUnsafePointer(to: expanded) { key in
            withUnsafeMutableBytes(of: &block) { raw in
                let bytes = raw.baseAddress!.assumingMemoryBound(to: UInt8.self)
                egress_aes128_encrypt_block(key, bytes, bytes, hardware ? 1 : 0)
            }
        }
    }

    /// AES-128-GCM decryption (NIST SP 800-38D) of `ciphertext` into
    /// `plaintext` (room for `ciphertext.count` bytes, not overlapping it) with
    /// a 12-byte `nonce`; true when `tag` authenticates `ciphertext` and `aad`.
    func open(nonce: UnsafeRawBufferPointer, aad: UnsafeRawBufferPointer, ciphertext: UnsafeRawBufferPointer,
              tag: UnsafeRawBufferPointer, into plaintext: UnsafeMutableRawPointer) -> Bool {
        precondition(nonce.count >= 12 && tag.count == 16)
        return withUnsafePointer(to: expanded) { key in
            egress_aes128_gcm_open(
                key, nonce.baseAddress!.assumingMemoryBound(to: UInt8.self),
                aad.baseAddress?.assumingMemoryBound(to: UInt8.self), aad.count,
                ciphertext.baseAddress?.assumingMemoryBound(to: UInt8.self), ciphertext.count,
                tag.baseAddress!.assumingMemoryBound(to: UInt8.self), plaintext.assumingMemoryBound(to: UInt8.self),
                hardware ? 1 : 0) == 1
        }
    }
}
