import Foundation
import ScenarioFormat
import TestSupport
import Testing

/// The bad-input catalogue: each bad scenario goes through the real `slashsim` binary, which must exit
/// non-zero with one exact message naming the file, the place in it, the problem and the fix.
@Suite struct BadInputCatalogueTests {
    static let base = Fixtures.threeOperatorScenario

    /// Writes `content` to `name` in a fresh folder and runs `slashsim <command> name` there.
    static func validate(_ content: String, name: String = "case.yaml", command: [String] = ["validate"]) throws -> SlashsimBinary.Outcome {
        try run(Data(content.utf8), name: name, command: command)
    }

    static func run(_ content: Data, name: String = "case.yaml", command: [String] = ["validate"]) throws -> SlashsimBinary.Outcome {
        let folder = try SlashsimBinary.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try content.write(to: folder.appendingPathComponent(name))
        return try SlashsimBinary.run(command + [name], in: folder)
    }

    @Test(arguments: [
        // Unknown key (a typo), with a suggestion and without a second "missing key" message.
        ("fault_probability: 0.02", "fault_probabilty: 0.02",
         "case.yaml:5:30: operators[1].fault_probabilty: unknown key `fault_probabilty` in an operator. Fix: did you mean `fault_probability`? allowed keys are id, stake, fault_probability, tags, fault_modes"),
        ("name: Two", "nmae: Two",
         "case.yaml:1:1: nmae: unknown key `nmae` in a scenario. Fix: did you mean `name`? allowed keys are format, name, simulation, copula, operators, operators_file, services, allocations, allocations_file, correlation, fault_modes, protocols, tokens, portfolios"),
        // Missing key.
        (", fault_probability: 0.03", "",
         "case.yaml:6:5: operators[2].fault_probability: missing required key `fault_probability` in an operator. Fix: add `fault_probability: ...`, or give the operator `fault_modes` (or the scenario default `fault_modes`)"),
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
        ("seed: 42,", "seed: 42, precision: float,",
         "case.yaml:2:51: simulation.precision: unknown precision \"float\". Fix: write `precision: double` (the default) or `precision: single` (an explicit matrix's multiply in float, the same results)"),
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
         "case.yaml:14:23: correlation.matrix: the matrix is not positive definite: its leading 3×3 minor (operators \"op-a\", \"op-b\", \"op-c\") is not positive, so the Cholesky factorisation fails at operator \"op-c\". Fix: these correlations are mutually inconsistent; lower the correlations of operator \"op-c\" with the operators before it, or derive the matrix from common factors, or add `repair: nearest` to use the nearest correlation matrix"),
        // Named factors.
        ("constant: 0.2", "factors: [{id: aws, loadings: {op-a: 0.5, op-x: 0.3}}]",
         "case.yaml:14:57: correlation.factors[0].loadings.op-x: unknown operator \"op-x\" in the loadings of factor \"aws\". Fix: did you mean \"op-a\"? name an operator listed under `operators`"),
        ("constant: 0.2", "factors: [{id: aws, loadings: {op-a: 1.5}}]",
         "case.yaml:14:46: correlation.factors[0].loadings.op-a: the loading 1.5 is outside [-1, 1]. Fix: a loading is the correlation of the operator's latent variable with the factor, between -1 and 1"),
        ("constant: 0.2", "factors: [{id: aws, loadings: {op-a: 0.8}}, {id: gcp, loadings: {op-a: 0.8}}]",
         "case.yaml:14:80: correlation.factors[1].loadings.op-a: the squared loadings of operator \"op-a\" sum to 1.28, above 1 (correlation.factors[0].loadings.op-a, correlation.factors[1].loadings.op-a). Fix: lower its loadings so that their squares sum to 1 or less (1 − that sum is its idiosyncratic variance)"),
        ("constant: 0.2", "factors: [{id: aws, loadings: {op-a: 0.5}}, {id: aws, loadings: {op-b: 0.5}}]",
         "case.yaml:14:64: correlation.factors[1].id: duplicate factor id \"aws\" (first used at correlation.factors[0]). Fix: give every factor its own id, or merge their loadings"),
        ("constant: 0.2", "factors: []",
         "case.yaml:14:24: correlation.factors: the list of factors is empty. Fix: give at least one factor, or omit `correlation` for independent operators"),
        ("constant: 0.2", "factors: [{id: aws, loadings: [0.5]}]",
         "case.yaml:14:45: correlation.factors[0].loadings: expected the loadings (a mapping), found a list. Fix: write the loadings as `{op-a: 0.4, op-b: 0.3}`"),
        ("constant: 0.2", "constant: 0.2, factors: []",
         "case.yaml:14:14: correlation: the correlation gives both `constant` and `factors`. Fix: keep one of them"),
        ("constant: 0.2", "factors: [{id: aws, loadings: {op-a: 0.5}}], repair: nearest",
         "case.yaml:14:68: correlation.repair: `repair` applies to a `matrix` or `matrix_file` only. Fix: remove `repair`, or give the correlation as a matrix"),
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
    func badScenarioGetsOneExactMessage(old: String, new: String, expected: String) throws {
        precondition(Self.base.contains(old), "fixture text not found: \(old)")
        let outcome = try Self.validate(Self.base.replacingOccurrences(of: old, with: new))
        #expect(outcome.status == 65)
        #expect(outcome.stderr == "error: \(expected)\n")
        #expect(outcome.stdout.isEmpty)
    }


    /// Tables beside the scenario: the message names the table file and the place in it (CSV) or the header
    /// field (.npy), the scenario path the value stands for, and the fix.
    @Test(arguments: [
        ("ops.csv", "id,stake,fault_probability\nop-a,32000,0.01\nop-b,64000,1.5\nop-c,16000,0.03\n", "correlation: {constant: 0.2}",
         "ops.csv:3:12: operators[1].fault_probability: the fault probability 1.5 is outside [0, 1]. Fix: give the probability of a fault over the horizon, between 0 and 1"),
        ("ops.csv", "id,stake,fault_probabilty\nop-a,32000,0.01\n", "correlation: {constant: 0.2}",
         "ops.csv:1:10: operators_file: unknown column `fault_probabilty` in the operators table. Fix: did you mean `fault_probability`? the columns are id, stake, fault_probability and `tags.KIND`"),
        ("m.csv", ",op-a,op-b,op-c\nop-a,1,0.2,0.2\nop-b,0.2,1,0.2\nop-c,0.2,0.2,x\n", "correlation: {matrix_file: m.csv}",
         "m.csv:4:14: correlation.matrix[2][2]: expected a correlation (a number), found `x`. Fix: write a number such as 0.25 or 32000"),
        ("m.npy", "\u{93}NUMPY\u{1}\u{0}<\u{0}{'descr': '<f4', 'fortran_order': False, 'shape': (3, 3), }            \n", "correlation: {matrix_file: m.npy}",
         "m.npy: correlation.matrix_file: header field 'descr': the elements are float32 ('descr': '<f4'), not float64. Fix: save it with numpy: np.save(path, np.asarray(a, dtype=np.float64))"),
    ])
    func tableProblemsNameTheTableFile(table: String, content: String, correlation: String, expected: String) throws {
        let folder = try SlashsimBinary.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        var scenario = Self.base.replacingOccurrences(of: "correlation: {constant: 0.2}", with: correlation)
        if table == "ops.csv" {
            let start = try #require(scenario.range(of: "operators:\n")), end = try #require(scenario.range(of: "services:"))
            scenario.replaceSubrange(start.lowerBound..<end.lowerBound, with: "operators_file: ops.csv\n")
        }
        var bytes = Data(content.utf8)
        if table.hasSuffix(".npy") {  // the header as NumPy writes it (its bytes are not all UTF-8 text)
            bytes = Data(content.unicodeScalars.map { UInt8($0.value) })
            bytes.append(Data(count: 36))
        }
        try bytes.write(to: folder.appendingPathComponent(table))
        try Data(scenario.utf8).write(to: folder.appendingPathComponent("case.yaml"))
        let outcome = try SlashsimBinary.run(["validate", "case.yaml"], in: folder)
        #expect(outcome.status == 65)
        #expect(outcome.stderr == "error: \(expected)\n")
    }

    /// A valid tabled scenario: the report names each table with the SHA-256 of its bytes (JSON `table_files`,
    /// a text line each), so that a changed table changes the report's provenance.
    @Test func reportsCarryTheTablesDigests() throws {
        let folder = try SlashsimBinary.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        var scenario = Self.base
        let start = try #require(scenario.range(of: "operators:\n")), end = try #require(scenario.range(of: "services:"))
        scenario.replaceSubrange(start.lowerBound..<end.lowerBound, with: "operators_file: ops.csv\n")
        let table = Data("id,stake,fault_probability\nop-a,32000,0.01\nop-b,64000,0.02\nop-c,16000,0.03\n".utf8)
        try table.write(to: folder.appendingPathComponent("ops.csv"))
        try Data(scenario.utf8).write(to: folder.appendingPathComponent("case.yaml"))
        let json = try SlashsimBinary.run(["run", "case.yaml", "--trials", "2048", "--format", "json"], in: folder)
        #expect(json.status == 0, "\(json.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let tables = try #require(report["table_files"] as? [[String: String]])
        #expect(tables == [["key": "operators_file", "file": "ops.csv", "sha256": SHA256.hex(table)]])
        let text = try SlashsimBinary.run(["run", "case.yaml", "--trials", "2048"], in: folder)
        #expect(text.stdout.contains("table operators_file = ops.csv · SHA-256 \(SHA256.hex(table))"))
        let plain = try SlashsimBinary.run(["run", "--trials", "2048", "--format", "json"], in: folder)
        #expect((try JSONSerialization.jsonObject(with: Data(plain.stdout.utf8)) as? [String: Any])?["table_files"] as? [Any] != nil)
    }

    @Test func theBaseScenarioIsValid() throws {
        let outcome = try Self.validate(Self.base)
        #expect(outcome.status == 0, "\(outcome.stderr)")
    }

    @Test(arguments: [
        ("", "case.yaml: the file is empty. Fix: write a scenario: see Scenarios/default.yaml for an example"),
        ("# only a comment\n", "case.yaml: the file is empty. Fix: write a scenario: see Scenarios/default.yaml for an example"),
        ("- a\n- b\n", "case.yaml:1:1: expected a scenario (a mapping with keys format, name, simulation, copula, operators, operators_file, services, allocations, allocations_file, correlation, fault_modes, protocols, tokens, portfolios), found a list. Fix: write a scenario as `key: value` pairs"),
        ("just text\n", "case.yaml:1:1: expected a scenario (a mapping with keys format, name, simulation, copula, operators, operators_file, services, allocations, allocations_file, correlation, fault_modes, protocols, tokens, portfolios), found `just text`. Fix: write a scenario as `key: value` pairs"),
        ("name: x\n", "case.yaml:1:1: operators: missing required key `operators` in a scenario. Fix: add `operators: ...`, or `operators_file: operators.csv` for a table beside the scenario"),
        ("operators: []\n", "case.yaml:1:12: operators: the scenario has no operators. Fix: list at least one operator under `operators:`"),
        ("format: 2\noperators: [{id: a, stake: 1, fault_probability: 0.1}]\n", "case.yaml:1:9: format: format 2 is not supported by this slashsim (it reads format 1). Fix: write `format: 1` or upgrade slashsim"),
        ("operators: [{id: \"a\\nb\", stake: 1, fault_probability: 0.1}]\n", "case.yaml:1:18: operators[0].id: the operator id contains the control character U+000A. Fix: use printable characters only (letters, digits, spaces and punctuation are fine)"),
        ("operators: [{id: a, stake: 1, fault_probability: 0.1}]\ncorrelation: {matrix: [[1]], repair: closest}\n", "case.yaml:2:38: correlation.repair: unknown repair method \"closest\". Fix: write `repair: nearest` (the nearest correlation matrix, Higham 2002) or omit it"),
        ("operators: [{id: a, stake: 1, fault_probability: 0.1}]\ncorrelation: {constant: 0.1, repair: nearest}\n", "case.yaml:2:38: correlation.repair: `repair` applies to a `matrix` or `matrix_file` only. Fix: remove `repair`, or give the correlation as a matrix"),
        ("operators: [{id: a, stake: 1, fault_probability: 0.1}]\nname: [a\n", "case.yaml:3:1: malformed YAML: while parsing a flow sequence: did not find expected ',' or ']'. Fix: correct the YAML syntax at that place"),
        ("operators:\n\t- {id: a}\n", "case.yaml:2:1: malformed YAML: while scanning for the next token: found character that cannot start any token. Fix: correct the YAML syntax at that place"),
    ])
    func wholeFileProblems(content: String, expected: String) throws {
        let outcome = try Self.validate(content)
        #expect(outcome.status == 65)
        #expect(outcome.stderr == "error: \(expected)\n")
    }

    @Test func binaryGarbageIsRejected() throws {
        var generator = SplitMix64(seed: 3)
        let bytes = Data((0..<4096).map { _ in UInt8(truncatingIfNeeded: generator.next()) })
        let outcome = try Self.run(bytes)
        #expect(outcome.status == 65)
        #expect(outcome.stderr == "error: case.yaml: the file is not UTF-8 text. Fix: save the scenario as UTF-8 YAML or JSON\n")
        let nul = try Self.run(Data("operators: []\n\u{0}\u{0}".utf8))
        #expect(nul.stderr == "error: case.yaml: the file contains binary data (NUL bytes). Fix: save the scenario as UTF-8 YAML or JSON\n")
    }

    @Test func aHundredMegabyteFileIsRefusedWithoutReadingIt() throws {
        let folder = try SlashsimBinary.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("huge.yaml")
        _ = FileManager.default.createFile(atPath: url.path, contents: nil)
        let handle = try FileHandle(forWritingTo: url)
        let chunk = Data(String(repeating: "# padding\n", count: 100_000).utf8)  // 1 MB
        for _ in 0..<100 { handle.write(chunk) }
        try handle.close()
        let outcome = try SlashsimBinary.run(["validate", "huge.yaml"], in: folder)
        #expect(outcome.status == 66)
        #expect(outcome.stderr == "error: huge.yaml: the file is 95 MiB, over the 64 MiB limit for scenarios. Fix: check that this is a scenario file\n")
    }

    /// Limits at scale from files (issue 18), refused from the file sizes before anything is read (sparse files
    /// here, so the test writes almost nothing): a 1 GB scenario, and the 3.2 GB `.npy` of a dense N = 20,000
    /// matrix, whose fix names the factor form.
    @Test func hugeFilesAreRefusedBeforeReading() throws {
        let folder = try SlashsimBinary.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let scenario = folder.appendingPathComponent("giga.yaml")
        _ = FileManager.default.createFile(atPath: scenario.path, contents: Data("name: x\n".utf8))
        try FileHandle(forWritingTo: scenario).truncate(atOffset: 1 << 30)
        let giga = try SlashsimBinary.run(["run", "giga.yaml"], in: folder)
        #expect(giga.status == 66)
        #expect(giga.stderr == "error: giga.yaml: the file is 1024 MiB, over the 64 MiB limit for scenarios. Fix: check that this is a scenario file\n")

        let n = 20_000
        let operators = "id,stake,fault_probability\n" + (0..<n).map { "op\($0),32,0.01\n" }.joined()
        try Data(operators.utf8).write(to: folder.appendingPathComponent("ops.csv"))
        let matrix = folder.appendingPathComponent("m.npy")
        _ = FileManager.default.createFile(atPath: matrix.path, contents: Data(NumPyHeader.float64(rows: n, columns: n)))
        try FileHandle(forWritingTo: matrix).truncate(atOffset: UInt64(128 + 8 * n * n))
        try Data("name: dense\noperators_file: ops.csv\ncorrelation: {matrix_file: m.npy}\n".utf8).write(to: folder.appendingPathComponent("dense.yaml"))
        let dense = try SlashsimBinary.run(["validate", "dense.yaml"], in: folder)
        #expect(dense.status == 65)
        #expect(dense.stderr.contains("dense.yaml:3:28: correlation.matrix_file: m.npy is 3051 MiB, over the 1024 MiB limit for tables. Fix: an N×N float64 matrix is 8·N² bytes (3.2 GB at N = 20,000); for that many operators write the correlation as factors instead"), "\(dense.stderr)")
    }

    @Test func yamlAliasBombIsRefused() throws {
        var lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
        for (previous, name) in zip("abcdefgh", "bcdefghi") {
            lines.append("\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 9).joined(separator: ", ") + "]")
        }
        lines.append("operators: [{id: a, stake: 1, fault_probability: 0.1}]")
        lines.append("correlation: {matrix: *i}")
        let outcome = try Self.validate(lines.joined(separator: "\n") + "\n")
        #expect(outcome.status == 65)
        #expect(outcome.stderr == "error: case.yaml: the file expands to more than 40000000 values (YAML aliases repeated inside each other). Fix: write the scenario without YAML aliases (`*name`) that multiply its size\n")
    }

    @Test func deepNestingIsRefused() throws {
        let outcome = try Self.validate("operators: " + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "\n")
        #expect(outcome.status == 65)
        #expect(outcome.stderr.hasPrefix("error: case.yaml:1:"))
        #expect(outcome.stderr.contains("malformed YAML: while parsing: Maximum nesting level reached"))
    }

    @Test func jsonProblemsAreReportedWithTheirPlace() throws {
        let malformed = try Self.validate("{\"operators\": [{\"id\": \"a\", \"stake\": 1,\n \"fault_probability\": 0.1 x}]}", name: "case.json")
        #expect(malformed.status == 65)
        #expect(malformed.stderr.hasPrefix("error: case.json:2:"))
        #expect(malformed.stderr.contains("malformed JSON"))
        let duplicate = try Self.validate("{\"operators\": [{\"id\": \"a\", \"stake\": 1, \"fault_probability\": 0.1}], \"operators\": []}", name: "case.json")
        #expect(duplicate.stderr == "error: case.json:1:68: duplicate key `operators` in one mapping. Fix: keep one of them: a repeated key would silently override the other\n")
        let yamlInJSON = try Self.validate("operators: []\n", name: "case.json")
        #expect(yamlInJSON.status == 65)
        #expect(yamlInJSON.stderr.hasPrefix("error: case.json:1:1: malformed JSON"))
    }

    @Test func missingFileAndDirectory() throws {
        let folder = try SlashsimBinary.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let missing = try SlashsimBinary.run(["validate", "nope.yaml"], in: folder)
        #expect(missing.status == 66)
        #expect(missing.stderr == "error: nope.yaml: no such file. Fix: check the path; `slashsim run` without a file runs the bundled default scenario\n")
        let directory = try SlashsimBinary.run(["run", "."], in: folder)
        #expect(directory.status == 66)
        #expect(directory.stderr == "error: .: is a directory, not a scenario file. Fix: name a .yaml, .yml or .json file\n")
    }

    @Test func nearlySingularMatrixRunsWithAWarning() throws {
        let content = """
            operators: [{id: a, stake: 1, fault_probability: 0.1}, {id: b, stake: 1, fault_probability: 0.1}]
            correlation: {matrix: [[1, 0.99999999999], [0.99999999999, 1]]}

            """
        let outcome = try Self.validate(content)
        #expect(outcome.status == 0)
        #expect(outcome.stderr.hasPrefix("warning: case.yaml: correlation.matrix: the matrix is nearly singular (condition number about 2.0e+11)"))
        let run = try Self.validate(content, command: ["run", "--trials", "2000", "--format", "json"])
        #expect(run.status == 0)
        #expect(run.stdout.contains("\"warnings\" : [\n    \"correlation.matrix: the matrix is nearly singular"))
    }

    @Test func oddButPrintableIdsAreKeptExactlyAndEscapedInReports() throws {
        let content = """
            operators:
              - {id: "Lido, \\"simple\\" DVT", stake: 100, fault_probability: 0.5}
              - {id: "ノード-β 🚀", stake: 50, fault_probability: 0.5}
            services: [{id: "s/1", slash_fraction: 1}]
            allocations:
              - {operator: "Lido, \\"simple\\" DVT", service: "s/1", magnitude: 1}
              - {operator: "ノード-β 🚀", service: "s/1", magnitude: 1}

            """
        let csv = try Self.validate(content, command: ["run", "--trials", "2000", "--format", "csv"])
        #expect(csv.status == 0, "\(csv.stderr)")
        #expect(csv.stdout.contains("operator,\"Lido, \"\"simple\"\" DVT\",expected_loss,"))
        #expect(csv.stdout.contains("operator,ノード-β 🚀,expected_loss,"))
        let json = try Self.validate(content, command: ["run", "--trials", "2000", "--format", "json"])
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        let ids = (object?["operators"] as? [[String: Any]])?.compactMap { $0["id"] as? String }
        #expect(ids == ["Lido, \"simple\" DVT", "ノード-β 🚀"])
    }
}

/// A NumPy `.npy` version 1.0 header for a C-order float64 matrix, padded to 128 bytes as NumPy writes it.
enum NumPyHeader {
    static func float64(rows: Int, columns: Int) -> [UInt8] {
        var header = "{'descr': '<f8', 'fortran_order': False, 'shape': (\(rows), \(columns)), }"
        header += String(repeating: " ", count: 127 - 10 - header.utf8.count) + "\n"
        return [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.utf8.count), 0] + Array(header.utf8)
    }
}
