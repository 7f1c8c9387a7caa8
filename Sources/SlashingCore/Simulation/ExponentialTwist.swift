import Foundation

/// Glasserman & Li's second step: given the (shifted) factors z, operators fault and services have incidents
/// independently, obligor o with probability p_o(z) and loss ℓ_o. Sampling each with the twisted probability
/// q_o = p_o·e^{θℓ_o} / (1 + p_o(e^{θℓ_o} − 1)) makes losses near x typical when they are rare given z;
/// the trial's weight gains the factor Π (p/q)^{D}((1 − p)/(1 − q))^{1−D} = exp(ψ(θ) − θ·Σ ℓ_o D_o), with
/// ψ(θ) = Σ log(1 + p_o(e^{θℓ_o} − 1)) and θ = θ_x(z) ≥ 0 solving ψ'(θ) = x (0 when E[L | z] ≥ x already).
///
/// The obligor losses ℓ_o are the operators' `lossIfFault` and, per service, the stake an incident alone
/// slashes; the loss the trial actually records comes from the loss pass (caps and all): any ℓ_o gives an
/// unbiased estimator, these make the twist aim well.
public struct ExponentialTwist: Sendable, Equatable {
    /// x, the loss the twist aims at (the pilot's VaR at the target level).
    public let target: Double
    /// ℓ_s per service (0 for services without incidents).
    public let incidentLosses: [Double]

    /// q = p·e^a/(1 + p(e^a − 1)) and log(1 + p(e^a − 1)), for a = θℓ ≥ 0, without overflow.
    @inline(__always)
    static func twisted(_ p: Double, _ a: Double) -> (q: Double, psi: Double) {
        if a == 0 || p == 0 || p == 1 { return (p, p == 1 ? a : 0) }
        // d = p + (1 − p)e^{−a} ∈ (p, 1]: q = p/d, ψ = a + log d.
        let shrink = (1 - p) * expm1(-a)
        return (p / (1 + shrink), a + log1p(shrink))
    }

    /// θ ≥ 0 with Σ ℓ_o q_o(θ) = x, by Newton's method safeguarded by bisection (ψ' rises with θ).
    /// When even every obligor with p_o > 0 failing could not reach x, a θ that makes them all likely.
    static func theta(probabilities p: UnsafePointer<Double>, losses: UnsafePointer<Double>, count: Int, target x: Double) -> Double {
        var mean = 0.0, reachable = 0.0, largest = 0.0
        for o in 0..<count where p[o] > 0 && losses[o] > 0 {
            mean += losses[o] * p[o]
            reachable += losses[o]
            largest = max(largest, losses[o])
        }
        if mean >= x || largest == 0 { return 0 }
        if reachable <= x { return 30 / largest }
        // In units of x: θ' = θx, ℓ' = ℓ/x; g(θ') = Σ ℓ' q − 1, g' = Σ ℓ'² q(1 − q).
        let scale = 1 / x
        func g(_ t: Double) -> (value: Double, slope: Double) {
            var value = -1.0, slope = 0.0
            for o in 0..<count where p[o] > 0 && losses[o] > 0 {
                let l = losses[o] * scale
                let q = p[o] / (1 + (1 - p[o]) * expm1(-t * l))
                value += l * q
                slope += l * l * q * (1 - q)
            }
            return (value, slope)
        }
        // Newton from θ' = 0 (where g < 0), bracketed by [lo, hi]; while hi is unknown, a step that fails
        // to move right doubles θ' instead.
        var lo = 0.0, hi = Double.infinity
        var t = 0.0, current = g(0)
        for _ in 0..<200 {
            var next = current.slope > 0 ? t - current.value / current.slope : .nan
            if !(next > lo && next < hi) { next = hi.isFinite ? 0.5 * (lo + hi) : max(2 * t, 1) }
            t = next
            current = g(t)
            if current.value < 0 { lo = t } else { hi = t }
            if abs(current.value) < 1e-12 || (hi.isFinite && hi - lo <= 1e-12 * hi) { break }
        }
        return t * scale
    }
}
