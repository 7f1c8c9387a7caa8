import BatchFiles
import Foundation
import ScenarioFormat
import SlashingCore
import SlashingReports

/// A loss distribution on finitely many atoms, computed exactly (independently of the engine) and used
/// as the reference the simulation is tested against.
struct ExactDistribution {
    /// (loss, probability), ascending by loss, losses distinct.
    let atoms: [(loss: Double, probability: Double)]

    init(_ masses: [Double: Double]) {
        atoms = masses.filter { $0.value > 0 }.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        let total = atoms.reduce(0) { $0 + $1.probability }
        precondition(abs(total - 1) < 1e-9, "probabilities sum to \(total)")
    }

    var mean: Double { atoms.reduce(0) { $0 + $1.loss * $1.probability } }

    var variance: Double {
        let m = mean
        return atoms.reduce(0) { $0 + ($1.loss - m) * ($1.loss - m) * $1.probability }
    }

    var probabilityOfLoss: Double { atoms.filter { $0.loss > 0 }.reduce(0) { $0 + $1.probability } }

    /// Lower quantile: the smallest loss x with F(x) ≥ q.
    func quantile(_ q: Double) -> Double {
        var cumulative = 0.0
        for atom in atoms {
            cumulative += atom.probability
            if cumulative >= q - 1e-15 { return atom.loss }
        }
        return atoms.last!.loss
    }

    func cdf(_ x: Double) -> Double { atoms.filter { $0.loss <= x }.reduce(0) { $0 + $1.probability } }

    /// Acerbi–Tasche expected shortfall: (E[L·1{L > v}] + v·(F(v) − q)) / (1 − q), v = VaR_q.
    func expectedShortfall(_ q: Double) -> Double {
        let v = quantile(q)
        let tail = atoms.filter { $0.loss > v }.reduce(0) { $0 + $1.loss * $1.probability }
        return (tail + v * (cdf(v) - q)) / (1 - q)
    }

    // MARK: References

    /// Independent operators: the distribution of Σ ℓ_i·B_i, B_i ~ Bernoulli(p_i), by convolution.
    static func independent(losses: [Double], probabilities: [Double]) -> ExactDistribution {
        var masses: [Double: Double] = [0: 1]
        for (loss, p) in zip(losses, probabilities) {
            var next: [Double: Double] = [:]
            for (x, m) in masses {
                next[x, default: 0] += m * (1 - p)
                next[x + loss, default: 0] += m * p
            }
            masses = next
        }
        return ExactDistribution(masses)
    }

    /// One-factor homogeneous Gaussian copula: N operators with fault probability p, equal loss ℓ, latent
    /// correlation ρ ≥ 0. P(K = k) = ∫ Bin(k; N, p(z)) φ(z) dz, p(z) = Φ((Φ⁻¹(p) − √ρ·z)/√(1−ρ)),
    /// by Gauss–Hermite quadrature.
    static func oneFactor(operators n: Int, probability p: Double, loss: Double, rho: Double, nodes: Int = 120) -> ExactDistribution {
        let c = inverseNormal(p)
        let rule = GaussHermite.standardNormal(nodes)
        var masses: [Double: Double] = [:]
        for k in 0...n {
            var integral = 0.0
            for (z, w) in zip(rule.nodes, rule.weights) {
                integral += w * binomialPMF(k, n, normalCDF((c - rho.squareRoot() * z) / (1 - rho).squareRoot()))
            }
            masses[Double(k) * loss] = integral
        }
        return ExactDistribution(masses)
    }

    /// Two blocks of homogeneous operators. Block A (n_A operators, p_A, loss ℓ_A) loads √ρ_A on factor
    /// F_A, block B on F_B, corr(F_A, F_B) = r: the latent correlation is ρ_A within A, ρ_B within B and
    /// √(ρ_A ρ_B)·r across. Conditional on (F_A, F_B) the blocks are independent binomials; the factors are
    /// integrated by a product Gauss–Hermite rule with F_B = r·F_A + √(1−r²)·G.
    static func twoBlocks(a: (n: Int, p: Double, loss: Double, rho: Double), b: (n: Int, p: Double, loss: Double, rho: Double),
                          factorCorrelation r: Double, nodes: Int = 80) -> ExactDistribution {
        let rule = GaussHermite.standardNormal(nodes)
        let cA = inverseNormal(a.p), cB = inverseNormal(b.p)
        var joint = [[Double]](repeating: [Double](repeating: 0, count: b.n + 1), count: a.n + 1)
        for (fa, wa) in zip(rule.nodes, rule.weights) {
            let pA = normalCDF((cA - a.rho.squareRoot() * fa) / (1 - a.rho).squareRoot())
            let binA = (0...a.n).map { binomialPMF($0, a.n, pA) }
            for (g, wg) in zip(rule.nodes, rule.weights) {
                let fb = r * fa + (1 - r * r).squareRoot() * g
                let pB = normalCDF((cB - b.rho.squareRoot() * fb) / (1 - b.rho).squareRoot())
                for j in 0...b.n {
                    let pj = binomialPMF(j, b.n, pB) * wa * wg
                    for i in 0...a.n { joint[i][j] += binA[i] * pj }
                }
            }
        }
        var masses: [Double: Double] = [:]
        for i in 0...a.n { for j in 0...b.n { masses[Double(i) * a.loss + Double(j) * b.loss, default: 0] += joint[i][j] } }
        return ExactDistribution(masses)
    }
}

// MARK: Special functions of the references (glibc's erfc and lgamma; bisection for Φ⁻¹)

func normalCDF(_ x: Double) -> Double { 0.5 * erfc(-x / 2.0.squareRoot()) }

/// Φ⁻¹ by bisection on glibc's erfc: slow, but independent of the engine's AS 241.
func inverseNormal(_ p: Double) -> Double {
    var lo = -40.0, hi = 40.0
    for _ in 0..<200 {
        let mid = (lo + hi) / 2
        if normalCDF(mid) < p { lo = mid } else { hi = mid }
    }
    return (lo + hi) / 2
}

func binomialPMF(_ k: Int, _ n: Int, _ p: Double) -> Double {
    if p <= 0 { return k == 0 ? 1 : 0 }
    if p >= 1 { return k == n ? 1 : 0 }
    let logC = lgamma(Double(n + 1)) - lgamma(Double(k + 1)) - lgamma(Double(n - k + 1))
    return exp(logC + Double(k) * log(p) + Double(n - k) * log1p(-p))
}

/// Bivariate standard normal CDF Φ₂(a, b; ρ) = ∫_{−∞}^{a} φ(z) Φ((b − ρz)/√(1−ρ²)) dz, by composite Simpson.
func bivariateNormalCDF(_ a: Double, _ b: Double, _ rho: Double) -> Double {
    if rho <= -1 { return max(0, normalCDF(a) - normalCDF(-b)) }
    let lo = -12.0, hi = min(a, 12.0)
    if hi <= lo { return 0 }
    let steps = 20_000
    let h = (hi - lo) / Double(steps)
    var sum = 0.0
    for i in 0...steps {
        let z = lo + Double(i) * h
        let f = exp(-0.5 * z * z) / (2 * Double.pi).squareRoot() * normalCDF((b - rho * z) / (1 - rho * rho).squareRoot())
        sum += f * (i == 0 || i == steps ? 1 : (i % 2 == 1 ? 4 : 2))
    }
    return sum * h / 3
}

/// Gauss–Hermite quadrature (Golub–Welsch-free: Newton on the Hermite recurrence, as in Numerical Recipes' gauher).
enum GaussHermite {
    /// Nodes and weights for ∫ f(z) φ(z) dz ≈ Σ w_i f(z_i).
    static func standardNormal(_ n: Int) -> (nodes: [Double], weights: [Double]) {
        let (x, w) = physicists(n)
        return (x.map { $0 * 2.0.squareRoot() }, w.map { $0 / Double.pi.squareRoot() })
    }

    /// Nodes and weights for ∫ f(x) e^{−x²} dx.
    static func physicists(_ n: Int) -> ([Double], [Double]) {
        let pim4 = 0.7511255444649425  // π^(−1/4)
        var x = [Double](repeating: 0, count: n), w = [Double](repeating: 0, count: n)
        let m = (n + 1) / 2
        var z = 0.0
        for i in 0..<m {
            switch i {
            case 0: z = (Double(2 * n + 1)).squareRoot() - 1.85575 * pow(Double(2 * n + 1), -0.16667)
            case 1: z -= 1.14 * pow(Double(n), 0.426) / z
            case 2: z = 1.86 * z - 0.86 * x[0]
            case 3: z = 1.91 * z - 0.91 * x[1]
            default: z = 2.0 * z - x[i - 2]
            }
            var pp = 0.0
            for _ in 0..<100 {
                var p1 = pim4, p2 = 0.0
                for j in 0..<n {
                    let p3 = p2
                    p2 = p1
                    p1 = z * (2.0 / Double(j + 1)).squareRoot() * p2 - (Double(j) / Double(j + 1)).squareRoot() * p3
                }
                pp = (2.0 * Double(n)).squareRoot() * p2
                let z1 = z
                z = z1 - p1 / pp
                if abs(z - z1) <= 1e-14 * max(1, abs(z)) { break }
            }
            x[i] = z
            x[n - 1 - i] = -z
            w[i] = 2.0 / (pp * pp)
            w[n - 1 - i] = w[i]
        }
        return (x, w)
    }
}
