import BatchFiles
import ScenarioFormat
import SlashingCore
import SlashingReports
import Testing

/// Checks of simulated statistics against exact values, with tolerances set by the Monte Carlo error.
/// Seeds are fixed, so each check gives the same verdict on every run; `z` standard errors is loose
/// enough that a correct engine passes for these seeds, and tight enough that a wrong model fails.
enum MonteCarloExpectations {
    static let z = 4.0

    static func expectMatches(_ summary: LossSummary, _ exact: ExactDistribution, levels: [Double],
                              sourceLocation: SourceLocation = #_sourceLocation) {
        let n = Double(summary.trials)
        #expect(abs(summary.mean - exact.mean) <= z * summary.meanStandardError + 1e-9,
                "mean \(summary.mean) vs exact \(exact.mean) (s.e. \(summary.meanStandardError))", sourceLocation: sourceLocation)
        let p = exact.probabilityOfLoss
        #expect(abs(summary.probabilityOfLoss - p) <= z * (p * (1 - p) / n).squareRoot() + 1e-12,
                "P(loss) \(summary.probabilityOfLoss) vs exact \(p)", sourceLocation: sourceLocation)
        #expect(abs(summary.standardDeviation - exact.variance.squareRoot()) <= 0.02 * exact.variance.squareRoot(),
                "sd \(summary.standardDeviation) vs exact \(exact.variance.squareRoot())", sourceLocation: sourceLocation)
        for (q, es) in zip(summary.quantiles, summary.expectedShortfall) {
            // The simulated VaR must be an exact quantile at a level within z binomial errors of q.
            let delta = z * (q.level * (1 - q.level) / n).squareRoot()
            let low = exact.quantile(max(1e-12, q.level - delta)), high = exact.quantile(min(1 - 1e-12, q.level + delta))
            #expect(q.loss >= low && q.loss <= high,
                    "VaR \(q.level): \(q.loss), exact \(exact.quantile(q.level)), allowed [\(low), \(high)]", sourceLocation: sourceLocation)
            // The 95 % interval must hold the exact quantile (a distribution-free interval; fixed seeds).
            let truth = exact.quantile(q.level)
            #expect(q.lower95 <= truth && (q.upper95 ?? .infinity) >= truth,
                    "VaR \(q.level) interval [\(q.lower95), \(String(describing: q.upper95))] misses \(truth)", sourceLocation: sourceLocation)
            let exactES = exact.expectedShortfall(q.level)
            #expect(abs(es.loss - exactES) <= z * es.standardError + 1e-9 * max(1, exactES),
                    "ES \(q.level): \(es.loss) vs exact \(exactES) (s.e. \(es.standardError))", sourceLocation: sourceLocation)
        }
    }
}
