extension BuiltinProfiles {
    /// `cassandra-mi`: transcribed from the Managed Instance for Apache Cassandra network rules page, every row cited in `source`.
    static let cassandraMI = BuiltinProfileText(
        id: "cassandra-mi",
        yaml: #"""
id: cassandra-mi
title: Azure Managed Instance for Apache Cassandra — required network rules
description: >-
  Outbound service tags, global FQDNs and VNet-internal ports a Managed Instance for
  Apache Cassandra data center needs. Transcribed row by row; "HTTPS" rows are TCP 443.
dialect: azure-firewall
source:
  - id: cassandra-network-rules
    url: https://learn.microsoft.com/en-us/azure/managed-instance-apache-cassandra/network-rules
    title: Required outbound network rules for Azure Managed Instance for Apache Cassandra (ms.date 05/21/2021)
parameters:
  - name: region
    description: >-
      Region of the data center (e.g. "West US" or westus). One profile expansion per
      region: the document asks for an entry for each region where a data center runs.
    kind: region
  - name: cloud
    description: Azure cloud. The FQDN table is written for Azure Global (public).
    kind: choice
    values: [public, usgov, china]
    default: public
  - name: virtual-network
    description: Address space of the data center's virtual network (gives VirtualNetwork its prefixes).
    kind: cidr-list
features: []
rules:
  # Virtual network service tags (Azure Firewall users).
  - id: tag-storage
    direction: outbound
    destinations: [{serviceTag: Storage}]
    ports: 443
    transport: tcp
    required: true
    purpose: Secure communication between the nodes and Azure Storage for control-plane communication and configuration
    source: {document: cassandra-network-rules, table: service-tags, row: 1, text: "Storage | HTTPS | 443 | Required for secure communication between the nodes and Azure Storage for Control Plane communication and configuration."}
  - id: tag-keyvault
    direction: outbound
    destinations: [{serviceTag: AzureKeyVault}]
    ports: 443
    transport: tcp
    required: true
    purpose: Secure communication between the nodes and Azure Key Vault (certificates and keys securing the cluster)
    source: {document: cassandra-network-rules, table: service-tags, row: 2, text: "AzureKeyVault | HTTPS | 443 | Required for secure communication between the nodes and Azure Key Vault."}
  - id: tag-eventhub
    direction: outbound
    destinations: [{serviceTag: EventHub}]
    ports: 443
    transport: tcp
    required: true
    purpose: Forward logs to Azure
    source: {document: cassandra-network-rules, table: service-tags, row: 3, text: "EventHub | HTTPS | 443 | Required to forward logs to Azure"}
  - id: tag-azuremonitor
    direction: outbound
    destinations: [{serviceTag: AzureMonitor}]
    ports: 443
    transport: tcp
    required: true
    purpose: Forward metrics to Azure
    source: {document: cassandra-network-rules, table: service-tags, row: 4, text: "AzureMonitor | HTTPS | 443 | Required to forward metrics to Azure"}
  - id: tag-azureactivedirectory
    direction: outbound
    destinations: [{serviceTag: AzureActiveDirectory}]
    ports: 443
    transport: tcp
    required: true
    purpose: Azure Active Directory authentication
    source: {document: cassandra-network-rules, table: service-tags, row: 5, text: "AzureActiveDirectory| HTTPS | 443 | Required for Azure Active Directory authentication."}
  - id: tag-guestandhybridmanagement
    direction: outbound
    destinations: [{serviceTag: GuestandHybridManagement}]
    ports: 443
    transport: tcp
    required: true
    purpose: Gather information about and manage Cassandra nodes (for example, reboot)
    note: Spelled as the document writes it; the service-tag file spells it GuestAndHybridManagement (tag names match case-insensitively).
    source: {document: cassandra-network-rules, table: service-tags, row: 6, text: "GuestandHybridManagement | HTTPS | 443 | Required to gather information about and manage Cassandra nodes (for example, reboot)"}
  - id: tag-apimanagement
    direction: outbound
    destinations: [{serviceTag: ApiManagement}]
    ports: 443
    transport: tcp
    required: true
    purpose: Gather information about and manage Cassandra nodes (for example, reboot)
    source: {document: cassandra-network-rules, table: service-tags, row: 7, text: "ApiManagement | HTTPS | 443 | Required to gather information about and manage Cassandra nodes (for example, reboot)"}
  - id: tag-storage-regional
    direction: outbound
    destinations: [{serviceTag: "Storage.<Region>"}]
    ports: 443
    transport: tcp
    required: true
    purpose: Azure Storage of each region where a data center is deployed (control plane and configuration)
    source: {document: cassandra-network-rules, table: service-tags, row: 8, text: "You need an entry for each region where you have deployed a datacenter."}

  # Azure Global required network rules (without Azure Firewall): FQDN, or the service tag the row offers instead.
  - id: fqdn-snovap-blob
    direction: outbound
    destinations: [{fqdn: "snovap<region>.blob.core.windows.net"}, {serviceTag: Storage}]
    ports: 443
    transport: tcp
    required: true
    when: {cloud: public}
    purpose: Secure communication between the nodes and Azure Storage for control-plane communication and configuration
    source: {document: cassandra-network-rules, table: global-fqdns, row: 1, text: "snovap`<region>`.blob.core.windows.net:443"}
  - id: fqdn-store-core
    direction: outbound
    destinations: [{fqdn: "*.store.core.windows.net"}, {serviceTag: Storage}]
    ports: 443
    transport: tcp
    required: true
    when: {cloud: public}
    purpose: Secure communication between the nodes and Azure Storage for control-plane communication and configuration
    source: {document: cassandra-network-rules, table: global-fqdns, row: 2, text: "*.store.core.windows.net:443"}
  - id: fqdn-blob-backups
    direction: outbound
    destinations: [{fqdn: "*.blob.core.windows.net"}, {serviceTag: Storage}]
    ports: 443
    transport: tcp
    required: true
    when: {cloud: public}
    purpose: Secure communication between the nodes and Azure Storage to store backups
    note: The document says the backup storage name will follow a pattern by GA; until then any blob account.
    source: {document: cassandra-network-rules, table: global-fqdns, row: 3, text: "Required for secure communication between the nodes and Azure Storage to store backups."}
  - id: fqdn-vmc-vault
    direction: outbound
    destinations: [{fqdn: "vmc-p-<region>.vault.azure.net"}, {serviceTag: AzureKeyVault}]
    ports: 443
    transport: tcp
    required: true
    when: {cloud: public}
    purpose: Secure communication between the nodes and Azure Key Vault
    source: {document: cassandra-network-rules, table: global-fqdns, row: 4, text: "vmc-p-`<region>`.vault.azure.net:443"}
  - id: fqdn-management
    direction: outbound
    destinations: [{fqdn: management.azure.com}]
    ports: 443
    transport: tcp
    required: true
    when: {cloud: public}
    purpose: Gather information about and manage Cassandra nodes (for example, reboot)
    note: The row's alternative is "Azure Virtual Machine Scale Sets/Azure Management API", which is not one service tag.
    source: {document: cassandra-network-rules, table: global-fqdns, row: 5, text: "management.azure.com:443"}
  - id: fqdn-servicebus
    direction: outbound
    destinations: [{fqdn: "*.servicebus.windows.net"}, {serviceTag: EventHub}]
    ports: 443
    transport: tcp
    required: true
    when: {cloud: public}
    purpose: Forward logs to Azure
    source: {document: cassandra-network-rules, table: global-fqdns, row: 6, text: "*.servicebus.windows.net:443"}
  - id: fqdn-jarvis
    direction: outbound
    destinations: [{fqdn: jarvis-west.dc.ad.msft.net}, {serviceTag: AzureMonitor}]
    ports: 443
    transport: tcp
    required: true
    when: {cloud: public}
    purpose: Forward metrics to Azure
    source: {document: cassandra-network-rules, table: global-fqdns, row: 7, text: "jarvis-west.dc.ad.msft.net:443"}
  - id: fqdn-login
    direction: outbound
    destinations: [{fqdn: login.microsoftonline.com}, {serviceTag: AzureActiveDirectory}]
    ports: 443
    transport: tcp
    required: true
    when: {cloud: public}
    purpose: Azure Active Directory authentication
    source: {document: cassandra-network-rules, table: global-fqdns, row: 8, text: "login.microsoftonline.com:443"}
  - id: fqdn-packages
    direction: outbound
    destinations: [{fqdn: packages.microsoft.com}]
    ports: 443
    transport: tcp
    required: true
    when: {cloud: public}
    purpose: Updates to Azure security scanner definition and signatures
    source: {document: cassandra-network-rules, table: global-fqdns, row: 9, text: "packages.microsoft.com | HTTPS | 443 | Required for updates to Azure security scanner definition and signatures"}
  - id: fqdn-azure-microsoft
    direction: outbound
    destinations: [{fqdn: azure.microsoft.com}]
    ports: 443
    transport: tcp
    required: true
    when: {cloud: public}
    purpose: Get information about the virtual machine scale set
    source: {document: cassandra-network-rules, table: global-fqdns, row: 10, text: "azure.microsoft.com | HTTPS | 443 | Required to get information about vmss"}
  - id: fqdn-regional-dsms
    direction: outbound
    destinations: [{fqdn: "<region>-dsms.dsms.core.windows.net"}]
    ports: 443
    transport: tcp
    required: true
    when: {cloud: public}
    purpose: Certificate for logging
    source: {document: cassandra-network-rules, table: global-fqdns, row: 11, text: "<region>-dsms.dsms.core.windows.net | HTTPS | 443 | Certificate for logging"}
  - id: fqdn-gcs-monitoring
    direction: outbound
    destinations: [{fqdn: gcs.prod.monitoring.core.windows.net}]
    ports: 443
    transport: tcp
    required: true
    when: {cloud: public}
    purpose: Logging endpoint
    source: {document: cassandra-network-rules, table: global-fqdns, row: 12, text: "gcs.prod.monitoring.core.windows.net | HTTPS | 443 | Logging endpoint needed for logging"}
  - id: fqdn-global-metrics
    direction: outbound
    destinations: [{fqdn: global.prod.microsoftmetrics.com}]
    ports: 443
    transport: tcp
    required: true
    when: {cloud: public}
    purpose: Metrics
    source: {document: cassandra-network-rules, table: global-fqdns, row: 13, text: "global.prod.microsoftmetrics.com | HTTPS | 443 | Needed fore metrics"}
  - id: fqdn-scanner-packages
    direction: outbound
    destinations: [{fqdn: shavsalinuxscanpkg.blob.core.windows.net}]
    ports: 443
    transport: tcp
    required: true
    when: {cloud: public}
    purpose: Download and update the security scanner
    source: {document: cassandra-network-rules, table: global-fqdns, row: 14, text: "shavsalinuxscanpkg.blob.core.windows.net | HTTPS | 443 | Needed to download/update security scanner"}
  - id: fqdn-crl
    direction: outbound
    destinations: [{fqdn: crl.microsoft.com}]
    ports: 443
    transport: tcp
    required: true
    when: {cloud: public}
    purpose: Access public Microsoft certificates
    source: {document: cassandra-network-rules, table: global-fqdns, row: 15, text: "crl.microsoft.com | HTTPS | 443 | Needed to access public Microsoft certificates"}
  - id: fqdn-global-dsms
    direction: outbound
    destinations: [{fqdn: global-dsms.dsms.core.windows.net}]
    ports: 443
    transport: tcp
    required: true
    when: {cloud: public}
    purpose: Access public Microsoft certificates
    source: {document: cassandra-network-rules, table: global-fqdns, row: 16, text: "global-dsms.dsms.core.windows.net | HTTPS | 443 | Needed to access public Microsoft certificates"}

  # Internal port usage: only within the VNet (or peered VNets / ExpressRoute).
  - id: vnet-8443
    direction: both
    sources: [{serviceTag: VirtualNetwork}]
    destinations: [{serviceTag: VirtualNetwork}]
    ports: 8443
    transport: tcp
    required: true
    purpose: Internal
    source: {document: cassandra-network-rules, table: internal-ports, row: 1, text: "| 8443 | Internal |"}
  - id: vnet-9443
    direction: both
    sources: [{serviceTag: VirtualNetwork}]
    destinations: [{serviceTag: VirtualNetwork}]
    ports: 9443
    transport: tcp
    required: true
    purpose: Internal
    source: {document: cassandra-network-rules, table: internal-ports, row: 2, text: "| 9443 | Internal |"}
  - id: vnet-7001-gossip
    direction: both
    sources: [{serviceTag: VirtualNetwork}]
    destinations: [{serviceTag: VirtualNetwork}]
    ports: 7001
    transport: tcp
    required: true
    purpose: Gossip between Cassandra nodes
    source: {document: cassandra-network-rules, table: internal-ports, row: 3, text: "| 7001 | Gossip - Used by Cassandra nodes to talk to each other |"}
  - id: vnet-9042-cql
    direction: both
    sources: [{serviceTag: VirtualNetwork}]
    destinations: [{serviceTag: VirtualNetwork}]
    ports: 9042
    transport: tcp
    required: true
    purpose: Clients connecting to Cassandra (CQL)
    source: {document: cassandra-network-rules, table: internal-ports, row: 4, text: "| 9042 | Cassandra -Used by clients to connect to Cassandra |"}
  - id: vnet-7199
    direction: both
    sources: [{serviceTag: VirtualNetwork}]
    destinations: [{serviceTag: VirtualNetwork}]
    ports: 7199
    transport: tcp
    required: true
    purpose: Internal
    source: {document: cassandra-network-rules, table: internal-ports, row: 5, text: "| 7199 | Internal |"}
"""#
    )
}
