import Foundation
import SlashingCore

/// A checked run: the compiled model and the settings after command-line overrides, refused with a
/// clear message when it would not fit in memory.
struct RunPlan: Sendable {
    let model: CompiledModel
    private(set) var trials: Int
    let seed: UInt64
    let threads: Int
    let levels: [Double]
    let memory: MemoryMode

    /// How the run keeps its samples.
    enum MemoryMode: String, Sendable, CaseIterable {
        /// Every positive loss, sorted: memory grows with the trials that lose something.
        case inMemory = "in-memory"
        /// Histograms and the few bins around each requested quantile, from two passes over the same
        /// random streams: memory independent of the trial count, about twice the time.
        case bounded
    }

    /// Why a run cannot start.
    struct Refusal: Error, Sendable, CustomStringConvertible {
        public let problem: String
        public let fix: String
        public var description: String { "\(problem). Fix: \(fix)" }
    }

    /// The same plan with `n` ≤ `trials` trials (its memory check holds a fortiori).
    func limited(to n: Int) -> RunPlan {
        var copy = self
        copy.trials = min(n, trials)
        return copy
    }

    /// Checks memory: refuses when the worst-case estimate exceeds 80 % of available memory.
    /// `trialsSource` names where the trial count came from (`--trials` or `simulation.trials`).
    init(model: CompiledModel, trials: Int, seed: UInt64, threads: Int, levels: [Double], trialsSource: String,
                availableBytes: Double = RunLimits.availableMemoryBytes(), memory: MemoryMode = .inMemory,
                importanceSampling: Bool = false) throws(Refusal) {
        let gib = { (x: Double) in String(format: "%.1f", x / 1_073_741_824) }
        switch memory {
        case .inMemory:
            let needed = RunLimits.estimatedBytes(model: model, trials: trials, threads: threads, importanceSampling: importanceSampling)
            if needed > 0.8 * availableBytes {
                let suggested = RunLimits.roundedDown(Double(trials) * 0.8 * availableBytes / needed)
                throw Refusal(
                    problem: "\(trialsSource) \(trials) needs up to \(gib(needed)) GiB of memory for per-trial losses and buffers, but only \(gib(availableBytes)) GiB is available",
                    fix: importanceSampling
                        ? "lower \(trialsSource) to about \(suggested) or fewer (importance sampling needs far fewer trials for the same tail precision), or pass --no-memory-check to run anyway"
                        : "lower \(trialsSource) to about \(suggested) or fewer, or pass --memory bounded (memory independent of the trials, about twice the time), or --no-memory-check to run anyway")
            }
        case .bounded:
            let needed = RunLimits.estimatedBoundedBytes(model: model, threads: threads)
            if needed > 0.8 * availableBytes {
                throw Refusal(problem: "the bounded-memory run needs about \(gib(needed)) GiB for its histograms and buffers, but only \(gib(availableBytes)) GiB is available",
                              fix: "run with fewer --threads")
            }
        }
        self.memory = memory
        self.model = model
        self.trials = trials
        self.seed = seed
        self.threads = threads
        self.levels = levels
    }
}
