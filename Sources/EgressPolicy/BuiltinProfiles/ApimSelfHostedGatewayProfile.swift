extension BuiltinProfiles {
    /// `apim-self-hosted-gateway`: transcribed from a Microsoft Q&A thread on self-hosted gateway egress (two answers), every row cited in `source`.
    static let apimSelfHostedGateway = BuiltinProfileText(
        id: "apim-self-hosted-gateway",
        yaml: #"""
id: apim-self-hosted-gateway
title: Azure API Management self-hosted gateway — egress to Azure
description: >-
  Outbound destinations of a self-hosted gateway (v2) as the two answers of a Microsoft
  Q&A thread give them. Both agree the configuration endpoint is the one mandatory
  destination; everything else depends on features in use. Where the answers differ
  the rule's note says so and each reference names its answer (accepted = the answer
  the asker accepted, assist = the documentation-grounded Q&A Assist answer).
dialect: azure-firewall
source:
  - id: shgw-egress-qna
    title: "Microsoft Q&A: Firewall egress acls needed for a self-hosted gateway connecting to APIM's management plane (2026-04-05)"
  - id: shgw-overview
    url: https://learn.microsoft.com/en-us/azure/api-management/self-hosted-gateway-overview#connectivity-to-azure
    title: Self-hosted gateway overview — connectivity to Azure (cited by the question)
parameters:
  - name: apim-name
    description: Name of the cloud API Management instance the gateway belongs to.
    kind: dns-label
    placeholders: [your-apim, instance, api-management-service-name]
  - name: region
    description: Region of the API Management instance (e.g. "West Europe" or westeurope).
    kind: region
  - name: cloud
    description: Azure cloud of the API Management instance.
    kind: choice
    values: [public, usgov, china]
    default: public
  - name: blob-storage-account-name
    description: Storage account the gateway writes blobs to, if any.
    kind: dns-label
  - name: table-storage-account-name
    description: Storage account whose tables the gateway uses, if any.
    kind: dns-label
  - name: vault-name
    description: Key Vault the gateway fetches secrets or certificates from, if any.
    kind: dns-label
features:
  - name: management-endpoints
    description: >-
      Also require <apim>.management.azure-api.net and <apim>.gateway.azure-api.net.
      The accepted answer lists them as minimum destinations; the documentation-grounded
      answer names only the configuration endpoint as mandatory.
  - name: entra-id
    description: Microsoft Entra ID (Azure AD) token issuance for the gateway.
  - name: arm-management
    description: The gateway calls Azure Resource Manager management APIs.
  - name: app-insights
    description: Azure Monitor / Application Insights integration.
  - name: key-vault
    description: Named values or certificates fetched from Azure Key Vault.
  - name: storage
    description: Diagnostic blobs, table storage or cache store in Azure Storage.
  - name: eventhub-logging
    description: Log to Azure Event Hubs policy.
rules:
  - id: configuration-endpoint
    direction: outbound
    destinations: [{fqdn: "<your-apim>.configuration.azure-api.net"}]
    ports: 443
    transport: tcp
    required: true
    purpose: Configuration sync, status reporting and metrics (the one mandatory destination)
    note: In internal VNet mode the name resolves to a private IP of the API Management subnet; rules should follow the name, not the IP.
    source:
      - {document: shgw-egress-qna, answer: accepted, text: "<your-apim>.configuration.azure-api.net (config sync)"}
      - {document: shgw-egress-qna, answer: assist, text: "For a basic self-hosted gateway deployment, the only mandatory outbound destination is the configuration endpoint of the API Management instance"}
      - {document: shgw-egress-qna, answer: assist, text: "<api-management-service-name>.configuration.azure-api.net (or the custom hostname if used)"}
  - id: management-endpoint
    direction: outbound
    destinations: [{fqdn: "<your-apim>.management.azure-api.net"}]
    ports: 443
    transport: tcp
    required: false
    feature: management-endpoints
    purpose: Status reporting and metrics (accepted answer)
    note: Listed as minimum by the accepted answer only.
    source: {document: shgw-egress-qna, answer: accepted, text: "<your-apim>.management.azure-api.net (status reporting & metrics)"}
  - id: gateway-endpoint
    direction: outbound
    destinations: [{fqdn: "<your-apim>.gateway.azure-api.net"}]
    ports: 443
    transport: tcp
    required: false
    feature: management-endpoints
    purpose: Runtime metadata and token validation (accepted answer)
    note: Listed as minimum by the accepted answer only.
    source: {document: shgw-egress-qna, answer: accepted, text: "<your-apim>.gateway.azure-api.net (runtime metadata and token validation)"}
  - id: entra-regional-login
    direction: outbound
    destinations: [{fqdn: "<region>.login.microsoft.com"}]
    ports: 443
    transport: tcp
    required: false
    feature: entra-id
    purpose: Microsoft Entra integration
    source: {document: shgw-egress-qna, answer: assist, text: "<region>.login.microsoft.com"}
  - id: entra-login-microsoftonline
    direction: outbound
    destinations: [{fqdn: login.microsoftonline.com}]
    ports: 443
    transport: tcp
    required: false
    feature: entra-id
    purpose: Azure AD token issuance
    source:
      - {document: shgw-egress-qna, answer: accepted, text: "login.microsoftonline.com / login.windows.net (Azure AD token issuance)"}
      - {document: shgw-egress-qna, answer: assist, text: "login.microsoftonline.com (already allowed in the described environment)"}
  - id: entra-login-windows
    direction: outbound
    destinations: [{fqdn: login.windows.net}]
    ports: 443
    transport: tcp
    required: false
    feature: entra-id
    purpose: Azure AD token issuance (accepted answer)
    source: {document: shgw-egress-qna, answer: accepted, text: "login.microsoftonline.com / login.windows.net (Azure AD token issuance)"}
  - id: arm-management
    direction: outbound
    destinations: [{fqdn: management.azure.com}]
    ports: 443
    transport: tcp
    required: false
    feature: arm-management
    purpose: Azure Resource Manager management-plane calls
    source:
      - {document: shgw-egress-qna, answer: accepted, text: "management.azure.com (if your gateway uses the ARM API for any management-plane calls)"}
      - {document: shgw-egress-qna, answer: assist, text: "Azure Resource Manager (management APIs):"}
  - id: appinsights-live-metrics
    direction: outbound
    destinations: [{fqdn: rt.services.visualstudio.com}]
    ports: 443
    transport: tcp
    required: false
    feature: app-insights
    purpose: Application Insights / Azure Monitor integration
    source: {document: shgw-egress-qna, answer: assist, text: "rt.services.visualstudio.com:443"}
  - id: appinsights-dc-visualstudio
    direction: outbound
    destinations: [{fqdn: dc.services.visualstudio.com}]
    ports: 443
    transport: tcp
    required: false
    feature: app-insights
    purpose: Application Insights / Azure Monitor integration
    source: {document: shgw-egress-qna, answer: assist, text: "dc.services.visualstudio.com:443"}
  - id: appinsights-livediagnostics
    direction: outbound
    destinations: [{fqdn: "{region}.livediagnostics.monitor.azure.com"}]
    ports: 443
    transport: tcp
    required: false
    feature: app-insights
    purpose: Application Insights live diagnostics of the instance's region
    source: {document: shgw-egress-qna, answer: assist, text: "{region}.livediagnostics.monitor.azure.com:443"}
  - id: appinsights-ingestion
    direction: outbound
    destinations: [{fqdn: dc.applicationinsights.azure.com}]
    ports: 443
    transport: tcp
    required: false
    feature: app-insights
    purpose: Application Insights ingestion (accepted answer)
    source: {document: shgw-egress-qna, answer: accepted, text: "Azure Monitor/Application Insights ingestion (if you’ve hooked up App Insights – e.g. *.monitoring.azure.com or dc.applicationinsights.azure.com)"}
  - id: azure-monitor-ingestion
    direction: outbound
    destinations: [{fqdn: "*.monitoring.azure.com"}]
    ports: 443
    transport: tcp
    required: false
    feature: app-insights
    purpose: Azure Monitor ingestion (accepted answer)
    source: {document: shgw-egress-qna, answer: accepted, text: "Azure Monitor/Application Insights ingestion (if you’ve hooked up App Insights – e.g. *.monitoring.azure.com or dc.applicationinsights.azure.com)"}
  - id: key-vault
    direction: outbound
    destinations: [{fqdn: "<vault-name>.vault.azure.net"}]
    ports: 443
    transport: tcp
    required: false
    feature: key-vault
    purpose: Fetch secrets and certificates (accepted answer)
    source: {document: shgw-egress-qna, answer: accepted, text: "Azure Key Vault (vault-name.vault.azure.net) if you’re fetching secrets/certs"}
  - id: storage-core
    direction: outbound
    destinations: [{fqdn: "*.core.windows.net"}]
    ports: 443
    transport: tcp
    required: false
    feature: storage
    purpose: Diagnostic blobs or the cache store (accepted answer)
    note: The accepted answer gives the whole *.core.windows.net zone; the account-specific rules below are tighter.
    source: {document: shgw-egress-qna, answer: accepted, text: "Azure Storage/*.core.windows.net if you’re writing any diagnostic blobs or using the cache store"}
  - id: storage-tag
    direction: outbound
    destinations: [{serviceTag: "Storage.<Region>"}]
    ports: 443
    transport: tcp
    required: false
    feature: storage
    purpose: Azure Storage service tag of the primary location (assist answer)
    source: {document: shgw-egress-qna, answer: assist, text: "Public IP addresses of the Azure Storage service tag (primary location)"}
  - id: storage-blob-account
    direction: outbound
    destinations: [{fqdn: "<blob-storage-account-name>.blob.core.windows.net"}]
    ports: 443
    transport: tcp
    required: false
    feature: storage
    purpose: Azure Blob Storage account (assist answer)
    source: {document: shgw-egress-qna, answer: assist, text: "Hostname of the Azure Blob Storage account: <blob-storage-account-name>.blob.core.windows.net"}
  - id: storage-table-account
    direction: outbound
    destinations: [{fqdn: "<table-storage-account-name>.table.core.windows.net"}]
    ports: 443
    transport: tcp
    required: false
    feature: storage
    purpose: Azure Table Storage account (assist answer)
    source: {document: shgw-egress-qna, answer: assist, text: "Hostname of the Azure Table Storage account: <table-storage-account-name>.table.core.windows.net"}
  - id: eventhub-logging
    direction: outbound
    destinations: [{fqdn: "*.servicebus.windows.net"}, {serviceTag: EventHub}]
    ports: [443, 5671, 5672]
    transport: tcp
    required: false
    feature: eventhub-logging
    purpose: Event Hubs integration (assist answer)
    note: >-
      The answer defers to the Event Hubs network guidance without naming hosts; the
      namespace zone *.servicebus.windows.net, the EventHub tag and AMQP ports 5671/5672
      are that guidance's, not this thread's.
    source: {document: shgw-egress-qna, answer: assist, text: "Event Hubs integration (if used): endpoints as documented in Azure Event Hubs network security guidance"}
"""#
    )
}
