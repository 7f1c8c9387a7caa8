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
    /// Runs batches until `control` stops (at least one batch) or the run is finished. `progress` is called
    /// from workers with the trials of pass 1 done so far.
    func advance(control: RunControl?, progress: (@Sendable (Int) -> Void)?)
    /// The finished run's result (only when `isFinished`).
    func result() -> SimulationResult
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
    private(set) var state: RunState

    init(engine: SimulationEngine, trials: Int, seed: UInt64, threads: Int, shard: ShardSpec?, keepFaults: Bool, state given: RunState?) {
        let model = engine.model
        self.engine = engine
        self.trials = trials
        self.seed = seed
        self.threads = threads
        let pass = model.needsLossPass ? LossPass(model: model, collectSamples: true) : nil
        let all = 0..<((trials + RunLimits.batchSize - 1) / RunLimits.batchSize)
        let samples = pass == nil ? 1 : 1 + model.tokens.tokens.count + model.tokens.portfolios.count
        let state = given ?? RunState.empty(model: model, batches: shard?.batches(trials: trials) ?? all, samples: samples)
        self.state = state
        perBatchSums = shard != nil
        records = keepFaults && shard == nil ? FaultRecords(budgetBytes: FaultRecords.defaultBudget(), firstFiledBatch: state.nextBatch) : nil
        kernel = BatchKernel(model: model, stream: NormalStream(seed: seed), lossPass: pass, records: records)
        sums = pass.flatMap { pass in
            shard != nil ? nil : BatchOrderedSums(width: pass.partialWidth, firstBatch: state.nextBatch,
                                                  initial: state.lossTotals.isEmpty ? nil : state.lossTotals)
        }
    }

    var isFinished: Bool { state.nextBatch >= state.batches.upperBound }

    var trialsDone: Int { min(trials, state.nextBatch * RunLimits.batchSize) - state.batches.lowerBound * RunLimits.batchSize }

    func advance(control: RunControl?, progress: (@Sendable (Int) -> Void)?) {
        guard !isFinished else { return }
        let start = DispatchTime.now()
        let range = state.nextBatch..<state.batches.upperBound
        let partials = perBatchSums && kernel.lossPass != nil ? BatchPartials() : nil
        let before = trialsDone
        let (workers, done, _) = engine.execute(kernel, trials: trials, threads: threads, control: control,
                                                progress: SimulationEngine.offset(progress, by: before), batches: range, sums: sums) { _, b, worker in
            if let partials, let loss = worker.loss { partials.store(batch: b, loss.partial) }
        }
        state.counts.add(RunCounts(workers: workers, model: engine.model))
        if let partials { state.batchSums += partials.inOrder(range.lowerBound..<(range.lowerBound + done)) }
        if let sums { state.lossTotals = sums.current().totals }
        let parts: [[[Double]]]
        if kernel.lossPass != nil {
            let losses = workers.map { $0.loss! }
            parts = [losses.map { (state: LossPass.State) in state.lossyTrials }] + engine.model.tokens.tokens.indices.map { t in losses.map { $0.tokenLossy[t] } }
                + engine.model.tokens.portfolios.indices.map { p in losses.map { $0.portfolioLossy[p] } }
        } else {
            parts = [workers.map { (worker: BatchKernel.Worker) in worker.lossyTrials }]
        }
        for k in parts.indices { state.samples[k] = SimulationEngine.mergeSorted([state.samples[k]] + parts[k]) }
        state.nextBatch += done
        state.elapsedSeconds += SimulationEngine.seconds(since: start)
    }

    func result() -> SimulationResult {
        precondition(isFinished && !perBatchSums)
        let n = min(trials, state.nextBatch * RunLimits.batchSize)
        let distributions: [any LossDistribution] = state.samples.map { LossSample(trials: n, sortedPositiveLosses: $0) }
        var result = engine.finish(counts: state.counts, totals: kernel.lossPass == nil ? nil : state.lossTotals, distributions: distributions,
                                   seed: seed, threads: max(1, min(threads, state.batches.count)), requestedTrials: trials, start: .now())
        result.elapsedSeconds = state.elapsedSeconds
        if let records, !records.abandoned { result.faultRecords = records }
        return result
    }

    /// The finished shard's outcome, for its part file.
    func shardOutcome() -> ShardOutcome {
        precondition(isFinished && perBatchSums)
        return ShardOutcome(faultCounts: state.faultCounts, slashCounts: state.slashCounts, incidentCounts: state.incidentCounts,
                            liquidationCounts: state.liquidationCounts, samples: state.samples, batchSums: state.batchSums,
                            elapsedSeconds: state.elapsedSeconds, threads: max(0, min(threads, state.batches.count)))
    }
}

extension ResumableRun {
    /// The outcome of a finished shard run (`resumableRun(…shard:)`).
    public func shardOutcome() -> ShardOutcome {
        guard let run = self as? InMemoryRun else { preconditionFailure("only in-memory runs are sharded") }
        return run.shardOutcome()
    }
}
