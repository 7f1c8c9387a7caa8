/// Exchangeable correlation: every pair of the N operators has latent correlation ρ.
public enum ConstantCorrelation {
    /// The smallest ρ for which the constant matrix is positive semi-definite: −1/(N−1) (−1 for N ≤ 2).
    public static func lowerBound(operators n: Int) -> Double {
        n <= 2 ? -1 : -1 / Double(n - 1)
    }
}
