import Foundation
import Testing
@testable import EgressPolicy

@Suite struct AzureServiceTagFileTests {
    private func parse(_ json: String) throws(PolicyLoadError) -> AzureServiceTagFile {
        try AzureServiceTagFile(data: Data(json.utf8), source: "tags.json")
    }

    @Test func readsTagsWithMixedFamiliesAndNullFeatures() throws {
        let file = try parse("""
        {"changeNumber": 376, "cloud": "Public", "values": [
          {"name": "Storage.WestUS", "id": "Storage.WestUS",
           "properties": {"changeNumber": 9, "region": "westus", "regionId": 2, "platform": "Azure",
                          "systemService": "AzureStorage",
                          "addressPrefixes": ["13.88.144.240/28", "2603:1030:a::/48"],
                          "networkFeatures": ["API", "NSG"]}},
          {"name": "AzureCloud", "id": "AzureCloud",
           "properties": {"changeNumber": 1, "region": "", "regionId": 0, "platform": "Azure", "systemService": "",
                          "addressPrefixes": [], "networkFeatures": null}}
        ]}
        """)
        #expect(file.changeNumber == 376)
        #expect(file.cloud == "Public")
        #expect(file.tags.count == 2)
        let storage = file.tags[0]
        #expect(storage.name == "Storage.WestUS")
        #expect(storage.region == "westus")
        #expect(storage.systemService == "AzureStorage")
        #expect(storage.prefixes.map(\.description) == ["13.88.144.240/28", "2603:1030:a::/48"])
        #expect(storage.networkFeatures == ["API", "NSG"])
        #expect(storage.source == "tags.json")
        #expect(file.tags[1].networkFeatures == nil)
        #expect(file.tags[1].prefixes.isEmpty)
    }

    @Test func badCIDRNamesFilePathAndExpectation() {
        let json = """
        {"values": [
          {"name": "A", "properties": {"addressPrefixes": ["10.0.0.0/8"]}},
          {"name": "B", "properties": {"addressPrefixes": ["10.0.0.0/8", "10.0.0.0/33"]}}
        ]}
        """
        #expect(throws: PolicyLoadError(file: "tags.json", path: "values[1].properties.addressPrefixes[1]",
                                        expected: "a CIDR like 10.0.0.0/8 or 2001:db8::/32",
                                        found: "\"10.0.0.0/33\" (\"10.0.0.0/33\" has a prefix length beyond the family's (max 32 for IPv4, 128 for IPv6))")) {
            try parse(json)
        }
        do {
            _ = try parse(json)
        } catch {
            #expect(error.description.hasPrefix("tags.json: values[1].properties.addressPrefixes[1]: expected a CIDR like 10.0.0.0/8"))
        }
    }

    @Test func wrongTypesAreNamedWithWhatWasFound() {
        #expect(throws: PolicyLoadError(file: "tags.json", path: "values[0].properties.addressPrefixes",
                                        expected: "an array", found: "\"10.0.0.0/8\"")) {
            try parse(#"{"values": [{"name": "A", "properties": {"addressPrefixes": "10.0.0.0/8"}}]}"#)
        }
        #expect(throws: PolicyLoadError(file: "tags.json", path: "values[0].name", expected: "a string", found: "the number 7")) {
            try parse(#"{"values": [{"name": 7, "properties": {"addressPrefixes": []}}]}"#)
        }
        #expect(throws: PolicyLoadError(file: "tags.json", path: "values", expected: "an array", found: "an object")) {
            try parse(#"{"values": {}}"#)
        }
        #expect(throws: PolicyLoadError(file: "tags.json", path: "(top level)", expected: "an object", found: "an array of 0")) {
            try parse("[]")
        }
        #expect(throws: PolicyLoadError(file: "tags.json", path: "values[0].properties.addressPrefixes[0]",
                                        expected: "a CIDR string like 10.0.0.0/8", found: "null")) {
            try parse(#"{"values": [{"name": "A", "properties": {"addressPrefixes": [null]}}]}"#)
        }
        #expect(throws: PolicyLoadError(file: "tags.json", path: "changeNumber", expected: "an integer", found: "\"376\"")) {
            try parse(#"{"changeNumber": "376", "values": []}"#)
        }
    }

    @Test func missingMembersAreNamed() {
        #expect(throws: PolicyLoadError(file: "tags.json", path: "values[0].properties", expected: "a member \"properties\"", found: "none")) {
            try parse(#"{"values": [{"name": "A"}]}"#)
        }
        #expect(throws: PolicyLoadError(file: "tags.json", path: "values", expected: "a member \"values\"", found: "none")) {
            try parse(#"{"changeNumber": 1}"#)
        }
    }

    @Test func malformedJSONNamesTheFile() {
        do {
            _ = try parse(#"{"values": [ {"name": "A", }"#)
            Issue.record("malformed JSON was accepted")
        } catch {
            #expect(error.file == "tags.json")
            #expect(error.path == "")
            #expect(error.expected == "a JSON document")
            #expect(error.found.hasPrefix("malformed JSON"))
        }
    }

    @Test func unreadableFileIsAnError() {
        do {
            _ = try AzureServiceTagFile(contentsOf: "/nonexistent/ServiceTags_Public.json")
            Issue.record("a missing file was accepted")
        } catch {
            #expect(error.file == "/nonexistent/ServiceTags_Public.json")
            #expect(error.expected == "a readable file")
        }
    }
}
