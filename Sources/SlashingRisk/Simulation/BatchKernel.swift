import CKernels

/// Simulates one batch of trials: latent draws → faults → losses, into a worker's own buffers.
///
/// Random numbers come from `NormalStream` at fixed addresses, trial-major (trial t uses values
/// t·N ..< (t+1)·N of substream 0 and t·K ..< (t+1)·K of substream 1), so a partial last batch uses the
/// first m trials of the full batch and a run is a prefix of a longer run.
///
/// Two ways to reach the same distribution:
/// - conditional (independent, constant ρ ≥ 0, named factors): K factor normals per trial (substream 1),
///   then operator i faults when its uniform u_i (substream 0) is below Φ((c_i − a_i·F)/b_i), decided
///   through `NormalCDFTable` — O(N·K) per trial, with Φ evaluated only for the rare close calls;
/// - correlated normals (negative constant ρ, explicit matrix): N normals per trial (substream 0) made
///   correlated (exchangeable sum, or one BLAS `dtrmm` per batch), then Z_i < c_i.
struct BatchKernel {
    let model: CompiledModel
    let stream: NormalStream
    let conditional: (loadings: [Double], factors: Int, inverseIdiosyncratic: [Double])?

    init(model: CompiledModel, stream: NormalStream) {
        self.model = model
        self.stream = stream
        self.conditional = model.conditionalForm
    }

    /// Per-worker state: buffers reused across batches, and the worker's accumulators.
    /// Each worker is used by one thread at a time (its Dispatch worker), so it needs no lock.
    final class Worker: @unchecked Sendable {
        var normals: [Double]
        var factors: [Double]
        /// a·F per operator and trial (factor models only).
        var shifts: [Double]
        /// Per-trial totals and per-operator decision codes of the C decision pass (factor models only).
        var totals: [Double]
        var codes: [UInt8]
        /// Losses of the trials that lost something (order is irrelevant: the sample is sorted later).
        var lossyTrials: [Double] = []
        /// Faults per operator.
        var faultCounts: [Int]

        init(operators n: Int, factors k: Int) {
            normals = [Double](repeating: 0, count: n * RunLimits.batchSize)
            factors = [Double](repeating: 0, count: max(1, k) * RunLimits.batchSize)
            shifts = k > 0 ? [Double](repeating: 0, count: n * BatchKernel.chunkTrials(operators: n)) : []
            totals = k > 0 ? [Double](repeating: 0, count: RunLimits.batchSize) : []
            codes = k > 0 ? [UInt8](repeating: 0, count: n) : []
            faultCounts = [Int](repeating: 0, count: n)
        }
    }

    /// Trials per chunk of the conditional path: about 16k operator-trials, so uniforms and shifts stay in cache.
    static func chunkTrials(operators n: Int) -> Int { max(1, min(RunLimits.batchSize, 16_384 / max(1, n))) }

    /// Runs trials 0..<m of batch `batch`.
    func run(batch: UInt64, trials m: Int, worker: Worker) {
        if let conditional {
            runConditional(conditional, batch: batch, trials: m, worker: worker)
            return
        }
        let n = model.operatorCount
        worker.normals.withUnsafeMutableBufferPointer { normals in
            let e = UnsafeMutableBufferPointer(rebasing: normals[0..<(n * m)])
            stream.fill(e, batch: batch, substream: 0)
            switch model.dependence {
            case .exchangeable(_, let alpha, let beta):
                for t in 0..<m {
                    let column = e.baseAddress! + t * n
                    var sum = 0.0
                    for j in 0..<n { sum += column[j] }
                    let shift = beta * sum
                    for j in 0..<n { column[j] = alpha * column[j] + shift }
                }
            case .cholesky(let factor):
                factor.lower.withUnsafeBufferPointer { l in
                    BLAS.lowerTriangularMultiply(l.baseAddress!, order: n, e.baseAddress!, columns: m)
                }
            case .independent, .oneFactor, .factors:
                preconditionFailure("conditional forms take runConditional")
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

    /// The conditional path: factors, then each operator's fault as u_i < Φ((c_i − a_i·F)/b_i). Trials are
    /// taken in chunks of about 16k operator-trials so that uniforms and shifts stay in cache.
    private func runConditional(_ form: (loadings: [Double], factors: Int, inverseIdiosyncratic: [Double]),
                                batch: UInt64, trials m: Int, worker: Worker) {
        let n = model.operatorCount, k = form.factors
        let chunk = min(m, Self.chunkTrials(operators: n))
        if k > 0 {
            worker.factors.withUnsafeMutableBufferPointer { f in
                stream.fill(UnsafeMutableBufferPointer(rebasing: f[0..<(k * m)]), batch: batch, substream: 1)
            }
        }
        worker.normals.withUnsafeMutableBufferPointer { uniformBuffer in
        worker.shifts.withUnsafeMutableBufferPointer { shifts in
        worker.factors.withUnsafeBufferPointer { draws in
        form.loadings.withUnsafeBufferPointer { a in
        NormalCDFTable.shared.values.withUnsafeBufferPointer { table in
        model.faultProbabilities.withUnsafeBufferPointer { p in
        model.thresholds.withUnsafeBufferPointer { c in
        form.inverseIdiosyncratic.withUnsafeBufferPointer { inverseB in
        model.lossIfFault.withUnsafeBufferPointer { loss in
        worker.faultCounts.withUnsafeMutableBufferPointer { counts in
            var start = 0
            while start < m {
                let size = min(chunk, m - start)
                let u = UnsafeMutableBufferPointer(rebasing: uniformBuffer[0..<(n * size)])
                stream.fillUniforms(u, batch: batch, substream: 0, from: start * n)
                if k > 0 {
                    BLAS.multiply(a.baseAddress!, rows: n, inner: k, draws.baseAddress! + start * k, columns: size,
                                  into: shifts.baseAddress!)
                }
                if k == 0 {
                    for t in 0..<size {
                        var total = 0.0
                        let row = t * n
                        for i in 0..<n where u[row + i] < p[i] {
                            total += loss[i]
                            counts[i] &+= 1
                        }
                        if total > 0 { worker.lossyTrials.append(total) }
                    }
                } else {
                    worker.totals.withUnsafeMutableBufferPointer { totals in
                        worker.codes.withUnsafeMutableBufferPointer { codes in
                            counts.baseAddress!.withMemoryRebound(to: Int64.self, capacity: n) { counts64 in
                                slashsim_conditional_faults(
                                    u.baseAddress!, shifts.baseAddress!, n, size, c.baseAddress!, inverseB.baseAddress!,
                                    table.baseAddress!, table.count, NormalCDFTable.lowest, NormalCDFTable.pointsPerUnit,
                                    loss.baseAddress!, counts64, totals.baseAddress!, codes.baseAddress!)
                            }
                        }
                        for t in 0..<size where totals[t] > 0 { worker.lossyTrials.append(totals[t]) }
                    }
                }
                start += size
            }
        }}}}}}}}}}
    }
}
