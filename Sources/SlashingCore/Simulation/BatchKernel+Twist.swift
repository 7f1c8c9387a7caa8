import Foundation

/// The conditional twist of importance sampling (`ExponentialTwist`) on the factor path: per trial, the
/// operators' and incidents' probabilities given the factors, θ, then decisions against the twisted
/// probabilities (or the model's own, for the defensive mixture's plain trials), each adding its part of
/// log(q/p) to the trial's.
extension BatchKernel {
    /// Per trial of the batch: p_i(z) for every operator (into `twistProbabilities`, row t at t·N) and θ_t.
    func prepareTwist(_ twist: ExponentialTwist, trials m: Int, worker: Worker) {
        guard let form = conditional else { return }
        let n = model.operatorCount, k = form.factors, services = model.services, s = services.count
        let incidentServices = services.incidentServices
        let obligors = n + incidentServices.count
        let thresholds = model.thresholds, loadings = form.loadings, inverseB = form.inverseIdiosyncratic
        let factors = UnsafeBufferPointer(worker.factors.all)
        worker.twistProbabilities.withUnsafeMutableBufferPointer { p in
        worker.obligorProbabilities.withUnsafeMutableBufferPointer { scratch in
        twistLosses.withUnsafeBufferPointer { losses in
            var thetas = [Double](repeating: 0, count: m)
            for t in 0..<m {
                let row = p.baseAddress! + t * n
                let z = factors.baseAddress! + t * k
                for i in 0..<n {
                    let shift = ConditionalForm.shift(loadings, first: i, stride: n, factors: factors, from: t * k, count: k)
                    let probability = ConditionalForm.probability(threshold: thresholds[i], shift: shift, inverseIdiosyncratic: inverseB[i])
                    row[i] = probability
                    scratch[i] = probability
                }
                for (o, j) in incidentServices.enumerated() {
                    scratch[n + o] = incidentProbability(j, factors: z, k: k, services: services, count: s)
                }
                thetas[t] = ExponentialTwist.theta(probabilities: scratch.baseAddress!, losses: losses.baseAddress!,
                                                   count: obligors, target: twist.target)
            }
            for t in 0..<m { worker.thetas[t] = thetas[t] }
        }}}
    }

    /// P(incident of service j | factors z) under the Gaussian copula.
    func incidentProbability(_ j: Int, factors z: UnsafePointer<Double>, k: Int, services: ServiceLayer, count s: Int) -> Double {
        if services.incidentLoadings.isEmpty { return services.incidentProbabilities[j] }
        let shift = ConditionalForm.shift(services.incidentLoadings, first: j, stride: s, factors: UnsafeBufferPointer(start: z, count: k), from: 0, count: k)
        return ConditionalForm.probability(threshold: services.incidentThresholds[j], shift: shift,
                                           inverseIdiosyncratic: services.incidentInverseIdiosyncratic[j])
    }

    /// Operator faults of `size` trials from `start`: u < q_i(θ_t) (u < p_i for the mixture's plain trials),
    /// fault lists for the loss pass, counts, log(q/p) = Σ_faults θ_t ℓ_i − Σ ψ_i added to the trial's, and its weight.
    func twistedDecisions(_ u: UnsafeMutableBufferPointer<Double>, from start: Int, trials size: Int, worker: Worker) {
        let n = model.operatorCount
        let losses = pinned.lossIfFault.pointer, counts = worker.faultCounts.pointer, indices = worker.faultIndices.pointer
        var listed: Int32 = 0
        worker.faultOffsets[0] = 0
        worker.twistProbabilities.withUnsafeBufferPointer { probabilities in
            for t in 0..<size {
                let trial = start + t, theta = worker.thetas[trial], sampled = worker.drawnByImportanceSampler(trial)
                let row = probabilities.baseAddress! + trial * n
                var logRatio = 0.0
                for i in 0..<n {
                    let p = row[i]
                    let a = theta * losses[i]
                    let (q, psi) = ExponentialTwist.twisted(p, a)
                    let fault = u[t * n + i] < (sampled ? q : p)
                    logRatio += fault ? a - psi : -psi
                    if fault {
                        counts[i] &+= 1
                        indices[Int(listed)] = Int32(i)
                        listed += 1
                    }
                }
                worker.faultOffsets[t + 1] = listed
                worker.weights[trial] = ImportanceShift.mixtureWeight(logRatio: worker.logRatios[trial] + logRatio)
            }
        }
    }
}
