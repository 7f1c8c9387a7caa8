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

/// `validate --precision P`: the trials a run needs, predicted from a pilot run. `run --precision` checks at
/// 16, 32, 64, … batches whether every VaR's 95 % interval half-width and every ES standard error is within P
/// of its estimate; the prediction replays that check on the pilot's empirical distribution. At n trials the
/// VaR interval is the pair of order statistics of ranks l and u (the binomial quantiles of Bin(n, q)), so its
/// half-width is predicted as half the distance between the pilot's quantiles at l/n and u/n — which shrinks
/// as 1/√n where the distribution is continuous and falls to zero inside an atom, as the real interval does;
/// the ES standard error shrinks as 1/√n. Where the band l/n … u/n is narrower than 8 of the pilot's trials
/// and not inside an atom of the pilot, the last half-width the pilot resolved is scaled by 1/√n instead; a level the pilot could not bound at all
/// needs at least 100 trials beyond it. Either way, and when a VaR sits at a jump of the distribution whose
/// edge the pilot cannot place, the prediction is marked unresolved with a note saying which way it may err.
struct PrecisionPrediction: Encodable {
    var relative: Double
    var pilotTrials: Int
    var predictedTrials: Int
    /// The statistic met last, e.g. "VaR 99.99 %".
    var limitingStatistic: String
    /// False when some level had too few pilot trials beyond it to measure its error (a lower bound then), or
    /// when the pilot's time budget cut it short of 20 trials beyond the highest level (a rougher guess).
    var resolved: Bool
    /// Why the prediction is uncertain, when it is.
    var note: String?
    var estimatedSeconds: Double

    /// A cap for `run --precision`: the first trial count of its doubling schedule at least twice the
    /// prediction, so that a prediction off by up to 2× is still found.
    var suggestedCap: Int {
        var batches = PrecisionSearch.firstBatches
        while batches * RunLimits.batchSize < 2 * predictedTrials, batches < Int.max / 4 / RunLimits.batchSize { batches *= 2 }
        return batches * RunLimits.batchSize
    }

    enum CodingKeys: String, CodingKey {
        case relative, pilotTrials = "pilot_trials", predictedTrials = "predicted_trials", limitingStatistic = "limiting_statistic"
        case resolved, note, estimatedSeconds = "estimated_seconds", suggestedCap = "suggested_cap"
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(relative, forKey: .relative)
        try c.encode(pilotTrials, forKey: .pilotTrials)
        try c.encode(predictedTrials, forKey: .predictedTrials)
        try c.encode(limitingStatistic, forKey: .limitingStatistic)
        try c.encode(resolved, forKey: .resolved)
        try c.encode(note, forKey: .note)
        try c.encode(estimatedSeconds, forKey: .estimatedSeconds)
        try c.encode(suggestedCap, forKey: .suggestedCap)
    }

    /// The largest trial count predicted (2⁴⁰): beyond it the prediction says "more than".
    static let largestTrials = 1 << 40

    /// Runs the pilot and predicts, priced at the pilot's own speed. The pilot is one of the trial counts
    /// `run --precision` checks (the first trials of the run), the first with 20 trials beyond the highest
    /// level, but at most about `budgetSeconds` of simulation (from `secondsPerTrial`, a one-batch timing).
    static func predict(model: CompiledModel, levels: [Double], seed: UInt64, threads: Int, relative: Double,
                        secondsPerTrial: Double, budgetSeconds: Double = 2) -> PrecisionPrediction {
        let first = PrecisionSearch.firstBatches * RunLimits.batchSize
        let wanted = 20 / max(1e-12, 1 - (levels.max() ?? 0.99))
        let affordable = budgetSeconds / max(1e-12, secondsPerTrial)
        var n0 = first
        while Double(n0) < wanted, Double(2 * n0) <= affordable, n0 < Int.max / 4 { n0 *= 2 }
        let pilot = SimulationEngine(model: model).run(trials: n0, seed: seed, threads: threads)
        var prediction = predict(pilot: pilot.losses, levels: levels, relative: relative, secondsPerTrial: pilot.elapsedSeconds / Double(n0))
        if Double(n0) < wanted, prediction.note == nil, let top = levels.max() {
            // The time budget cut the pilot short of 20 trials beyond the highest level: fewer tail trials, a rougher guess.
            prediction.resolved = false
            prediction.note = "the pilot stopped at \(TextFormat.count(n0)) trials (its \(TextFormat.fixed(budgetSeconds, 0)) s budget), "
                + "with about \(Int((Double(n0) * (1 - top)).rounded())) beyond VaR \(TextFormat.level(top)) of the 20 wanted: the prediction may be off by more than a factor of two"
        }
        return prediction
    }

    /// The prediction from a pilot sample: the first trial count of the doubling schedule from the pilot's
    /// at which every statistic is predicted within `relative`.
    static func predict(pilot: LossSample, levels: [Double], relative: Double, secondsPerTrial: Double) -> PrecisionPrediction {
        let n0 = pilot.trials
        let summary = pilot.summarize(levels: levels)
        var statistics: [Statistic] = summary.quantiles.map { VaRStatistic(pilot: pilot, estimate: $0, relative: relative) }
        statistics += summary.expectedShortfall.map { es in
            ESStatistic(name: "ES " + TextFormat.level(es.level), pilotTrials: n0, standardError: es.standardError, target: relative * es.loss)
        }
        var n = n0, limiting: Statistic?
        var pending = statistics
        while true {
            let failing = pending.filter { !$0.met(trials: n) }
            if failing.isEmpty { break }
            limiting = failing[0]
            if 2 * n > largestTrials { n = largestTrials; break }
            pending = failing
            n *= 2
        }
        var note = limiting?.caveat
        if n == largestTrials, note == nil { note = "more than \(TextFormat.count(largestTrials)) trials: the target is out of reach of plain sampling; try --importance-sampling or a looser precision" }
        if note == nil, let unbounded = statistics.lazy.compactMap(\.caveat).first, limiting != nil { note = unbounded }
        return PrecisionPrediction(relative: relative, pilotTrials: n0, predictedTrials: n,
                                   limitingStatistic: limiting?.name ?? "none (the pilot already meets it)", resolved: note == nil,
                                   note: note, estimatedSeconds: Double(n) * secondsPerTrial)
    }

    /// One statistic of the check: whether it is predicted within the target at n trials (asked for n0, 2n0, …
    /// in order), and why its prediction is uncertain, if it is.
    class Statistic {
        let name: String
        var caveat: String?
        init(name: String) { self.name = name }
        func met(trials n: Int) -> Bool { true }
    }

    final class ESStatistic: Statistic {
        let pilotTrials: Int, standardError: Double, target: Double
        init(name: String, pilotTrials: Int, standardError: Double, target: Double) {
            self.pilotTrials = pilotTrials
            self.standardError = standardError
            self.target = target
            super.init(name: name)
        }
        override func met(trials n: Int) -> Bool { standardError * (Double(pilotTrials) / Double(n)).squareRoot() <= target }
    }

    final class VaRStatistic: Statistic {
        let pilot: LossSample, level: Double, target: Double
        /// The last half-width the pilot resolved, and at how many trials: extrapolated as 1/√n past it.
        var lastResolved: (halfWidth: Double, trials: Int)?
        let atAtom: Bool

        init(pilot: LossSample, estimate q: QuantileEstimate, relative: Double) {
            self.pilot = pilot
            level = q.level
            target = relative * q.loss
            // Several pilot trials at VaR itself: a jump of the loss distribution, whose edge may be near q.
            atAtom = pilot.countAtMost(q.loss) - pilot.countAtMost(q.loss.nextDown) >= 10 && q.loss > 0
            if let upper = q.upper95 { lastResolved = ((upper - q.lower95) / 2, pilot.trials) }
            super.init(name: "VaR " + TextFormat.level(q.level))
            if q.upper95 == nil {
                caveat = "too few pilot trials beyond \(name) to measure its error: at least this many trials, likely more"
            }
        }

        override func met(trials n: Int) -> Bool {
            let halfWidth: Double
            if let band = PrecisionPrediction.varBand(pilot: pilot, level: level, trials: n),
               band.ranks >= 8 || n <= pilot.trials || band.insideAtom {
                halfWidth = band.halfWidth
                lastResolved = (halfWidth, n)
            } else if let last = lastResolved {
                halfWidth = last.halfWidth * (Double(last.trials) / Double(n)).squareRoot()
                if atAtom, halfWidth > 0 {
                    caveat = "\(name) sits at a jump of the loss distribution (\(TextFormat.eth(pilot.orderStatistic(RiskStatistics.rank(level: level, trials: pilot.trials)))) ETH, where several losses coincide); the pilot cannot tell on which side of it the level falls, so the trials may be far fewer"
                }
            } else {
                return Double(n) >= 100 / max(1e-300, 1 - level)
            }
            return halfWidth <= target
        }
    }

    /// The VaR interval at n trials predicted from the pilot: half the distance between the pilot's quantiles at
    /// the interval's ranks l/n and u/n, and how many pilot trials lie between them; nil when the interval
    /// would be unbounded at n, or its upper end beyond the pilot's largest loss.
    /// `insideAtom`: the pilot's losses are equal over the band widened by 4 ranks each way, so the band lies in
    /// a jump of the distribution rather than between two neighbouring trials.
    static func varBand(pilot: LossSample, level q: Double, trials n: Int) -> (halfWidth: Double, ranks: Int, insideAtom: Bool)? {
        let binomial = BinomialDistribution(n: n, p: q)
        let l = binomial.quantile(0.025), u = binomial.quantile(0.975) + 1
        guard u <= n else { return nil }
        let n0 = Double(pilot.trials)
        let lower = max(1, Int((Double(l) / Double(n) * n0).rounded(.up)))
        let upper = Int((Double(u) / Double(n) * n0).rounded(.up))
        guard upper <= pilot.trials else { return nil }
        let low = l >= 1 ? pilot.orderStatistic(lower) : 0
        let insideAtom = pilot.orderStatistic(max(1, lower - 4)) == pilot.orderStatistic(min(pilot.trials, upper + 4))
        return ((pilot.orderStatistic(upper) - low) / 2, upper - lower, insideAtom)
    }
}
