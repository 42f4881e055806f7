/// The enforcement points `egress-audit export` writes rules for.
public enum ExportFormat: String, Sendable, CaseIterable {
    /// Azure Firewall Policy rule collection group (ARM template JSON).
    case azureFirewall = "azure-firewall"
    /// Network security group security rules (ARM template JSON).
    case nsg
    /// An nftables `inet` table (`nft -f`).
    case nftables
    /// A CiliumNetworkPolicy (YAML).
    case cilium
    /// A Kubernetes NetworkPolicy (YAML), `ipBlock` only.
    case networkpolicy
    /// An AWS Network Firewall stateful domain-list rule group (`create-rule-group --cli-input-json`).
    case awsNetworkFirewall = "aws-network-firewall"

    public static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
