import BatchFiles
import Foundation
import ScenarioFormat
import SlashingCore
import SlashingReports
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
        let inUse = KernelLevel.current
        defer { KernelLevel.force(inUse) }
        var scenario = ScenarioFixtures.operators(losses: (0..<40).map { Double($0 + 1) }, probabilities: (0..<40).map { 0.005 * Double($0 % 7 + 1) })
        scenario.correlation = .factors([
            FactorSpec(id: "a", loadings: scenario.operators.prefix(25).map { FactorLoading(operator: $0.id, loading: 0.6) }),
            FactorSpec(id: "b", loadings: scenario.operators.suffix(20).map { FactorLoading(operator: $0.id, loading: -0.5) }),
        ])
        var samples: [[Double]] = []
        for level in KernelLevel.available {
            KernelLevel.force(level)
            samples.append(try ScenarioFixtures.simulate(scenario, trials: 50_000, seed: 4, levels: [0.99]).result.losses.positiveLosses)
        }
        #expect(samples.allSatisfy { $0 == samples[0] })
        #expect(samples[0].count > 1000)
    }

    /// More factors than the AVX-512 pass has unrolled copies for (K = 17 runs its general loop) and a count of
    /// operators that is not a multiple of eight: still the same decisions on every level.
    @Test func manyFactorsGiveTheSameDecisions() throws {
        let inUse = KernelLevel.current
        defer { KernelLevel.force(inUse) }
        let n = 21
        let losses: [Double] = (0..<n).map { pow(2, Double($0)) }
        var scenario = ScenarioFixtures.operators(losses: losses, probabilities: (0..<n).map { 0.004 * Double($0 % 5 + 1) })
        scenario.correlation = .factors((0..<17).map { f in
            FactorSpec(id: "f\(f)", loadings: scenario.operators.enumerated().compactMap { i, op in
                (i + f) % 3 == 0 ? FactorLoading(operator: op.id, loading: f % 2 == 0 ? 0.3 : -0.25) : nil
            })
        })
        let runs = try Self.runOnEveryLevel(scenario, trials: 20_000, seed: 13)
        #expect(runs.allSatisfy { $0.losses == runs[0].losses && $0.faults == runs[0].faults })
        #expect(runs[0].faults.allSatisfy { $0 > 0 })
    }

    /// The positive losses and fault counts of the same run on every instruction-set level this machine has.
    static func runOnEveryLevel(_ scenario: Scenario, trials: Int, seed: UInt64) throws
        -> [(losses: [Double], faults: [Int])]
    {
        try KernelLevel.available.map { level in
            KernelLevel.force(level)
            let result = try ScenarioFixtures.simulate(scenario, trials: trials, seed: seed, levels: [0.99]).result
            return (result.losses.positiveLosses, result.faultCounts)
        }
    }

    /// The dense forms' fault-and-loss pass (AVX-512: compressed fault lists; other levels: a plain loop) gives
    /// the same sample on every level: a full matrix (Cholesky) and a negative constant ρ (exchangeable), 45
    /// operators, Gaussian and t copula, losses 2^i so that each total names its set of faulting operators.
    @Test func denseFaultsAreTheSameOnEveryInstructionSet() throws {
        let inUse = KernelLevel.current
        defer { KernelLevel.force(inUse) }
        let n = 45
        let losses: [Double] = (0..<n).map { pow(2, Double($0)) }
        let probabilities: [Double] = (0..<n).map { 0.002 * Double($0 % 9 + 1) }
        let matrix: [[Double]] = (0..<n).map { i in (0..<n).map { j in i == j ? 1 : (i % 3 == j % 3 ? 0.4 : 0.1) } }
        for correlation in [CorrelationSpec.matrix(matrix), .constant(-0.02)] {
            for copula in [Copula.gaussian, .studentT(degreesOfFreedom: 4)] {
                var scenario = ScenarioFixtures.operators(losses: losses, probabilities: probabilities, correlation: correlation)
                scenario.copula = copula
                let runs = try Self.runOnEveryLevel(scenario, trials: 20_000, seed: 12)
                #expect(runs.allSatisfy { $0.losses == runs[0].losses && $0.faults == runs[0].faults }, "\(correlation), \(copula)")
                #expect(runs[0].faults.allSatisfy { $0 > 0 })
            }
        }
    }

    /// The AVX2 and AVX-512 passes flag operators by the bin of their uniform against a float upper bound of
    /// their argument (then recompute the flagged ones' shifts in double), the generic pass by the Φ grid in
    /// double: whatever the flag, the decisions must be the same. 45 operators (not a multiple of 8: the vector loop's remainder
    /// runs too) with probabilities from 0 and 10⁻¹² to 0.99 and 1, strong loadings of both signs, Gaussian
    /// and t copula (which scales every threshold), so arguments reach both ends of the grid and beyond.
    /// Losses 2^i make each trial's total name its set of faulting operators.
    @Test func everyFlagGivesTheSameDecisions() throws {
        let inUse = KernelLevel.current
        defer { KernelLevel.force(inUse) }
        let n = 45
        let probabilities = (0..<n).map { i -> Double in
            let exponent = -12 + 12 * Double(i) / Double(n - 1)
            let p: Double = pow(10, exponent) * (i % 2 == 0 ? 0.99 : 0.5)
            return i == 0 ? 0 : i == n - 1 ? 1 : p
        }
        let losses: [Double] = (0..<n).map { pow(2, Double($0)) }
        var scenario = ScenarioFixtures.operators(losses: losses, probabilities: probabilities)
        let strong: [FactorLoading] = scenario.operators.enumerated().map { i, op in
            FactorLoading(operator: op.id, loading: i % 3 == 0 ? 0.95 : 0.3)
        }
        scenario.correlation = .factors([
            FactorSpec(id: "a", loadings: strong),
            FactorSpec(id: "b", loadings: scenario.operators.suffix(20).map { FactorLoading(operator: $0.id, loading: -0.2) }),
        ])
        for copula in [Copula.gaussian, .studentT(degreesOfFreedom: 3)] {
            scenario.copula = copula
            let runs = try Self.runOnEveryLevel(scenario, trials: 40_000, seed: 11)
            #expect(runs.allSatisfy { $0.losses == runs[0].losses && $0.faults == runs[0].faults }, "\(copula)")
            // Operators 34 … 43 (p ≥ 10⁻³) fault sometimes, never always; operator 44 (p = 1) always, 0 (p = 0) never.
            #expect(runs[0].faults[0] == 0 && runs[0].faults[n - 1] == 40_000)
            #expect(runs[0].faults[34...43].allSatisfy { $0 > 0 && $0 < 40_000 })
        }
    }
}
