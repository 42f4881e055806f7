import EgressPolicy
import Foundation
import FuzzSupport
import Yams

/// The profile reader on YAML node trees carved from the fuzzer's bytes, skipping YAML
/// text. `ProfileLoader` (the text target) spends two thirds of each execution in Yams
/// composing the document and runs a few hundred inputs a second; this one hands
/// `ProfileLoader.load(node:file:)` a tree directly, so the reader's own checks (keys,
/// placeholders, ports, conditions, references, expansion) meet far more inputs.
///
/// Encoding, front to back (`TreeCoding.node`): a node's first byte `b` picks its kind from
/// `b % 4`: 0 a scalar from `vocabulary` (index in the next byte), 1 a scalar of raw bytes
/// (length in the next byte), 2 a mapping of `(b >> 2) % 64` key/value pairs, 3 a
/// sequence of `(b >> 2) % 64` nodes. A scalar's style comes from `(b >> 2) % 8`.
/// Past depth 8 a mapping or sequence reads as an empty scalar. `-encode DIR FILE…`
/// writes each YAML or JSON file as such a tree (the seeds: the text target's corpus).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var input = FuzzInput(data, size)
    let root = TreeCoding.node(&input, depth: 0)
    do {
        let profile = try ProfileLoader.load(node: root, file: "fuzz.yaml")
        _ = try? profile.expand()
    } catch {
        fuzzCheck(!error.errors.isEmpty, "load failed without an error")
        _ = error.description
    }
    return 0
}

enum TreeCoding {
    static let maximumDepth = 8

    /// One implicit tag for every node: `Tag.implicit` builds a new tag with its resolver
    /// tables each time it is read (a fifth of each execution when read per node). Read by
    /// the fuzzer's one thread only.
    nonisolated(unsafe) static let implicit = Tag.implicit

    /// Words a profile is made of: its keys, the values with meaning to the reader, and
    /// edge cases of each (ports, patterns, placeholders, nulls).
    static let vocabulary: [String] = {
        let keys = [
            "id", "title", "source", "dialect", "description", "transcribed", "parameters", "features", "rules",
            "unmodelled", "document", "table", "row", "reason", "text", "url", "date", "section", "name", "kind",
            "values", "default", "placeholders", "direction", "sources", "destinations", "ports", "transport",
            "required", "feature", "when", "purpose", "note", "fqdn", "serviceTag", "cidr", "fqdnTag", "answer",
        ]
        let values = [
            "", "~", "null", "Null", "NULL", "true", "false", "yes", "no", "0", "1", "-1", "22", "80", "443",
            "1024-65535", "80,443", "443-80", "65535", "65536", "any", "*", "*.", "*.azure.com", "*.*.com",
            "management.azure.com", "a..b", "-a.com", "xn--bcher-kva.example", "<region>", "{region}", "<", "{}",
            "<nope>", "<name>.blob.core.windows.net", "region", "westus", "West US", "choice", "cidr-list", "dns-label",
            "AzureCloud", "Storage.<region>", "AzureMonitor", "AzureKubernetesService", "HDInsight", "10.0.0.0/8",
            "10.1.2.3/33", "::/0", "2001:db8::/129", "1.2.3.4", "2024-01-31", "2024-13-45", "https://learn.microsoft.com/x",
            "ftp://x", "r1", "r2", "p", "f", "doc", "t1",
        ]
        return keys + values
            + FQDNDialect.allCases.map(\.rawValue) + RuleDirection.allCases.map(\.rawValue)
            + RuleTransport.allCases.map(\.rawValue)
    }()

    /// A scalar's style from three bits (plain the most often: only plain scalars can be null).
    static func style(_ bits: UInt8) -> Node.Scalar.Style {
        switch bits % 8 {
        case 1: return .singleQuoted
        case 2: return .doubleQuoted
        case 3: return .literal
        case 4: return .folded
        case 6: return .any
        default: return .plain
        }
    }

    static func bits(_ style: Node.Scalar.Style) -> UInt8 {
        switch style {
        case .singleQuoted: return 1
        case .doubleQuoted: return 2
        case .literal: return 3
        case .folded: return 4
        case .any: return 6
        case .plain: return 0
        }
    }

    /// Reads a tree. Its nodes have no marks (Yams makes them only while parsing text), so
    /// the reader's errors name their paths without line:column.
    static func node(_ input: inout FuzzInput, depth: Int) -> Node {
        let b = input.u8()
        let count = Int(b >> 2) % 64
        switch b % 4 {
        case 0:
            let word = vocabulary[Int(input.u8()) % vocabulary.count]
            return .scalar(.init(word, implicit, style(b >> 2)))
        case 1:
            let bytes = input.chunk(Int(input.u8()))
            return .scalar(.init(String(decoding: bytes, as: UTF8.self), implicit, style(b >> 2)))
        case 2 where depth < maximumDepth:
            var pairs: [(Node, Node)] = []
            for _ in 0..<count where !input.isEmpty {
                let key = node(&input, depth: depth + 1)
                pairs.append((key, node(&input, depth: depth + 1)))
            }
            return .mapping(.init(pairs, implicit))
        case 3 where depth < maximumDepth:
            var nodes: [Node] = []
            for _ in 0..<count where !input.isEmpty { nodes.append(node(&input, depth: depth + 1)) }
            return .sequence(.init(nodes, implicit))
        default:
            return .scalar(.init("", implicit, .plain))
        }
    }

    /// Writes `node` in the encoding `node(_:depth:)` reads. Lists and mappings past 63 entries and
    /// scalars past 255 bytes are cut; an alias, or a list or mapping past the depth limit, is
    /// written as the plain scalar `vocabulary[0]`.
    static func encode(_ node: Node, depth: Int = 0, into out: inout [UInt8]) {
        switch node {
        case .scalar(let scalar):
            let style = bits(scalar.style)
            if let index = vocabulary.firstIndex(of: scalar.string), index < 256 {
                out += [style << 2 | 0, UInt8(index)]
            } else {
                let bytes = Array(scalar.string.utf8.prefix(255))
                out += [style << 2 | 1, UInt8(bytes.count)] + bytes
            }
        case .mapping(let mapping) where depth < maximumDepth:
            let pairs = Array(mapping.prefix(63))
            out.append(UInt8(pairs.count) << 2 | 2)
            for (key, value) in pairs {
                encode(key, depth: depth + 1, into: &out)
                encode(value, depth: depth + 1, into: &out)
            }
        case .sequence(let sequence) where depth < maximumDepth:
            let nodes = Array(sequence.prefix(63))
            out.append(UInt8(nodes.count) << 2 | 3)
            for item in nodes { encode(item, depth: depth + 1, into: &out) }
        default:
            out += [0, 0]
        }
    }
}

@main enum Main {
    static func main() {
        let arguments = CommandLine.arguments
        if arguments.count >= 3, arguments[1] == "-encode" {
            var written = 0
            for path in arguments.dropFirst(3) {
                guard let text = try? String(contentsOfFile: path, encoding: .utf8),
                    let node = try? Yams.compose(yaml: text)
                else { continue }
                var bytes: [UInt8] = []
                TreeCoding.encode(node, into: &bytes)
                let name = (path as NSString).lastPathComponent
                if FileManager.default.createFile(atPath: arguments[2] + "/" + name, contents: Data(bytes)) { written += 1 }
            }
            print("encoded \(written) trees into \(arguments[2])")
            return
        }
        runFuzzer(fuzz)
    }
}
