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
    package func runBounded(trials: Int, seed: UInt64, threads: Int, levels: [Double], control: RunControl? = nil,
                            forceLossPass: Bool, progress: (@Sendable (Int) -> Void)? = nil) -> SimulationResult {
        let start = DispatchTime.now()
        let levels = Array(Set(levels)).sorted()
        let pass = model.needsLossPass || forceLossPass ? LossPass(model: model, collectSamples: true) : nil
        let kernel = BatchKernel(model: model, stream: NormalStream(seed: seed), lossPass: pass)
        let samples = pass == nil ? 1 : 1 + model.tokens.tokens.count + model.tokens.portfolios.count
        let workerCount = min(threads, (trials + RunLimits.batchSize - 1) / RunLimits.batchSize)

        // Pass 1: histograms, positive counts, maxima, Σx and Σx² in batch order.
        let first = (0..<workerCount).map { _ in StreamingState(samples: samples, histogram: true, partialWidth: 2 * samples, levels: 0) }
        let firstSums = BatchOrderedSums(width: 2 * samples)
        let (workers, batches, lossSums) = execute(kernel, trials: trials, threads: threads, control: control, progress: progress) { w, b, worker in
            let state = first[w]
            for j in state.partial.indices { state.partial[j] = 0 }
            Self.drain(worker) { sample, values in
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
        let n = min(trials, batches * RunLimits.batchSize)
        let firstTotals = firstSums.totals(batches: batches)
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
        let neededBins = needed, levelBins = varBins
        // Pass 2: replay the same batches, keeping the values of the needed bins and the sums above each VaR bin.
        let width = 2 * samples * levels.count
        let second = (0..<workerCount).map { _ in StreamingState(samples: samples, histogram: false, partialWidth: width, levels: levels.count) }
        let secondSums = BatchOrderedSums(width: width)
        let replay = BatchKernel(model: model, stream: NormalStream(seed: seed), lossPass: pass)
        _ = execute(replay, trials: n, threads: threads, control: nil, progress: nil) { w, b, worker in
            let state = second[w]
            for j in state.partial.indices { state.partial[j] = 0 }
            Self.drain(worker) { sample, values in
                let bins = levelBins[sample]
                for x in values {
                    let bin = LossBins.bin(x)
                    if neededBins[sample].contains(bin) { state.collectors[sample][bin, default: ValueCounter()].add(x) }
                    for (j, vbin) in bins.enumerated() where vbin != nil && bin > vbin! {
                        let k = 2 * (sample * levels.count + j), d = x - shifts[sample][j]
                        state.partial[k] += d
                        state.partial[k + 1] += d * d
                        state.aboveCounts[sample][j] += 1
                    }
                }
            }
            secondSums.deposit(batch: b, state.partial)
        }
        let secondTotals = secondSums.totals(batches: batches)
        var distributions: [any LossDistribution] = []
        for sample in 0..<samples {
            var runs: [Int: [(value: Double, count: Int)]] = [:]
            for state in second {
                for (bin, var counter) in state.collectors[sample] {
                    counter.compact()
                    runs[bin] = ValueCounter.merge(runs[bin] ?? [], counter.runs)
                }
            }
            var above: [Double: (sum: Double, squares: Double, count: Int)] = [:]
            for (j, q) in levels.enumerated() {
                let k = 2 * (sample * levels.count + j)
                above[q] = (secondTotals[k], secondTotals[k + 1], second.reduce(0) { $0 + $1.aboveCounts[sample][j] })
            }
            distributions.append(BoundedLossDistribution(
                trials: n, positives: positives[sample], maximum: maxima[sample], sum: firstTotals[2 * sample],
                sumOfSquares: firstTotals[2 * sample + 1], cumulativeBelow: cumulative[sample], binCounts: binCounts[sample],
                runs: runs, above: above))
        }
        return assemble(workers: workers, batches: batches, sums: lossSums, distributions: distributions, seed: seed,
                        requestedTrials: trials, start: start)
    }
}
