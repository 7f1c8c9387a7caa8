/// The state of a run after a prefix of its batches: what a checkpoint holds to go on from there and end with
/// exactly the result of an uninterrupted run (`ResumableRun`).
///
/// Counts are added, samples merged in order and floating-point sums kept as the running totals of the
/// batches done, added in batch order — so going on from a state adds every number in the order an
/// uninterrupted run adds it.
public struct RunState: Sendable {
    /// The batches the run covers: all of the run's, or a shard's.
    public var batches: Range<Int>
    /// The first batch not yet simulated (pass 1 of a bounded run).
    public var nextBatch: Int
    public var faultCounts: [Int]
    public var slashCounts: [Int]
    public var incidentCounts: [Int]
    public var liquidationCounts: [Int]
    /// Single precision: latents recomputed in double, and decisions the float value had wrong.
    public var recomputedLatents: Int
    public var correctedDecisions: Int
    /// Whole runs with a loss pass: its totals over the batches done, in batch order (empty otherwise).
    public var lossTotals: [Double]
    /// Shards with a loss pass: each batch's partial sums, which `merge` adds across shards in batch order.
    public var batchSums: [[Double]]
    /// In memory: each sample's sorted positive losses (total, then tokens, then portfolios).
    public var samples: [[Double]]
    /// Bounded memory: the two passes' summaries (nil in memory).
    public var bounded: BoundedRunState?
    /// In memory, with contributions: the losing trials' faults of batches `keptFaultsFrom ..< nextBatch` (the
    /// contributions replay the batches before); nil when none are kept (over the memory budget, or not asked).
    public var keptFaults: [(batch: Int, trials: FiledTrials)]?
    public var keptFaultsFrom: Int = 0
    /// Seconds spent simulating, over every sitting.
    public var elapsedSeconds: Double

    public init(batches: Range<Int>, nextBatch: Int, faultCounts: [Int], slashCounts: [Int], incidentCounts: [Int],
                liquidationCounts: [Int], recomputedLatents: Int, correctedDecisions: Int, lossTotals: [Double],
                batchSums: [[Double]], samples: [[Double]], bounded: BoundedRunState?, elapsedSeconds: Double) {
        self.batches = batches
        self.nextBatch = nextBatch
        self.faultCounts = faultCounts
        self.slashCounts = slashCounts
        self.incidentCounts = incidentCounts
        self.liquidationCounts = liquidationCounts
        self.recomputedLatents = recomputedLatents
        self.correctedDecisions = correctedDecisions
        self.lossTotals = lossTotals
        self.batchSums = batchSums
        self.samples = samples
        self.bounded = bounded
        self.elapsedSeconds = elapsedSeconds
    }

    /// A finished run whose parts disagree (a bounded run's collected bins and its histogram).
    public struct Inconsistent: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// Nothing done yet.
    static func empty(model: CompiledModel, batches: Range<Int>, samples: Int) -> RunState {
        RunState(batches: batches, nextBatch: batches.lowerBound, faultCounts: [Int](repeating: 0, count: model.operatorCount),
                 slashCounts: [Int](repeating: 0, count: model.operatorCount), incidentCounts: [Int](repeating: 0, count: model.services.count),
                 liquidationCounts: [Int](repeating: 0, count: model.tokens.portfolios.count), recomputedLatents: 0, correctedDecisions: 0,
                 lossTotals: [], batchSums: [], samples: [[Double]](repeating: [], count: samples), bounded: nil, elapsedSeconds: 0)
    }

    /// The event counts, as the engine adds them.
    var counts: RunCounts {
        get {
            var counts = RunCounts(faults: faultCounts, slashes: slashCounts, incidents: incidentCounts, liquidations: liquidationCounts)
            counts.recomputedLatents = recomputedLatents
            counts.correctedDecisions = correctedDecisions
            return counts
        }
        set {
            faultCounts = newValue.faults
            slashCounts = newValue.slashes
            incidentCounts = newValue.incidents
            liquidationCounts = newValue.liquidations
            recomputedLatents = newValue.recomputedLatents
            correctedDecisions = newValue.correctedDecisions
        }
    }

    /// Whether this state can be that of a run of `model` over `expected` batches — in memory (`levels` nil)
    /// or bounded with `levels` quantile levels: every array of the right length, counts within the trials
    /// done, samples ascending, positive and finite, kept faults naming real operators and services. A
    /// checkpoint is checked with this before a run goes on from it, so that no value read from a file can
    /// make the engine index out of range, loop for ever or report a sample that is not one.
    /// `shard`: a shard's state, which keeps each batch's sums instead of running totals.
    public func fits(model: CompiledModel, batches expected: Range<Int>, levels: Int?, shard: Bool = false) -> Bool {
        let samples = model.needsLossPass ? 1 + model.tokens.tokens.count + model.tokens.portfolios.count : 1
        let width = model.needsLossPass ? LossPass.Layout(model: model).width : 0
        guard batches == expected, batches.contains(nextBatch) || nextBatch == batches.upperBound else { return false }
        let done = (nextBatch - batches.lowerBound) * RunLimits.batchSize  // in range: no overflow
        let counts = [faultCounts, slashCounts, incidentCounts, liquidationCounts].joined()
        guard faultCounts.count == model.operatorCount, slashCounts.count == model.operatorCount,
              incidentCounts.count == model.services.count, liquidationCounts.count == model.tokens.portfolios.count,
              counts.allSatisfy({ $0 >= 0 && $0 <= done }), recomputedLatents >= 0, correctedDecisions >= 0,
              // Running totals (whole runs) or each batch's sums (shards) of the loss pass, for the batches done.
              shard ? lossTotals.isEmpty && batchSums.count == (width > 0 ? nextBatch - batches.lowerBound : 0)
                    : batchSums.isEmpty && (lossTotals.count == width || (lossTotals.isEmpty && nextBatch == batches.lowerBound)),
              lossTotals.allSatisfy({ $0.isFinite }), batchSums.allSatisfy({ $0.count == width && $0.allSatisfy(\.isFinite) }) else { return false }
        if let keptFaults {
            guard levels == nil, batches.contains(keptFaultsFrom) || keptFaultsFrom == nextBatch,
                  zip(keptFaults, keptFaults.dropFirst()).allSatisfy({ $0.batch < $1.batch }),
                  keptFaults.allSatisfy({ $0.batch >= keptFaultsFrom && $0.batch < nextBatch && $0.trials.trials <= RunLimits.batchSize
                                          && $0.trials.isValid(operators: model.operatorCount, services: model.services.count,
                                                               allocations: model.services.allocationService.count,
                                                               modes: !model.faultModes.isEmpty, vetoes: model.services.hasVetoes) })
            else { return false }
        }
        if let levels {
            guard let bounded, self.samples.isEmpty, bounded.fits(samples: samples, levels: levels, trials: done, batches: batches) else { return false }
            return true
        }
        return bounded == nil && self.samples.count == samples && self.samples.allSatisfy { sample in
            sample.count <= done && (sample.first.map { $0 > 0 } ?? true) && (sample.last.map { $0.isFinite } ?? true)
                && zip(sample, sample.dropFirst()).allSatisfy { $0 <= $1 }
        }
    }
}

/// A bounded-memory run's state: pass 1's histograms and sums, then pass 2's collected bins.
public struct BoundedRunState: Sendable {
    /// Pass 1, per sample: the nonzero histogram bins (bin, count), the positive losses, the largest, and
    /// Σx, Σx² (two per sample) added in batch order.
    public var bins: [[(bin: Int, count: Int)]]
    public var positives: [Int]
    public var maxima: [Double]
    public var firstTotals: [Double]
    /// Pass 2 (the replay), once pass 1 is done: its next batch (nil: pass 1 still running), the exact
    /// (value, count) runs of the needed bins per sample, the counts above each level's VaR bin per sample, and
    /// its sums in batch order.
    public var replayNextBatch: Int?
    public var collected: [[Int: [(value: Double, count: Int)]]]
    public var aboveCounts: [[Int]]
    public var secondTotals: [Double]

    public init(bins: [[(bin: Int, count: Int)]], positives: [Int], maxima: [Double], firstTotals: [Double], replayNextBatch: Int?,
                collected: [[Int: [(value: Double, count: Int)]]], aboveCounts: [[Int]], secondTotals: [Double]) {
        self.bins = bins
        self.positives = positives
        self.maxima = maxima
        self.firstTotals = firstTotals
        self.replayNextBatch = replayNextBatch
        self.collected = collected
        self.aboveCounts = aboveCounts
        self.secondTotals = secondTotals
    }

    func fits(samples: Int, levels: Int, trials: Int, batches: Range<Int>) -> Bool {
        guard bins.count == samples, positives.count == samples, maxima.count == samples, firstTotals.count == 2 * samples,
              firstTotals.allSatisfy(\.isFinite), maxima.allSatisfy({ $0.isFinite && $0 >= 0 }),
              bins.allSatisfy({ $0.allSatisfy { $0.bin >= 0 && $0.bin < LossBins.count && $0.count > 0 && $0.count <= trials } }),
              zip(bins, positives).allSatisfy({ $0.reduce(0) { $0 + $1.count } == $1 && $1 <= trials }) else { return false }
        guard let replayNextBatch else { return collected.isEmpty && aboveCounts.isEmpty && secondTotals.isEmpty }
        return (batches.contains(replayNextBatch) || replayNextBatch == batches.upperBound)
            && collected.count == samples && aboveCounts.count == samples && secondTotals.count == 2 * samples * levels
            && secondTotals.allSatisfy(\.isFinite) && aboveCounts.allSatisfy { $0.count == levels && $0.allSatisfy { $0 >= 0 && $0 <= trials } }
            && collected.allSatisfy { sample in
                sample.allSatisfy { bin, runs in
                    bin >= 0 && bin < LossBins.count && runs.allSatisfy { $0.value.isFinite && $0.count > 0 }
                        && zip(runs, runs.dropFirst()).allSatisfy { $0.value < $1.value }
                }
            }
    }
}
