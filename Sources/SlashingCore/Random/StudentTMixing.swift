#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The Student t copula's mixing variable W = χ²_ν/ν, one per trial.
///
/// Up to ν = `samplerThreshold`, W is χ²_ν⁻¹(u)/ν for the trial's uniform on `Substream.mixing` (inversion:
/// incomplete gamma and Halley steps, whose cost grows like √ν: at ν = 10⁶ a run of 10⁶ trials took hours).
/// Above it, W comes from Marsaglia and Tsang's gamma sampler (ACM TOMS 26(3), 2000) with shape a = ν/2, in
/// constant time: up to `attempts` proposals per trial, each a normal and a uniform at fixed addresses on
/// `Substream.mixingProposals`, so W still depends only on (seed, batch, trial). Its acceptance rate exceeds
/// 99.9 % for a ≥ 500; when every proposal is rejected (probability below 10⁻¹²), the trial falls back to
/// inversion of its own uniform, which keeps W exactly χ²_ν/ν in distribution.
public enum StudentTMixing {
    /// ν above which W is sampled rather than inverted. Runs with ν at or below it draw exactly what they
    /// drew before the sampler existed.
    public static let samplerThreshold = 1000.0
    /// Proposals per trial before the fallback.
    public static let attempts = 4
    /// Uniforms per trial on `Substream.mixingProposals`: a normal's and an acceptance uniform per proposal.
    public static let proposalUniforms = 2 * attempts

    /// Whether W is sampled (true) or inverted for these degrees of freedom.
    public static func samples(degreesOfFreedom nu: Double) -> Bool { nu > samplerThreshold }

    /// W by inversion of the trial's uniform `u`.
    public static func inverted(_ u: Double, degreesOfFreedom nu: Double) -> Double {
        ChiSquaredDistribution.quantile(u, degreesOfFreedom: nu) / nu
    }

    /// A Gamma(a, 1) draw for a ≥ 1 from `attempts` proposals: proposal j uses `proposals[2j]` (through Φ⁻¹,
    /// the normal) and `proposals[2j + 1]` (the acceptance uniform). Nil when every proposal is rejected.
    public static func gamma(shape a: Double, proposals p: UnsafePointer<Double>) -> Double? {
        let d = a - 1.0 / 3, c = 1 / (9 * d).squareRoot()
        for j in 0..<attempts {
            let x = NormalDistribution.quantile(p[2 * j])
            var v = 1 + c * x
            if v <= 0 { continue }
            v = v * v * v
            let u = p[2 * j + 1], x2 = x * x
            if u < 1 - 0.0331 * x2 * x2 || log(u) < 0.5 * x2 + d * (1 - v + log(v)) { return d * v }
        }
        return nil
    }

    /// W for one trial above the threshold: 2·Gamma(ν/2)/ν, or inversion of `u` after `attempts` rejections.
    public static func sampled(proposals: UnsafePointer<Double>, fallback u: Double, degreesOfFreedom nu: Double) -> Double {
        guard let g = gamma(shape: nu / 2, proposals: proposals) else { return inverted(u, degreesOfFreedom: nu) }
        return 2 * g / nu
    }
}
