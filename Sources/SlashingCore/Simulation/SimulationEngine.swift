import Dispatch
import Foundation
import Synchronization

/// What a run produced: the distribution of total losses, per-operator counts, and the token and portfolio
/// distributions.
public struct SimulationResult: Sendable {
    /// Total principal loss per trial: the whole sorted sample, or its bounded-memory summary.
    public let distribution: any LossDistribution
    /// Per token, the loss in ETH per trial.
    public let tokenDistributions: [any LossDistribution]
    /// Per portfolio, the principal loss in ETH per trial.
    public let portfolioDistributions: [any LossDistribution]
    /// Number of trials in which each operator faulted.
    public let faultCounts: [Int]
    /// Number of trials in which each operator lost stake (to its own fault or an incident).
    public let slashCounts: [Int]
    /// Sum over trials of each operator's loss, then of each service's share of the losses (ETH).
    public let operatorLossSums: [Double]
    public let serviceLossSums: [Double]
    /// Sum over trials of each operator's squared loss (ETH²), for standard errors.
    public let operatorLossSquareSums: [Double]
    /// Number of trials in which each service had an incident.
    public let incidentCounts: [Int]
    /// Per portfolio, the number of trials it was liquidated.
    public let liquidationCounts: [Int]
    /// Per token and per portfolio, the sum over trials of its loss by cause (ETH, weighted under importance
    /// sampling), indexed by `LossCause.rawValue`: operator faults, service incidents, exploits.
    public var tokenLossSumsByCause: [[Double]] = []
    public var portfolioLossSumsByCause: [[Double]] = []
    /// Per exploit event (`TokenLayer.exploits`), the share of trials in which it happened (weighted under
    /// importance sampling).
    public var exploitProbabilities: [Estimate] = []
    /// Per fault mode (`CompiledModel.faultModes`), the share of trials in which it happened.
    public var faultModeProbabilities: [Estimate] = []
    /// Per service, when some service has a veto probability: the expected number per trial of fault slashes it
    /// proposed and vetoed, and of its incidents proposed and vetoed (in that order); empty otherwise.
    public var vetoCounts: [[Double]] = []
    /// Wall-clock seconds spent simulating.
    public internal(set) var elapsedSeconds: Double
    /// The seed of the random streams.
    public let seed: UInt64
    /// Worker threads used (the results do not depend on it).
    public let threads: Int
    /// Trials asked for; more than `losses.trials` when the run was stopped early.
    public let requestedTrials: Int
    /// The losing trials' faults and incidents, kept for the contributions (`run(…keepFaultsForContributions:)`).
    var faultRecords: FaultRecords? = nil
    /// Whether the run kept its faults, so that its contributions need no replay.
    public var keptFaultsForContributions: Bool { faultRecords != nil }
    /// Single precision (`CompiledModel.multipliesInSingle`): how the float multiply's decisions were checked.
    public internal(set) var singlePrecision: SinglePrecisionChecks? = nil
    /// Importance sampling: the shift and the weighted probabilities of the counted events (the counts above
    /// then count trials under the shifted measure, and the loss sums are weighted). Nil for plain runs.
    public internal(set) var importance: ImportanceEstimates? = nil

    /// Whether the run stopped before all requested trials (its statistics cover `trials` trials).
    public var isPartial: Bool { trials < requestedTrials }
    /// Trials simulated.
    public var trials: Int { distribution.trials }
    /// The whole sample of total losses: nil for a bounded-memory run (`runBounded`), which keeps a summary, and
    /// for an importance-sampled one, whose sample is weighted (`distribution` serves every kind).
    public var sample: LossSample? { distribution as? LossSample }

    /// `sample` for tests that know their run kept it whole.
    package var losses: LossSample {
        guard let sample else { preconditionFailure("this run kept no whole, unweighted sample: read `distribution`") }
        return sample
    }
    /// The tokens' and portfolios' whole samples, for tests that know their run kept them.
    package var tokenLosses: [LossSample] { tokenDistributions.map { ($0 as? LossSample) ?? Self.noSample() } }
    package var portfolioLosses: [LossSample] { portfolioDistributions.map { ($0 as? LossSample) ?? Self.noSample() } }

    private static func noSample() -> LossSample {
        preconditionFailure("this run kept no whole, unweighted sample: read the distributions")
    }
}

/// Runs the Monte Carlo: batches of `RunLimits.batchSize` trials, shared out to `threads` Dispatch
/// workers; each batch's random numbers depend only on (seed, batch index), so the result is the same
/// for any thread count.
public struct SimulationEngine: Sendable {
    public let model: CompiledModel

    public init(model: CompiledModel) { self.model = model }

    /// Simulates `trials` trials. `progress`, if given, is called from a worker with the number of
    /// trials done so far (at most a few times per second is the caller's business).
    ///
    /// With `control`, the run may stop early; it then covers the first `losses.trials` trials exactly
    /// (a whole prefix of batches), at least one batch unless `trials` is smaller.
    /// `importance` draws the factors shifted by its mean and weighs every trial by its likelihood ratio: the
    /// distributions are then `WeightedLossSample`s.
    /// `keepFaultsForContributions` keeps every losing trial's faults and incidents (within a memory budget), so
    /// that `contributions(of:levels:threads:)` needs no second pass over the random streams (not with importance
    /// sampling, whose contributions always replay).
    public func run(trials: Int, seed: UInt64, threads: Int, control: RunControl? = nil,
                    importance: ImportanceShift? = nil, keepFaultsForContributions: Bool = false,
                    progress: (@Sendable (Int) -> Void)? = nil) -> SimulationResult {
        run(trials: trials, seed: seed, threads: threads, control: control, forceLossPass: false, importance: importance,
            keepFaultsForContributions: keepFaultsForContributions, progress: progress)
    }

    /// `run`, with `forceLossPass` sending plain models through the general loss pass (for tests: both give
    /// the same numbers) and `faultRecordBudget` bounding the kept faults (default `FaultRecords.defaultBudget()`).
    package func run(trials: Int, seed: UInt64, threads: Int, control: RunControl? = nil, forceLossPass: Bool,
                     importance: ImportanceShift? = nil, keepFaultsForContributions: Bool = false, faultRecordBudget: Int? = nil,
                     progress: (@Sendable (Int) -> Void)? = nil) -> SimulationResult {
        let start = DispatchTime.now()
        let weighted = importance != nil
        let pass = model.needsLossPass || forceLossPass || weighted ? LossPass(model: model, collectSamples: true, weighted: weighted) : nil
        let records = keepFaultsForContributions && !weighted ? FaultRecords(budgetBytes: faultRecordBudget ?? FaultRecords.defaultBudget()) : nil
        let kernel = BatchKernel(model: model, stream: NormalStream(seed: seed), lossPass: pass, importance: importance, records: records)
        let (workers, batches, sums) = execute(kernel, trials: trials, threads: threads, control: control, progress: progress)
        let completedTrials = min(trials, batches * RunLimits.batchSize)
        var distributions: [any LossDistribution]
        if weighted {
            let states = workers.map { $0.loss! }
            let sample = { (parts: [[WeightedLoss]]) in WeightedLossSample(trials: completedTrials, sortedPositiveLosses: Self.mergeSorted(parts)) }
            distributions = [sample(states.map(\.weightedLossy))]
            distributions += model.tokens.tokens.indices.map { t in sample(states.map { $0.tokenWeighted[t] }) }
            distributions += model.tokens.portfolios.indices.map { p in sample(states.map { $0.portfolioWeighted[p] }) }
        } else if kernel.lossPass != nil {
            let states = workers.map { $0.loss! }
            distributions = [LossSample(trials: completedTrials, sortedPositiveLosses: Self.mergeSorted(states.map(\.lossyTrials)))]
            distributions += model.tokens.tokens.indices.map { t in
                LossSample(trials: completedTrials, sortedPositiveLosses: Self.mergeSorted(states.map { $0.tokenLossy[t] }))
            }
            distributions += model.tokens.portfolios.indices.map { p in
                LossSample(trials: completedTrials, sortedPositiveLosses: Self.mergeSorted(states.map { $0.portfolioLossy[p] }))
            }
        } else {
            distributions = [LossSample(trials: completedTrials, sortedPositiveLosses: Self.mergeSorted(workers.map(\.lossyTrials)))]
        }
        for worker in workers { worker.lossyTrials = [] }
        var result = assemble(workers: workers, batches: batches, sums: sums, distributions: distributions, seed: seed,
                              requestedTrials: trials, start: start)
        if let importance, let sums, let pass {
            result.importance = ImportanceEstimates(shift: importance, pass: pass, totals: sums.totals(batches: batches), trials: completedTrials,
                                                    losses: distributions[0] as! WeightedLossSample)
        }
        if let records, !records.abandoned { result.faultRecords = records }
        return result
    }

    /// The result of a run from its workers' counts and the distributions of its samples (total, then tokens,
    /// then portfolios).
    func assemble(workers: [BatchKernel.Worker], batches: Int, sums: BatchOrderedSums?, distributions: [any LossDistribution],
                  seed: UInt64, requestedTrials: Int, start: DispatchTime) -> SimulationResult {
        finish(counts: RunCounts(workers: workers, model: model), totals: sums?.totals(batches: batches), distributions: distributions,
               seed: seed, threads: workers.count, requestedTrials: requestedTrials, start: start)
    }

    /// The result from its counts, the loss pass's batch-ordered totals (nil for plain models) and the distributions.
    func finish(counts: RunCounts, totals: [Double]?, distributions: [any LossDistribution], seed: UInt64, threads: Int,
                requestedTrials: Int, start: DispatchTime) -> SimulationResult {
        let faultCounts = counts.faults
        let operatorSums: [Double], serviceSums: [Double], operatorSquares: [Double]
        if let totals {
            let sums = LossPass.Totals(totals, model: model)
            operatorSums = sums.operatorLosses
            serviceSums = sums.serviceLosses
            operatorSquares = sums.operatorSquaredLosses
        } else {
            operatorSums = zip(faultCounts, model.lossIfFault).map { Double($0) * $1 }
            operatorSquares = zip(faultCounts, model.lossIfFault).map { Double($0) * $1 * $1 }
            serviceSums = Self.serviceShares(model: model, faultCounts: faultCounts)
        }
        let t = model.tokens.tokens.count
        let causes = totals.map { LossPass.Totals($0, model: model) }
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        var result = SimulationResult(distribution: distributions[0], tokenDistributions: Array(distributions[1..<(1 + t)]),
                                portfolioDistributions: Array(distributions[(1 + t)...]), faultCounts: faultCounts,
                                slashCounts: counts.slashes, operatorLossSums: operatorSums, serviceLossSums: serviceSums,
                                operatorLossSquareSums: operatorSquares, incidentCounts: counts.incidents,
                                liquidationCounts: counts.liquidations, elapsedSeconds: elapsed, seed: seed, threads: threads,
                                requestedTrials: requestedTrials)
        result.tokenLossSumsByCause = causes?.tokenLossesByCause ?? []
        result.portfolioLossSumsByCause = causes?.portfolioLossesByCause ?? []
        result.vetoCounts = causes?.vetoSums.map { $0.map { $0 / Double(max(1, distributions[0].trials)) } } ?? []
        result.faultModeProbabilities = causes?.modeWeights.map { Estimate(sum: $0.sum, sumOfSquares: $0.squares, trials: distributions[0].trials) } ?? []
        result.exploitProbabilities = causes?.exploitWeights.map { Estimate(sum: $0.sum, sumOfSquares: $0.squares, trials: distributions[0].trials) } ?? []
        if model.multipliesInSingle {
            result.singlePrecision = SinglePrecisionChecks(latents: distributions[0].trials * model.operatorCount,
                                                           recomputed: counts.recomputedLatents, corrected: counts.correctedDecisions)
        }
        return result
    }

    /// Runs batches 0 ..< ⌈trials/B⌉ (or a prefix, when stopped) on `threads` workers. Returns the workers, the
    /// number of batches done and, with a loss pass, the batch-ordered partial sums.
    /// `afterBatch(worker index, batch, worker)` runs on the worker's thread after each batch.
    /// `batches` (default: all of the run's) restricts the run to a range of batch indices, for shards.
    /// `sums` (default: new, from the range's first batch) receives the loss pass's partial sums: a resumed run
    /// passes the one that already holds its earlier batches.
    func execute(_ kernel: BatchKernel, trials: Int, threads: Int, control: RunControl?,
                 progress: (@Sendable (Int) -> Void)?, batches range: Range<Int>? = nil, sums given: BatchOrderedSums? = nil,
                 afterBatch: (@Sendable (Int, Int, BatchKernel.Worker) -> Void)? = nil) -> ([BatchKernel.Worker], Int, BatchOrderedSums?) {
        precondition(trials > 0 && threads > 0)
        _ = BLAS.singleThreaded
        let batchSize = RunLimits.batchSize
        let range = range ?? 0..<((trials + batchSize - 1) / batchSize)
        let firstBatch = range.lowerBound, batchCount = range.upperBound
        let workerCount = max(1, min(threads, range.count))
        let workers = (0..<workerCount).map { _ in BatchKernel.Worker(kernel: kernel) }
        let sums = given ?? kernel.lossPass.map { BatchOrderedSums(width: $0.partialWidth, firstBatch: firstBatch) }
        let nextBatch = Atomic<Int>(firstBatch)
        let done = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: workerCount) { w in
            let worker = workers[w]
            while true {
                // Batch 0 always runs, so a stopped run still has a sample.
                if let control, control.shouldStop, nextBatch.load(ordering: .relaxed) > firstBatch { break }
                let b = nextBatch.wrappingAdd(1, ordering: .relaxed).oldValue
                if b >= batchCount { break }
                let m = min(batchSize, trials - b * batchSize)
                kernel.run(batch: UInt64(b), trials: m, worker: worker)
                if let sums, let state = worker.loss { sums.deposit(batch: b, state.partial) }
                afterBatch?(w, b, worker)
                let total = done.wrappingAdd(m, ordering: .relaxed).newValue
                progress?(total)
            }
            // Each worker sorts its own samples, in parallel.
            worker.lossyTrials.sort()
            if let state = worker.loss {
                state.lossyTrials.sort()
                state.weightedLossy.sort()
                for t in state.tokenWeighted.indices { state.tokenWeighted[t].sort() }
                for p in state.portfolioWeighted.indices { state.portfolioWeighted[p].sort() }
                for t in state.tokenLossy.indices { state.tokenLossy[t].sort() }
                for p in state.portfolioLossy.indices { state.portfolioLossy[p].sort() }
            }
        }
        // Batches are claimed in order and every claimed batch is finished: the done batches are a prefix.
        return (workers, min(batchCount, nextBatch.load(ordering: .relaxed)) - firstBatch, sums)
    }

    /// Each service's share of the operators' losses summed over trials, when an operator loses lossIfFault
    /// exactly when it faults (no incidents): its loss is split in proportion to m_is·w_s.
    static func serviceShares(model: CompiledModel, faultCounts: [Int]) -> [Double] {
        let services = model.services
        var sums = [Double](repeating: 0, count: services.count)
        for i in 0..<model.operatorCount where faultCounts[i] > 0 && model.lossIfFault[i] > 0 {
            let range = services.allocationStart[i]..<services.allocationStart[i + 1]
            let total = range.reduce(0.0) { $0 + services.allocationMagnitude[$1] * services.allocationFaultFraction[$1] }
            guard total > 0 else { continue }
            for a in range {
                let share = services.allocationMagnitude[a] * services.allocationFaultFraction[a]
                sums[services.allocationService[a]] += Double(faultCounts[i]) * model.lossIfFault[i] * share / total
            }
        }
        return sums
    }

    /// Merges ascending arrays into one ascending array: pairwise rounds, O(total · log(parts)).
    static func mergeSorted<Element: Comparable>(_ parts: [[Element]]) -> [Element] {
        var parts = parts.filter { !$0.isEmpty }
        while parts.count > 1 {
            var merged: [[Element]] = []
            for i in stride(from: 0, to: parts.count, by: 2) {
                merged.append(i + 1 < parts.count ? mergeTwo(parts[i], parts[i + 1]) : parts[i])
            }
            parts = merged
        }
        return parts.first ?? []
    }

    private static func mergeTwo<Element: Comparable>(_ a: [Element], _ b: [Element]) -> [Element] {
        var out = [Element]()
        out.reserveCapacity(a.count + b.count)
        var i = 0, j = 0
        while i < a.count && j < b.count {
            if b[j] < a[i] { out.append(b[j]); j += 1 } else { out.append(a[i]); i += 1 }
        }
        out.append(contentsOf: a[i...])
        out.append(contentsOf: b[j...])
        return out
    }
}
