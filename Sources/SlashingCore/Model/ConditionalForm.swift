/// The conditional form of a factor model: given the K common factors F, operators fault independently,
/// operator i when Z_i = a_i·F + b_i·ε_i < c_i, that is with probability Φ((c_i − a_i·F)/b_i).
///
/// The Swift paths write that probability and its shift only here (`probability(threshold:shift:inverseIdiosyncratic:)`,
/// `shift(_:first:stride:factors:from:count:)`): the incidents, the importance sampler's twist, and (for the shift) its
/// objective. The C decision kernel has its own vectorised copy, tested to give the same decisions.
public struct ConditionalForm: Sendable {
    /// A (N×K, column-major: a_ik at `i + k·N`); empty when K = 0.
    public let loadings: [Double]
    /// K, the number of common factors.
    public let factors: Int
    /// 1/b_i with b_i = √(1 − Σ_k a_ik²) (+∞ when b_i = 0: the fault is a function of the factors).
    public let inverseIdiosyncratic: [Double]

    public init(loadings: [Double], factors: Int, inverseIdiosyncratic: [Double]) {
        self.loadings = loadings
        self.factors = factors
        self.inverseIdiosyncratic = inverseIdiosyncratic
    }

    /// a·F = Σ_k a_k·F_k, summed from 0 in factor order without fused multiply-adds (the C decision kernel
    /// computes its own shifts as a_0·F_0 then fused multiply-adds). a_k is `loadings[first + k·stride]`:
    /// stride N for the column-major model arrays (first = the operator or service), 1 for row-major copies;
    /// F_k is `factors[start + k]`.
    @inlinable
    public static func shift<Factors: RandomAccessCollection<Double>>(
        _ loadings: [Double], first: Int, stride: Int, factors f: Factors, from start: Int, count k: Int
    ) -> Double where Factors.Index == Int {
        var shift = 0.0
        for j in 0..<k { shift += loadings[first + j * stride] * f[start + j] }
        return shift
    }

    /// Φ((c − shift)·(1/b)): the conditional probability of a latent below threshold `c` (already scaled by √W
    /// under the Student t copula) given its shift a·F and 1/b. NaN arguments (∞ − ∞) count as 0.
    @inlinable
    public static func probability(threshold c: Double, shift: Double, inverseIdiosyncratic inverseB: Double) -> Double {
        let x = (c - shift) * inverseB
        return x.isNaN ? 0 : NormalDistribution.cdf(x)
    }
}
