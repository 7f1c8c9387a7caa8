/// Simulates one batch of trials: latent draws → faults → losses, into a worker's own buffers.
///
/// Random numbers come from `NormalStream` at fixed addresses: substream 0 holds the N·m idiosyncratic
/// normals (trial-major: trial t uses normals t·N ..< (t+1)·N), substream 1 the m common factors.
/// A partial last batch uses the first m trials of the full batch, so a run is a prefix of a longer run.
struct BatchKernel {
    let model: CompiledModel
    let stream: NormalStream

    /// Per-worker state: buffers reused across batches, and the worker's accumulators.
    /// Each worker is used by one thread at a time (its Dispatch worker), so it needs no lock.
    final class Worker: @unchecked Sendable {
        var normals: [Double]
        var factors: [Double]
        /// Losses of the trials that lost something (order is irrelevant: the sample is sorted later).
        var lossyTrials: [Double] = []
        /// Faults per operator.
        var faultCounts: [Int]

        init(operators n: Int, factors k: Int) {
            normals = [Double](repeating: 0, count: n * RunLimits.batchSize)
            factors = [Double](repeating: 0, count: max(1, k) * RunLimits.batchSize)
            faultCounts = [Int](repeating: 0, count: n)
        }
    }

    /// Runs trials 0..<m of batch `batch`.
    func run(batch: UInt64, trials m: Int, worker: Worker) {
        let n = model.operatorCount
        worker.normals.withUnsafeMutableBufferPointer { normals in
            let e = UnsafeMutableBufferPointer(rebasing: normals[0..<(n * m)])
            stream.fill(e, batch: batch, substream: 0)
            switch model.dependence {
            case .independent:
                break
            case .oneFactor(let rho):
                worker.factors.withUnsafeMutableBufferPointer { f in
                    let factors = UnsafeMutableBufferPointer(rebasing: f[0..<m])
                    stream.fill(factors, batch: batch, substream: 1)
                    let a = rho.squareRoot(), b = (1 - rho).squareRoot()
                    for t in 0..<m {
                        let shift = a * factors[t]
                        let column = e.baseAddress! + t * n
                        for j in 0..<n { column[j] = shift + b * column[j] }
                    }
                }
            case .exchangeable(_, let alpha, let beta):
                for t in 0..<m {
                    let column = e.baseAddress! + t * n
                    var sum = 0.0
                    for j in 0..<n { sum += column[j] }
                    let shift = beta * sum
                    for j in 0..<n { column[j] = alpha * column[j] + shift }
                }
            case .factors(let ids, let loadings, let idiosyncratic):
                let k = ids.count
                // Z = diag(b)·ε + A·F: scale in place, then one BLAS dgemm adds the factor part.
                idiosyncratic.withUnsafeBufferPointer { b in
                    for t in 0..<m {
                        let column = e.baseAddress! + t * n
                        for j in 0..<n { column[j] *= b[j] }
                    }
                }
                worker.factors.withUnsafeMutableBufferPointer { f in
                    let draws = UnsafeMutableBufferPointer(rebasing: f[0..<(k * m)])
                    stream.fill(draws, batch: batch, substream: 1)  // trial t uses draws t·K ..< (t+1)·K
                    loadings.withUnsafeBufferPointer { a in
                        BLAS.multiplyAdd(a.baseAddress!, rows: n, inner: k, draws.baseAddress!, columns: m, into: e.baseAddress!)
                    }
                }
            case .cholesky(let factor):
                factor.lower.withUnsafeBufferPointer { l in
                    BLAS.lowerTriangularMultiply(l.baseAddress!, order: n, e.baseAddress!, columns: m)
                }
            }
            accumulateLosses(latents: UnsafeBufferPointer(e), trials: m, worker: worker)
        }
    }

    /// The fault-and-loss pass: operator j faults in trial t when Z[j, t] < threshold[j].
    private func accumulateLosses(latents z: UnsafeBufferPointer<Double>, trials m: Int, worker: Worker) {
        let n = model.operatorCount
        model.thresholds.withUnsafeBufferPointer { c in
            model.lossIfFault.withUnsafeBufferPointer { loss in
                worker.faultCounts.withUnsafeMutableBufferPointer { counts in
                    for t in 0..<m {
                        let column = z.baseAddress! + t * n
                        var total = 0.0
                        for j in 0..<n where column[j] < c[j] {
                            total += loss[j]
                            counts[j] &+= 1
                        }
                        if total > 0 { worker.lossyTrials.append(total) }
                    }
                }
            }
        }
    }
}
