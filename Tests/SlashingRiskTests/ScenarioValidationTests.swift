import Foundation
import SlashingRisk
import Testing

/// Every kind of bad scenario gets one readable message: file, line, path, problem and fix.
@Suite struct ScenarioValidationTests {
    static let base = """
        name: Two AVSs sharing operators
        simulation: {trials: 100000, seed: 42, quantiles: [0.5, 0.9, 0.99]}
        operators:
          - {id: op-a, stake: 32000, fault_probability: 0.01}
          - {id: op-b, stake: 64000, fault_probability: 0.02}
          - {id: op-c, stake: 16000, fault_probability: 0.03}
        services:
          - {id: oracle-avs, slash_fraction: 0.5}
          - {id: bridge-avs, slash_fraction: 1.0}
        allocations:
          - {operator: op-a, service: oracle-avs, magnitude: 0.4}
          - {operator: op-a, service: bridge-avs, magnitude: 0.6}
          - {operator: op-b, service: bridge-avs, magnitude: 1.0}
        correlation: {constant: 0.2}

        """

    /// The messages for `base` with `old` replaced by `new` (each must occur).
    static func messages(replacing old: String, with new: String, file: String = "case.yaml") -> [String] {
        precondition(base.contains(old), "fixture text not found: \(old)")
        return messages(base.replacingOccurrences(of: old, with: new), file: file)
    }

    static func messages(_ text: String, file: String = "case.yaml") -> [String] {
        do {
            _ = try ScenarioLoader.decode(data: Data(text.utf8), file: file, format: ScenarioFormat(path: file))
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

    @Test(arguments: [
        // Unknown key (a typo), with a suggestion and without a second "missing key" message.
        ("fault_probability: 0.02", "fault_probabilty: 0.02",
         "case.yaml:5:30: operators[1].fault_probabilty: unknown key `fault_probabilty` in an operator. Fix: did you mean `fault_probability`? allowed keys are id, stake, fault_probability"),
        ("name: Two", "nmae: Two",
         "case.yaml:1:1: nmae: unknown key `nmae` in a scenario. Fix: did you mean `name`? allowed keys are format, name, simulation, operators, services, allocations, correlation"),
        // Missing key.
        (", fault_probability: 0.03", "",
         "case.yaml:6:5: operators[2].fault_probability: missing required key `fault_probability` in an operator. Fix: add `fault_probability: ...`"),
        // Wrong types.
        ("stake: 64000", "stake: lots",
         "case.yaml:5:23: operators[1].stake: expected the stake (a number), found `lots`. Fix: write a number such as 0.25 or 32000"),
        ("stake: 64000", "stake: \"64000\"",
         "case.yaml:5:23: operators[1].stake: expected the stake (a number), found the string \"64000\". Fix: remove the quotes"),
        ("stake: 64000", "stake: [1, 2]",
         "case.yaml:5:23: operators[1].stake: expected the stake (a number), found a list. Fix: write a single number"),
        ("stake: 64000", "stake: true",
         "case.yaml:5:23: operators[1].stake: expected the stake (a number), found the boolean true. Fix: write a number such as 0.25 or 32000"),
        ("services:\n  - {id: oracle-avs, slash_fraction: 0.5}\n  - {id: bridge-avs, slash_fraction: 1.0}", "services: {id: oracle-avs}",
         "case.yaml:7:11: services: expected the list of services (a list), found a mapping. Fix: write the list of services as a list: `[...]` or lines starting with `- `"),
        // Duplicate id.
        ("id: op-c", "id: op-a",
         "case.yaml:6:10: operators[2].id: duplicate operator id \"op-a\" (first used at operators[0]). Fix: give every operator its own id"),
        // Unknown operator and service.
        ("operator: op-b", "operator: op-x",
         "case.yaml:13:16: allocations[2].operator: unknown operator \"op-x\". Fix: did you mean \"op-a\"? name an operator listed under `operators`"),
        ("service: oracle-avs, magnitude", "service: orcle-avs, magnitude",
         "case.yaml:11:31: allocations[0].service: unknown service \"orcle-avs\". Fix: did you mean \"oracle-avs\"? name a service listed under `services`"),
        // Probabilities and fractions outside [0, 1].
        ("fault_probability: 0.02", "fault_probability: 1.5",
         "case.yaml:5:49: operators[1].fault_probability: the fault probability 1.5 is outside [0, 1]. Fix: give the probability of a fault over the horizon, between 0 and 1"),
        ("fault_probability: 0.02", "fault_probability: -0.01",
         "case.yaml:5:49: operators[1].fault_probability: the fault probability -0.01 is outside [0, 1]. Fix: give the probability of a fault over the horizon, between 0 and 1"),
        ("slash_fraction: 0.5", "slash_fraction: 2",
         "case.yaml:8:38: services[0].slash_fraction: the slash fraction 2 is outside [0, 1]. Fix: give the share of allocated stake slashed per fault, between 0 and 1"),
        ("magnitude: 1.0", "magnitude: 1.2",
         "case.yaml:13:54: allocations[2].magnitude: the magnitude 1.2 is outside [0, 1]. Fix: give the share of the operator's stake allocated to the service, between 0 and 1"),
        // NaN and infinities.
        ("fault_probability: 0.02", "fault_probability: .nan",
         "case.yaml:5:49: operators[1].fault_probability: the fault probability is .nan, not a finite number. Fix: give a finite number"),
        ("stake: 64000", "stake: .inf",
         "case.yaml:5:23: operators[1].stake: the stake is .inf, not a finite number. Fix: give a finite number"),
        ("stake: 64000", "stake: 1e400",
         "case.yaml:5:23: operators[1].stake: 1e400 is too large to be a finite number. Fix: give a number of magnitude below 1e308"),
        // Negative stake.
        ("stake: 64000", "stake: -5",
         "case.yaml:5:23: operators[1].stake: the stake -5 is negative. Fix: give the ETH delegated to the operator, 0 or more"),
        // Magnitudes of one operator above 1.
        ("magnitude: 0.4", "magnitude: 0.5",
         "case.yaml:12:5: allocations[1]: the magnitudes of operator \"op-a\" sum to 1.1, above 1 (allocations[0], allocations[1]). Fix: under unique stake an operator allocates at most 100 % of its stake: lower these magnitudes so they sum to 1 or less"),
        // The same operator and service twice.
        ("  - {operator: op-b, service: bridge-avs, magnitude: 1.0}", "  - {operator: op-b, service: bridge-avs, magnitude: 0.5}\n  - {operator: op-b, service: bridge-avs, magnitude: 0.5}",
         "case.yaml:14:5: allocations[3]: operator \"op-b\" is allocated to service \"bridge-avs\" twice (first at allocations[2]). Fix: merge the two allocations into one magnitude"),
        // Constant correlation outside [−1/(N−1), 1).
        ("constant: 0.2", "constant: -0.7",
         "case.yaml:14:25: correlation.constant: the constant correlation -0.7 is outside [-1/(N-1) = -0.5, 1) for N = 3 operators. Fix: use a value from -0.5 up to 1: more negative values give no valid correlation matrix for 3 operators"),
        ("constant: 0.2", "constant: 1",
         "case.yaml:14:25: correlation.constant: the constant correlation 1 is outside [-1/(N-1) = -0.5, 1) for N = 3 operators. Fix: use a value below 1 (ρ = 1 makes the matrix singular; 0.99 is close to comonotone)"),
        // Matrices.
        ("constant: 0.2", "matrix: [[1, 0.3], [0.3, 1]]",
         "case.yaml:14:23: correlation.matrix: the matrix has 2 rows but the scenario has 3 operators. Fix: give a 3×3 matrix, rows and columns in the order of `operators`"),
        ("constant: 0.2", "matrix: [[1, 0.3, 0], [0.3, 1], [0, 0, 1]]",
         "case.yaml:14:37: correlation.matrix[1]: row 1 has 2 entries, expected 3. Fix: give 3 entries per row, one per operator in the order of `operators`"),
        ("constant: 0.2", "matrix: [[1, 0.3, 0], [0.2, 1, 0], [0, 0, 1]]",
         "case.yaml:14:38: correlation.matrix[1][0]: the matrix is not symmetric: entry [1][0] is 0.2 but [0][1] is 0.3. Fix: make the correlation of \"op-b\" and \"op-a\" the same in both places"),
        ("constant: 0.2", "matrix: [[1, 0.3, 0], [0.3, 0.9, 0], [0, 0, 1]]",
         "case.yaml:14:43: correlation.matrix[1][1]: diagonal entry 0.9 for operator \"op-b\" is not 1. Fix: a correlation matrix has 1 on its diagonal"),
        ("constant: 0.2", "matrix: [[1, 0.3, 0], [0.3, .nan, 0], [0, 0, 1]]",
         "case.yaml:14:43: correlation.matrix[1][1]: a correlation is .nan, not a finite number. Fix: give a finite number"),
        ("constant: 0.2", "matrix: [[1, 0.3, -1.5], [0.3, 1, 0], [-1.5, 0, 1]]",
         "case.yaml:14:33: correlation.matrix[0][2]: correlation -1.5 is outside [-1, 1]. Fix: give correlations between -1 and 1"),
        ("constant: 0.2", "matrix: [[1, 0.9, -0.9], [0.9, 1, 0.9], [-0.9, 0.9, 1]]",
         "case.yaml:14:23: correlation.matrix: the matrix is not positive definite: its leading 3×3 minor (operators \"op-a\", \"op-b\", \"op-c\") is not positive, so the Cholesky factorisation fails at operator \"op-c\". Fix: these correlations are mutually inconsistent; lower the correlations of operator \"op-c\" with the operators before it, or derive the matrix from common factors"),
        ("constant: 0.2", "constant: 0.2, matrix: [[1]]",
         "case.yaml:14:14: correlation: the correlation gives both `constant` and `matrix`. Fix: keep one of them"),
        // Simulation settings.
        ("trials: 100000", "trials: 0",
         "case.yaml:2:22: simulation.trials: the number of trials 0 is outside [1, 1000000000000]. Fix: give a whole number from 1 to 1000000000000"),
        ("trials: 100000", "trials: 1e15",
         "case.yaml:2:22: simulation.trials: the number of trials 1000000000000000 is outside [1, 1000000000000]. Fix: give a whole number from 1 to 1000000000000"),
        ("trials: 100000", "trials: 10.5",
         "case.yaml:2:22: simulation.trials: the number of trials must be a whole number, found 10.5. Fix: give a whole number"),
        ("seed: 42", "seed: -1",
         "case.yaml:2:36: simulation.seed: the seed -1 is not a whole number from 0 to 18446744073709551615. Fix: write the seed as digits only, e.g. 42"),
        ("0.5, 0.9, 0.99", "0.5, 1.0, 0.99",
         "case.yaml:2:57: simulation.quantiles[1]: the quantile level 1 is outside (0, 1). Fix: give a level strictly between 0 and 1, e.g. 0.99 for the 99 % VaR"),
        ("quantiles: [0.5, 0.9, 0.99]", "quantiles: 0.99",
         "case.yaml:2:51: simulation.quantiles: expected the quantile levels (a list), found `0.99`. Fix: write the quantile levels as a list: `[...]` or lines starting with `- `"),
        // Malformed YAML, with its line; duplicate keys.
        ("{id: op-b, stake: 64000", "{id: op-b stake: 64000",
         "case.yaml:5:20: malformed YAML: while parsing a flow mapping: did not find expected ',' or '}'. Fix: correct the YAML syntax at that place"),
        ("name: Two", "name: A\nname: Two",
         "case.yaml:2:1: duplicate key `name` in one mapping. Fix: keep one of them: a repeated key would silently override the other"),
    ])
    func badScenarioGetsOneExactMessage(old: String, new: String, expected: String) {
        #expect(Self.messages(replacing: old, with: new) == [expected])
    }

    @Test func everyProblemIsReportedInOnePass() {
        let text = Self.base
            .replacingOccurrences(of: "fault_probability: 0.02", with: "fault_probability: 2")
            .replacingOccurrences(of: "stake: 16000", with: "stake: -1")
            .replacingOccurrences(of: "operator: op-b", with: "operator: op-z")
        #expect(Self.messages(text).count == 3)
    }

    @Test func wholeFileProblems() {
        #expect(Self.messages("") == ["case.yaml: the file is empty. Fix: write a scenario: see Scenarios/default.yaml for an example"])
        #expect(Self.messages("- a\n- b\n") == [
            "case.yaml:1:1: expected a scenario (a mapping with keys format, name, simulation, operators, services, allocations, correlation), found a list. Fix: write a scenario as `key: value` pairs",
        ])
        #expect(Self.messages("name: x\n") == [
            "case.yaml:1:1: operators: missing required key `operators` in a scenario. Fix: add `operators: ...`",
        ])
        #expect(Self.messages("operators: []\n") == [
            "case.yaml:1:12: operators: the scenario has no operators. Fix: list at least one operator under `operators:`",
        ])
        #expect(Self.messages("format: 2\noperators: [{id: a, stake: 1, fault_probability: 0.1}]\n") == [
            "case.yaml:1:9: format: format 2 is not supported by this slashsim (it reads format 1). Fix: write `format: 1` or upgrade slashsim",
        ])
        let binary = Data([0xFF, 0xFE, 0x00, 0x81, 0x9C])
        #expect(throws: ScenarioError.self) { try ScenarioLoader.decode(data: binary, file: "bin.yaml", format: .yaml) }
    }

    @Test func malformedJSONIsReportedWithItsLine() {
        let messages = Self.messages("{\"operators\": [{\"id\": \"a\", \"stake\": 1,\n \"fault_probability\": 0.1 x}]}", file: "case.json")
        #expect(messages.count == 1)
        #expect(messages[0].hasPrefix("case.json:2:"))
        #expect(messages[0].contains("malformed JSON"))
        #expect(Self.messages("{\"operators\": [{\"id\": \"a\", \"stake\": 1, \"fault_probability\": 0.1}], \"operators\": []}", file: "case.json")
                == ["case.json:1:68: duplicate key `operators` in one mapping. Fix: keep one of them: a repeated key would silently override the other"])
    }

    @Test func missingFileAndDirectoryAreUnreadable() {
        #expect(throws: ScenarioError.self) { try ScenarioLoader.load(path: "/nonexistent/scenario.yaml") }
        do {
            _ = try ScenarioLoader.load(path: "/nonexistent/scenario.yaml")
        } catch {
            guard case .unreadable(let d) = error else { Issue.record("expected unreadable"); return }
            #expect(d.description == "/nonexistent/scenario.yaml: no such file. Fix: check the path; `slashsim run` without a file runs the bundled default scenario")
        }
        do {
            _ = try ScenarioLoader.load(path: NSTemporaryDirectory())
        } catch {
            #expect(error.diagnostics.first?.problem == "is a directory, not a scenario file")
        }
    }

    @Test func runsTooLargeForMemoryAreRefusedWithASuggestion() throws {
        let scenario = try ScenarioLoader.decode(data: Data(Self.base.utf8), file: "case.yaml", format: .yaml)
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
