import Foundation
import ScenarioFormat
import SlashingCore
import Testing

/// Contributions from the faults a run kept equal, bit for bit, those of a replay of the same random streams,
/// on every path that can keep them (dense and conditional, plain sums and the loss pass, the t copula, fault
/// modes and vetoes), for any thread count, and when the memory budget is exceeded (the replay then runs).
@Suite struct KeptFaultContributionTests {
    static let levels = [0.5, 0.9, 0.99, 0.999]

    static func scenarios() -> [(String, Scenario)] {
        let losses: [Double] = (0..<12).map { Double(100 * ($0 + 1)) }
        let probabilities: [Double] = (0..<12).map { 0.01 + 0.005 * Double($0 % 5) }
        var t = ScenarioFixtures.operators(losses: losses, probabilities: probabilities, correlation: .constant(0.3))
        t.copula = .studentT(degreesOfFreedom: 5)
        var tokens = RestakingModelTests.incidentScenario(correlation: .constant(0.2))
        tokens.tokens = [TokenSpec(id: "t", backing: 20_000, delegations: [(tokens.operators[0].id, 1000), (tokens.operators[1].id, 2000)])]
        // Fault modes under a factor (conditional path) and a matrix (dense path); vetoes of fault slashes and of
        // incidents, with an operator with modes on the vetoing service.
        var modesDense = FaultModeTests.scenario(correlation: .matrix(ScenarioFixtures.constantMatrix(3, 0.3)))
        modesDense.name = "modes, dense"
        var vetoes = VetoTests.scenario()
        vetoes.correlation = .constant(0.25)
        vetoes.operators[0] = OperatorSpec(id: "a", stake: 128, faultProbability: .nan,
                                           faultModes: [FaultModeSpec(id: "key", probability: 0.05, slashFraction: 1),
                                                        FaultModeSpec(id: "liveness", probability: 0.1, services: ["avs"], slashFraction: 0.125)])
        return [
            ("independent", ScenarioFixtures.operators(losses: losses, probabilities: probabilities)),
            ("one factor", ScenarioFixtures.operators(losses: losses, probabilities: probabilities, correlation: .constant(0.3))),
            ("matrix", ScenarioFixtures.operators(losses: losses, probabilities: probabilities, correlation: .matrix(ScenarioFixtures.constantMatrix(12, 0.25)))),
            ("exchangeable", ScenarioFixtures.operators(losses: losses, probabilities: probabilities, correlation: .constant(-0.05))),
            ("t copula", t),
            ("incidents and a token", tokens),
            ("fault modes", FaultModeTests.scenario()),
            ("fault modes, dense", modesDense),
            ("modes and vetoes", vetoes),
        ]
    }

    @Test(arguments: 0..<9)
    func keptFaultsGiveTheReplaysContributions(index: Int) throws {
        let (name, scenario) = Self.scenarios()[index]
        let engine = SimulationEngine(model: try CompiledModel(scenario: scenario))
        let kept = engine.run(trials: 50_000, seed: 5, threads: 2, keepFaultsForContributions: true)
        let plain = engine.run(trials: 50_000, seed: 5, threads: 2)
        #expect(kept.keptFaultsForContributions && !plain.keptFaultsForContributions)
        #expect(kept.distribution.summarize(levels: Self.levels) == plain.distribution.summarize(levels: Self.levels), "\(name): the sample")
        let replayed = engine.contributions(sample: plain.distribution, levels: Self.levels, seed: 5, threads: 2)
        for threads in [1, 2, 3] {
            let fromFaults = engine.contributions(of: kept, levels: Self.levels, threads: threads)
            #expect(fromFaults.operators == replayed.operators && fromFaults.services == replayed.services, "\(name), \(threads) threads")
        }
        #expect(replayed.operators.joined().contains { $0 > 0 }, "\(name): a test that cannot fail")
        // Over the budget the run keeps nothing and the contributions replay: the same numbers.
        let overBudget = engine.run(trials: 50_000, seed: 5, threads: 2, forceLossPass: false, keepFaultsForContributions: true, faultRecordBudget: 64)
        #expect(!overBudget.keptFaultsForContributions)
        let fallback = engine.contributions(of: overBudget, levels: Self.levels, threads: 2)
        #expect(fallback.operators == replayed.operators && fallback.services == replayed.services, "\(name): over budget")
    }
}
