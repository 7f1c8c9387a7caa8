/// One trial's loss and its likelihood-ratio weight w = dP/dQ (importance sampling).
public struct WeightedLoss: Sendable, Comparable {
    public let loss: Double
    public let weight: Double

    public init(loss: Double, weight: Double) {
        self.loss = loss
        self.weight = weight
    }

    /// By loss, then weight: a total order, so merged samples are the same whatever the threads.
    public static func < (a: WeightedLoss, b: WeightedLoss) -> Bool {
        a.loss != b.loss ? a.loss < b.loss : a.weight < b.weight
    }
}

/// A sample of n trials drawn under an importance-sampling measure Q, each carrying its weight w = dP/dQ;
/// stored as its positive losses, ascending, with their weights (the trials that lost nothing need no weight:
/// every estimator below is a sum over the losing trials divided by n).
///
/// Estimators (docs/importance-sampling.md), with Ĝ(x) = (1/n)·Σ w·1{L > x}:
/// - E[L] = (1/n)·Σ w·L; P(L > 0) = Ĝ(0); each with the standard error sd(w·X)/√n;
/// - VaR_q = min{x ∈ {0} ∪ sample : Ĝ(x) ≤ 1 − q} (the tail-side estimator, whose variance the shift reduces);
///   its 95 % interval is the set of x with |Ĝ(x) − (1 − q)| ≤ 1.96·se(Ĝ(x)), se from Σ w²·1{L > x};
/// - ES_q = VaR_q + (1/(n(1 − q)))·Σ w·(L − VaR_q)⁺, standard error sd(w·(L − VaR_q)⁺)/((1 − q)·√n).
/// With every weight 1 these are the plain sample's statistics.
public struct WeightedLossSample: Sendable {
    public let trials: Int
    /// The trials with a positive loss, ascending.
    public let positiveLosses: [WeightedLoss]
    /// Σ w and Σ w² over positiveLosses[j...], for j = 0 ... count (the last entry 0).
    let massFrom: [Double]
    let squaresFrom: [Double]

    /// From positive losses already in ascending order.
    public init(trials: Int, sortedPositiveLosses: [WeightedLoss]) {
        precondition(sortedPositiveLosses.count <= trials, "more losses than trials")
        precondition(sortedPositiveLosses.allSatisfy { $0.loss > 0 && $0.loss.isFinite && $0.weight >= 0 && $0.weight.isFinite },
                     "losses must be positive and finite, weights finite and non-negative")
        assert(zip(sortedPositiveLosses, sortedPositiveLosses.dropFirst()).allSatisfy { !($1 < $0) }, "losses not sorted")
        self.trials = trials
        positiveLosses = sortedPositiveLosses
        var mass = [Double](repeating: 0, count: sortedPositiveLosses.count + 1), squares = mass
        var m = CompensatedSum(), s = CompensatedSum()
        for j in sortedPositiveLosses.indices.reversed() {
            let w = sortedPositiveLosses[j].weight
            m.add(w)
            s.add(w * w)
            // Suffix sums of non-negative terms never decrease; keep them monotone through rounding.
            mass[j] = max(m.value, mass[j + 1])
            squares[j] = max(s.value, squares[j + 1])
        }
        massFrom = mass
        squaresFrom = squares
    }

    /// Index of the first positive loss greater than x.
    func firstAbove(_ x: Double) -> Int {
        var lo = 0, hi = positiveLosses.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if positiveLosses[mid].loss <= x { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// Ĝ(x) = (1/n)·Σ w·1{L > x} and its standard error.
    /// (Every loss is ≥ 0, so Ĝ(x) = 1 for x < 0.)
    public func exceedance(_ x: Double) -> (probability: Double, standardError: Double) {
        x < 0 ? (1, 0) : exceedance(fromIndex: firstAbove(x))
    }

    func exceedance(fromIndex j: Int) -> (probability: Double, standardError: Double) {
        let nd = Double(trials)
        let g = massFrom[j] / nd
        let variance = max(0, squaresFrom[j] / nd - g * g)
        return (g, (variance / max(1, nd - 1)).squareRoot())
    }

    /// Candidate VaR values in ascending order, as (loss, index of the first loss above it): 0, then each
    /// distinct positive loss.
    private func candidate(_ c: Int) -> (loss: Double, firstAbove: Int) {
        c < 0 ? (0, 0) : (positiveLosses[c].loss, c + 1)
    }

    /// Index c of VaR_q among the candidates (−1 for 0, else the last index of its loss's run).
    func varIndex(level q: Double) -> Int {
        let nd = Double(trials)
        let limit = nd - RiskStatistics.scaledLevel(q, trials: trials)
        if massFrom[0] <= limit { return -1 }
        // Smallest j with massFrom[j + 1] ≤ limit (massFrom is non-increasing; massFrom[count] = 0).
        var lo = 0, hi = positiveLosses.count - 1
        while lo < hi {
            let mid = (lo + hi) / 2
            if massFrom[mid + 1] <= limit { hi = mid } else { lo = mid + 1 }
        }
        // The last trial with this loss, so that the mass above is that of L > VaR.
        var j = lo
        while j + 1 < positiveLosses.count && positiveLosses[j + 1].loss == positiveLosses[j].loss { j += 1 }
        return j
    }

    /// VaR_q with its 95 % interval; `rank` is the position (zeros first) of the last trial whose loss is VaR_q.
    public func quantile(level q: Double) -> QuantileEstimate {
        let count = positiveLosses.count
        let c = varIndex(level: q)
        let tail = 1 - q
        func holds(_ c: Int, _ sign: Double) -> Bool {
            let e = exceedance(fromIndex: candidate(c).firstAbove)
            return e.probability + sign * 1.96 * e.standardError <= tail
        }
        // Lower end: the smallest x below VaR, stepping down through distinct losses, with Ĝ(x) − 1.96·se ≤ 1 − q.
        var lower = c
        var step = c
        while step >= 0 {
            var next = step - 1
            while next >= 0 && positiveLosses[next].loss == positiveLosses[step].loss { next -= 1 }
            // `next` is the last index of the previous distinct loss (or −1: the candidate 0).
            if holds(next, -1) { lower = next; step = next } else { break }
            if next < 0 { break }
        }
        // Upper end: the smallest x ≥ VaR with Ĝ(x) + 1.96·se ≤ 1 − q; unknown when only the largest loss qualifies.
        var upper: Int? = nil
        var probe = c
        while true {
            if holds(probe, 1) { upper = probe; break }
            var next = probe + 1
            while next + 1 < count && positiveLosses[next + 1].loss == positiveLosses[next].loss { next += 1 }
            if next >= count { break }
            probe = next
        }
        let zeroCount = trials - count
        let upperValue = upper.flatMap { $0 < count - 1 || count == 0 ? candidate($0).loss : nil }
        return QuantileEstimate(level: q, loss: candidate(c).loss, rank: zeroCount + c + 1,
                                lower95: candidate(lower).loss, upper95: upperValue)
    }

    public func expectedShortfall(level q: Double) -> ExpectedShortfallEstimate {
        let nd = Double(trials)
        let qn = RiskStatistics.scaledLevel(q, trials: trials)
        let c = varIndex(level: q)
        let v = candidate(c).loss
        var excess = CompensatedSum(), squares = CompensatedSum()
        for x in positiveLosses[candidate(c).firstAbove...] {
            let e = x.weight * (x.loss - v)
            excess.add(e)
            squares.add(e * e)
        }
        let mean = excess.value / nd
        let variance = trials > 1 ? max(0, (squares.value - nd * mean * mean) / (nd - 1)) : 0
        let es = qn < nd ? v + excess.value / (nd - qn) : v
        return ExpectedShortfallEstimate(level: q, loss: es, standardError: variance.squareRoot() / ((1 - q) * nd.squareRoot()))
    }
}

extension WeightedLossSample: LossDistribution {
    public func summarize(levels: [Double]) -> LossSummary {
        let nd = Double(trials)
        var first = CompensatedSum(), second = CompensatedSum(), weightedSquares = CompensatedSum()
        for x in positiveLosses {
            first.add(x.weight * x.loss)
            second.add(x.weight * x.loss * x.loss)
            weightedSquares.add(x.weight * x.loss * x.weight * x.loss)
        }
        let mean = first.value / nd
        // sd of L under P: E_P[L²] = (1/n)·Σ w·L²; the mean's standard error from the spread of w·L.
        let sd = max(0, second.value / nd - mean * mean).squareRoot()
        let meanSE = trials > 1 ? (max(0, weightedSquares.value - nd * mean * mean) / (nd - 1) / nd).squareRoot() : 0
        let loss = exceedance(fromIndex: 0)
        return LossSummary(trials: trials, mean: mean, meanStandardError: meanSE, standardDeviation: sd,
                           probabilityOfLoss: loss.probability, probabilityOfLossStandardError: loss.standardError,
                           maximum: positiveLosses.last?.loss ?? 0,
                           quantiles: levels.map { quantile(level: $0) },
                           expectedShortfall: levels.map { expectedShortfall(level: $0) })
    }

    public func tailPoint(level q: Double) -> TailPoint {
        let c = varIndex(level: q)
        let point = candidate(c)
        // At VaR = 0 the trials that lost nothing carry the rest of the mass, n − Σw (their weights are not kept).
        if c < 0 { return TailPoint(value: 0, massAbove: massFrom[0], massAt: max(0, Double(trials) - massFrom[0])) }
        var first = c
        while first > 0 && positiveLosses[first - 1].loss == point.loss { first -= 1 }
        return TailPoint(value: point.loss, massAbove: massFrom[point.firstAbove], massAt: massFrom[first] - massFrom[point.firstAbove])
    }
}
