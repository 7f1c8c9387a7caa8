#if canImport(Glibc)
import Glibc

#elseif canImport(Darwin)
import Darwin
#endif

/// The binomial distribution Bin(n, p), for the distribution-free confidence intervals of quantiles.
public struct BinomialDistribution: Sendable {
    public let n: Int
    public let p: Double

    public init(n: Int, p: Double) {
        precondition(n >= 0 && p >= 0 && p <= 1)
        self.n = n
        self.p = p
    }

    /// The smallest k with P(X ≤ k) ≥ `level` (the lower quantile), 0 ≤ k ≤ n.
    ///
    /// The probability mass is summed exactly (in double precision) over mode ± 12 standard deviations
    /// plus 50 points, by the ratio recurrence from the mode; outside that window the mass is below 1e-30.
    public func quantile(_ level: Double) -> Int {
        precondition(level > 0 && level < 1)
        if p == 0 { return 0 }
        if p == 1 { return n }
        let window = window()
        var cumulative = 0.0
        for (offset, mass) in window.masses.enumerated() {
            cumulative += mass
            if cumulative / window.total >= level { return window.first + offset }
        }
        return window.first + window.masses.count - 1
    }

    /// P(X ≤ k).
    public func cdf(_ k: Int) -> Double {
        if k < 0 { return 0 }
        if k >= n { return 1 }
        if p == 0 { return 1 }
        if p == 1 { return 0 }
        let window = window()
        if k < window.first { return 0 }
        let upto = min(k - window.first, window.masses.count - 1)
        var cumulative = 0.0
        for i in 0...upto { cumulative += window.masses[i] }
        return min(1, cumulative / window.total)
    }

    /// Unnormalised masses over a window around the mode (relative to the mass at the mode).
    private func window() -> (first: Int, masses: [Double], total: Double) {
        let mean = Double(n) * p
        let sd = (mean * (1 - p)).squareRoot()
        let mode = min(n, Int((Double(n + 1) * p).rounded(.down)))
        let half = Int((12 * sd).rounded(.up)) + 50
        let first = max(0, mode - half), last = min(n, mode + half)
        var masses = [Double](repeating: 0, count: last - first + 1)
        masses[mode - first] = 1
        let odds = p / (1 - p)
        var k = mode
        while k < last {  // P(k+1)/P(k) = (n−k)/(k+1) · p/(1−p)
            masses[k + 1 - first] = masses[k - first] * Double(n - k) / Double(k + 1) * odds
            k += 1
        }
        k = mode
        while k > first {  // P(k−1)/P(k) = k/(n−k+1) · (1−p)/p
            masses[k - 1 - first] = masses[k - first] * Double(k) / Double(n - k + 1) / odds
            k -= 1
        }
        var total = CompensatedSum()
        for m in masses { total.add(m) }
        return (first, masses, total.value)
    }
}
