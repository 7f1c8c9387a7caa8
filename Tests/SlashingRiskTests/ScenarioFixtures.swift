import BatchFiles
import ScenarioFormat
import SlashingCore
import SlashingReports

/// Scenarios built in code for the exactness tests: operator i has stake `losses[i]`, one service of
/// its own with slash fraction 1 and magnitude 1, so it loses exactly `losses[i]` when it faults.
enum ScenarioFixtures {
    static func operators(losses: [Double], probabilities: [Double], correlation: CorrelationSpec = .independent) -> Scenario {
        let ids = losses.indices.map { "op-\($0)" }
        return Scenario(
            name: "fixture",
            operators: zip(ids, zip(losses, probabilities)).map { OperatorSpec(id: $0, stake: $1.0, faultProbability: $1.1) },
            services: ids.map { ServiceSpec(id: "avs-\($0)", slashFraction: 1) },
            allocations: ids.map { AllocationSpec(operator: $0, service: "avs-\($0)", magnitude: 1) },
            correlation: correlation)
    }

    /// Two blocks of operators as two named factors: block A loads √ρA on F1; block B loads √ρB·r on F1 and
    /// √ρB·√(1−r²) on F2 — within-block correlations ρA and ρB, across √(ρA ρB)·r, as `ExactDistribution.twoBlocks`.
    static func twoBlockFactors(a: (n: Int, p: Double, loss: Double, rho: Double), b: (n: Int, p: Double, loss: Double, rho: Double),
                                factorCorrelation r: Double) -> Scenario {
        let n = a.n + b.n
        var scenario = operators(losses: (0..<n).map { $0 < a.n ? a.loss : b.loss }, probabilities: (0..<n).map { $0 < a.n ? a.p : b.p })
        let ids = scenario.operators.map(\.id)
        scenario.correlation = .factors([
            FactorSpec(id: "f1", loadings: ids.enumerated().map { i, id in
                FactorLoading(operator: id, loading: i < a.n ? a.rho.squareRoot() : b.rho.squareRoot() * r)
            }),
            FactorSpec(id: "f2", loadings: ids[a.n...].map { FactorLoading(operator: $0, loading: b.rho.squareRoot() * (1 - r * r).squareRoot()) }),
        ])
        return scenario
    }

    /// The constant-correlation matrix of order n.
    static func constantMatrix(_ n: Int, _ rho: Double) -> [[Double]] {
        (0..<n).map { i in (0..<n).map { j in i == j ? 1 : rho } }
    }

    /// Runs a scenario through the engine and summarises it.
    static func simulate(_ scenario: Scenario, trials: Int, seed: UInt64, threads: Int = 2, levels: [Double])
        throws -> (summary: LossSummary, result: SimulationResult)
    {
        let model = try CompiledModel(scenario: scenario)
        let result = SimulationEngine(model: model).run(trials: trials, seed: seed, threads: threads)
        return (RiskStatistics.summarize(result.losses, levels: levels), result)
    }
}
