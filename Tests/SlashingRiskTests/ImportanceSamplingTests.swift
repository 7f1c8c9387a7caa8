import BatchFiles
import Foundation
import ScenarioFormat
import SlashingCore
import SlashingReports
import TestSupport
import Testing

/// Importance sampling (`--importance-sampling`): weighted estimators against exact answers and against plain
/// sampling, the likelihood-ratio bookkeeping of every statistic the report prints, thread independence, and
/// the variance reduction it exists for. Fixed seeds; tolerances from the weighted standard errors.
@Suite struct ImportanceSamplingTests {
    let levels = [0.9, 0.99, 0.999, 0.9999]
    let z = MonteCarloExpectations.z

    /// Runs `scenario` with the shift `slashsim run --importance-sampling` would choose.
    func sampled(_ scenario: Scenario, trials: Int, seed: UInt64, threads: Int = 2, level: Double = 0.9999)
        throws -> (result: SimulationResult, sample: WeightedLossSample, shift: ImportanceShift)
    {
        let model = try CompiledModel(scenario: scenario)
        let shift = try ImportanceShift.choose(model: model, level: level, seed: seed, threads: threads)
        let result = SimulationEngine(model: model).run(trials: trials, seed: seed, threads: threads, importance: shift)
        return (result, result.distribution as! WeightedLossSample, shift)
    }

    /// Every statistic within z weighted standard errors of the exact distribution; each VaR an exact quantile
    /// at a level within z standard errors of Ĝ, and each 95 % interval holding the exact quantile.
    func expectMatches(_ sample: WeightedLossSample, _ exact: ExactDistribution, sourceLocation: SourceLocation = #_sourceLocation) {
        let summary = sample.summarize(levels: levels)
        #expect(abs(summary.mean - exact.mean) <= z * summary.meanStandardError,
                "mean \(summary.mean) vs exact \(exact.mean) (s.e. \(summary.meanStandardError))", sourceLocation: sourceLocation)
        #expect(abs(summary.probabilityOfLoss - exact.probabilityOfLoss) <= z * summary.probabilityOfLossStandardError,
                "P(loss) \(summary.probabilityOfLoss) vs exact \(exact.probabilityOfLoss)", sourceLocation: sourceLocation)
        for (q, es) in zip(summary.quantiles, summary.expectedShortfall) {
            let v = q.loss
            let se = max(sample.exceedance(v).standardError, sample.exceedance(v.nextDown).standardError)
            let above = 1 - exact.cdf(v), atLeast = 1 - exact.cdf(v.nextDown)
            #expect(above <= 1 - q.level + z * se && atLeast >= 1 - q.level - z * se,
                    "VaR \(q.level): \(v) has exact P(L > v) = \(above), P(L ≥ v) = \(atLeast) (s.e. \(se))", sourceLocation: sourceLocation)
            let truth = exact.quantile(q.level)
            #expect(q.lower95 <= truth && (q.upper95 ?? .infinity) >= truth,
                    "VaR \(q.level) interval [\(q.lower95), \(String(describing: q.upper95))] misses \(truth)", sourceLocation: sourceLocation)
            let exactES = exact.expectedShortfall(q.level)
            #expect(abs(es.loss - exactES) <= z * es.standardError + 1e-9 * exactES,
                    "ES \(q.level): \(es.loss) vs exact \(exactES) (s.e. \(es.standardError))", sourceLocation: sourceLocation)
        }
    }

    @Test func oneFactorMatchesGaussHermite() throws {
        let n = 25, p = 0.02, loss = 1000.0, rho = 0.3
        let exact = ExactDistribution.oneFactor(operators: n, probability: p, loss: loss, rho: rho)
        let scenario = ScenarioFixtures.operators(losses: Array(repeating: loss, count: n), probabilities: Array(repeating: p, count: n),
                                                  correlation: .constant(rho))
        let run = try sampled(scenario, trials: 40_000, seed: 31)
        #expect(run.shift.mean[0] < -1, "the shift leans towards losses: \(run.shift.mean)")
        expectMatches(run.sample, exact)
    }

    @Test func twoFactorsWithUnequalLossesMatchTheBlocksReference() throws {
        let a = (n: 6, p: 0.03, loss: 2000.0, rho: 0.5), b = (n: 10, p: 0.01, loss: 700.0, rho: 0.2), r = 0.6
        let exact = ExactDistribution.twoBlocks(a: a, b: b, factorCorrelation: r)
        let scenario = ScenarioFixtures.twoBlockFactors(a: a, b: b, factorCorrelation: r)
        let run = try sampled(scenario, trials: 40_000, seed: 32)
        expectMatches(run.sample, exact)
    }

    /// An incident loading on the factor (shifted with it) slashing every operator at once.
    @Test func correlatedIncidentMatchesQuadrature() throws {
        let (scenario, exact) = ExactDistribution.correlatedIncident()
        let p = ExactDistribution.CorrelatedIncident.p, q = ExactDistribution.CorrelatedIncident.q
        let c = inverseNormal(p), cs = inverseNormal(q)
        let rho = ExactDistribution.CorrelatedIncident.rho, g = ExactDistribution.CorrelatedIncident.g
        let run = try sampled(scenario, trials: 40_000, seed: 33, level: 0.999)
        expectMatches(run.sample, exact)
        // The weighted incident rate and each operator's P(slash) = P(fault or incident).
        let estimates = try #require(run.result.importance)
        let incident = estimates.incidentProbabilities[0]
        #expect(abs(incident.value - q) <= z * incident.standardError, "incident rate \(incident.value) vs \(q)")
        let slashed = p + q - bivariateNormalCDF(c, cs, rho.squareRoot() * g)
        for estimate in estimates.slashProbabilities {
            #expect(abs(estimate.value - slashed) <= z * estimate.standardError, "P(slash) \(estimate.value) vs \(slashed)")
        }
    }

    /// With every weight 1, the weighted estimators are the plain ones: same VaR, ES, mean and P(loss).
    @Test func unitWeightsGiveThePlainStatistics() throws {
        var generator = SplitMix64(seed: 5)
        var losses: [Double] = []
        for _ in 0..<3000 {
            let u = Double.random(in: 0..<1, using: &generator)
            losses.append(u < 0.6 ? 0 : (u < 0.8 ? 250 : Double(Int.random(in: 1...40, using: &generator) * 100)))
        }
        let plain = LossSample(allLosses: losses)
        let weighted = WeightedLossSample(trials: losses.count,
                                          sortedPositiveLosses: plain.positiveLosses.map { WeightedLoss(loss: $0, weight: 1) })
        let levels = [0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 0.999, 0.9999]
        let a = plain.summarize(levels: levels), b = weighted.summarize(levels: levels)
        #expect(abs(a.mean - b.mean) <= 1e-12 * a.mean)
        #expect(abs(a.meanStandardError - b.meanStandardError) <= 1e-9 * a.meanStandardError)
        #expect(abs(a.standardDeviation - b.standardDeviation) <= 1e-3 * a.standardDeviation)  // n vs n − 1
        #expect(a.probabilityOfLoss == b.probabilityOfLoss)
        for j in levels.indices {
            #expect(a.quantiles[j].loss == b.quantiles[j].loss, "VaR \(levels[j])")
            #expect(abs(a.expectedShortfall[j].loss - b.expectedShortfall[j].loss) <= 1e-9 * a.expectedShortfall[j].loss, "ES \(levels[j])")
            #expect(abs(a.expectedShortfall[j].standardError - b.expectedShortfall[j].standardError) <= 1e-9 * max(1, a.expectedShortfall[j].standardError))
            let pa = plain.tailPoint(level: levels[j]), pb = weighted.tailPoint(level: levels[j])
            #expect(pa == pb, "tail point \(levels[j]): \(pa) vs \(pb)")
        }
    }

    /// The exported exceedance curve of a unit-weight sample is the plain one.
    @Test func unitWeightCurveIsThePlainCurve() {
        let plain = LossSample(trials: 50, positiveLosses: [3, 1, 4, 1, 5, 9, 2, 6])
        let weighted = WeightedLossSample(trials: 50, sortedPositiveLosses: plain.positiveLosses.map { WeightedLoss(loss: $0, weight: 1) })
        let a = ExceedanceCurve(sample: plain, gridPoints: 5, tailPoints: 3), b = ExceedanceCurve(weighted: weighted, gridPoints: 5, tailPoints: 3)
        #expect(a.points.map(\.loss) == b.points.map(\.loss))
        #expect(a.points.map(\.kind) == b.points.map(\.kind))
        for (x, y) in zip(a.points, b.points) {
            #expect(abs(x.exceedance! - y.exceedance!) < 1e-15 && abs(x.atLeast - y.atLeast) < 1e-15, "at \(x.loss)")
            #expect(abs(x.standardError - y.standardError) <= 0.02 * x.standardError + 1e-15)  // n − 1 vs n
        }
    }

    /// Weighted estimators worked by hand: losses 1, 2, 3, 4 with weights 0.5, 2, 0.25, 0.1 among n = 10 trials.
    @Test func weightedEstimatorsByHand() {
        let sample = WeightedLossSample(trials: 10, sortedPositiveLosses: [
            WeightedLoss(loss: 1, weight: 0.5), WeightedLoss(loss: 2, weight: 2), WeightedLoss(loss: 3, weight: 0.25), WeightedLoss(loss: 4, weight: 0.1),
        ])
        // Ĝ(0) = 2.85/10, Ĝ(1) = 2.35/10, Ĝ(2) = 0.35/10, Ĝ(3) = 0.1/10, Ĝ(4) = 0.
        #expect(abs(sample.exceedance(0).probability - 0.285) < 1e-15)
        #expect(abs(sample.exceedance(2.5).probability - 0.035) < 1e-15)
        let s = sample.summarize(levels: [0.7, 0.75, 0.9, 0.97, 0.995])
        // With weighted ranks the order statistic is the last trial at VaR: rank = zeros + its position.
        #expect(s.quantiles.map(\.rank) == [6, 7, 8, 9, 10])
        #expect(s.quantiles.map(\.loss) == [0, 1, 2, 3, 4])   // smallest x with Ĝ(x) ≤ 1 − q
        #expect(abs(s.mean - (0.5 + 4 + 0.75 + 0.4) / 10) < 1e-15)
        // ES_0.9 = VaR + Σ w (L − VaR)⁺ / (n (1 − q)) = 2 + (0.25·1 + 0.1·2) / 1.
        #expect(abs(s.expectedShortfall[2].loss - 2.45) < 1e-12)
        #expect(abs(s.probabilityOfLoss - 0.285) < 1e-15)
        let point = sample.tailPoint(level: 0.9)
        #expect(point.value == 2 && abs(point.massAbove - 0.35) < 1e-15 && abs(point.massAt - 2) < 1e-15)
    }

    /// Same seed, same weighted report, whatever the thread count; and the contributions still add up to ES.
    @Test func threadIndependentAndContributionsSumToES() throws {
        let losses = (0..<30).map { Double(100 + 53 * ($0 % 7)) }
        let scenario = ScenarioFixtures.operators(losses: losses, probabilities: Array(repeating: 0.02, count: 30), correlation: .constant(0.25))
        let one = try sampled(scenario, trials: 10_000, seed: 8, threads: 1)
        let two = try sampled(scenario, trials: 10_000, seed: 8, threads: 2)
        #expect(one.shift == two.shift)
        #expect(one.sample.positiveLosses == two.sample.positiveLosses)
        #expect(one.result.operatorLossSums == two.result.operatorLossSums)
        #expect(one.sample.summarize(levels: levels) == two.sample.summarize(levels: levels))
        let engine = SimulationEngine(model: try CompiledModel(scenario: scenario))
        let split = engine.contributions(sample: two.sample, levels: levels, seed: 8, threads: 2, importance: two.shift)
        let summary = two.sample.summarize(levels: levels)
        for (j, es) in summary.expectedShortfall.enumerated() {
            let total = split.operators[j].reduce(0, +)
            #expect(abs(total - es.loss) <= 1e-9 * es.loss, "contributions at \(levels[j]) sum to \(total), ES \(es.loss)")
            #expect(abs(split.services[j].reduce(0, +) - es.loss) <= 1e-9 * es.loss)
        }
        // The weighted expected losses add up to the weighted mean.
        let operatorTotal = two.result.operatorLossSums.reduce(0, +) / 10_000
        #expect(abs(operatorTotal - summary.mean) <= 1e-9 * summary.mean)
    }

    /// Tokens and portfolios are weighted too: importance sampling and plain sampling of a restaking scenario
    /// agree within their combined standard errors.
    @Test func tokensAndPortfoliosAgreeWithPlainSampling() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Scenarios/leveraged-loop.yaml")
        let scenario = try ScenarioLoader.load(path: url.standardizedFileURL.path)
        let model = try CompiledModel(scenario: scenario)
        let levels = [0.99, 0.999]
        let plain = SimulationEngine(model: model).run(trials: 200_000, seed: 12, threads: 2)
        let run = try sampled(scenario, trials: 30_000, seed: 12, level: 0.999)
        let pairs = [(plain.distribution, run.result.distribution)] + Array(zip(plain.tokenDistributions, run.result.tokenDistributions))
            + Array(zip(plain.portfolioDistributions, run.result.portfolioDistributions))
        for (a, b) in pairs {
            let x = a.summarize(levels: levels), y = b.summarize(levels: levels)
            #expect(abs(x.mean - y.mean) <= z * (x.meanStandardError * x.meanStandardError + y.meanStandardError * y.meanStandardError).squareRoot(),
                    "mean \(x.mean) vs \(y.mean)")
            for (e, f) in zip(x.expectedShortfall, y.expectedShortfall) {
                #expect(abs(e.loss - f.loss) <= z * (e.standardError * e.standardError + f.standardError * f.standardError).squareRoot(),
                        "ES \(e.level): plain \(e.loss) ± \(e.standardError), weighted \(f.loss) ± \(f.standardError)")
            }
        }
        let estimates = try #require(run.result.importance)
        for (p, estimate) in estimates.liquidationProbabilities.enumerated() {
            let q = Double(plain.liquidationCounts[p]) / 200_000, se = (q * (1 - q) / 200_000).squareRoot()
            #expect(abs(estimate.value - q) <= z * (se * se + estimate.standardError * estimate.standardError).squareRoot(),
                    "P(liquidation) \(estimate.value) vs plain \(q)")
        }
    }

    /// What it is for: at 99.99 % the interval of VaR from 10× fewer trials is no wider than plain sampling's,
    /// and ES's standard error is smaller.
    @Test func tenTimesFewerTrialsGiveANarrowerTailInterval() throws {
        let n = 100
        let losses = (0..<n).map { Double(500 + 10 * ($0 % 11)) }
        let scenario = ScenarioFixtures.operators(losses: losses, probabilities: Array(repeating: 0.01, count: n), correlation: .constant(0.2))
        let model = try CompiledModel(scenario: scenario)
        let plain = SimulationEngine(model: model).run(trials: 300_000, seed: 14, threads: 2).distribution.summarize(levels: [0.9999])
        let weighted = try sampled(scenario, trials: 30_000, seed: 14).sample.summarize(levels: [0.9999])
        let plainWidth = try #require(plain.quantiles[0].upper95) - plain.quantiles[0].lower95
        let weightedWidth = try #require(weighted.quantiles[0].upper95) - weighted.quantiles[0].lower95
        #expect(weightedWidth <= plainWidth, "VaR 99.99 % interval: weighted \(weightedWidth) from 30k trials, plain \(plainWidth) from 300k")
        #expect(weighted.expectedShortfall[0].standardError <= plain.expectedShortfall[0].standardError)
    }

    @Test func scenariosWithoutFactorsOrWithTheTCopulaAreRefused() throws {
        let matrix = ScenarioFixtures.operators(losses: [1, 2], probabilities: [0.1, 0.1], correlation: .matrix(ScenarioFixtures.constantMatrix(2, 0.3)))
        #expect(throws: ImportanceShift.Unsupported.self) { try ImportanceShift.choose(model: try CompiledModel(scenario: matrix), level: 0.99, seed: 1, threads: 1) }
        let independent = ScenarioFixtures.operators(losses: [1, 2], probabilities: [0.1, 0.1])
        #expect(throws: ImportanceShift.Unsupported.self) { try ImportanceShift.choose(model: try CompiledModel(scenario: independent), level: 0.99, seed: 1, threads: 1) }
        var t = ScenarioFixtures.operators(losses: [1, 2], probabilities: [0.1, 0.1], correlation: .constant(0.3))
        t.copula = .studentT(degreesOfFreedom: 4)
        #expect(throws: ImportanceShift.Unsupported.self) { try ImportanceShift.choose(model: try CompiledModel(scenario: t), level: 0.99, seed: 1, threads: 1) }
    }
}

