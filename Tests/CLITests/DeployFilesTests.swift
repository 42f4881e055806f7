import Foundation
import TestSupport
import Testing

/// The deployment files in `deploy/` say what they claim: they parse, the
/// containers are non-root with exactly NET_RAW added, the
/// systemd unit passes `systemd-analyze verify`, and the profiles and profile
/// options they carry are ones the tool accepts.
@Suite struct DeployFilesTests {
    static let deploy = CLI.repoRoot.appendingPathComponent("deploy")
    static let python = NetworkNamespaceLab.which("python3")
    static let systemdAnalyze = Prerequisite.systemdAnalyze.path

    /// Every document of a YAML file, through python3's yaml.safe_load_all, as JSON.
    static func documents(_ relative: String) throws -> [[String: Any]] {
        let path = deploy.appendingPathComponent(relative).path
        let r = try CLI.runProgram([try #require(python), "-c", "import sys, json, yaml; json.dump(list(yaml.safe_load_all(open(sys.argv[1]))), sys.stdout)", path])
        try #require(r.status == 0, "\(relative) does not parse: \(r.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]])
    }

    static func document(_ docs: [[String: Any]], kind: String) -> [String: Any]? { docs.first { $0["kind"] as? String == kind } }

    static func podSpec(_ workload: [String: Any]?) -> [String: Any] {
        ((workload?["spec"] as? [String: Any])?["template"] as? [String: Any])?["spec"] as? [String: Any] ?? [:]
    }

    static func container(_ pod: [String: Any], _ name: String) -> [String: Any]? {
        (pod["containers"] as? [[String: Any]])?.first { $0["name"] as? String == name }
    }

    /// The least privilege the docs promise, for one container (with its pod's security context).
    static func expectLeastPrivilege(_ c: [String: Any]?, pod: [String: Any]) {
        let sc = c?["securityContext"] as? [String: Any] ?? [:]
        let podSC = pod["securityContext"] as? [String: Any] ?? [:]
        #expect((sc["runAsNonRoot"] ?? podSC["runAsNonRoot"]) as? Bool == true)
        #expect((sc["runAsUser"] ?? podSC["runAsUser"]) as? Int == 65534)
        #expect(sc["allowPrivilegeEscalation"] as? Bool == false)
        #expect(sc["readOnlyRootFilesystem"] as? Bool == true)
        #expect(sc["privileged"] as? Bool != true)
        let caps = sc["capabilities"] as? [String: Any]
        #expect(caps?["drop"] as? [String] == ["ALL"])
        #expect(caps?["add"] as? [String] == ["NET_RAW"])
        let limits = (c?["resources"] as? [String: Any])?["limits"] as? [String: Any]
        #expect(limits?["memory"] != nil && limits?["cpu"] != nil)
        let args = c?["args"] as? [String] ?? []
        #expect(args.first == "live")
        // Where the report goes is written atomically and periodically, and survives SIGTERM.
        #expect(args.contains("--snapshot-every") && args.contains("--output") && args.contains("--json"))
    }

    /// `--param` and `--feature` values of a container's args, for `profiles show`.
    static func profileOptions(_ args: [String]) -> [String] {
        var out: [String] = []
        for (i, a) in args.enumerated() where (a == "--param" || a == "--feature") && i + 1 < args.count {
            out += [a, args[i + 1]]
        }
        return out
    }

    @Test(.requires(.pyyaml))
    func theDaemonSetIsOnTheHostNetworkAsNobodyWithOnlyNetRaw() throws {
        let docs = try Self.documents("kubernetes/daemonset.yaml")
        let ds = Self.document(docs, kind: "DaemonSet")
        let pod = Self.podSpec(ds)
        #expect(pod["hostNetwork"] as? Bool == true)
        let c = Self.container(pod, "egress-audit")
        Self.expectLeastPrivilege(c, pod: pod)
        // The profile the ConfigMap carries is valid, and it is the file the args name.
        let profile = try #require((Self.document(docs, kind: "ConfigMap")?["data"] as? [String: Any])?["profile.yaml"] as? String)
        let mount = (c?["volumeMounts"] as? [[String: Any]])?.first { $0["name"] as? String == "profile" }?["mountPath"] as? String
        #expect((c?["args"] as? [String])?.contains("\(mount ?? "?")/profile.yaml") == true)
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("profile.yaml").path
        try profile.write(toFile: file, atomically: true, encoding: .utf8)
        let validate = try CLI.run(["profiles", "validate", file])
        #expect(validate.status == 0, "\(validate.stdout)\(validate.stderr)")
    }

    @Test(.requires(.pyyaml))
    func theSidecarSharesTheGatewayPodNetworkWithoutHostNetwork() throws {
        let docs = try Self.documents("kubernetes/self-hosted-gateway-sidecar.yaml")
        let pod = Self.podSpec(Self.document(docs, kind: "Deployment"))
        #expect(pod["hostNetwork"] as? Bool != true)
        let gateway = try #require(Self.container(pod, "contoso-gateway"))
        #expect((gateway["image"] as? String)?.hasPrefix("mcr.microsoft.com/azure-api-management/gateway:") == true)
        let sidecar = Self.container(pod, "egress-audit")
        Self.expectLeastPrivilege(sidecar, pod: pod)
        let args = sidecar?["args"] as? [String] ?? []
        let profile = try #require(args.firstIndex(of: "--profile").map { args[$0 + 1] })
        // The built-in profile accepts the parameters and features the sidecar passes.
        let show = try CLI.run(["profiles", "show", profile] + Self.profileOptions(args))
        #expect(show.status == 0, "\(show.stderr)")
        #expect(!show.stderr.contains("widened"), "every placeholder of the enabled rules is set: \(show.stderr)")
    }

    @Test(.requires(.pyyaml))
    func theOpenShiftSCCAllowsNonRootWithNetRawOnly() throws {
        let scc = try #require(Self.document(try Self.documents("openshift/egress-audit-scc.yaml"), kind: "SecurityContextConstraints"))
        #expect(scc["apiVersion"] as? String == "security.openshift.io/v1")
        #expect((scc["runAsUser"] as? [String: Any])?["type"] as? String == "MustRunAsNonRoot")
        #expect(scc["requiredDropCapabilities"] as? [String] == ["ALL"])
        #expect(scc["allowedCapabilities"] as? [String] == ["NET_RAW"])
        #expect(scc["allowPrivilegedContainer"] as? Bool == false)
        #expect(scc["allowPrivilegeEscalation"] as? Bool == false)
        #expect(scc["allowHostNetwork"] as? Bool == true)
        // Every volume kind the manifests mount is allowed.
        let allowed = Set(scc["volumes"] as? [String] ?? [])
        for file in ["kubernetes/daemonset.yaml", "kubernetes/self-hosted-gateway-sidecar.yaml"] {
            for doc in try Self.documents(file) where ["DaemonSet", "Deployment"].contains(doc["kind"] as? String ?? "") {
                for volume in Self.podSpec(doc)["volumes"] as? [[String: Any]] ?? [] {
                    let kinds = volume.keys.filter { $0 != "name" }
                    #expect(kinds.allSatisfy { allowed.contains($0) }, "\(file): volume \(volume) not allowed by the SCC")
                }
            }
        }
    }

    @Test(.requires(.systemdAnalyze))
    func theSystemdUnitVerifiesAndHoldsItsHardening() throws {
        let unit = try String(contentsOf: Self.deploy.appendingPathComponent("systemd/egress-audit.service"), encoding: .utf8)
        for line in ["DynamicUser=yes", "AmbientCapabilities=CAP_NET_RAW", "CapabilityBoundingSet=CAP_NET_RAW", "Restart=on-failure",
                     "NoNewPrivileges=yes", "ProtectSystem=strict", "ProtectHome=yes", "PrivateTmp=yes", "StateDirectory=egress-audit",
                     "RestrictAddressFamilies=AF_PACKET AF_INET AF_INET6 AF_UNIX AF_NETLINK", "SystemCallFilter=@system-service",
                     "ExecReload=/bin/kill -HUP $MAINPID"] {
            #expect(unit.split(separator: "\n").contains { $0 == line }, "missing: \(line)")
        }
        // verify checks the executable exists: point it at the one just built.
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let copy = dir.appendingPathComponent("egress-audit.service")
        try unit.replacingOccurrences(of: "/usr/local/bin/egress-audit", with: CLI.executable).write(to: copy, atomically: true, encoding: .utf8)
        let verify = try CLI.runProgram([try #require(Self.systemdAnalyze), "verify", copy.path])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
        #expect(!verify.stderr.contains("egress-audit.service"), "\(verify.stderr)")
    }
}
