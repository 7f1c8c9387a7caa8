/// Which operators and services drive the tail: each one's share of the expected shortfall.
///
/// With v = VaR_q of the total L and n trials, ES_q = (Σ_{L>v} L + v·(#{L ≤ v} − q·n)) / (n − q·n)
/// (Acerbi–Tasche, `RiskStatistics.expectedShortfall`). Writing L = Σ_i ℓ_i, entity i's contribution is
/// C_i = (Σ_{L>v} ℓ_i + (Σ_{L=v} ℓ_i / #{L = v})·(#{L ≤ v} − q·n)) / (n − q·n),
/// the Euler allocation of ES: the contributions of the operators sum to ES_q, and so do the services'.
/// The trials beyond and at VaR come from a second, identical replay of the same random streams.
public struct RiskContributions: Sendable {
    public let levels: [Double]
    /// [level][operator], ETH.
    public let operators: [[Double]]
    /// [level][service], ETH.
    public let services: [[Double]]
}

extension SimulationEngine {
    /// Replays the run of `sample` (same seed and trials; the whole sample or its bounded summary) and splits its expected shortfall at each level.
    /// An importance-sampled run passes its shift: the replay weighs every trial as the run did.
    public func contributions(sample: any LossDistribution, levels: [Double], seed: UInt64, threads: Int,
                              importance: ImportanceShift? = nil) -> RiskContributions {
        let levels = levels.sorted()
        let n = sample.trials
        let points = levels.map { sample.tailPoint(level: $0) }
        let thresholds = points.map(\.value)
        let pass = LossPass(model: model, collectSamples: false, tailThresholds: thresholds, weighted: importance != nil)
        let kernel = BatchKernel(model: model, stream: NormalStream(seed: seed), lossPass: pass, importance: importance)
        let (_, batches, sums) = execute(kernel, trials: n, threads: threads, control: nil, progress: nil)
        let totals = sums!.totals(batches: batches)
        let layout = pass.layout, entities = layout.entities
        var byOperator: [[Double]] = [], byService: [[Double]] = []
        for (j, q) in levels.enumerated() {
            let nd = Double(n), qn = RiskStatistics.scaledLevel(q, trials: n)
            let point = points[j]
            // n·(F(v) − q): the share of the trials at VaR that belongs to the tail.
            let beyond = max(0, (nd - point.massAbove) - qn)
            let denominator = qn < nd ? nd - qn : 1
            var row = [Double](repeating: 0, count: entities)
            for e in 0..<entities {
                let tail = totals[layout.tail(level: j, atVaR: false) + e], tie = totals[layout.tail(level: j, atVaR: true) + e]
                if qn < nd {
                    row[e] = (tail + (point.massAt > 0 ? tie / point.massAt * beyond : 0)) / denominator
                } else {
                    row[e] = point.massAt > 0 ? tie / point.massAt : 0
                }
            }
            byOperator.append(Array(row[0..<model.operatorCount]))
            byService.append(Array(row[model.operatorCount...]))
        }
        return RiskContributions(levels: levels, operators: byOperator, services: byService)
    }
}
