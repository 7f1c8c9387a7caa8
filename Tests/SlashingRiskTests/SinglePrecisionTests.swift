import CKernels
import ScenarioFormat
import SlashingCore
import TestSupport
import Testing

/// `precision: single`: the float multiply with double recomputation near the thresholds gives the double
/// path's decisions, so the same results bit for bit, on every kernel level; and the recomputation is exercised.
@Suite(.serialized) struct SinglePrecisionTests {
    /// A full N×N correlation matrix from random factor loadings (positive definite by construction).
    static func randomMatrix(_ n: Int, seed: UInt64) -> [[Double]] {
        var random = SplitMix64(seed: seed)
        let k = 6
        let a = (0..<n).map { _ in (0..<k).map { _ in Double.random(in: -0.35...0.35, using: &random) } }
        return (0..<n).map { i in
            (0..<n).map { j in i == j ? 1 : (0..<k).reduce(0) { $0 + a[i][$1] * a[j][$1] } }
        }
    }

    static func scenario(_ n: Int, copula: Copula, precision: LatentPrecision, incidents: Bool) -> Scenario {
        var scenario = ScenarioFixtures.operators(
            losses: (0..<n).map { 10 * Double($0 % 7 + 1) },
            // Probabilities up to 0.4 put thresholds where the latents are dense: many land near them.
            probabilities: (0..<n).map { 0.002 + 0.4 * Double(($0 * 37) % 101) / 101 },
            correlation: .matrix(randomMatrix(n, seed: 11)))
        scenario.copula = copula
        scenario.simulation.precision = precision
        if incidents {
            scenario.services = [ServiceSpec(id: "s", slashFraction: 0.5, incidentProbability: 0.05)]
            scenario.allocations = (0..<n).map { AllocationSpec(operator: scenario.operators[$0].id, service: "s", magnitude: 0.5) }
        }
        return scenario
    }

    @Test(arguments: [(Copula.gaussian, false), (.studentT(degreesOfFreedom: 4), false), (.gaussian, true)])
    func singleGivesTheDoubleResults(copula: Copula, incidents: Bool) throws {
        let n = 300
        let double = try CompiledModel(scenario: Self.scenario(n, copula: copula, precision: .double, incidents: incidents))
        let single = try CompiledModel(scenario: Self.scenario(n, copula: copula, precision: .single, incidents: incidents))
        #expect(single.multipliesInSingle && !double.multipliesInSingle)
        let a = SimulationEngine(model: double).run(trials: 4 * RunLimits.batchSize + 5, seed: 3, threads: 2)
        let b = SimulationEngine(model: single).run(trials: 4 * RunLimits.batchSize + 5, seed: 3, threads: 2)
        #expect(a.faultCounts == b.faultCounts)
        #expect(a.slashCounts == b.slashCounts)
        #expect(a.losses.positiveLosses == b.losses.positiveLosses)
        #expect(a.operatorLossSums == b.operatorLossSums)
        #expect(a.singlePrecision == nil)
        let checks = try #require(b.singlePrecision)
        #expect(checks.latents == b.trials * n)
        #expect(checks.recomputed > 0 && checks.recomputed < checks.latents / 100)
        #expect(checks.corrected <= checks.recomputed)
    }

    @Test(arguments: [KernelLevel.generic, .avx2, .avx512])
    func everyLevelGivesTheSameResults(level: KernelLevel) throws {
        guard level <= KernelLevel.best else { return }
        let model = try CompiledModel(scenario: Self.scenario(64, copula: .gaussian, precision: .single, incidents: false))
        let reference = SimulationEngine(model: model).run(trials: 2048, seed: 8, threads: 1)
        let previous = KernelLevel.current
        _ = KernelLevel.force(level)
        defer { _ = KernelLevel.force(previous) }
        let result = SimulationEngine(model: model).run(trials: 2048, seed: 8, threads: 1)
        #expect(result.faultCounts == reference.faultCounts)
        #expect(result.losses.positiveLosses == reference.losses.positiveLosses)
    }

    /// The pass itself: latents within the error bound of their threshold are recomputed from the normals in
    /// double (here the float latent is on the wrong side), the others are the float values.
    @Test func latentsNearTheirThresholdAreRecomputedInDouble() {
        let n = 3
        // L = identity (rows), normals e; thresholds c: latent 0 is 1e-9 below c[0] (float rounds it above),
        // latent 1 far below, latent 2 far above.
        let c: [Double] = [0.1, 0, 0]
        var e: [Double] = [0.1 - 1e-9, -1, 2]
        let rows: [Double] = [1, 0, 0, 0, 1, 0, 0, 0, 1]
        var single = e.map { Float($0) }
        #expect(Double(single[0]) >= c[0])  // the float latent alone would decide "no fault"
        var norms = [0.0]
        slashsim_single_inputs(e, &single, &norms, n, 1)
        #expect(abs(norms[0] - (e[0] * e[0] + 1 + 4).squareRoot()) < 1e-15)
        var corrected: Int64 = 0
        let recomputed = slashsim_single_latents(single, &e, rows, n, 1, c, nil, norms, &corrected)
        #expect(recomputed == 1 && corrected == 1)
        #expect(e[0] == 0.1 - 1e-9 && e[0] < c[0])  // the exact latent: a fault
        #expect(e[1] == -1 && e[2] == 2)
    }
}
