import ArgumentParser
import EgressPolicy
import Foundation

/// `egress-audit service-tags FILE… [--max-age-days N] [--copy-to PATH]`:
/// checks tag files before a run relies on them (they parse, what they hold,
/// how old they are) and, for a pod's init container, puts one into a shared
/// volume. The image carries no shell, so the copy is the tool's own.
struct ServiceTagsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "service-tags",
        abstract: "Check service tag / IP range files (.json or .json.gz): what they hold and how old they are.",
        discussion: """
        One line per file: its kind, cloud and changeNumber (Azure), tags, prefixes and age (from the \
        date in a ServiceTags_<Cloud>_YYYYMMDD name, else the modification time). A file older than \
        --max-age-days is warned about, not refused: a stale file still names most addresses. \
        --copy-to copies the one file given to PATH (atomically, modification time kept), as an init \
        container does into an emptyDir. Exit status: 0 usable; 1 a file that does not load or a failed copy.
        """
    )

    @Argument(help: ArgumentHelp("Azure ServiceTags_*.json(.gz), AWS ip-ranges.json, GCP cloud.json.", valueName: "file"))
    var files: [String]

    @Option(help: ArgumentHelp("Warn when a file is older than this many days.", valueName: "days"))
    var maxAgeDays: Int = ServiceTagSources.staleAfterDays

    @Option(help: ArgumentHelp("Copy the (single) file here once it has loaded.", valueName: "path"))
    var copyTo: String?

    func validate() throws {
        if files.isEmpty { throw ValidationError("name at least one file") }
        if maxAgeDays < 1 { throw ValidationError("--max-age-days must be at least 1") }
        if copyTo != nil && files.count != 1 { throw ValidationError("--copy-to takes exactly one file") }
    }

    func run() throws {
        var failed = false
        for file in files {
            do {
                let document = try ServiceTagSources.document(ServiceTagSources.read(file), file: file)
                var what = document.kind.rawValue
                let tags: [ServiceTag]
                switch document.kind {
                case .azure:
                    let azure = try AzureServiceTagFile(document: document, source: file)
                    what = "Azure \(azure.cloud.isEmpty ? "(cloud not named)" : azure.cloud), changeNumber \(azure.changeNumber)"
                    tags = azure.tags
                case .aws: tags = try AWSIPRangesFile(document: document, source: file).tags
                case .gcp: tags = try GCPRangesFile(document: document, source: file).tags
                }
                let age = ServiceTagSources.age(of: file).map { ", \($0.days) days old (by \($0.basis))" } ?? ""
                print("\(file): \(what), \(tags.count) tags, \(tags.reduce(0) { $0 + $1.prefixes.count }) prefixes\(age)")
                if let stale = ServiceTagSources.staleness(of: file, limitDays: maxAgeDays) { Diagnostics.warning(stale) }
            } catch {
                Diagnostics.error("\(error)")
                failed = true
            }
        }
        if failed { throw ExitCode(1) }
        if let copyTo, let file = files.first {
            do { try Self.copy(file, to: copyTo) } catch {
                Diagnostics.error("--copy-to \(copyTo): \(error.localizedDescription)")
                throw ExitCode(1)
            }
            print("copied to \(copyTo)")
        }
    }

    /// Into a temporary file beside `destination`, then renamed over it: a reader never sees half a file.
    static func copy(_ source: String, to destination: String) throws {
        let fm = FileManager.default
        let target = URL(fileURLWithPath: destination)
        let temporary = target.deletingLastPathComponent().appendingPathComponent(".\(target.lastPathComponent).\(getpid()).tmp")
        try? fm.removeItem(at: temporary)
        try fm.copyItem(at: URL(fileURLWithPath: source), to: temporary)
        if let modified = (try? fm.attributesOfItem(atPath: source))?[.modificationDate] {
            try fm.setAttributes([.modificationDate: modified], ofItemAtPath: temporary.path)
        }
        guard rename(temporary.path, target.path) == 0 else {
            let why = String(cString: strerror(errno))
            try? fm.removeItem(at: temporary)
            throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "cannot rename into place (\(why))"])
        }
    }
}
