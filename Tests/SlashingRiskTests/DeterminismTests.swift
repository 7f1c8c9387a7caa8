import BatchFiles
import ScenarioFormat
import SlashingCore
import SlashingReports
import Testing

/// Same seed, same scenario: the same numbers, whatever the thread count.
@Suite struct DeterminismTests {
    @Test(arguments: [false, true])
    func sameReportFor1And2And7Threads(denseMatrix: Bool) throws {
        let n = 12
        let scenario = ScenarioFixtures.operators(
            losses: (0..<n).map { 100 * Double($0 + 1) }, probabilities: (0..<n).map { 0.01 * Double($0 % 4 + 1) },
            correlation: denseMatrix ? .matrix(ScenarioFixtures.constantMatrix(n, 0.4)) : .constant(0.4))
        let levels = [0.9, 0.99, 0.999]
        let runs = try [1, 2, 7].map { try ScenarioFixtures.simulate(scenario, trials: 250_000 + 17, seed: 99, threads: $0, levels: levels) }
        for run in runs.dropFirst() {
            #expect(run.summary == runs[0].summary)
            #expect(run.result.faultCounts == runs[0].result.faultCounts)
            #expect(run.result.losses.positiveLosses == runs[0].result.losses.positiveLosses)
        }
    }

    @Test func aRunIsAPrefixOfALongerRunBatchByBatch() throws {
        // Batch b draws the same numbers whatever the total, so the first full batches of a longer run
        // contain exactly the losses of the shorter run.
        let scenario = ScenarioFixtures.operators(losses: [1, 2, 4, 8], probabilities: [0.2, 0.3, 0.1, 0.05], correlation: .constant(0.2))
        let short = try ScenarioFixtures.simulate(scenario, trials: 2 * RunLimits.batchSize, seed: 5, levels: [0.5]).result
        let long = try ScenarioFixtures.simulate(scenario, trials: 2 * RunLimits.batchSize + 1, seed: 5, levels: [0.5]).result
        let extra = long.losses.positiveLosses.count - short.losses.positiveLosses.count
        #expect(extra == 0 || extra == 1)
    }

    @Test func differentSeedsGiveDifferentSamples() throws {
        let scenario = ScenarioFixtures.operators(losses: [1, 2, 4, 8], probabilities: [0.2, 0.3, 0.1, 0.05])
        let a = try ScenarioFixtures.simulate(scenario, trials: 10_000, seed: 1, levels: [0.5]).result
        let b = try ScenarioFixtures.simulate(scenario, trials: 10_000, seed: 2, levels: [0.5]).result
        #expect(a.faultCounts != b.faultCounts)
    }
}
