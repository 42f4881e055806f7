import Foundation

/// Why a file cannot be read or written, in the operator's words ("no such
/// file", "is a directory", "permission denied"), from the file system itself
/// rather than Foundation's error text ("The operation could not be
/// completed", "NSCocoaErrorDomain error 512"), which says neither what was
/// wrong nor what to do.
public enum FileProblem {
    /// Why `path` cannot be read as a file, or nil when it can.
    public static func reading(_ path: String) -> String? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return "no such file" }
        if isDirectory.boolValue { return "is a directory, not a file" }
        if access(path, R_OK) != 0 { return "cannot be read (\(String(cString: strerror(errno))))" }
        return nil
    }

    /// Why a file cannot be written at `path` (replaced through a temporary
    /// file beside it), or nil when nothing is known to stop it.
    public static func writing(_ path: String) -> String? {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            return "is a directory: name a file, e.g. \((path as NSString).appendingPathComponent("report.json"))"
        }
        let folder = (path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory) else {
            return "the folder \(folder) does not exist: create it first"
        }
        guard isDirectory.boolValue else { return "\(folder) is not a folder" }
        if access(folder, W_OK) != 0 { return "the folder \(folder) is not writable (\(String(cString: strerror(errno))))" }
        return nil
    }

    /// The reason a failed read or write gives, from the file system when it can tell, else the system's error number.
    public static func describe(_ error: any Error, path: String, writing: Bool) -> String {
        if let reason = writing ? Self.writing(path) : Self.reading(path) { return reason }
        let ns = error as NSError
        if let underlying = ns.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        if ns.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(ns.code))) }
        return writing ? "the write failed (disk full or the file system is read-only?)" : "the read failed"
    }
}
