/// Lists of texts by key, each made once and then shared: a report's destinations repeat a few
/// lists (one port, a rule set, a node). Found by a scan, the last one found first: few keys recur,
/// and a `Dictionary` of a key type not used before cost ~150,000 instructions to set up, once per
/// type and run (its generic metadata, callgrind). Past `capacity` keys, lists are made each time.
struct ListMemo<Key: Equatable> {
    private var keys: [Key] = []
    private var lists: [[String]] = []
    private var last = 0
    private let capacity = 64

    /// The list kept for `key`, if any.
    mutating func known(_ key: Key) -> [String]? {
        if last < keys.count, keys[last] == key { return lists[last] }
        guard let i = keys.firstIndex(of: key) else { return nil }
        last = i
        return lists[i]
    }

    /// Keeps `list` as `key`'s (while there is room).
    mutating func keep(_ key: Key, _ list: [String]) {
        guard keys.count < capacity else { return }
        last = keys.count
        keys.append(key)
        lists.append(list)
    }
}

extension ListMemo where Key: SampleHashable & Comparable {
    /// A sample's values as sorted texts: a one-value list is made once and then shared.
    mutating func texts(_ sample: DistinctSample<Key>, _ text: (Key) -> String) -> [String] {
        guard let only = sample.only else { return sample.sortedTexts(text) }
        if let known = known(only) { return known }
        let list = [text(only)]
        keep(only, list)
        return list
    }
}
