import PacketWire

extension ServiceTagCatalog {
    /// The narrowest tag covering every one of `addresses`: of the tags that
    /// contain them all (and pass `within`), the one spanning the fewest
    /// addresses of their family, so `Storage.WestUS` (a subset of `Storage`)
    /// wins over `Storage`, and `AzureCloud.westus` over `AzureCloud`. Ties go
    /// to a regional tag (a name with a dot), then to the name. The one answer
    /// to "which tag" for `--suggest-rules` and `export --from-report`.
    ///
    /// - Parameters:
    ///   - addresses: one family or both; an empty list has no covering tag.
    ///   - within: a tag name; when given, only that tag and its regional
    ///     tags (`within.<region>`, any case) are candidates: the narrowing of
    ///     the tag a rule allowed, never a different service's tag.
    ///   - usableBy: a network feature of the tag file (`NSG`, `FW`); when
    ///     given, tags whose `networkFeatures` lack it are passed over (tags
    ///     without the property, such as the built-in ones, are kept).
    /// - Returns: the index into `tags`, or nil when no tag covers them all.
    public func narrowestTagIndex(covering addresses: [IPAddress], within: String? = nil, usableBy feature: String? = nil) -> Int? {
        guard let first = addresses.first else { return nil }
        var candidates = Set(tagIndices(containing: first).map(Int.init))
        for a in addresses.dropFirst() where !candidates.isEmpty {
            candidates.formIntersection(tagIndices(containing: a).map(Int.init))
        }
        if let within {
            let base = ServiceTagCatalog.fold(within)
            candidates = candidates.filter { i in
                let name = ServiceTagCatalog.fold(tags[i].name)
                return name == base || (name.hasPrefix(base + ".") && !name.dropFirst(base.count + 1).contains("."))
            }
        }
        if let feature {
            candidates = candidates.filter { tags[$0].networkFeatures.map { $0.contains(feature) } ?? true }
        }
        let v4 = addresses.contains { $0.isIPv4 }, v6 = addresses.contains { !$0.isIPv4 }
        return candidates.min { a, b in
            let sa = span(of: tags[a], v4: v4, v6: v6), sb = span(of: tags[b], v4: v4, v6: v6)
            if sa != sb { return sa < sb }
            let ra = tags[a].name.contains("."), rb = tags[b].name.contains(".")
            if ra != rb { return ra }
            return tags[a].name < tags[b].name
        }
    }

    /// `narrowestTagIndex`, by name.
    public func narrowestTag(covering addresses: [IPAddress], within: String? = nil, usableBy feature: String? = nil) -> ServiceTag? {
        narrowestTagIndex(covering: addresses, within: within, usableBy: feature).map { tags[$0] }
    }

    /// How many addresses of the asked families a tag spans (prefixes may
    /// overlap when sources were merged; an overlap counts twice, which only
    /// matters between tags that would tie anyway).
    private func span(of tag: ServiceTag, v4: Bool, v6: Bool) -> Double {
        var total = 0.0
        for p in tag.prefixes {
            if p.isIPv4 ? v4 : v6 { total += Double(sign: .plus, exponent: (p.isIPv4 ? 32 : 128) - p.prefixLength, significand: 1) }
        }
        return total
    }
}
