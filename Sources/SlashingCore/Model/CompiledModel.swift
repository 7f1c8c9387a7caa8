import Foundation

/// A scenario compiled into dense arrays ready for the simulation kernels.
///
/// Operator i faults when its latent Z_i < thresholds[i] = Φ⁻¹(p_i) (Gaussian copula; with the Student t
/// copula, Z_i/√W < t_ν⁻¹(p_i), W = χ²_ν/ν shared by the trial) and then loses lossIfFault[i] =
/// stake_i · min(1, Σ_s m_is · w_s) ETH when no service has an incident. The latent vector Z ~ N(0, R) is
/// produced as described by `dependence`.
public struct CompiledModel: Sendable {
    /// Operator ids, in scenario order.
    public let operatorIDs: [String]
    /// Stakes in ETH.
    public let stakes: [Double]
    /// Fault probabilities p_i.
    public let faultProbabilities: [Double]
    /// The copula quantile of p_i: Φ⁻¹(p_i), or t_ν⁻¹(p_i) for the Student t copula; −∞ for p = 0 (never
    /// faults) and +∞ for p = 1 (always faults).
    public let thresholds: [Double]
    /// ETH lost by operator i when it faults and no service has an incident.
    public let lossIfFault: [Double]
    /// The copula: Gaussian, or Student t with ν degrees of freedom.
    public let copula: Copula
    /// Services: allocations, slash fractions and incidents.
    public let services: ServiceLayer
    /// Tokens and portfolios.
    public let tokens: TokenLayer
    /// Operators' fault modes (empty: every operator has the one implicit mode of the model without modes).
    public let faultModes: FaultModes
    /// Where named factors came from (nil for the other forms).
    public let factorOrigin: FactorOrigin?
    /// How the correlated latents are produced.
    public let dependence: Dependence
    /// Set when `repair: nearest` replaced a matrix that was not positive definite.
    public let repair: NearestCorrelation.Result?
    /// Things the analyst should know that do not stop the run (e.g. a nearly singular matrix).
    public let warnings: [String]
    /// The arithmetic of the dense multiply (`simulation: {precision: single}`); the decisions do not depend on it.
    public var latentPrecision: LatentPrecision = .double

    /// Whether the multiply runs in single precision: asked for, and the model has a Cholesky factor.
    public var multipliesInSingle: Bool {
        if case .cholesky = dependence { return latentPrecision == .single }
        return false
    }

    /// Number of operators N.
    public var operatorCount: Int { operatorIDs.count }

    /// The latent dependence structure, from the cheapest to the most general.
    public enum Dependence: Sendable {
        /// Z_i = ε_i.
        case independent
        /// Z_i = √ρ·F + √(1−ρ)·ε_i, ρ in (0, 1): the one-factor (Vasicek) form of a constant ρ ≥ 0.
        case oneFactor(rho: Double)
        /// Z_i = α·ε_i + β·Σ_j ε_j with α = √(1−ρ), β = (√(1+(N−1)ρ) − α)/N: a constant ρ < 0, down to −1/(N−1).
        case exchangeable(rho: Double, alpha: Double, beta: Double)
        /// Z = L·ε with R = L·Lᵀ (LAPACK `dpotrf`): an explicit matrix.
        case cholesky(CholeskyFactor)
        /// Z = A·F + diag(b)·ε with K named factors F: `loadings` is A (N×K, column-major), `idiosyncratic`
        /// is b_i = √(1 − Σ_k a_ik²). O(N·K) per trial.
        case factors(ids: [String], loadings: [Double], idiosyncratic: [Double])
    }

    /// The conditional form of the independent, one-factor and named-factor models (see `ConditionalForm`); nil
    /// for the exchangeable and Cholesky forms, which draw correlated normals instead.
    public var conditionalForm: ConditionalForm? {
        let n = operatorIDs.count
        switch dependence {
        case .independent:
            return ConditionalForm(loadings: [], factors: 0, inverseIdiosyncratic: [Double](repeating: 1, count: n))
        case .oneFactor(let rho):
            return ConditionalForm(loadings: [Double](repeating: rho.squareRoot(), count: n), factors: 1,
                                   inverseIdiosyncratic: [Double](repeating: 1 / (1 - rho).squareRoot(), count: n))
        case .factors(let ids, let loadings, let idiosyncratic):
            return ConditionalForm(loadings: loadings, factors: ids.count, inverseIdiosyncratic: idiosyncratic.map { 1 / $0 })
        case .exchangeable, .cholesky:
            return nil
        }
    }

    /// The exchangeable form of a constant ρ < 0 over N operators: α = √(1−ρ), β = (√(1+(N−1)ρ) − α)/N.
    public static func exchangeable(rho: Double, operators count: Int) -> Dependence {
        let n = Double(count)
        let alpha = (1 - rho).squareRoot()
        let beta = (max(0, 1 + (n - 1) * rho).squareRoot() - alpha) / n
        return .exchangeable(rho: rho, alpha: alpha, beta: beta)
    }

    /// The named-factor form from its loadings A (N×K, column-major): b_i = √(max(0, 1 − Σ_k a_ik²)).
    public static func factors(ids: [String], loadings a: [Double], operators n: Int) -> Dependence {
        let k = ids.count
        let b = (0..<n).map { i in max(0, 1 - (0..<k).reduce(0) { $0 + a[i + $1 * n] * a[i + $1 * n] }).squareRoot() }
        return .factors(ids: ids, loadings: a, idiosyncratic: b)
    }

    /// Names of the common factors: `common` for a constant correlation, the scenario's ids otherwise.
    public var factorIDs: [String] {
        switch dependence {
        case .oneFactor: return ["common"]
        case .factors(let ids, _, _): return ids
        default: return []
        }
    }

    /// Number of common factors drawn per trial (0 for the independent, exchangeable and Cholesky forms).
    public var factorCount: Int {
        switch dependence {
        case .oneFactor: return 1
        case .factors(let ids, _, _): return ids.count
        default: return 0
        }
    }

    /// Whether trials need the general loss pass (incidents, tokens, portfolios) rather than sums of
    /// `lossIfFault` over faulting operators.
    public var needsLossPass: Bool { services.hasIncidents || !tokens.isEmpty || !faultModes.isEmpty || services.hasVetoes }
    /// Whether a fault's slash is more than `lossIfFault`'s fixed share: fault modes, or vetoes.
    public var variesSlashes: Bool { !faultModes.isEmpty || services.hasVetoes }

    /// A model from its parts (the scenario format's compile step builds them from a file). Computes the
    /// copula thresholds, each operator's loss if it faults (stake · min(1, Σ_s m_is·w_s), summed in the order
    /// of its allocations) and warns about a nearly singular Cholesky factor.
    public init(operatorIDs: [String], stakes: [Double], faultProbabilities: [Double], copula: Copula,
                dependence: Dependence, services: ServiceLayer, tokens: TokenLayer? = nil, faultModes: FaultModes? = nil,
                factorOrigin: FactorOrigin? = nil, repair: NearestCorrelation.Result? = nil, warnings: [String] = []) {
        let faultModes = faultModes ?? FaultModes(operatorCount: operatorIDs.count)
        precondition(faultModes.start.count == operatorIDs.count + 1, "one mode range per operator")
        self.faultModes = faultModes
        precondition(stakes.count == operatorIDs.count && faultProbabilities.count == operatorIDs.count
                     && services.allocationStart.count == operatorIDs.count + 1, "one stake, probability and allocation range per operator")
        self.operatorIDs = operatorIDs
        self.stakes = stakes
        self.faultProbabilities = faultProbabilities
        self.copula = copula
        thresholds = faultProbabilities.map { copula.quantile($0) }
        // With modes: the loss when every mode happens (the most a fault can cost).
        lossIfFault = operatorIDs.indices.map { i in
            var share = 0.0
            let first = services.allocationStart[i]
            for a in first..<services.allocationStart[i + 1] {
                let fraction = faultModes.hasModes(i) ? min(1, faultModes.fraction(operator: i, allocation: a - first, mask: UInt32.max >> UInt32(32 - (faultModes.start[i + 1] - faultModes.start[i]))))
                    : services.allocationFaultFraction[a]
                share += services.allocationMagnitude[a] * fraction
            }
            return stakes[i] * min(1, share)
        }
        self.dependence = dependence
        self.services = services
        self.tokens = tokens ?? TokenLayer(operatorCount: operatorIDs.count)
        self.factorOrigin = factorOrigin
        self.repair = repair
        var warnings = warnings
        if case .cholesky(let factor) = dependence, factor.conditionNumber > Self.conditionWarningThreshold {
            warnings.append("correlation.matrix: the matrix is nearly singular (condition number about \(String(format: "%.1e", factor.conditionNumber))): "
                + "small changes to its entries move the results a lot; check for duplicated or nearly collinear operators")
        }
        self.warnings = warnings
    }

    /// Condition numbers above this get a warning.
    public static let conditionWarningThreshold = 1e10

    /// A short description of the dependence for reports.
    public var dependenceDescription: String {
        let base = latentDescription
        guard case .studentT(let nu) = copula else { return base }
        return base.replacingOccurrences(of: "Gaussian copula", with: "Student t copula, ν = \(NumberText.short(nu))")
    }

    private var latentDescription: String {
        switch dependence {
        case .independent: return copula == .gaussian ? "independent operators" : "uncorrelated latent variables (Gaussian copula)"
        case .oneFactor(let rho): return "constant latent correlation \(rho) (one-factor Gaussian copula)"
        case .exchangeable(let rho, _, _): return "constant latent correlation \(rho) (exchangeable Gaussian copula)"
        case .factors(let ids, _, _):
            let shown = ids.count > 6 ? ids.prefix(5).joined(separator: ", ") + ", …" : ids.joined(separator: ", ")
            let kind = factorOrigin == .derived ? "factor\(ids.count == 1 ? "" : "s") derived from shared services and tags" : "named factor\(ids.count == 1 ? "" : "s")"
            return "\(ids.count) \(kind) (\(shown)) (Gaussian copula)"
        case .cholesky(let f):
            let base = "explicit \(f.order)×\(f.order) correlation matrix (Gaussian copula, Cholesky by LAPACK dpotrf)"
            guard let repair else { return base }
            return base + "; not positive definite as given, repaired to the nearest correlation matrix (Higham 2002): "
                + "moved \(String(format: "%.4g", repair.frobeniusDistance)) in Frobenius norm, smallest eigenvalue "
                + "\(String(format: "%.4g", repair.smallestEigenvalueBefore)) before, \(String(format: "%.3g", repair.smallestEigenvalueAfter)) after"
        }
    }

    /// The average latent correlation over all pairs of distinct operators (0 for a single operator).
    public var averagePairwiseCorrelation: Double {
        let n = operatorIDs.count
        guard n > 1 else { return 0 }
        let pairs = Double(n) * Double(n - 1)
        switch dependence {
        case .independent: return 0
        case .oneFactor(let rho), .exchangeable(let rho, _, _): return rho
        case .factors(_, let a, _):
            // Σ_{i≠j} Σ_k a_ik a_jk = Σ_k ((Σ_i a_ik)² − Σ_i a_ik²).
            var total = 0.0
            for k in 0..<(a.count / n) {
                var sum = 0.0, squares = 0.0
                for i in 0..<n { sum += a[i + k * n]; squares += a[i + k * n] * a[i + k * n] }
                total += sum * sum - squares
            }
            return total / pairs
        case .cholesky(let factor):
            // R = L·Lᵀ: Σ_{i,j} R_ij = ‖Σ_i row_i(L)‖², minus the unit diagonal.
            var columnSums = [Double](repeating: 0, count: n)
            for j in 0..<n { for i in j..<n { columnSums[j] += factor.lower[i + j * n] } }
            let all = columnSums.reduce(0) { $0 + $1 * $1 }
            return (all - Double(n)) / pairs
        }
    }
}
