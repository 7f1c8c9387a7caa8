import SlashingRisk

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
