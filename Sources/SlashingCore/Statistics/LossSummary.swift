/// Statistics of a loss distribution estimated from a Monte Carlo sample, each with its Monte Carlo error.
public struct LossSummary: Sendable, Equatable {
    public let trials: Int
    /// Sample mean E[L] and its standard error s/√n.
    public let mean: Double
    public let meanStandardError: Double
    /// Sample standard deviation s (denominator n − 1).
    public let standardDeviation: Double
    /// P(L > 0) and its standard error √(p(1−p)/n).
    public let probabilityOfLoss: Double
    public let probabilityOfLossStandardError: Double
    /// Largest loss in the sample.
    public let maximum: Double
    public let quantiles: [QuantileEstimate]
    public let expectedShortfall: [ExpectedShortfallEstimate]
}

/// VaR at one level: the lower quantile, with a distribution-free 95 % interval.
public struct QuantileEstimate: Sendable, Equatable {
    public let level: Double
    /// The ⌈q·n⌉-th smallest loss.
    public let loss: Double
    /// The 1-based rank k = ⌈q·n⌉ of that order statistic.
    public let rank: Int
    /// Order statistics x_(l) ≤ VaR_q ≤ x_(u) covering the true quantile with probability ≥ 95 %.
    /// `upper` is nil when the sample is too small to bound the quantile from above (u > n).
    public let lower95: Double
    public let upper95: Double?
}

/// Expected shortfall (Acerbi–Tasche) at one level, with its asymptotic standard error.
public struct ExpectedShortfallEstimate: Sendable, Equatable {
    public let level: Double
    public let loss: Double
    public let standardError: Double
}
