/// A sample of n per-trial losses, stored as its sorted positive values plus a count of zeros.
///
/// Most trials of a slashing model lose nothing; keeping only the positive losses makes memory scale
/// with the number of loss events, not with the number of trials. Order statistics are 1-based:
/// `orderStatistic(1)` is the smallest loss, `orderStatistic(n)` the largest.
public struct LossSample: Sendable {
    /// Number of trials n.
    public let trials: Int
    /// The positive losses, ascending.
    public let positiveLosses: [Double]

    /// Trials with zero loss.
    public var zeroCount: Int { trials - positiveLosses.count }

    /// Builds a sample from its positive losses in any order (they are sorted here); the other
    /// `trials − positiveLosses.count` trials lost nothing. Negative or non-finite values are a bug.
    public init(trials: Int, positiveLosses: [Double]) {
        precondition(positiveLosses.count <= trials, "more losses than trials")
        precondition(positiveLosses.allSatisfy { $0 > 0 && $0.isFinite }, "losses must be positive and finite")
        self.trials = trials
        self.positiveLosses = positiveLosses.sorted()
    }

    /// Builds a sample from positive losses already in ascending order (checked in debug builds).
    public init(trials: Int, sortedPositiveLosses: [Double]) {
        precondition(sortedPositiveLosses.count <= trials, "more losses than trials")
        assert(zip(sortedPositiveLosses, sortedPositiveLosses.dropFirst()).allSatisfy { $0 <= $1 }, "losses not sorted")
        precondition(sortedPositiveLosses.first.map { $0 > 0 } ?? true && sortedPositiveLosses.last.map { $0.isFinite } ?? true,
                     "losses must be positive and finite")
        self.trials = trials
        self.positiveLosses = sortedPositiveLosses
    }

    /// Builds a sample from every trial's loss (zeros included).
    public init(allLosses: [Double]) {
        self.init(trials: allLosses.count, positiveLosses: allLosses.filter { $0 != 0 })
    }

    /// The k-th smallest loss, 1 ≤ k ≤ n.
    @inlinable
    public func orderStatistic(_ k: Int) -> Double {
        precondition(k >= 1 && k <= trials, "order statistic out of range")
        let z = trials - positiveLosses.count
        return k <= z ? 0 : positiveLosses[k - z - 1]
    }

    /// Number of trials with loss ≤ x.
    public func countAtMost(_ x: Double) -> Int {
        if x < 0 { return 0 }
        // first index with value > x
        var lo = 0, hi = positiveLosses.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if positiveLosses[mid] <= x { lo = mid + 1 } else { hi = mid }
        }
        return zeroCount + lo
    }
}
