import ArgumentParser
import Foundation
import SlashingCore
import SlashingReports

/// `--precision P`: a relative precision, written `1%` or `0.01`, in (0, 1).
struct RelativePrecision: ExpressibleByArgument {
    let value: Double

    init?(argument: String) {
        let text = argument.trimmingCharacters(in: .whitespaces)
        let number = text.hasSuffix("%") ? Double(text.dropLast()).map { $0 / 100 } : Double(text)
        guard let number, number > 0, number < 1 else { return nil }
        value = number
    }
}

/// How many trials a run needs for a relative precision: every requested VaR's 95 % interval half-width and
/// every ES standard error within P of its estimate. Checked at 16, 32, 64, … batches (doubling) up to the
/// plan's trials, the cap; since a run of n trials is the same whatever came before, the run of the trials
/// found is the report of a fixed run of that many trials.
enum PrecisionSearch {
    /// The first batch count checked.
    static let firstBatches = 16

    struct Outcome {
        let trials: Int
        let met: Bool
        let checks: [Int]
    }

    static func trials(plan: RunPlan, relative: Double) -> Outcome {
        let engine = SimulationEngine(model: plan.model)
        var n = min(plan.trials, firstBatches * RunLimits.batchSize)
        var checks: [Int] = []
        while true {
            let result = engine.run(trials: n, seed: plan.seed, threads: plan.threads)
            checks.append(n)
            if meets(result.distribution.summarize(levels: plan.levels), relative: relative) {
                return Outcome(trials: n, met: true, checks: checks)
            }
            if n >= plan.trials { return Outcome(trials: n, met: false, checks: checks) }
            n = min(2 * n, plan.trials)
        }
    }

    /// Whether every VaR interval half-width and ES standard error is within `relative` of its estimate (an
    /// estimate of 0 needs an error of 0; an unbounded interval is never within).
    static func meets(_ summary: LossSummary, relative: Double) -> Bool {
        for q in summary.quantiles {
            guard let upper = q.upper95 else { return false }
            if (upper - q.lower95) / 2 > relative * q.loss { return false }
        }
        return summary.expectedShortfall.allSatisfy { $0.standardError <= relative * $0.loss }
    }
}
