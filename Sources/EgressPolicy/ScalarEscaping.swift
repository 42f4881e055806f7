extension String {
    /// The text with each Unicode scalar for which `replacement` returns a text written as that
    /// text, every other scalar as it is: the one loop behind the escapers (`ProfileJSON.string`,
    /// the profile loader's quoted values in messages, `AuditReportHTML.escape`), each of which
    /// says only what it replaces.
    @inlinable
    public func escapingScalars(_ replacement: (Unicode.Scalar) -> String?) -> String {
        var out = ""
        out.reserveCapacity(utf8.count)
        for scalar in unicodeScalars {
            if let text = replacement(scalar) { out += text } else { out.unicodeScalars.append(scalar) }
        }
        return out
    }
}
