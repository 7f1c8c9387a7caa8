#if canImport(Glibc)
import Glibc

#elseif canImport(Darwin)
import Darwin
#endif

/// The regularized incomplete gamma functions P(a, x) and Q(a, x) = 1 − P(a, x), and the chi-square
/// distribution built on them (for the Student t copula's mixing variable).
///
/// Series for x < a + 1 and Lentz's continued fraction otherwise (Numerical Recipes, 3rd ed., §6.2),
/// each to full double precision; checked against SciPy's `gammainc`/`chi2.ppf` in the tests.
public enum IncompleteGamma {
    /// P(a, x) = γ(a, x)/Γ(a) for a > 0, x ≥ 0.
    public static func lowerRegularized(_ a: Double, _ x: Double) -> Double {
        if x <= 0 { return 0 }
        if x.isInfinite { return 1 }
        return x < a + 1 ? series(a, x) : 1 - continuedFraction(a, x)
    }

    /// Q(a, x) = Γ(a, x)/Γ(a) for a > 0, x ≥ 0.
    public static func upperRegularized(_ a: Double, _ x: Double) -> Double {
        if x <= 0 { return 1 }
        if x.isInfinite { return 0 }
        return x < a + 1 ? 1 - series(a, x) : continuedFraction(a, x)
    }

    /// log of x^a·e^(−x)/Γ(a), the prefactor of both expansions.
    private static func logPrefactor(_ a: Double, _ x: Double) -> Double { a * log(x) - x - lgamma(a) }

    private static func series(_ a: Double, _ x: Double) -> Double {
        var ap = a, term = 1 / a, sum = term
        for _ in 0..<10_000 {
            ap += 1
            term *= x / ap
            sum += term
            if abs(term) < abs(sum) * 1e-17 { break }
        }
        return sum * exp(logPrefactor(a, x))
    }

    private static func continuedFraction(_ a: Double, _ x: Double) -> Double {
        let tiny = 1e-300
        var b = x + 1 - a, c = 1 / tiny, d = 1 / b, h = d
        for i in 1..<10_000 {
            let an = -Double(i) * (Double(i) - a)
            b += 2
            d = an * d + b
            if abs(d) < tiny { d = tiny }
            c = b + an / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            h *= delta
            if abs(delta - 1) < 1e-17 { break }
        }
        return exp(logPrefactor(a, x)) * h
    }

    /// The x with P(a, x) = p, for a > 0 and p in (0, 1): Halley's method from the starting points of
    /// Numerical Recipes' `invgammp`, solving Q(a, x) = 1 − p instead when p > ½ so the upper tail keeps
    /// its precision.
    public static func inverseLower(_ a: Double, _ p: Double) -> Double {
        if p <= 0 { return 0 }
        if p >= 1 { return .infinity }
        let gln: Double = lgamma(a)
        let a1 = a - 1
        var x: Double
        if a > 1 {
            let pp = p < 0.5 ? p : 1 - p
            let t = (-2 * log(pp)).squareRoot()
            var z = (2.30753 + t * 0.27061) / (1 + t * (0.99229 + t * 0.04481)) - t
            if p < 0.5 { z = -z }
            x = max(1e-3, a * pow(1 - 1 / (9 * a) - z / (3 * a.squareRoot()), 3))
        } else {
            let t = 1 - a * (0.253 + a * 0.12)
            x = p < t ? pow(p / t, 1 / a) : 1 - log(1 - (p - t) / (1 - t))
        }
        let upper = p > 0.5
        for _ in 0..<100 {
            if x <= 0 { return 0 }
            let error = upper ? (1 - p) - upperRegularized(a, x) : lowerRegularized(a, x) - p
            // Sign: both forms give P(a, x) − p; the density is dP/dx.
            let density = exp(a1 * log(x) - x - gln)
            guard density > 0, density.isFinite else { break }
            let u = error / density
            let step = u / (1 - 0.5 * min(1, u * (a1 / x - 1)))
            var next = x - step
            if next <= 0 { next = 0.5 * x }
            if abs(next - x) <= 1e-15 * next { x = next; break }
            x = next
        }
        return x
    }
}

/// The chi-square distribution with ν degrees of freedom (a gamma with shape ν/2 and scale 2).
public enum ChiSquaredDistribution {
    /// The p-quantile, p in (0, 1).
    public static func quantile(_ p: Double, degreesOfFreedom nu: Double) -> Double {
        2 * IncompleteGamma.inverseLower(nu / 2, p)
    }

    /// P(χ²_ν ≤ x).
    public static func cdf(_ x: Double, degreesOfFreedom nu: Double) -> Double {
        IncompleteGamma.lowerRegularized(nu / 2, x / 2)
    }
}
