import Foundation

/// Where tests put the files and folders they make: one folder for the whole
/// test process, `<temporary directory>/egress-audit-test-run-<pid>-<random>`,
/// made the first time a test asks for a place and removed, with everything in
/// it, when the process exits. A test may still remove what it made as soon as
/// it is done (a large capture); what it leaves, or leaves on a failure, goes
/// with the folder. Child processes (the CLI tests' tool) may be handed these
/// paths: the folder lives until the test process itself ends.
public enum TestScratch {
    /// The process's folder. A static let's initialiser runs once, thread-safely,
    /// however many tests ask at once; it registers the removal at exit.
    public static let root: URL = {
        let name = "egress-audit-test-run-\(getpid())-\(UUID().uuidString.prefix(8).lowercased())"
        let url = FileManager.default.temporaryDirectory.appendingPathComponent(name, isDirectory: true)
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
            // Traversable by the CLI tests' tool run as `nobody`, whatever the umask.
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
        } catch {
            fatalError("cannot make the tests' temporary folder \(url.path): \(error)")
        }
        // A C function pointer: the closure captures nothing and reads the (by then made) root.
        atexit { TestScratch.removeRoot() }
        return url
    }()

    /// A fresh folder of its own in the run's folder, `<prefix>-<UUID>`, made.
    public static func directory(_ prefix: String) throws -> URL {
        let url = root.appendingPathComponent("\(prefix)-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: false)
        return url
    }

    /// A path no other test is given, `<run's folder>/<UUID>-<name>` (so the
    /// name's extension is kept): not made; the test writes it.
    public static func path(_ name: String) -> String {
        root.appendingPathComponent("\(UUID().uuidString)-\(name)").path
    }

    /// At exit: the run's folder and everything in it.
    private static func removeRoot() {
        try? FileManager.default.removeItem(at: root)
    }
}
