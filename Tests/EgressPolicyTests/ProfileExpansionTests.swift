import EgressPolicy
import Testing

/// Expansion of the built-in profiles with typical parameters. Expected values come
/// from the documents: API Management's reference gives `Storage.WestUS` as the regional
/// tag of West US and 13.64.39.16 as West US's control-plane address; Cassandra's page
/// gives `snovap<region>.blob.core.windows.net`.
@Suite struct ProfileExpansionTests {
    private func builtin(_ id: String) throws -> Profile {
        try #require(BuiltinProfiles.profile(id: id), "built-in profile \(id) did not load")
    }

    private func rule(_ id: String, in expanded: ExpandedProfile) throws -> ExpandedRule {
        try #require(expanded.rules.first { $0.id == id }, "rule \(id) missing")
    }

    @Test func apimVNetWestUSFillsBothRegionSpellings() throws {
        let expanded = try builtin("apim-vnet").expand(parameters: ["region": "West US"])
        #expect(expanded.parameters["region"] == "westus")
        #expect(expanded.parameters["cloud"] == "public")
        #expect(expanded.parameters["platform"] == "stv2")
        #expect(try rule("storage", in: expanded).destinations == [.serviceTag("Storage"), .serviceTag("Storage.WestUS")])
        #expect(try rule("sql", in: expanded).destinations == [.serviceTag("Sql"), .serviceTag("Sql.WestUS")])
        #expect(try rule("entra-regional-login", in: expanded).destinations == [.fqdn("westus.login.microsoft.com")])
        #expect(expanded.warnings.isEmpty)
    }

    @Test func apimVNetConditionsSelectPlatformCloudModeAndRegion() throws {
        let profile = try builtin("apim-vnet")
        let stv2 = try profile.expand(parameters: ["region": "westus", "vnet-mode": "internal"])
        let ids = Set(stv2.rules.map(\.id))
        #expect(ids.contains("keyvault-stv2") && !ids.contains("keyvault-named-values-stv1"))
        #expect(!ids.contains("health-monitoring-stv1"))
        #expect(!ids.contains("inbound-client"), "80/443 inbound is external-only")
        #expect(ids.contains("azure-monitor-endpoints-public") && !ids.contains("azure-monitor-endpoints-usgov"))
        // Exactly one control-plane row applies: West US, 13.64.39.16.
        let controlPlane = stv2.rules.filter { $0.id.hasPrefix("control-plane-") }
        #expect(controlPlane.map(\.id) == ["control-plane-westus"])
        #expect(controlPlane.first?.sources == [.cidr("13.64.39.16")])
        #expect(controlPlane.first?.ports.contains(3443) == true)

        let stv1 = try profile.expand(parameters: ["region": "westus", "platform": "stv1"])
        let stv1IDs = Set(stv1.rules.map(\.id))
        #expect(stv1IDs.contains("keyvault-named-values-stv1") && !stv1IDs.contains("keyvault-stv2"))
        #expect(stv1IDs.contains("health-monitoring-stv1") && stv1IDs.contains("inbound-client"))
        let lb = try rule("load-balancer-stv1", in: stv1)
        #expect(lb.ports == .any && lb.requirement == .required)
    }

    @Test func governmentRegionsKeepBothControlPlaneAddresses() throws {
        // USGov Virginia has a regional and a "(Global)" control-plane row.
        let expanded = try builtin("apim-vnet").expand(parameters: ["cloud": "usgov", "region": "USGov Virginia"])
        let sources = expanded.rules.filter { $0.id.hasPrefix("control-plane-") }.flatMap(\.sources)
        #expect(Set(sources) == [.cidr("52.127.42.160"), .cidr("52.227.222.92")])
        let monitor = try rule("azure-monitor-endpoints-usgov", in: expanded)
        #expect(monitor.destinations.contains(.fqdn("fairfax.warmpath.usgovcloudapi.net")))
        #expect(monitor.destinations.contains(.fqdn("gcs.prod.warm.ingestion.monitoring.azure.us")))
    }

    @Test func unsetRegionWidensWithWarnings() throws {
        let expanded = try builtin("apim-vnet").expand()
        #expect(try rule("entra-regional-login", in: expanded).destinations == [.fqdn("<region>.login.microsoft.com")])
        #expect(try rule("storage", in: expanded).openPlaceholders == ["<Region>"])
        let messages = expanded.warnings.map(\.description)
        #expect(messages.contains("rule entra-regional-login widened: <region> unset, matches any label part"))
        #expect(messages.contains("rule storage widened: <Region> unset, matches any label part"))
        // Region-conditioned control-plane rows are kept, each with a warning, and the cloud default still filters.
        #expect(messages.contains("rule control-plane-westus kept: region unset, its condition cannot be decided"))
        #expect(!expanded.rules.contains { $0.id == "control-plane-usgovvirginia" })
    }

    @Test func featuresMarkOptionalRules() throws {
        let profile = try builtin("apim-self-hosted-gateway")
        let plain = try profile.expand(parameters: ["apim-name": "contoso"])
        #expect(try rule("configuration-endpoint", in: plain).destinations == [.fqdn("contoso.configuration.azure-api.net")])
        #expect(try rule("configuration-endpoint", in: plain).requirement == .required)
        #expect(try rule("appinsights-live-metrics", in: plain).requirement == .optional(feature: "app-insights", enabled: false))

        let withInsights = try profile.expand(parameters: ["apim-name": "contoso", "region": "North Europe"], features: ["app-insights"])
        #expect(withInsights.enabledFeatures == ["app-insights"])
        let live = try rule("appinsights-livediagnostics", in: withInsights)
        #expect(live.requirement == .optional(feature: "app-insights", enabled: true))
        #expect(live.destinations == [.fqdn("northeurope.livediagnostics.monitor.azure.com")])
        // Aliases <your-apim> and <instance> both name apim-name.
        #expect(try rule("gateway-endpoint", in: withInsights).destinations == [.fqdn("contoso.gateway.azure-api.net")])
    }

    @Test func cassandraRegionInsideALabelAndRegionalTag() throws {
        let expanded = try builtin("cassandra-mi").expand(parameters: ["region": "East US 2", "virtual-network": "10.1.0.0/16, fd00::/48"])
        #expect(try rule("fqdn-snovap-blob", in: expanded).destinations == [.fqdn("snovapeastus2.blob.core.windows.net"), .serviceTag("Storage")])
        #expect(try rule("fqdn-vmc-vault", in: expanded).destinations.first == .fqdn("vmc-p-eastus2.vault.azure.net"))
        #expect(try rule("fqdn-regional-dsms", in: expanded).destinations == [.fqdn("eastus2-dsms.dsms.core.windows.net")])
        #expect(try rule("tag-storage-regional", in: expanded).destinations == [.serviceTag("Storage.EastUS2")])
        // VirtualNetwork gains the network's prefixes.
        let gossip = try rule("vnet-7001-gossip", in: expanded)
        #expect(gossip.destinations == [.serviceTag("VirtualNetwork"), .cidr("10.1.0.0/16"), .cidr("fd00::/48")])
        #expect(gossip.direction == .both)
        #expect(expanded.warnings.isEmpty)
    }

    @Test func invalidParametersAndFeaturesAreErrors() throws {
        let profile = try builtin("apim-vnet")
        let messages: [String]
        do {
            _ = try profile.expand(
                parameters: ["region": "Atlantis", "cloud": "mars", "regoin": "westus", "virtual-network": "10.0.0.0/40"],
                features: ["captca"])
            messages = []
        } catch {
            messages = error.errors.map(\.description)
        }
        #expect(
            messages == [
                #"<parameters>: parameters.cloud: expected one of public, usgov, china, found "mars""#,
                #"<parameters>: parameters.region: expected a known Azure region (e.g. "West US" or westus), found "Atlantis""#,
                #"<parameters>: parameters.regoin: expected a parameter of profile apim-vnet (cloud, region, platform, vnet-mode, sku, virtual-network), found unknown parameter "regoin" (did you mean "region"?)"#,
                #"<parameters>: parameters.virtual-network: expected comma-separated IP addresses or prefixes (e.g. 10.0.0.0/16), found "10.0.0.0/40""#,
                #"<parameters>: features: expected a feature of profile apim-vnet (entra-keyvault, authorizations, keyvault-named-values, eventhub-logging, git, health-monitoring, azure-monitor, redis-cache, rate-limit-sync, load-balancer-probe, cert-chain, captcha, developer-portal, diagnostics, app-insights, kms, control-plane-ips), found unknown feature "captca" (did you mean "captcha"?)"#,
            ])
    }

    @Test func regionMustBelongToTheCloud() {
        #expect(throws: ProfileValidationErrors.self) {
            try BuiltinProfiles.profile(id: "apim-vnet")?.expand(parameters: ["region": "usgovvirginia"])
        }
    }
}
