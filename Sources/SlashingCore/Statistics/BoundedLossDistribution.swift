/// A loss distribution summarised in memory that does not grow with the number of trials: a histogram of the
/// positive losses (pass 1), then the exact values in the few bins that hold the requested order statistics
/// and, per level, the sums over the losses above VaR (pass 2, a replay of the same random streams).
///
/// VaR, its interval and every order statistic it reports are exact (the same numbers as keeping the whole
/// sample); mean, standard deviation and ES are the same up to the order of floating-point additions.
public struct BoundedLossDistribution: LossDistribution {
    public let trials: Int
    package let positives: Int
    let maximum: Double
    let sum: Double, sumOfSquares: Double
    /// Positive losses per bin, and the count in all bins below each bin.
    package let cumulativeBelow: [Int]
    package let binCounts: [Int]
    /// Exact (value, count) runs of the collected bins.
    let runs: [Int: [(value: Double, count: Int)]]
    /// Per level: Σ(x − s), Σ(x − s)² and the count of the losses in bins above that level's VaR bin, where the
    /// shift s is the VaR bin's lower edge (so that squares of excesses keep their digits).
    let above: [Double: (sum: Double, squares: Double, count: Int)]

    /// The lower edge of a bin: the smallest double in it.
    package static func lowerEdge(ofBin b: Int) -> Double { Double(bitPattern: UInt64(b) << 44) }

    var zeroCount: Int { trials - positives }

    /// The bins holding the order statistics the report needs at `levels` (VaR and its interval bounds).
    static func neededRanks(levels: [Double], trials n: Int) -> [Int] {
        var ranks: [Int] = []
        for q in levels {
            ranks.append(RiskStatistics.rank(level: q, trials: n))
            let binomial = BinomialDistribution(n: n, p: q)
            let l = binomial.quantile(0.025), u = binomial.quantile(0.975) + 1
            if l >= 1 { ranks.append(l) }
            if u <= n { ranks.append(u) }
        }
        return ranks
    }

    /// The bin of the r-th smallest loss (nil when it is 0), from the histogram's cumulative counts.
    static func bin(ofRank r: Int, zeroCount: Int, cumulativeBelow: [Int], binCounts: [Int]) -> Int? {
        guard r > zeroCount else { return nil }
        let target = r - zeroCount  // 1-based among positives
        var lo = 0, hi = LossBins.count - 1
        while lo < hi {  // first bin whose cumulative count through it reaches target
            let mid = (lo + hi) / 2
            if cumulativeBelow[mid] + binCounts[mid] >= target { hi = mid } else { lo = mid + 1 }
        }
        return lo
    }

    /// The k-th smallest loss; k must be 0-valued or in a collected bin.
    func orderStatistic(_ k: Int) -> Double {
        guard let b = Self.bin(ofRank: k, zeroCount: zeroCount, cumulativeBelow: cumulativeBelow, binCounts: binCounts) else { return 0 }
        var remaining = k - zeroCount - cumulativeBelow[b]
        guard let list = runs[b] else { preconditionFailure("order statistic \(k) is in a bin that was not collected") }
        for run in list {
            if remaining <= run.count { return run.value }
            remaining -= run.count
        }
        preconditionFailure("collected bin \(b) holds fewer values than the histogram counted")
    }

    /// (#{L ≤ v}, #{L = v}) for v = 0 or v in a collected bin.
    func counts(atMost v: Double) -> (atMost: Int, equal: Int) {
        guard v > 0 else { return (zeroCount, zeroCount) }
        let b = LossBins.bin(v)
        var atMost = zeroCount + cumulativeBelow[b], equal = 0
        for run in runs[b] ?? [] where run.value <= v {
            atMost += run.count
            if run.value == v { equal = run.count }
        }
        return (atMost, equal)
    }

    public func tailPoint(level q: Double) -> TailPoint {
        let v = orderStatistic(RiskStatistics.rank(level: q, trials: trials))
        let c = counts(atMost: v)
        return TailPoint(value: v, massAbove: Double(trials - c.atMost), massAt: Double(c.equal))
    }

    /// Σ(x − s), Σ(x − s)², the count of the losses strictly above v (v = VaR at `level`), and the shift s.
    func tail(above v: Double, level q: Double) -> (sum: Double, squares: Double, count: Int, shift: Double) {
        guard v > 0 else { return (sum, sumOfSquares, positives, 0) }
        let b = LossBins.bin(v), shift = Self.lowerEdge(ofBin: b)
        var result = above[q] ?? (0, 0, 0)
        for run in runs[b] ?? [] where run.value > v {
            let d = run.value - shift
            result.sum += d * Double(run.count)
            result.squares += d * d * Double(run.count)
            result.count += run.count
        }
        return (result.sum, result.squares, result.count, shift)
    }

    public func summarize(levels: [Double]) -> LossSummary {
        let n = trials, nd = Double(n)
        let mean = sum / nd
        let sd = n > 1 ? (max(0, sumOfSquares - nd * mean * mean) / (nd - 1)).squareRoot() : 0
        let pLoss = Double(positives) / nd
        let quantiles = levels.map { q -> QuantileEstimate in
            let k = RiskStatistics.rank(level: q, trials: n)
            let binomial = BinomialDistribution(n: n, p: q)
            let l = binomial.quantile(0.025), u = binomial.quantile(0.975) + 1
            return QuantileEstimate(level: q, loss: orderStatistic(k), rank: k, lower95: l >= 1 ? orderStatistic(l) : 0,
                                    upper95: u <= n ? orderStatistic(u) : nil)
        }
        let shortfalls = levels.map { q -> ExpectedShortfallEstimate in
            let v = orderStatistic(RiskStatistics.rank(level: q, trials: n))
            let atMost = counts(atMost: v).atMost
            let t = tail(above: v, level: q)
            let qn = RiskStatistics.scaledLevel(q, trials: n)
            let beyond = max(0, Double(atMost) - qn)
            let c = Double(t.count), gap = v - t.shift
            let es = qn < nd ? (t.sum + c * t.shift + v * beyond) / (nd - qn) : v
            // (L − v)⁺ over all trials: Σ(x − v) and Σ(x − v)² over the tail, from the sums shifted by s.
            let excess = t.sum - c * gap
            let excessSquares = max(0, t.squares - 2 * gap * t.sum + c * gap * gap)
            let meanExcess = excess / nd
            let variance = n > 1 ? max(0, (excessSquares - nd * meanExcess * meanExcess) / (nd - 1)) : 0
            return ExpectedShortfallEstimate(level: q, loss: es, standardError: variance.squareRoot() / ((1 - q) * nd.squareRoot()))
        }
        return LossSummary(trials: n, mean: mean, meanStandardError: sd / nd.squareRoot(), standardDeviation: sd,
                           probabilityOfLoss: pLoss, probabilityOfLossStandardError: (pLoss * (1 - pLoss) / nd).squareRoot(),
                           maximum: maximum, quantiles: quantiles, expectedShortfall: shortfalls)
    }
}
