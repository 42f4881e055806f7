import EgressPolicy
import PacketWire

/// The service tags the audit suggests rules by, interned: a suggestion keeps
/// its tag as an index into `names`. A flow allowed through a service tag is
/// suggested the narrowest tag within it that contains the flow's address
/// (`ServiceTagCatalog.narrowestTag`: `Storage.WestUS` rather than the
/// `Storage` a rule named), remembered per catalog tag set, so a flood asks the
/// catalog once per set.
///
/// Kept on the aggregation's side, not the classifier's: an answer names its
/// allowing tag by its catalog index, a value any classifier gives alike, and
/// the classifier neither interns nor needs carrying across a reload.
struct SuggestedTags {
    /// The catalog allowing tags are indices into (the profile's; replaced on reload).
    private(set) var catalog: ServiceTagCatalog
    private(set) var names: [String] = []
    private var index: [String: Int32] = [:]
    /// (catalog tag set of an address, allowing tag's catalog index) → the narrowest tag, interned.
    private var narrowest: [UInt64: Int32] = [:]
    private let memoLimit: Int

    init(catalog: ServiceTagCatalog, memoLimit: Int) {
        self.catalog = catalog
        self.memoLimit = memoLimit
    }

    /// The narrowest tag within `tag` (an index into the catalog's tags) that contains `address`, interned.
    mutating func narrowest(within tag: Int32, containing address: IPAddress) -> Int32 {
        let key = UInt64(catalog.tagSetIndex(containing: address)) << 32 | UInt64(UInt32(bitPattern: tag))
        if let known = narrowest[key] { return known }
        let allowing = catalog.tags[Int(tag)].name
        let id = intern(catalog.narrowestTag(covering: [address], within: allowing)?.name ?? allowing)
        if narrowest.count >= memoLimit { narrowest.removeAll(keepingCapacity: true) }
        narrowest[key] = id
        return id
    }

    /// After a profile reload: tags are the new catalog's from now on. Names
    /// interned stay (suggestions made refer to them); what was remembered by
    /// the old catalog's indices is forgotten.
    mutating func reload(catalog: ServiceTagCatalog) {
        self.catalog = catalog
        narrowest.removeAll()
    }

    private mutating func intern(_ tag: String) -> Int32 {
        if let known = index[tag] { return known }
        names.append(tag)
        index[tag] = Int32(names.count - 1)
        return Int32(names.count - 1)
    }
}
