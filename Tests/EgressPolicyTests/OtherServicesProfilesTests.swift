import EgressPolicy
import PacketWire
import Testing

/// What the nine profiles of other-services.md answer, with expected values typed from that
/// file (names, ports, clouds), not from the profiles.
@Suite struct OtherServicesProfilesTests {
    static func compile(_ id: String, _ parameters: [String: String] = [:], features: Set<String> = []) throws -> CompiledProfile {
        let profile = try #require(BuiltinProfiles.profile(id: id))
        return CompiledProfile(try profile.expand(parameters: parameters, features: features), catalog: ServiceTagCatalog(tags: [], sources: []))
    }

    static func verdict(_ p: CompiledProfile, _ name: String, _ port: UInt16, _ transport: RuleTransport = .tcp) -> Evaluation.Verdict {
        p.evaluate(name: name, address: nil, port: port, transport: transport).verdict
    }

    @Test func aksPublicCloudNamesTheRegionalAPIServerAndTheRequiredFQDNs() throws {
        let aks = try Self.compile("aks", ["region": "westeurope"])
        // 1b rows 1-7, required.
        for name in ["abc.hcp.westeurope.azmk8s.io", "mcr.microsoft.com", "x.data.mcr.microsoft.com", "mcr-0001.mcr-msedge.net",
                     "management.azure.com", "login.microsoftonline.com", "packages.microsoft.com", "acs-mirror.azureedge.net"] {
            #expect(Self.verdict(aks, name, 443) == .allowed, "\(name)")
        }
        #expect(Self.verdict(aks, "abc.hcp.westus.azmk8s.io", 443) == .undocumented)
        #expect(Self.verdict(aks, "mcr.microsoft.com", 80) == .wrongPort)
        // Conditional rows are features, off unless asked for: GPU, Windows, add-ons.
        #expect(Self.verdict(aks, "nvidia.github.io", 443) == .allowedIfFeatureEnabled)
        #expect(Self.verdict(aks, "ctldl.windowsupdate.com", 80) == .allowedIfFeatureEnabled)
        #expect(Self.verdict(aks, "westeurope.ingest.monitor.azure.com", 443) == .allowedIfFeatureEnabled)
        let monitored = try Self.compile("aks", ["region": "westeurope"], features: ["azure-monitor"])
        #expect(Self.verdict(monitored, "westeurope.handler.control.monitor.azure.com", 443) == .allowed)
    }

    @Test func aksSovereignCloudsSubstituteTheirNames() throws {
        let gov = try Self.compile("aks", ["region": "usgovvirginia", "cloud": "usgov"])
        #expect(Self.verdict(gov, "abc.hcp.usgovvirginia.cx.aks.containerservice.azure.us", 443) == .allowed)
        #expect(Self.verdict(gov, "management.usgovcloudapi.net", 443) == .allowed)
        #expect(Self.verdict(gov, "login.microsoftonline.us", 443) == .allowed)
        #expect(Self.verdict(gov, "acs-mirror.azureedge.net", 443) == .allowed)
        #expect(Self.verdict(gov, "management.azure.com", 443) == .undocumented)
        let china = try Self.compile("aks", ["region": "chinanorth3", "cloud": "china"])
        #expect(Self.verdict(china, "abc.tun.chinanorth3.cx.prod.service.azk8s.cn", 443) == .allowed)
        #expect(Self.verdict(china, "mirror.azk8s.cn", 443) == .allowed)
        #expect(Self.verdict(china, "login.chinacloudapi.cn", 443) == .allowed)
        #expect(Self.verdict(china, "acs-mirror.azureedge.net", 443) == .undocumented)
        // A private cluster has no public API server rows.
        let privateCluster = try Self.compile("aks", ["region": "westeurope", "api-server-access": "private"])
        #expect(Self.verdict(privateCluster, "abc.hcp.westeurope.azmk8s.io", 443) == .undocumented)
    }

    @Test func fqdnTagMatchesItsPublishedNamesAndSaysWhenNotExpandable() throws {
        let aks = try Self.compile("aks", ["region": "westeurope"], features: ["firewall-fqdn-tag"])
        let e = aks.evaluate(name: "mcr-0001.mcr-msedge.net", address: nil, port: 443, transport: .tcp)
        let byTag = try #require(e.allowedBy.first { $0.rule.id == "firewall-fqdn-tag" })
        #expect(byTag.reasons == [.fqdnTag(tag: "AzureKubernetesService", pattern: "mcr-0001.mcr-msedge.net")])
        #expect(aks.warnings.contains(.fqdnTagNotExpandable(rule: "firewall-fqdn-tag", tag: "AzureKubernetesService", publishedNames: 7)))

        // HDInsight row 1: the HDInsight and WindowsUpdate tags, neither published as names here.
        let hdi = try Self.compile("hdinsight", ["account": "contosohdi"])
        #expect(hdi.warnings.contains(.fqdnTagNotExpandable(rule: "fqdn-tags", tag: "HDInsight", publishedNames: 0)))
        #expect(hdi.warnings.contains(.fqdnTagNotExpandable(rule: "fqdn-tags", tag: "WindowsUpdate", publishedNames: 0)))
        #expect(Self.verdict(hdi, "download.windowsupdate.com", 443) == .undocumented)
        #expect(Self.verdict(hdi, "contosohdi.blob.core.windows.net", 443) == .allowed)
        #expect(hdi.warnings.map(\.description).contains { $0.contains("Azure Firewall FQDN tag WindowsUpdate is not fully expandable") })
    }

    @Test func containerAppsEnvironmentPicksItsTable() throws {
        let workload = try #require(BuiltinProfiles.profile(id: "container-apps")).expand(parameters: ["region": "westus"])
        let consumption = try #require(BuiltinProfiles.profile(id: "container-apps")).expand(parameters: ["region": "westus", "environment": "consumption"])
        // 3a: AzureMonitor, MicrosoftContainerRegistry, AzureFrontDoor.FirstParty, AzureCloud (443), NTP, subnet.
        #expect(Set(workload.rules.flatMap(\.destinations).compactMap { if case .serviceTag(let t) = $0 { t } else { nil } })
                == ["AzureMonitor", "MicrosoftContainerRegistry", "AzureFrontDoor.FirstParty", "AzureCloud", "VirtualNetwork"])
        // 3b: the AKS tunnel to AzureCloud.<region> on UDP 1194 / TCP 9000 and AMQP 5671-5672 to anywhere.
        let tunnel = consumption.rules.filter { $0.destinations == [.serviceTag("AzureCloud.WestUS")] }
        #expect(Set(tunnel.map { "\($0.transport.rawValue)/\($0.ports)" }) == ["udp/1194", "tcp/9000"])
        let amqp = try #require(consumption.rules.first { $0.ports == .ranges([PortRange(5671), PortRange(5672)].compactMap { $0 }) })
        #expect(amqp.destinations.isEmpty, "\"*\": any destination")
        #expect(!consumption.rules.contains { $0.destinations == [.serviceTag("MicrosoftContainerRegistry")] })
        #expect(workload.rules.allSatisfy(\.requirement.isRequired) && consumption.rules.allSatisfy(\.requirement.isRequired))
    }

    /// "*" rows allow any destination on their ports and make no other destination "wrong port".
    @Test func anyDestinationRowsDoNotNameEveryPeer() throws {
        let apps = try Self.compile("container-apps", ["region": "westus", "environment": "consumption"])
        #expect(apps.evaluate(name: "anything.example.com", address: nil, port: 5671, transport: .tcp).verdict == .allowed)
        #expect(apps.evaluate(name: nil, address: IPAddress("203.0.113.7"), port: 123, transport: .udp).verdict == .allowed)
        #expect(apps.evaluate(name: "registry-1.docker.io", address: IPAddress("203.0.113.7"), port: 443, transport: .tcp).verdict == .undocumented)
    }

    @Test func appServiceEnvironmentV3HasNoOutboundRule() throws {
        let ase = try #require(BuiltinProfiles.profile(id: "app-service-environment-v3"))
        // "ASEv3 has no platform outbound dependencies to allow."
        #expect(ase.rules.allSatisfy { $0.direction == .inbound })
        let probe = try #require(ase.rule(id: "health-probe"))
        #expect(probe.sources == [.serviceTag("AzureLoadBalancer")] && probe.ports == .ranges([PortRange(80)].compactMap { $0 }) && probe.required)
    }
}
