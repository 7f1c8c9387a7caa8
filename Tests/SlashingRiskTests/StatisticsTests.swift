import BatchFiles
import ScenarioFormat
import SlashingCore
import SlashingReports
import Testing

@Suite struct StatisticsTests {
    // Hand-made sample: 10 trials, losses 0,0,0,0,0,1,2,3,5,10.
    let sample = LossSample(allLosses: [5, 0, 3, 0, 10, 0, 1, 0, 2, 0])

    @Test func orderStatisticsIncludeTheZeros() {
        #expect(sample.zeroCount == 5)
        #expect((1...10).map(sample.orderStatistic) == [0, 0, 0, 0, 0, 1, 2, 3, 5, 10])
        #expect(sample.countAtMost(2) == 7)
        #expect(sample.countAtMost(-1) == 0)
    }

    @Test func quantileIsTheLowerOrderStatisticWithoutInterpolation() {
        // ⌈q·n⌉-th order statistic: q = 0.5 → 5th = 0; 0.51 → 6th = 1; 0.9 → 9th = 5; 0.91 → 10th = 10.
        #expect(RiskStatistics.quantile(sample, level: 0.5).loss == 0)
        #expect(RiskStatistics.quantile(sample, level: 0.51).loss == 1)
        #expect(RiskStatistics.quantile(sample, level: 0.9).loss == 5)
        #expect(RiskStatistics.quantile(sample, level: 0.91).loss == 10)
        #expect(RiskStatistics.quantile(sample, level: 0.001).loss == 0)
    }

    @Test func rankTreatsDecimalLevelsExactly() {
        #expect(RiskStatistics.rank(level: 0.99, trials: 1_000_000) == 990_000)
        #expect(RiskStatistics.rank(level: 0.999, trials: 1_000_000) == 999_000)
        #expect(RiskStatistics.rank(level: 0.9999, trials: 10_000) == 9_999)
        #expect(RiskStatistics.rank(level: 0.7, trials: 10) == 7)
        #expect(RiskStatistics.rank(level: 0.71, trials: 10) == 8)
        #expect(RiskStatistics.rank(level: 1e-9, trials: 10) == 1)
        // Snapping absorbs rounding only, not real fractions: 0.5000000001 × 10⁶ = 500,000.0001 → 500,001.
        #expect(RiskStatistics.rank(level: 0.5000000001, trials: 1_000_000) == 500_001)
        #expect(RiskStatistics.rank(level: 0.1, trials: 30) == 3)
        #expect(RiskStatistics.rank(level: 0.3, trials: 10) == 3)
    }

    @Test func expectedShortfallFollowsAcerbiTasche() {
        // q = 0.9: v = 5, F(v) = 0.9: ES = (10/10 + 5·0)/0.1 = 10.
        #expect(abs(RiskStatistics.expectedShortfall(sample, level: 0.9).loss - 10) < 1e-12)
        // q = 0.8: v = 3, F(3) = 0.8: ES = ((5 + 10)/10)/0.2 = 7.5, the mean of the top two.
        #expect(abs(RiskStatistics.expectedShortfall(sample, level: 0.8).loss - 7.5) < 1e-12)
        // q = 0.85: v = x_(9) = 5, F(5) = 0.9: ES = (1.0 + 5·0.05)/0.15 = 8.3333…
        #expect(abs(RiskStatistics.expectedShortfall(sample, level: 0.85).loss - 1.25 / 0.15) < 1e-12)
        // q = 0.45: v = 0 with F(0) = 0.5 (an atom): ES = (2.1 + 0)/0.55.
        #expect(abs(RiskStatistics.expectedShortfall(sample, level: 0.45).loss - 2.1 / 0.55) < 1e-12)
    }

    @Test func expectedShortfallStandardErrorIsTheInfluenceFunctionError() {
        // q = 0.8, v = 3: excesses (L − 3)⁺ = 0×8, 2, 7: mean 0.9, sample variance (4 + 49 − 10·0.81)/9.
        let es = RiskStatistics.expectedShortfall(sample, level: 0.8)
        let variance = (4.0 + 49 - 10 * 0.81) / 9
        #expect(abs(es.standardError - variance.squareRoot() / (0.2 * 10.0.squareRoot())) < 1e-12)
    }

    @Test func momentsAndProbabilityOfLoss() {
        let summary = RiskStatistics.summarize(sample, levels: [0.9])
        #expect(summary.mean == 2.1)
        let variance = ([0, 0, 0, 0, 0, 1, 2, 3, 5, 10] as [Double]).reduce(0) { $0 + ($1 - 2.1) * ($1 - 2.1) } / 9
        #expect(abs(summary.standardDeviation - variance.squareRoot()) < 1e-12)
        #expect(abs(summary.meanStandardError - (variance / 10).squareRoot()) < 1e-12)
        #expect(summary.probabilityOfLoss == 0.5)
        #expect(abs(summary.probabilityOfLossStandardError - (0.25 / 10).squareRoot()) < 1e-15)
        #expect(summary.maximum == 10)
    }

    @Test func quantileIntervalUsesBinomialOrderStatistics() {
        // n = 100, q = 0.5: Bin(100, 0.5) 2.5 % and 97.5 % quantiles are 40 and 60 (scipy.stats.binom.ppf),
        // so the interval is [x_(40), x_(61)].
        let values = (1...100).map(Double.init)
        let estimate = RiskStatistics.quantile(LossSample(allLosses: values.shuffled()), level: 0.5)
        #expect(estimate.loss == 50)
        #expect(estimate.lower95 == 40)
        #expect(estimate.upper95 == 61)
        // Too few trials to bound a far quantile from above.
        #expect(RiskStatistics.quantile(LossSample(allLosses: values), level: 0.999).upper95 == nil)
    }

    @Test func compensatedSumIsExactWhereNaiveSummationIsNot() {
        var s = CompensatedSum()
        for x in [1e16, 1.0, -1e16, 1.0] { s.add(x) }
        #expect(s.value == 2)
    }
}

@Suite struct BinomialTests {
    /// scipy.stats.binom.ppf(0.025 / 0.975, n, p).
    @Test(arguments: [
        (1000, 0.99, 983, 996), (1_000_000, 0.99, 989_805, 990_195), (1_000_000, 0.999, 998_938, 999_061),
        (100, 0.5, 40, 60), (1_000_000, 0.5, 499_020, 500_980), (1_000_000_000, 0.9999, 999_899_380, 999_900_619),
        (10, 0.9999, 10, 10), (50, 0.01, 0, 2),
    ])
    func quantilesMatchScipy(n: Int, p: Double, lower: Int, upper: Int) {
        let b = BinomialDistribution(n: n, p: p)
        #expect(b.quantile(0.025) == lower)
        #expect(b.quantile(0.975) == upper)
    }

    @Test func cdfSumsTheMass() {
        let b = BinomialDistribution(n: 10, p: 0.3)
        var cumulative = 0.0
        for k in 0...10 {
            cumulative += binomialPMF(k, 10, 0.3)
            #expect(abs(b.cdf(k) - cumulative) < 1e-14)
        }
    }
}

@Suite struct StatisticsEdgeCaseTests {
    @Test func expectedShortfallOfAnAtomAtTheMaximumIsExact() {
        // 9,999 zero losses and one loss of 89,600: ES at 0.9999 is exactly 89,600.
        let sample = LossSample(trials: 10_000, positiveLosses: [89_600])
        #expect(RiskStatistics.expectedShortfall(sample, level: 0.9999).loss == 89_600)
        #expect(RiskStatistics.expectedShortfall(sample, level: 0.9998).loss == 44_800)
    }

    @Test func levelsWithinRoundingOfOneGiveTheMaximum() {
        let sample = LossSample(allLosses: (1...10).map(Double.init))
        #expect(RiskStatistics.quantile(sample, level: 1 - 1e-12).loss == 10)
        #expect(RiskStatistics.expectedShortfall(sample, level: 1 - 1e-12).loss == 10)
    }

    @Test func aSingleTrialIsItsOwnDistribution() {
        let summary = RiskStatistics.summarize(LossSample(allLosses: [7]), levels: [0.5, 0.99])
        #expect(summary.mean == 7 && summary.standardDeviation == 0 && summary.probabilityOfLoss == 1)
        #expect(summary.quantiles.map(\.loss) == [7, 7])
        #expect(summary.expectedShortfall.map(\.loss) == [7, 7])
    }

    @Test func allZeroSample() {
        let summary = RiskStatistics.summarize(LossSample(trials: 1000, positiveLosses: []), levels: [0.999])
        #expect(summary.mean == 0 && summary.probabilityOfLoss == 0 && summary.maximum == 0)
        #expect(summary.quantiles[0].loss == 0 && summary.expectedShortfall[0].loss == 0)
    }
}
