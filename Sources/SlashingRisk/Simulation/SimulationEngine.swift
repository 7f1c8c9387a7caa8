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
            worker.lossyTrials.sort()  // each worker sorts its own losses, in parallel
        }
        var faultCounts = [Int](repeating: 0, count: model.operatorCount)
        for worker in workers {
            for j in 0..<faultCounts.count { faultCounts[j] += worker.faultCounts[j] }
        }
        let lossy = Self.mergeSorted(workers.map(\.lossyTrials))
        for worker in workers { worker.lossyTrials = [] }
        // Batches are claimed in order and every claimed batch is finished: the done trials are a prefix.
        let completedTrials = min(trials, min(batchCount, nextBatch.load(ordering: .relaxed)) * batchSize)
        let sample = LossSample(trials: completedTrials, sortedPositiveLosses: lossy)
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        return SimulationResult(losses: sample, faultCounts: faultCounts, elapsedSeconds: elapsed, threads: workerCount,
                                requestedTrials: trials)
    }

    /// Merges ascending arrays into one ascending array (pairwise, linear in the total).
    static func mergeSorted(_ parts: [[Double]]) -> [Double] {
        var parts = parts.filter { !$0.isEmpty }
        while parts.count > 1 {
            var merged: [[Double]] = []
            for i in stride(from: 0, to: parts.count, by: 2) {
                merged.append(i + 1 < parts.count ? mergeTwo(parts[i], parts[i + 1]) : parts[i])
            }
            parts = merged
        }
        return parts.first ?? []
    }

    private static func mergeTwo(_ a: [Double], _ b: [Double]) -> [Double] {
        var out = [Double]()
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
