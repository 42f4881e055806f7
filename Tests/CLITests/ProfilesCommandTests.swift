import Foundation
import TestSupport
import Testing

/// `egress-audit profiles` as an operator runs it, including from a binary copied alone
/// (as deploy/image/build-rootfs.sh installs it): the built-in YAML travels inside it.
@Suite struct ProfilesCommandTests {
    static let profilesFolder = CLI.repoRoot.appendingPathComponent("Sources/EgressPolicy/BuiltinProfiles/Profiles")

    /// The binary alone in an empty folder, nothing of the build beside it.
    static func standaloneBinary() throws -> String {
        let dir = try CLI.temporaryDirectory()
        let copy = dir.appendingPathComponent("egress-audit").path
        try FileManager.default.copyItem(atPath: CLI.executable, toPath: copy)
        return copy
    }

    @Test func listShowsEachSourceWithItsDate() throws {
        let r = try CLI.run(["profiles", "list"])
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        // Typed from the documents: the VNet reference's ms.date 01/06/2023, the Cassandra page's 05/21/2021.
        let vnet = try #require(lines.first { $0.hasPrefix("apim-vnet ") })
        #expect(vnet.contains("2023-01-06") && vnet.contains("https://learn.microsoft.com/en-us/azure/api-management/virtual-network-reference"))
        let cassandra = try #require(lines.first { $0.hasPrefix("cassandra-mi ") })
        #expect(cassandra.contains("2021-05-21") && cassandra.contains("https://learn.microsoft.com/en-us/azure/managed-instance-apache-cassandra/network-rules"))
    }

    @Test func showYAMLFromACopiedBinaryIsTheFile() throws {
        let binary = try Self.standaloneBinary()
        for id in ["apim-vnet", "cassandra-mi"] {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: binary)
            p.arguments = ["profiles", "show", id, "--format", "yaml"]
            p.currentDirectoryURL = URL(fileURLWithPath: "/")
            let out = Pipe()
            p.standardOutput = out
            try p.run()
            let data = out.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            #expect(p.terminationStatus == 0)
            let file = try String(contentsOf: Self.profilesFolder.appendingPathComponent("\(id).yaml"), encoding: .utf8)
            #expect(String(decoding: data, as: UTF8.self) == file, "\(id)")
        }
    }

    @Test func showJSONIsJSONOfTheSameProfile() throws {
        let r = try CLI.run(["profiles", "show", "cassandra-mi", "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(object["id"] as? String == "cassandra-mi")
        #expect((object["rules"] as? [Any])?.count == 29)
        let out = try CLI.temporaryDirectory().appendingPathComponent("cassandra-mi.json").path
        try r.stdout.write(toFile: out, atomically: true, encoding: .utf8)
        let validate = try CLI.run(["profiles", "validate", out])
        #expect(validate.status == 0 && validate.stdout.contains("ok — profile cassandra-mi, 29 rules"), "\(validate.stdout)\(validate.stderr)")
    }

    @Test func showFormatWithParametersIsRefusedInOneLine() throws {
        let r = try CLI.run(["profiles", "show", "apim-vnet", "--format", "yaml", "--param", "region=westus"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("--format yaml shows the profile as written"))
    }

    @Test func validatePassesOnEveryBuiltinFile() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.profilesFolder.path).filter { $0.hasSuffix(".yaml") }.sorted()
        #expect(files.count >= 3)
        for file in files {
            let r = try CLI.run(["profiles", "validate", Self.profilesFolder.appendingPathComponent(file).path])
            #expect(r.status == 0 && r.stdout.contains(": ok — profile \(file.dropLast(5)),"), "\(file): \(r.stdout)\(r.stderr)")
        }
    }
}
