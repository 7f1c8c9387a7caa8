/// Φ on a fine grid, to decide most comparisons u < Φ(t) without evaluating Φ: since Φ is increasing,
/// Φ(grid[j]) ≤ Φ(t) ≤ Φ(grid[j+1]) for t in cell j, so u below the lower value is a fault, u at or above
/// the upper value is not, and only u between them (a fraction of about φ(t)/64 of draws) needs `erfc`.
public struct NormalCDFTable: Sendable {
    /// Grid from −39 (Φ underflows to 0 below about −38.5) to 9 (Φ rounds to 1 above about 8.3).
    public static let lowest = -39.0, highest = 9.0, pointsPerUnit = 64.0
    public let values: [Double]

    public static let shared = NormalCDFTable()

    init() {
        let count = Int((Self.highest - Self.lowest) * Self.pointsPerUnit) + 1
        values = (0..<count).map { NormalDistribution.cdf(Self.lowest + Double($0) / Self.pointsPerUnit) }
    }

    /// Whether u < Φ(t), exactly (in double precision), evaluating Φ only when the grid cannot decide.
    @inlinable @inline(__always)
    public static func isBelow(_ u: Double, cdfAt t: Double, table: UnsafePointer<Double>, count: Int) -> Bool {
        let x = (t - lowest) * pointsPerUnit
        if !(x >= 0) { return t.isNaN ? false : u < NormalDistribution.cdf(t) }  // t < lowest: Φ(t) is 0 or tiny
        if x >= Double(count - 1) { return u < NormalDistribution.cdf(t) }       // t ≥ highest: Φ(t) rounds to 1
        let j = Int(x)
        if u < table[j] { return true }
        if u >= table[j + 1] { return false }
        return u < NormalDistribution.cdf(t)
    }
}
