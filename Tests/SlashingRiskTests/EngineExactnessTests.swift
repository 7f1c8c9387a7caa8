import BatchFiles
import ScenarioFormat
import SlashingCore
import SlashingReports
import Testing

/// The engine against exact loss distributions computed independently (convolution, quadrature over
/// factors), at fixed seeds, with tolerances from the Monte Carlo standard error.
@Suite struct EngineExactnessTests {
    let levels = [0.5, 0.9, 0.95, 0.99, 0.995, 0.999]

    @Test func independentHeterogeneousOperatorsMatchConvolution() throws {
        let losses: [Double] = [100, 250, 400, 800, 1300, 2100, 3400, 5500]
        let probabilities = [0.05, 0.02, 0.08, 0.01, 0.03, 0.015, 0.005, 0.002]
        let scenario = ScenarioFixtures.operators(losses: losses, probabilities: probabilities)
        let (summary, result) = try ScenarioFixtures.simulate(scenario, trials: 1_000_000, seed: 11, levels: levels)
        let exact = ExactDistribution.independent(losses: losses, probabilities: probabilities)
        MonteCarloExpectations.expectMatches(summary, exact, levels: levels)
        // Per operator: P(fault) is p_i exactly.
        for (count, p) in zip(result.faultCounts, probabilities) {
            let phat = Double(count) / 1e6
            #expect(abs(phat - p) <= 4 * (p * (1 - p) / 1e6).squareRoot())
        }
    }

    @Test(arguments: [0.1, 0.3, 0.6])
    func oneFactorHomogeneousMatchesGaussHermite(rho: Double) throws {
        let n = 25, p = 0.02, loss = 1000.0
        let exact = ExactDistribution.oneFactor(operators: n, probability: p, loss: loss, rho: rho)
        let scenario = ScenarioFixtures.operators(losses: Array(repeating: loss, count: n), probabilities: Array(repeating: p, count: n),
                                                  correlation: .constant(rho))
        let (summary, _) = try ScenarioFixtures.simulate(scenario, trials: 1_000_000, seed: 7, levels: levels)
        MonteCarloExpectations.expectMatches(summary, exact, levels: levels)
    }

    @Test func constantCorrelationAsExplicitMatrixTakesTheCholeskyPathAndMatches() throws {
        let n = 25, p = 0.02, loss = 1000.0, rho = 0.3
        let exact = ExactDistribution.oneFactor(operators: n, probability: p, loss: loss, rho: rho)
        let scenario = ScenarioFixtures.operators(losses: Array(repeating: loss, count: n), probabilities: Array(repeating: p, count: n),
                                                  correlation: .matrix(ScenarioFixtures.constantMatrix(n, rho)))
        let model = try CompiledModel(scenario: scenario)
        guard case .cholesky = model.dependence else { Issue.record("expected the Cholesky path"); return }
        let (summary, _) = try ScenarioFixtures.simulate(scenario, trials: 1_000_000, seed: 8, levels: levels)
        MonteCarloExpectations.expectMatches(summary, exact, levels: levels)
    }

    @Test func twoCorrelatedBlocksMatchConditionalConvolution() throws {
        let a = (n: 6, p: 0.03, loss: 2000.0, rho: 0.5)
        let b = (n: 10, p: 0.01, loss: 700.0, rho: 0.2)
        let r = 0.6
        let exact = ExactDistribution.twoBlocks(a: a, b: b, factorCorrelation: r)
        let n = a.n + b.n
        let cross = (a.rho * b.rho).squareRoot() * r
        let matrix = (0..<n).map { i in
            (0..<n).map { j -> Double in
                if i == j { return 1 }
                let iA = i < a.n, jA = j < a.n
                return iA && jA ? a.rho : (!iA && !jA ? b.rho : cross)
            }
        }
        let losses = (0..<n).map { $0 < a.n ? a.loss : b.loss }
        let probabilities = (0..<n).map { $0 < a.n ? a.p : b.p }
        let scenario = ScenarioFixtures.operators(losses: losses, probabilities: probabilities, correlation: .matrix(matrix))
        let (summary, _) = try ScenarioFixtures.simulate(scenario, trials: 1_000_000, seed: 3, levels: levels)
        MonteCarloExpectations.expectMatches(summary, exact, levels: levels)
    }

    @Test(arguments: [-0.5, -1.0])
    func twoOperatorsWithNegativeCorrelationMatchTheBivariateNormal(rho: Double) throws {
        let losses: [Double] = [300, 500], probabilities = [0.3, 0.6]
        let both = bivariateNormalCDF(inverseNormal(0.3), inverseNormal(0.6), rho)
        let exact = ExactDistribution([0: 1 - 0.3 - 0.6 + both, 300: 0.3 - both, 500: 0.6 - both, 800: both])
        let scenario = ScenarioFixtures.operators(losses: losses, probabilities: probabilities, correlation: .constant(rho))
        let (summary, _) = try ScenarioFixtures.simulate(scenario, trials: 1_000_000, seed: 5, levels: [0.5, 0.9, 0.95])
        MonteCarloExpectations.expectMatches(summary, exact, levels: [0.5, 0.9, 0.95])
    }

    @Test func negativeConstantCorrelationHasTheExactVarianceOfTheFaultCount() throws {
        // E[K] = Σ p_i and Var[K] = Σ p_i(1−p_i) + Σ_{i≠j} (Φ₂(c_i, c_j; ρ) − p_i p_j), exactly.
        let n = 10, rho = -0.1
        let probabilities = (0..<n).map { 0.05 + 0.03 * Double($0) }
        var variance = probabilities.reduce(0) { $0 + $1 * (1 - $1) }
        for i in 0..<n {
            for j in 0..<n where i != j {
                variance += bivariateNormalCDF(inverseNormal(probabilities[i]), inverseNormal(probabilities[j]), rho)
                    - probabilities[i] * probabilities[j]
            }
        }
        let scenario = ScenarioFixtures.operators(losses: Array(repeating: 1, count: n), probabilities: probabilities,
                                                  correlation: .constant(rho))
        let (summary, _) = try ScenarioFixtures.simulate(scenario, trials: 1_000_000, seed: 9, levels: [0.5])
        let mean = probabilities.reduce(0, +)
        #expect(abs(summary.mean - mean) <= 4 * summary.meanStandardError)
        // Var(s²) ≈ (μ₄ − σ⁴)/n; the fault count is bounded by n, so μ₄ ≤ n²σ² bounds the error loosely.
        let sampleVariance = summary.standardDeviation * summary.standardDeviation
        let seVariance = (Double(n * n) * variance / 1e6).squareRoot()
        #expect(abs(sampleVariance - variance) <= 4 * seVariance, "variance \(sampleVariance) vs exact \(variance)")
        // And it is clearly below the independent variance: the negative correlation is really applied.
        let independent = probabilities.reduce(0) { $0 + $1 * (1 - $1) }
        #expect(sampleVariance < independent - 8 * seVariance)
    }

    @Test func lossesAreCappedAtTheWholeStakeAndAddAcrossServices() throws {
        // Magnitudes add across services (unique stake) and the slashed share is capped at 1.
        let scenario = Scenario(
            name: "cap",
            operators: [OperatorSpec(id: "a", stake: 1000, faultProbability: 1), OperatorSpec(id: "b", stake: 500, faultProbability: 1)],
            services: [ServiceSpec(id: "s1", slashFraction: 1), ServiceSpec(id: "s2", slashFraction: 0.5)],
            allocations: [AllocationSpec(operator: "a", service: "s1", magnitude: 0.6), AllocationSpec(operator: "a", service: "s2", magnitude: 0.4),
                          AllocationSpec(operator: "b", service: "s2", magnitude: 0.3)])
        let model = try CompiledModel(scenario: scenario)
        #expect(model.lossIfFault == [1000 * (0.6 + 0.2), 500 * 0.15])
        let (summary, _) = try ScenarioFixtures.simulate(scenario, trials: 10_000, seed: 1, levels: [0.5])
        #expect(summary.mean == 800 + 75)
        #expect(summary.probabilityOfLoss == 1)
    }
}
