#if canImport(Glibc)
import Glibc
#endif

/// Dropping root once the capture handle is open (dumpcap's model): the
/// analysis and the report run as an ordinary user.
enum Privileges {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Becomes `name` (its primary group, no supplementary groups) and checks
    /// that root cannot be regained. Only meaningful when running as root.
    static func drop(to name: String) throws {
        guard geteuid() == 0 else { throw Failure(description: "dropping to another user needs root; run without --user") }
        guard let entry = getpwnam(name) else { throw Failure(description: "no such user") }
        let uid = entry.pointee.pw_uid, gid = entry.pointee.pw_gid
        guard setgroups(0, nil) == 0, setgid(gid) == 0, setuid(uid) == 0 else {
            throw Failure(description: "cannot switch user: \(String(cString: strerror(errno)))")
        }
        // setuid from root to a non-root uid must be irreversible.
        if uid != 0 && setuid(0) == 0 { throw Failure(description: "root could be regained after switching; refusing to go on") }
    }
}
