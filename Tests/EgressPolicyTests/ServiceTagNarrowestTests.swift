import PacketWire
import TestSupport
import Testing
@testable import EgressPolicy

/// The narrowest tag covering addresses. Expected values worked by hand from
/// ServiceTags_Public_20251109.json (every tag listing a prefix containing the
/// address, and its IPv4 size): 13.88.144.118 is in Storage.WestUS (15,808
/// addresses), Storage (498,017), AzureCloud.westus (2,039,978) and AzureCloud;
/// 13.86.218.230 in AzureMonitor.WestUS (790, networkFeatures NSG only),
/// AzureMonitor (26,311, FW among them), AzureCloud.westus, AzureCloud.
@Suite(.requires(.shared)) struct ServiceTagNarrowestTests {
    static let catalog: ServiceTagCatalog? = try? ServiceTagSources.catalog(files: [SharedFolder.azurePublicServiceTags])

    @Test func regionalTagBeforeGlobal() throws {
        let c = try #require(Self.catalog)
        let a = try #require(IPAddress("13.88.144.118"))
        #expect(c.narrowestTag(covering: [a])?.name == "Storage.WestUS")
        #expect(c.narrowestTag(covering: [a], within: "Storage")?.name == "Storage.WestUS")
        #expect(c.narrowestTag(covering: [a], within: "storage")?.name == "Storage.WestUS")
        #expect(c.narrowestTag(covering: [a], within: "AzureCloud")?.name == "AzureCloud.westus")
    }

    @Test func aFeatureTheTagFileDeniesPassesTheTagOver() throws {
        let c = try #require(Self.catalog)
        let a = try #require(IPAddress("13.86.218.230"))
        #expect(c.narrowestTag(covering: [a])?.name == "AzureMonitor.WestUS")
        #expect(c.narrowestTag(covering: [a], usableBy: "FW")?.name == "AzureMonitor")
        #expect(c.narrowestTag(covering: [a], usableBy: "NSG")?.name == "AzureMonitor.WestUS")
    }

    @Test func everyAddressMustBeCovered() throws {
        let c = try #require(Self.catalog)
        let storage = try #require(IPAddress("13.88.144.118")), monitor = try #require(IPAddress("13.86.218.230"))
        // Both are in AzureCloud.westus, and in no smaller tag together.
        #expect(c.narrowestTag(covering: [storage, monitor])?.name == "AzureCloud.westus")
        #expect(c.narrowestTag(covering: [storage, monitor], within: "Storage") == nil)
        #expect(c.narrowestTag(covering: []) == nil)
        // 192.0.2.1 (documentation) is in no tag, not even Internet.
        #expect(c.narrowestTag(covering: [try #require(IPAddress("192.0.2.1"))]) == nil)
    }
}
