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

    /// Whether this state fits a run of `model` with `samples` samples (a checkpoint's arrays were checked
    /// for their lengths before a run goes on from them).
    public func fits(model: CompiledModel, bounded isBounded: Bool) -> Bool {
        let samples = model.needsLossPass ? 1 + model.tokens.tokens.count + model.tokens.portfolios.count : 1
        let width = model.needsLossPass ? LossPass.Layout(model: model).width : 0
        guard faultCounts.count == model.operatorCount, slashCounts.count == model.operatorCount,
              incidentCounts.count == model.services.count, liquidationCounts.count == model.tokens.portfolios.count,
              batches.contains(nextBatch) || nextBatch == batches.upperBound,
              lossTotals.isEmpty || lossTotals.count == width, batchSums.allSatisfy({ $0.count == width }),
              batchSums.isEmpty || batchSums.count == nextBatch - batches.lowerBound else { return false }
        if isBounded {
            guard let bounded, samples == bounded.positives.count, bounded.fits(samples: samples) else { return false }
            return true
        }
        return bounded == nil && self.samples.count == samples
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

    func fits(samples: Int) -> Bool {
        guard bins.count == samples, maxima.count == samples, firstTotals.count == 2 * samples,
              bins.allSatisfy({ $0.allSatisfy { $0.bin >= 0 && $0.bin < LossBins.count && $0.count > 0 } }) else { return false }
        if replayNextBatch == nil { return collected.isEmpty && aboveCounts.isEmpty && secondTotals.isEmpty }
        return collected.count == samples && aboveCounts.count == samples
            && collected.allSatisfy { $0.keys.allSatisfy { $0 >= 0 && $0 < LossBins.count } }
    }
}
