import EgressPolicy
import Testing

/// The built-in profiles load and say what their documents say. Expected values are
/// typed from the documents (seeds 000-002), not from the profiles.
@Suite struct ProfileBuiltinTests {
    @Test func allBuiltinsLoadUnderTheirIDs() throws {
        for text in BuiltinProfiles.texts {
            #expect(throws: Never.self) { try text.load() }
        }
        #expect(
            BuiltinProfiles.all.map(\.id) == [
                "apim-vnet", "apim-self-hosted-gateway", "cassandra-mi", "aks", "spring-apps", "container-apps", "avd-session-host",
                "arc-servers", "azure-ml", "hdinsight", "databricks", "app-service-environment-v3",
            ])
        #expect(BuiltinProfiles.all.allSatisfy { $0.dialect == .azureFirewall })
    }

    @Test func cassandraServiceTagsAndInternalPorts() throws {
        let profile = try #require(BuiltinProfiles.profile(id: "cassandra-mi"))
        // "Virtual network service tags" table, spelled as the page spells them.
        let tags = profile.rules.filter { $0.id.hasPrefix("tag-") }.flatMap(\.destinations)
        #expect(
            tags == [
                "Storage", "AzureKeyVault", "EventHub", "AzureMonitor", "AzureActiveDirectory", "GuestandHybridManagement",
                "ApiManagement", "Storage.<Region>",
            ].map(ProfileEndpoint.serviceTag))
        // "Internal port usage": 8443, 9443, 7001, 9042, 7199, VNet only, both directions.
        let vnetOnly = profile.rules.filter { $0.id.hasPrefix("vnet-") }
        #expect(vnetOnly.map(\.ports) == [8443, 9443, 7001, 9042, 7199].map { PortSpec.ranges([PortRange($0)].compactMap { $0 }) })
        #expect(vnetOnly.allSatisfy { $0.direction == .both && $0.sources == [.serviceTag("VirtualNetwork")] && $0.destinations == [.serviceTag("VirtualNetwork")] })
        #expect(profile.rules.allSatisfy { $0.required })
    }

    @Test func apimControlPlaneTableIsComplete() throws {
        let profile = try #require(BuiltinProfiles.profile(id: "apim-vnet"))
        let controlPlane = profile.rules.filter { $0.id.hasPrefix("control-plane-") }
        // 46 Azure Public + 6 21Vianet + 8 Government rows; 8 public rows list two addresses.
        #expect(controlPlane.count == 60)
        #expect(controlPlane.flatMap(\.sources).count == 68)
        #expect(controlPlane.allSatisfy { $0.ports == .ranges([PortRange(3443)].compactMap { $0 }) && $0.direction == .inbound })
        let brazil = try #require(profile.rule(id: "control-plane-brazilsouth"))
        #expect(brazil.sources == [.cidr("191.233.24.179"), .cidr("191.238.73.14")])
        #expect(brazil.conditions == [RuleCondition(parameter: "cloud", values: ["public"]), RuleCondition(parameter: "region", values: ["brazilsouth"])])
    }

    @Test func apimPortTableDetails() throws {
        let profile = try #require(BuiltinProfiles.profile(id: "apim-vnet"))
        let redis = try #require(profile.rule(id: "redis-internal"))
        #expect(redis.ports.contains(6381) && redis.ports.contains(6383) && !redis.ports.contains(6384) && !redis.ports.contains(6380))
        #expect(try #require(profile.rule(id: "rate-limit-sync")).transport == .udp)
        let eventhub = try #require(profile.rule(id: "eventhub"))
        #expect(eventhub.ports == .ranges([5671, 5672, 443].compactMap { PortRange($0) }))
        #expect(eventhub.required == false && eventhub.feature == "eventhub-logging")
        let inbound = try #require(profile.rule(id: "inbound-client"))
        #expect(inbound.conditions == [RuleCondition(parameter: "vnet-mode", values: ["external"])])
        #expect(try #require(profile.rule(id: "load-balancer-stv2")).ports == .ranges([PortRange(6390)].compactMap { $0 }))
    }

    @Test func selfHostedGatewayOnlyConfigurationEndpointIsRequired() throws {
        let profile = try #require(BuiltinProfiles.profile(id: "apim-self-hosted-gateway"))
        // Both answers agree only the configuration endpoint is mandatory.
        #expect(profile.rules.filter(\.required).map(\.id) == ["configuration-endpoint"])
        let answers = Set(profile.rules.flatMap(\.references).compactMap(\.answer))
        #expect(answers == ["accepted", "assist"])
    }

    @Test func duplicateYAMLKeyIsReportedAtTheKey() {
        do {
            _ = try ProfileLoader.load(text: "id: demo\ntitle: Demo\nid: again\n", file: "dup.yaml")
            Issue.record("duplicate key accepted")
        } catch {
            // Yams rejects duplicate keys while composing and reports the first occurrence.
            #expect(error.errors.map(\.description) == [#"dup.yaml:1:1: expected each key once per mapping, found duplicate key "id""#])
        }
    }
}
