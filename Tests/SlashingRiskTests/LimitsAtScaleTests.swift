import Foundation
@testable import ScenarioFormat
import SlashingCore
import Testing

/// Limits at scale (issue 18): the factor form runs 200,000 operators in memory linear in N; the explicit
/// matrix stays bounded at 20,000 operators, with the factor form as the fix.
@Suite struct LimitsAtScaleTests {
    /// Sanitizer builds run this 10–20× slower; the plain runs of the suite cover it.
    static let instrumented = dlsym(nil, "__tsan_init") != nil || dlsym(nil, "__asan_init") != nil

    /// 200,000 operators with 8 factors: compiled, its memory estimate linear in N (no N×1024 batch per worker),
    /// and run; every trial's faults decided on every operator (the fault counts add up to the losses).
    @Test(.enabled(if: !LimitsAtScaleTests.instrumented)) func twoHundredThousandOperatorsRunInTheFactorForm() throws {
        let n = 200_000
        let operators = (0..<n).map { OperatorSpec(id: "op\($0)", stake: 32, faultProbability: 0.002) }
        let factors = (0..<8).map { k in
            FactorSpec(id: "f\(k)", loadings: operators.enumerated().compactMap { i, op in (i + k) % 3 == 0 ? FactorLoading(operator: op.id, loading: 0.3) : nil })
        }
        let scenario = Scenario(name: "scale", operators: operators, services: [ServiceSpec(id: "avs", slashFraction: 1)],
                                allocations: operators.map { AllocationSpec(operator: $0.id, service: "avs", magnitude: 1) },
                                correlation: .factors(factors))
        let model = try CompiledModel(scenario: scenario)
        let bytes = RunLimits.estimatedBytes(model: model, trials: 64, threads: 2)
        #expect(bytes < 200e6, "estimate \(bytes) bytes: not linear in N")
        let result = SimulationEngine(model: model).run(trials: 64, seed: 7, threads: 2)
        #expect(result.trials == 64)
        // 64 trials × 200,000 operators × 0.002 ≈ 25,600 faults; each slashes 32 ETH.
        let faults = result.faultCounts.reduce(0, +)
        #expect(faults > 20_000 && faults < 32_000, "\(faults)")
        #expect(abs(result.losses.positiveLosses.reduce(0, +) - 32 * Double(faults)) < 1e-6)
    }

    /// An explicit matrix beyond 20,000 operators is refused by the validator (a Swift-built scenario; from a
    /// file, its table is refused first by its size: `BadInputCatalogueTests`), naming the memory and the fix.
    @Test func explicitMatricesAreBoundedWithTheFactorFormAsTheFix() throws {
        let reader = NodeReader(file: "big.yaml")
        var scenario = Scenario(name: "big", operators: (0..<20_001).map { OperatorSpec(id: "op\($0)", stake: 1, faultProbability: 0.01) })
        scenario.correlation = .matrix([])  // the size check comes before the matrix is read
        ScenarioValidator(reader: reader).validateSize(scenario)
        let problem = try #require(reader.diagnostics.first)
        #expect(problem.path == "correlation" && problem.problem.contains("needs 3.2 GB for its Cholesky factor alone"))
        #expect(problem.fix.contains("loadings_file"))
    }
}
