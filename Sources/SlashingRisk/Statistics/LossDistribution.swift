/// What the report and the contributions pass need from a simulated loss distribution, whether it is kept
/// whole in memory (`LossSample`) or summarised in bounded memory (`BoundedLossDistribution`).
public protocol LossDistribution: Sendable {
    /// Number of trials n.
    var trials: Int { get }
    /// Mean, standard deviation, P(loss), VaR with its interval and ES at `levels`.
    func summarize(levels: [Double]) -> LossSummary
    /// VaR_q = x_(⌈qn⌉), the number of trials with loss ≤ VaR_q, and the number with loss = VaR_q.
    func tailPoint(level q: Double) -> (value: Double, atMost: Int, ties: Int)
}

extension LossSample: LossDistribution {
    public func summarize(levels: [Double]) -> LossSummary { RiskStatistics.summarize(self, levels: levels) }

    public func tailPoint(level q: Double) -> (value: Double, atMost: Int, ties: Int) {
        let v = orderStatistic(RiskStatistics.rank(level: q, trials: trials))
        let atMost = countAtMost(v)
        return (v, atMost, atMost - countAtMost(v.nextDown))
    }
}
