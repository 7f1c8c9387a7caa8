/// Φ on a fine grid, to decide most comparisons u < Φ(t) without evaluating Φ: since Φ is increasing,
/// Φ(grid[j]) ≤ Φ(t) ≤ Φ(grid[j+1]) for t in cell j, so u below the lower value is a fault, u at or above
/// the upper value is not, and only u between them (a fraction of about φ(t)/64 of draws) needs `erfc`.
/// The decisions themselves are made by the C kernel `slashsim_conditional_faults`.
public struct NormalCDFTable: Sendable {
    /// Grid from −39 (Φ underflows to 0 below about −38.5) to 9 (Φ rounds to 1 above about 8.3).
    public static let lowest = -39.0, highest = 9.0, pointsPerUnit = 64.0
    public let values: [Double]

    public static let shared = NormalCDFTable()

    init() {
        let count = Int((Self.highest - Self.lowest) * Self.pointsPerUnit) + 1
        values = (0..<count).map { NormalDistribution.cdf(Self.lowest + Double($0) / Self.pointsPerUnit) }
    }
}
