import Foundation

/// A scenario compiled into dense arrays ready for the simulation kernels.
///
/// Operator i faults when its latent Z_i < thresholds[i] = Φ⁻¹(p_i) and then loses lossIfFault[i] =
/// stake_i · min(1, Σ_s m_is · w_s) ETH. The latent vector Z ~ N(0, R) is produced as described by `dependence`.
public struct CompiledModel: Sendable {
    /// Operator ids, in scenario order.
    public let operatorIDs: [String]
    /// Fault probabilities p_i.
    public let faultProbabilities: [Double]
    /// Φ⁻¹(p_i); −∞ for p = 0 (never faults) and +∞ for p = 1 (always faults).
    public let thresholds: [Double]
    /// ETH lost by operator i when it faults.
    public let lossIfFault: [Double]
    /// How the correlated latents are produced.
    public let dependence: Dependence
    /// Set when `repair: nearest` replaced a matrix that was not positive definite.
    public let repair: NearestCorrelation.Result?
    /// Things the analyst should know that do not stop the run (e.g. a nearly singular matrix).
    public let warnings: [String]

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
    }

    /// Compiles a validated scenario.
    public init(scenario: Scenario) throws(CholeskyFactor.NotPositiveDefinite) {
        operatorIDs = scenario.operators.map(\.id)
        faultProbabilities = scenario.operators.map(\.faultProbability)
        thresholds = faultProbabilities.map(NormalDistribution.quantile)
        let operatorIndex = Dictionary(uniqueKeysWithValues: operatorIDs.enumerated().map { ($1, $0) })
        let slashFraction = Dictionary(uniqueKeysWithValues: scenario.services.map { ($0.id, $0.slashFraction) })
        var share = [Double](repeating: 0, count: operatorIDs.count)
        for a in scenario.allocations {
            share[operatorIndex[a.operator]!] += a.magnitude * slashFraction[a.service]!
        }
        lossIfFault = zip(scenario.operators, share).map { op, f in op.stake * min(1, f) }
        var repair: NearestCorrelation.Result?
        switch scenario.correlation {
        case .independent:
            dependence = .independent
        case .constant(let rho) where rho == 0:
            dependence = .independent
        case .constant(let rho) where rho > 0:
            dependence = .oneFactor(rho: rho)
        case .constant(let rho):
            let n = Double(operatorIDs.count)
            let alpha = (1 - rho).squareRoot()
            let beta = (max(0, 1 + (n - 1) * rho).squareRoot() - alpha) / n
            dependence = .exchangeable(rho: rho, alpha: alpha, beta: beta)
        case .matrix(let rows):
            dependence = .cholesky(try CholeskyFactor(symmetric: rows))
        case .repairedMatrix(let rows):
            if let factor = try? CholeskyFactor(symmetric: rows) {
                dependence = .cholesky(factor)
            } else {
                let repaired = NearestCorrelation.repair(rows)
                repair = repaired
                dependence = .cholesky(try CholeskyFactor(symmetric: repaired.matrix))
            }
        }
        self.repair = repair
        var warnings: [String] = []
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
        switch dependence {
        case .independent: return "independent operators"
        case .oneFactor(let rho): return "constant latent correlation \(rho) (one-factor Gaussian copula)"
        case .exchangeable(let rho, _, _): return "constant latent correlation \(rho) (exchangeable Gaussian copula)"
        case .cholesky(let f):
            let base = "explicit \(f.order)×\(f.order) correlation matrix (Gaussian copula, Cholesky by LAPACK dpotrf)"
            guard let repair else { return base }
            return base + "; not positive definite as given, repaired to the nearest correlation matrix (Higham 2002): "
                + "moved \(String(format: "%.4g", repair.frobeniusDistance)) in Frobenius norm, smallest eigenvalue "
                + "\(String(format: "%.4g", repair.smallestEigenvalueBefore)) before, \(String(format: "%.3g", repair.smallestEigenvalueAfter)) after"
        }
    }
}
