/// An Azure Firewall FQDN tag: a named group of host names Microsoft maintains for a
/// service (`AzureKubernetesService`, `WindowsUpdate`). Unlike a service tag there is no
/// downloadable file of what a tag holds; some of Microsoft's pages list the names a tag
/// covers, most do not. A rule naming a tag is matched by the names published for it, and
/// said to be *not fully expandable* when those names are not known to be the whole tag.
public struct FirewallFQDNTag: Sendable, Hashable {
    /// As Azure Firewall spells it.
    public let name: String
    /// Host names and patterns (Azure Firewall dialect) Microsoft publishes for the tag.
    public let names: [String]
    /// True only when `names` is known to be everything the tag holds.
    public let complete: Bool
    /// Where the names (or their absence) come from.
    public let source: String
}

/// The FQDN tags the built-in profiles name, with what is published about each.
/// Source: `../shared/data/azure/other-services.md` (restating Microsoft's pages).
public enum FirewallFQDNTags {
    public static let known: [FirewallFQDNTag] = [
        // §1 (AKS): "Azure Firewall FQDN tag AzureKubernetesService covers the FQDN rows" (1b).
        // Only the required rows with fixed names: the API server row is per region
        // (*.hcp.<region>.azmk8s.io), so the tag's region-independent content is not published.
        FirewallFQDNTag(
            name: "AzureKubernetesService",
            names: [
                "mcr.microsoft.com", "*.data.mcr.microsoft.com", "mcr-0001.mcr-msedge.net", "management.azure.com",
                "login.microsoftonline.com", "packages.microsoft.com", "acs-mirror.azureedge.net",
            ],
            complete: false,
            source: "https://learn.microsoft.com/azure/aks/outbound-rules-control-egress (the required FQDN rows the tag covers; the API server's per-region name and any further names are not published)"
        ),
        FirewallFQDNTag(
            name: "WindowsUpdate", names: [], complete: false,
            source: "no published list of names (named by the HDInsight outbound page)"),
        FirewallFQDNTag(
            name: "HDInsight", names: [], complete: false,
            source: "Azure-Samples/hdinsight-fqdn-lists HDInsightFQDNTags.json (not transcribed here)"),
        FirewallFQDNTag(
            name: "WindowsVirtualDesktop", names: [], complete: false,
            source: "no published list of names (recommended by the Azure Virtual Desktop required-FQDN page)"),
    ]

    /// The FQDN tags Azure Firewall application rules accept, as Microsoft's "FQDN tags overview"
    /// lists them (https://learn.microsoft.com/azure/firewall/fqdn-tags, source
    /// MicrosoftDocs/azure-docs `articles/firewall/fqdn-tags.md`, ms.date 03/28/2026). `HDInsight` is
    /// the spelling HDInsight's own outbound page gives the tag (its application rule "FQDN tags
    /// `HDInsight` and `WindowsUpdate`", https://learn.microsoft.com/azure/hdinsight/hdinsight-restrict-outbound-traffic)
    /// where the overview writes `AzureHDInsight`: both are kept as written by Microsoft. The overview's
    /// `Office365.*` family (per product and category) is not listed here.
    public static let offeredByAzureFirewall: [String] = [
        "WindowsUpdate", "WindowsDiagnostics", "MicrosoftActiveProtectionService", "AppServiceEnvironment", "AzureBackup",
        "AzureHDInsight", "HDInsight", "WindowsVirtualDesktop", "AzureKubernetesService", "Windows365", "MicrosoftIntune",
        "citrixHdxPlusForWindows365",
    ]

    /// `name` as Azure Firewall spells the FQDN tag (any letter case matches), or nil when Azure
    /// Firewall offers no tag of that name.
    public static func azureFirewallName(_ name: String) -> String? {
        let folded = name.lowercased()
        return offeredByAzureFirewall.first { $0.lowercased() == folded }
    }

    /// The tag named `name`, any letter case; nil for a tag this list does not know (a rule naming
    /// one matches no name and is reported not fully expandable, like a tag with no published names).
    public static func tag(named name: String) -> FirewallFQDNTag? {
        let folded = name.lowercased()
        return known.first { $0.name.lowercased() == folded }
    }
}
