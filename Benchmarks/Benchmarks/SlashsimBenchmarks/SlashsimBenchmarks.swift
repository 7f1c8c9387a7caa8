import Benchmark
import Foundation
import BatchFiles
import ScenarioFormat
import SlashingCore
import SlashingReports

/// Kernels and end-to-end runs. Every benchmark does a fixed amount of work per iteration, named in its
/// title, so throughput (iterations/s) converts directly: e.g. "1M normals" at 250 it/s is 250 M normals/s.
///
/// Thresholds: a run (or a baseline) regresses when its median wall clock is more than 8 % slower, or its
/// median throughput 8 % lower, than the baseline it is checked against (p75 within 12 %). Baselines are
/// kept per machine class under `Benchmarks/Thresholds/<class>/` (see Benchmarks/README.md); the kernel
/// level follows `SLASHSIM_KERNEL_LEVEL`, so one machine can hold its AVX2 and AVX-512 classes.
let benchmarks: @Sendable () -> Void = {
    BLAS.useOneThreadPerCall()  // as the engine does: parallelism comes from its own workers
    do {
        try KernelLevel.applyEnvironment(ProcessInfo.processInfo.environment)
    } catch {
        fatalError("\(error)")
    }
    let tolerance = BenchmarkThresholds(relative: [.p50: 8, .p75: 12])
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .throughput], warmupIterations: 2,
                                           maxDuration: .seconds(3), maxIterations: 1000,
                                           thresholds: [.wallClock: tolerance, .throughput: tolerance])

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
                blackHole(result.faultCounts)
            }
        }
    }

    // `precision: single` on the largest dense case: the same results, the multiply in float.
    var single = try! CompiledModel(scenario: BenchmarkScenarios.dense(operators: 2000))
    single.latentPrecision = .single
    for threads in [1, 2] {
        Benchmark("End to end: dense N=2000 precision single, \(threads) thread\(threads == 1 ? "" : "s"), 4096 trials") { _ in
            let result = SimulationEngine(model: single).run(trials: 4096, seed: 1, threads: threads)
            blackHole(result.faultCounts)
        }
    }
}
