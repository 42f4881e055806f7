/// A profile written for the audit tests against `Captures/gateway-egress.pcap`,
/// whose contents are known from its plant list: every verdict and required-rule
/// status has a case. Shared by the audit's and the live session's tests.
public enum AuditTestProfile {
    public static let yaml = #"""
    id: audit-test
    title: Rules written for the audit tests
    dialect: azure-firewall
    source: [{id: test, title: written for the audit tests}]
    rules:
      - {id: entra, direction: outbound, destinations: [{fqdn: login.microsoftonline.com}], ports: 443, transport: tcp, required: true, purpose: sign-in, source: {document: test}}
      - {id: blob, direction: outbound, destinations: [{fqdn: "*.blob.core.windows.net"}], ports: 443, transport: tcp, required: true, purpose: storage through the proxy, source: {document: test}}
      - {id: arm, direction: outbound, destinations: [{fqdn: management.azure.com}], ports: 443, transport: tcp, required: true, purpose: ARM over IPv6, source: {document: test}}
      - {id: blackholed, direction: outbound, destinations: [{fqdn: blackholed.contoso.net}], ports: 443, transport: tcp, required: true, purpose: unanswered SYNs, source: {document: test}}
      - {id: docker, direction: outbound, destinations: [{fqdn: registry-1.docker.io}], ports: 443, transport: tcp, required: true, purpose: ICMP prohibited, source: {document: test}}
      - {id: metrics, direction: outbound, destinations: [{fqdn: metrics.contoso.com}], ports: 443, transport: tcp, required: true, purpose: seen only on 8443, source: {document: test}}
      - {id: missing, direction: outbound, destinations: [{fqdn: doesnotexist.contoso.invalid}], ports: 443, transport: tcp, required: true, purpose: NXDOMAIN, source: {document: test}}
      - {id: dns, direction: outbound, destinations: [{cidr: 168.63.129.16}, {cidr: "fd00:1::2"}], ports: 53, transport: any, required: true, purpose: resolver, source: {document: test}}
      - {id: google-quic, direction: outbound, destinations: [{fqdn: www.google.com}], ports: 443, transport: udp, required: true, purpose: QUIC, source: {document: test}}
    """#
}
