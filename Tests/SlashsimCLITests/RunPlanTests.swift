import Foundation
import ScenarioFormat
import SlashingCore
@testable import slashsim
import Testing
import TestSupport

/// The memory check before a run, with the available memory given (the binary reads the machine's).
@Suite struct RunPlanTests {
    @Test func runsTooLargeForMemoryAreRefusedWithASuggestion() throws {
        let scenario = try ScenarioLoader.decode(data: Data(Fixtures.threeOperatorScenario.utf8), file: "case.yaml", format: .yaml)
        let model = try CompiledModel(scenario: scenario)
        #expect(throws: RunPlan.Refusal.self) {
            try RunPlan(model: model, trials: 1_000_000_000, seed: 1, threads: 2, levels: [0.99], trialsSource: "--trials",
                        availableBytes: 104_857_600)
        }
        do {
            _ = try RunPlan(model: model, trials: 1_000_000_000, seed: 1, threads: 2, levels: [0.99], trialsSource: "--trials",
                            availableBytes: 104_857_600)
        } catch {
            #expect(error.description.hasPrefix("--trials 1000000000 needs up to "))
            #expect(error.description.contains("but only 0.1 GiB is available. Fix: lower --trials to about"))
        }
        _ = try RunPlan(model: model, trials: 1_000_000, seed: 1, threads: 2, levels: [0.99], trialsSource: "--trials",
                        availableBytes: 104_857_600)
    }
}
