import Dispatch
import Foundation

/// Shard i of n of a run: a contiguous range of its batches. The shards of a run cover every batch exactly once,
/// draw exactly the random numbers the single-machine run draws for those batches, and merge (`ShardMerge`) into
/// the single-machine report, number for number.
public struct ShardSpec: Sendable, Equatable, CustomStringConvertible {
    public let index: Int
    public let count: Int

    /// Largest shard count accepted.
    public static let maximumCount = 100_000

    public init?(index: Int, count: Int) {
        guard count >= 1, count <= Self.maximumCount, index >= 0, index < count else { return nil }
        self.index = index
        self.count = count
    }

    public var description: String { "\(index)/\(count)" }

    /// This shard's batches of a run of `trials` trials: batches ⌊i·B/n⌋ ..< ⌊(i+1)·B/n⌋ of the B batches.
    public func batches(trials: Int) -> Range<Int> {
        let total = (trials + RunLimits.batchSize - 1) / RunLimits.batchSize
        return (index * total / count)..<((index + 1) * total / count)
    }
}

/// What one shard computed, before it is written as a part file.
public struct ShardOutcome: Sendable {
    public var faultCounts: [Int]
    public var slashCounts: [Int]
    public var incidentCounts: [Int]
    public var liquidationCounts: [Int]
    /// Sorted positive losses of each sample: total, then tokens, then portfolios.
    public var samples: [[Double]]
    /// The loss pass's partial sums of each of the shard's batches, in batch order (empty for plain models).
    public var batchSums: [[Double]]
    public var elapsedSeconds: Double
    public var threads: Int

    public init(faultCounts: [Int], slashCounts: [Int], incidentCounts: [Int], liquidationCounts: [Int], samples: [[Double]],
                batchSums: [[Double]], elapsedSeconds: Double, threads: Int) {
        self.faultCounts = faultCounts
        self.slashCounts = slashCounts
        self.incidentCounts = incidentCounts
        self.liquidationCounts = liquidationCounts
        self.samples = samples
        self.batchSums = batchSums
        self.elapsedSeconds = elapsedSeconds
        self.threads = threads
    }
}

extension SimulationEngine {
    /// Runs shard `shard` of a `trials`-trial run.
    public func runShard(trials: Int, seed: UInt64, threads: Int, shard: ShardSpec) -> ShardOutcome {
        let run = InMemoryRun(engine: self, trials: trials, seed: seed, threads: threads, shard: shard, keepFaults: false, state: nil)
        run.advance(control: nil, progress: nil)
        return run.shardOutcome()
    }

    /// The run the shards `outcomes` (index 0 ..< n, in order) make up, exactly as `run` computes it: samples
    /// merged, counts added, batch sums added in batch order.
    public func merge(_ outcomes: [ShardOutcome], trials: Int, seed: UInt64) -> SimulationResult {
        let start = DispatchTime.now()
        var counts = RunCounts(model: model)
        for o in outcomes {
            counts.add(faults: o.faultCounts, slashes: o.slashCounts, incidents: o.incidentCounts, liquidations: o.liquidationCounts)
        }
        let samples = outcomes.first?.samples.count ?? 1
        let distributions: [any LossDistribution] = (0..<samples).map { k in
            LossSample(trials: trials, sortedPositiveLosses: Self.mergeSorted(outcomes.map { $0.samples[k] }))
        }
        var totals: [Double]?
        if model.needsLossPass {
            let width = LossPass.Layout(model: model).width
            var sums = [Double](repeating: 0, count: width)
            for o in outcomes { for partial in o.batchSums { for j in 0..<width { sums[j] += partial[j] } } }
            totals = sums
        }
        var result = finish(counts: counts, totals: totals, distributions: distributions, seed: seed,
                            threads: outcomes.map(\.threads).max() ?? 1, requestedTrials: trials, start: start)
        result.elapsedSeconds = outcomes.reduce(0) { $0 + $1.elapsedSeconds }
        return result
    }
}

/// Each batch's partial sums, kept for a shard's part file.
final class BatchPartials: @unchecked Sendable {
    private let lock = NSLock()
    private var partials: [Int: [Double]] = [:]

    func store(batch: Int, _ partial: [Double]) {
        lock.lock()
        partials[batch] = partial
        lock.unlock()
    }

    func inOrder(_ range: Range<Int>) -> [[Double]] {
        lock.lock()
        defer { lock.unlock() }
        return range.compactMap { partials[$0] }
    }
}
