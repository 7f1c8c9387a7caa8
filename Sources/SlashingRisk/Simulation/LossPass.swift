/// The general per-trial loss pass: from a trial's faulting operators and incident services to each
/// operator's loss, the total, every token's and portfolio's loss, and (in the contributions pass) each
/// operator's and service's share of the tail.
///
/// Used when the model has incidents, tokens or portfolios, and always by the contributions pass; plain
/// models take the kernels' own sums, which this pass reproduces exactly (same terms, same order).
struct LossPass: Sendable {
    let model: CompiledModel
    /// min(1, Σ_s m_is·w_s): the share of stake a fault costs when no service has an incident.
    let faultFraction: [Double]
    /// Collect the samples of pass 1 (total, tokens, portfolios) and the expected-loss sums.
    let collectSamples: Bool
    /// VaR per level (ascending) for the contributions pass; empty in pass 1.
    let tailThresholds: [Double]
    /// Importance sampling: samples keep each trial's weight, sums are weighted, and pass 1 also sums the
    /// weights (and their squares) of the events it counts.
    let weighted: Bool

    init(model: CompiledModel, collectSamples: Bool, tailThresholds: [Double] = [], weighted: Bool = false) {
        self.model = model
        self.collectSamples = collectSamples
        self.tailThresholds = tailThresholds
        self.weighted = weighted
        faultFraction = zip(model.lossIfFault, model.stakes).map { loss, stake in stake > 0 ? loss / stake : 0 }
    }

    var operatorCount: Int { model.operatorCount }
    var serviceCount: Int { model.services.count }
    /// Entries of one batch's partial sums: per operator and per service the loss, then per operator the
    /// squared loss (pass 1, weighted by w, squares by w²), then when weighted the sums of weights of counted events;
    /// or, per level, the loss in trials beyond VaR and in trials at VaR (contributions pass).
    var partialWidth: Int {
        let entities = operatorCount + serviceCount
        guard tailThresholds.isEmpty else { return 2 * tailThresholds.count * entities }
        return eventsOffset + (weighted ? 2 * (operatorCount + serviceCount + model.tokens.portfolios.count) : 0)
    }

    /// Where the weighted event sums start: Σw and Σw² of slashes per operator, of incidents per service, of
    /// liquidations per portfolio.
    var eventsOffset: Int { 2 * operatorCount + serviceCount }

    /// A worker's scratch space and results.
    final class State: @unchecked Sendable {
        var loss: [Double], fraction: [Double]
        var faultStamp: [Int], seenStamp: [Int]
        var stamp = 0
        var affected: [Int] = []
        var tokenLoss: [Double], navLoss: [Double], discount: [Double]
        var serviceShare: [Double]
        var partial: [Double]
        var lossyTrials: [Double] = []
        var tokenLossy: [[Double]]
        var portfolioLossy: [[Double]]
        /// The same with each trial's weight (importance sampling).
        var weightedLossy: [WeightedLoss] = []
        var tokenWeighted: [[WeightedLoss]]
        var portfolioWeighted: [[WeightedLoss]]
        /// The current trial's weight.
        var weight = 1.0
        var liquidations: [Int]
        var slashCounts: [Int]
        var incidentCounts: [Int]

        init(pass: LossPass) {
            let n = pass.operatorCount, s = pass.serviceCount
            let t = pass.model.tokens.tokens.count, p = pass.model.tokens.portfolios.count
            loss = [Double](repeating: 0, count: n)
            fraction = [Double](repeating: 0, count: n)
            faultStamp = [Int](repeating: 0, count: n)
            seenStamp = [Int](repeating: 0, count: n)
            tokenLoss = [Double](repeating: 0, count: t)
            navLoss = [Double](repeating: 0, count: t)
            discount = [Double](repeating: 0, count: t)
            serviceShare = [Double](repeating: 0, count: s)
            partial = [Double](repeating: 0, count: pass.partialWidth)
            tokenLossy = [[Double]](repeating: [], count: t)
            portfolioLossy = [[Double]](repeating: [], count: p)
            tokenWeighted = [[WeightedLoss]](repeating: [], count: t)
            portfolioWeighted = [[WeightedLoss]](repeating: [], count: p)
            liquidations = [Int](repeating: 0, count: p)
            slashCounts = [Int](repeating: 0, count: n)
            incidentCounts = [Int](repeating: 0, count: s)
        }

        func resetPartial() {
            for j in partial.indices { partial[j] = 0 }
        }
    }

    /// One trial: `faults` ascending, `incident[s]` for every service, `incidents` the services with one;
    /// `weight` its likelihood ratio (1 without importance sampling).
    func process(faults: UnsafeBufferPointer<Int32>, incident: UnsafePointer<Bool>, incidents: ArraySlice<Int>, weight: Double = 1,
                 state: State) {
        let services = model.services
        state.weight = weight
        state.affected.removeAll(keepingCapacity: true)
        if incidents.isEmpty {
            for f in faults {
                let i = Int(f)
                state.loss[i] = model.lossIfFault[i]
                state.fraction[i] = faultFraction[i]
                state.affected.append(i)
            }
        } else {
            state.stamp += 1
            let stamp = state.stamp
            for f in faults {
                let i = Int(f)
                state.faultStamp[i] = stamp
                state.seenStamp[i] = stamp
                state.affected.append(i)
            }
            for s in incidents {
                if collectSamples {
                    state.incidentCounts[s] += 1
                    if weighted { addEvent(operatorCount + s, state) }
                }
                for m in services.memberStart[s]..<services.memberStart[s + 1] {
                    let i = services.members[m]
                    if state.seenStamp[i] != stamp {
                        state.seenStamp[i] = stamp
                        state.affected.append(i)
                    }
                }
            }
            state.affected.sort()
            for i in state.affected {
                let f = services.slashedFraction(operator: i, faulted: state.faultStamp[i] == stamp, incident: incident)
                state.fraction[i] = f
                state.loss[i] = model.stakes[i] * f
            }
        }
        var total = 0.0
        for i in state.affected { total += state.loss[i] }
        if collectSamples {
            if total > 0 {
                if weighted { state.weightedLossy.append(WeightedLoss(loss: total, weight: weight)) } else { state.lossyTrials.append(total) }
            }
            for i in state.affected where state.loss[i] > 0 {
                state.slashCounts[i] += 1
                let loss = weight * state.loss[i]  // exact when the weight is 1
                state.partial[i] += loss
                state.partial[model.operatorCount + model.services.count + i] += loss * loss
                if weighted { addEvent(i, state) }
                attribute(i, weight: weight, into: model.operatorCount, incident: incident, faulted: incidents.isEmpty || state.faultStamp[i] == state.stamp, state: state)
            }
            if !model.tokens.isEmpty { tokensAndPortfolios(state) }
        } else if total > 0 {
            accumulateTail(total: total, incident: incident, incidentsEmpty: incidents.isEmpty, state: state)
        }
    }

    /// Adds the trial's weight and its square to weighted event `e` (0..<N slashes, then incidents, then liquidations).
    private func addEvent(_ e: Int, _ state: State) {
        let events = operatorCount + serviceCount + model.tokens.portfolios.count
        state.partial[eventsOffset + e] += state.weight
        state.partial[eventsOffset + events + e] += state.weight * state.weight
    }

    /// Adds operator i's loss, split over its services in proportion to what each slashed, to `partial[offset + s]`.
    private func attribute(_ i: Int, weight: Double, into offset: Int, incident: UnsafePointer<Bool>, faulted: Bool, state: State) {
        let services = model.services
        let range = services.allocationStart[i]..<services.allocationStart[i + 1]
        var sum = 0.0
        for a in range { sum += services.slashedShare(allocation: a, faulted: faulted, incident: incident) }
        guard sum > 0 else { return }
        let loss = state.loss[i] * weight
        for a in range {
            let share = services.slashedShare(allocation: a, faulted: faulted, incident: incident)
            if share > 0 { state.partial[offset + services.allocationService[a]] += loss * share / sum }
        }
    }

    private func tokensAndPortfolios(_ state: State) {
        let layer = model.tokens
        for t in state.tokenLoss.indices { state.tokenLoss[t] = 0 }
        for i in state.affected {
            let f = state.fraction[i]
            guard f > 0 else { continue }
            for d in layer.delegationStart[i]..<layer.delegationStart[i + 1] {
                state.tokenLoss[layer.delegationToken[d]] += layer.delegationAmount[d] * f
            }
        }
        for (t, token) in layer.tokens.enumerated() {
            let loss = state.tokenLoss[t]
            if loss > 0 {
                if weighted { state.tokenWeighted[t].append(WeightedLoss(loss: loss, weight: state.weight)) } else { state.tokenLossy[t].append(loss) }
            }
            let x = loss / token.backing
            state.navLoss[t] = x
            state.discount[t] = token.discount(navLoss: x)
        }
        guard !layer.portfolios.isEmpty else { return }
        state.navLoss.withUnsafeBufferPointer { x in
            state.discount.withUnsafeBufferPointer { d in
                for (p, portfolio) in layer.portfolios.enumerated() {
                    let outcome = portfolio.outcome(navLoss: x.baseAddress!, discount: d.baseAddress!)
                    if outcome.loss > 0 {
                        if weighted {
                            state.portfolioWeighted[p].append(WeightedLoss(loss: outcome.loss, weight: state.weight))
                        } else {
                            state.portfolioLossy[p].append(outcome.loss)
                        }
                    }
                    if outcome.liquidated {
                        state.liquidations[p] += 1
                        if weighted { addEvent(operatorCount + serviceCount + p, state) }
                    }
                }
            }
        }
    }

    /// Contributions pass: for each level with VaR v ≤ total, adds every operator's and service's loss to the
    /// "beyond VaR" (total > v) or "at VaR" (total = v) sums of that level.
    private func accumulateTail(total: Double, incident: UnsafePointer<Bool>, incidentsEmpty: Bool, state: State) {
        let entities = model.operatorCount + model.services.count
        for (j, v) in tailThresholds.enumerated() where total >= v {
            let offset = (2 * j + (total > v ? 0 : 1)) * entities
            for i in state.affected where state.loss[i] > 0 {
                state.partial[offset + i] += state.weight * state.loss[i]
                attribute(i, weight: state.weight, into: offset + model.operatorCount, incident: incident,
                          faulted: incidentsEmpty || state.faultStamp[i] == state.stamp, state: state)
            }
        }
    }
}
