import BatchFiles
import Foundation
import ScenarioFormat
import SlashingCore
import SlashingReports
import TestSupport
import Testing

/// Every kind of bad scenario gets one readable message: file, line, path, problem and fix.
@Suite struct ScenarioValidationTests {
    static let base = Fixtures.threeOperatorScenario

    /// The messages for `base` with `old` replaced by `new` (each must occur).
    static func messages(replacing old: String, with new: String, file: String = "case.yaml") -> [String] {
        precondition(base.contains(old), "fixture text not found: \(old)")
        return messages(base.replacingOccurrences(of: old, with: new), file: file)
    }

    static func messages(_ text: String, file: String = "case.yaml") -> [String] {
        do {
            _ = try ScenarioLoader.decode(data: Data(text.utf8), file: file, format: ScenarioSyntax(path: file))
            return []
        } catch {
            return error.diagnostics.map(\.description)
        }
    }

    @Test func theBaseScenarioIsValidAndDecodesEveryField() throws {
        let scenario = try ScenarioLoader.decode(data: Data(Self.base.utf8), file: "case.yaml", format: .yaml)
        #expect(scenario.name == "Two AVSs sharing operators")
        #expect(scenario.simulation == SimulationSettings(trials: 100_000, seed: 42, quantiles: [0.5, 0.9, 0.99]))
        #expect(scenario.operators[1] == OperatorSpec(id: "op-b", stake: 64000, faultProbability: 0.02))
        #expect(scenario.services[0] == ServiceSpec(id: "oracle-avs", slashFraction: 0.5))
        #expect(scenario.allocations[2] == AllocationSpec(operator: "op-b", service: "bridge-avs", magnitude: 1))
        #expect(scenario.correlation == .constant(0.2))
    }

    @Test func theSameScenarioInJSONDecodesTheSame() throws {
        let json = """
            {"name": "Two AVSs sharing operators", "simulation": {"trials": 100000, "seed": 42, "quantiles": [0.5, 0.9, 0.99]},
             "operators": [{"id": "op-a", "stake": 32000, "fault_probability": 0.01},
                           {"id": "op-b", "stake": 64000, "fault_probability": 0.02},
                           {"id": "op-c", "stake": 16000, "fault_probability": 0.03}],
             "services": [{"id": "oracle-avs", "slash_fraction": 0.5}, {"id": "bridge-avs", "slash_fraction": 1.0}],
             "allocations": [{"operator": "op-a", "service": "oracle-avs", "magnitude": 0.4},
                             {"operator": "op-a", "service": "bridge-avs", "magnitude": 0.6},
                             {"operator": "op-b", "service": "bridge-avs", "magnitude": 1.0}],
             "correlation": {"constant": 0.2}}
            """
        let fromJSON = try ScenarioLoader.decode(data: Data(json.utf8), file: "case.json", format: .json)
        let fromYAML = try ScenarioLoader.decode(data: Data(Self.base.utf8), file: "case.json", format: .yaml)
        #expect(fromJSON == fromYAML)
    }

    @Test func everyProblemIsReportedInOnePass() {
        let text = Self.base
            .replacingOccurrences(of: "fault_probability: 0.02", with: "fault_probability: 2")
            .replacingOccurrences(of: "stake: 16000", with: "stake: -1")
            .replacingOccurrences(of: "operator: op-b", with: "operator: op-z")
        #expect(Self.messages(text).count == 3)
    }
}
