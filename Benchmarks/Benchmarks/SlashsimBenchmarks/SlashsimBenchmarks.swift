import Benchmark
import BatchFiles
import ScenarioFormat
import SlashingCore
import SlashingReports

/// Kernels and end-to-end runs. Every benchmark does a fixed amount of work per iteration, named in its
/// title, so throughput (iterations/s) converts directly: e.g. "1M normals" at 250 it/s is 250 M normals/s.
let benchmarks: @Sendable () -> Void = {
    BLAS.useOneThreadPerCall()  // as the engine does: parallelism comes from its own workers
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .throughput], warmupIterations: 2,
                                           maxDuration: .seconds(3), maxIterations: 1000)

    Benchmark("Kernel: 1M normals (Philox4x32-10 + AS 241), \(KernelLevel.current)") { _ in
        var buffer = [Double](repeating: 0, count: 1 << 20)
        buffer.withUnsafeMutableBufferPointer { NormalStream(seed: 1).fill($0, batch: 0, substream: 0) }
        blackHole(buffer)
    }

    Benchmark("Kernel: 1M uniforms (Philox4x32-10), \(KernelLevel.current)") { _ in
        var buffer = [Double](repeating: 0, count: 1 << 20)
        buffer.withUnsafeMutableBufferPointer { NormalStream(seed: 1).fillUniforms($0, batch: 0, substream: 0) }
        blackHole(buffer)
    }

    for n in [100, 1000, 2000] {
        let flops = Double(n * n * RunLimits.batchSize) / 1e9
        Benchmark("Kernel: dtrmm N=\(n) × 1024 (\(String(format: "%.3g", flops)) GFLOP), 1 thread") { benchmark in
            let lower = BenchmarkScenarios.lowerTriangle(n)
            var batch = [Double](repeating: 1, count: n * RunLimits.batchSize)
            benchmark.startMeasurement()
            lower.withUnsafeBufferPointer { l in
                batch.withUnsafeMutableBufferPointer { b in
                    BLAS.lowerTriangularMultiply(l.baseAddress!, order: n, b.baseAddress!, columns: RunLimits.batchSize)
                }
            }
            benchmark.stopMeasurement()
            blackHole(batch)
        }
    }

    let endToEnd: [(name: String, scenario: Scenario, trials: Int)] = [
        ("dense N=100", BenchmarkScenarios.dense(operators: 100), 200_000),
        ("dense N=1000", BenchmarkScenarios.dense(operators: 1000), 10_240),
        ("dense N=2000", BenchmarkScenarios.dense(operators: 2000), 4_096),
        ("factors N=1000 K=8", BenchmarkScenarios.factors(operators: 1000, factors: 8), 102_400),
    ]
    for (name, scenario, trials) in endToEnd {
        let model = try! CompiledModel(scenario: scenario)
        for threads in [1, 2] {
            Benchmark("End to end: \(name), \(threads) thread\(threads == 1 ? "" : "s"), \(trials) trials") { benchmark in
                let result = SimulationEngine(model: model).run(trials: trials, seed: 1, threads: threads)
                blackHole(result.losses.positiveLosses.count)
            }
        }
    }
}
