#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Fixed sizes of a run and the resource checks made before it starts.
public enum RunLimits {
    /// Trials per batch. Fixed (never derived from the thread count) so that batch b always draws the
    /// same random numbers: results are identical for any number of threads.
    public static let batchSize = 1024
    /// Most trials one run accepts (the trial index must stay exact in a Double, and no sane run is larger).
    public static let maximumTrials = 1_000_000_000_000
    /// Most operators of any scenario: the factor, constant and independent forms hold a few numbers per
    /// operator (a chunk of uniforms per worker, the loadings), so this is a sanity bound, not a memory one.
    public static let maximumOperators = 1_000_000
    /// Most operators with an explicit correlation matrix: it holds the N×N Cholesky factor (3.2 GB at
    /// N = 20,000) and multiplies N×1024 batches; larger sets belong in the factor form.
    public static let maximumMatrixOperators = 20_000

    /// Memory the run needs in the worst case, in bytes: per-trial losses for every trial that can lose
    /// (the union bound P(any fault) ≤ Σ p_i, with a 6-σ margin), the Cholesky factor, and worker buffers.
    /// Importance sampling keeps (loss, weight) pairs, and under the shift any trial may lose.
    public static func estimatedBytes(model: CompiledModel, trials: Int, threads: Int, importanceSampling: Bool = false) -> Double {
        let n = Double(model.operatorCount)
        var pAny = 0.0
        for (p, loss) in zip(model.faultProbabilities, model.lossIfFault) where loss > 0 { pAny += p }
        for s in model.services.incidentServices { pAny += model.services.incidentProbabilities[s] }
        pAny = min(1, pAny)
        let t = Double(trials)
        let lossyTrials = importanceSampling ? t : min(t, t * pAny + 6 * (t * pAny * (1 - pAny)).squareRoot() + 1024)
        // The collected samples (total, each token, each portfolio) plus a sorted copy.
        let samples = Double(1 + model.tokens.tokens.count + model.tokens.portfolios.count)
        let lossBytes = lossyTrials * (importanceSampling ? 16 : 8) * 2 * samples
        let factorBytes: Double
        if case .cholesky = model.dependence { factorBytes = n * n * 8 } else { factorBytes = 0 }
        let shiftBytes = model.factorCount > 0 ? n * Double(BatchKernel.chunkTrials(operators: model.operatorCount)) * 8 : 0  // a·F, one chunk
        // Importance sampling also keeps every operator's conditional probability for a batch.
        let twistBytes = importanceSampling ? n * Double(batchSize) * 8 : 0
        // The normals of a batch (explicit matrix), or the uniforms of a chunk (the conditional forms).
        let drawBytes = n * Double(model.conditionalForm != nil ? BatchKernel.chunkTrials(operators: model.operatorCount) : batchSize) * 8
        let workerBytes = Double(threads) * (drawBytes + shiftBytes + twistBytes
            + Double(max(1, model.factorCount) * batchSize) * 8 + n * 8)
        return lossBytes + factorBytes + workerBytes
    }

    /// Memory a bounded-memory run needs, in bytes, apart from the values of the few histogram bins it
    /// collects: per sample (total, tokens, portfolios) a 2¹⁹-bin histogram per worker and two merged copies,
    /// plus the worker buffers.
    public static func estimatedBoundedBytes(model: CompiledModel, threads: Int) -> Double {
        let samples = Double(1 + model.tokens.tokens.count + model.tokens.portfolios.count)
        let histogram = Double(LossBins.count * 8)
        return samples * histogram * Double(threads + 2) + estimatedBytes(model: model, trials: 0, threads: threads)
    }

    /// Memory available to this process, in bytes (MemAvailable from /proc/meminfo, else physical memory).
    public static func availableMemoryBytes() -> Double {
        if let text = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8) {
            for line in text.split(separator: "\n") where line.hasPrefix("MemAvailable:") {
                let fields = line.split(separator: " ")
                if fields.count >= 2, let kib = Double(fields[1]) { return kib * 1024 }
            }
        }
        return Double(ProcessInfo.processInfo.physicalMemory)
    }

    /// `x` rounded down to two significant digits (at least 1), for suggestions in messages.
    package static func roundedDown(_ x: Double) -> Int {
        guard x >= 100 else { return max(1, Int(x)) }
        let scale = pow(10, (log10(x) - 1).rounded(.down))
        return Int((x / scale).rounded(.down) * scale)
    }
}
