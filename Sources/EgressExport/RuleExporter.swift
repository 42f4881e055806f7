/// `egress-audit export`: the rules of an `ExportInput` in a target's format.
public enum RuleExporter {
    public static func export(_ input: ExportInput, as format: ExportFormat) throws -> ExportResult {
        // Azure Firewall carries the FQDN tags it offers itself; every other target gets their published names.
        let expanded = format == .azureFirewall ? input.expandingFQDNTags(keeping: AzureFirewallExport.carriesNatively)
            : input.expandingFQDNTags()
        var result = try render(expanded, as: format)
        // What the input could not carry (an FQDN tag Microsoft does not publish whole), for every target.
        result.untranslated = expanded.untranslated + result.untranslated
        return result
    }

    private static func render(_ input: ExportInput, as format: ExportFormat) throws -> ExportResult {
        switch format {
        case .azureFirewall: return try AzureFirewallExport.export(input)
        case .nsg: return try NSGExport.export(input)
        case .nftables: return NftablesExport.export(input)
        case .cilium: return CiliumExport.export(input)
        case .networkpolicy: return NetworkPolicyExport.export(input)
        case .awsNetworkFirewall: return try AWSNetworkFirewallExport.export(input)
        }
    }
}
