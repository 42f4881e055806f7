import ArgumentParser
import Foundation

/// How a report meets the terminal: colour, width, and which one format is asked for.
enum TerminalOutput {
    /// Colour only on a TTY, and not with --no-color or a non-empty NO_COLOR (no-color.org).
    static func usesColor(noColor: Bool, output: String?) -> Bool {
        if noColor || output != nil { return false }
        if let value = ProcessInfo.processInfo.environment["NO_COLOR"], !value.isEmpty { return false }
        return isatty(STDOUT_FILENO) == 1
    }

    /// The columns text on standard output should fit: COLUMNS when it is a
    /// positive number, else the terminal's width (TIOCGWINSZ), else none (a
    /// pipe or a file takes whole lines).
    static func width(output: String?) -> Int? {
        guard output == nil else { return nil }
        if let text = ProcessInfo.processInfo.environment["COLUMNS"], let n = Int(text.trimmingCharacters(in: .whitespaces)), n > 0 {
            return max(n, 40)
        }
        guard isatty(STDOUT_FILENO) == 1 else { return nil }
        var size = winsize()
        guard ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return nil }
        return max(Int(size.ws_col), 40)
    }

    /// At most one of the report formats (`--json`, `--markdown`, `--html`,
    /// `--suggest-rules`): two are refused in one line, never silently resolved.
    static func refuseConflicts(_ flags: [(name: String, on: Bool)]) throws {
        let chosen = flags.filter(\.on).map(\.name)
        if chosen.count > 1 {
            throw ValidationError("\(chosen.joined(separator: " and ")) each choose what is printed: give one")
        }
    }
}
