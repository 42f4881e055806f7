/// A policy input file (service tags, IP ranges) that could not be used:
/// which file, where inside it (a JSON path such as
/// `values[12].properties.addressPrefixes[3]`), what was expected there and
/// what was found.
public struct PolicyLoadError: Error, Hashable, Sendable, CustomStringConvertible {
    public let file: String
    /// JSON path of the offending value; "" for the file as a whole.
    public let path: String
    public let expected: String
    public let found: String

    public init(file: String, path: String, expected: String, found: String) {
        self.file = file
        self.path = path
        self.expected = expected
        self.found = found
    }

    public var description: String {
        let location = path.isEmpty ? file : "\(file): \(path)"
        return "\(location): expected \(expected), found \(found)"
    }
}
