/// The one version string: `egress-audit --version`, every JSON report's
/// `toolVersion`, the HTML report's footer and the `egress_audit_build_info` metric.
public enum ToolVersion {
    public static let current = "0.1.0"
}
