import EgressAudit

/// Azure Resource Manager deployment templates: the scaffolding the azure-firewall
/// and nsg exports share around their resources.
enum ARM {
    /// `Microsoft.Network`'s API version the resources are written for: the one whose
    /// schema deploy/schemas checks them against.
    static let networkAPIVersion = "2024-05-01"

    /// A deployment template (schema 2019-04-01) holding `resources`.
    struct Template<Resource: Encodable>: Encodable {
        var schema = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"
        var contentVersion = "1.0.0.0"
        var parameters: [String: Parameter]
        var resources: [Resource]

        enum CodingKeys: String, CodingKey {
            case schema = "$schema", contentVersion, parameters, resources
        }

        /// The template as ARM JSON.
        func json() throws -> String { try ReportOutput.json(self) }
    }

    /// A string parameter of a template, with its description.
    struct Parameter: Encodable {
        var type = "string"
        var defaultValue: String?
        var metadata: [String: String]

        init(defaultValue: String? = nil, description: String) {
            self.defaultValue = defaultValue
            self.metadata = ["description": description]
        }
    }
}
