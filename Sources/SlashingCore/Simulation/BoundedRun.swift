import Dispatch
import Foundation

/// Bounded-memory runs: the same trials as `run`, but the samples are never kept whole. Pass 1 counts the
/// positive losses of each sample (total, tokens, portfolios) in a fixed histogram of 2¹⁹ bins and adds their
/// sums in batch order; pass 2 replays exactly the same random streams and keeps only the values in the bins
/// that hold the requested order statistics, plus the sums above each VaR bin. Memory is a few MiB per sample
/// and worker plus those bins, whatever the number of trials; time is about twice a plain run.
extension SimulationEngine {
    /// A worker's histograms (pass 1) or collectors (pass 2), one per sample.
    final class StreamingState: @unchecked Sendable {
        var bins: [[Int]] = []
        var positives: [Int]
        var maximum: [Double]
        var partial: [Double]
        var collectors: [[Int: ValueCounter]]
        var aboveCounts: [[Int]]

        init(samples: Int, histogram: Bool, partialWidth: Int, levels: Int) {
            if histogram { bins = [[Int]](repeating: [Int](repeating: 0, count: LossBins.count), count: samples) }
            positives = [Int](repeating: 0, count: samples)
            maximum = [Double](repeating: 0, count: samples)
            partial = [Double](repeating: 0, count: partialWidth)
            collectors = [[Int: ValueCounter]](repeating: [:], count: samples)
            aboveCounts = [[Int]](repeating: [Int](repeating: 0, count: levels), count: samples)
        }
    }

    /// Hands each sample's values of the worker's last batch to `body` (sample index, values) and empties them.
    static func drain(_ worker: BatchKernel.Worker, _ body: (Int, [Double]) -> Void) {
        if let state = worker.loss {
            body(0, state.lossyTrials)
            state.lossyTrials.removeAll(keepingCapacity: true)
            for t in state.tokenLossy.indices {
                body(1 + t, state.tokenLossy[t])
                state.tokenLossy[t].removeAll(keepingCapacity: true)
            }
            let offset = 1 + state.tokenLossy.count
            for p in state.portfolioLossy.indices {
                body(offset + p, state.portfolioLossy[p])
                state.portfolioLossy[p].removeAll(keepingCapacity: true)
            }
        } else {
            body(0, worker.lossyTrials)
            worker.lossyTrials.removeAll(keepingCapacity: true)
        }
    }

    /// Simulates `trials` trials in memory bounded independently of the trial count (see the type's comment).
    /// The statistics at `levels` are those of `run` with the same seed and trials: the same VaR and intervals,
    /// means and ES up to the order of additions.
    public func runBounded(trials: Int, seed: UInt64, threads: Int, levels: [Double], control: RunControl? = nil,
                           progress: (@Sendable (Int) -> Void)? = nil) -> SimulationResult {
        runBounded(trials: trials, seed: seed, threads: threads, levels: levels, control: control, forceLossPass: false, progress: progress)
    }

    /// `runBounded`, with `forceLossPass` sending plain models through the general loss pass (for tests).
    /// A run stopped by `control` in pass 1 replays the batches it did.
    package func runBounded(trials: Int, seed: UInt64, threads: Int, levels: [Double], control: RunControl? = nil,
                            forceLossPass: Bool, progress: (@Sendable (Int) -> Void)? = nil) -> SimulationResult {
        let run = BoundedRun(engine: self, trials: trials, seed: seed, threads: threads, levels: levels, state: nil, forceLossPass: forceLossPass)
        run.runPassOne(control: control, progress: progress)
        run.endPassOne()
        run.advance(control: nil, progress: nil)
        do { return try run.result() } catch { preconditionFailure("a fresh bounded run is consistent: \(error)") }
    }
}

/// A bounded-memory run, resumable between batches of either pass (`ResumableRun`).
final class BoundedRun: ResumableRun {
    typealias StreamingState = SimulationEngine.StreamingState
    let engine: SimulationEngine
    let trials: Int
    let seed: UInt64
    let threads: Int
    let levels: [Double]
    let samples: Int
    let kernel: BatchKernel
    /// Pass 1's worker slots; its Σx, Σx² per sample and the loss pass's totals, in batch order.
    private var first: [StreamingState]
    private let firstSums: BatchOrderedSums
    private let lossSums: BatchOrderedSums?
    private var counts: RunCounts
    /// Pass 1 covers batches 0 ..< end (fewer when stopped by a deadline); its next batch.
    private var end: Int
    private var nextBatch: Int
    private var elapsed: Double
    /// Pass 2, once pass 1 is done.
    private var replay: Replay?

    /// What pass 2 needs from pass 1, and its own state.
    private struct Replay {
        var n: Int
        var binCounts: [[Int]], cumulative: [[Int]], positives: [Int], maxima: [Double], firstTotals: [Double]
        var neededBins: [Set<Int>], levelBins: [[Int?]], shifts: [[Double]]
        var second: [StreamingState]
        var sums: BatchOrderedSums
        var next: Int
    }

    init(engine: SimulationEngine, trials: Int, seed: UInt64, threads: Int, levels: [Double], state: RunState?, forceLossPass: Bool = false) {
        let model = engine.model
        self.engine = engine
        self.trials = trials
        self.seed = seed
        self.threads = threads
        self.levels = Array(Set(levels)).sorted()
        let pass = model.needsLossPass || forceLossPass ? LossPass(model: model, collectSamples: true) : nil
        kernel = BatchKernel(model: model, stream: NormalStream(seed: seed), lossPass: pass)
        samples = pass == nil ? 1 : 1 + model.tokens.tokens.count + model.tokens.portfolios.count
        let batchCount = (trials + RunLimits.batchSize - 1) / RunLimits.batchSize
        let slots = max(1, min(threads, batchCount))
        let samples = samples
        first = (0..<slots).map { _ in StreamingState(samples: samples, histogram: true, partialWidth: 2 * samples, levels: 0) }
        let state = state ?? RunState.empty(model: model, batches: 0..<batchCount, samples: 0)
        let bounded = state.bounded
        end = state.batches.upperBound
        nextBatch = bounded?.replayNextBatch == nil ? state.nextBatch : state.batches.upperBound
        counts = state.counts
        elapsed = state.elapsedSeconds
        firstSums = BatchOrderedSums(width: 2 * samples, firstBatch: nextBatch, initial: bounded?.firstTotals)
        let resumeBatch = nextBatch, lossTotals = state.lossTotals.isEmpty ? nil : state.lossTotals
        lossSums = pass.map { BatchOrderedSums(width: $0.partialWidth, firstBatch: resumeBatch, initial: lossTotals) }
        if let bounded {
            let slot = first[0]
            for sample in 0..<samples {
                for (bin, count) in bounded.bins[sample] { slot.bins[sample][bin] += count }
                slot.positives[sample] = bounded.positives[sample]
                slot.maximum[sample] = bounded.maxima[sample]
            }
            if let replayNext = bounded.replayNextBatch {
                endPassOne()
                replay!.next = replayNext
                replay!.sums = BatchOrderedSums(width: replay!.sums.width, firstBatch: replayNext, initial: bounded.secondTotals)
                let slot = replay!.second[0]
                for sample in 0..<samples {
                    for (bin, runs) in bounded.collected[sample] { slot.collectors[sample][bin] = ValueCounter(runs: runs) }
                    slot.aboveCounts[sample] = bounded.aboveCounts[sample]
                }
            }
        }
    }

    var isFinished: Bool { replay.map { $0.next >= end } ?? false }

    var trialsDone: Int { min(trials, nextBatch * RunLimits.batchSize) }

    var replayTrialsDone: Int? { replay.map { min($0.n, $0.next * RunLimits.batchSize) } }

    func advance(control: RunControl?, progress: (@Sendable (Int) -> Void)?) {
        if replay == nil {
            runPassOne(control: control, progress: progress)
            guard nextBatch >= end else { return }
            endPassOne()
            if control?.shouldStop == true { return }
        }
        runPassTwo(control: control)
    }

    /// Pass 1: histograms, positive counts, maxima, Σx and Σx² in batch order.
    func runPassOne(control: RunControl?, progress: (@Sendable (Int) -> Void)?) {
        guard replay == nil, nextBatch < end else { return }
        let start = DispatchTime.now()
        let first = first, firstSums = firstSums, before = trialsDone
        let (workers, done, _) = engine.execute(kernel, trials: trials, threads: threads, control: control,
                                                progress: SimulationEngine.offset(progress, by: before), batches: nextBatch..<end,
                                                sums: lossSums) { w, b, worker in
            let state = first[w]
            for j in state.partial.indices { state.partial[j] = 0 }
            SimulationEngine.drain(worker) { sample, values in
                for x in values {
                    state.bins[sample][LossBins.bin(x)] += 1
                    state.partial[2 * sample] += x
                    state.partial[2 * sample + 1] += x * x
                    if x > state.maximum[sample] { state.maximum[sample] = x }
                }
                state.positives[sample] += values.count
            }
            firstSums.deposit(batch: b, state.partial)
        }
        counts.add(RunCounts(workers: workers, model: engine.model))
        nextBatch += done
        elapsed += SimulationEngine.seconds(since: start)
    }

    /// Ends pass 1 at the batches done (all of them, or fewer after a deadline) and prepares the replay.
    func endPassOne() {
        guard replay == nil else { return }
        end = nextBatch
        let n = min(trials, end * RunLimits.batchSize)
        let firstTotals = firstSums.current().totals
        var binCounts: [[Int]] = [], cumulative: [[Int]] = [], positives: [Int] = [], maxima: [Double] = []
        for sample in 0..<samples {
            var counts = [Int](repeating: 0, count: LossBins.count)
            for state in first { for b in 0..<LossBins.count where state.bins[sample][b] != 0 { counts[b] += state.bins[sample][b] } }
            var below = [Int](repeating: 0, count: LossBins.count)
            var running = 0
            for b in 0..<LossBins.count { below[b] = running; running += counts[b] }
            binCounts.append(counts)
            cumulative.append(below)
            positives.append(first.reduce(0) { $0 + $1.positives[sample] })
            maxima.append(first.reduce(0) { max($0, $1.maximum[sample]) })
        }
        for state in first { state.bins = [] }
        // The bins to collect, and each level's VaR bin (nil when VaR is 0).
        let ranks = BoundedLossDistribution.neededRanks(levels: levels, trials: n)
        var needed: [Set<Int>] = [], varBins: [[Int?]] = []
        for sample in 0..<samples {
            let zeros = n - positives[sample]
            needed.append(Set(ranks.compactMap {
                BoundedLossDistribution.bin(ofRank: $0, zeroCount: zeros, cumulativeBelow: cumulative[sample], binCounts: binCounts[sample])
            }))
            varBins.append(levels.map {
                BoundedLossDistribution.bin(ofRank: RiskStatistics.rank(level: $0, trials: n), zeroCount: zeros,
                                            cumulativeBelow: cumulative[sample], binCounts: binCounts[sample])
            })
        }
        let shifts = varBins.map { $0.map { $0.map(BoundedLossDistribution.lowerEdge(ofBin:)) ?? 0 } }
        let width = 2 * samples * levels.count
        let samples = samples, levelCount = levels.count
        let second = first.indices.map { _ in StreamingState(samples: samples, histogram: false, partialWidth: width, levels: levelCount) }
        replay = Replay(n: n, binCounts: binCounts, cumulative: cumulative, positives: positives, maxima: maxima, firstTotals: firstTotals,
                        neededBins: needed, levelBins: varBins, shifts: shifts, second: second, sums: BatchOrderedSums(width: width), next: 0)
    }

    /// Pass 2: replays the same batches, keeping the values of the needed bins and the sums above each VaR bin.
    private func runPassTwo(control: RunControl?) {
        guard let plan = replay, plan.next < end else { return }
        let start = DispatchTime.now()
        let levelCount = levels.count
        let replayKernel = BatchKernel(model: engine.model, stream: NormalStream(seed: seed), lossPass: kernel.lossPass)
        let (_, done, _) = engine.execute(replayKernel, trials: plan.n, threads: threads, control: control, progress: nil,
                                          batches: plan.next..<end) { w, b, worker in
            let state = plan.second[w]
            for j in state.partial.indices { state.partial[j] = 0 }
            SimulationEngine.drain(worker) { sample, values in
                let bins = plan.levelBins[sample]
                for x in values {
                    let bin = LossBins.bin(x)
                    if plan.neededBins[sample].contains(bin) { state.collectors[sample][bin, default: ValueCounter()].add(x) }
                    for (j, vbin) in bins.enumerated() where vbin != nil && bin > vbin! {
                        let k = 2 * (sample * levelCount + j), d = x - plan.shifts[sample][j]
                        state.partial[k] += d
                        state.partial[k + 1] += d * d
                        state.aboveCounts[sample][j] += 1
                    }
                }
            }
            plan.sums.deposit(batch: b, state.partial)
        }
        replay!.next += done
        elapsed += SimulationEngine.seconds(since: start)
    }

    /// Each sample's collected runs, merged over the worker slots.
    private func collectedRuns(_ plan: Replay) -> [[Int: [(value: Double, count: Int)]]] {
        (0..<samples).map { sample in
            var runs: [Int: [(value: Double, count: Int)]] = [:]
            for state in plan.second {
                for (bin, var counter) in state.collectors[sample] {
                    counter.compact()
                    runs[bin] = ValueCounter.merge(runs[bin] ?? [], counter.runs)
                }
            }
            return runs
        }
    }

    var state: RunState {
        var state = RunState.empty(model: engine.model, batches: 0..<end, samples: 0)
        state.nextBatch = nextBatch
        state.counts = counts
        state.elapsedSeconds = elapsed
        state.lossTotals = lossSums?.current().totals ?? []
        if let plan = replay {
            state.bounded = BoundedRunState(
                bins: plan.binCounts.map { counts in counts.indices.compactMap { counts[$0] > 0 ? ($0, counts[$0]) : nil } },
                positives: plan.positives, maxima: plan.maxima, firstTotals: plan.firstTotals, replayNextBatch: plan.next,
                collected: collectedRuns(plan),
                aboveCounts: (0..<samples).map { sample in (0..<levels.count).map { j in plan.second.reduce(0) { $0 + $1.aboveCounts[sample][j] } } },
                secondTotals: plan.sums.current().totals)
        } else {
            state.bounded = BoundedRunState(
                bins: (0..<samples).map { sample in
                    var counts: [Int: Int] = [:]
                    for slot in first { for b in 0..<LossBins.count where slot.bins[sample][b] != 0 { counts[b, default: 0] += slot.bins[sample][b] } }
                    return counts.keys.sorted().map { ($0, counts[$0]!) }
                },
                positives: (0..<samples).map { sample in first.reduce(0) { $0 + $1.positives[sample] } },
                maxima: (0..<samples).map { sample in first.reduce(0) { max($0, $1.maximum[sample]) } },
                firstTotals: firstSums.current().totals, replayNextBatch: nil, collected: [], aboveCounts: [], secondTotals: [])
        }
        return state
    }

    func result() throws(RunState.Inconsistent) -> SimulationResult {
        guard let plan = replay, isFinished else { preconditionFailure("the bounded run is not finished") }
        let secondTotals = plan.sums.current().totals
        let runs = collectedRuns(plan)
        // Each needed bin holds exactly the values the histogram counted there, and no other bin was collected.
        for sample in 0..<samples {
            for (bin, list) in runs[sample] where !plan.neededBins[sample].contains(bin)
                || list.reduce(0, { $0 + $1.count }) != plan.binCounts[sample][bin] || list.contains(where: { LossBins.bin($0.value) != bin }) {
                throw RunState.Inconsistent(description: "the values collected in histogram bin \(bin) of sample \(sample) disagree with the histogram")
            }
            for bin in plan.neededBins[sample] where runs[sample][bin] == nil && plan.binCounts[sample][bin] > 0 {
                throw RunState.Inconsistent(description: "histogram bin \(bin) of sample \(sample) was not collected")
            }
        }
        var distributions: [any LossDistribution] = []
        for sample in 0..<samples {
            var above: [Double: (sum: Double, squares: Double, count: Int)] = [:]
            for (j, q) in levels.enumerated() {
                let k = 2 * (sample * levels.count + j)
                above[q] = (secondTotals[k], secondTotals[k + 1], plan.second.reduce(0) { $0 + $1.aboveCounts[sample][j] })
            }
            distributions.append(BoundedLossDistribution(
                trials: plan.n, positives: plan.positives[sample], maximum: plan.maxima[sample], sum: plan.firstTotals[2 * sample],
                sumOfSquares: plan.firstTotals[2 * sample + 1], cumulativeBelow: plan.cumulative[sample], binCounts: plan.binCounts[sample],
                runs: runs[sample], above: above))
        }
        var result = engine.finish(counts: counts, totals: lossSums?.current().totals, distributions: distributions, seed: seed,
                                   threads: max(1, min(threads, end)), requestedTrials: trials, start: .now())
        result.elapsedSeconds = elapsed
        return result
    }
}
