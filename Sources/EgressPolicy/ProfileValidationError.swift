/// One thing wrong with a profile document or with the values given to expand it.
///
/// Errors are data: where (file, line:column as Yams/libyaml reports them, 1-based,
/// columns counted in Unicode scalars), which element (`rules[3].ports`), what the
/// format expects there and what was found. `description` renders the
/// compiler-style line operators paste into editors:
/// `FILE:LINE:COLUMN: rules[3].ports: expected …, found "http"`.
public struct ProfileValidationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// File name as given to the loader, or `<parameters>` for expansion input.
    public var file: String
    public var line: Int?
    public var column: Int?
    /// Path of the offending element, e.g. `rules[3].ports`; empty for the whole document.
    public var path: String
    /// What the format expects at `path`.
    public var expected: String
    /// What was there instead, already quoted or described (`"http"`, `a mapping`).
    public var found: String?
    /// The nearest allowed spelling, when the value looks like a typo.
    public var suggestion: String?

    public init(
        file: String, line: Int? = nil, column: Int? = nil, path: String,
        expected: String, found: String? = nil, suggestion: String? = nil
    ) {
        self.file = file
        self.line = line
        self.column = column
        self.path = path
        self.expected = expected
        self.found = found
        self.suggestion = suggestion
    }

    public var description: String {
        var text = file
        if let line {
            text += ":\(line)"
            if let column { text += ":\(column)" }
        }
        text += ": "
        if !path.isEmpty { text += path + ": " }
        text += "expected " + expected
        if let found { text += ", found " + found }
        if let suggestion { text += " (did you mean \"\(suggestion)\"?)" }
        return text
    }
}

/// Every error found in one load or expansion; loading reports them all, not only the first.
public struct ProfileValidationErrors: Error, Sendable, Hashable, CustomStringConvertible {
    public var errors: [ProfileValidationError]

    public init(_ errors: [ProfileValidationError]) {
        self.errors = errors
    }

    public var description: String {
        errors.map(\.description).joined(separator: "\n")
    }
}

/// Closest candidate by edit distance, if close enough to be a plausible typo.
func nearestSpelling(to word: String, among candidates: [String]) -> String? {
    let target = Array(word.lowercased().unicodeScalars)
    // A third of the length (at least 2) separates typos from different words.
    let limit = max(2, target.count / 3)
    var best: (name: String, distance: Int)?
    for candidate in candidates {
        let spelling = Array(candidate.lowercased().unicodeScalars)
        // The distance is at least the difference in length: a candidate further than the
        // limit that way can be neither suggested nor closer than one that can (a key of
        // 200 hostile characters costs no 200-by-n table per candidate).
        guard abs(spelling.count - target.count) <= limit else { continue }
        let distance = editDistance(target, spelling)
        if distance < (best?.distance ?? Int.max) { best = (candidate, distance) }
    }
    guard let best else { return nil }
    return best.distance <= limit ? best.name : nil
}

private func editDistance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar]) -> Int {
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var previous = Array(0...b.count)
    var current = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        current[0] = i
        for j in 1...b.count {
            let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
            current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
        }
        swap(&previous, &current)
    }
    return previous[b.count]
}
