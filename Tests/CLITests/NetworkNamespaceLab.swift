import Foundation

/// Two private network namespaces joined by a veth pair, for testing `live`
/// against real kernel traffic without touching any other network: a client
/// (the audited node) and a server standing in for the internet.
///
/// Everything it creates is named after this process's id, so concurrent runs
/// never collide, and `tearDown()` removes it all (call it in a `defer`; it
/// ignores what does not exist, so it also cleans up a half-built lab).
final class NetworkNamespaceLab {
    /// The tools the lab drives, by name → path; nil entries mean absent.
    static let tools: [String: String?] = {
        var found: [String: String?] = [:]
        for name in ["ip", "dnsmasq", "openssl", "dig", "curl", "nft"] { found[name] = which(name) }
        return found
    }()

    static func which(_ name: String) -> String? {
        let path = (ProcessInfo.processInfo.environment["PATH"] ?? "") + ":/usr/sbin:/sbin:/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static func tool(_ name: String) -> String { (tools[name] ?? nil) ?? name }

    let client: String
    let server: String
    let clientLink: String
    let serverLink: String
    let directory: URL
    private var background: [Process] = []
    /// Daemons that detached themselves, by their pid files.
    private var pidFiles: [String] = []

    init(directory: URL, tag: String = String(getpid())) {
        client = "ea-cli-\(tag)"
        server = "ea-srv-\(tag)"
        // Interface names are at most 15 bytes (IFNAMSIZ - 1).
        clientLink = "eac\(tag)"
        serverLink = "eas\(tag)"
        self.directory = directory
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    struct Output {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    /// Runs a command to completion (killed after `timeout` seconds).
    @discardableResult
    func run(_ arguments: [String], timeout: TimeInterval = 10, check: Bool = true) throws -> Output {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: arguments[0])
        p.arguments = Array(arguments.dropFirst())
        // Files, not pipes: nothing can block on a full pipe while we wait.
        let id = UUID().uuidString
        let outURL = directory.appendingPathComponent("run-\(id).out"), errURL = directory.appendingPathComponent("run-\(id).err")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
        defer { try? out.close(); try? err.close() }
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        try Self.spawn(p)
        let end = Date().addingTimeInterval(timeout)
        while p.isRunning && Date() < end { usleep(20_000) }
        if p.isRunning { Self.stop(p) }
        p.waitUntilExit()
        let result = Output(status: p.terminationStatus,
                            stdout: (try? String(contentsOf: outURL, encoding: .utf8)) ?? "",
                            stderr: (try? String(contentsOf: errURL, encoding: .utf8)) ?? "")
        if check && result.status != 0 {
            throw Failure(description: "\(arguments.joined(separator: " ")) exited \(result.status): \(result.stderr)")
        }
        return result
    }

    /// `ip netns exec NS command…` to completion.
    @discardableResult
    func inside(_ namespace: String, _ arguments: [String], timeout: TimeInterval = 10, check: Bool = true) throws -> Output {
        try run([Self.tool("ip"), "netns", "exec", namespace] + arguments, timeout: timeout, check: check)
    }

    /// Starts a long-running command in a namespace; `tearDown()` stops it.
    /// (`ip netns exec` execs the command, so the process is the command itself.)
    @discardableResult
    func start(in namespace: String, _ arguments: [String], log name: String) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Self.tool("ip"))
        p.arguments = ["netns", "exec", namespace] + arguments
        let logURL = directory.appendingPathComponent(name)
        _ = FileManager.default.createFile(atPath: logURL.path, contents: nil)
        let log = try FileHandle(forWritingTo: logURL)
        p.standardOutput = log
        p.standardError = log
        p.standardInput = FileHandle.nullDevice
        try Self.spawn(p)
        try? log.close()
        background.append(p)
        return p
    }

    /// Adopts a process started elsewhere so `tearDown()` stops it too.
    func adopt(_ p: Process) { background.append(p) }

    /// Adopts a daemon that forked away (dnsmasq): `tearDown()` ends the pid in its pid file.
    func adoptDaemon(pidFile: String) { pidFiles.append(pidFile) }

    /// Starts a process with no signal blocked. Test threads (dispatch workers)
    /// block almost every signal and a child inherits that mask across exec,
    /// so without this a server would never see the SIGTERM that ends it.
    static func spawn(_ p: Process) throws {
        var empty = sigset_t(), saved = sigset_t()
        sigemptyset(&empty)
        pthread_sigmask(SIG_SETMASK, &empty, &saved)
        defer { pthread_sigmask(SIG_SETMASK, &saved, nil) }
        try p.run()
    }

    /// The namespaces, the veth between them and the addresses on it. The
    /// server's veth carries every address the scenario's names resolve to.
    func build(serverAddresses: [String], clientAddresses: [String]) throws {
        let ip = Self.tool("ip")
        // A namespace left by a killed earlier run with the same pid would make `add` fail.
        _ = try? run([ip, "netns", "del", client], check: false)
        _ = try? run([ip, "netns", "del", server], check: false)
        try run([ip, "netns", "add", client])
        try run([ip, "netns", "add", server])
        try run([ip, "link", "add", clientLink, "type", "veth", "peer", "name", serverLink])
        try run([ip, "link", "set", clientLink, "netns", client])
        try run([ip, "link", "set", serverLink, "netns", server])
        for (namespace, link, addresses) in [(server, serverLink, serverAddresses), (client, clientLink, clientAddresses)] {
            for address in addresses {
                // IPv6 without duplicate address detection: usable at once, no DAD probes on the wire.
                let extra = address.contains(":") ? ["nodad"] : []
                try run([ip, "-n", namespace, "addr", "add", address, "dev", link] + extra)
            }
            try run([ip, "-n", namespace, "link", "set", "lo", "up"])
            try run([ip, "-n", namespace, "link", "set", link, "up"])
        }
    }

    /// Polls `check` until it returns true or `timeout` passes.
    func waitFor(_ what: String, timeout: TimeInterval = 10, _ check: () -> Bool) throws {
        let end = Date().addingTimeInterval(timeout)
        while Date() < end {
            if check() { return }
            usleep(100_000)
        }
        throw Failure(description: "timed out waiting for \(what)")
    }

    /// SIGTERM, then SIGKILL if it has not ended within two seconds.
    static func stop(_ p: Process) {
        guard p.isRunning else { return }
        p.terminate()
        let end = Date().addingTimeInterval(2)
        while p.isRunning && Date() < end { usleep(20_000) }
        if p.isRunning { kill(p.processIdentifier, SIGKILL) }
        p.waitUntilExit()
    }

    /// Stops every process started here, then deletes both namespaces (which
    /// destroys the veth pair with them).
    func tearDown() {
        for p in background.reversed() { Self.stop(p) }
        background.removeAll()
        for file in pidFiles {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8), let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 1 else { continue }
            kill(pid, SIGTERM)
            let end = Date().addingTimeInterval(2)
            while kill(pid, 0) == 0 && Date() < end { usleep(20_000) }
            if kill(pid, 0) == 0 { kill(pid, SIGKILL) }
        }
        pidFiles.removeAll()
        let ip = Self.tool("ip")
        _ = try? run([ip, "netns", "del", client], check: false)
        _ = try? run([ip, "netns", "del", server], check: false)
        // The veth normally goes with its namespace; this covers a failure before it moved.
        _ = try? run([ip, "link", "del", clientLink], check: false)
    }
}
