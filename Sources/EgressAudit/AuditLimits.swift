/// The caps that bound the audit's memory and its report, whatever the
/// traffic: the audit keeps aggregates per destination, never a list of
/// flows, and each table here has a limit. Past a limit nothing is dropped:
/// an unnamed address folds into its narrowest service tag or its /24 (/48),
/// a name into its parent domain, and past the group limit into one "rest"
/// destination per verdict; lists keep a sample and a distinct count, exact
/// up to the sample size and estimated (and labelled so) beyond it. The
/// report names every cap that was reached and the flows it carried.
///
/// Memory at the defaults: about 1 KB per destination (2 KB for a group with
/// full samples), so the destination tables stay under ~12 MB, and the JSON
/// report of any input under ~2 MB (README: "Caps and overflow").
public struct AuditLimits: Sendable, Equatable {
    /// Destinations known by a name (SNI, QUIC SNI, HTTP Host, CONNECT, DNS), per run.
    public var namedDestinations = 4_000
    /// Destinations known only by their address.
    public var addressDestinations = 1_000
    /// Groups that overflowing destinations fold into (service tag, /24 or /48, parent domain).
    public var groups = 256
    /// Addresses listed per destination (a sample beyond this; the count stays).
    public var addressesPerDestination = 32
    /// Nodes listed per destination ("which nodes talked to it").
    public var nodesPerDestination = 16
    /// Ports listed per destination.
    public var portsPerDestination = 32
    /// Destinations listed per rule's evidence.
    public var destinationsPerRule = 64
    /// Nodes whose status is kept per required rule.
    public var nodesPerRule = 4_096
    /// Distinct name mismatches (SNI vs DNS) kept.
    public var nameMismatches = 1_000
    /// Names failing in DNS listed.
    public var dnsFailures = 1_000
    /// Least-privilege suggestions kept.
    public var suggestions = 2_000
    /// Offline without `--node`: flows held back until the nodes are chosen.
    public var nodeChoiceFlows = 65_536
    /// Distinct initiators counted for choosing nodes (every count is exact while fewer).
    public var initiators = 65_536
    /// Distinct (name, address set, port) questions whose answers are remembered.
    public var memoizedQuestions = 65_536

    public init() {}

    /// Every cap by name, for the report.
    var named: [(String, Int)] {
        [("namedDestinations", namedDestinations), ("addressDestinations", addressDestinations), ("groups", groups),
         ("addressesPerDestination", addressesPerDestination), ("nodesPerDestination", nodesPerDestination),
         ("portsPerDestination", portsPerDestination), ("destinationsPerRule", destinationsPerRule), ("nodesPerRule", nodesPerRule),
         ("nameMismatches", nameMismatches), ("dnsFailures", dnsFailures), ("suggestions", suggestions)]
    }
}
