import Foundation

/// Importance sampling in two steps (Glasserman & Li, "Importance sampling for portfolio credit risk",
/// Management Science 51(11), 2005). Step 1: the factors are drawn as F = Z + μ with Z standard normal, so
/// trials lean towards the factor values that cause large losses, with the likelihood ratio
/// φ(F)/φ(F − μ) = exp(−μ·Z − |μ|²/2). Step 2 (`ExponentialTwist`): given F, faults and incidents are drawn
/// with exponentially twisted probabilities, with their own ratio. The trial's weight w is the product, and
/// every weighted estimator is unbiased for any μ and twist.
///
/// μ maximises J(z) = F_x(z) − |z|²/2, where F_x(z) = min_θ≥0 (−θx + ψ(θ, z)) bounds log P(L > x | F = z)
/// (ψ(θ, z) = Σ_i log(1 + p_i(z)(e^{θℓ_i} − 1)), p_i(z) = Φ((c_i − a_i·z)/b_i)): the most likely factor value
/// among those that make a loss of x likely. x is the VaR at the target level, from short pilot runs.
public struct ImportanceShift: Sendable, Equatable {
    /// μ, one entry per factor.
    public let mean: [Double]
    /// The quantile level the shift aims at, and the loss x it was chosen for.
    public let targetLevel: Double
    public let targetLoss: Double
    /// The conditional twist of the operators' faults and the incidents given the factors; nil: shift only.
    public let twist: ExponentialTwist?
    /// |μ|²/2.
    let halfSquaredNorm: Double

    public init(mean: [Double], targetLevel: Double, targetLoss: Double, twist: ExponentialTwist? = nil) {
        self.mean = mean
        self.targetLevel = targetLevel
        self.targetLoss = targetLoss
        self.twist = twist
        halfSquaredNorm = 0.5 * mean.reduce(0) { $0 + $1 * $1 }
    }

    /// Why a scenario cannot be importance-sampled: the scenario key at fault, the reason and the fix.
    public struct Unsupported: Error, Sendable, CustomStringConvertible {
        public let key: String
        public let description: String
        public let fix: String

        init(key: String = "correlation", description: String, fix: String) {
            self.key = key
            self.description = description
            self.fix = fix
        }
    }

    /// α, the share of trials drawn from the model's own law (a defensive mixture, Hesterberg 1995): the weight
    /// p/(αp + (1 − α)q) = 1/(α + (1 − α)·q/p) never exceeds 1/α, so the body of the distribution (mean, P(loss),
    /// low quantiles) keeps at least α of plain sampling's precision, while the tail gets the importance sampler's.
    public static let defensiveShare = 0.1

    /// The weight of a trial whose likelihood ratio under the importance sampler is q/p = exp(logRatio).
    @inline(__always)
    static func mixtureWeight(logRatio: Double) -> Double {
        1 / (defensiveShare + (1 - defensiveShare) * exp(logRatio))
    }

    /// Trials of each pilot run that estimates the target VaR.
    public static let pilotTrials = 1 << 13
    /// Most pilot runs: each aims at the previous one's VaR, until it moves by less than 5 %.
    public static let maximumPilots = 3

    /// The Philox key of pilot `j`'s streams: derived from the run's seed, distinct from it.
    static func pilotSeed(_ seed: UInt64, _ j: Int) -> UInt64 { seed ^ (0x9E37_79B9_7F4A_7C15 &* UInt64(j + 1)) }

    /// Chooses μ and the twist for `model`, aimed at VaR at `level`. A first target x is the large-pool VaR
    /// (the expected loss given the factors at the level's normal quantile along the direction in which it
    /// grows fastest); then up to `maximumPilots` pilot runs of `pilotTrials` trials, each importance-sampled
    /// for the current x, replace x with their VaR. Every pilot runs on its own streams, so the choice
    /// depends on the scenario, level and seed only, never on the threads.
    public static func choose(model: CompiledModel, level: Double, seed: UInt64, threads: Int) throws(Unsupported) -> ImportanceShift {
        var objective = try Objective(model: model)
        // A loss at level q never needs the factors further out than the level's own normal quantile (with a margin).
        objective.radius = NormalDistribution.quantile(level) + 1.5
        let origin = [Double](repeating: 0, count: objective.k)
        let direction = objective.gradientOfMeanLoss(at: origin)
        let norm = direction.reduce(0) { $0 + $1 * $1 }.squareRoot()
        var x = norm > 0 ? objective.meanLoss(at: direction.map { $0 / norm * NormalDistribution.quantile(level) }) : objective.meanLoss(at: origin)
        func shift(for x: Double) -> ImportanceShift {
            ImportanceShift(mean: objective.maximise(loss: x), targetLevel: level, targetLoss: x,
                            twist: ExponentialTwist(target: x, incidentLosses: objective.incidentLosses))
        }
        var current = shift(for: x)
        guard x > 0 else { return current }
        let engine = SimulationEngine(model: model)
        for j in 0..<maximumPilots {
            let pilot = engine.run(trials: pilotTrials, seed: pilotSeed(seed, j), threads: threads, importance: current)
            let next = pilot.distribution.tailPoint(level: level).value
            guard next > 0 else { break }
            let moved = abs(next - x) / x
            x = next
            current = shift(for: x)
            if moved < 0.05 { break }
        }
        return current
    }

    /// J(z) and its parts for a conditional (factor) model. The "obligors" are the operators (loss ℓ_i =
    /// lossIfFault, probability Φ((c_i − a_i·z)/b_i)) and the services with incidents (loss: the stake an
    /// incident alone slashes, Σ_i stake_i·m_is·min(1, v_s); probability Φ((c_s − g_s·z)/b_s), or q_s when the
    /// incident loads on no factor), taken as independent given z: the bound ignores the cap of an operator's
    /// loss at its stake when a fault and an incident coincide, which changes μ a little and the estimates not at all.
    struct Objective {
        let n: Int, k: Int
        /// Row o, factor f at o·k + f.
        let loadings: [Double]
        let inverseB: [Double], thresholds: [Double], losses: [Double]
        /// Largest distance from the origin the search considers.
        var radius = 12.0
        /// Per service, the stake an incident alone slashes (0 without incidents).
        let incidentLosses: [Double]

        init(model: CompiledModel) throws(Unsupported) {
            guard let form = model.conditionalForm, form.factors > 0 else {
                throw Unsupported(description: "importance sampling shifts the common factors, and this scenario's correlation (\(model.dependenceDescription)) has none",
                                  fix: "write the correlation as `constant` (ρ > 0), `factors` or `derived`, or run without --importance-sampling")
            }
            guard model.copula == .gaussian else {
                throw Unsupported(key: "copula", description: "importance sampling shifts the Gaussian factors, but under the Student t copula the tail comes mostly from the shared mixing variable W, which it does not shift (the estimates would stay unbiased but could be worse than plain sampling)",
                                  fix: "run without --importance-sampling (plain sampling, with more trials), or with `copula: gaussian` if the Gaussian copula answers the question")
            }
            let operators = model.operatorCount, k = form.factors
            let services = model.services, s = services.count
            var loadings: [Double] = [], inverseB: [Double] = [], thresholds: [Double] = [], losses: [Double] = []
            for i in 0..<operators {
                for f in 0..<k { loadings.append(form.loadings[i + f * operators]) }
                inverseB.append(form.inverseIdiosyncratic[i])
                thresholds.append(model.thresholds[i])
                losses.append(model.lossIfFault[i])
            }
            var lump = [Double](repeating: 0, count: s)
            for i in 0..<operators {
                for a in services.allocationStart[i]..<services.allocationStart[i + 1] {
                    lump[services.allocationService[a]] += model.stakes[i] * services.allocationMagnitude[a] * min(1, services.allocationIncidentFraction[a])
                }
            }
            incidentLosses = (0..<s).map { services.incidentServices.contains($0) ? lump[$0] : 0 }
            for j in services.incidentServices where lump[j] > 0 {
                for f in 0..<k { loadings.append(services.incidentLoadings.isEmpty ? 0 : services.incidentLoadings[j + f * s]) }
                inverseB.append(services.incidentInverseIdiosyncratic[j])
                thresholds.append(services.incidentThresholds[j])
                losses.append(lump[j])
            }
            self.n = losses.count
            self.k = k
            self.loadings = loadings
            self.inverseB = inverseB
            self.thresholds = thresholds
            self.losses = losses
        }

        /// (c_o − a_o·z)/b_o.
        func argument(_ o: Int, _ z: [Double]) -> Double {
            let shift = ConditionalForm.shift(loadings, first: o * k, stride: 1, factors: z, from: 0, count: k)
            let x = (thresholds[o] - shift) * inverseB[o]
            return x.isNaN ? 0 : x
        }

        func meanLoss(at z: [Double]) -> Double {
            (0..<n).reduce(0) { $0 + losses[$1] * NormalDistribution.cdf(argument($1, z)) }
        }

        /// ∇_z E[L | F = z] = −Σ_o ℓ_o φ(t_o) a_o / b_o.
        func gradientOfMeanLoss(at z: [Double]) -> [Double] {
            var g = [Double](repeating: 0, count: k)
            for o in 0..<n where losses[o] > 0 && inverseB[o].isFinite {
                let d = losses[o] * NormalDistribution.density(argument(o, z)) * inverseB[o]
                for f in 0..<k { g[f] -= d * loadings[o * k + f] }
            }
            return g
        }

        /// F_x(z) = −θx + ψ(θ, z) at the θ ≥ 0 that minimises it (0 when E[L | z] ≥ x), and that θ.
        func bound(loss x: Double, at z: [Double]) -> (value: Double, theta: Double, p: [Double]) {
            let p = (0..<n).map { NormalDistribution.cdf(argument($0, z)) }
            var mean = 0.0, reachable = 0.0
            for o in 0..<n where p[o] > 0 && losses[o] > 0 {
                mean += losses[o] * p[o]
                reachable += losses[o]
            }
            if mean >= x { return (0, 0, p) }
            // Losses above what the obligors can lose at z: P(L > x | z) = 0 (a very negative bound).
            guard reachable > x else { return (-1e300, .infinity, p) }
            // θ is the twist's own: the same equation Σ ℓ_o q_o(θ) = x the sampler solves per trial.
            let theta = p.withUnsafeBufferPointer { pp in
                losses.withUnsafeBufferPointer { ll in
                    ExponentialTwist.theta(probabilities: pp.baseAddress!, losses: ll.baseAddress!, count: n, target: x)
                }
            }
            var psi = 0.0
            for o in 0..<n where losses[o] > 0 { psi += ExponentialTwist.twisted(p[o], theta * losses[o]).psi }
            return (psi - theta * x, theta, p)
        }

        func objective(loss x: Double, at z: [Double]) -> Double {
            bound(loss: x, at: z).value - 0.5 * z.reduce(0) { $0 + $1 * $1 }
        }

        /// ∇_z F_x(z) = Σ_i (e^{θℓ_i} − 1)/(1 + p_i(e^{θℓ_i} − 1)) · ∇p_i (envelope theorem), or ∇E[L | z] when θ = 0.
        func ascentDirection(loss x: Double, at z: [Double]) -> [Double] {
            let b = bound(loss: x, at: z)
            guard b.theta > 0, b.theta.isFinite else { return gradientOfMeanLoss(at: z) }
            var g = [Double](repeating: 0, count: k)
            for o in 0..<n where losses[o] > 0 && inverseB[o].isFinite {
                let a = b.theta * losses[o]
                let factor = a > 30 ? 1 / (b.p[o] + (1 - b.p[o]) * exp(-a)) : expm1(a) / (1 + b.p[o] * expm1(a))
                let d = factor * NormalDistribution.density(argument(o, z)) * inverseB[o]
                for f in 0..<k { g[f] -= d * loadings[o * k + f] }
            }
            return g
        }

        /// μ = argmax J: along the ascent direction, a golden-section search over the distance from the origin,
        /// then the direction at the new point, until μ settles.
        func maximise(loss x: Double) -> [Double] {
            var z = [Double](repeating: 0, count: k)
            for _ in 0..<12 {
                let g = ascentDirection(loss: x, at: z)
                let norm = g.reduce(0) { $0 + $1 * $1 }.squareRoot()
                guard norm > 0, norm.isFinite else { break }
                let unit = g.map { $0 / norm }
                let along = { (t: Double) in self.objective(loss: x, at: unit.map { $0 * t }) }
                var a = 0.0, b = radius
                let r = (5.0.squareRoot() - 1) / 2
                var c = b - r * (b - a), d = a + r * (b - a)
                var fc = along(c), fd = along(d)
                for _ in 0..<40 {
                    if fc > fd { b = d; d = c; fd = fc; c = b - r * (b - a); fc = along(c) } else { a = c; c = d; fc = fd; d = a + r * (b - a); fd = along(d) }
                }
                let t = 0.5 * (a + b)
                let next = unit.map { $0 * t }
                let moved = zip(next, z).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot()
                // Keep the better point: the direction at z may not improve on z itself.
                if objective(loss: x, at: next) < objective(loss: x, at: z) { break }
                z = next
                if moved < 1e-6 { break }
            }
            return z
        }
    }
}

/// What an importance-sampled run adds to its result: the shift, the weighted probabilities of the events
/// it counts, and how far the weights spread.
public struct ImportanceEstimates: Sendable {
    public let shift: ImportanceShift
    /// P(operator i loses stake), P(service s has an incident), P(portfolio p is liquidated).
    public let slashProbabilities: [Estimate]
    public let incidentProbabilities: [Estimate]
    public let liquidationProbabilities: [Estimate]
    /// Trials with a loss, and trials with a loss beyond VaR at the target level (plain sampling would see
    /// about n·(1 − level) of them).
    public let losingTrials: Int
    public let tailTrials: Int

    init(shift: ImportanceShift, pass: LossPass, totals: [Double], trials: Int, losses: WeightedLossSample) {
        self.shift = shift
        let layout = pass.layout
        // (1/n)·Σw over the trials with the event, from Σw and Σw².
        let estimate = { (e: Int) in
            Estimate(sum: totals[layout.eventWeight(e)], sumOfSquares: totals[layout.eventSquaredWeight(e)], trials: trials)
        }
        slashProbabilities = (0..<layout.operators).map { estimate(layout.slashEvent($0)) }
        incidentProbabilities = (0..<layout.services).map { estimate(layout.incidentEvent($0)) }
        liquidationProbabilities = (0..<layout.portfolios).map { estimate(layout.liquidationEvent($0)) }
        losingTrials = losses.positiveLosses.count
        tailTrials = losses.positiveLosses.count - losses.firstAbove(losses.tailPoint(level: shift.targetLevel).value)
    }
}
