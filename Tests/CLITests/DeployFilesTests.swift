import Foundation
import TestSupport
import Testing

/// The deployment files in `deploy/` say what they claim, checked by tools that
/// are not egress-audit: the manifests validate against Kubernetes' own JSON
/// schemas (python3-jsonschema), their pods break exactly the Pod Security rules
/// the namespace label exempts them from (deploy/tools/pod-security-check.py,
/// itself checked on pods with known answers), each SCC admits its one workload
/// and is bound to that workload's service account, the systemd unit passes
/// `systemd-analyze verify` and scores its documented exposure, and the examples'
/// exact arguments audit a bundled capture with findings only about its traffic
/// (the capture's plant list is the truth of what is in it).
@Suite struct DeployFilesTests {
    static let deploy = CLI.repoRoot.appendingPathComponent("deploy")
    static let python = NetworkNamespaceLab.which("python3")
    static let systemdAnalyze = Prerequisite.systemdAnalyze.path
    static let manifests = ["kubernetes/daemonset.yaml", "kubernetes/self-hosted-gateway-sidecar.yaml",
                            "openshift/egress-audit-node-scc.yaml", "openshift/egress-audit-sidecar-scc.yaml"]
    /// The documented caps' memory limit (README, "Caps and overflow"; the comments in the manifests).
    static let memoryLimit = "1Gi"

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

    static func container(_ pod: [String: Any], _ name: String, initContainer: Bool = false) -> [String: Any]? {
        (pod[initContainer ? "initContainers" : "containers"] as? [[String: Any]])?.first { $0["name"] as? String == name }
    }

    static func value(after option: String, in args: [String]) -> String? {
        args.firstIndex(of: option).flatMap { $0 + 1 < args.count ? args[$0 + 1] : nil }
    }

    static func namespace(_ doc: [String: Any]?) -> String? { (doc?["metadata"] as? [String: Any])?["namespace"] as? String }

    /// The least privilege and the conventions, for one container running egress-audit (with its pod's security context).
    static func expectLeastPrivilege(_ c: [String: Any]?, pod: [String: Any], sourceLocation: SourceLocation = #_sourceLocation) {
        let sc = c?["securityContext"] as? [String: Any] ?? [:]
        let podSC = pod["securityContext"] as? [String: Any] ?? [:]
        let name = c?["name"] as? String ?? "?"
        #expect((sc["runAsNonRoot"] ?? podSC["runAsNonRoot"]) as? Bool == true, "\(name)", sourceLocation: sourceLocation)
        #expect((sc["runAsUser"] ?? podSC["runAsUser"]) as? Int == 65534, "\(name)", sourceLocation: sourceLocation)
        #expect(sc["allowPrivilegeEscalation"] as? Bool == false, "\(name)", sourceLocation: sourceLocation)
        #expect(sc["readOnlyRootFilesystem"] as? Bool == true, "\(name)", sourceLocation: sourceLocation)
        #expect(sc["privileged"] as? Bool != true, "\(name)", sourceLocation: sourceLocation)
        let caps = sc["capabilities"] as? [String: Any]
        #expect(caps?["drop"] as? [String] == ["ALL"], "\(name)", sourceLocation: sourceLocation)
        // The binary carries cap_net_raw+ep: every container executing it needs NET_RAW in its bounding set, and nothing more.
        #expect(caps?["add"] as? [String] == ["NET_RAW"], "\(name)", sourceLocation: sourceLocation)
        // An image reference that cannot be mistaken for a real one (RFC 6761's .invalid).
        #expect((c?["image"] as? String)?.hasPrefix("registry.example.invalid/") == true, "\(name)", sourceLocation: sourceLocation)
        let resources = c?["resources"] as? [String: Any]
        let limits = resources?["limits"] as? [String: Any] ?? [:]
        let requests = resources?["requests"] as? [String: Any] ?? [:]
        #expect(limits["cpu"] == nil, "\(name): no CPU limit (throttling drops packets)", sourceLocation: sourceLocation)
        #expect(requests["cpu"] != nil && requests["memory"] != nil, "\(name)", sourceLocation: sourceLocation)
        #expect(limits["memory"] != nil, "\(name)", sourceLocation: sourceLocation)
    }

    /// The capturing container: its arguments, the documented memory limit, the probes on its metrics endpoint.
    static func expectLiveContainer(_ c: [String: Any]?, pod: [String: Any], addressVariable: String, fieldPath: String, readiness: Bool,
                                    sourceLocation: SourceLocation = #_sourceLocation) {
        expectLeastPrivilege(c, pod: pod, sourceLocation: sourceLocation)
        let args = c?["args"] as? [String] ?? []
        #expect(args.first == "live", sourceLocation: sourceLocation)
        // The report is written atomically and periodically, and survives SIGTERM.
        #expect(args.contains("--snapshot-every") && args.contains("--output") && args.contains("--json"), sourceLocation: sourceLocation)
        #expect(((c?["resources"] as? [String: Any])?["limits"] as? [String: Any])?["memory"] as? String == memoryLimit, sourceLocation: sourceLocation)
        // The metrics endpoint listens on the address the kubelet probes: the pod IP from the downward API.
        let metrics = value(after: "--metrics", in: args) ?? ""
        #expect(metrics.hasPrefix("$(\(addressVariable)):"), "\(metrics)", sourceLocation: sourceLocation)
        let env = (c?["env"] as? [[String: Any]])?.first { $0["name"] as? String == addressVariable }
        let field = ((env?["valueFrom"] as? [String: Any])?["fieldRef"] as? [String: Any])?["fieldPath"] as? String
        #expect(field == fieldPath, sourceLocation: sourceLocation)
        let port = Int(metrics.split(separator: ":").last ?? "")
        func probe(_ key: String) -> (path: String?, port: Int?)? {
            (c?[key] as? [String: Any])?["httpGet"].map { ($0 as? [String: Any]).map { ($0["path"] as? String, $0["port"] as? Int) } ?? (nil, nil) }
        }
        #expect(probe("livenessProbe")?.path == "/healthz" && probe("livenessProbe")?.port == port, sourceLocation: sourceLocation)
        if readiness {
            #expect(probe("readinessProbe")?.path == "/readyz" && probe("readinessProbe")?.port == port, sourceLocation: sourceLocation)
        } else {
            #expect(c?["readinessProbe"] == nil, "a sidecar's readiness would take the gateway out of its Service", sourceLocation: sourceLocation)
        }
        // The tag file the init container copies is the one the capture reads, from a volume both mount.
        let initArgs = (container(pod, "service-tags", initContainer: true)?["args"] as? [String]) ?? []
        #expect(initArgs.first == "service-tags", sourceLocation: sourceLocation)
        let copied = value(after: "--copy-to", in: initArgs)
        #expect(copied != nil && value(after: "--service-tags", in: args) == copied, sourceLocation: sourceLocation)
        let mounts = (c?["volumeMounts"] as? [[String: Any]] ?? []).compactMap { $0["mountPath"] as? String }
        #expect(mounts.contains { copied?.hasPrefix($0 + "/") == true }, sourceLocation: sourceLocation)
    }

    // MARK: Kubernetes

    @Test(.requires(.pyyaml, .jsonschema))
    func everyManifestValidatesAgainstKubernetesSchemas() throws {
        let script = Self.deploy.appendingPathComponent("tools/validate-manifests.py").path
        let paths = Self.manifests.map { Self.deploy.appendingPathComponent($0).path }
        let r = try CLI.runProgram([try #require(Self.python), script] + paths)
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        let lines = r.stdout.split(separator: "\n")
        // Every document but the two SCCs (no Kubernetes schema) is checked, and valid.
        #expect(lines.filter { $0.hasSuffix(": valid") }.count == 14, "\(r.stdout)")
        #expect(lines.filter { $0.contains(": skipped (no schema for security.openshift.io/v1 SecurityContextConstraints)") }.count == 2)
        // The validator can fail: a misspelt field and a string for an integer.
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let bad = dir.appendingPathComponent("bad.yaml")
        let text = try String(contentsOf: Self.deploy.appendingPathComponent("kubernetes/daemonset.yaml"), encoding: .utf8)
            .replacingOccurrences(of: "readOnlyRootFilesystem: true", with: "readOnlyRootFilesystm: true")
            .replacingOccurrences(of: "periodSeconds: 20", with: "periodSeconds: \"20\"")
        try text.write(to: bad, atomically: true, encoding: .utf8)
        let refused = try CLI.runProgram([try #require(Self.python), script, bad.path])
        #expect(refused.status == 1)
        #expect(refused.stdout.contains("'readOnlyRootFilesystm' was unexpected") && refused.stdout.contains("'20' is not of type 'integer'"), "\(refused.stdout)")
    }

    @Test(.requires(.pyyaml))
    func theDaemonSetIsOnTheHostNetworkAsNobodyWithOnlyNetRawAndProbes() throws {
        let docs = try Self.documents("kubernetes/daemonset.yaml")
        let ds = Self.document(docs, kind: "DaemonSet")
        let pod = Self.podSpec(ds)
        #expect(pod["hostNetwork"] as? Bool == true)
        let c = Self.container(pod, "egress-audit")
        Self.expectLiveContainer(c, pod: pod, addressVariable: "NODE_IP", fieldPath: "status.hostIP", readiness: true)
        Self.expectLeastPrivilege(Self.container(pod, "service-tags", initContainer: true), pod: pod)
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
        Self.expectLiveContainer(sidecar, pod: pod, addressVariable: "POD_IP", fieldPath: "status.podIP", readiness: false)
        Self.expectLeastPrivilege(Self.container(pod, "service-tags", initContainer: true), pod: pod)
        // Every object lives in the example's own namespace, which the instance-discovery host names.
        let namespace = try #require((Self.document(docs, kind: "Namespace")?["metadata"] as? [String: Any])?["name"] as? String)
        for doc in docs where doc["kind"] as? String != "Namespace" { #expect(Self.namespace(doc) == namespace, "\(doc["kind"] ?? "?")") }
        let env = Self.document(docs, kind: "ConfigMap")?["data"] as? [String: Any]
        #expect(env?["neighborhood.host"] as? String == "contoso-gateway-instance-discovery.\(namespace).svc.cluster.local")
    }

    // MARK: The examples on a capture

    /// Options only `live` has (with their value), left out when the same arguments audit a capture.
    static let liveOnlyOptions: Set<String> = ["-i", "--interface", "--filter", "--snapshot-every", "--metrics", "--output", "--user",
                                                "--buffer-mib", "--stall-after", "--duration"]
    static let liveOnlyFlags: Set<String> = ["--capture-all", "--promiscuous"]

    /// `args` of a live container as `analyze` arguments: live-only options dropped, `$(VAR)` and
    /// mounted paths replaced as the pod would have them.
    static func analyzeArguments(_ args: [String], replacing substitutions: [String: String]) -> [String] {
        var out: [String] = [], i = 1  // args[0] is "live"
        while i < args.count {
            let a = args[i]
            if liveOnlyOptions.contains(a) { i += 2; continue }
            if liveOnlyFlags.contains(a) { i += 1; continue }
            out.append(substitutions.reduce(a) { $0.replacingOccurrences(of: $1.key, with: $1.value) })
            i += 1
        }
        return out
    }

    /// The names a node's flows carried on the wire, from the plant list (the capture's ground truth).
    static func plantedNames(_ plants: [String: Any], nodeAddresses: Set<String>) -> (names: Set<String>, all: Set<String>, resolvers: Set<String>) {
        let flows = (plants["flows"] as? [[String: Any]] ?? []).filter { nodeAddresses.contains($0["client"] as? String ?? "") }
        var names = Set<String>()
        for f in flows {
            for key in ["sni", "quicSNI", "httpHost", "connectTarget"] {
                if let n = f[key] as? String { names.insert(String(n.split(separator: ":").first ?? "").lowercased()) }
            }
        }
        var all = names.union(flows.compactMap { $0["server"] as? String })
        for answer in plants["dns"] as? [[String: Any]] ?? [] {
            if let q = answer["qname"] as? String { all.insert(q.lowercased()) }
            all.formUnion((answer["cnames"] as? [String] ?? []).map { $0.lowercased() })
        }
        let resolvers = Set(flows.filter { $0["serverPort"] as? Int == 53 }.compactMap { $0["server"] as? String })
        return (names, all, resolvers)
    }

    /// Azure Firewall's reading of a pattern: `*.a.b` is one or more labels before `a.b`, never the apex.
    static func matches(_ pattern: String, _ name: String) -> Bool {
        pattern.hasPrefix("*.") ? name.hasSuffix(String(pattern.dropFirst(1))) : pattern.lowercased() == name
    }

    /// Each rule's FQDN patterns as `profiles show` expands them (rule id → patterns).
    static func ruleNames(_ profileArguments: [String]) throws -> [String: [String]] {
        let show = try CLI.run(["profiles", "show"] + profileArguments)
        var rules: [String: [String]] = [:], current = ""
        for line in show.stdout.split(separator: "\n") {
            let words = line.split(separator: " ", omittingEmptySubsequences: true)
            if !line.hasPrefix(" "), let first = words.first { current = String(first) }
            for (i, w) in words.enumerated() where w == "fqdn:" && i + 1 < words.count { rules[current, default: []].append(String(words[i + 1])) }
        }
        return rules
    }

    /// Runs the example's arguments on a capture and checks that every finding is about the capture's traffic.
    static func expectFindingsAboutTheTrafficOnly(capture: String, arguments: [String], profileArguments: [String], nodeAddresses: Set<String>,
                                                  sourceLocation: SourceLocation = #_sourceLocation) throws {
        let plantsURL = CLI.repoRoot.appendingPathComponent("Captures").appendingPathComponent(capture.replacingOccurrences(of: ".pcap", with: ".plants.json"))
        let plants = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: plantsURL)) as? [String: Any])
        let truth = plantedNames(plants, nodeAddresses: nodeAddresses)
        try #require(!truth.resolvers.isEmpty, "the capture's node resolves names", sourceLocation: sourceLocation)
        let run = try CLI.run(["analyze", CLI.repoRoot.appendingPathComponent("Captures/\(capture)").path] + arguments + ["--json"])
        // The example's own arguments are accepted: no error, only warnings.
        #expect(run.status == 0, "\(run.stderr)", sourceLocation: sourceLocation)
        for line in run.stderr.split(separator: "\n") {
            #expect(line.hasPrefix("egress-audit: warning: "), "\(line)", sourceLocation: sourceLocation)
            #expect(!line.contains("unset:"), "a parameter the example should set: \(line)", sourceLocation: sourceLocation)
        }
        let report = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], sourceLocation: sourceLocation)
        let findings = report["findings"] as? [[String: Any]] ?? []
        let rules = try ruleNames(profileArguments)
        for f in findings {
            let kind = f["kind"] as? String ?? "?", destination = (f["destination"] as? String)?.lowercased()
            // Nothing about the node's resolver: the example documents it (or the profile sets it apart).
            #expect(destination.map { !truth.resolvers.contains($0) } ?? true, "a finding about the resolver: \(f)", sourceLocation: sourceLocation)
            switch kind {
            case "undocumented", "wrong-port", "name-mismatch", "failing-dns", "blocked-required":
                // About a destination the node's traffic really has.
                #expect(destination.map { truth.all.contains($0) } == true, "not in the capture: \(f)", sourceLocation: sourceLocation)
            case "required-not-seen", "optional-unused":
                // True of the traffic: none of the node's flows carried a name the rule documents.
                let patterns = rules[f["rule"] as? String ?? ""] ?? []
                #expect(!patterns.isEmpty, "the rule names destinations: \(f)", sourceLocation: sourceLocation)
                let seen = truth.names.filter { n in patterns.contains { matches($0, n) } }
                #expect(seen.isEmpty, "the node did reach \(seen) for \(f)", sourceLocation: sourceLocation)
            default:
                Issue.record("a finding of an unexpected kind: \(f)", sourceLocation: sourceLocation)
            }
        }
        for d in report["undocumented"] as? [[String: Any]] ?? [] {
            #expect(!(d["ports"] as? [String] ?? []).contains { $0.hasSuffix("/53") }, "DNS undocumented: \(d)", sourceLocation: sourceLocation)
        }
    }

    /// Azure's Service Tags file gzip-compressed, as the init container brings it into the pod.
    static func gzippedServiceTags(_ dir: URL) throws -> String {
        let target = dir.appendingPathComponent("ServiceTags_Public.json.gz").path
        let shared = SharedFolder.root.appendingPathComponent("data/azure/\(SharedFolder.azurePublicServiceTagsName)").path
        // gzip writes binary to standard output: straight into the file.
        let p = Process()
        p.executableURL = URL(fileURLWithPath: try #require(Prerequisite.gzip.path))
        p.arguments = ["-c", shared]
        _ = FileManager.default.createFile(atPath: target, contents: nil)
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: target))
        p.standardOutput = out
        try p.run()
        p.waitUntilExit()
        try out.close()
        try #require(p.terminationStatus == 0)
        return target
    }

    @Test(.requires(.pyyaml, .shared, .gzip))
    func theDaemonSetExampleAuditsARealisticNodeWithFindingsOnlyAboutItsTraffic() throws {
        let docs = try Self.documents("kubernetes/daemonset.yaml")
        let pod = Self.podSpec(Self.document(docs, kind: "DaemonSet"))
        let args = try #require(Self.container(pod, "egress-audit")?["args"] as? [String])
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let profile = try #require((Self.document(docs, kind: "ConfigMap")?["data"] as? [String: Any])?["profile.yaml"] as? String)
        try profile.write(to: dir.appendingPathComponent("profile.yaml"), atomically: true, encoding: .utf8)
        let tags = try Self.gzippedServiceTags(dir)
        var arguments = Self.analyzeArguments(args, replacing: [
            "/etc/egress-audit/profile.yaml": dir.appendingPathComponent("profile.yaml").path,
            "/var/lib/egress-audit-tags/ServiceTags_Public.json.gz": tags,
            "$(NODE_IP)": "10.1.0.4",
        ])
        // live's default nodes are the interface's own addresses: node A's, both families (Captures/README.md).
        #expect(!arguments.contains("--node"), "the DaemonSet audits eth0's own addresses")
        arguments += ["--node", "10.1.0.4", "--node", "fd00:1::4"]
        let profileArguments = [dir.appendingPathComponent("profile.yaml").path]
            + arguments.enumerated().filter { ["--param", "--feature"].contains($0.element) }.flatMap { [arguments[$0.offset], arguments[$0.offset + 1]] }
        try Self.expectFindingsAboutTheTrafficOnly(capture: "gateway-egress.pcap", arguments: arguments, profileArguments: profileArguments,
                                                   nodeAddresses: ["10.1.0.4", "fd00:1::4"])
    }

    @Test(.requires(.pyyaml, .shared, .gzip))
    func theSidecarExampleAuditsAGatewayWithFindingsOnlyAboutItsTraffic() throws {
        let docs = try Self.documents("kubernetes/self-hosted-gateway-sidecar.yaml")
        let args = try #require(Self.container(Self.podSpec(Self.document(docs, kind: "Deployment")), "egress-audit")?["args"] as? [String])
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let tags = try Self.gzippedServiceTags(dir)
        // The pod IP is gateway node A's address in the demonstration capture (Captures/demo-apim-self-hosted-gateway.plants.json).
        let arguments = Self.analyzeArguments(args, replacing: ["$(POD_IP)": "10.10.1.4", "/var/lib/egress-audit-tags/ServiceTags_Public.json.gz": tags])
        let profileArguments = [try #require(Self.value(after: "--profile", in: arguments))]
            + arguments.enumerated().filter { ["--param", "--feature"].contains($0.element) }.flatMap { [arguments[$0.offset], arguments[$0.offset + 1]] }
        try Self.expectFindingsAboutTheTrafficOnly(capture: "demo-apim-self-hosted-gateway.pcap", arguments: arguments,
                                                   profileArguments: profileArguments, nodeAddresses: ["10.10.1.4"])
    }

    // MARK: Pod Security

    /// The checker on pods whose answers are known, so its silence means something.
    @Test(.requires(.pyyaml))
    func thePodSecurityCheckerFindsWhatEachLevelForbids() throws {
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("pods.yaml")
        try """
            apiVersion: v1
            kind: Pod
            metadata: {name: restricted-ok}
            spec:
              securityContext: {runAsNonRoot: true, seccompProfile: {type: RuntimeDefault}}
              containers:
                - name: c
                  image: x
                  securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL], add: [NET_BIND_SERVICE]}}
              volumes: [{name: v, emptyDir: {}}]
            ---
            apiVersion: v1
            kind: Pod
            metadata: {name: everything-wrong}
            spec:
              hostPID: true
              containers:
                - name: c
                  image: x
                  ports: [{containerPort: 80, hostPort: 80}]
                  securityContext: {privileged: true, runAsUser: 0, capabilities: {add: [SYS_ADMIN, CHOWN]}}
              volumes: [{name: v, hostPath: {path: /}}]
            """.write(to: file, atomically: true, encoding: .utf8)
        let result = try Self.podSecurity([file.path])
        #expect(result["Pod/default/restricted-ok"]?.restricted == [], "\(String(describing: result["Pod/default/restricted-ok"]))")
        let wrong = try #require(result["Pod/default/everything-wrong"])
        #expect(wrong.baseline == ["capabilities container c adds SYS_ADMIN", "host-namespaces pod hostPID: true", "host-path-volumes volume v hostPath",
                                   "host-ports container c hostPort 80", "privileged-containers container c privileged: true"], "\(wrong.baseline)")
        #expect(Set(wrong.restricted).isSuperset(of: ["privilege-escalation container c allowPrivilegeEscalation: None",
                                                      "running-as-non-root-user container c runAsUser: 0", "volume-types volume v hostPath",
                                                      "capabilities-restricted container c adds CHOWN", "capabilities-restricted container c does not drop ALL"]),
                "\(wrong.restricted)")
    }

    /// Each workload's findings per level, as "rule where found" lines, sorted.
    static func podSecurity(_ paths: [String]) throws -> [String: (enforce: String?, baseline: [String], restricted: [String])] {
        let r = try CLI.runProgram([try #require(python), deploy.appendingPathComponent("tools/pod-security-check.py").path] + paths)
        try #require(r.status == 0, "\(r.stderr)")
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: [String: Any]])
        return doc.mapValues { w in
            func lines(_ level: String) -> [String] {
                (w[level] as? [[String: Any]] ?? []).map { "\($0["rule"] ?? "") \($0["where"] ?? "") \($0["found"] ?? "")" }.sorted()
            }
            return (w["namespaceEnforce"] as? String, lines("baseline"), lines("restricted"))
        }
    }

    /// The namespace label exempts the pods from exactly what the capture needs: without it they
    /// would be refused (baseline breaks), and egress-audit's containers break nothing else of restricted.
    @Test(.requires(.pyyaml))
    func thePrivilegedLabelExemptsOnlyWhatTheCaptureNeeds() throws {
        let result = try Self.podSecurity(["kubernetes/daemonset.yaml", "kubernetes/self-hosted-gateway-sidecar.yaml"].map { Self.deploy.appendingPathComponent($0).path })
        let ds = try #require(result["DaemonSet/egress-audit/egress-audit"])
        #expect(ds.enforce == "privileged")
        #expect(ds.baseline == ["capabilities container egress-audit adds NET_RAW", "capabilities container service-tags adds NET_RAW",
                                "host-namespaces pod hostNetwork: true"], "\(ds.baseline)")
        #expect(Set(ds.restricted) == Set(ds.baseline + ["capabilities-restricted container egress-audit adds NET_RAW",
                                                         "capabilities-restricted container service-tags adds NET_RAW"]), "\(ds.restricted)")
        let gw = try #require(result["Deployment/contoso-gateway/contoso-gateway"])
        #expect(gw.enforce == "privileged")
        #expect(gw.baseline == ["capabilities container egress-audit adds NET_RAW", "capabilities container service-tags adds NET_RAW"], "\(gw.baseline)")
        // Of restricted, egress-audit's containers break only NET_RAW; the rest is the portal's gateway container.
        let ours = gw.restricted.filter { $0.contains("container egress-audit") || $0.contains("container service-tags") }
        #expect(Set(ours) == Set(gw.baseline + ["capabilities-restricted container egress-audit adds NET_RAW",
                                                "capabilities-restricted container service-tags adds NET_RAW"]), "\(ours)")
        #expect(gw.restricted.allSatisfy { $0.contains("container ") }, "no pod-wide rule broken: \(gw.restricted)")
    }

    // MARK: OpenShift

    /// One SCC per workload, bound through RBAC to that workload's service account, admitting
    /// exactly the capabilities, host access and volume kinds its pod asks for.
    @Test(.requires(.pyyaml), arguments: [("openshift/egress-audit-node-scc.yaml", "kubernetes/daemonset.yaml", "DaemonSet"),
                                          ("openshift/egress-audit-sidecar-scc.yaml", "kubernetes/self-hosted-gateway-sidecar.yaml", "Deployment")])
    func eachSCCAdmitsItsOneWorkloadAndIsBoundToItsServiceAccount(_ sccFile: String, _ workloadFile: String, _ kind: String) throws {
        let sccDocs = try Self.documents(sccFile)
        let scc = try #require(Self.document(sccDocs, kind: "SecurityContextConstraints"))
        let sccName = try #require((scc["metadata"] as? [String: Any])?["name"] as? String)
        let workload = try #require(Self.document(try Self.documents(workloadFile), kind: kind))
        let pod = Self.podSpec(workload)
        let namespace = try #require(Self.namespace(workload))
        let account = try #require(pod["serviceAccountName"] as? String)
        #expect(scc["apiVersion"] as? String == "security.openshift.io/v1")
        #expect((scc["runAsUser"] as? [String: Any])?["type"] as? String == "MustRunAsNonRoot")
        #expect(scc["requiredDropCapabilities"] as? [String] == ["ALL"])
        #expect(scc["allowedCapabilities"] as? [String] == ["NET_RAW"])
        #expect(scc["allowPrivilegedContainer"] as? Bool == false)
        #expect(scc["allowPrivilegeEscalation"] as? Bool == false)
        #expect(scc["allowHostDirVolumePlugin"] as? Bool == false && scc["allowHostPorts"] as? Bool == false)
        #expect(scc["allowHostNetwork"] as? Bool == (pod["hostNetwork"] as? Bool ?? false))
        #expect((scc["users"] as? [Any])?.isEmpty == true && (scc["groups"] as? [Any])?.isEmpty == true, "granted through RBAC only")
        // The volume kinds: the pod's own, plus the projected token Kubernetes adds unless automounting is off.
        var kinds = Set((pod["volumes"] as? [[String: Any]] ?? []).flatMap { $0.keys.filter { $0 != "name" } })
        if pod["automountServiceAccountToken"] as? Bool != false { kinds.insert("projected") }
        #expect(Set(scc["volumes"] as? [String] ?? []) == kinds, "\(String(describing: scc["volumes"])) for \(kinds)")
        // Every capability a container adds is allowed.
        for c in (pod["initContainers"] as? [[String: Any]] ?? []) + (pod["containers"] as? [[String: Any]] ?? []) {
            let add = ((c["securityContext"] as? [String: Any])?["capabilities"] as? [String: Any])?["add"] as? [String] ?? []
            #expect(Set(add).isSubset(of: ["NET_RAW"]), "\(c["name"] ?? "?")")
        }
        // `use` of this SCC, in the workload's namespace, bound to its service account and nothing else.
        let role = try #require(Self.document(sccDocs, kind: "Role"))
        #expect(Self.namespace(role) == namespace)
        let rules = role["rules"] as? [[String: Any]] ?? []
        #expect(rules.count == 1 && rules.first?["verbs"] as? [String] == ["use"] && rules.first?["resourceNames"] as? [String] == [sccName]
                && rules.first?["resources"] as? [String] == ["securitycontextconstraints"])
        let binding = try #require(Self.document(sccDocs, kind: "RoleBinding"))
        #expect(Self.namespace(binding) == namespace)
        #expect((binding["roleRef"] as? [String: Any])?["name"] as? String == (role["metadata"] as? [String: Any])?["name"] as? String)
        let subjects = binding["subjects"] as? [[String: Any]] ?? []
        #expect(subjects.count == 1 && subjects.first?["kind"] as? String == "ServiceAccount" && subjects.first?["name"] as? String == account
                && subjects.first?["namespace"] as? String == namespace, "\(subjects)")
    }

    // MARK: systemd

    @Test(.requires(.systemdAnalyze))
    func theSystemdUnitVerifiesAndHoldsItsHardening() throws {
        let unit = try String(contentsOf: Self.deploy.appendingPathComponent("systemd/egress-audit.service"), encoding: .utf8)
        for line in ["DynamicUser=yes", "AmbientCapabilities=CAP_NET_RAW", "CapabilityBoundingSet=CAP_NET_RAW", "Restart=on-failure",
                     "NoNewPrivileges=yes", "ProtectSystem=strict", "ProtectHome=yes", "PrivateTmp=yes", "StateDirectory=egress-audit",
                     "RestrictAddressFamilies=AF_PACKET AF_INET AF_INET6 AF_UNIX AF_NETLINK", "SystemCallFilter=@system-service",
                     "ExecReload=/bin/kill -HUP $MAINPID", "MemoryMax=1G"] {
            #expect(unit.split(separator: "\n").contains { $0 == line }, "missing: \(line)")
        }
        #expect(!unit.contains("CPUQuota="), "a CPU quota throttles the capture into ring drops")
        // verify checks the executable exists: point it at the one just built.
        let dir = try CLI.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let copy = dir.appendingPathComponent("egress-audit.service")
        try unit.replacingOccurrences(of: "/usr/local/bin/egress-audit", with: CLI.executable).write(to: copy, atomically: true, encoding: .utf8)
        let verify = try CLI.runProgram([try #require(Self.systemdAnalyze), "verify", copy.path])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
        #expect(!verify.stderr.contains("egress-audit.service"), "\(verify.stderr)")
        // systemd's own exposure score, as README quotes it (0 = fully locked down, 10 = unprotected).
        let security = try CLI.runProgram([try #require(Self.systemdAnalyze), "security", "--offline=yes", copy.path])
        let score = security.stdout.split(separator: "\n").last { $0.contains("Overall exposure level") }
            .flatMap { line in line.split(separator: " ").compactMap { Double($0) }.first }
        #expect(score.map { $0 <= 1.9 } == true, "\(security.stdout.suffix(200))")
    }
}
