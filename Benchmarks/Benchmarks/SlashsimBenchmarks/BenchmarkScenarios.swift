import BatchFiles
import ScenarioFormat
import SlashingCore
import SlashingReports

/// Synthetic scenarios for the benchmarks: N operators with Zipf-like stakes, fault probabilities of
/// 0.5–3 %, one service each, and a full correlation matrix built from K factors (or the factors
/// themselves). A fixed generator keeps every run the same.
enum BenchmarkScenarios {
    static func operators(_ n: Int) -> (Scenario, [[Double]]) {
        var rng = Generator(state: 12345)
        let ids = (0..<n).map { "op-\($0)" }
        let operators = ids.enumerated().map { i, id in
            OperatorSpec(id: id, stake: 1e6 / Double(i + 1), faultProbability: 0.005 + 0.025 * rng.unit())
        }
        let loadings = (0..<n).map { _ in (0..<8).map { _ in rng.unit() < 0.5 ? 0.3 * rng.unit() : 0 } }
        let scenario = Scenario(
            name: "benchmark", operators: operators,
            services: ids.map { ServiceSpec(id: "avs-\($0)", slashFraction: 0.1) },
            allocations: ids.map { AllocationSpec(operator: $0, service: "avs-\($0)", magnitude: 1) })
        return (scenario, loadings)
    }

    static func dense(operators n: Int) -> Scenario {
        var (scenario, a) = operators(n)
        scenario.correlation = .matrix((0..<n).map { i in
            (0..<n).map { j in i == j ? 1 : zip(a[i], a[j]).reduce(0) { $0 + $1.0 * $1.1 } }
        })
        return scenario
    }

    static func factors(operators n: Int, factors k: Int) -> Scenario {
        var (scenario, a) = operators(n)
        scenario.correlation = .factors((0..<k).map { f in
            FactorSpec(id: "factor-\(f)", loadings: (0..<n).filter { a[$0][f % 8] != 0 }.map {
                FactorLoading(operator: "op-\($0)", loading: a[$0][f % 8])
            })
        })
        return scenario
    }

    /// A well-conditioned lower triangle, column-major.
    static func lowerTriangle(_ n: Int) -> [Double] {
        var lower = [Double](repeating: 0, count: n * n)
        for j in 0..<n { for i in j..<n { lower[i + j * n] = i == j ? 1 : 0.5 / Double(n) } }
        return lower
    }

    struct Generator {
        var state: UInt64
        mutating func unit() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / 9007199254740992.0
        }
    }
}
