import Dispatch
import Synchronization

/// Which operators and services drive the tail: each one's share of the expected shortfall.
///
/// With v = VaR_q of the total L and n trials, ES_q = (Σ_{L>v} L + v·(#{L ≤ v} − q·n)) / (n − q·n)
/// (Acerbi–Tasche, `RiskStatistics.expectedShortfall`). Writing L = Σ_i ℓ_i, entity i's contribution is
/// C_i = (Σ_{L>v} ℓ_i + (Σ_{L=v} ℓ_i / #{L = v})·(#{L ≤ v} − q·n)) / (n − q·n),
/// the Euler allocation of ES: the contributions of the operators sum to ES_q, and so do the services'.
/// The trials beyond and at VaR come from the faults the run kept, or from a replay of the same random streams.
public struct RiskContributions: Sendable {
    public let levels: [Double]
    /// [level][operator], ETH.
    public let operators: [[Double]]
    /// [level][service], ETH.
    public let services: [[Double]]
}

extension SimulationEngine {
    /// The contributions of a finished run: from the faults (with their modes and vetoes) it kept
    /// (`run(…keepFaultsForContributions: true)`), or by replaying it when it kept none (bounded memory,
    /// importance sampling, over the memory budget). The same numbers either way.
    public func contributions(of result: SimulationResult, levels: [Double], threads: Int,
                              importance: ImportanceShift? = nil) -> RiskContributions {
        guard importance == nil, let records = result.faultRecords, let batches = records.batches() else {
            return contributions(sample: result.distribution, levels: levels, seed: result.seed, threads: threads, importance: importance)
        }
        let levels = levels.sorted()
        let points = levels.map { result.distribution.tailPoint(level: $0) }
        let pass = LossPass(model: model, collectSamples: false, tailThresholds: points.map(\.value))
        // A trial below every VaR adds to no sum.
        let lowest = points.map(\.value).min() ?? 0
        let sums = BatchOrderedSums(width: pass.partialWidth)
        // A run resumed from a checkpoint filed only the batches it simulated: the earlier ones are replayed
        // first, into the same batch-ordered sums.
        let replayed = records.firstFiledBatch
        if replayed > 0 {
            let kernel = BatchKernel(model: model, stream: NormalStream(seed: result.seed), lossPass: pass)
            _ = execute(kernel, trials: result.trials, threads: threads, control: nil, progress: nil, batches: 0..<replayed, sums: sums)
        }
        let next = Atomic<Int>(0)
        let workerCount = max(1, min(threads, batches.count))
        let serviceCount = model.services.count
        let hasModes = !model.faultModes.isEmpty, hasVetoes = model.services.hasVetoes
        DispatchQueue.concurrentPerform(iterations: workerCount) { _ in
            let state = LossPass.State(pass: pass)
            var incident = [Bool](repeating: false, count: max(1, serviceCount))
            // The filed trial's fault modes per operator and its vetoes, set from the records and cleared after.
            var masks = [UInt32](repeating: 0, count: hasModes ? model.operatorCount : 0)
            var vetoedAllocations = [Bool](repeating: false, count: hasVetoes ? model.services.allocationService.count : 0)
            var vetoedIncidents = [Bool](repeating: false, count: hasVetoes ? serviceCount : 0)
            while true {
                let k = next.wrappingAdd(1, ordering: .relaxed).oldValue
                guard k < batches.count else { break }
                let filed = batches[k].trials
                state.resetPartial()
                filed.faults.withUnsafeBufferPointer { faults in
                    for trial in 0..<filed.trials where filed.totals[trial] >= lowest {
                        let incidents = filed.incidents[Int(filed.incidentStart[trial])..<Int(filed.incidentStart[trial + 1])].map { Int($0) }
                        let faultRange = Int(filed.faultStart[trial])..<Int(filed.faultStart[trial + 1])
                        let vetoes = hasVetoes ? filed.vetoes[Int(filed.vetoStart[trial])..<Int(filed.vetoStart[trial + 1])] : [][...]
                        for j in incidents { incident[j] = true }
                        if hasModes { for f in faultRange { masks[Int(faults[f])] = filed.faultModes[f] } }
                        for v in vetoes { if v >= 0 { vetoedAllocations[Int(v)] = true } else { vetoedIncidents[Int(-v) - 1] = true } }
                        incident.withUnsafeBufferPointer { flags in
                        masks.withUnsafeBufferPointer { masks in
                        vetoedAllocations.withUnsafeBufferPointer { allocations in
                        vetoedIncidents.withUnsafeBufferPointer { incidentVetoes in
                            _ = pass.process(faults: UnsafeBufferPointer(rebasing: faults[faultRange]), incident: flags.baseAddress!,
                                             incidents: incidents[...], modes: hasModes ? masks.baseAddress : nil,
                                             vetoes: hasVetoes ? LossPass.Vetoes(allocations: allocations.baseAddress!, incidents: incidentVetoes.baseAddress!) : nil,
                                             state: state)
                        }}}}
                        for j in incidents { incident[j] = false }
                        for v in vetoes { if v >= 0 { vetoedAllocations[Int(v)] = false } else { vetoedIncidents[Int(-v) - 1] = false } }
                    }
                }
                // The filed batches in batch order; the others add nothing to any sum.
                sums.deposit(batch: replayed + k, state.partial)
            }
        }
        return Self.split(totals: sums.totals(batches: replayed + batches.count), layout: pass.layout, levels: levels, points: points,
                          trials: result.trials, operators: model.operatorCount)
    }

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
        return Self.split(totals: sums!.totals(batches: batches), layout: pass.layout, levels: levels, points: points, trials: n,
                          operators: model.operatorCount)
    }

    /// Each entity's share of ES at every level, from the contributions pass's sums beyond and at VaR.
    static func split(totals: [Double], layout: LossPass.Layout, levels: [Double], points: [TailPoint], trials n: Int,
                      operators: Int) -> RiskContributions {
        let entities = layout.entities
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
            byOperator.append(Array(row[0..<operators]))
            byService.append(Array(row[operators...]))
        }
        return RiskContributions(levels: levels, operators: byOperator, services: byService)
    }
}
