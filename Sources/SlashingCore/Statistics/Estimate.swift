/// A Monte Carlo estimate with its standard error.
public struct Estimate: Sendable, Equatable {
    public let value: Double
    public let standardError: Double

    public init(value: Double, standardError: Double) {
        self.value = value
        self.standardError = standardError
    }

    /// The mean of n values x_t from Σx and Σx², with standard error s/√n (s with denominator n − 1; 0 for
    /// n = 1). Under importance sampling x_t = w_t·y_t: the weighted mean and its error.
    public init(sum: Double, sumOfSquares: Double, trials n: Int) {
        let nd = Double(n)
        value = sum / nd
        standardError = (max(0, sumOfSquares / nd - value * value) / max(1, nd - 1)).squareRoot()
    }

    /// The proportion k/n of trials with an event, with its binomial standard error √(p(1 − p)/n).
    public init(count k: Int, trials n: Int) {
        let nd = Double(n)
        value = Double(k) / nd
        standardError = (value * (1 - value) / nd).squareRoot()
    }
}
