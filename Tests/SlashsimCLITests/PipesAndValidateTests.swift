import BatchFiles
import Foundation
import ScenarioFormat
import TestSupport
import Testing

/// `-` for standard input, and `validate` on several files, stress files and `--format json`.
@Suite struct PipesAndValidateTests {
    static let scenario = Fixtures.twoOperatorScenario

    @Test func runReadsYAMLOrJSONFromStandardInput() throws {
        let fromFile = try SlashsimBinary.run(["run", "-", "--format", "json", "--trials", "5000"], input: Data(Self.scenario.utf8))
        #expect(fromFile.status == 0, "\(fromFile.stderr)")
        let yaml = try #require(try JSONSerialization.jsonObject(with: Data(fromFile.stdout.utf8)) as? [String: Any])
        #expect(yaml["scenario_file"] as? String == "stdin")
        #expect(yaml["scenario_sha256"] as? String == SHA256.hex(Array(Self.scenario.utf8)))
        let json = """
            {"name": "Two AVSs sharing operators", "simulation": {"trials": 50000, "seed": 42, "quantiles": [0.5, 0.9, 0.99, 0.999]},
             "operators": [{"id": "op-a", "stake": 32000, "fault_probability": 0.01}, {"id": "op-b", "stake": 64000, "fault_probability": 0.02}],
             "services": [{"id": "oracle-avs", "slash_fraction": 0.5}, {"id": "bridge-avs", "slash_fraction": 1.0}],
             "allocations": [{"operator": "op-a", "service": "oracle-avs", "magnitude": 0.4}, {"operator": "op-a", "service": "bridge-avs", "magnitude": 0.6},
                             {"operator": "op-b", "service": "bridge-avs", "magnitude": 1.0}],
             "correlation": {"matrix": [[1, 0.3], [0.3, 1]]}}
            """
        let fromJSON = try SlashsimBinary.run(["run", "-", "--format", "json", "--trials", "5000"], input: Data(json.utf8))
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(fromJSON.stdout.utf8)) as? [String: Any])
        // The same scenario in either syntax: the same numbers.
        #expect((parsed["total"] as? [String: Any])?["mean"] as? Double == (yaml["total"] as? [String: Any])?["mean"] as? Double)
        // Problems name stdin and the place in it.
        let bad = try SlashsimBinary.run(["validate", "-"], input: Data("operators: [{id: a, stake: 1, fault_probability: 2}]\n".utf8))
        #expect(bad.status == 65)
        #expect(bad.stderr.hasPrefix("error: stdin:1:50: operators[0].fault_probability: the fault probability 2 is outside [0, 1]."))
    }

    @Test func validateChecksSeveralFilesAndStresses() throws {
        let root = SlashsimBinary.packageRoot
        let all = try SlashsimBinary.run(["validate", "Scenarios/default.yaml", "Scenarios/three-lrts.yaml", "Scenarios/stresses/avs-bug.yaml"], in: root)
        #expect(all.status == 0, "\(all.stderr)")
        #expect(all.stdout.contains("ok: Scenarios/default.yaml"))
        #expect(all.stdout.contains("ok: Scenarios/stresses/avs-bug.yaml — stress \"AVS slashing bug: price-oracle slashes its whole operator set\" of Scenarios/three-lrts.yaml"))
        let explicit = try SlashsimBinary.run(["validate", "Scenarios/three-lrts.yaml", "--stress", "Scenarios/stresses/cloud-outage.yaml"], in: root)
        #expect(explicit.status == 0 && explicit.stdout.contains("ok: Scenarios/stresses/cloud-outage.yaml — stress"))
        // A stress alone has nothing to be checked against.
        let alone = try SlashsimBinary.run(["validate", "Scenarios/stresses/avs-bug.yaml"], in: root)
        #expect(alone.status == 65)
        #expect(alone.stderr.contains("a stress file needs its base scenario to be checked. Fix: name the base too"))
        // A stress that applies to no scenario given: its problems against the first.
        let wrongBase = try SlashsimBinary.run(["validate", "Scenarios/default.yaml", "--stress", "Scenarios/stresses/avs-bug.yaml"], in: root)
        #expect(wrongBase.status == 65)
        #expect(wrongBase.stderr.contains("depeg.lrt-a: unknown token \"lrt-a\""))
    }

    @Test func validateJSONListsEveryFile() throws {
        let folder = try SlashsimBinary.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data(Self.scenario.utf8).write(to: folder.appendingPathComponent("good.yaml"))
        try Data("operators: [{id: a, stake: 1, fault_probability: 2}]\n".utf8).write(to: folder.appendingPathComponent("bad.yaml"))
        let outcome = try SlashsimBinary.run(["validate", "good.yaml", "bad.yaml", "--format", "json"], in: folder)
        #expect(outcome.status == 65)
        #expect(outcome.stderr.isEmpty)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any])
        #expect(json["valid"] as? Bool == false)
        let files = try #require(json["files"] as? [[String: Any]])
        #expect(files.map { $0["file"] as? String } == ["good.yaml", "bad.yaml"])
        #expect(files.map { $0["valid"] as? Bool } == [true, false])
        #expect((files[0]["summary"] as? [String: Any])?["operators"] as? Int == 2)
        let problems = try #require(files[1]["problems"] as? [[String: Any]])
        #expect(problems.count == 1)
        #expect(problems[0]["path"] as? String == "operators[0].fault_probability" && problems[0]["line"] as? Int == 1 && problems[0]["column"] as? Int == 50)
        let missing = try SlashsimBinary.run(["validate", "nope.yaml"], in: folder)
        #expect(missing.status == 66)
    }
}
