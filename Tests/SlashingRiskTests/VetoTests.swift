import Foundation
import ScenarioFormat
import SlashingCore
import SlashingReports
import Testing

/// Vetoes (issue 15, point 2) against enumeration: every fault slash of a service with a veto probability is
/// cancelled on its own, and each incident's slashes of all its operators by one decision.
@Suite struct VetoTests {
    let levels = [0.5, 0.9, 0.95, 0.99]

    /// Two operators: a half on `avs` (w = 0.5, incidents 5 % slashing all, veto 50 %) and half on `other`
    /// (w = 0.25, no veto); b wholly on `avs`.
    static func scenario() -> Scenario {
        var scenario = Scenario(
            name: "vetoes",
            operators: [OperatorSpec(id: "a", stake: 128, faultProbability: 0.125), OperatorSpec(id: "b", stake: 64, faultProbability: 0.25)],
            services: [ServiceSpec(id: "avs", slashFraction: 0.5, incidentProbability: 0.0625, incidentSlashFraction: 1),
                       ServiceSpec(id: "other", slashFraction: 0.25)],
            allocations: [AllocationSpec(operator: "a", service: "avs", magnitude: 0.5), AllocationSpec(operator: "a", service: "other", magnitude: 0.5),
                          AllocationSpec(operator: "b", service: "avs", magnitude: 1)])
        scenario.services[0].vetoProbability = 0.5
        return scenario
    }

    /// Every combination of the faults, the incident and the three veto decisions (a's fault slash on avs, b's,
    /// and the incident's one decision), in the engine's order of operations.
    static func exact() -> ExactDistribution {
        var masses: [Double: Double] = [:]
        for bits in 0..<64 {
            let da = bits & 1 != 0, db = bits & 2 != 0, incident = bits & 4 != 0
            let va = bits & 8 != 0, vb = bits & 16 != 0, vi = bits & 32 != 0
            let p = (da ? 0.125 : 0.875) * (db ? 0.25 : 0.75) * (incident ? 0.0625 : 0.9375) * 0.5 * 0.5 * 0.5
            let fromIncident = incident && !vi ? 1.0 : 0
            var la = 0.0
            la += 0.5 * min(1, (da && !va ? 0.5 : 0) + fromIncident)
            la += 0.5 * min(1, da ? 0.25 : 0)
            let lossA = 128 * min(1, la)
            let lossB = 64 * min(1, 1 * min(1, (db && !vb ? 0.5 : 0) + fromIncident))
            var total = 0.0
            total += lossA
            total += lossB
            masses[total, default: 0] += p
        }
        return ExactDistribution(masses)
    }

    @Test func vetoesMatchEnumeration() throws {
        let trials = 200_000
        let result = SimulationEngine(model: try CompiledModel(scenario: Self.scenario())).run(trials: trials, seed: 12, threads: 2)
        MonteCarloExpectations.expectMatches(RiskStatistics.summarize(result.losses, levels: levels), Self.exact(), levels: levels)
        // Proposed: 0.125 + 0.25 fault slashes on avs a year, half vetoed; incidents 0.0625, half vetoed.
        let n = Double(trials), z = MonteCarloExpectations.z
        let counts = result.vetoCounts[0]
        #expect(abs(counts[0] - 0.375) <= z * (0.125 * 0.875 + 0.25 * 0.75).squareRoot() / n.squareRoot(), "\(counts)")
        #expect(abs(counts[1] - 0.1875) <= z * 0.5 / n.squareRoot(), "\(counts)")
        #expect(abs(counts[2] - 0.0625) <= z * (0.0625 * 0.9375 / n).squareRoot() && abs(counts[3] - 0.03125) <= z * (0.03125 / n).squareRoot(), "\(counts)")
        // `other` has no veto: a's fault slashes are proposed and all executed.
        let other = result.vetoCounts[1]
        #expect(abs(other[0] - 0.125) <= z * (0.125 * 0.875 / n).squareRoot() && other[1] == 0 && other[2] == 0 && other[3] == 0, "\(other)")
    }

    /// A veto committee loading on a named factor: the incident loads 0.6 on the factor, the veto −0.6, so the
    /// committee fails to veto most in the years the incident is likeliest. Executed incidents per year
    /// = ∫ Φ((c_I − 0.6z)/0.8) · (1 − Φ((c_V + 0.6z)/0.8)) φ(z) dz, against 0.1 · 0.5 = 0.05 if independent.
    @Test func vetoesLoadingOnAFactorMatchQuadrature() throws {
        var scenario = Scenario(
            name: "committee", operators: [OperatorSpec(id: "a", stake: 64, faultProbability: 0)],
            services: [ServiceSpec(id: "avs", slashFraction: 0.5, incidentProbability: 0.1, incidentSlashFraction: 1)],
            allocations: [AllocationSpec(operator: "a", service: "avs", magnitude: 1)],
            correlation: .factors([FactorSpec(id: "f", loadings: [FactorLoading(operator: "a", loading: 0)],
                                              serviceLoadings: [FactorLoading(operator: "avs", loading: 0.6)])]))
        scenario.services[0].vetoProbability = 0.5
        scenario.services[0].vetoFactorLoadings = [FactorLoading(operator: "f", loading: -0.6)]
        let cI = NormalDistribution.quantile(0.1), cV = NormalDistribution.quantile(0.5)
        var executed = 0.0
        let steps = 4000, width = 16.0 / Double(steps)
        for k in 0...steps {
            let z = -8 + Double(k) * width
            let weight = (k == 0 || k == steps ? 0.5 : 1) * width * exp(-z * z / 2) / (2 * Double.pi).squareRoot()
            executed += weight * NormalDistribution.cdf((cI - 0.6 * z) / 0.8) * (1 - NormalDistribution.cdf((cV + 0.6 * z) / 0.8))
        }
        let trials = 200_000
        let result = SimulationEngine(model: try CompiledModel(scenario: scenario)).run(trials: trials, seed: 17, threads: 2)
        let simulated = result.vetoCounts[0][2] - result.vetoCounts[0][3]
        #expect(abs(simulated - executed) <= MonteCarloExpectations.z * (executed * (1 - executed) / Double(trials)).squareRoot(),
                "executed \(simulated) vs \(executed)")
        #expect(executed > 0.06)  // well above the independent 0.05: the test tells the two apart
        // Each executed incident costs a its whole 64 ETH.
        #expect(abs(result.losses.summarize(levels: []).probabilityOfLoss - simulated) < 1e-12)
    }

    /// A veto probability of 1 cancels every slash of the service; 0 leaves the model as it was, number for number.
    @Test func certainAndImpossibleVetoes() throws {
        var always = Self.scenario()
        always.services[0].vetoProbability = 1
        let cancelled = SimulationEngine(model: try CompiledModel(scenario: always)).run(trials: 20_000, seed: 2, threads: 2)
        #expect(cancelled.losses.positiveLosses.allSatisfy { $0 == 16 })  // only a's fault on `other`: 128 · 0.5 · 0.25
        var never = Self.scenario()
        never.services[0].vetoProbability = 0
        var plain = never
        plain.services[0] = ServiceSpec(id: "avs", slashFraction: 0.5, incidentProbability: 0.0625, incidentSlashFraction: 1)
        let a = SimulationEngine(model: try CompiledModel(scenario: never)).run(trials: 20_000, seed: 2, threads: 2)
        let b = SimulationEngine(model: try CompiledModel(scenario: plain)).run(trials: 20_000, seed: 2, threads: 2)
        #expect(a.losses.positiveLosses == b.losses.positiveLosses && b.vetoCounts.isEmpty)
    }
}
