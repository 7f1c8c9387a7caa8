import Dispatch
import Foundation
import Synchronization

/// What a run produced: the sample of total losses and per-operator fault counts.
public struct SimulationResult: Sendable {
    /// Total principal loss per trial, as a sorted sample.
    public let losses: LossSample
    /// Number of trials in which each operator faulted.
    public let faultCounts: [Int]
    /// Wall-clock seconds spent simulating.
    public let elapsedSeconds: Double
    /// Worker threads used.
    public let threads: Int
    /// Trials asked for; more than `losses.trials` when the run was stopped early.
    public let requestedTrials: Int

    /// Whether the run stopped before all requested trials (its statistics cover `losses.trials` trials).
    public var isPartial: Bool { losses.trials < requestedTrials }
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
    public func run(trials: Int, seed: UInt64, threads: Int, control: RunControl? = nil,
                    progress: (@Sendable (Int) -> Void)? = nil) -> SimulationResult {
        precondition(trials > 0 && threads > 0)
        _ = BLAS.singleThreaded
        let start = DispatchTime.now()
        let batchSize = RunLimits.batchSize
        let batchCount = (trials + batchSize - 1) / batchSize
        let kernel = BatchKernel(model: model, stream: NormalStream(seed: seed))
        let workerCount = min(threads, batchCount)
        let workers = (0..<workerCount).map { _ in BatchKernel.Worker(operators: model.operatorCount, factors: model.factorCount) }
        let nextBatch = Atomic<Int>(0)
        let done = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: workerCount) { w in
            let worker = workers[w]
            while true {
                // Batch 0 always runs, so a stopped run still has a sample.
                if let control, control.shouldStop, nextBatch.load(ordering: .relaxed) > 0 { break }
                let b = nextBatch.wrappingAdd(1, ordering: .relaxed).oldValue
                if b >= batchCount { break }
                let m = min(batchSize, trials - b * batchSize)
                kernel.run(batch: UInt64(b), trials: m, worker: worker)
                let total = done.wrappingAdd(m, ordering: .relaxed).newValue
                progress?(total)
            }
        }
        var faultCounts = [Int](repeating: 0, count: model.operatorCount)
        var lossy: [Double] = []
        lossy.reserveCapacity(workers.reduce(0) { $0 + $1.lossyTrials.count })
        for worker in workers {
            for j in 0..<faultCounts.count { faultCounts[j] += worker.faultCounts[j] }
            lossy.append(contentsOf: worker.lossyTrials)
            worker.lossyTrials = []
        }
        // Batches are claimed in order and every claimed batch is finished: the done trials are a prefix.
        let completedTrials = min(trials, min(batchCount, nextBatch.load(ordering: .relaxed)) * batchSize)
        let sample = LossSample(trials: completedTrials, positiveLosses: lossy)
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        return SimulationResult(losses: sample, faultCounts: faultCounts, elapsedSeconds: elapsed, threads: workerCount,
                                requestedTrials: trials)
    }
}
