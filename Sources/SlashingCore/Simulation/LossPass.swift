/// The general per-trial loss pass: from a trial's faulting operators and incident services to each
/// operator's loss, the total, every token's and portfolio's loss, and (in the contributions pass) each
/// operator's and service's share of the tail.
///
/// Used when the model has incidents, tokens or portfolios, and always by the contributions pass; plain
/// models take the kernels' own sums, which this pass reproduces exactly (same terms, same order).
/// What a token's or portfolio's loss is attributed to (the order of its sums).
public enum LossCause: Int, CaseIterable, Sendable {
    case operatorFaults = 0, serviceIncidents = 1, exploits = 2

    /// The key in reports.
    public var key: String {
        switch self {
        case .operatorFaults: return "operator_faults"
        case .serviceIncidents: return "service_incidents"
        case .exploits: return "exploits"
        }
    }
}

/// A class (immutable) for the reason `BatchKernel` is one: an unoptimised build copies a struct's model per trial.
final class LossPass: Sendable {
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
    /// Where each sum sits in a batch's partial sums.
    let layout: Layout
    /// The model's parts the per-trial code reads, held apart so that reading them copies nothing.
    let services: ServiceLayer
    let tokens: TokenLayer
    let faultModes: FaultModes
    /// `model.variesSlashes`.
    let variesSlashes: Bool

    init(model: CompiledModel, collectSamples: Bool, tailThresholds: [Double] = [], weighted: Bool = false) {
        self.model = model
        self.collectSamples = collectSamples
        self.tailThresholds = tailThresholds
        self.weighted = weighted
        layout = Layout(model: model, tailLevels: tailThresholds.count, weighted: weighted)
        faultFraction = zip(model.lossIfFault, model.stakes).map { loss, stake in stake > 0 ? loss / stake : 0 }
        services = model.services
        tokens = model.tokens
        faultModes = model.faultModes
        variesSlashes = model.variesSlashes
    }

    var operatorCount: Int { model.operatorCount }
    var serviceCount: Int { services.count }
    /// Entries of one batch's partial sums (`layout.width`).
    var partialWidth: Int { layout.width }

    /// The layout of a batch's partial sums, one flat array per batch so that batches add in batch order.
    ///
    /// Pass 1: per operator its loss, per service its share of the losses, per operator its squared loss (each
    /// weighted by w, squares by w²), per token and then per portfolio its loss by cause (operator faults, service
    /// incidents, exploits), then, when weighted, Σw and Σw² of the counted events (slashes per operator,
    /// incidents per service, liquidations per portfolio). Contributions pass: per tail level j, every entity's
    /// (operators, then services) loss in trials beyond VaR, then in trials at VaR.
    struct Layout: Sendable {
        let operators: Int, services: Int, tokens: Int, portfolios: Int, exploits: Int, modes: Int
        /// Services whose slashes are counted as proposed and vetoed (all of them when some service has a veto, else none).
        let vetoServices: Int
        /// Levels of the contributions pass; 0 for pass 1.
        let tailLevels: Int
        let weighted: Bool

        /// The layout of `model`'s sums: pass 1 (`tailLevels` 0, plain or weighted) or the contributions pass.
        init(model: CompiledModel, tailLevels: Int = 0, weighted: Bool = false) {
            operators = model.operatorCount
            services = model.services.count
            tokens = model.tokens.tokens.count
            exploits = model.tokens.exploits.count
            modes = model.faultModes.count
            vetoServices = model.services.hasVetoes ? model.services.count : 0
            portfolios = model.tokens.portfolios.count
            self.tailLevels = tailLevels
            self.weighted = weighted
        }

        var entities: Int { operators + services }
        var events: Int { operators + services + portfolios }
        var width: Int {
            guard tailLevels == 0 else { return 2 * tailLevels * entities }
            return 2 * operators + services + causeWidth + 2 * exploits + 2 * modes + 4 * vetoServices + (weighted ? 2 * events : 0)
        }
        /// The causes a token's or portfolio's loss is split into (`LossCause`).
        var causeWidth: Int { LossCause.allCases.count * (tokens + portfolios) }
        func tokenCause(_ t: Int, _ c: LossCause) -> Int { 2 * operators + services + LossCause.allCases.count * t + c.rawValue }
        func portfolioCause(_ p: Int, _ c: LossCause) -> Int { tokenCause(tokens + p, c) }
        /// Σw and Σw² of the trials in which exploit e happened (w = 1 without importance sampling).
        func exploitWeight(_ e: Int) -> Int { 2 * operators + services + causeWidth + e }
        func exploitSquaredWeight(_ e: Int) -> Int { 2 * operators + services + causeWidth + exploits + e }
        /// Σw and Σw² of the trials in which fault mode k happened.
        func modeWeight(_ k: Int) -> Int { 2 * operators + services + causeWidth + 2 * exploits + k }
        func modeSquaredWeight(_ k: Int) -> Int { 2 * operators + services + causeWidth + 2 * exploits + modes + k }
        /// Σw of the trials' fault slashes service s proposed and vetoed, and of its incidents proposed and vetoed.
        func proposedFaultSlashes(_ s: Int) -> Int { 2 * operators + services + causeWidth + 2 * exploits + 2 * modes + 4 * s }
        func vetoedFaultSlashes(_ s: Int) -> Int { proposedFaultSlashes(s) + 1 }
        func proposedIncidents(_ s: Int) -> Int { proposedFaultSlashes(s) + 2 }
        func vetoedIncidents(_ s: Int) -> Int { proposedFaultSlashes(s) + 3 }
        func operatorLoss(_ i: Int) -> Int { i }
        func serviceLoss(_ s: Int) -> Int { operators + s }
        func operatorSquaredLoss(_ i: Int) -> Int { operators + services + i }
        /// Event e: 0..<N slashes, then incidents, then liquidations.
        func eventWeight(_ e: Int) -> Int { 2 * operators + services + causeWidth + 2 * exploits + 2 * modes + 4 * vetoServices + e }
        func eventSquaredWeight(_ e: Int) -> Int { 2 * operators + services + causeWidth + 2 * exploits + 2 * modes + 4 * vetoServices + events + e }
        func slashEvent(_ i: Int) -> Int { i }
        func incidentEvent(_ s: Int) -> Int { operators + s }
        func liquidationEvent(_ p: Int) -> Int { operators + services + p }
        /// Start of level j's entity sums beyond VaR (`atVaR` false) or at VaR.
        func tail(level j: Int, atVaR: Bool) -> Int { (2 * j + (atVaR ? 1 : 0)) * entities }
    }

    /// Pass 1's sums over a whole run, read through the layout.
    struct Totals {
        let operatorLosses: [Double]
        let serviceLosses: [Double]
        let operatorSquaredLosses: [Double]
        /// Per token and per portfolio, its losses by cause (indexed by `LossCause.rawValue`).
        let tokenLossesByCause: [[Double]]
        let portfolioLossesByCause: [[Double]]
        /// Per exploit, Σw and Σw² of the trials it happened in.
        let exploitWeights: [(sum: Double, squares: Double)]
        /// Per fault mode, Σw and Σw² of the trials it happened in.
        let modeWeights: [(sum: Double, squares: Double)]
        /// Per service (empty without vetoes): Σw of fault slashes proposed and vetoed, and of incidents proposed and vetoed.
        let vetoSums: [[Double]]

        init(_ totals: [Double], model: CompiledModel) {
            let layout = Layout(model: model)
            operatorLosses = (0..<layout.operators).map { totals[layout.operatorLoss($0)] }
            serviceLosses = (0..<layout.services).map { totals[layout.serviceLoss($0)] }
            operatorSquaredLosses = (0..<layout.operators).map { totals[layout.operatorSquaredLoss($0)] }
            tokenLossesByCause = (0..<layout.tokens).map { t in LossCause.allCases.map { totals[layout.tokenCause(t, $0)] } }
            portfolioLossesByCause = (0..<layout.portfolios).map { p in LossCause.allCases.map { totals[layout.portfolioCause(p, $0)] } }
            exploitWeights = (0..<layout.exploits).map { (totals[layout.exploitWeight($0)], totals[layout.exploitSquaredWeight($0)]) }
            modeWeights = (0..<layout.modes).map { (totals[layout.modeWeight($0)], totals[layout.modeSquaredWeight($0)]) }
            vetoSums = (0..<layout.vetoServices).map { s in (0..<4).map { totals[layout.proposedFaultSlashes(s) + $0] } }
        }
    }

    /// A worker's scratch space and results. One thread uses a state at a time, so its stored properties
    /// opt out of the run-time exclusivity checks (a check per array access in the per-trial loop).
    final class State: @unchecked Sendable {
        @exclusivity(unchecked) var loss: [Double], fraction: [Double]
        @exclusivity(unchecked) var faultStamp: [Int], seenStamp: [Int]
        @exclusivity(unchecked) var stamp = 0
        @exclusivity(unchecked) var affected: [Int] = []
        @exclusivity(unchecked) var tokenLoss: [Double], navLoss: [Double], discount: [Double]
        /// Per operator, the share of its loss its own fault caused (the rest: incidents); per token, the part
        /// of its slashing loss from faults, and its loss to exploits.
        @exclusivity(unchecked) var faultShare: [Double]
        /// The current trial's fault modes per operator (bit k: the operator's k-th mode), for faulting operators with modes.
        @exclusivity(unchecked) var modes: UnsafePointer<UInt32>? = nil
        /// The current trial's vetoes (services with a veto probability).
        @exclusivity(unchecked) var vetoes: Vetoes? = nil
        @exclusivity(unchecked) var tokenFaultLoss: [Double], tokenExploitLoss: [Double]
        @exclusivity(unchecked) var serviceShare: [Double]
        @exclusivity(unchecked) var partial: [Double]
        /// The contributions pass's terms of one trial: sum index (relative to a level's block) and value.
        @exclusivity(unchecked) var termSlots: [Int]
        @exclusivity(unchecked) var termValues: [Double]
        @exclusivity(unchecked) var lossyTrials: [Double] = []
        @exclusivity(unchecked) var tokenLossy: [[Double]]
        @exclusivity(unchecked) var portfolioLossy: [[Double]]
        /// The same with each trial's weight (importance sampling).
        @exclusivity(unchecked) var weightedLossy: [WeightedLoss] = []
        @exclusivity(unchecked) var tokenWeighted: [[WeightedLoss]]
        @exclusivity(unchecked) var portfolioWeighted: [[WeightedLoss]]
        /// The current trial's weight.
        @exclusivity(unchecked) var weight = 1.0
        @exclusivity(unchecked) var liquidations: [Int]
        @exclusivity(unchecked) var slashCounts: [Int]
        @exclusivity(unchecked) var incidentCounts: [Int]

        init(pass: LossPass) {
            let n = pass.operatorCount, s = pass.serviceCount
            let t = pass.tokens.tokens.count, p = pass.tokens.portfolios.count
            loss = [Double](repeating: 0, count: n)
            fraction = [Double](repeating: 0, count: n)
            faultStamp = [Int](repeating: 0, count: n)
            seenStamp = [Int](repeating: 0, count: n)
            tokenLoss = [Double](repeating: 0, count: t)
            navLoss = [Double](repeating: 0, count: t)
            discount = [Double](repeating: 0, count: t)
            faultShare = [Double](repeating: 1, count: n)
            tokenFaultLoss = [Double](repeating: 0, count: t)
            tokenExploitLoss = [Double](repeating: 0, count: t)
            serviceShare = [Double](repeating: 0, count: s)
            partial = [Double](repeating: 0, count: pass.partialWidth)
            // At most one term per operator and one per allocation.
            termSlots = [Int](repeating: 0, count: n + pass.services.allocationService.count)
            termValues = [Double](repeating: 0, count: n + pass.services.allocationService.count)
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

    /// One trial: `faults` ascending, `incident[s]` for every service, `incidents` the services with one,
    /// `exploits` the exploit events that happened (tokens only: they never reach the operators' total);
    /// `weight` its likelihood ratio (1 without importance sampling).
    /// Returns the trial's total loss.
    @discardableResult
    func process(faults: UnsafeBufferPointer<Int32>, incident: UnsafePointer<Bool>, incidents: ArraySlice<Int>,
                 exploits: ArraySlice<Int> = [][...], modes: UnsafePointer<UInt32>? = nil, vetoes: Vetoes? = nil,
                 weight: Double = 1, state: State) -> Double {
        state.weight = weight
        state.modes = modes
        state.vetoes = vetoes
        state.affected.removeAll(keepingCapacity: true)
        let fixedSlashes = !variesSlashes
        if incidents.isEmpty && fixedSlashes {
            for f in faults {
                let i = Int(f)
                state.loss[i] = model.lossIfFault[i]
                state.fraction[i] = faultFraction[i]
                state.faultShare[i] = 1
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
                    if weighted { addEvent(layout.incidentEvent(s), state) }
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
                let faulted = state.faultStamp[i] == stamp
                let f: Double
                if fixedSlashes {
                    f = services.slashedFraction(operator: i, faulted: faulted, incident: incident)
                } else {
                    var total = 0.0
                    for a in services.allocationStart[i]..<services.allocationStart[i + 1] { total += share(i, allocation: a, faulted: faulted, incident: incident, state) }
                    f = min(1, total)
                }
                state.fraction[i] = f
                if collectSamples, !tokens.isEmpty { state.faultShare[i] = faultShare(i, faulted: faulted, incident: incident, state) }
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
                state.partial[layout.operatorLoss(i)] += loss
                state.partial[layout.operatorSquaredLoss(i)] += loss * loss
                if weighted { addEvent(layout.slashEvent(i), state) }
                attribute(i, weight: weight, into: layout.serviceLoss(0), incident: incident, faulted: state.faultStamp[i] == state.stamp || (incidents.isEmpty && fixedSlashes), state: state)
            }
            if let vetoes { countVetoes(vetoes, faults: faults, incidents: incidents, state) }
            if let modes, !faultModes.isEmpty {
                for f in faults where faultModes.hasModes(Int(f)) {
                    var bits = modes[Int(f)]
                    while bits != 0 {
                        let k = faultModes.start[Int(f)] + bits.trailingZeroBitCount
                        state.partial[layout.modeWeight(k)] += weight
                        state.partial[layout.modeSquaredWeight(k)] += weight * weight
                        bits &= bits - 1
                    }
                }
            }
            if !tokens.isEmpty { tokensAndPortfolios(exploits: exploits, state) }
        } else if total > 0 {
            accumulateTail(total: total, incident: incident, incidentsEmpty: incidents.isEmpty && fixedSlashes, state: state)
        }
        return total
    }

    /// Adds the trial's weight and its square to weighted event `e` (see `Layout`).
    private func addEvent(_ e: Int, _ state: State) {
        state.partial[layout.eventWeight(e)] += state.weight
        state.partial[layout.eventSquaredWeight(e)] += state.weight * state.weight
    }

    /// Adds operator i's loss, split over its services in proportion to what each slashed, to `partial[offset + s]`.
    private func attribute(_ i: Int, weight: Double, into offset: Int, incident: UnsafePointer<Bool>, faulted: Bool, state: State) {
        let range = services.allocationStart[i]..<services.allocationStart[i + 1]
        var sum = 0.0
        for a in range { sum += share(i, allocation: a, faulted: faulted, incident: incident, state) }
        guard sum > 0 else { return }
        let loss = state.loss[i] * weight
        for a in range {
            let share = share(i, allocation: a, faulted: faulted, incident: incident, state)
            if share > 0 { state.partial[offset + services.allocationService[a]] += loss * share / sum }
        }
    }

    /// Which proposed slashes of the current trial were vetoed: per allocation (its operator's fault slash) and
    /// per service (its incident's slashes, one decision for all).
    struct Vetoes {
        let allocations: UnsafePointer<Bool>
        let incidents: UnsafePointer<Bool>
    }

    /// The two parts of allocation a's slash in this trial: its operator's fault (w_s, or the fractions of the
    /// fault modes that happened), and its service's incident — each 0 when vetoed.
    @inline(__always)
    private func parts(_ i: Int, allocation a: Int, faulted: Bool, incident: UnsafePointer<Bool>, _ state: State) -> (fault: Double, incident: Double) {
        var fault = 0.0
        if faulted, !(state.vetoes?.allocations[a] ?? false) {
            fault = faultModes.hasModes(i) ? faultModes.fraction(operator: i, allocation: a - services.allocationStart[i], mask: state.modes?[i] ?? 0)
                : services.allocationFaultFraction[a]
        }
        let s = services.allocationService[a]
        let fromIncident = incident[s] && !(state.vetoes?.incidents[s] ?? false) ? services.allocationIncidentFraction[a] : 0
        return (fault, fromIncident)
    }

    /// The share of operator i's stake allocation `a` loses: m · min(1, fault part + incident part).
    @inline(__always)
    private func share(_ i: Int, allocation a: Int, faulted: Bool, incident: UnsafePointer<Bool>, _ state: State) -> Double {
        guard variesSlashes else { return services.slashedShare(allocation: a, faulted: faulted, incident: incident) }
        let (fault, fromIncident) = parts(i, allocation: a, faulted: faulted, incident: incident, state)
        return services.allocationMagnitude[a] * min(1, fault + fromIncident)
    }

    /// The share of operator i's loss its fault caused: each allocation's slash split between the fault and the
    /// incident in proportion to their parts, added over the allocations in proportion to their slashes.
    private func faultShare(_ i: Int, faulted: Bool, incident: UnsafePointer<Bool>, _ state: State) -> Double {
        guard faulted else { return 0 }
        var total = 0.0, fromFault = 0.0
        for a in services.allocationStart[i]..<services.allocationStart[i + 1] {
            let (fault, other) = parts(i, allocation: a, faulted: faulted, incident: incident, state)
            let slashed = services.allocationMagnitude[a] * min(1, fault + other)
            total += slashed
            if fault + other > 0 { fromFault += slashed * fault / (fault + other) }
        }
        return total > 0 ? fromFault / total : 1
    }

    /// Proposed and vetoed slashes per service: each faulting operator's allocation its fault slashes (before the
    /// veto), and each incident.
    private func countVetoes(_ vetoes: Vetoes, faults: UnsafeBufferPointer<Int32>, incidents: ArraySlice<Int>, _ state: State) {
        let w = state.weight
        for f in faults {
            let i = Int(f)
            for a in services.allocationStart[i]..<services.allocationStart[i + 1] where services.allocationMagnitude[a] > 0 {
                let proposed = faultModes.hasModes(i) ? faultModes.fraction(operator: i, allocation: a - services.allocationStart[i], mask: state.modes?[i] ?? 0)
                    : services.allocationFaultFraction[a]
                guard proposed > 0 else { continue }
                let s = services.allocationService[a]
                state.partial[layout.proposedFaultSlashes(s)] += w
                if vetoes.allocations[a] { state.partial[layout.vetoedFaultSlashes(s)] += w }
            }
        }
        for s in incidents {
            state.partial[layout.proposedIncidents(s)] += w
            if vetoes.incidents[s] { state.partial[layout.vetoedIncidents(s)] += w }
        }
    }

    /// Each token's slashing loss S_t, then the exploits: x_t = 1 − (1 − S_t/B_t)·Π(1 − φ_e) over the exploits of
    /// t that happened (x_t = S_t/B_t exactly when none did). Losses by cause: the faults' and incidents' parts of
    /// S_t (each operator's loss split as `ServiceLayer.faultShare`), and L_t − S_t for the exploits; a portfolio's
    /// loss is split pro rata to its holdings' NAV losses by cause.
    private func tokensAndPortfolios(exploits: ArraySlice<Int>, _ state: State) {
        let layer = tokens
        for t in state.tokenLoss.indices {
            state.tokenLoss[t] = 0
            state.tokenFaultLoss[t] = 0
            state.tokenExploitLoss[t] = 0
        }
        for i in state.affected {
            let f = state.fraction[i]
            guard f > 0 else { continue }
            let share = state.faultShare[i]
            for d in layer.delegationStart[i]..<layer.delegationStart[i + 1] {
                let amount = layer.delegationAmount[d] * f
                state.tokenLoss[layer.delegationToken[d]] += amount
                state.tokenFaultLoss[layer.delegationToken[d]] += amount * share
            }
        }
        if !exploits.isEmpty {
            for e in exploits {
                state.partial[layout.exploitWeight(e)] += state.weight
                state.partial[layout.exploitSquaredWeight(e)] += state.weight * state.weight
            }
            // Survival factors Π(1 − φ_e) per token, built in tokenExploitLoss and then replaced by the loss.
            for t in state.tokenExploitLoss.indices { state.tokenExploitLoss[t] = 1 }
            for e in exploits {
                let exploit = layer.exploits[e]
                for t in exploit.tokens { state.tokenExploitLoss[t] *= 1 - exploit.navLossFraction }
            }
            for (t, token) in layer.tokens.enumerated() {
                let survival = state.tokenExploitLoss[t]
                guard survival < 1 else { state.tokenExploitLoss[t] = 0; continue }
                let slashed = state.tokenLoss[t]
                let loss = min(token.backing, token.backing - (token.backing - slashed) * survival)
                state.tokenExploitLoss[t] = max(0, loss - slashed)
                state.tokenLoss[t] = max(slashed, loss)
            }
        }
        let w = state.weight
        for (t, token) in layer.tokens.enumerated() {
            let loss = state.tokenLoss[t]
            if loss > 0 {
                if weighted { state.tokenWeighted[t].append(WeightedLoss(loss: loss, weight: w)) } else { state.tokenLossy[t].append(loss) }
                let exploit = state.tokenExploitLoss[t], fault = state.tokenFaultLoss[t]
                state.partial[layout.tokenCause(t, .operatorFaults)] += w * fault
                state.partial[layout.tokenCause(t, .serviceIncidents)] += w * max(0, loss - exploit - fault)
                state.partial[layout.tokenCause(t, .exploits)] += w * exploit
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
                        var fault = 0.0, incident = 0.0, exploit = 0.0
                        for (t, h) in portfolio.holdings where state.tokenLoss[t] > 0 {
                            let perETH = h / layer.tokens[t].backing
                            let e = state.tokenExploitLoss[t], f = state.tokenFaultLoss[t]
                            fault += perETH * f
                            exploit += perETH * e
                            incident += perETH * max(0, state.tokenLoss[t] - e - f)
                        }
                        let parts = fault + incident + exploit
                        if parts > 0 {
                            let scale = w * outcome.loss / parts
                            state.partial[layout.portfolioCause(p, .operatorFaults)] += scale * fault
                            state.partial[layout.portfolioCause(p, .serviceIncidents)] += scale * incident
                            state.partial[layout.portfolioCause(p, .exploits)] += scale * exploit
                        }
                        if weighted {
                            state.portfolioWeighted[p].append(WeightedLoss(loss: outcome.loss, weight: state.weight))
                        } else {
                            state.portfolioLossy[p].append(outcome.loss)
                        }
                    }
                    if outcome.liquidated {
                        state.liquidations[p] += 1
                        if weighted { addEvent(layout.liquidationEvent(p), state) }
                    }
                }
            }
        }
    }

    /// Contributions pass: for each level with VaR v ≤ total, adds every operator's and service's loss to the
    /// "beyond VaR" (total > v) or "at VaR" (total = v) sums of that level.
    ///
    /// The trial's terms (each operator's loss, then its services' shares, in the order the sums take them) are
    /// worked out once and added at every level the trial reaches: the same values in the same order per sum
    /// as working them out level by level.
    private func accumulateTail(total: Double, incident: UnsafePointer<Bool>, incidentsEmpty: Bool, state: State) {
        guard let first = tailThresholds.firstIndex(where: { total >= $0 }) else { return }
        // Local views of the state's arrays: no exclusivity check per element.
        let affected = state.affected, losses = state.loss, faultStamp = state.faultStamp, stamp = state.stamp, weight = state.weight
        var count = 0
        state.termSlots.withUnsafeMutableBufferPointer { slots in
        state.termValues.withUnsafeMutableBufferPointer { values in
            for i in affected where losses[i] > 0 {
                let loss = weight * losses[i]
                slots[count] = i
                values[count] = loss
                count += 1
                let faulted = incidentsEmpty || faultStamp[i] == stamp
                let range = services.allocationStart[i]..<services.allocationStart[i + 1]
                var sum = 0.0
                for a in range { sum += share(i, allocation: a, faulted: faulted, incident: incident, state) }
                guard sum > 0 else { continue }
                for a in range {
                    let share = share(i, allocation: a, faulted: faulted, incident: incident, state)
                    if share > 0 {
                        slots[count] = layout.operators + services.allocationService[a]
                        values[count] = loss * share / sum
                        count += 1
                    }
                }
            }
            state.partial.withUnsafeMutableBufferPointer { partial in
                for j in first..<tailThresholds.count {
                    let v = tailThresholds[j]
                    guard total >= v else { continue }
                    let offset = layout.tail(level: j, atVaR: total == v)
                    for k in 0..<count { partial[offset + slots[k]] += values[k] }
                }
            }
        }}
    }
}
