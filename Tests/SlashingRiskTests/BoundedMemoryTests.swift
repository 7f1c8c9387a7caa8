import BatchFiles
import ScenarioFormat
import SlashingCore
import SlashingReports
import Testing

/// Bounded-memory runs give the in-memory run's numbers: every VaR and interval bound exactly, mean, standard
/// deviation and ES up to the order of additions, for the total, tokens and portfolios, on every path.
@Suite struct BoundedMemoryTests {
    let levels = [0.5, 0.9, 0.95, 0.99, 0.995, 0.999, 0.9999]

    static func expectSame(_ a: LossSummary, _ b: LossSummary, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(a.trials == b.trials, sourceLocation: sourceLocation)
        #expect(a.probabilityOfLoss == b.probabilityOfLoss, sourceLocation: sourceLocation)
        #expect(a.maximum == b.maximum, sourceLocation: sourceLocation)
        #expect(abs(a.mean - b.mean) <= 1e-12 * max(1, abs(a.mean)), "mean \(a.mean) vs \(b.mean)", sourceLocation: sourceLocation)
        #expect(abs(a.standardDeviation - b.standardDeviation) <= 1e-9 * max(1, a.standardDeviation), sourceLocation: sourceLocation)
        #expect(a.quantiles == b.quantiles, "quantiles \(a.quantiles) vs \(b.quantiles)", sourceLocation: sourceLocation)
        for (x, y) in zip(a.expectedShortfall, b.expectedShortfall) {
            #expect(abs(x.loss - y.loss) <= 1e-11 * max(1, x.loss), "ES \(x.level): \(x.loss) vs \(y.loss)", sourceLocation: sourceLocation)
            #expect(abs(x.standardError - y.standardError) <= 1e-6 * max(1e-9, x.standardError), "ES s.e. \(x.level)", sourceLocation: sourceLocation)
        }
    }

    @Test(arguments: [CorrelationSpec.matrix(ScenarioFixtures.constantMatrix(12, 0.3)), .constant(0.3), .independent])
    func plainModelsGiveTheInMemoryNumbers(correlation: CorrelationSpec) throws {
        let losses = (0..<12).map { 100.0 + 37.3 * Double($0 * $0) }
        let scenario = ScenarioFixtures.operators(losses: losses, probabilities: (0..<12).map { 0.01 + 0.004 * Double($0) }, correlation: correlation)
        let engine = SimulationEngine(model: try CompiledModel(scenario: scenario))
        let memory = engine.run(trials: 300_000, seed: 4, threads: 2)
        let bounded = engine.runBounded(trials: 300_000, seed: 4, threads: 2, levels: levels)
        #expect(bounded.sample == nil && memory.sample != nil)
        Self.expectSame(bounded.distribution.summarize(levels: levels), memory.distribution.summarize(levels: levels))
        #expect(bounded.faultCounts == memory.faultCounts)
        // Contributions from the bounded summary are the in-memory ones.
        let a = engine.contributions(sample: memory.distribution, levels: [0.99, 0.999], seed: 4, threads: 2)
        let b = engine.contributions(sample: bounded.distribution, levels: [0.99, 0.999], seed: 4, threads: 1)
        #expect(a.operators == b.operators && a.services == b.services)
        // And they do not depend on the thread count.
        let one = engine.runBounded(trials: 300_000, seed: 4, threads: 1, levels: levels)
        #expect(one.distribution.summarize(levels: levels) == bounded.distribution.summarize(levels: levels))
    }

    @Test func tokensPortfoliosAndIncidentsGiveTheInMemoryNumbers() throws {
        var scenario = RestakingModelTests.incidentScenario(correlation: .constant(0.25))
        scenario.copula = .studentT(degreesOfFreedom: 5)
        scenario.tokens = [TokenSpec(id: "t", backing: 5000, delegations: [("a", 1000), ("b", 1500), ("c", 2000)],
                                     depeg: DepegTerms(perNAVLoss: 2, floorDiscount: 0.01))]
        scenario.portfolios = [PortfolioSpec(id: "loop", holdings: [("t", 100)], leverage: LeverageSpec(debt: 85, liquidationLTV: 0.93, liquidationPenalty: 0.05)),
                               PortfolioSpec(id: "holder", holdings: [("t", 100)])]
        let engine = SimulationEngine(model: try CompiledModel(scenario: scenario))
        let memory = engine.run(trials: 200_000, seed: 8, threads: 2)
        let bounded = engine.runBounded(trials: 200_000, seed: 8, threads: 2, levels: levels)
        Self.expectSame(bounded.distribution.summarize(levels: levels), memory.distribution.summarize(levels: levels))
        for (x, y) in zip(bounded.tokenDistributions, memory.tokenDistributions) { Self.expectSame(x.summarize(levels: levels), y.summarize(levels: levels)) }
        for (x, y) in zip(bounded.portfolioDistributions, memory.portfolioDistributions) { Self.expectSame(x.summarize(levels: levels), y.summarize(levels: levels)) }
        #expect(bounded.liquidationCounts == memory.liquidationCounts && bounded.incidentCounts == memory.incidentCounts)
        #expect(bounded.operatorLossSums == memory.operatorLossSums)
    }

    /// A stopped bounded run covers a prefix of batches and replays exactly that prefix.
    @Test func aStoppedBoundedRunEqualsTheShorterRun() throws {
        let scenario = ScenarioFixtures.operators(losses: [100, 200, 300], probabilities: [0.1, 0.2, 0.05], correlation: .constant(0.4))
        let engine = SimulationEngine(model: try CompiledModel(scenario: scenario))
        let stopped = engine.runBounded(trials: 1_000_000, seed: 2, threads: 1, levels: levels, control: RunControl(maxSeconds: 1e-9))
        #expect(stopped.isPartial && stopped.trials % 1024 == 0)
        let full = engine.run(trials: stopped.trials, seed: 2, threads: 1)
        Self.expectSame(stopped.distribution.summarize(levels: levels), full.distribution.summarize(levels: levels))
    }
}
