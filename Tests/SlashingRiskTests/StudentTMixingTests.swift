import Foundation
import ScenarioFormat
import SlashingCore
import Testing

/// The t copula's mixing variable at large ν (the gamma sampler) against exact χ² quantiles, and a large-ν run
/// against the exact one-factor t-copula distribution.
@Suite struct StudentTMixingTests {
    /// Sampled W = χ²_ν/ν has the exact χ²_ν distribution: the share of draws below each exact quantile
    /// (incomplete gamma, independent of the sampler) is its level, within 4 binomial standard errors.
    @Test(arguments: [1500.0, 200_000.0])
    func sampledMixingVariableHasTheChiSquaredDistribution(nu: Double) {
        let n = 200_000, per = StudentTMixing.proposalUniforms
        let stream = NormalStream(seed: 99)
        var proposals = [Double](repeating: 0, count: n * per), fallback = [Double](repeating: 0, count: n)
        proposals.withUnsafeMutableBufferPointer { stream.fillUniforms($0, batch: 0, substream: .mixingProposals) }
        fallback.withUnsafeMutableBufferPointer { stream.fillUniforms($0, batch: 0, substream: .mixing) }
        let draws = proposals.withUnsafeBufferPointer { p in
            (0..<n).map { t in StudentTMixing.sampled(proposals: p.baseAddress! + per * t, fallback: fallback[t], degreesOfFreedom: nu) }
        }
        for level in [0.001, 0.01, 0.1, 0.5, 0.9, 0.99, 0.999] {
            let w = ChiSquaredDistribution.quantile(level, degreesOfFreedom: nu) / nu
            let share = Double(draws.filter { $0 <= w }.count) / Double(n)
            let se = (level * (1 - level) / Double(n)).squareRoot()
            #expect(abs(share - level) <= 4 * se, "ν = \(nu): \(share) of draws below the \(level) quantile")
        }
    }

    /// Every proposal rejected (v ≤ 0 for the most negative normal): the trial falls back to inversion.
    @Test func rejectedProposalsFallBackToInversion() {
        let proposals = [Double](repeating: 1e-300, count: StudentTMixing.proposalUniforms)
        let shape = 1.5
        #expect(proposals.withUnsafeBufferPointer { StudentTMixing.gamma(shape: shape, proposals: $0.baseAddress!) } == nil)
        let w = proposals.withUnsafeBufferPointer { StudentTMixing.sampled(proposals: $0.baseAddress!, fallback: 0.3, degreesOfFreedom: 2 * shape) }
        #expect(w == StudentTMixing.inverted(0.3, degreesOfFreedom: 2 * shape))
    }

    /// One factor (ρ = 0.3), 20 operators, p = 0.02, ν = 5,000 (the sampler): the engine against the exact
    /// distribution, integrating over W (trapezoid in log W around its mode) and the factor (Gauss–Hermite), with
    /// the threshold found from the same integral (not from the engine's t quantile).
    @Test func largeDegreesOfFreedomMatchTheExactDistribution() throws {
        let n = 20, p = 0.02, loss = 1000.0, rho = 0.3, nu = 5000.0
        #expect(StudentTMixing.samples(degreesOfFreedom: nu))
        let mixing = Self.mixingRule(nu)
        // t_ν⁻¹(p) from P(T ≤ c) = ∫ Φ(c·√w) dF(w), by bisection.
        var low = -10.0, high = 0.0
        for _ in 0..<100 {
            let mid = 0.5 * (low + high)
            let cdf = mixing.reduce(0) { $0 + $1.weight * normalCDF(mid * $1.w.squareRoot()) }
            if cdf < p { low = mid } else { high = mid }
        }
        let c = 0.5 * (low + high)
        #expect(abs(c - StudentTDistribution.quantile(p, degreesOfFreedom: nu)) < 1e-9)
        let rule = GaussHermite.standardNormal(64)
        var pk = [Double](repeating: 0, count: n + 1)
        for (w, weight) in mixing {
            for (z, h) in zip(rule.nodes, rule.weights) {
                let q = normalCDF((c * w.squareRoot() - rho.squareRoot() * z) / (1 - rho).squareRoot())
                for k in 0...n { pk[k] += weight * h * binomialPMF(k, n, q) }
            }
        }
        let exact = ExactDistribution(Dictionary(uniqueKeysWithValues: (0...n).map { (Double($0) * loss, pk[$0]) }))
        var scenario = ScenarioFixtures.operators(losses: Array(repeating: loss, count: n), probabilities: Array(repeating: p, count: n),
                                                  correlation: .constant(rho))
        scenario.copula = .studentT(degreesOfFreedom: nu)
        let levels = [0.9, 0.99, 0.999]
        let (summary, _) = try ScenarioFixtures.simulate(scenario, trials: 400_000, seed: 23, levels: levels)
        MonteCarloExpectations.expectMatches(summary, exact, levels: levels)
    }

    /// Nodes w and weights of the χ²_ν/ν density: trapezoid in s = log G, G ~ Gamma(ν/2), over ±14 standard
    /// deviations around the mode, normalised.
    static func mixingRule(_ nu: Double) -> [(w: Double, weight: Double)] {
        let a = nu / 2, logGammaA: Double = lgamma(a), centre = log(a), width = 14 / a.squareRoot()
        let steps = 4000, step = 2 * width / Double(steps)
        var rule: [(w: Double, weight: Double)] = []
        for j in 0...steps {
            let s = centre - width + Double(j) * step
            rule.append((2 * exp(s) / nu, exp(a * s - exp(s) - logGammaA) * step))
        }
        let total = rule.reduce(0) { $0 + $1.weight }
        return rule.map { ($0.w, $0.weight / total) }
    }
}
