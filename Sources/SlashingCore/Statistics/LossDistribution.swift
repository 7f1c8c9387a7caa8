/// What the report and the contributions pass need from a simulated loss distribution, whether it is kept
/// whole in memory (`LossSample`), summarised in bounded memory (`BoundedLossDistribution`) or weighted by
/// importance sampling (`WeightedLossSample`).
public protocol LossDistribution: Sendable {
    /// Number of trials n.
    var trials: Int { get }
    /// Mean, standard deviation, P(loss), VaR with its interval and ES at `levels`.
    func summarize(levels: [Double]) -> LossSummary
    /// VaR_q, and the mass of the trials with loss above it and equal to it (trials counted with their
    /// likelihood-ratio weights; plain samples weigh 1 each).
    func tailPoint(level q: Double) -> TailPoint
}

/// VaR at one level and the (weighted) number of trials beyond and at it, for the Euler split of ES.
public struct TailPoint: Sendable, Equatable {
    public let value: Double
    /// Σ w over the trials with L > value.
    public let massAbove: Double
    /// Σ w over the trials with L = value.
    public let massAt: Double
}

extension LossSample: LossDistribution {
    public func summarize(levels: [Double]) -> LossSummary { RiskStatistics.summarize(self, levels: levels) }

    public func tailPoint(level q: Double) -> TailPoint {
        let v = orderStatistic(RiskStatistics.rank(level: q, trials: trials))
        let atMost = countAtMost(v)
        return TailPoint(value: v, massAbove: Double(trials - atMost), massAt: Double(atMost - countAtMost(v.nextDown)))
    }
}
