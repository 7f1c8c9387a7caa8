import CKernels
import Foundation

/// Simulates one batch of trials: latent draws → faults → losses, into a worker's own buffers.
///
/// Random numbers come from `NormalStream` at fixed addresses, trial-major, so a partial last batch uses the
/// first m trials of the full batch and a run is a prefix of a longer run; each kind of number has its own
/// `Substream` (operators, factors, incidents, the t copula's mixing variable, importance sampling's mixture).
///
/// Two ways to reach the same distribution:
/// - conditional (independent, constant ρ ≥ 0, named or derived factors): operator i faults when its uniform
///   u_i is below Φ((c_i·√W − a_i·F)/b_i), decided through `NormalCDFTable` — O(N·K) per trial;
/// - correlated normals (negative constant ρ, explicit matrix): N normals per trial made correlated
///   (exchangeable sum, or one BLAS `dtrmm` per batch), then Z_i < c_i·√W.
/// Then either the kernels' own sums of `lossIfFault` (plain models) or the general `LossPass`.
///
/// A class (immutable) rather than a struct: the per-trial closures and calls then share one reference instead
/// of copying the model's arrays, which an unoptimised (debug, sanitizer) build does at every use.
final class BatchKernel: Sendable {
    let model: CompiledModel
    let stream: NormalStream
    let conditional: ConditionalForm?
    /// The general loss pass; nil: plain sums.
    let lossPass: LossPass?
    /// ν of the Student t copula; nil for the Gaussian copula.
    let degreesOfFreedom: Double?
    /// The importance-sampling shift of the factors (which then needs the loss pass, to weigh each trial).
    let importance: ImportanceShift?
    /// The obligors' losses of the twist: the operators' lossIfFault, then the incident services' ℓ_s.
    let twistLosses: [Double]
    /// The model's arrays the C kernels read, pinned once per run and shared by the workers.
    let pinned: PinnedModel
    /// The model's services (held apart so that the per-trial code reads them without copying the model).
    let services: ServiceLayer
    /// Whether some operator has fault modes; whether some service vetoes; the number of services.
    let hasModes: Bool, hasVetoes: Bool, serviceCount: Int

    /// Pinned copies of the arrays the C passes read (thresholds, losses, the conditional form, the Φ grid).
    final class PinnedModel: @unchecked Sendable {
        let thresholds: PinnedBuffer<Double>
        let lossIfFault: PinnedBuffer<Double>
        let loadings: PinnedBuffer<Double>
        let inverseIdiosyncratic: PinnedBuffer<Double>
        let table: PinnedBuffer<Double>
        /// Single precision (`CompiledModel.multipliesInSingle`): the Cholesky factor in floats (column-major),
        /// and in double by rows (row j at j·n), for the latents recomputed near their thresholds.
        let singleLower: PinnedBuffer<Float>
        let lowerRows: PinnedBuffer<Double>
        /// The conditional form in floats for the AVX2 and AVX-512 flag passes, and the coefficients of their
        /// slack (the bound of the float argument's rounding: `conditional_slack` in decisions.c).
        let loadingRows: PinnedBuffer<Double>
        let floatLoadings: PinnedBuffer<Float>
        let floatThresholds: PinnedBuffer<Float>
        let floatInverseIdiosyncratic: PinnedBuffer<Float>
        let slackPerFactor: Double
        let slackPerScale: Double

        init(model: CompiledModel, conditional: ConditionalForm?) {
            if model.multipliesInSingle, case .cholesky(let factor) = model.dependence {
                let n = factor.order
                singleLower = PinnedBuffer(factor.lower.map { Float($0) }, padding: 0)
                lowerRows = PinnedBuffer(repeating: 0, count: n * n)
                for j in 0..<n { for k in 0...j { lowerRows[j * n + k] = factor.lower[j + k * n] } }
            } else {
                singleLower = PinnedBuffer(repeating: 0, count: 0)
                lowerRows = PinnedBuffer(repeating: 0, count: 0)
            }
            thresholds = PinnedBuffer(model.thresholds, padding: 0)
            lossIfFault = PinnedBuffer(model.lossIfFault, padding: 0)
            loadings = PinnedBuffer(conditional?.loadings ?? [], padding: 0)
            inverseIdiosyncratic = PinnedBuffer(conditional?.inverseIdiosyncratic ?? [], padding: 0)
            table = PinnedBuffer(conditional != nil ? NormalCDFTable.shared.values : [], padding: 0)
            if let conditional {
                let n = model.operatorCount, k = conditional.factors
                loadingRows = PinnedBuffer((0..<(n * k)).map { conditional.loadings[($0 % k) * n + $0 / k] }, padding: 0)
            } else {
                loadingRows = PinnedBuffer(repeating: 0, count: 0)
            }
            floatLoadings = PinnedBuffer((conditional?.loadings ?? []).map { Float($0) }, padding: 0)
            floatThresholds = PinnedBuffer(conditional != nil ? model.thresholds.map { Float($0) } : [], padding: 0)
            floatInverseIdiosyncratic = PinnedBuffer((conditional?.inverseIdiosyncratic ?? []).map { Float($0) }, padding: 0)
            var perFactor = 0.0, perScale = 0.0
            if let conditional {
                let n = model.operatorCount, k = conditional.factors, unit = 0x1p-24
                for i in 0..<n {
                    let inverseB = conditional.inverseIdiosyncratic[i]
                    let absoluteLoadings = (0..<k).reduce(0.0) { $0 + abs(conditional.loadings[$1 * n + i]) }
                    perFactor = max(perFactor, inverseB * Double(k + 3) * unit * absoluteLoadings * 1.01)
                    if model.thresholds[i].isFinite { perScale = max(perScale, inverseB * 4 * unit * abs(model.thresholds[i]) * 1.01) }
                }
            }
            slackPerFactor = perFactor
            slackPerScale = perScale
        }
    }

    /// Where the workers file each losing trial's faults and incidents for the contributions; nil: not kept.
    let records: FaultRecords?

    init(model: CompiledModel, stream: NormalStream, lossPass: LossPass? = nil, importance: ImportanceShift? = nil,
         records: FaultRecords? = nil) {
        precondition(importance == nil || (lossPass != nil && importance!.mean.count == model.factorCount && model.conditionalForm != nil),
                     "importance sampling shifts the factors of a conditional model, through the loss pass")
        self.model = model
        self.stream = stream
        self.records = records
        self.services = model.services
        self.hasModes = !model.faultModes.isEmpty
        self.hasVetoes = model.services.hasVetoes
        self.serviceCount = model.services.count
        self.conditional = model.conditionalForm
        self.lossPass = lossPass
        self.importance = importance
        if let twist = importance?.twist {
            twistLosses = model.lossIfFault + model.services.incidentServices.map { twist.incidentLosses[$0] }
        } else {
            twistLosses = []
        }
        if case .studentT(let nu) = model.copula { degreesOfFreedom = nu } else { degreesOfFreedom = nil }
        pinned = PinnedModel(model: model, conditional: conditional)
    }

    /// Per-worker state: buffers reused across batches, and the worker's accumulators.
    /// Each worker is used by one thread at a time (its Dispatch worker), so it needs no lock, and its
    /// stored properties opt out of the run-time exclusivity checks, which took 9 % of a dense run.
    final class Worker: @unchecked Sendable {
        @exclusivity(unchecked) var normals: [Double]
        /// K factors per trial.
        let factors: PinnedBuffer<Double>
        /// a·F per operator and trial of a chunk (conditional path; computed by the C decision pass).
        let shifts: PinnedBuffer<Double>
        /// Per-trial totals of the C passes, and per-operator decision codes of the conditional one.
        let totals: PinnedBuffer<Double>
        let codes: PinnedBuffer<UInt8>
        /// The operators the vectorised passes flagged (conditional path: per trial of a chunk) or found
        /// faulting (dense: one trial).
        let flagged: PinnedBuffer<Int32>
        /// √W per trial (Student t copula), and the gamma sampler's proposals for large ν.
        let scales: PinnedBuffer<Double>
        let mixingProposals: PinnedBuffer<Double>
        /// Likelihood-ratio weight per trial (importance sampling), from log(q/p) of the trial, and the uniform that
        /// chose the defensive mixture's component that drew it (`drawnByImportanceSampler`).
        @exclusivity(unchecked) var weights: [Double]
        @exclusivity(unchecked) var logRatios: [Double]
        @exclusivity(unchecked) var components: [Double]
        /// The twist: p_i(z) per trial and operator, θ per trial, and the obligors' probabilities of one trial.
        @exclusivity(unchecked) var twistProbabilities: [Double]
        @exclusivity(unchecked) var thetas: [Double]
        @exclusivity(unchecked) var obligorProbabilities: [Double]
        /// Incident uniforms and flags (S per trial), and the services with an incident per trial.
        @exclusivity(unchecked) var incidentUniforms: [Double]
        @exclusivity(unchecked) var incidentFlags: [Bool]
        @exclusivity(unchecked) var incidentList: [Int] = []
        @exclusivity(unchecked) var incidentOffsets: [Int]
        /// Exploit uniforms (E per trial), and the exploits that happened per trial.
        @exclusivity(unchecked) var exploitUniforms: [Double]
        @exclusivity(unchecked) var exploitList: [Int] = []
        @exclusivity(unchecked) var exploitOffsets: [Int]
        /// Fault modes: the batch being run, each faulting operator's modes in the current trial, and its uniforms.
        @exclusivity(unchecked) var batch: UInt64 = 0
        @exclusivity(unchecked) var modeMasks: [UInt32]
        @exclusivity(unchecked) var modeUniforms: [Double]
        /// Vetoes of the current trial: per allocation (fault slashes) and per service (incidents).
        @exclusivity(unchecked) var vetoedAllocations: [Bool]
        @exclusivity(unchecked) var vetoedIncidents: [Bool]
        /// Faulting operators per trial of the current chunk (loss pass).
        let faultOffsets: PinnedBuffer<Int32>
        let faultIndices: PinnedBuffer<Int32>
        /// Losses of the trials that lost something (order is irrelevant: the sample is sorted later).
        @exclusivity(unchecked) var lossyTrials: [Double] = []
        /// Faults per operator.
        let faultCounts: PinnedBuffer<Int64>
        /// The loss pass's state, when the kernel has one.
        let loss: LossPass.State?
        /// The current batch's losing trials, filed in `BatchKernel.records` when the batch ends.
        @exclusivity(unchecked) var filing = FaultRecords.Batch()
        /// The C passes' arguments: the kernel's pinned arrays (kept alive here) and this worker's buffers.
        let pinnedModel: PinnedModel
        @exclusivity(unchecked) var conditionalPass: slashsim_conditional_pass
        @exclusivity(unchecked) var thresholdPass: slashsim_threshold_pass
        /// Single precision: the batch's normals, then latents, in floats, and each trial's norm of its normals.
        let singles: PinnedBuffer<Float>
        let norms: PinnedBuffer<Double>
        /// Latents recomputed in double because their float value was within its error bound of the threshold,
        /// and those of them whose float value alone would have given the other decision.
        @exclusivity(unchecked) var recomputedLatents: Int64 = 0
        @exclusivity(unchecked) var correctedDecisions: Int64 = 0

        init(kernel: BatchKernel) {
            let model = kernel.model
            let n = model.operatorCount, k = model.factorCount, s = model.services.count, b = RunLimits.batchSize
            let conditional = kernel.conditional != nil
            let chunk = conditional ? BatchKernel.chunkTrials(operators: n) : b
            // A batch of normals (explicit matrix), or a chunk of uniforms (conditional forms: 200,000 operators
            // would otherwise take 1.6 GB per worker).
            normals = [Double](repeating: 0, count: n * (conditional ? chunk : b))
            singles = PinnedBuffer(repeating: 0, count: model.multipliesInSingle ? n * b : 0)
            norms = PinnedBuffer(repeating: 0, count: model.multipliesInSingle ? b : 0)
            factors = PinnedBuffer(repeating: 0, count: max(1, k) * b)
            shifts = PinnedBuffer(repeating: 0, count: conditional ? n * chunk : 0)
            totals = PinnedBuffer(repeating: 0, count: b)
            codes = PinnedBuffer(repeating: 0, count: conditional ? n : 0)
            flagged = PinnedBuffer(repeating: 0, count: max(n, 2) * (conditional ? chunk : 1))  // ≥ 8 bytes per trial: the bit masks of the float flag passes
            scales = PinnedBuffer(repeating: 1, count: kernel.degreesOfFreedom != nil ? b : 0)
            let sampled = kernel.degreesOfFreedom.map(StudentTMixing.samples(degreesOfFreedom:)) ?? false
            mixingProposals = PinnedBuffer(repeating: 0, count: sampled ? StudentTMixing.proposalUniforms * b : 0)
            weights = [Double](repeating: 1, count: kernel.importance != nil ? b : 0)
            logRatios = [Double](repeating: 0, count: kernel.importance != nil ? b : 0)
            components = [Double](repeating: 0, count: kernel.importance != nil ? b : 0)
            let twists = kernel.importance?.twist != nil
            twistProbabilities = [Double](repeating: 0, count: twists ? n * b : 0)
            thetas = [Double](repeating: 0, count: twists ? b : 0)
            obligorProbabilities = [Double](repeating: 0, count: twists ? kernel.twistLosses.count : 0)
            let incidents = kernel.lossPass != nil && model.services.hasIncidents
            incidentUniforms = [Double](repeating: 0, count: incidents ? s * b : 0)
            incidentFlags = [Bool](repeating: false, count: max(1, s) * b)
            incidentOffsets = [Int](repeating: 0, count: b + 1)
            let exploits = kernel.lossPass != nil ? model.tokens.exploits.count : 0
            exploitUniforms = [Double](repeating: 0, count: exploits * b)
            exploitOffsets = [Int](repeating: 0, count: b + 1)
            modeMasks = [UInt32](repeating: 0, count: model.faultModes.isEmpty ? 0 : n)
            modeUniforms = [Double](repeating: 0, count: FaultModes.maximumPerOperator)
            let vetoes = model.services.hasVetoes
            vetoedAllocations = [Bool](repeating: false, count: vetoes ? model.services.allocationService.count : 0)
            vetoedIncidents = [Bool](repeating: false, count: vetoes ? s : 0)
            let lists = kernel.lossPass != nil || kernel.records != nil
            faultOffsets = PinnedBuffer(repeating: 0, count: lists ? chunk + 1 : 0)
            faultIndices = PinnedBuffer(repeating: 0, count: lists ? n * chunk : 0)
            faultCounts = PinnedBuffer(repeating: 0, count: n)
            loss = kernel.lossPass.map { LossPass.State(pass: $0) }
            let m = kernel.pinned
            pinnedModel = m
            conditionalPass = slashsim_conditional_pass(
                n: n, k: kernel.conditional?.factors ?? 0, loadings: m.loadings.pointer, c: m.thresholds.pointer,
                inverse_b: m.inverseIdiosyncratic.pointer, loss: m.lossIfFault.pointer, table: m.table.pointer,
                table_count: conditional ? m.table.count : 0, lowest: NormalCDFTable.lowest, points_per_unit: NormalCDFTable.pointsPerUnit,
                shift: shifts.pointer, codes: codes.pointer, flagged: flagged.pointer, counts: faultCounts.pointer,
                totals: totals.pointer, fault_offsets: faultOffsets.pointer, fault_indices: faultIndices.pointer,
                loadings_rows: m.loadingRows.pointer, loadings_f: m.floatLoadings.pointer, c_f: m.floatThresholds.pointer, inverse_b_f: m.floatInverseIdiosyncratic.pointer,
                slack_per_factor: m.slackPerFactor, slack_per_scale: m.slackPerScale)
            thresholdPass = slashsim_threshold_pass(n: n, c: m.thresholds.pointer, loss: m.lossIfFault.pointer, counts: faultCounts.pointer,
                                                    totals: totals.pointer, faults: flagged.pointer, fault_offsets: faultOffsets.pointer,
                                                    fault_indices: faultIndices.pointer)
        }

        /// Whether trial t of the batch came from the importance sampler (else from the model's own law).
        @inline(__always)
        func drawnByImportanceSampler(_ t: Int) -> Bool { components[t] >= ImportanceShift.defensiveShare }
    }

    /// Trials per chunk of the conditional path: about 16k operator-trials (uniforms, shifts and flag lists:
    /// about 320 KB, within a core's L2), so they stay in cache; at N = 1000, 32k was as fast and 64k 6 % slower.
    static func chunkTrials(operators n: Int) -> Int { max(1, min(RunLimits.batchSize, 16_384 / max(1, n))) }

    /// Runs trials 0..<m of batch `batch`.
    func run(batch: UInt64, trials m: Int, worker: Worker) {
        worker.loss?.resetPartial()
        if let records {
            worker.filing = FaultRecords.Batch()
            defer { records.file(batch: Int(batch), worker.filing) }
            simulate(batch: batch, trials: m, worker: worker)
        } else {
            simulate(batch: batch, trials: m, worker: worker)
        }
    }

    private func simulate(batch: UInt64, trials m: Int, worker: Worker) {
        worker.batch = batch
        if degreesOfFreedom != nil { drawScales(batch: batch, trials: m, worker: worker) }
        if let conditional, conditional.factors > 0 {
            stream.fill(worker.factors.buffer(0..<(conditional.factors * m)), batch: batch, substream: .factors)
            if let importance {
                shiftFactors(importance, batch: batch, trials: m, worker: worker)
                if let twist = importance.twist { prepareTwist(twist, trials: m, worker: worker) }
            }
        }
        if lossPass != nil {
            drawIncidents(batch: batch, trials: m, worker: worker)
            drawExploits(batch: batch, trials: m, worker: worker)
        }
        if let conditional {
            runConditional(conditional, batch: batch, trials: m, worker: worker)
        } else {
            runDense(batch: batch, trials: m, worker: worker)
        }
    }

    // MARK: Per-trial draws shared by all operators

    /// The defensive mixture's component of each trial (a uniform from `Substream.mixture`: below α, the model's own
    /// law), F = Z + μ for the others, and log φ(F − μ)/φ(F) = μ·F − |μ|²/2, the factors' part of log(q/p).
    /// Without a twist that is the whole ratio, and the weight is final.
    private func shiftFactors(_ shift: ImportanceShift, batch: UInt64, trials m: Int, worker: Worker) {
        let k = shift.mean.count
        worker.components.withUnsafeMutableBufferPointer { u in
            stream.fillUniforms(UnsafeMutableBufferPointer(rebasing: u[0..<m]), batch: batch, substream: .mixture)
        }
        for t in 0..<m {
            let shifted = worker.drawnByImportanceSampler(t)
            var dot = 0.0
            for f in 0..<k {
                if shifted { worker.factors[t * k + f] += shift.mean[f] }
                dot += shift.mean[f] * worker.factors[t * k + f]
            }
            worker.logRatios[t] = dot - shift.halfSquaredNorm
            if shift.twist == nil { worker.weights[t] = ImportanceShift.mixtureWeight(logRatio: worker.logRatios[t]) }
        }
    }

    /// √W per trial, W = χ²_ν/ν (`StudentTMixing`: by inversion of the uniform on `Substream.mixing`, or, for
    /// large ν, sampled from `Substream.mixingProposals`), kept away from 0 so that ±∞·√W stays ±∞.
    private func drawScales(batch: UInt64, trials m: Int, worker: Worker) {
        guard let nu = degreesOfFreedom else { return }
        let u = worker.scales.buffer(0..<m)
        stream.fillUniforms(u, batch: batch, substream: .mixing)
        if StudentTMixing.samples(degreesOfFreedom: nu) {
            let per = StudentTMixing.proposalUniforms
            let proposals = worker.mixingProposals.buffer(0..<(per * m))
            stream.fillUniforms(proposals, batch: batch, substream: .mixingProposals)
            for t in 0..<m {
                let w = StudentTMixing.sampled(proposals: proposals.baseAddress! + per * t, fallback: u[t], degreesOfFreedom: nu)
                u[t] = max(1e-150, w.squareRoot())
            }
        } else {
            for t in 0..<m {
                u[t] = max(1e-150, StudentTMixing.inverted(u[t], degreesOfFreedom: nu).squareRoot())
            }
        }
    }

    /// Incident flags per trial and service: u_s < Φ((c_s·√W − g_s·F)/b_s), or u_s < q_s when the incident
    /// depends on nothing else (Gaussian copula, no loadings).
    private func drawIncidents(batch: UInt64, trials m: Int, worker: Worker) {
        let s = services.count
        worker.incidentList.removeAll(keepingCapacity: true)
        worker.incidentOffsets[0] = 0
        guard services.hasIncidents else {
            for t in 0..<m { worker.incidentOffsets[t + 1] = 0 }
            return
        }
        worker.incidentUniforms.withUnsafeMutableBufferPointer { u in
            stream.fillUniforms(UnsafeMutableBufferPointer(rebasing: u[0..<(s * m)]), batch: batch, substream: .incidents)
        }
        let k = services.incidentLoadings.isEmpty ? 0 : model.factorCount
        if let twist = importance?.twist {
            for t in 0..<m {
                var logRatio = 0.0
                for j in services.incidentServices {
                    let a = worker.thetas[t] * twist.incidentLosses[j]
                    let p = incidentProbability(j, factors: worker.factors.pointer + t * model.factorCount, k: model.factorCount,
                                                services: services, count: s)
                    let (q, psi) = ExponentialTwist.twisted(p, a)
                    let happens = worker.incidentUniforms[t * s + j] < (worker.drawnByImportanceSampler(t) ? q : p)
                    logRatio += happens ? a - psi : -psi
                    worker.incidentFlags[t * s + j] = happens
                    if happens { worker.incidentList.append(j) }
                }
                worker.logRatios[t] += logRatio
                worker.incidentOffsets[t + 1] = worker.incidentList.count
            }
            return
        }
        for t in 0..<m {
            for j in services.incidentServices {
                let u = worker.incidentUniforms[t * s + j]
                let happens: Bool
                if k == 0 && degreesOfFreedom == nil {
                    happens = u < services.incidentProbabilities[j]
                } else {
                    let shift = ConditionalForm.shift(services.incidentLoadings, first: j, stride: s,
                                                      factors: worker.factors.all, from: t * k, count: k)
                    let scale = degreesOfFreedom != nil ? worker.scales[t] : 1
                    happens = u < ConditionalForm.probability(threshold: services.incidentThresholds[j] * scale, shift: shift,
                                                              inverseIdiosyncratic: services.incidentInverseIdiosyncratic[j])
                }
                worker.incidentFlags[t * s + j] = happens
                if happens { worker.incidentList.append(j) }
            }
            worker.incidentOffsets[t + 1] = worker.incidentList.count
        }
    }

    /// The exploits that happen per trial: u_e < Φ((c_e·√W − g_e·F)/b_e), or u_e < p_e when the exploit depends on
    /// nothing else. Always drawn from the model's own law (importance sampling weighs the factors, which the
    /// exploits' conditional probabilities follow, so their part of the likelihood ratio is 1).
    private func drawExploits(batch: UInt64, trials m: Int, worker: Worker) {
        let exploits = model.tokens.exploits, e = exploits.count
        worker.exploitList.removeAll(keepingCapacity: true)
        worker.exploitOffsets[0] = 0
        guard e > 0 else {
            for t in 0..<m { worker.exploitOffsets[t + 1] = 0 }
            return
        }
        worker.exploitUniforms.withUnsafeMutableBufferPointer { u in
            stream.fillUniforms(UnsafeMutableBufferPointer(rebasing: u[0..<(e * m)]), batch: batch, substream: .exploits)
        }
        let k = model.factorCount
        for t in 0..<m {
            for (j, exploit) in exploits.enumerated() {
                let u = worker.exploitUniforms[t * e + j]
                let happens: Bool
                if exploit.loadings.isEmpty && degreesOfFreedom == nil {
                    happens = u < exploit.probability
                } else {
                    let shift = exploit.loadings.isEmpty ? 0
                        : ConditionalForm.shift(exploit.loadings, first: 0, stride: 1, factors: worker.factors.all, from: t * k, count: k)
                    let scale = degreesOfFreedom != nil ? worker.scales[t] : 1
                    happens = u < ConditionalForm.probability(threshold: exploit.threshold * scale, shift: shift,
                                                              inverseIdiosyncratic: exploit.inverseIdiosyncratic)
                }
                if happens { worker.exploitList.append(j) }
            }
            worker.exploitOffsets[t + 1] = worker.exploitList.count
        }
    }

    // MARK: Dense forms

    private func runDense(batch: UInt64, trials m: Int, worker: Worker) {
        let n = model.operatorCount
        worker.normals.withUnsafeMutableBufferPointer { normals in
            let e = UnsafeMutableBufferPointer(rebasing: normals[0..<(n * m)])
            stream.fill(e, batch: batch, substream: .operators)
            switch model.dependence {
            case .exchangeable(_, let alpha, let beta):
                for t in 0..<m {
                    let column = e.baseAddress! + t * n
                    var sum = 0.0
                    for j in 0..<n { sum += column[j] }
                    let shift = beta * sum
                    for j in 0..<n { column[j] = alpha * column[j] + shift }
                }
            case .cholesky where model.multipliesInSingle:
                slashsim_single_inputs(e.baseAddress!, worker.singles.pointer, worker.norms.pointer, n, m)
                BLAS.lowerTriangularMultiply(UnsafePointer(pinned.singleLower.pointer), order: n, worker.singles.pointer, columns: m)
                worker.recomputedLatents += slashsim_single_latents(
                    worker.singles.pointer, e.baseAddress!, pinned.lowerRows.pointer, n, m, pinned.thresholds.pointer,
                    degreesOfFreedom != nil ? worker.scales.pointer : nil, worker.norms.pointer, &worker.correctedDecisions)
            case .cholesky(let factor):
                factor.lower.withUnsafeBufferPointer { l in
                    BLAS.lowerTriangularMultiply(l.baseAddress!, order: n, e.baseAddress!, columns: m)
                }
            case .independent, .oneFactor, .factors:
                preconditionFailure("conditional forms take runConditional")
            }
            if lossPass != nil {
                denseFaultLists(latents: UnsafeBufferPointer(e), trials: m, worker: worker)
            } else {
                accumulateLosses(latents: UnsafeBufferPointer(e), trials: m, worker: worker)
            }
        }
    }

    /// The fault-and-loss pass (the C kernel `slashsim_threshold_faults`): operator j faults in trial t when
    /// Z[j, t] < threshold[j]·√W_t; the trials that lost something keep their totals.
    private func accumulateLosses(latents z: UnsafeBufferPointer<Double>, trials m: Int, worker: Worker) {
        let lists = records != nil
        slashsim_threshold_faults(&worker.thresholdPass, z.baseAddress!, m, degreesOfFreedom != nil ? worker.scales.pointer : nil, lists ? 1 : 0)
        for t in 0..<m where worker.totals[t] > 0 { worker.lossyTrials.append(worker.totals[t]) }
        if lists {
            for t in 0..<m { processTrial(t, faultsFrom: t, worker: worker) }
        }
    }

    /// The dense forms' faults as lists, one trial at a time, through the loss pass.
    private func denseFaultLists(latents z: UnsafeBufferPointer<Double>, trials m: Int, worker: Worker) {
        let n = model.operatorCount
        let scaled = degreesOfFreedom != nil
        for t in 0..<m {
            let column = z.baseAddress! + t * n
            let s = scaled ? worker.scales[t] : 1
            var count = 0
            for j in 0..<n where column[j] < model.thresholds[j] * s {
                worker.faultIndices[count] = Int32(j)
                worker.faultCounts[j] &+= 1
                count += 1
            }
            worker.faultOffsets[0] = 0
            worker.faultOffsets[1] = Int32(count)
            processTrial(t, faultsFrom: 0, worker: worker)
        }
    }

    /// Runs the loss pass on trial t of the batch, whose faults are entry `row` of the fault lists.
    private func processTrial(_ t: Int, faultsFrom row: Int, worker: Worker) {
        let faults = UnsafeBufferPointer(worker.faultIndices.buffer(Int(worker.faultOffsets[row])..<Int(worker.faultOffsets[row + 1])))
        let incidents = lossPass == nil ? [][...] : worker.incidentList[worker.incidentOffsets[t]..<worker.incidentOffsets[t + 1]]
        guard let lossPass, let state = worker.loss else {
            // Plain sums: the kernel's total of this row.
            if records != nil, worker.totals[row] > 0 { file(faults: faults, incidents: incidents, total: worker.totals[row], worker: worker) }
            return
        }
        let s = serviceCount
        if hasModes { drawModes(faults: faults, trial: t, worker: worker) }
        let vetoes = hasVetoes
        if vetoes { drawVetoes(faults: faults, incidents: incidents, trial: t, worker: worker) }
        worker.incidentFlags.withUnsafeBufferPointer { flags in
        worker.modeMasks.withUnsafeBufferPointer { masks in
        worker.vetoedAllocations.withUnsafeBufferPointer { vetoedAllocations in
        worker.vetoedIncidents.withUnsafeBufferPointer { vetoedIncidents in
            let total = lossPass.process(faults: faults, incident: flags.baseAddress! + t * s, incidents: incidents,
                                         exploits: worker.exploitList[worker.exploitOffsets[t]..<worker.exploitOffsets[t + 1]],
                                         modes: masks.baseAddress,
                                         vetoes: vetoes ? LossPass.Vetoes(allocations: vetoedAllocations.baseAddress!, incidents: vetoedIncidents.baseAddress!) : nil,
                                         weight: importance != nil ? worker.weights[t] : 1, state: state)
            if records != nil, total > 0 {
                file(faults: faults, incidents: incidents, total: total, worker: worker)
                if hasModes || vetoes { fileModesAndVetoes(faults: faults, incidents: incidents, worker: worker) }
            }
        }}}}
        if vetoes { clearVetoes(faults: faults, incidents: incidents, worker: worker) }
        // Incident flags are per batch and trial; clear this trial's for the next batch.
        for j in incidents { worker.incidentFlags[t * s + j] = false }
    }

    /// Which modes happened to each faulting operator that has modes (`FaultModes.draw`), from its uniforms at
    /// (trial · N + operator) · M of `Substream.faultModes`: the same for a trial wherever and whenever it runs.
    private func drawModes(faults: UnsafeBufferPointer<Int32>, trial t: Int, worker: Worker) {
        let modes = model.faultModes, n = model.operatorCount, stride = modes.widest
        for f in faults {
            let i = Int(f)
            guard modes.hasModes(i) else { continue }
            let count = modes.start[i + 1] - modes.start[i]
            worker.modeUniforms.withUnsafeMutableBufferPointer { u in
                stream.fillUniforms(UnsafeMutableBufferPointer(rebasing: u[0..<count]), batch: worker.batch, substream: .faultModes,
                                    from: (t * n + i) * stride)
                worker.modeMasks[i] = modes.draw(operator: i, uniforms: u.baseAddress!)
            }
        }
    }

    /// The vetoes of trial t: each faulting operator's allocation to a service with a veto probability r_s is
    /// vetoed when its uniform (`Substream.vetoes` at t·A + a) is below r_s; each incident of such a service
    /// when its uniform (`Substream.incidentVetoes` at t·S + s) is.
    private func drawVetoes(faults: UnsafeBufferPointer<Int32>, incidents: ArraySlice<Int>, trial t: Int, worker: Worker) {
        let count = services.allocationService.count
        var u = 0.0
        // With loadings, r_s given the trial's factors: Φ((c_s·√W − h_s·F)/b_s).
        func probability(_ s: Int) -> Double {
            let r = services.vetoProbabilities[s]
            guard !services.vetoLoadings.isEmpty, r > 0, r < 1 else { return r }
            let k = model.factorCount
            let shift = ConditionalForm.shift(services.vetoLoadings, first: s, stride: services.count, factors: worker.factors.all, from: t * k, count: k)
            let scale = degreesOfFreedom != nil ? worker.scales[t] : 1
            return ConditionalForm.probability(threshold: services.vetoThresholds[s] * scale, shift: shift,
                                               inverseIdiosyncratic: services.vetoInverseIdiosyncratic[s])
        }
        for f in faults {
            let i = Int(f)
            for a in services.allocationStart[i]..<services.allocationStart[i + 1] {
                guard services.vetoProbabilities[services.allocationService[a]] > 0 else { continue }
                let r = probability(services.allocationService[a])
                withUnsafeMutablePointer(to: &u) { stream.fillUniforms(UnsafeMutableBufferPointer(start: $0, count: 1), batch: worker.batch, substream: .vetoes, from: t * count + a) }
                worker.vetoedAllocations[a] = u < r
            }
        }
        for s in incidents {
            guard services.vetoProbabilities[s] > 0 else { continue }
            let r = probability(s)
            withUnsafeMutablePointer(to: &u) { stream.fillUniforms(UnsafeMutableBufferPointer(start: $0, count: 1), batch: worker.batch, substream: .incidentVetoes, from: t * services.count + s) }
            worker.vetoedIncidents[s] = u < r
        }
    }

    private func clearVetoes(faults: UnsafeBufferPointer<Int32>, incidents: ArraySlice<Int>, worker: Worker) {
        for f in faults { for a in services.allocationStart[Int(f)]..<services.allocationStart[Int(f) + 1] { worker.vetoedAllocations[a] = false } }
        for s in incidents { worker.vetoedIncidents[s] = false }
    }

    /// Files a losing trial's faults and incidents for the contributions.
    private func file(faults: UnsafeBufferPointer<Int32>, incidents: ArraySlice<Int>, total: Double, worker: Worker) {
        worker.filing.totals.append(total)
        worker.filing.faults.append(contentsOf: faults)
        worker.filing.faultStart.append(Int32(worker.filing.faults.count))
        for j in incidents { worker.filing.incidents.append(Int32(j)) }
        worker.filing.incidentStart.append(Int32(worker.filing.incidents.count))
    }

    /// Files a losing trial's fault modes (each fault's mask; 0 for an operator without modes) and vetoed slashes
    /// (`FiledTrials.vetoes`), after `file`: the contributions replay the trial's slashes from them exactly.
    private func fileModesAndVetoes(faults: UnsafeBufferPointer<Int32>, incidents: ArraySlice<Int>, worker: Worker) {
        if hasModes {
            for f in faults { worker.filing.faultModes.append(model.faultModes.hasModes(Int(f)) ? worker.modeMasks[Int(f)] : 0) }
        }
        guard hasVetoes else { return }
        for f in faults {
            for a in services.allocationStart[Int(f)]..<services.allocationStart[Int(f) + 1] where worker.vetoedAllocations[a] {
                worker.filing.vetoes.append(Int32(a))
            }
        }
        for s in incidents where worker.vetoedIncidents[s] { worker.filing.vetoes.append(Int32(-(s + 1))) }
        worker.filing.vetoStart.append(Int32(worker.filing.vetoes.count))
    }

    // MARK: Conditional forms

    /// The conditional path: factors, then each operator's fault as u_i < Φ((c_i·√W − a_i·F)/b_i). Trials are
    /// taken in chunks of about 16k operator-trials so that uniforms and shifts stay in cache.
    private func runConditional(_ form: ConditionalForm,
                                batch: UInt64, trials m: Int, worker: Worker) {
        let n = model.operatorCount, k = form.factors
        let chunk = min(m, Self.chunkTrials(operators: n))
        // With no factors and the Gaussian copula, u < p decides exactly; otherwise the C decision pass.
        let plainUniforms = k == 0 && degreesOfFreedom == nil
        let lists = lossPass != nil || records != nil
        var start = 0
        while start < m {
            let size = min(chunk, m - start)
            worker.normals.withUnsafeMutableBufferPointer { uniformBuffer in
                let u = UnsafeMutableBufferPointer(rebasing: uniformBuffer[0..<(n * size)])
                stream.fillUniforms(u, batch: batch, substream: .operators, from: start * n)
                if importance?.twist != nil {
                    twistedDecisions(u, from: start, trials: size, worker: worker)
                } else if plainUniforms {
                    uniformDecisions(u, trials: size, worker: worker, lists: lists)
                } else {
                    conditionalDecisions(form, u, from: start, trials: size, worker: worker, lists: lists)
                }
            }
            if lists {
                for t in 0..<size { processTrial(start + t, faultsFrom: t, worker: worker) }
            }
            start += size
        }
    }

    /// Independent operators, Gaussian copula: operator i faults when u_i < p_i.
    private func uniformDecisions(_ u: UnsafeMutableBufferPointer<Double>, trials size: Int, worker: Worker, lists: Bool) {
        let n = model.operatorCount
        let counts = worker.faultCounts.pointer, loss = pinned.lossIfFault.pointer
        model.faultProbabilities.withUnsafeBufferPointer { p in
            var listed: Int32 = 0
            if lists { worker.faultOffsets[0] = 0 }
            for t in 0..<size {
                var total = 0.0
                let row = t * n
                for i in 0..<n where u[row + i] < p[i] {
                    total += loss[i]
                    counts[i] &+= 1
                    if lists { worker.faultIndices[Int(listed)] = Int32(i); listed += 1 }
                }
                if lists { worker.faultOffsets[t + 1] = listed }
                worker.totals[t] = total
                if lossPass == nil, total > 0 { worker.lossyTrials.append(total) }
            }
        }
    }

    /// The C decision pass: the shifts a·F (in C, a_i0·F_0 then fused multiply-adds, the same on every
    /// instruction set and whatever the BLAS; zero without factors), then u < Φ((c·√W − shift)/b) through the Φ grid.
    private func conditionalDecisions(_ form: ConditionalForm, _ u: UnsafeMutableBufferPointer<Double>, from start: Int, trials size: Int,
                                      worker: Worker, lists: Bool) {
        slashsim_conditional_faults(&worker.conditionalPass, u.baseAddress!, worker.factors.pointer + start * form.factors, size,
                                    degreesOfFreedom != nil ? worker.scales.pointer + start : nil, lists ? 1 : 0)
        if lossPass == nil {
            for t in 0..<size where worker.totals[t] > 0 { worker.lossyTrials.append(worker.totals[t]) }
        }
    }
}
