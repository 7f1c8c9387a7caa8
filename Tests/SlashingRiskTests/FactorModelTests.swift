import SlashingRisk
import Testing

/// Named factors against the same exact references as the other forms.
@Suite struct FactorModelTests {
    let levels = [0.5, 0.9, 0.95, 0.99, 0.995, 0.999]

    @Test func oneNamedFactorMatchesGaussHermite() throws {
        let n = 25, p = 0.02, loss = 1000.0, rho = 0.3
        let exact = ExactDistribution.oneFactor(operators: n, probability: p, loss: loss, rho: rho)
        var scenario = ScenarioFixtures.operators(losses: Array(repeating: loss, count: n), probabilities: Array(repeating: p, count: n))
        scenario.correlation = .factors([FactorSpec(id: "aws", loadings: scenario.operators.map {
            FactorLoading(operator: $0.id, loading: rho.squareRoot())
        })])
        let (summary, _) = try ScenarioFixtures.simulate(scenario, trials: 1_000_000, seed: 21, levels: levels)
        MonteCarloExpectations.expectMatches(summary, exact, levels: levels)
    }

    @Test func twoFactorsMatchTheCorrelatedBlocksReference() throws {
        // Within-block correlations ρA and ρB, across √(ρA ρB)·r: exactly the two-block reference.
        let a = (n: 6, p: 0.03, loss: 2000.0, rho: 0.5), b = (n: 10, p: 0.01, loss: 700.0, rho: 0.2), r = 0.6
        let exact = ExactDistribution.twoBlocks(a: a, b: b, factorCorrelation: r)
        let scenario = ScenarioFixtures.twoBlockFactors(a: a, b: b, factorCorrelation: r)
        let (summary, _) = try ScenarioFixtures.simulate(scenario, trials: 1_000_000, seed: 22, levels: levels)
        MonteCarloExpectations.expectMatches(summary, exact, levels: levels)
    }

    @Test func averageCorrelationIsTheSameForEquivalentForms() throws {
        let n = 5, rho = 0.3
        let base = ScenarioFixtures.operators(losses: Array(repeating: 1, count: n), probabilities: Array(repeating: 0.1, count: n))
        var constant = base, matrix = base, factors = base
        constant.correlation = .constant(rho)
        matrix.correlation = .matrix(ScenarioFixtures.constantMatrix(n, rho))
        factors.correlation = .factors([FactorSpec(id: "f", loadings: base.operators.map { FactorLoading(operator: $0.id, loading: rho.squareRoot()) })])
        for scenario in [constant, matrix, factors] {
            #expect(abs(try CompiledModel(scenario: scenario).averagePairwiseCorrelation - rho) < 1e-12)
        }
        // Two operators on one factor, a third alone: (0.4·0.5 ·2) / (3·2) pairs.
        var partial = ScenarioFixtures.operators(losses: [1, 1, 1], probabilities: [0.1, 0.1, 0.1])
        partial.correlation = .factors([FactorSpec(id: "f", loadings: [FactorLoading(operator: "op-0", loading: 0.4),
                                                                       FactorLoading(operator: "op-1", loading: 0.5)])])
        #expect(abs(try CompiledModel(scenario: partial).averagePairwiseCorrelation - 0.4 / 6) < 1e-12)
    }
}

@Suite(.serialized) struct FactorPathInstructionSetTests {
    /// The factor path's vectorised decisions give the same sample on every instruction set.
    @Test func sameSampleOnEveryInstructionSet() throws {
        let best = NormalStream.setKernelLevel(99)
        defer { NormalStream.setKernelLevel(best) }
        var scenario = ScenarioFixtures.operators(losses: (0..<40).map { Double($0 + 1) }, probabilities: (0..<40).map { 0.005 * Double($0 % 7 + 1) })
        scenario.correlation = .factors([
            FactorSpec(id: "a", loadings: scenario.operators.prefix(25).map { FactorLoading(operator: $0.id, loading: 0.6) }),
            FactorSpec(id: "b", loadings: scenario.operators.suffix(20).map { FactorLoading(operator: $0.id, loading: -0.5) }),
        ])
        var samples: [[Double]] = []
        for level in 0...best {
            NormalStream.setKernelLevel(level)
            samples.append(try ScenarioFixtures.simulate(scenario, trials: 50_000, seed: 4, levels: [0.99]).result.losses.positiveLosses)
        }
        #expect(samples.allSatisfy { $0 == samples[0] })
        #expect(samples[0].count > 1000)
    }
}
