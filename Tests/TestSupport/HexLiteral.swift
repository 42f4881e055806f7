/// Bytes written as hex in a test (RFC vectors, hand-built frames): whitespace
/// is ignored and `//` starts a comment that runs to the end of the line.
/// Traps only on a malformed literal in the test itself (an odd digit count).
public func hexBytes(_ hex: String) -> [UInt8] {
    let code = hex.split(separator: "\n", omittingEmptySubsequences: false)
        .map { line in String(line.firstRange(of: "//").map { line[..<$0.lowerBound] } ?? line[...]) }
        .joined(separator: " ")
    let digits = code.unicodeScalars.compactMap { scalar -> UInt8? in
        switch scalar {
        case "0"..."9": UInt8(scalar.value - 48)
        case "a"..."f": UInt8(scalar.value - 87)
        case "A"..."F": UInt8(scalar.value - 55)
        default: nil
        }
    }
    precondition(digits.count % 2 == 0, "odd hex literal")
    return stride(from: 0, to: digits.count, by: 2).map { digits[$0] << 4 | digits[$0 + 1] }
}
