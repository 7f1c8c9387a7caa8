/// How the latent variables are joined. The Student t copula divides every latent variable of a trial by the
/// same √W, W = χ²_ν/ν, which gives tail dependence: operators fail together more often in bad trials than
/// under the Gaussian copula with the same correlation.
public enum Copula: Sendable, Equatable {
    case gaussian
    /// Degrees of freedom ν > 0 (smaller is fatter-tailed; ν → ∞ is the Gaussian copula).
    case studentT(degreesOfFreedom: Double)

    /// The copula quantile of a probability: Φ⁻¹(p), or t_ν⁻¹(p) for the Student t copula; −∞ for p = 0 and
    /// +∞ for p = 1.
    public func quantile(_ p: Double) -> Double {
        switch self {
        case .gaussian: return NormalDistribution.quantile(p)
        case .studentT(let nu): return StudentTDistribution.quantile(p, degreesOfFreedom: nu)
        }
    }

    /// ν of the Student t copula; nil for the Gaussian copula.
    public var degreesOfFreedom: Double? {
        if case .studentT(let nu) = self { return nu }
        return nil
    }
}

/// Where a model's named factors came from.
public enum FactorOrigin: String, Sendable {
    /// `correlation.factors`: written by the analyst.
    case named
    /// `correlation.derived`: built from shared services and infrastructure tags.
    case derived
}
