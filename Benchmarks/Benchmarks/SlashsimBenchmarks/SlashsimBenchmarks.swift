import Benchmark
import SlashingRisk

let benchmarks: @Sendable () -> Void = {
    Benchmark("normals", configuration: .init(metrics: [.wallClock, .throughput], scalingFactor: .mega)) { benchmark in
        var buffer = [Double](repeating: 0, count: 1_000_000)
        let stream = NormalStream(seed: 1)
        for i in benchmark.scaledIterations {
            buffer.withUnsafeMutableBufferPointer { stream.fill($0, batch: UInt64(i), substream: 0) }
        }
        blackHole(buffer)
    }
}
