import Foundation

/// Runs an independent tool (tshark, editcap, …) to its end: the one place the
/// test targets start such a process and read its standard output.
public enum ToolOutput {
    /// Exit status and standard output (standard error is discarded).
    @discardableResult
    public static func run(_ executable: String, _ arguments: [String]) throws -> (status: Int32, stdout: Data) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, data)
    }
}
