import BatchFiles
import Foundation
import ScenarioFormat
import SlashingCore
import SlashingReports
import Testing

/// Paths into scenario files for `slashsim sweep --set`.
@Suite struct ScenarioPathTests {
    static func file(_ text: String) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("path-\(UUID().uuidString).yaml")
        try Data(text.utf8).write(to: url)
        return url.path
    }

    @Test func pathsParse() {
        #expect(ScenarioPath("correlation.constant") != nil)
        #expect(ScenarioPath("operators[*].fault_probability") != nil)
        #expect(ScenarioPath("tokens[0].depeg.per_nav_loss") != nil)
        for bad in ["", ".x", "a..b", "a[", "a[x]", "a[-1]", "a b", "a]"] { #expect(ScenarioPath(bad) == nil, "\(bad)") }
    }

    @Test func settingValuesChangesExactlyThoseValues() throws {
        let path = try Self.file(TestFixtures.three)
        let rho = try ScenarioLoader.load(path: path, setting: ScenarioPath("correlation.constant")!, to: "0.45", label: "x")
        #expect(rho.correlation == .constant(0.45))
        let all = try ScenarioLoader.load(path: path, setting: ScenarioPath("operators[*].fault_probability")!, to: "0.07", label: "x")
        #expect(all.operators.allSatisfy { $0.faultProbability == 0.07 })
        let one = try ScenarioLoader.load(path: path, setting: ScenarioPath("operators[1].stake")!, to: "5", label: "x")
        #expect(one.operators.map(\.stake) == [32000, 5, 16000])
        // A missing last key of an existing mapping is added (an optional field).
        let added = try ScenarioLoader.load(path: path, setting: ScenarioPath("services[0].incident_probability")!, to: "0.02", label: "x")
        #expect(added.services[0].incidentProbability == 0.02)
    }

    @Test func missingPathsAndBadValuesAreReported() throws {
        let path = try Self.file(TestFixtures.three)
        #expect(throws: ScenarioError.self) { try ScenarioLoader.load(path: path, setting: ScenarioPath("correlation.matrix[0]")!, to: "1", label: "x") }
        do {
            _ = try ScenarioLoader.load(path: path, setting: ScenarioPath("operators[5].stake")!, to: "1", label: "x")
            Issue.record("expected an error")
        } catch {
            #expect(error.description.contains("operators[5].stake: `operators` has 3 elements, so [5] does not exist"))
        }
        do {
            _ = try ScenarioLoader.load(path: path, setting: ScenarioPath("operators[*].fault_probability")!, to: "2", label: "case with p=2")
            Issue.record("expected an error")
        } catch {
            #expect(error.description.contains("case with p=2:"))
            #expect(error.description.contains("operators[0].fault_probability: the fault probability 2 is outside [0, 1]"))
        }
    }
}

enum TestFixtures {
    static let three = """
        name: Three
        simulation: {trials: 10000, seed: 3}
        operators:
          - {id: op-a, stake: 32000, fault_probability: 0.01}
          - {id: op-b, stake: 64000, fault_probability: 0.02}
          - {id: op-c, stake: 16000, fault_probability: 0.03}
        services:
          - {id: s, slash_fraction: 0.5}
        allocations:
          - {operator: op-a, service: s, magnitude: 1}
          - {operator: op-b, service: s, magnitude: 1}
          - {operator: op-c, service: s, magnitude: 1}
        correlation: {constant: 0.2}

        """
}
