import Foundation
import SlashingCore
import Testing

// example:begin
func tailOfFourOperators() -> LossSummary {
    let operators = 4
    let services = ServiceLayer(
        ids: ["oracle", "bridge"], slashFractions: [0.1, 0.5], operatorCount: operators,
        allocations: (0..<operators).flatMap { i in
            [ServiceLayer.Allocation(operator: i, service: 0, magnitude: 0.2),
             ServiceLayer.Allocation(operator: i, service: 1, magnitude: 0.1)]
        })
    let model = CompiledModel(
        operatorIDs: (1...operators).map { "op-\($0)" }, stakes: [Double](repeating: 32_000, count: operators),
        faultProbabilities: [Double](repeating: 0.02, count: operators), copula: .gaussian,
        dependence: .oneFactor(rho: 0.3), services: services)
    let result = SimulationEngine(model: model).run(trials: 400_000, seed: 7, threads: 2)
    return result.distribution.summarize(levels: [0.99, 0.999])
}
// example:end

/// The DocC article "Using slashsim from Swift" shows `tailOfFourOperators()` as a complete program: this test
/// holds the same text (and fails when the two differ), compiles it, runs it, and checks its statistics against
/// the exact one-factor distribution.
@Suite struct SwiftLibraryExampleTests {
    @Test func articleShowsThisCode() throws {
        let here = URL(fileURLWithPath: #filePath)
        let root = here.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let article = try String(contentsOf: root.appendingPathComponent("Sources/SlashingCore/SlashingCore.docc/UsingSlashsimFromSwift.md"), encoding: .utf8)
        let source = try String(contentsOf: here, encoding: .utf8)
        let begin = source.range(of: "// example:begin\n")!, end = source.range(of: "// example:end\n")!
        let tested = String(source[begin.upperBound..<end.lowerBound])
        #expect(article.contains(tested), "the article's example differs from the tested code")
    }

    @Test func exampleMatchesTheExactDistribution() {
        let summary = tailOfFourOperators()
        let exact = ExactDistribution.oneFactor(operators: 4, probability: 0.02, loss: 32_000 * (0.2 * 0.1 + 0.1 * 0.5), rho: 0.3)
        #expect(summary.trials == 400_000)
        MonteCarloExpectations.expectMatches(summary, exact, levels: [0.99, 0.999])
    }
}
