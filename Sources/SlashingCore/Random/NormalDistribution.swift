#if canImport(Glibc)
import Glibc

#elseif canImport(Darwin)
import Darwin
#endif

/// The C library's log (for the subnormal arguments `NormalDistribution.log` does not take).
@usableFromInline func libmLog(_ x: Double) -> Double { log(x) }

/// The standard normal distribution: its CDF Φ and quantile function Φ⁻¹.
public enum NormalDistribution {
    /// Φ(x) = P(Z ≤ x), accurate to a few ulps in both tails (through `erfc`).
    @inlinable
    public static func cdf(_ x: Double) -> Double {
        0.5 * erfc(-x * 0.7071067811865475244)
    }

    /// φ(x), the standard normal density.
    @inlinable
    public static func density(_ x: Double) -> Double {
        0.3989422804014326779 * exp(-0.5 * x * x)
    }

    /// log x for a positive normal x: fdlibm's e_log.c (Sun, 1993; error below 1 ulp) with its branches made
    /// selections, exactly the operations of the C kernels' vectorised log (`normals.c`), so that the
    /// normals of `NormalStream.fill` and `referenceFill` agree bit for bit on every instruction set.
    @inlinable
    public static func log(_ x: Double) -> Double {
        let ln2Hi = 6.93147180369123816490e-01, ln2Lo = 1.90821492927058770002e-10
        let lg1 = 6.666666666666735130e-01, lg2 = 3.999999999940941908e-01, lg3 = 2.857142874366239149e-01
        let lg4 = 2.222219843214978396e-01, lg5 = 1.818357216161805012e-01, lg6 = 1.531383769920937332e-01
        let lg7 = 1.479819860511658591e-01
        let bits = x.bitPattern
        var hx = Int64(bits >> 32)
        var k = (hx >> 20) - 1023
        hx &= 0x000fffff
        let i = (hx + 0x95f64) & 0x100000
        let m = Double(bitPattern: (UInt64(hx | (i ^ 0x3ff00000)) << 32) | (bits & 0xffff_ffff))
        k += i >> 20
        let f = m - 1.0
        let s = f / (2.0 + f)
        let dk = Double(k)
        let z = s * s
        let w = z * z
        let t1 = w * (lg2 + w * (lg4 + w * lg6))
        let t2 = z * (lg1 + w * (lg3 + w * (lg5 + w * lg7)))
        let r = t2 + t1
        let hfsq = 0.5 * f * f
        let wide = dk * ln2Hi - ((hfsq - (s * (hfsq + r) + dk * ln2Lo)) - f)
        let narrow = dk * ln2Hi - ((s * (f - r) - dk * ln2Lo) - f)
        return ((hx - 0x6147a) | (0x6b851 - hx)) > 0 ? wide : narrow
    }

    /// Φ⁻¹(p) for p in [0, 1]: −∞ at 0, +∞ at 1, NaN outside.
    ///
    /// Wichura's algorithm AS 241 (PPND16, Applied Statistics 37, 1988): relative accuracy about 1e-16
    /// from the smallest subnormal (5e-324) to 1 − 2⁻⁵³ (checked against 50-digit values in the tests).
    /// AS 241's central rational approximation, valid for |p − 0.5| ≤ 0.425; branch-free so that loops
    /// over many values vectorise.
    @inlinable @inline(__always)
    public static func centralQuantile(_ p: Double) -> Double {
        let q = p - 0.5
        let r = 0.180625 - q * q
        let num = (((((((2509.0809287301226727 * r + 33430.575583588128105) * r + 67265.770927008700853) * r
            + 45921.953931549871457) * r + 13731.693765509461125) * r + 1971.5909503065514427) * r
            + 133.14166789178437745) * r + 3.387132872796366608)
        let den = (((((((5226.4952788528545610 * r + 28729.085735721942674) * r + 39307.89580009271061) * r
            + 21213.794301586595867) * r + 5394.1960214247511077) * r + 687.1870074920579083) * r
            + 42.313330701600911252) * r + 1.0)
        return q * num / den
    }

    @inlinable
    public static func quantile(_ p: Double) -> Double {
        if !(p > 0 && p < 1) {
            if p == 0 { return -.infinity }
            if p == 1 { return .infinity }
            return .nan
        }
        let q = p - 0.5
        if abs(q) <= 0.425 { return centralQuantile(p) }
        var r = q < 0 ? p : 1 - p
        r = (-(r.isNormal ? Self.log(r) : libmLog(r))).squareRoot()
        var x: Double
        if r <= 5 {
            r -= 1.6
            x = (((((((7.7454501427834140764e-4 * r + 0.0227238449892691845833) * r + 0.24178072517745061177) * r
                + 1.27045825245236838258) * r + 3.64784832476320460504) * r + 5.7694972214606914055) * r
                + 4.6303378461565452959) * r + 1.42343711074968357734)
                / (((((((1.05075007164441684324e-9 * r + 5.475938084995344946e-4) * r + 0.0151986665636164571966) * r
                + 0.14810397642748007459) * r + 0.68976733498510000455) * r + 1.6763848301838038494) * r
                + 2.05319162663775882187) * r + 1.0)
        } else {
            r -= 5
            x = (((((((2.01033439929228813265e-7 * r + 2.71155556874348757815e-5) * r + 0.0012426609473880784386) * r
                + 0.026532189526576123093) * r + 0.29656057182850489123) * r + 1.7848265399172913358) * r
                + 5.4637849111641143699) * r + 6.6579046435011037772)
                / (((((((2.04426310338993978564e-15 * r + 1.4215117583164458887e-7) * r + 1.8463183175100546818e-5) * r
                + 7.868691311456132591e-4) * r + 0.0148753612908506148525) * r + 0.13692988092273580531) * r
                + 0.59983220655588793769) * r + 1.0)
        }
        return q < 0 ? -x : x
    }
}
