import BatchFiles
import Foundation
import ScenarioFormat
import SlashingCore
import SlashingReports
import Testing

/// Exceedance curves for `--distribution` and `--plot`, from whole samples and from bounded summaries.
@Suite struct DistributionExportTests {
    @Test func exceedanceOfAHandMadeSample() {
        // 10 trials: six zeros, then 5, 5, 20, 100.
        let sample = LossSample(allLosses: [0, 0, 5, 0, 20, 0, 5, 0, 0, 100])
        let curve = ExceedanceCurve(sample: sample, gridPoints: 3, tailPoints: 2)
        let grid = curve.points.filter { $0.kind == "grid" }
        #expect(grid.count == 4 && grid[0].loss == 0 && grid[1].loss == 5 && grid[3].loss == 100)
        #expect(abs(grid[2].loss - (5.0 * 100).squareRoot()) < 1e-9)  // log-spaced
        #expect(grid[0].exceedance == 0.4 && grid[0].atLeast == 1)
        #expect(grid[1].exceedance == 0.2 && grid[1].atLeast == 0.4)   // P(L > 5) = 2/10, P(L ≥ 5) = 4/10
        #expect(grid.last!.exceedance == 0 && grid.last!.atLeast == 0.1)
        let tail = curve.points.filter { $0.kind == "tail" }
        #expect(tail.map(\.loss) == [20, 100])
        #expect(tail.map(\.atLeast) == [0.2, 0.1])
        let csv = ExceedanceCurve.csv([("base", "total", "", curve)])
        #expect(csv.hasPrefix("scenario,scope,id,kind,loss,exceedance_probability,probability_at_least,standard_error\nbase,total,,grid,0,0.4,1,"))
    }

    /// At every histogram edge, the bounded summary's P(L ≥ x) is the whole sample's.
    @Test func boundedCurveMatchesTheSampleAtBinEdges() throws {
        let scenario = ScenarioFixtures.operators(losses: [130, 260, 395, 800.5], probabilities: [0.1, 0.05, 0.08, 0.02], correlation: .constant(0.3))
        let engine = SimulationEngine(model: try CompiledModel(scenario: scenario))
        let memory = engine.run(trials: 100_000, seed: 3, threads: 2)
        let bounded = engine.runBounded(trials: 100_000, seed: 3, threads: 2, levels: [0.99])
        let curve = ExceedanceCurve.of(bounded.distribution)
        #expect(curve.points.count > 3)
        for point in curve.points {
            let truth = Double(memory.losses.trials - memory.losses.countAtMost(point.loss.nextDown)) / 1e5
            #expect(point.atLeast == truth, "P(L ≥ \(point.loss)): \(point.atLeast) vs \(truth)")
        }
    }
}

/// Plot ticks are round numbers (1, 2 or 5 × 10^k), not fifths of the largest loss (22,720.03).
@Suite struct PlotTickTests {
    @Test func ticksAreRound() {
        #expect(SVGPlot.niceTicks(upTo: 22_720.03) == [0, 5000, 10_000, 15_000, 20_000])
        #expect(SVGPlot.niceTicks(upTo: 0.0473) == [0, 0.01, 0.02, 0.03, 0.04])
        #expect(SVGPlot.niceTicks(upTo: 1) == [0, 0.2, 0.4, 0.6, 0.8, 1])
        #expect(SVGPlot.niceTicks(upTo: 37_000, from: 12_000) == [15_000, 20_000, 25_000, 30_000, 35_000])
        #expect(SVGPlot.tickLabel(15_000) == "15,000" && SVGPlot.tickLabel(0.02) == "0.02")
    }
}
