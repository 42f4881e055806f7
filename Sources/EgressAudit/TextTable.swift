/// Aligned plain-text columns for terminal reports: numbers right-aligned,
/// text left-aligned, two spaces between columns.
///
/// Given a `width` (the terminal's columns), a table wider than it shrinks
/// its widest text columns until it fits: a cell too long for its column is
/// cut with an ellipsis, or, in a column marked `.wrap`, continues on the
/// next lines. Widths count what the terminal shows: ANSI colour sequences
/// take no room.
public struct TextTable {
    public enum Alignment { case left, right }
    /// What a text cell does when its column is narrower than it.
    public enum Overflow { case truncate, wrap }
    private var headers: [String]
    private var alignments: [Alignment]
    private var overflows: [Overflow]
    private var rows: [[String]] = []
    /// A text column is not shrunk below this (its heading is cut like any cell).
    static let minimumShrunkWidth = 8
    /// Stacked, the other columns sit this far right of the first.
    static let stackedIndent = "    "

    public init(_ columns: [(String, Alignment)]) {
        headers = columns.map(\.0)
        alignments = columns.map(\.1)
        overflows = columns.map { _ in .truncate }
    }

    /// Cells of column `index` wrap onto further lines instead of being cut.
    public mutating func wrap(column index: Int) { overflows[index] = .wrap }

    public mutating func add(_ row: [String]) { rows.append(row) }

    /// The table, fitted to `width` columns when one is given: the widest text
    /// columns but the first shrink (cells cut with "…" or wrapped); if that is
    /// not enough, each row's first cell (the name that says what the row is)
    /// goes on a line of its own, whole, with the other columns fitted below it.
    public func render(indent: String = "", width: Int? = nil) -> String {
        var widths = headers.map(\.count)
        for row in rows { for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], visibleWidth(cell)) } }
        guard let width else { return lines(of: [headers] + rows, widths: widths, indent: indent).joined(separator: "\n") }
        // Whatever the columns, no line is wider than the terminal.
        func cut(_ lines: [String]) -> String {
            lines.map { visibleWidth($0) > width ? truncated(plain($0), to: width) : $0 }.joined(separator: "\n")
        }
        let room = width - indent.count
        let fitted = Self.fit(widths, headers: headers, alignments: alignments, room: room, keepingFirst: true)
        if Self.total(fitted) <= room || headers.count < 3 {
            let last = Self.fit(fitted, headers: headers, alignments: alignments, room: room, keepingFirst: false)
            return cut(lines(of: [headers] + rows, widths: last, indent: indent))
        }
        var rest = TextTable(Array(zip(headers.dropFirst(), alignments.dropFirst())))
        rest.overflows = Array(overflows.dropFirst())
        for row in rows { rest.add(Array(row.dropFirst())) }
        let inner = indent + Self.stackedIndent
        let restWidths = rest.naturalWidths()
        let restFitted = Self.fit(restWidths, headers: rest.headers, alignments: rest.alignments, room: width - inner.count, keepingFirst: false)
        var out = [indent + headers[0]] + rest.lines(of: [rest.headers], widths: restFitted, indent: inner)
        for (row, cells) in zip(rows, rest.rows) {
            out += wrapped(plain(row.first ?? ""), width: room).map { indent + $0 }
            out += rest.lines(of: [cells], widths: restFitted, indent: inner)
        }
        return cut(out)
    }

    private func naturalWidths() -> [Int] {
        var widths = headers.map(\.count)
        for row in rows { for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], visibleWidth(cell)) } }
        return widths
    }

    /// Rows as text lines at these widths; a cell wider than its column is cut, or wrapped over several lines.
    private func lines(of table: [[String]], widths: [Int], indent: String) -> [String] {
        func line(_ cells: [String]) -> String {
            var out = indent
            for (i, cell) in cells.enumerated() where i < widths.count {
                let pad = String(repeating: " ", count: max(0, widths[i] - visibleWidth(cell)))
                let isLast = i == cells.count - 1
                out += alignments[i] == .right ? pad + cell : (isLast ? cell : cell + pad)
                if !isLast { out += "  " }
            }
            while out.last == " " { out.removeLast() }
            return out
        }
        var lines: [String] = []
        for cells in table {
            let split: [[String]] = cells.enumerated().map { i, cell in
                guard i < widths.count, visibleWidth(cell) > widths[i] else { return [cell] }
                return overflows[i] == .wrap ? wrapped(plain(cell), width: widths[i]) : [truncated(plain(cell), to: widths[i])]
            }
            let height = split.map(\.count).max() ?? 1
            for k in 0..<height { lines.append(line(split.map { k < $0.count ? $0[k] : "" })) }
        }
        return lines
    }

    static func total(_ widths: [Int]) -> Int { widths.reduce(0, +) + 2 * max(0, widths.count - 1) }

    /// Column widths that fit `room`: the widest text column loses a character
    /// at a time (never below `minimumShrunkWidth`); numbers keep
    /// theirs, and so does the first column when `keepingFirst`.
    static func fit(_ natural: [Int], headers: [String], alignments: [Alignment], room: Int, keepingFirst: Bool) -> [Int] {
        var widths = natural
        while total(widths) > room {
            var widest: Int?
            for i in widths.indices where alignments[i] == .left && !(keepingFirst && i == 0)
                && widths[i] > minimumShrunkWidth {
                if widest.map({ widths[i] > widths[$0] }) ?? true { widest = i }
            }
            guard let i = widest else { break }
            widths[i] -= 1
        }
        return widths
    }
}

/// The columns `text` takes on a terminal: ANSI escape sequences (colour) take none.
public func visibleWidth(_ text: String) -> Int {
    guard text.contains("\u{1B}") else { return text.count }
    return plain(text).count
}

/// `text` without its ANSI escape sequences (ESC [ … final byte).
func plain(_ text: String) -> String {
    guard text.contains("\u{1B}") else { return text }
    var out = "", escaping = false
    for c in text.unicodeScalars {
        if escaping {
            if c.value >= 0x40 && c.value <= 0x7E && c != "[" { escaping = false }
        } else if c == "\u{1B}" {
            escaping = true
        } else {
            out.unicodeScalars.append(c)
        }
    }
    return out
}

/// At most `width` characters, the last an ellipsis when something was cut.
public func truncated(_ text: String, to width: Int) -> String {
    guard text.count > width else { return text }
    guard width > 1 else { return String(repeating: "…", count: max(0, width)) }
    return String(text.prefix(width - 1)) + "…"
}

/// `text` in lines of at most `width` characters, broken at spaces (a word
/// longer than a line is broken after a dot, dash, colon or slash, else cut).
public func wrapped(_ text: String, width: Int) -> [String] {
    let width = max(1, width)
    var lines: [String] = [], current = ""
    for word in text.split(separator: " ", omittingEmptySubsequences: true) {
        var word = Substring(word)
        if !current.isEmpty && current.count + 1 + word.count <= width {
            current += " " + word
            continue
        }
        if !current.isEmpty { lines.append(current); current = "" }
        while word.count > width {
            // Names and addresses break best after a dot, dash, colon or slash.
            let head = word.prefix(width)
            let cut = head.lastIndex { ".-:/_,".contains($0) }.map { head.distance(from: head.startIndex, to: $0) + 1 } ?? width
            let taken = cut > width / 3 ? cut : width
            lines.append(String(word.prefix(taken)))
            word = word.dropFirst(taken)
        }
        current = String(word)
    }
    if !current.isEmpty || lines.isEmpty { lines.append(current) }
    return lines
}

/// Thousands separators for counts in text reports (1234567 → "1,234,567").
public func grouped(_ n: Int) -> String {
    let digits = String(n.magnitude)
    var out = ""
    for (i, c) in digits.enumerated() {
        if i > 0 && (digits.count - i) % 3 == 0 { out += "," }
        out.append(c)
    }
    return n < 0 ? "-" + out : out
}
