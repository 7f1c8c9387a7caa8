import BatchFiles
import Foundation
import ScenarioFormat
import SlashingCore
import SlashingReports

/// Exact references for the restaking layer, computed independently of the engine: incidents (condition on
/// which services fail), the Student t copula (integrate over the chi-square mixing variable and the factor),
/// incidents loading on a factor, and per-operator tail contributions (enumerate every fault set).
extension ExactDistribution {
    /// Independent two-point losses: operator i loses `low[i]` with probability 1 − p_i and `high[i]` with p_i.
    static func independentTwoPoint(low: [Double], high: [Double], probabilities: [Double]) -> [Double: Double] {
        var masses: [Double: Double] = [0: 1]
        for i in low.indices {
            var next: [Double: Double] = [:]
            for (x, m) in masses {
                next[x + low[i], default: 0] += m * (1 - probabilities[i])
                next[x + high[i], default: 0] += m * probabilities[i]
            }
            masses = next
        }
        return masses
    }

    /// Mixes weighted mass functions into one distribution.
    static func mixture(_ parts: [(weight: Double, masses: [Double: Double])]) -> ExactDistribution {
        var total: [Double: Double] = [:]
        for part in parts { for (x, m) in part.masses { total[x, default: 0] += part.weight * m } }
        return ExactDistribution(total)
    }

    /// One-factor homogeneous Student t copula: Z_i = √ρ·F + √(1−ρ)·ε_i, fault when Z_i/√W < c (c = t_ν⁻¹(p)),
    /// W = χ²_ν/ν. P(K = k) = ∫ f_W(w) ∫ φ(z) Bin(k; N, Φ((c·√w − √ρ·z)/√(1−ρ))) dz dw: the inner integral
    /// by Gauss–Hermite, the outer over s = log(χ²/2) by the trapezoid rule (the integrand decays double
    /// exponentially, so the rule converges fast), with the gamma density written through `lgamma`.
    static func studentTOneFactor(operators n: Int, threshold c: Double, degreesOfFreedom nu: Double, loss: Double, rho: Double)
        -> ExactDistribution
    {
        let rule = GaussHermite.standardNormal(64)
        let a = nu / 2
        let logGammaA: Double = lgamma(a)
        var pk = [Double](repeating: 0, count: n + 1)
        let step = 0.005
        var s = -40.0
        while s <= 6 {
            let density = exp(a * s - exp(s) - logGammaA) * step
            let w = 2 * exp(s) / nu
            if density > 1e-300 {
                for (z, weight) in zip(rule.nodes, rule.weights) {
                    let p = normalCDF((c * w.squareRoot() - rho.squareRoot() * z) / (1 - rho).squareRoot())
                    for k in 0...n { pk[k] += density * weight * binomialPMF(k, n, p) }
                }
            }
            s += step
        }
        let total = pk.reduce(0, +)
        var masses: [Double: Double] = [:]
        for k in 0...n { masses[Double(k) * loss] = pk[k] / total }
        return ExactDistribution(masses)
    }
}

extension ExactDistribution {
    /// The parameters of `correlatedIncident`: 8 operators of stake 1000 with p = 0.03 on one factor (ρ = 0.3),
    /// all allocated to one service (slash fraction 0.5) whose incident (q = 0.02) loads g = 0.6 on the factor
    /// and slashes whole allocations.
    enum CorrelatedIncident {
        static let n = 8, p = 0.03, q = 0.02, rho = 0.3, g = 0.6, stake = 1000.0
    }

    /// The correlated-incident scenario and its exact distribution: by quadrature over the factor, the mixture
    /// "incident (everyone loses the whole allocation) / no incident (binomial faults, half the stake each)".
    static func correlatedIncident() -> (scenario: Scenario, exact: ExactDistribution) {
        typealias C = CorrelatedIncident
        let ids = (0..<C.n).map { "op-\($0)" }
        let scenario = Scenario(
            name: "correlated incident",
            operators: ids.map { OperatorSpec(id: $0, stake: C.stake, faultProbability: C.p) },
            services: [ServiceSpec(id: "S", slashFraction: 0.5, incidentProbability: C.q, incidentSlashFraction: 1)],
            allocations: ids.map { AllocationSpec(operator: $0, service: "S", magnitude: 1) },
            correlation: .factors([FactorSpec(id: "common", loadings: ids.map { FactorLoading(operator: $0, loading: C.rho.squareRoot()) },
                                              serviceLoadings: [FactorLoading(operator: "S", loading: C.g)])]))
        let rule = GaussHermite.standardNormal(120)
        let c = inverseNormal(C.p), cs = inverseNormal(C.q)
        var masses: [Double: Double] = [:]
        for (z, w) in zip(rule.nodes, rule.weights) {
            let pz = normalCDF((c - C.rho.squareRoot() * z) / (1 - C.rho).squareRoot())
            let qz = normalCDF((cs - C.g * z) / (1 - C.g * C.g).squareRoot())
            masses[Double(C.n) * C.stake, default: 0] += w * qz
            for k in 0...C.n { masses[Double(k) * C.stake / 2, default: 0] += w * (1 - qz) * binomialPMF(k, C.n, pz) }
        }
        return (scenario, ExactDistribution(masses))
    }
}
