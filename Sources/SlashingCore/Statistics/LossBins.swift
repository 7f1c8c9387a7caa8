/// Histogram bins of positive losses by their bits: a positive double's bit pattern without the sign, shifted
/// right by 44, keeps its 11 exponent bits and top 8 mantissa bits. The bin index is monotone in the value and a
/// bin spans a relative width of 2⁻⁸ (0.4 %), over the whole range of doubles, with no range to choose.
enum LossBins {
    static let count = 1 << 19

    @inline(__always)
    static func bin(_ x: Double) -> Int { Int(truncatingIfNeeded: x.bitPattern >> 44) }
}

/// Exact counts of the values that fall in a few histogram bins: values are buffered, then sorted and merged
/// into (value, count) runs, so a bin holding one atom hit millions of times costs one run.
struct ValueCounter {
    private var buffer: [Double] = []
    private(set) var runs: [(value: Double, count: Int)] = []
    static let bufferLimit = 1 << 18

    init() {}

    /// A counter holding `runs` (ascending values, positive counts): a checkpoint's collected bin.
    init(runs: [(value: Double, count: Int)]) { self.runs = runs }

    mutating func add(_ x: Double) {
        buffer.append(x)
        if buffer.count >= Self.bufferLimit { compact() }
    }

    /// Folds the buffer into the runs.
    mutating func compact() {
        guard !buffer.isEmpty else { return }
        buffer.sort()
        var fresh: [(value: Double, count: Int)] = []
        for x in buffer {
            if let last = fresh.last, last.value == x { fresh[fresh.count - 1].count += 1 } else { fresh.append((x, 1)) }
        }
        buffer.removeAll(keepingCapacity: true)
        runs = Self.merge(runs, fresh)
    }

    static func merge(_ a: [(value: Double, count: Int)], _ b: [(value: Double, count: Int)]) -> [(value: Double, count: Int)] {
        var out: [(value: Double, count: Int)] = []
        out.reserveCapacity(a.count + b.count)
        var i = 0, j = 0
        while i < a.count || j < b.count {
            let next: (value: Double, count: Int)
            if j >= b.count || (i < a.count && a[i].value < b[j].value) { next = a[i]; i += 1 }
            else if i >= a.count || b[j].value < a[i].value { next = b[j]; j += 1 }
            else { next = (a[i].value, a[i].count + b[j].count); i += 1; j += 1 }
            out.append(next)
        }
        return out
    }
}
