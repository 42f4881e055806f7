extension BuiltinProfiles {
    /// `apim-vnet`: transcribed from the API Management VNet configuration reference, every row cited in `source`.
    static let apimVNet = BuiltinProfileText(
        id: "apim-vnet",
        yaml: #"""
id: apim-vnet
title: Azure API Management in a virtual network — NSG ports and outbound dependencies
description: >-
  Inbound and outbound rules for an API Management instance injected into a VNet
  (external or internal mode), from the VNet configuration reference: both port tables
  (compute platform stv2 and stv1; rows the two share are one rule), DNS, certificate
  chain, Entra ID, Azure Monitor endpoints per cloud, CAPTCHA, developer portal,
  diagnostics, Application Insights, KMS, and the control-plane IP addresses.
dialect: azure-firewall
source:
  - id: apim-vnet-reference
    url: https://learn.microsoft.com/en-us/azure/api-management/virtual-network-reference
    title: Virtual network configuration reference — API Management (ms.date 01/06/2023)
parameters:
  - name: cloud
    description: Azure cloud hosting the instance; picks the Azure Monitor endpoint list and control-plane IPs.
    kind: choice
    values: [public, usgov, china]
    default: public
  - name: region
    description: Region of the instance (e.g. "West US" or westus); fills <region> in host names and <Region> in regional service tags.
    kind: region
  - name: platform
    description: Compute platform hosting the instance; the two port tables differ in a few rows.
    kind: choice
    values: [stv2, stv1]
    default: stv2
  - name: vnet-mode
    description: VNet type; inbound client traffic on 80/443 is opened in external mode only.
    kind: choice
    values: [external, internal]
    default: external
  - name: sku
    description: >-
      Pricing tier. Inbound Azure Load Balancer probes are required for Premium and
      optional for Developer (one compute unit).
    kind: choice
    values: [developer, premium]
    default: premium
  - name: virtual-network
    description: Address space of the instance's virtual network (gives the VirtualNetwork keyword its prefixes).
    kind: cidr-list
features:
  - name: entra-keyvault
    description: Azure Active Directory and Azure Key Vault dependency (optional row of both port tables).
  - name: authorizations
    description: API Management authorizations (AzureConnectors).
  - name: keyvault-named-values
    description: Key Vault named values integration (stv1 lists Key Vault as optional for this).
  - name: eventhub-logging
    description: Log to Azure Event Hubs policy and the monitoring agent.
  - name: git
    description: Configuration through Git (Azure File Share, SMB 445).
  - name: health-monitoring
    description: Health and Monitoring Extension and Event Grid notifications (stv1 only, AzureCloud 443/12000).
  - name: azure-monitor
    description: Diagnostics logs and metrics, Resource Health and Application Insights through Azure Monitor (1886, 443) and its endpoints.
  - name: redis-cache
    description: External or internal Azure Cache for Redis for caching policies between machines (6380, 6381-6383).
  - name: rate-limit-sync
    description: Rate-limit counter synchronization between machines (UDP 4290).
  - name: load-balancer-probe
    description: Inbound Azure Load Balancer health probes on the Developer SKU, where they are optional.
  - name: cert-chain
    description: TLS certificate chain building and validation (not needed when uploaded certificates carry the full chain).
  - name: captcha
    description: Developer portal CAPTCHA.
  - name: developer-portal
    description: Publishing the developer portal (blob storage in West US).
  - name: diagnostics
    description: API Management diagnostics extension from inside the VNet.
  - name: app-insights
    description: Azure Application Insights monitoring enabled on the instance.
  - name: kms
    description: Windows virtual machines added to the VNet activating against Azure KMS.
  - name: control-plane-ips
    description: >-
      Inbound management on 3443 from the control-plane IP addresses instead of the
      ApiManagement service tag (the document recommends the tag).
rules:
  # Port tables. Row numbers: stv2-ports and stv1-ports, data rows from 1.
  - id: inbound-client
    direction: inbound
    sources: [{serviceTag: Internet}]
    destinations: [{serviceTag: VirtualNetwork}]
    ports: [80, 443]
    transport: tcp
    required: true
    when: {vnet-mode: external}
    purpose: Client communication to API Management (external VNet only)
    note: The document brackets port 80 ("[80], 443"), marking it optional.
    source:
      - {document: apim-vnet-reference, table: stv2-ports, row: 1, text: "* / [80], 443 | Inbound | TCP | Internet / VirtualNetwork | Client communication to API Management | External only |"}
      - {document: apim-vnet-reference, table: stv1-ports, row: 1, text: "* / [80], 443 | Inbound | TCP | Internet / VirtualNetwork | Client communication to API Management | External only |"}
  - id: inbound-management
    direction: inbound
    sources: [{serviceTag: ApiManagement}]
    destinations: [{serviceTag: VirtualNetwork}]
    ports: 3443
    transport: tcp
    required: true
    purpose: Management endpoint for Azure portal and PowerShell
    source:
      - {document: apim-vnet-reference, table: stv2-ports, row: 2, text: "* / 3443 | Inbound | TCP | ApiManagement / VirtualNetwork | Management endpoint for Azure portal and PowerShell | External & Internal |"}
      - {document: apim-vnet-reference, table: stv1-ports, row: 2, text: "* / 3443 | Inbound | TCP | ApiManagement / VirtualNetwork | Management endpoint for Azure portal and PowerShell | External & Internal |"}
  - id: storage
    direction: outbound
    sources: [{serviceTag: VirtualNetwork}]
    destinations: [{serviceTag: Storage}, {serviceTag: "Storage.<Region>"}]
    ports: 443
    transport: tcp
    required: true
    purpose: Dependency on Azure Storage
    note: The regional tag of the instance's region may replace the global one.
    source:
      - {document: apim-vnet-reference, table: stv2-ports, row: 3, text: "* / 443 | Outbound | TCP | VirtualNetwork / Storage | Dependency on Azure Storage | External & Internal |"}
      - {document: apim-vnet-reference, table: stv1-ports, row: 3, text: "* / 443 | Outbound | TCP | VirtualNetwork / Storage | Dependency on Azure Storage | External & Internal |"}
      - {document: apim-vnet-reference, text: "NSG rules allowing outbound connectivity to Storage, SQL, and Azure Event Hubs service tags may use the regional versions of those tags corresponding to the region containing the API Management instance (for example, Storage.WestUS for an API Management instance in the West US region)."}
  - id: entra-keyvault
    direction: outbound
    sources: [{serviceTag: VirtualNetwork}]
    destinations: [{serviceTag: AzureActiveDirectory}]
    ports: 443
    transport: tcp
    required: false
    feature: entra-keyvault
    purpose: Azure Active Directory and Azure Key Vault dependency
    source:
      - {document: apim-vnet-reference, table: stv2-ports, row: 4, text: "* / 443 | Outbound | TCP | VirtualNetwork / AzureActiveDirectory | Azure Active Directory and Azure Key Vault dependency (optional) | External & Internal |"}
      - {document: apim-vnet-reference, table: stv1-ports, row: 4, text: "* / 443 | Outbound | TCP | VirtualNetwork / AzureActiveDirectory | Azure Active Directory and Azure Key Vault dependency (optional) | External & Internal |"}
  - id: authorizations
    direction: outbound
    sources: [{serviceTag: VirtualNetwork}]
    destinations: [{serviceTag: AzureConnectors}]
    ports: 443
    transport: tcp
    required: false
    feature: authorizations
    purpose: Authorizations dependency
    source:
      - {document: apim-vnet-reference, table: stv2-ports, row: 5, text: "* / 443 | Outbound | TCP | VirtualNetwork / AzureConnectors | Authorizations dependency (optional) | External & Internal |"}
      - {document: apim-vnet-reference, table: stv1-ports, row: 6, text: "* / 443 | Outbound | TCP | VirtualNetwork / AzureConnectors | Authorizations dependency (optional) | External & Internal |"}
  - id: sql
    direction: outbound
    sources: [{serviceTag: VirtualNetwork}]
    destinations: [{serviceTag: Sql}, {serviceTag: "Sql.<Region>"}]
    ports: 1433
    transport: tcp
    required: true
    purpose: Access to Azure SQL endpoints
    note: The regional tag of the instance's region may replace the global one.
    source:
      - {document: apim-vnet-reference, table: stv2-ports, row: 6, text: "* / 1433 | Outbound | TCP | VirtualNetwork / Sql | Access to Azure SQL endpoints | External & Internal |"}
      - {document: apim-vnet-reference, table: stv1-ports, row: 7, text: "* / 1433 | Outbound | TCP | VirtualNetwork / Sql | Access to Azure SQL endpoints | External & Internal |"}
      - {document: apim-vnet-reference, text: "NSG rules allowing outbound connectivity to Storage, SQL, and Azure Event Hubs service tags may use the regional versions of those tags"}
  - id: keyvault-stv2
    direction: outbound
    sources: [{serviceTag: VirtualNetwork}]
    destinations: [{serviceTag: AzureKeyVault}]
    ports: 443
    transport: tcp
    required: true
    when: {platform: stv2}
    purpose: Access to Azure Key Vault
    source: {document: apim-vnet-reference, table: stv2-ports, row: 7, text: "* / 443 | Outbound | TCP | VirtualNetwork / AzureKeyVault | Access to Azure Key Vault | External & Internal |"}
  - id: keyvault-named-values-stv1
    direction: outbound
    sources: [{serviceTag: VirtualNetwork}]
    destinations: [{serviceTag: AzureKeyVault}]
    ports: 443
    transport: tcp
    required: false
    feature: keyvault-named-values
    when: {platform: stv1}
    purpose: Access to Azure Key Vault for named values integration
    source: {document: apim-vnet-reference, table: stv1-ports, row: 5, text: "* / 443 | Outbound | TCP | VirtualNetwork / AzureKeyVault | Access to Azure Key Vault for named values integration (optional) | External & Internal |"}
  - id: eventhub
    direction: outbound
    sources: [{serviceTag: VirtualNetwork}]
    destinations: [{serviceTag: EventHub}, {serviceTag: "EventHub.<Region>"}]
    ports: [5671, 5672, 443]
    transport: tcp
    required: false
    feature: eventhub-logging
    purpose: Log to Azure Event Hubs policy and Azure Monitor / monitoring agent
    note: stv1 names the tag "Azure Event Hubs" (the EventHub tag). The regional tag may replace the global one.
    source:
      - {document: apim-vnet-reference, table: stv2-ports, row: 8, text: "* / 5671, 5672, 443 | Outbound | TCP | VirtualNetwork / EventHub | Dependency for Log to Azure Event Hubs policy and Azure Monitor (optional) | External & Internal |"}
      - {document: apim-vnet-reference, table: stv1-ports, row: 8, text: "* / 5671, 5672, 443 | Outbound | TCP | VirtualNetwork / Azure Event Hubs | Dependency for Log to Azure Event Hubs policy and monitoring agent (optional) | External & Internal |"}
      - {document: apim-vnet-reference, text: "NSG rules allowing outbound connectivity to Storage, SQL, and Azure Event Hubs service tags may use the regional versions of those tags"}
  - id: git-file-share
    direction: outbound
    sources: [{serviceTag: VirtualNetwork}]
    destinations: [{serviceTag: Storage}]
    ports: 445
    transport: tcp
    required: false
    feature: git
    purpose: Dependency on Azure File Share for Git
    source:
      - {document: apim-vnet-reference, table: stv2-ports, row: 9, text: "* / 445 | Outbound | TCP | VirtualNetwork / Storage | Dependency on Azure File Share for GIT (optional) | External & Internal |"}
      - {document: apim-vnet-reference, table: stv1-ports, row: 9, text: "* / 445 | Outbound | TCP | VirtualNetwork / Storage | Dependency on Azure File Share for GIT (optional) | External & Internal |"}
  - id: health-monitoring-stv1
    direction: outbound
    sources: [{serviceTag: VirtualNetwork}]
    destinations: [{serviceTag: AzureCloud}]
    ports: [443, 12000]
    transport: tcp
    required: false
    feature: health-monitoring
    when: {platform: stv1}
    purpose: Health and Monitoring Extension and Event Grid (if events notification activated)
    source: {document: apim-vnet-reference, table: stv1-ports, row: 10, text: "* / 443, 12000 | Outbound | TCP | VirtualNetwork / AzureCloud | Health and Monitoring Extension & Dependency on Event Grid (if events notification activated) (optional) | External & Internal |"}
  - id: azure-monitor
    direction: outbound
    sources: [{serviceTag: VirtualNetwork}]
    destinations: [{serviceTag: AzureMonitor}]
    ports: [1886, 443]
    transport: tcp
    required: false
    feature: azure-monitor
    purpose: Publish diagnostics logs and metrics, Resource Health and Application Insights
    source:
      - {document: apim-vnet-reference, table: stv2-ports, row: 10, text: "* / 1886, 443 | Outbound | TCP | VirtualNetwork / AzureMonitor | Publish Diagnostics Logs and Metrics, Resource Health, and Application Insights (optional) | External & Internal |"}
      - {document: apim-vnet-reference, table: stv1-ports, row: 11, text: "* / 1886, 443 | Outbound | TCP | VirtualNetwork / AzureMonitor | Publish Diagnostics Logs and Metrics, Resource Health, and Application Insights (optional) | External & Internal |"}
  - id: redis-external
    direction: both
    sources: [{serviceTag: VirtualNetwork}]
    destinations: [{serviceTag: VirtualNetwork}]
    ports: 6380
    transport: tcp
    required: false
    feature: redis-cache
    purpose: External Azure Cache for Redis for caching policies between machines
    source:
      - {document: apim-vnet-reference, table: stv2-ports, row: 11, text: "* / 6380 | Inbound & Outbound | TCP | VirtualNetwork / VirtualNetwork | Access external Azure Cache for Redis service for caching policies between machines (optional) | External & Internal |"}
      - {document: apim-vnet-reference, table: stv1-ports, row: 12, text: "* / 6380 | Inbound & Outbound | TCP | VirtualNetwork / VirtualNetwork | Access external Azure Cache for Redis service for caching policies between machines (optional) | External & Internal |"}
  - id: redis-internal
    direction: both
    sources: [{serviceTag: VirtualNetwork}]
    destinations: [{serviceTag: VirtualNetwork}]
    ports: "6381-6383"
    transport: tcp
    required: false
    feature: redis-cache
    purpose: Internal Azure Cache for Redis for caching policies between machines
    source:
      - {document: apim-vnet-reference, table: stv2-ports, row: 12, text: "* / 6381 - 6383 | Inbound & Outbound | TCP | VirtualNetwork / VirtualNetwork | Access internal Azure Cache for Redis service for caching policies between machines (optional) | External & Internal |"}
      - {document: apim-vnet-reference, table: stv1-ports, row: 13, text: "* / 6381 - 6383 | Inbound & Outbound | TCP | VirtualNetwork / VirtualNetwork | Access internal Azure Cache for Redis service for caching policies between machines (optional) | External & Internal |"}
  - id: rate-limit-sync
    direction: both
    sources: [{serviceTag: VirtualNetwork}]
    destinations: [{serviceTag: VirtualNetwork}]
    ports: 4290
    transport: udp
    required: false
    feature: rate-limit-sync
    purpose: Sync counters for rate-limit policies between machines
    source:
      - {document: apim-vnet-reference, table: stv2-ports, row: 13, text: "* / 4290 | Inbound & Outbound | UDP | VirtualNetwork / VirtualNetwork | Sync Counters for Rate Limit policies between machines (optional) | External & Internal |"}
      - {document: apim-vnet-reference, table: stv1-ports, row: 14, text: "* / 4290 | Inbound & Outbound | UDP | VirtualNetwork / VirtualNetwork | Sync Counters for Rate Limit policies between machines (optional) | External & Internal |"}
  - id: load-balancer-stv2
    direction: inbound
    sources: [{serviceTag: AzureLoadBalancer}]
    destinations: [{serviceTag: VirtualNetwork}]
    ports: 6390
    transport: tcp
    required: true
    when: {platform: stv2, sku: premium}
    purpose: Azure Infrastructure Load Balancer health probes
    source:
      - {document: apim-vnet-reference, table: stv2-ports, row: 14, text: "* / 6390 | Inbound | TCP | AzureLoadBalancer / VirtualNetwork | Azure Infrastructure Load Balancer | External & Internal |"}
      - {document: apim-vnet-reference, text: "inbound connectivity from AzureLoadBalancer becomes critical when scaling to a higher SKU, such as Premium"}
  - id: load-balancer-stv2-developer
    direction: inbound
    sources: [{serviceTag: AzureLoadBalancer}]
    destinations: [{serviceTag: VirtualNetwork}]
    ports: 6390
    transport: tcp
    required: false
    feature: load-balancer-probe
    when: {platform: stv2, sku: developer}
    purpose: Azure Infrastructure Load Balancer health probes (optional on the Developer SKU)
    source:
      - {document: apim-vnet-reference, table: stv2-ports, row: 14, text: "* / 6390 | Inbound | TCP | AzureLoadBalancer / VirtualNetwork | Azure Infrastructure Load Balancer | External & Internal |"}
      - {document: apim-vnet-reference, text: "You're not required to allow inbound requests from service tag AzureLoadBalancer for the Developer SKU, since only one compute unit is deployed behind it."}
  - id: load-balancer-stv1
    direction: inbound
    sources: [{serviceTag: AzureLoadBalancer}]
    destinations: [{serviceTag: VirtualNetwork}]
    ports: any
    transport: tcp
    required: true
    when: {platform: stv1, sku: premium}
    purpose: Azure Infrastructure Load Balancer (required for Premium SKU)
    source: {document: apim-vnet-reference, table: stv1-ports, row: 15, text: "* / * | Inbound | TCP | AzureLoadBalancer / VirtualNetwork | Azure Infrastructure Load Balancer (required for Premium SKU, optional for other SKUs) | External & Internal |"}
  - id: load-balancer-stv1-developer
    direction: inbound
    sources: [{serviceTag: AzureLoadBalancer}]
    destinations: [{serviceTag: VirtualNetwork}]
    ports: any
    transport: tcp
    required: false
    feature: load-balancer-probe
    when: {platform: stv1, sku: developer}
    purpose: Azure Infrastructure Load Balancer (optional for SKUs other than Premium)
    source:
      - {document: apim-vnet-reference, table: stv1-ports, row: 15, text: "* / * | Inbound | TCP | AzureLoadBalancer / VirtualNetwork | Azure Infrastructure Load Balancer (required for Premium SKU, optional for other SKUs) | External & Internal |"}
      - {document: apim-vnet-reference, text: "You're not required to allow inbound requests from service tag AzureLoadBalancer for the Developer SKU"}

  # Dependencies stated in prose.
  - id: dns
    direction: outbound
    destinations: [{cidr: 168.63.129.16}]
    ports: 53
    transport: any
    required: true
    purpose: Communication with DNS servers
    note: >-
      The document gives only the port. 168.63.129.16 is Azure-provided DNS (the
      platform's virtual public IP); with a custom DNS server, add its address.
    source: {document: apim-vnet-reference, text: "Outbound access on port 53 is required for communication with DNS servers."}
  - id: cert-chain
    direction: outbound
    destinations: [{fqdn: ocsp.msocsp.com}, {fqdn: mscrl.microsoft.com}, {fqdn: crl.microsoft.com}]
    ports: [80, 443]
    transport: tcp
    required: false
    feature: cert-chain
    purpose: TLS/SSL certificate chain building and validation
    note: The document names no port; OCSP and CRL fetches use HTTP (80), 443 kept for HTTPS variants.
    source: {document: apim-vnet-reference, text: "To enable TLS/SSL certificate chain building and validation, the API Management service needs outbound network connectivity to ocsp.msocsp.com , mscrl.microsoft.com , and crl.microsoft.com . This dependency is not required if any certificate you upload to API Management contains the full chain to the CA root."}
  - id: entra-regional-login
    direction: outbound
    destinations: [{fqdn: "<region>.login.microsoft.com"}]
    ports: 443
    transport: tcp
    required: true
    purpose: Azure Active Directory integration
    source: {document: apim-vnet-reference, table: endpoints, row: 1, text: "Endpoints for Azure Active Directory integration | ✔️ | Required endpoints are <region>.login.microsoft.com and login.microsoftonline.com . |"}
  - id: entra-login
    direction: outbound
    destinations: [{fqdn: login.microsoftonline.com}]
    ports: 443
    transport: tcp
    required: true
    purpose: Azure Active Directory integration
    source: {document: apim-vnet-reference, table: endpoints, row: 1, text: "Endpoints for Azure Active Directory integration | ✔️ | Required endpoints are <region>.login.microsoft.com and login.microsoftonline.com . |"}
  - id: azure-monitor-endpoints-public
    direction: outbound
    destinations: [{fqdn: gcs.prod.monitoring.core.windows.net}, {fqdn: global.prod.microsoftmetrics.com}, {fqdn: shoebox2.prod.microsoftmetrics.com}, {fqdn: shoebox2-red.prod.microsoftmetrics.com}, {fqdn: shoebox2-black.prod.microsoftmetrics.com}, {fqdn: prod3.prod.microsoftmetrics.com}, {fqdn: prod3-black.prod.microsoftmetrics.com}, {fqdn: prod3-red.prod.microsoftmetrics.com}, {fqdn: gcs.prod.warm.ingestion.monitoring.azure.com}]
    ports: 443
    transport: tcp
    required: false
    feature: azure-monitor
    when: {cloud: public}
    purpose: Azure Monitoring endpoints (public cloud), represented under the AzureMonitor service tag
    source:
      - {document: apim-vnet-reference, table: monitoring-endpoints, row: 1, text: "- gcs.prod.monitoring.core.windows.net"}
      - {document: apim-vnet-reference, table: monitoring-endpoints, row: 2, text: "- global.prod.microsoftmetrics.com"}
      - {document: apim-vnet-reference, table: monitoring-endpoints, row: 3, text: "- shoebox2.prod.microsoftmetrics.com"}
      - {document: apim-vnet-reference, table: monitoring-endpoints, row: 4, text: "- shoebox2-red.prod.microsoftmetrics.com"}
      - {document: apim-vnet-reference, table: monitoring-endpoints, row: 5, text: "- shoebox2-black.prod.microsoftmetrics.com"}
      - {document: apim-vnet-reference, table: monitoring-endpoints, row: 6, text: "- prod3.prod.microsoftmetrics.com"}
      - {document: apim-vnet-reference, table: monitoring-endpoints, row: 7, text: "- prod3-black.prod.microsoftmetrics.com"}
      - {document: apim-vnet-reference, table: monitoring-endpoints, row: 8, text: "- prod3-red.prod.microsoftmetrics.com"}
      - {document: apim-vnet-reference, table: monitoring-endpoints, row: 9, text: "- gcs.prod.warm.ingestion.monitoring.azure.com"}
  - id: azure-monitor-endpoints-usgov
    direction: outbound
    destinations: [{fqdn: fairfax.warmpath.usgovcloudapi.net}, {fqdn: global.prod.microsoftmetrics.com}, {fqdn: shoebox2.prod.microsoftmetrics.com}, {fqdn: shoebox2-red.prod.microsoftmetrics.com}, {fqdn: shoebox2-black.prod.microsoftmetrics.com}, {fqdn: prod3.prod.microsoftmetrics.com}, {fqdn: prod3-black.prod.microsoftmetrics.com}, {fqdn: prod3-red.prod.microsoftmetrics.com}, {fqdn: prod5.prod.microsoftmetrics.com}, {fqdn: prod5-black.prod.microsoftmetrics.com}, {fqdn: prod5-red.prod.microsoftmetrics.com}, {fqdn: gcs.prod.warm.ingestion.monitoring.azure.us}]
    ports: 443
    transport: tcp
    required: false
    feature: azure-monitor
    when: {cloud: usgov}
    purpose: Azure Monitoring endpoints (usgov cloud), represented under the AzureMonitor service tag
    source:
      - {document: apim-vnet-reference, table: monitoring-endpoints, row: 10, text: "- fairfax.warmpath.usgovcloudapi.net"}
      - {document: apim-vnet-reference, table: monitoring-endpoints, row: 11, text: "- global.prod.microsoftmetrics.com"}
      - {document: apim-vnet-reference, table: monitoring-endpoints, row: 12, text: "- shoebox2.prod.microsoftmetrics.com"}
      - {document: apim-vnet-reference, table: monitoring-endpoints, row: 13, text: "- shoebox2-red.prod.microsoftmetrics.com"}
      - {document: apim-vnet-reference, table: monitoring-endpoints, row: 14, text: "- shoebox2-black.prod.microsoftmetrics.com"}
      - {document: apim-vnet-reference, table: monitoring-endpoints, row: 15, text: "- prod3.prod.microsoftmetrics.com"}
      - {document: apim-vnet-reference, table: monitoring-endpoints, row: 16, text: "- prod3-black.prod.microsoftmetrics.com"}
      - {document: apim-vnet-reference, table: monitoring-endpoints, row: 17, text: "- prod3-red.prod.microsoftmetrics.com"}
      - {document: apim-vnet-reference, table: monitoring-endpoints, row: 18, text: "- prod5.prod.microsoftmetrics.com"}
      - {document: apim-vnet-reference, table: monitoring-endpoints, row: 19, text: "- prod5-black.prod.microsoftmetrics.com"}
      - {document: apim-vnet-reference, table: monitoring-endpoints, row: 20, text: "- prod5-red.prod.microsoftmetrics.com"}
      - {document: apim-vnet-reference, table: monitoring-endpoints, row: 21, text: "- gcs.prod.warm.ingestion.monitoring.azure.us"}
  - id: azure-monitor-endpoints-china
    direction: outbound
    destinations: [{fqdn: mooncake.warmpath.chinacloudapi.cn}, {fqdn: global.prod.microsoftmetrics.com}, {fqdn: shoebox2.prod.microsoftmetrics.com}, {fqdn: shoebox2-red.prod.microsoftmetrics.com}, {fqdn: shoebox2-black.prod.microsoftmetrics.com}, {fqdn: prod3.prod.microsoftmetrics.com}, {fqdn: prod3-red.prod.microsoftmetrics.com}, {fqdn: prod5.prod.microsoftmetrics.com}, {fqdn: prod5-black.prod.microsoftmetrics.com}, {fqdn: prod5-red.prod.microsoftmetrics.com}, {fqdn: gcs.prod.warm.ingestion.monitoring.azure.cn}]
    ports: 443
    transport: tcp
    required: false
    feature: azure-monitor
    when: {cloud: china}
    purpose: Azure Monitoring endpoints (china cloud), represented under the AzureMonitor service tag
    source:
      - {document: apim-vnet-reference, table: monitoring-endpoints, row: 22, text: "- mooncake.warmpath.chinacloudapi.cn"}
      - {document: apim-vnet-reference, table: monitoring-endpoints, row: 23, text: "- global.prod.microsoftmetrics.com"}
      - {document: apim-vnet-reference, table: monitoring-endpoints, row: 24, text: "- shoebox2.prod.microsoftmetrics.com"}
      - {document: apim-vnet-reference, table: monitoring-endpoints, row: 25, text: "- shoebox2-red.prod.microsoftmetrics.com"}
      - {document: apim-vnet-reference, table: monitoring-endpoints, row: 26, text: "- shoebox2-black.prod.microsoftmetrics.com"}
      - {document: apim-vnet-reference, table: monitoring-endpoints, row: 27, text: "- prod3.prod.microsoftmetrics.com"}
      - {document: apim-vnet-reference, table: monitoring-endpoints, row: 28, text: "- prod3-red.prod.microsoftmetrics.com"}
      - {document: apim-vnet-reference, table: monitoring-endpoints, row: 29, text: "- prod5.prod.microsoftmetrics.com"}
      - {document: apim-vnet-reference, table: monitoring-endpoints, row: 30, text: "- prod5-black.prod.microsoftmetrics.com"}
      - {document: apim-vnet-reference, table: monitoring-endpoints, row: 31, text: "- prod5-red.prod.microsoftmetrics.com"}
      - {document: apim-vnet-reference, table: monitoring-endpoints, row: 32, text: "- gcs.prod.warm.ingestion.monitoring.azure.cn"}
  - id: captcha
    direction: outbound
    destinations: [{fqdn: client.hip.live.com}, {fqdn: partner.hip.live.com}]
    ports: 443
    transport: tcp
    required: false
    feature: captcha
    purpose: Developer portal CAPTCHA
    source: {document: apim-vnet-reference, text: "Allow outbound network connectivity for the developer portal's CAPTCHA, which resolves under the hosts client.hip.live.com and partner.hip.live.com ."}
  - id: developer-portal-publish
    direction: outbound
    destinations: [{serviceTag: Storage.WestUS}]
    ports: 443
    transport: tcp
    required: false
    feature: developer-portal
    purpose: Publishing the developer portal (blob storage in West US, whatever the instance's region)
    source: {document: apim-vnet-reference, text: "Currently, connectivity to blob storage in the West US region is required to publish the developer portal for any API Management instance."}
  - id: diagnostics-extension
    direction: outbound
    destinations: [{fqdn: dc.services.visualstudio.com}]
    ports: 443
    transport: tcp
    required: false
    feature: diagnostics
    purpose: Diagnostic logs of the API Management diagnostics extension
    source: {document: apim-vnet-reference, text: "When using the API Management diagnostics extension from inside a VNet, outbound access to dc.services.visualstudio.com on port 443 is required"}
  - id: app-insights
    direction: outbound
    destinations: [{serviceTag: AzureMonitor}]
    ports: 443
    transport: tcp
    required: false
    feature: app-insights
    purpose: Application Insights telemetry endpoint
    note: The document names no host; Application Insights ingestion is covered by the AzureMonitor service tag.
    source: {document: apim-vnet-reference, text: "If you enabled Azure Application Insights monitoring on API Management, allow outbound connectivity to the telemetry endpoint from the VNet."}
  - id: kms-public
    direction: outbound
    destinations: [{fqdn: azkms.core.windows.net}, {fqdn: kms.core.windows.net}]
    ports: 1688
    transport: tcp
    required: false
    feature: kms
    when: {cloud: public}
    purpose: Windows activation against Azure KMS
    note: The document says "the KMS endpoint in your cloud"; host names are Microsoft's Windows activation guidance, not this document's.
    source: {document: apim-vnet-reference, text: "When adding virtual machines running Windows to the VNet, allow outbound connectivity on port 1688 to the KMS endpoint in your cloud."}
  - id: kms-usgov
    direction: outbound
    destinations: [{fqdn: kms.core.usgovcloudapi.net}]
    ports: 1688
    transport: tcp
    required: false
    feature: kms
    when: {cloud: usgov}
    purpose: Windows activation against Azure KMS
    note: Host name from Microsoft's Windows activation guidance, not this document.
    source: {document: apim-vnet-reference, text: "allow outbound connectivity on port 1688 to the KMS endpoint in your cloud."}
  - id: kms-china
    direction: outbound
    destinations: [{fqdn: kms.core.chinacloudapi.cn}]
    ports: 1688
    transport: tcp
    required: false
    feature: kms
    when: {cloud: china}
    purpose: Windows activation against Azure KMS
    note: Host name from Microsoft's Windows activation guidance, not this document.
    source: {document: apim-vnet-reference, text: "allow outbound connectivity on port 1688 to the KMS endpoint in your cloud."}

  # Control-plane IP addresses (table control-plane-ips), inbound 3443 per cloud and region.
  - id: control-plane-australiacentral
    direction: inbound
    sources: [{cidr: 20.37.52.67}]
    destinations: [{serviceTag: VirtualNetwork}]
    ports: 3443
    transport: tcp
    required: false
    feature: control-plane-ips
    when: {cloud: public, region: australiacentral}
    purpose: Management endpoint from the API Management control plane (Azure Public, Australia Central)
    source: {document: apim-vnet-reference, table: control-plane-ips, row: 1, text: "Azure Public | Australia Central | 20.37.52.67 |"}
  - id: control-plane-australiacentral2
    direction: inbound
    sources: [{cidr: 20.39.99.81}]
    destinations: [{serviceTag: VirtualNetwork}]
    ports: 3443
    transport: tcp
    required: false
    feature: control-plane-ips
    when: {cloud: public, region: australiacentral2}
    purpose: Management endpoint from the API Management control plane (Azure Public, Australia Central 2)
    source: {document: apim-vnet-reference, table: control-plane-ips, row: 2, text: "Azure Public | Australia Central 2 | 20.39.99.81 |"}
  - id: control-plane-australiaeast
    direction: inbound
    sources: [{cidr: 20.40.125.155}]
    destinations: [{serviceTag: VirtualNetwork}]
    ports: 3443
    transport: tcp
    required: false
    feature: control-plane-ips
    when: {cloud: public, region: australiaeast}
    purpose: Management endpoint from the API Management control plane (Azure Public, Australia East)
    source: {document: apim-vnet-reference, table: control-plane-ips, row: 3, text: "Azure Public | Australia East | 20.40.125.155 |"}
  - id: control-plane-australiasoutheast
    direction: inbound
    sources: [{cidr: 20.40.160.107}]
    destinations: [{serviceTag: VirtualNetwork}]
    ports: 3443
    transport: tcp
    required: false
    feature: control-plane-ips
    when: {cloud: public, region: australiasoutheast}
    purpose: Management endpoint from the API Management control plane (Azure Public, Australia Southeast)
    source: {document: apim-vnet-reference, table: control-plane-ips, row: 4, text: "Azure Public | Australia Southeast | 20.40.160.107 |"}
  - id: control-plane-brazilsouth
    direction: inbound
    sources: [{cidr: 191.233.24.179}, {cidr: 191.238.73.14}]
    destinations: [{serviceTag: VirtualNetwork}]
    ports: 3443
    transport: tcp
    required: false
    feature: control-plane-ips
    when: {cloud: public, region: brazilsouth}
    purpose: Management endpoint from the API Management control plane (Azure Public, Brazil South)
    source: {document: apim-vnet-reference, table: control-plane-ips, row: 5, text: "Azure Public | Brazil South | 191.233.24.179, 191.238.73.14 |"}
  - id: control-plane-brazilsoutheast
    direction: inbound
    sources: [{cidr: 191.232.18.181}]
    destinations: [{serviceTag: VirtualNetwork}]
    ports: 3443
    transport: tcp
    required: false
    feature: control-plane-ips
    when: {cloud: public, region: brazilsoutheast}
    purpose: Management endpoint from the API Management control plane (Azure Public, Brazil Southeast)
    source: {document: apim-vnet-reference, table: control-plane-ips, row: 6, text: "Azure Public | Brazil Southeast | 191.232.18.181 |"}
  - id: control-plane-canadacentral
    direction: inbound
    sources: [{cidr: 52.139.20.34}, {cidr: 20.48.201.76}]
    destinations: [{serviceTag: VirtualNetwork}]
    ports: 3443
    transport: tcp
    required: false
    feature: control-plane-ips
    when: {cloud: public, region: canadacentral}
    purpose: Management endpoint from the API Management control plane (Azure Public, Canada Central)
    source: {document: apim-vnet-reference, table: control-plane-ips, row: 7, text: "Azure Public | Canada Central | 52.139.20.34, 20.48.201.76 |"}
  - id: control-plane-canadaeast
    direction: inbound
    sources: [{cidr: 52.139.80.117}]
    destinations: [{serviceTag: VirtualNetwork}]
    ports: 3443
    transport: tcp
    required: false
    feature: control-plane-ips
    when: {cloud: public, region: canadaeast}
    purpose: Management endpoint from the API Management control plane (Azure Public, Canada East)
    source: {document: apim-vnet-reference, table: control-plane-ips, row: 8, text: "Azure Public | Canada East | 52.139.80.117 |"}
  - id: control-plane-centralindia
    direction: inbound
    sources: [{cidr: 13.71.49.1}, {cidr: 20.192.45.112}]
    destinations: [{serviceTag: VirtualNetwork}]
    ports: 3443
    transport: tcp
    required: false
    feature: control-plane-ips
    when: {cloud: public, region: centralindia}
    purpose: Management endpoint from the API Management control plane (Azure Public, Central India)
    source: {document: apim-vnet-reference, table: control-plane-ips, row: 9, text: "Azure Public | Central India | 13.71.49.1, 20.192.45.112 |"}
  - id: control-plane-centralus
    direction: inbound
    sources: [{cidr: 13.86.102.66}]
    destinations: [{serviceTag: VirtualNetwork}]
    ports: 3443
    transport: tcp
    required: false
    feature: control-plane-ips
    when: {cloud: public, region: centralus}
    purpose: Management endpoint from the API Management control plane (Azure Public, Central US)
    source: {document: apim-vnet-reference, table: control-plane-ips, row: 10, text: "Azure Public | Central US | 13.86.102.66 |"}
  - id: control-plane-centraluseuap
    direction: inbound
    sources: [{cidr: 52.253.159.160}]
    destinations: [{serviceTag: VirtualNetwork}]
    ports: 3443
    transport: tcp
    required: false
    feature: control-plane-ips
    when: {cloud: public, region: centraluseuap}
    purpose: Management endpoint from the API Management control plane (Azure Public, Central US EUAP)
    source: {document: apim-vnet-reference, table: control-plane-ips, row: 11, text: "Azure Public | Central US EUAP | 52.253.159.160 |"}
  - id: control-plane-eastasia
    direction: inbound
    sources: [{cidr: 52.139.152.27}]
    destinations: [{serviceTag: VirtualNetwork}]
    ports: 3443
    transport: tcp
    required: false
    feature: control-plane-ips
    when: {cloud: public, region: eastasia}
    purpose: Management endpoint from the API Management control plane (Azure Public, East Asia)
    source: {document: apim-vnet-reference, table: control-plane-ips, row: 12, text: "Azure Public | East Asia | 52.139.152.27 |"}
  - id: control-plane-eastus
    direction: inbound
    sources: [{cidr: 52.224.186.99}]
    destinations: [{serviceTag: VirtualNetwork}]
    ports: 3443
    transport: tcp
    required: false
    feature: control-plane-ips
    when: {cloud: public, region: eastus}
    purpose: Management endpoint from the API Management control plane (Azure Public, East US)
    source: {document: apim-vnet-reference, table: control-plane-ips, row: 13, text: "Azure Public | East US | 52.224.186.99 |"}
  - id: control-plane-eastus2
    direction: inbound
    sources: [{cidr: 20.44.72.3}]
    destinations: [{serviceTag: VirtualNetwork}]
    ports: 3443
    transport: tcp
    required: false
    feature: control-plane-ips
    when: {cloud: public, region: eastus2}
    purpose: Management endpoint from the API Management control plane (Azure Public, East US 2)
    source: {document: apim-vnet-reference, table: control-plane-ips, row: 14, text: "Azure Public | East US 2 | 20.44.72.3 |"}
  - id: control-plane-eastus2euap
    direction: inbound
    sources: [{cidr: 52.253.229.253}]
    destinations: [{serviceTag: VirtualNetwork}]
    ports: 3443
    transport: tcp
    required: false
    feature: control-plane-ips
    when: {cloud: public, region: eastus2euap}
    purpose: Management endpoint from the API Management control plane (Azure Public, East US 2 EUAP)
    source: {document: apim-vnet-reference, table: control-plane-ips, row: 15, text: "Azure Public | East US 2 EUAP | 52.253.229.253 |"}
  - id: control-plane-francecentral
    direction: inbound
    sources: [{cidr: 40.66.60.111}]
    destinations: [{serviceTag: VirtualNetwork}]
    ports: 3443
    transport: tcp
    required: false
    feature: control-plane-ips
    when: {cloud: public, region: francecentral}
    purpose: Management endpoint from the API Management control plane (Azure Public, France Central)
    source: {document: apim-vnet-reference, table: control-plane-ips, row: 16, text: "Azure Public | France Central | 40.66.60.111 |"}
  - id: control-plane-francesouth
    direction: inbound
    sources: [{cidr: 20.39.80.2}]
    destinations: [{serviceTag: VirtualNetwork}]
    ports: 3443
    transport: tcp
    required: false
    feature: control-plane-ips
    when: {cloud: public, region: francesouth}
    purpose: Management endpoint from the API Management control plane (Azure Public, France South)
    source: {document: apim-vnet-reference, table: control-plane-ips, row: 17, text: "Azure Public | France South | 20.39.80.2 |"}
  - id: control-plane-germanynorth
    direction: inbound
    sources: [{cidr: 51.116.0.0}]
    destinations: [{serviceTag: VirtualNetwork}]
    ports: 3443
    transport: tcp
    required: false
    feature: control-plane-ips
    when: {cloud: public, region: germanynorth}
    purpose: Management endpoint from the API Management control plane (Azure Public, Germany North)
    source: {document: apim-vnet-reference, table: control-plane-ips, row: 18, text: "Azure Public | Germany North | 51.116.0.0 |"}
  - id: control-plane-germanywestcentral
    direction: inbound
    sources: [{cidr: 51.116.96.0}, {cidr: 20.52.94.112}]
    destinations: [{serviceTag: VirtualNetwork}]
    ports: 3443
    transport: tcp
    required: false
    feature: control-plane-ips
    when: {cloud: public, region: germanywestcentral}
    purpose: Management endpoint from the API Management control plane (Azure Public, Germany West Central)
    source: {document: apim-vnet-reference, table: control-plane-ips, row: 19, text: "Azure Public | Germany West Central | 51.116.96.0, 20.52.94.112 |"}
  - id: control-plane-japaneast
    direction: inbound
    sources: [{cidr: 52.140.238.179}]
    destinations: [{serviceTag: VirtualNetwork}]
    ports: 3443
    transport: tcp
    required: false
    feature: control-plane-ips
    when: {cloud: public, region: japaneast}
    purpose: Management endpoint from the API Management control plane (Azure Public, Japan East)
    source: {document: apim-vnet-reference, table: control-plane-ips, row: 20, text: "Azure Public | Japan East | 52.140.238.179 |"}
  - id: control-plane-japanwest
    direction: inbound
    sources: [{cidr: 40.81.185.8}]
    destinations: [{serviceTag: VirtualNetwork}]
    ports: 3443
    transport: tcp
    required: false
    feature: control-plane-ips
    when: {cloud: public, region: japanwest}
    purpose: Management endpoint from the API Management control plane (Azure Public, Japan West)
    source: {document: apim-vnet-reference, table: control-plane-ips, row: 21, text: "Azure Public | Japan West | 40.81.185.8 |"}
  - id: control-plane-jioindiacentral
    direction: inbound
    sources: [{cidr: 20.192.234.160}]
    destinations: [{serviceTag: VirtualNetwork}]
    ports: 3443
    transport: tcp
    required: false
    feature: control-plane-ips
    when: {cloud: public, region: jioindiacentral}
    purpose: Management endpoint from the API Management control plane (Azure Public, India Central)
    note: The document's "India Central" is the Jio India region (jioindiacentral); its IP lies in ApiManagement.JioIndiaCentral.
    source: {document: apim-vnet-reference, table: control-plane-ips, row: 22, text: "Azure Public | India Central | 20.192.234.160 |"}
  - id: control-plane-jioindiawest
    direction: inbound
    sources: [{cidr: 20.193.202.160}]
    destinations: [{serviceTag: VirtualNetwork}]
    ports: 3443
    transport: tcp
    required: false
    feature: control-plane-ips
    when: {cloud: public, region: jioindiawest}
    purpose: Management endpoint from the API Management control plane (Azure Public, India West)
    note: The document's "India West" is the Jio India region (jioindiawest); its IP lies in ApiManagement.JioIndiaWest.
    source: {document: apim-vnet-reference, table: control-plane-ips, row: 23, text: "Azure Public | India West | 20.193.202.160 |"}
  - id: control-plane-koreacentral
    direction: inbound
    sources: [{cidr: 40.82.157.167}, {cidr: 20.194.74.240}]
    destinations: [{serviceTag: VirtualNetwork}]
    ports: 3443
    transport: tcp
    required: false
    feature: control-plane-ips
    when: {cloud: public, region: koreacentral}
    purpose: Management endpoint from the API Management control plane (Azure Public, Korea Central)
    source: {document: apim-vnet-reference, table: control-plane-ips, row: 24, text: "Azure Public | Korea Central | 40.82.157.167, 20.194.74.240 |"}
  - id: control-plane-koreasouth
    direction: inbound
    sources: [{cidr: 40.80.232.185}]
    destinations: [{serviceTag: VirtualNetwork}]
    ports: 3443
    transport: tcp
    required: false
    feature: control-plane-ips
    when: {cloud: public, region: koreasouth}
    purpose: Management endpoint from the API Management control plane (Azure Public, Korea South)
    source: {document: apim-vnet-reference, table: control-plane-ips, row: 25, text: "Azure Public | Korea South | 40.80.232.185 |"}
  - id: control-plane-northcentralus
    direction: inbound
    sources: [{cidr: 40.81.47.216}]
    destinations: [{serviceTag: VirtualNetwork}]
    ports: 3443
    transport: tcp
    required: false
    feature: control-plane-ips
    when: {cloud: public, region: northcentralus}
    purpose: Management endpoint from the API Management control plane (Azure Public, North Central US)
    source: {document: apim-vnet-reference, table: control-plane-ips, row: 26, text: "Azure Public | North Central US | 40.81.47.216 |"}
  - id: control-plane-northeurope
    direction: inbound
    sources: [{cidr: 52.142.95.35}]
    destinations: [{serviceTag: VirtualNetwork}]
    ports: 3443
    transport: tcp
    required: false
    feature: control-plane-ips
    when: {cloud: public, region: northeurope}
    purpose: Management endpoint from the API Management control plane (Azure Public, North Europe)
    source: {document: apim-vnet-reference, table: control-plane-ips, row: 27, text: "Azure Public | North Europe | 52.142.95.35 |"}
  - id: control-plane-norwayeast
    direction: inbound
    sources: [{cidr: 51.120.2.185}]
    destinations: [{serviceTag: VirtualNetwork}]
    ports: 3443
    transport: tcp
    required: false
    feature: control-plane-ips
    when: {cloud: public, region: norwayeast}
    purpose: Management endpoint from the API Management control plane (Azure Public, Norway East)
    source: {document: apim-vnet-reference, table: control-plane-ips, row: 28, text: "Azure Public | Norway East | 51.120.2.185 |"}
  - id: control-plane-norwaywest
    direction: inbound
    sources: [{cidr: 51.120.130.134}]
    destinations: [{serviceTag: VirtualNetwork}]
    ports: 3443
    transport: tcp
    required: false
    feature: control-plane-ips
    when: {cloud: public, region: norwaywest}
    purpose: Management endpoint from the API Management control plane (Azure Public, Norway West)
    source: {document: apim-vnet-reference, table: control-plane-ips, row: 29, text: "Azure Public | Norway West | 51.120.130.134 |"}
  - id: control-plane-southafricanorth
    direction: inbound
    sources: [{cidr: 102.133.130.197}, {cidr: 102.37.166.220}]
    destinations: [{serviceTag: VirtualNetwork}]
    ports: 3443
    transport: tcp
    required: false
    feature: control-plane-ips
    when: {cloud: public, region: southafricanorth}
    purpose: Management endpoint from the API Management control plane (Azure Public, South Africa North)
    source: {document: apim-vnet-reference, table: control-plane-ips, row: 30, text: "Azure Public | South Africa North | 102.133.130.197, 102.37.166.220 |"}
  - id: control-plane-southafricawest
    direction: inbound
    sources: [{cidr: 102.133.0.79}]
    destinations: [{serviceTag: VirtualNetwork}]
    ports: 3443
    transport: tcp
    required: false
    feature: control-plane-ips
    when: {cloud: public, region: southafricawest}
    purpose: Management endpoint from the API Management control plane (Azure Public, South Africa West)
    source: {document: apim-vnet-reference, table: control-plane-ips, row: 31, text: "Azure Public | South Africa West | 102.133.0.79 |"}
  - id: control-plane-southcentralus
    direction: inbound
    sources: [{cidr: 20.188.77.119}, {cidr: 20.97.32.190}]
    destinations: [{serviceTag: VirtualNetwork}]
    ports: 3443
    transport: tcp
    required: false
    feature: control-plane-ips
    when: {cloud: public, region: southcentralus}
    purpose: Management endpoint from the API Management control plane (Azure Public, South Central US)
    source: {document: apim-vnet-reference, table: control-plane-ips, row: 32, text: "Azure Public | South Central US | 20.188.77.119, 20.97.32.190 |"}
  - id: control-plane-southindia
    direction: inbound
    sources: [{cidr: 20.44.33.246}]
    destinations: [{serviceTag: VirtualNetwork}]
    ports: 3443
    transport: tcp
    required: false
    feature: control-plane-ips
    when: {cloud: public, region: southindia}
    purpose: Management endpoint from the API Management control plane (Azure Public, South India)
    source: {document: apim-vnet-reference, table: control-plane-ips, row: 33, text: "Azure Public | South India | 20.44.33.246 |"}
  - id: control-plane-southeastasia
    direction: inbound
    sources: [{cidr: 40.90.185.46}]
    destinations: [{serviceTag: VirtualNetwork}]
    ports: 3443
    transport: tcp
    required: false
    feature: control-plane-ips
    when: {cloud: public, region: southeastasia}
    purpose: Management endpoint from the API Management control plane (Azure Public, Southeast Asia)
    source: {document: apim-vnet-reference, table: control-plane-ips, row: 34, text: "Azure Public | Southeast Asia | 40.90.185.46 |"}
  - id: control-plane-switzerlandnorth
    direction: inbound
    sources: [{cidr: 51.107.246.176}, {cidr: 51.107.0.91}]
    destinations: [{serviceTag: VirtualNetwork}]
    ports: 3443
    transport: tcp
    required: false
    feature: control-plane-ips
    when: {cloud: public, region: switzerlandnorth}
    purpose: Management endpoint from the API Management control plane (Azure Public, Switzerland North)
    source: {document: apim-vnet-reference, table: control-plane-ips, row: 35, text: "Azure Public | Switzerland North | 51.107.246.176, 51.107.0.91 |"}
  - id: control-plane-switzerlandwest
    direction: inbound
    sources: [{cidr: 51.107.96.8}]
    destinations: [{serviceTag: VirtualNetwork}]
    ports: 3443
    transport: tcp
    required: false
    feature: control-plane-ips
    when: {cloud: public, region: switzerlandwest}
    purpose: Management endpoint from the API Management control plane (Azure Public, Switzerland West)
    source: {document: apim-vnet-reference, table: control-plane-ips, row: 36, text: "Azure Public | Switzerland West | 51.107.96.8 |"}
  - id: control-plane-uaecentral
    direction: inbound
    sources: [{cidr: 20.37.81.41}]
    destinations: [{serviceTag: VirtualNetwork}]
    ports: 3443
    transport: tcp
    required: false
    feature: control-plane-ips
    when: {cloud: public, region: uaecentral}
    purpose: Management endpoint from the API Management control plane (Azure Public, UAE Central)
    source: {document: apim-vnet-reference, table: control-plane-ips, row: 37, text: "Azure Public | UAE Central | 20.37.81.41 |"}
  - id: control-plane-uaenorth
    direction: inbound
    sources: [{cidr: 20.46.144.85}]
    destinations: [{serviceTag: VirtualNetwork}]
    ports: 3443
    transport: tcp
    required: false
    feature: control-plane-ips
    when: {cloud: public, region: uaenorth}
    purpose: Management endpoint from the API Management control plane (Azure Public, UAE North)
    source: {document: apim-vnet-reference, table: control-plane-ips, row: 38, text: "Azure Public | UAE North | 20.46.144.85 |"}
  - id: control-plane-uksouth
    direction: inbound
    sources: [{cidr: 51.145.56.125}]
    destinations: [{serviceTag: VirtualNetwork}]
    ports: 3443
    transport: tcp
    required: false
    feature: control-plane-ips
    when: {cloud: public, region: uksouth}
    purpose: Management endpoint from the API Management control plane (Azure Public, UK South)
    source: {document: apim-vnet-reference, table: control-plane-ips, row: 39, text: "Azure Public | UK South | 51.145.56.125 |"}
  - id: control-plane-ukwest
    direction: inbound
    sources: [{cidr: 51.137.136.0}]
    destinations: [{serviceTag: VirtualNetwork}]
    ports: 3443
    transport: tcp
    required: false
    feature: control-plane-ips
    when: {cloud: public, region: ukwest}
    purpose: Management endpoint from the API Management control plane (Azure Public, UK West)
    source: {document: apim-vnet-reference, table: control-plane-ips, row: 40, text: "Azure Public | UK West | 51.137.136.0 |"}
  - id: control-plane-westcentralus
    direction: inbound
    sources: [{cidr: 52.253.135.58}]
    destinations: [{serviceTag: VirtualNetwork}]
    ports: 3443
    transport: tcp
    required: false
    feature: control-plane-ips
    when: {cloud: public, region: westcentralus}
    purpose: Management endpoint from the API Management control plane (Azure Public, West Central US)
    source: {document: apim-vnet-reference, table: control-plane-ips, row: 41, text: "Azure Public | West Central US | 52.253.135.58 |"}
  - id: control-plane-westeurope
    direction: inbound
    sources: [{cidr: 51.145.179.78}]
    destinations: [{serviceTag: VirtualNetwork}]
    ports: 3443
    transport: tcp
    required: false
    feature: control-plane-ips
    when: {cloud: public, region: westeurope}
    purpose: Management endpoint from the API Management control plane (Azure Public, West Europe)
    source: {document: apim-vnet-reference, table: control-plane-ips, row: 42, text: "Azure Public | West Europe | 51.145.179.78 |"}
  - id: control-plane-westindia
    direction: inbound
    sources: [{cidr: 40.81.89.24}]
    destinations: [{serviceTag: VirtualNetwork}]
    ports: 3443
    transport: tcp
    required: false
    feature: control-plane-ips
    when: {cloud: public, region: westindia}
    purpose: Management endpoint from the API Management control plane (Azure Public, West India)
    source: {document: apim-vnet-reference, table: control-plane-ips, row: 43, text: "Azure Public | West India | 40.81.89.24 |"}
  - id: control-plane-westus
    direction: inbound
    sources: [{cidr: 13.64.39.16}]
    destinations: [{serviceTag: VirtualNetwork}]
    ports: 3443
    transport: tcp
    required: false
    feature: control-plane-ips
    when: {cloud: public, region: westus}
    purpose: Management endpoint from the API Management control plane (Azure Public, West US)
    source: {document: apim-vnet-reference, table: control-plane-ips, row: 44, text: "Azure Public | West US | 13.64.39.16 |"}
  - id: control-plane-westus2
    direction: inbound
    sources: [{cidr: 51.143.127.203}]
    destinations: [{serviceTag: VirtualNetwork}]
    ports: 3443
    transport: tcp
    required: false
    feature: control-plane-ips
    when: {cloud: public, region: westus2}
    purpose: Management endpoint from the API Management control plane (Azure Public, West US 2)
    source: {document: apim-vnet-reference, table: control-plane-ips, row: 45, text: "Azure Public | West US 2 | 51.143.127.203 |"}
  - id: control-plane-westus3
    direction: inbound
    sources: [{cidr: 20.150.167.160}]
    destinations: [{serviceTag: VirtualNetwork}]
    ports: 3443
    transport: tcp
    required: false
    feature: control-plane-ips
    when: {cloud: public, region: westus3}
    purpose: Management endpoint from the API Management control plane (Azure Public, West US 3)
    source: {document: apim-vnet-reference, table: control-plane-ips, row: 46, text: "Azure Public | West US 3 | 20.150.167.160 |"}
  - id: control-plane-chinanorth-global
    direction: inbound
    sources: [{cidr: 139.217.51.16}]
    destinations: [{serviceTag: VirtualNetwork}]
    ports: 3443
    transport: tcp
    required: false
    feature: control-plane-ips
    when: {cloud: china, region: chinanorth}
    purpose: Management endpoint from the API Management control plane (Microsoft Azure operated by 21Vianet, China North (Global))
    note: The document lists a "(Global)" control-plane address for this region beside the regional one; both are permitted.
    source: {document: apim-vnet-reference, table: control-plane-ips, row: 47, text: "Microsoft Azure operated by 21Vianet | China North (Global) | 139.217.51.16 |"}
  - id: control-plane-chinaeast-global
    direction: inbound
    sources: [{cidr: 139.217.171.176}]
    destinations: [{serviceTag: VirtualNetwork}]
    ports: 3443
    transport: tcp
    required: false
    feature: control-plane-ips
    when: {cloud: china, region: chinaeast}
    purpose: Management endpoint from the API Management control plane (Microsoft Azure operated by 21Vianet, China East (Global))
    note: The document lists a "(Global)" control-plane address for this region beside the regional one; both are permitted.
    source: {document: apim-vnet-reference, table: control-plane-ips, row: 48, text: "Microsoft Azure operated by 21Vianet | China East (Global) | 139.217.171.176 |"}
  - id: control-plane-chinanorth
    direction: inbound
    sources: [{cidr: 40.125.137.220}]
    destinations: [{serviceTag: VirtualNetwork}]
    ports: 3443
    transport: tcp
    required: false
    feature: control-plane-ips
    when: {cloud: china, region: chinanorth}
    purpose: Management endpoint from the API Management control plane (Microsoft Azure operated by 21Vianet, China North)
    source: {document: apim-vnet-reference, table: control-plane-ips, row: 49, text: "Microsoft Azure operated by 21Vianet | China North | 40.125.137.220 |"}
  - id: control-plane-chinaeast
    direction: inbound
    sources: [{cidr: 40.126.120.30}]
    destinations: [{serviceTag: VirtualNetwork}]
    ports: 3443
    transport: tcp
    required: false
    feature: control-plane-ips
    when: {cloud: china, region: chinaeast}
    purpose: Management endpoint from the API Management control plane (Microsoft Azure operated by 21Vianet, China East)
    source: {document: apim-vnet-reference, table: control-plane-ips, row: 50, text: "Microsoft Azure operated by 21Vianet | China East | 40.126.120.30 |"}
  - id: control-plane-chinanorth2
    direction: inbound
    sources: [{cidr: 40.73.41.178}]
    destinations: [{serviceTag: VirtualNetwork}]
    ports: 3443
    transport: tcp
    required: false
    feature: control-plane-ips
    when: {cloud: china, region: chinanorth2}
    purpose: Management endpoint from the API Management control plane (Microsoft Azure operated by 21Vianet, China North 2)
    source: {document: apim-vnet-reference, table: control-plane-ips, row: 51, text: "Microsoft Azure operated by 21Vianet | China North 2 | 40.73.41.178 |"}
  - id: control-plane-chinaeast2
    direction: inbound
    sources: [{cidr: 40.73.104.4}]
    destinations: [{serviceTag: VirtualNetwork}]
    ports: 3443
    transport: tcp
    required: false
    feature: control-plane-ips
    when: {cloud: china, region: chinaeast2}
    purpose: Management endpoint from the API Management control plane (Microsoft Azure operated by 21Vianet, China East 2)
    source: {document: apim-vnet-reference, table: control-plane-ips, row: 52, text: "Microsoft Azure operated by 21Vianet | China East 2 | 40.73.104.4 |"}
  - id: control-plane-usgovvirginia-global
    direction: inbound
    sources: [{cidr: 52.127.42.160}]
    destinations: [{serviceTag: VirtualNetwork}]
    ports: 3443
    transport: tcp
    required: false
    feature: control-plane-ips
    when: {cloud: usgov, region: usgovvirginia}
    purpose: Management endpoint from the API Management control plane (Azure Government, USGov Virginia (Global))
    note: The document lists a "(Global)" control-plane address for this region beside the regional one; both are permitted.
    source: {document: apim-vnet-reference, table: control-plane-ips, row: 53, text: "Azure Government | USGov Virginia (Global) | 52.127.42.160 |"}
  - id: control-plane-usgovtexas-global
    direction: inbound
    sources: [{cidr: 52.127.34.192}]
    destinations: [{serviceTag: VirtualNetwork}]
    ports: 3443
    transport: tcp
    required: false
    feature: control-plane-ips
    when: {cloud: usgov, region: usgovtexas}
    purpose: Management endpoint from the API Management control plane (Azure Government, USGov Texas (Global))
    note: The document lists a "(Global)" control-plane address for this region beside the regional one; both are permitted.
    source: {document: apim-vnet-reference, table: control-plane-ips, row: 54, text: "Azure Government | USGov Texas (Global) | 52.127.34.192 |"}
  - id: control-plane-usgovvirginia
    direction: inbound
    sources: [{cidr: 52.227.222.92}]
    destinations: [{serviceTag: VirtualNetwork}]
    ports: 3443
    transport: tcp
    required: false
    feature: control-plane-ips
    when: {cloud: usgov, region: usgovvirginia}
    purpose: Management endpoint from the API Management control plane (Azure Government, USGov Virginia)
    source: {document: apim-vnet-reference, table: control-plane-ips, row: 55, text: "Azure Government | USGov Virginia | 52.227.222.92 |"}
  - id: control-plane-usgoviowa
    direction: inbound
    sources: [{cidr: 13.73.72.21}]
    destinations: [{serviceTag: VirtualNetwork}]
    ports: 3443
    transport: tcp
    required: false
    feature: control-plane-ips
    when: {cloud: usgov, region: usgoviowa}
    purpose: Management endpoint from the API Management control plane (Azure Government, USGov Iowa)
    source: {document: apim-vnet-reference, table: control-plane-ips, row: 56, text: "Azure Government | USGov Iowa | 13.73.72.21 |"}
  - id: control-plane-usgovarizona
    direction: inbound
    sources: [{cidr: 52.244.32.39}]
    destinations: [{serviceTag: VirtualNetwork}]
    ports: 3443
    transport: tcp
    required: false
    feature: control-plane-ips
    when: {cloud: usgov, region: usgovarizona}
    purpose: Management endpoint from the API Management control plane (Azure Government, USGov Arizona)
    source: {document: apim-vnet-reference, table: control-plane-ips, row: 57, text: "Azure Government | USGov Arizona | 52.244.32.39 |"}
  - id: control-plane-usgovtexas
    direction: inbound
    sources: [{cidr: 52.243.154.118}]
    destinations: [{serviceTag: VirtualNetwork}]
    ports: 3443
    transport: tcp
    required: false
    feature: control-plane-ips
    when: {cloud: usgov, region: usgovtexas}
    purpose: Management endpoint from the API Management control plane (Azure Government, USGov Texas)
    source: {document: apim-vnet-reference, table: control-plane-ips, row: 58, text: "Azure Government | USGov Texas | 52.243.154.118 |"}
  - id: control-plane-usdodcentral
    direction: inbound
    sources: [{cidr: 52.182.32.132}]
    destinations: [{serviceTag: VirtualNetwork}]
    ports: 3443
    transport: tcp
    required: false
    feature: control-plane-ips
    when: {cloud: usgov, region: usdodcentral}
    purpose: Management endpoint from the API Management control plane (Azure Government, USDoD Central)
    source: {document: apim-vnet-reference, table: control-plane-ips, row: 59, text: "Azure Government | USDoD Central | 52.182.32.132 |"}
  - id: control-plane-usdodeast
    direction: inbound
    sources: [{cidr: 52.181.32.192}]
    destinations: [{serviceTag: VirtualNetwork}]
    ports: 3443
    transport: tcp
    required: false
    feature: control-plane-ips
    when: {cloud: usgov, region: usdodeast}
    purpose: Management endpoint from the API Management control plane (Azure Government, USDoD East)
    source: {document: apim-vnet-reference, table: control-plane-ips, row: 60, text: "Azure Government | USDoD East | 52.181.32.192 |"}
"""#
    )
}
