/// Azure cloud a profile is evaluated for; decides which endpoint lists and regions apply.
public enum ProfileCloud: String, Sendable, Hashable, CaseIterable {
    case `public`
    case usgov
    case china
}

/// An Azure region under the two spellings the documents use: FQDN labels take the
/// lower-case ARM name (`westus`), service tags the CamelCase suffix (`Storage.WestUS`).
public struct AzureRegion: Sendable, Hashable {
    /// ARM name, lower case without spaces: `westus2`, `usgovvirginia`.
    public let name: String
    /// Suffix of regional service tags: `WestUS2`, `USGovVirginia`.
    public let tagSpelling: String
    public let cloud: ProfileCloud

    /// Looks a region up by any of its spellings: `West US 2`, `westus2`, `WestUS2`.
    public static func named(_ text: String) -> AzureRegion? {
        let key = String(text.lowercased().unicodeScalars.filter { $0 != " " })
        return all.first { $0.name == key }
    }

    /// Regions of the three clouds. Public, Government and China lists are the regional
    /// `Storage.*` tag suffixes of the service-tag files in /work/shared/data/azure
    /// (change numbers 376, 401, 370); `USGovIowa` is added because API Management's
    /// control-plane table still lists it.
    public static let all: [AzureRegion] = table.map {
        AzureRegion(name: $0.0.lowercased(), tagSpelling: $0.0, cloud: $0.1)
    }

    private static let table: [(String, ProfileCloud)] = [
        ("AustraliaCentral", .public), ("AustraliaCentral2", .public), ("AustraliaEast", .public),
        ("AustraliaSoutheast", .public), ("AustriaEast", .public), ("BelgiumCentral", .public),
        ("BrazilSouth", .public), ("BrazilSoutheast", .public), ("CanadaCentral", .public), ("CanadaEast", .public),
        ("CentralIndia", .public), ("CentralUS", .public), ("CentralUSEUAP", .public), ("ChileCentral", .public),
        ("EastAsia", .public), ("EastUS", .public), ("EastUS2", .public), ("EastUS2EUAP", .public),
        ("EastUS2Stage", .public), ("EastUSSTG", .public), ("FranceCentral", .public), ("FranceSouth", .public),
        ("GermanyNorth", .public), ("GermanyWestCentral", .public), ("IndonesiaCentral", .public),
        ("IsraelCentral", .public), ("IsraelNorthwest", .public), ("ItalyNorth", .public), ("JapanEast", .public),
        ("JapanWest", .public), ("JioIndiaCentral", .public), ("JioIndiaWest", .public), ("KoreaCentral", .public),
        ("KoreaSouth", .public), ("MalaysiaSouth", .public), ("MalaysiaWest", .public), ("MexicoCentral", .public),
        ("NewZealandNorth", .public), ("NorthCentralUS", .public), ("NorthCentralUSStage", .public),
        ("NorthEurope", .public), ("NorwayEast", .public), ("NorwayWest", .public), ("PolandCentral", .public),
        ("QatarCentral", .public), ("SouthAfricaNorth", .public), ("SouthAfricaWest", .public),
        ("SouthCentralUS", .public), ("SouthCentralUS2", .public), ("SouthCentralUSSTG", .public),
        ("SouthIndia", .public), ("SoutheastAsia", .public), ("SoutheastUS", .public), ("SoutheastUS3", .public),
        ("SpainCentral", .public), ("SwedenCentral", .public), ("SwedenSouth", .public),
        ("SwitzerlandNorth", .public), ("SwitzerlandWest", .public), ("TaiwanNorth", .public),
        ("TaiwanNorthwest", .public), ("UAECentral", .public), ("UAENorth", .public), ("UKSouth", .public),
        ("UKWest", .public), ("WestCentralUS", .public), ("WestEurope", .public), ("WestIndia", .public),
        ("WestUS", .public), ("WestUS2", .public), ("WestUS3", .public),
        ("USDoDCentral", .usgov), ("USDoDEast", .usgov), ("USGovArizona", .usgov), ("USGovIowa", .usgov),
        ("USGovTexas", .usgov), ("USGovVirginia", .usgov),
        ("ChinaEast", .china), ("ChinaEast2", .china), ("ChinaEast3", .china), ("ChinaNorth", .china),
        ("ChinaNorth2", .china), ("ChinaNorth3", .china),
    ]
}
