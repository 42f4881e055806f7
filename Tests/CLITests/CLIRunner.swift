import Foundation
import TestSupport

/// Runs the built `egress-audit` executable the way an operator would.
enum CLI {
    /// The build products folder: the test bundle sits beside the executables.
    static let productsDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    static let executable = productsDirectory.appendingPathComponent("egress-audit").path
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let sharedCaptures = RealCaptures.folder

    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    static func run(_ arguments: [String], environment: [String: String]? = nil, prefix: [String] = []) throws -> Result {
        let p = Process()
        if prefix.isEmpty {
            p.executableURL = URL(fileURLWithPath: executable)
            p.arguments = arguments
        } else {
            p.executableURL = URL(fileURLWithPath: prefix[0])
            p.arguments = Array(prefix.dropFirst()) + [executable] + arguments
        }
        if let environment { p.environment = environment }
        return try complete(p)
    }

    /// Runs another program (not the tool) to completion.
    static func runProgram(_ arguments: [String]) throws -> Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: arguments[0])
        p.arguments = Array(arguments.dropFirst())
        return try complete(p)
    }

    /// Starts `p` and waits for it, collecting both outputs.
    private static func complete(_ p: Process) throws -> Result {
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        // Read both pipes concurrently so a chatty child never blocks on a full pipe.
        nonisolated(unsafe) var errData = Data()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async { errData = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        p.waitUntilExit()
        return Result(status: p.terminationStatus, stdout: String(decoding: outData, as: UTF8.self), stderr: String(decoding: errData, as: UTF8.self))
    }

    static func temporaryDirectory() throws -> URL {
        try TestScratch.directory("egress-audit-cli")
    }
}
