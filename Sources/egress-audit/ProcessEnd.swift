/// What a finished run built is left for the process's end, not freed piece
/// by piece: the kernel takes the whole heap back at once when the process
/// exits, while freeing a run's hundreds of thousands of flows, names and
/// destinations one by one cost about 3 % of an audit's instructions
/// (callgrind). Compilers do the same (LLVM's `-disable-free`). Only for
/// values of a command about to return to `main`.
enum ProcessEnd {
    nonisolated(unsafe) private static var kept: [Any] = []

    static func keep(_ value: Any) {
        kept.append(value)
    }
}
