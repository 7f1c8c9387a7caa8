/// Computes the report's statistics from a loss sample (definitions in docs/statistics.md).
public enum RiskStatistics {
    /// The rank ⌈q·n⌉ of the lower quantile, with q·n taken as a whole number when it is one up to
    /// floating-point rounding (so 0.99 × 1,000,000 is 990,000, not 990,001); clamped to 1...n.
    public static func rank(level q: Double, trials n: Int) -> Int {
        min(n, max(1, Int(scaledLevel(q, trials: n).rounded(.up))))
    }

    /// q·n, snapped to the nearest whole number when within 8 ulps of it (the rounding error of the decimal
    /// level and the product), so that decimal levels behave as decimals: 0.9999 × 10⁶ is 999,900 and
    /// n − q·n is exactly 100, while 0.5000000001 × 10⁶ = 500,000.0001 still rounds up.
    static func scaledLevel(_ q: Double, trials n: Int) -> Double {
        let x = q * Double(n)
        let nearest = x.rounded()
        return abs(x - nearest) <= 8 * max(x.ulp, Double.ulpOfOne) ? nearest : x
    }

    /// VaR_q = x_(⌈qn⌉), with the order statistics that bracket the true quantile with ≥ 95 % probability:
    /// the number of sample points below the true quantile is Bin(n, q), so with l the 2.5 % and u − 1 the
    /// 97.5 % binomial quantiles, P(x_(l) ≤ ξ_q ≤ x_(u)) ≥ 0.95 for any loss distribution.
    public static func quantile(_ sample: LossSample, level q: Double) -> QuantileEstimate {
        let n = sample.trials
        let k = rank(level: q, trials: n)
        let binomial = BinomialDistribution(n: n, p: q)
        let l = binomial.quantile(0.025)
        let u = binomial.quantile(0.975) + 1
        return QuantileEstimate(
            level: q, loss: sample.orderStatistic(k), rank: k,
            lower95: l >= 1 ? sample.orderStatistic(l) : 0,
            upper95: u <= n ? sample.orderStatistic(u) : nil)
    }

    /// ES_q = (E[L·1{L > v}] + v·(F(v) − q)) / (1 − q) with v = VaR_q, from the empirical distribution.
    ///
    /// Standard error from the influence function: ES_q − v = E[(L − v)⁺]/(1 − q), so
    /// se = sd((L − v)⁺) / ((1 − q)·√n).
    public static func expectedShortfall(_ sample: LossSample, level q: Double) -> ExpectedShortfallEstimate {
        let n = sample.trials
        let v = sample.orderStatistic(rank(level: q, trials: n))
        let atMost = sample.countAtMost(v)
        let tail = sample.positiveLosses[(atMost - sample.zeroCount)...]
        var sum = CompensatedSum()
        var excess = CompensatedSum(), excessSquares = CompensatedSum()
        for x in tail {
            sum.add(x)
            excess.add(x - v)
            excessSquares.add((x - v) * (x - v))
        }
        let nd = Double(n)
        let qn = scaledLevel(q, trials: n)
        let beyond = max(0, Double(atMost) - qn)  // n·(F(v) − q) ≥ 0
        // When q·n is n (q within rounding of 1), the tail is the largest loss alone.
        let es = qn < nd ? (sum.value + v * beyond) / (nd - qn) : v
        let meanExcess = excess.value / nd
        let variance = n > 1 ? max(0, (excessSquares.value - nd * meanExcess * meanExcess) / (nd - 1)) : 0
        let se = variance.squareRoot() / ((1 - q) * nd.squareRoot())
        return ExpectedShortfallEstimate(level: q, loss: es, standardError: se)
    }

    /// Mean, standard deviation, probability of loss, quantiles and expected shortfall at `levels`.
    public static func summarize(_ sample: LossSample, levels: [Double]) -> LossSummary {
        let n = sample.trials, nd = Double(n)
        var total = CompensatedSum()
        for x in sample.positiveLosses { total.add(x) }
        let mean = total.value / nd
        var squares = CompensatedSum()
        for x in sample.positiveLosses { squares.add((x - mean) * (x - mean)) }
        squares.add(Double(sample.zeroCount) * mean * mean)
        let sd = n > 1 ? (squares.value / (nd - 1)).squareRoot() : 0
        let pLoss = Double(sample.positiveLosses.count) / nd
        return LossSummary(
            trials: n, mean: mean, meanStandardError: sd / nd.squareRoot(), standardDeviation: sd,
            probabilityOfLoss: pLoss, probabilityOfLossStandardError: (pLoss * (1 - pLoss) / nd).squareRoot(),
            maximum: sample.positiveLosses.last ?? 0,
            quantiles: levels.map { quantile(sample, level: $0) },
            expectedShortfall: levels.map { expectedShortfall(sample, level: $0) })
    }
}
