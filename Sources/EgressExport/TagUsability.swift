import EgressPolicy

/// Whether a target may name a tag, by the tag file's `networkFeatures`
/// (`NSG`, `FW`; a tag without the property, such as a built-in one, is usable),
/// and if not, the narrowest tag it may name for the addresses a report saw.
enum TagUsability {
    enum Answer {
        case usable(String)
        /// `replacement` covers the observed addresses; the warning says it is wider.
        case replaced(String, warning: String)
        case unusable(reason: String)
    }

    static func check(_ tag: String, feature: String, target: String, rule: ExportRule, catalog: ServiceTagCatalog) -> Answer {
        let known = catalog.tag(named: tag)
        guard let features = known?.networkFeatures, !features.contains(feature) else { return .usable(known?.name ?? tag) }
        let why = "the tag file says \(target) cannot use \(tag) (networkFeatures \(features.joined(separator: ",")))"
        if !rule.observed.isEmpty, let wider = catalog.narrowestTag(covering: rule.observed, usableBy: feature) {
            return .replaced(wider.name, warning: "\(why): widened to \(wider.name), the narrowest tag it can use covering the addresses seen")
        }
        return .unusable(reason: why)
    }
}
