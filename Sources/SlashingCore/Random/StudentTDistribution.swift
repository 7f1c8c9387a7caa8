#if canImport(Glibc)
import Glibc

#elseif canImport(Darwin)
import Darwin
#endif

/// Student's t distribution with ν > 0 degrees of freedom: CDF through the regularized incomplete beta
/// function, quantile by bisection (used once per operator and service when a model is compiled).
public enum StudentTDistribution {
    /// P(T ≤ x), accurate in both tails: ½·I_{ν/(ν+x²)}(ν/2, ½) in the far tails, ½ ± ½·I_{x²/(ν+x²)}(½, ν/2)
    /// near the centre (so that neither form loses digits to cancellation).
    public static func cdf(_ x: Double, degreesOfFreedom nu: Double) -> Double {
        if x.isNaN { return .nan }
        if x == -.infinity { return 0 }
        if x == .infinity { return 1 }
        let x2 = x * x
        let tail: Double
        if x2 > nu {
            tail = 0.5 * IncompleteBeta.regularized(nu / (nu + x2), nu / 2, 0.5)
        } else {
            tail = 0.5 - 0.5 * IncompleteBeta.regularized(x2 / (nu + x2), 0.5, nu / 2)
        }
        return x < 0 ? tail : 1 - tail
    }

    /// The p-quantile: −∞ at 0, +∞ at 1. For p > ½, −quantile(1 − p) (1 − p is exact there).
    public static func quantile(_ p: Double, degreesOfFreedom nu: Double) -> Double {
        if p.isNaN || p < 0 || p > 1 { return .nan }
        if p == 0 { return -.infinity }
        if p == 1 { return .infinity }
        if p == 0.5 { return 0 }
        if p > 0.5 { return -quantile(1 - p, degreesOfFreedom: nu) }
        // Bisection on y with x = sinh(y) < 0, which spans every double quantile in a few dozen steps.
        var low = -asinh(Double.greatestFiniteMagnitude), high = 0.0
        for _ in 0..<200 {
            let mid = 0.5 * (low + high)
            if mid == low || mid == high { break }
            if cdf(sinh(mid), degreesOfFreedom: nu) < p { low = mid } else { high = mid }
        }
        return sinh(0.5 * (low + high))
    }
}

/// The regularized incomplete beta function I_x(a, b) (Numerical Recipes, 3rd ed., §6.4: Lentz's
/// continued fraction on the side of (a + 1)/(a + b + 2) where it converges fast).
public enum IncompleteBeta {
    public static func regularized(_ x: Double, _ a: Double, _ b: Double) -> Double {
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        let logFront = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x)
        if x < (a + 1) / (a + b + 2) {
            return exp(logFront) * continuedFraction(x, a, b) / a
        }
        return 1 - exp(logFront) * continuedFraction(1 - x, b, a) / b
    }

    private static func continuedFraction(_ x: Double, _ a: Double, _ b: Double) -> Double {
        let tiny = 1e-300
        let qab = a + b, qap = a + 1, qam = a - 1
        var c = 1.0, d = 1 - qab * x / qap
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var h = d
        for m in 1..<10_000 {
            let md = Double(m), m2 = 2 * md
            var aa = md * (b - md) * x / ((qam + m2) * (a + m2))
            d = 1 + aa * d
            if abs(d) < tiny { d = tiny }
            c = 1 + aa / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            h *= d * c
            aa = -(a + md) * (qab + md) * x / ((a + m2) * (qap + m2))
            d = 1 + aa * d
            if abs(d) < tiny { d = tiny }
            c = 1 + aa / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < 1e-16 { break }
        }
        return h
    }
}
