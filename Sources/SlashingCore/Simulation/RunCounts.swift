/// The event counts of a run, added over its workers (or over the shards of a sharded run).
struct RunCounts {
    /// Trials in which each operator faulted.
    var faults: [Int]
    /// Trials in which each operator lost stake (to its own fault or an incident).
    var slashes: [Int]
    /// Trials in which each service had an incident.
    var incidents: [Int]
    /// Trials in which each portfolio was liquidated.
    var liquidations: [Int]
    /// Single precision: latents recomputed in double, and those whose float value was on the wrong side.
    var recomputedLatents = 0
    var correctedDecisions = 0

    /// All zero.
    init(model: CompiledModel) {
        faults = [Int](repeating: 0, count: model.operatorCount)
        slashes = faults
        incidents = [Int](repeating: 0, count: model.services.count)
        liquidations = [Int](repeating: 0, count: model.tokens.portfolios.count)
    }

    init(faults: [Int], slashes: [Int], incidents: [Int], liquidations: [Int]) {
        self.faults = faults
        self.slashes = slashes
        self.incidents = incidents
        self.liquidations = liquidations
    }

    /// Adds another part's counts, with its single-precision checks.
    mutating func add(_ other: RunCounts) {
        add(faults: other.faults, slashes: other.slashes, incidents: other.incidents, liquidations: other.liquidations)
        recomputedLatents += other.recomputedLatents
        correctedDecisions += other.correctedDecisions
    }

    /// The counts of a run's workers. Without the loss pass (no incidents) an operator loses `lossIfFault`
    /// exactly when it faults, so its slashes are its faults (none when it has nothing at stake).
    init(workers: [BatchKernel.Worker], model: CompiledModel) {
        self.init(model: model)
        for worker in workers {
            for j in faults.indices { faults[j] += Int(worker.faultCounts[j]) }
            recomputedLatents += Int(worker.recomputedLatents)
            correctedDecisions += Int(worker.correctedDecisions)
        }
        guard workers.first?.loss != nil else {
            slashes = zip(faults, model.lossIfFault).map { $1 > 0 ? $0 : 0 }
            return
        }
        for state in workers.map({ $0.loss! }) {
            for j in slashes.indices { slashes[j] += state.slashCounts[j] }
            for j in incidents.indices { incidents[j] += state.incidentCounts[j] }
            for p in liquidations.indices { liquidations[p] += state.liquidations[p] }
        }
    }

    /// Adds another part's counts (a shard's).
    mutating func add(faults f: [Int], slashes s: [Int], incidents i: [Int], liquidations l: [Int]) {
        for j in faults.indices { faults[j] += f[j]; slashes[j] += s[j] }
        for j in incidents.indices { incidents[j] += i[j] }
        for p in liquidations.indices { liquidations[p] += l[p] }
    }
}
