import BatchFiles
import Foundation
import ScenarioFormat
import SlashingCore
import SlashingReports
import Testing

/// The bundled scenarios load, and the two writings of the default model agree.
@Suite struct BundledScenarioTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Scenarios")

    @Test func everyBundledScenarioIsValid() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.folder.path).filter { $0.hasSuffix(".yaml") }
        #expect(files.count >= 8)
        for file in files {
            let scenario = try ScenarioLoader.load(path: Self.folder.appendingPathComponent(file).path)
            _ = try CompiledModel(scenario: scenario)
        }
    }

    /// The stress files in Scenarios/stresses apply to three-lrts.yaml, the base they were written for.
    @Test func everyBundledStressAppliesToItsBase() throws {
        let base = try ScenarioLoader.load(path: Self.folder.appendingPathComponent("three-lrts.yaml").path)
        let stresses = Self.folder.appendingPathComponent("stresses")
        let files = try FileManager.default.contentsOfDirectory(atPath: stresses.path).filter { $0.hasSuffix(".yaml") }
        #expect(files.count >= 2)
        for file in files {
            let (_, scenario) = try StressLoader.load(path: stresses.appendingPathComponent(file).path, base: base)
            _ = try CompiledModel(scenario: scenario)
        }
    }

    /// The stresses in Scenarios/unique-stake-stresses apply to unique-stake.yaml; the key-compromise wave scales
    /// every fault mode (a stress reaches the modes).
    @Test func uniqueStakeStressesApply() throws {
        let base = try ScenarioLoader.load(path: Self.folder.appendingPathComponent("unique-stake.yaml").path)
        #expect(base.operators.allSatisfy { $0.faultModes?.map(\.id) == ["key-compromise", "equivocation", "liveness"] })
        let stresses = Self.folder.appendingPathComponent("unique-stake-stresses")
        let files = try FileManager.default.contentsOfDirectory(atPath: stresses.path).filter { $0.hasSuffix(".yaml") }.sorted()
        #expect(files == ["key-compromise-wave.yaml", "no-veto.yaml", "protocol-exploit.yaml"])
        for file in files {
            let (_, scenario) = try StressLoader.load(path: stresses.appendingPathComponent(file).path, base: base)
            _ = try CompiledModel(scenario: scenario)
            if file == "key-compromise-wave.yaml" {
                #expect(scenario.operators[0].faultModes?.map(\.probability) == [0.005, 0.025, 0.05])
            }
        }
    }

    /// default.yaml (explicit matrix, Cholesky path) and default-factors.yaml (the same correlation as
    /// named factors, factor path) describe one model: same average correlation, and their estimates of
    /// the mean, P(loss) and the 99 % ES agree within four combined standard errors.
    @Test func matrixAndFactorWritingsOfTheDefaultAgree() throws {
        let matrix = try CompiledModel(scenario: ScenarioLoader.load(path: Self.folder.appendingPathComponent("default.yaml").path))
        let factors = try CompiledModel(scenario: ScenarioLoader.load(path: Self.folder.appendingPathComponent("default-factors.yaml").path))
        #expect(abs(matrix.averagePairwiseCorrelation - factors.averagePairwiseCorrelation) < 1e-12)
        let a = RiskStatistics.summarize(SimulationEngine(model: matrix).run(trials: 400_000, seed: 1, threads: 2).losses, levels: [0.99])
        let b = RiskStatistics.summarize(SimulationEngine(model: factors).run(trials: 400_000, seed: 2, threads: 2).losses, levels: [0.99])
        func close(_ x: Double, _ sx: Double, _ y: Double, _ sy: Double) -> Bool { abs(x - y) <= 4 * (sx * sx + sy * sy).squareRoot() }
        #expect(close(a.mean, a.meanStandardError, b.mean, b.meanStandardError), "\(a.mean) vs \(b.mean)")
        #expect(close(a.probabilityOfLoss, a.probabilityOfLossStandardError, b.probabilityOfLoss, b.probabilityOfLossStandardError))
        #expect(close(a.expectedShortfall[0].loss, a.expectedShortfall[0].standardError, b.expectedShortfall[0].loss, b.expectedShortfall[0].standardError))
    }
}
