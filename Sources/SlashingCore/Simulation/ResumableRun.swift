import Dispatch

/// A run that goes batch prefix by batch prefix (`advance`), can show the state of the batches done (`state`,
/// what a checkpoint writes) and go on from such a state in another process: the result is the uninterrupted
/// run's, number for number. In memory, the result is `SimulationEngine.run`'s; bounded, `runBounded`'s.
public protocol ResumableRun: AnyObject {
    /// The state after the batches done so far.
    var state: RunState { get }
    /// Whether every batch is done (both passes of a bounded run).
    var isFinished: Bool { get }
    /// Trials done of the run's pass 1 (what progress shows).
    var trialsDone: Int { get }
    /// Bounded runs in pass 2: trials replayed so far (nil otherwise).
    var replayTrialsDone: Int? { get }
    /// Runs batches until `control` stops (at least one batch) or the run is finished. `progress` is called
    /// from workers with the trials of pass 1 done so far.
    func advance(control: RunControl?, progress: (@Sendable (Int) -> Void)?)
    /// The finished run's result (only when `isFinished`); refused when its parts disagree, which only a
    /// state read from a checkpoint that was altered and re-checksummed can cause.
    func result() throws(RunState.Inconsistent) -> SimulationResult
}

extension SimulationEngine {
    /// How a resumable run keeps its samples.
    public enum ResumableMemory: Sendable, Equatable {
        /// Every losing trial, sorted; `keepFaults`: the losing trials' faults for the contributions (those of
        /// the batches simulated in this process; the earlier ones are replayed).
        case inMemory(keepFaults: Bool)
        /// Histograms and the needed bins, two passes (`runBounded`); `levels`: the quantile levels.
        case bounded(levels: [Double])
    }

    /// A run of `trials` trials that can be checkpointed, starting afresh or from `state` (which the caller has
    /// checked with `RunState.fits`). `shard`: only that shard's batches, for a part file (in memory only).
    public func resumableRun(trials: Int, seed: UInt64, threads: Int, memory: ResumableMemory, shard: ShardSpec? = nil,
                             from state: RunState? = nil) -> any ResumableRun {
        switch memory {
        case .inMemory(let keepFaults):
            return InMemoryRun(engine: self, trials: trials, seed: seed, threads: threads, shard: shard, keepFaults: keepFaults, state: state)
        case .bounded(let levels):
            precondition(shard == nil, "bounded runs are not sharded")
            return BoundedRun(engine: self, trials: trials, seed: seed, threads: threads, levels: levels, state: state)
        }
    }

    /// `progress` shifted by the trials done before a segment.
    static func offset(_ progress: (@Sendable (Int) -> Void)?, by before: Int) -> (@Sendable (Int) -> Void)? {
        guard let progress else { return nil }
        return { @Sendable done in progress(before + done) }
    }

    /// Seconds since `start`.
    static func seconds(since start: DispatchTime) -> Double {
        Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
    }
}

/// The in-memory resumable run: `SimulationEngine.run`'s numbers (plain, unweighted), or a shard's outcome.
final class InMemoryRun: ResumableRun {
    let engine: SimulationEngine
    let trials: Int
    let seed: UInt64
    let threads: Int
    let kernel: BatchKernel
    let records: FaultRecords?
    /// The loss pass's running totals (whole runs); shards keep each batch's sums instead.
    let sums: BatchOrderedSums?
    let perBatchSums: Bool
    /// The state without the kept faults, which live in `records`.
    private var core: RunState

    var state: RunState {
        var state = core
        if let records, let filed = records.batches() {
            state.keptFaults = filed
            state.keptFaultsFrom = records.firstFiledBatch
        }
        return state
    }

    init(engine: SimulationEngine, trials: Int, seed: UInt64, threads: Int, shard: ShardSpec?, keepFaults: Bool, state given: RunState?) {
        let model = engine.model
        self.engine = engine
        self.trials = trials
        self.seed = seed
        self.threads = threads
        let pass = model.needsLossPass ? LossPass(model: model, collectSamples: true) : nil
        let all = 0..<((trials + RunLimits.batchSize - 1) / RunLimits.batchSize)
        let samples = pass == nil ? 1 : 1 + model.tokens.tokens.count + model.tokens.portfolios.count
        var state = given ?? RunState.empty(model: model, batches: shard?.batches(trials: trials) ?? all, samples: samples)
        // Kept faults go on from the checkpoint's (or from here when it kept none).
        let kept = state.keptFaults.map { (from: state.keptFaultsFrom, batches: $0) } ?? (from: state.nextBatch, batches: [])
        state.keptFaults = nil
        core = state
        perBatchSums = shard != nil
        records = keepFaults && shard == nil
            ? FaultRecords(budgetBytes: FaultRecords.defaultBudget(), firstFiledBatch: kept.from, restored: kept.batches) : nil
        kernel = BatchKernel(model: model, stream: NormalStream(seed: seed), lossPass: pass, records: records)
        sums = pass.flatMap { pass in
            shard != nil ? nil : BatchOrderedSums(width: pass.partialWidth, firstBatch: state.nextBatch,
                                                  initial: state.lossTotals.isEmpty ? nil : state.lossTotals)
        }
    }

    var isFinished: Bool { core.nextBatch >= core.batches.upperBound }

    var trialsDone: Int { min(trials, core.nextBatch * RunLimits.batchSize) - core.batches.lowerBound * RunLimits.batchSize }

    var replayTrialsDone: Int? { nil }

    func advance(control: RunControl?, progress: (@Sendable (Int) -> Void)?) {
        guard !isFinished else { return }
        let start = DispatchTime.now()
        let range = core.nextBatch..<core.batches.upperBound
        let partials = perBatchSums && kernel.lossPass != nil ? BatchPartials() : nil
        let before = trialsDone
        let (workers, done, _) = engine.execute(kernel, trials: trials, threads: threads, control: control,
                                                progress: SimulationEngine.offset(progress, by: before), batches: range, sums: sums) { _, b, worker in
            if let partials, let loss = worker.loss { partials.store(batch: b, loss.partial) }
        }
        core.counts.add(RunCounts(workers: workers, model: engine.model))
        if let partials { core.batchSums += partials.inOrder(range.lowerBound..<(range.lowerBound + done)) }
        if let sums { core.lossTotals = sums.current().totals }
        let parts: [[[Double]]]
        if kernel.lossPass != nil {
            let losses = workers.map { $0.loss! }
            parts = [losses.map { (state: LossPass.State) in state.lossyTrials }] + engine.model.tokens.tokens.indices.map { t in losses.map { $0.tokenLossy[t] } }
                + engine.model.tokens.portfolios.indices.map { p in losses.map { $0.portfolioLossy[p] } }
        } else {
            parts = [workers.map { (worker: BatchKernel.Worker) in worker.lossyTrials }]
        }
        for k in parts.indices { core.samples[k] = SimulationEngine.mergeSorted([core.samples[k]] + parts[k]) }
        core.nextBatch += done
        core.elapsedSeconds += SimulationEngine.seconds(since: start)
    }

    func result() throws(RunState.Inconsistent) -> SimulationResult {
        precondition(isFinished && !perBatchSums)
        let n = min(trials, core.nextBatch * RunLimits.batchSize)
        let distributions: [any LossDistribution] = core.samples.map { LossSample(trials: n, sortedPositiveLosses: $0) }
        var result = engine.finish(counts: core.counts, totals: kernel.lossPass == nil ? nil : core.lossTotals, distributions: distributions,
                                   seed: seed, threads: max(1, min(threads, core.batches.count)), requestedTrials: trials, start: .now())
        result.elapsedSeconds = core.elapsedSeconds
        if let records, !records.abandoned { result.faultRecords = records }
        return result
    }

    /// The finished shard's outcome, for its part file.
    func shardOutcome() -> ShardOutcome {
        precondition(isFinished && perBatchSums)
        return ShardOutcome(faultCounts: core.faultCounts, slashCounts: core.slashCounts, incidentCounts: core.incidentCounts,
                            liquidationCounts: core.liquidationCounts, samples: core.samples, batchSums: core.batchSums,
                            elapsedSeconds: core.elapsedSeconds, threads: max(0, min(threads, core.batches.count)))
    }
}

extension ResumableRun {
    /// The outcome of a finished shard run (`resumableRun(…shard:)`).
    public func shardOutcome() -> ShardOutcome {
        guard let run = self as? InMemoryRun else { preconditionFailure("only in-memory runs are sharded") }
        return run.shardOutcome()
    }
}
