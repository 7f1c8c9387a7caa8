import Foundation
@testable import ScenarioFormat
import SlashingCore
import TestSupport
import Testing

/// Tables beside the scenario (`operators_file`, `allocations_file`, `correlation.matrix_file`,
/// `correlation.loadings_file`): the same scenario as written inline, NumPy's own .npy files read exactly, and
/// every problem named by file and line:column (CSV) or header field (.npy).
@Suite struct TableFileTests {
    /// A fresh directory holding `files` (name → contents); returns its path.
    static func directory(_ files: [String: String], binary: [String: Data] = [:]) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("slashsim-tables-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for (name, text) in files { try Data(text.utf8).write(to: URL(fileURLWithPath: "\(dir)/\(name)")) }
        for (name, data) in binary { try data.write(to: URL(fileURLWithPath: "\(dir)/\(name)")) }
        return dir
    }

    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/npy").path

    static func npy(_ name: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: "\(fixtures)/\(name)")) }

    static let operatorsCSV = "id,stake,fault_probability,tags.cloud\nop-a,32000,0.01,aws\nop-b,64000,0.02,\n\"op-c\",16000,0.03,gcp\n"
    static let allocationsCSV = "operator,service,magnitude\r\nop-a,oracle-avs,0.4\r\nop-a,bridge-avs,0.6\r\n\r\nop-b,bridge-avs,1.0\r\n"
    static let services = """
        services:
          - {id: oracle-avs, slash_fraction: 0.5}
          - {id: bridge-avs, slash_fraction: 1.0}

        """
    static let matrix: [[Double]] = [[1, 0.3, 0.1], [0.3, 1, 0.2], [0.1, 0.2, 1]]

    /// The scenario as written inline, with the tables' values.
    static func inline(correlation: String) throws -> Scenario {
        try ScenarioLoader.decode(data: Data("""
            operators:
              - {id: op-a, stake: 32000, fault_probability: 0.01, tags: {cloud: aws}}
              - {id: op-b, stake: 64000, fault_probability: 0.02}
              - {id: op-c, stake: 16000, fault_probability: 0.03, tags: {cloud: gcp}}
            \(services)allocations:
              - {operator: op-a, service: oracle-avs, magnitude: 0.4}
              - {operator: op-a, service: bridge-avs, magnitude: 0.6}
              - {operator: op-b, service: bridge-avs, magnitude: 1.0}
            correlation: \(correlation)

            """.utf8), file: "inline.yaml", format: .yaml)
    }

    /// The messages of loading `scenario.yaml` (with `text`) in a directory holding `files`.
    static func messages(_ text: String, files: [String: String] = [:], binary: [String: Data] = [:]) throws -> [String] {
        let dir = try directory(files.merging(["scenario.yaml": text]) { a, _ in a }, binary: binary)
        do {
            _ = try ScenarioLoader.load(path: "\(dir)/scenario.yaml")
            return []
        } catch {
            return error.diagnostics.map { $0.description.replacingOccurrences(of: dir + "/", with: "") }
        }
    }

    static let tabled = "operators_file: operators.csv\n\(services)allocations_file: allocations.csv\n"

    // MARK: Same scenario as inline

    @Test func csvTablesGiveTheInlineScenario() throws {
        let dir = try Self.directory([
            "operators.csv": Self.operatorsCSV, "allocations.csv": Self.allocationsCSV,
            // Columns in another order than the operators, rows named (as pandas writes them), a BOM.
            "matrix.csv": "\u{FEFF},op-c,op-a,op-b\nop-b,0.2,0.3,1\nop-a,0.1,1,0.3\nop-c,1,0.1,0.2\n",
            "scenario.yaml": "name: inline\n\(Self.tabled)correlation: {matrix_file: matrix.csv}\n",
        ])
        var tabled = try ScenarioLoader.load(path: "\(dir)/scenario.yaml")
        let inline = try Self.inline(correlation: "{matrix: [[1, 0.3, 0.1], [0.3, 1, 0.2], [0.1, 0.2, 1]]}")
        // Each table as read, with the SHA-256 of its bytes (what reports carry as `table_files`).
        #expect(tabled.tableFiles.map(\.key) == ["operators_file", "allocations_file", "correlation.matrix_file"])
        for table in tabled.tableFiles {
            #expect(table.sha256 == SHA256.hex(try Data(contentsOf: URL(fileURLWithPath: table.file))), "\(table.file)")
        }
        #expect(tabled.tableFiles.map(\.file) == ["\(dir)/operators.csv", "\(dir)/allocations.csv", "\(dir)/matrix.csv"])
        tabled.tableFiles = []
        #expect(tabled == inline)
        #expect(tabled.correlation == .matrix(Self.matrix))
        #expect(tabled.operators[0].tags == ["cloud": "aws"] && tabled.operators[1].tags.isEmpty)
    }

    @Test func aMatrixCSVWithoutRowNamesIsInHeaderOrder() throws {
        let dir = try Self.directory([
            "operators.csv": Self.operatorsCSV, "allocations.csv": Self.allocationsCSV,
            "m.csv": "op-b,op-a,op-c\n1,0.3,0.2\n0.3,1,0.1\n0.2,0.1,1\n",
            "scenario.yaml": "\(Self.tabled)correlation: {matrix_file: m.csv}\n",
        ])
        #expect(try ScenarioLoader.load(path: "\(dir)/scenario.yaml").correlation == .matrix(Self.matrix))
    }

    @Test func npyMatrixGivesTheInlineScenarioAndRepairApplies() throws {
        // NumPy's bytes for the 3×3 matrix, written here as np.save does (version 1.0, C order).
        var header = "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 3), }"
        header += String(repeating: " ", count: 63 - (10 + header.count) % 64) + "\n"
        var data = Data(NumPyArray.magic + [1, 0, UInt8(header.utf8.count), 0]) + Data(header.utf8)
        for x in Self.matrix.joined() { withUnsafeBytes(of: x.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
        let dir = try Self.directory(["operators.csv": Self.operatorsCSV, "allocations.csv": Self.allocationsCSV,
                                      "scenario.yaml": "\(Self.tabled)correlation: {matrix_file: m.npy, repair: nearest}\n"],
                                     binary: ["m.npy": data])
        #expect(try ScenarioLoader.load(path: "\(dir)/scenario.yaml").correlation == .repairedMatrix(Self.matrix))
    }

    @Test func loadingsTablesGiveTheInlineFactors() throws {
        let dir = try Self.directory([
            "operators.csv": Self.operatorsCSV, "allocations.csv": Self.allocationsCSV,
            "loadings.csv": "operator,aws,client\nop-a,0.5,0\nop-c,0.4,0.3\n",
            "scenario.yaml": "name: inline\n\(Self.tabled)correlation: {loadings_file: loadings.csv}\n",
        ])
        var tabled = try ScenarioLoader.load(path: "\(dir)/scenario.yaml")
        let inline = try Self.inline(correlation: "{factors: [{id: aws, loadings: {op-a: 0.5, op-c: 0.4}}, {id: client, loadings: {op-a: 0, op-c: 0.3}}]}")
        #expect(tabled.tableFiles.last?.key == "correlation.loadings_file")
        tabled.tableFiles = []
        #expect(tabled == inline)
    }

    @Test func npyLoadingsAreInOperatorOrder() throws {
        let dir = try Self.directory(["operators.csv": Self.operatorsCSV, "allocations.csv": Self.allocationsCSV,
                                      "scenario.yaml": "\(Self.tabled)correlation: {loadings_file: l.npy}\n"],
                                     binary: ["l.npy": try Self.npy("vector.npy")])
        let scenario = try ScenarioLoader.load(path: "\(dir)/scenario.yaml")
        #expect(scenario.correlation == .factors([FactorSpec(id: "factor-1", loadings: [
            FactorLoading(operator: "op-a", loading: 0.25), FactorLoading(operator: "op-b", loading: -0.5),
            FactorLoading(operator: "op-c", loading: 0.75)])]))
    }

    // MARK: .npy files written by NumPy

    @Test(arguments: ["c-order.npy", "fortran-order.npy", "big-endian.npy", "version-2.npy"])
    func numpyFilesAreReadExactly(name: String) throws {
        let data = try Self.npy(name)
        let array = try data.withUnsafeBytes { try NumPyArray($0) }
        #expect(array.shape == [3, 3])
        #expect(array.values == (0..<9).map { Double($0) + 0.5 })  // element (i, j) = 3i + j + 0.5, row-major
    }

    @Test(arguments: [
        ("float32.npy", "descr", "the elements are float32 ('descr': '<f4'), not float64"),
        ("truncated.npy", "shape", "the shape (3, 3) needs 72 bytes of data but the file holds 64"),
        ("three-d.npy", "shape", "(2, 2, 2) is not (3, 3): the scenario has 3 operators, rows and columns in their order. Fix: save an array of that shape with np.save"),
    ])
    func numpyFilesThatAreNotTheRightArrayAreRefused(name: String, field: String, message: String) throws {
        let text = "\(Self.tabled)correlation: {matrix_file: \(name)}\n"
        let found = try Self.messages(text, files: ["operators.csv": Self.operatorsCSV, "allocations.csv": Self.allocationsCSV],
                                      binary: [name: try Self.npy(name)])
        #expect(found.count == 1)
        #expect(found.first?.hasPrefix("\(name): correlation.matrix_file: header field '\(field)': \(message)") == true, "\(found)")
    }

    @Test func aFileThatIsNotNpyIsRefusedByItsMagic() throws {
        let found = try Self.messages("\(Self.tabled)correlation: {matrix_file: m.npy}\n",
                                      files: ["operators.csv": Self.operatorsCSV, "allocations.csv": Self.allocationsCSV, "m.npy": "1,2\n3,4\n"])
        #expect(found == ["m.npy: correlation.matrix_file: header field 'magic': the file does not start with NumPy's magic string \\x93NUMPY: it is not a .npy file. Fix: save it with numpy: np.save(path, np.asarray(a, dtype=np.float64)), or give a .csv file"])
    }

    // MARK: Problems, each at its place

    @Test(arguments: [
        // CSV syntax
        ("id,stake,fault_probability\nop-a,\"32000,0.01\n", "operators.csv:2:6: operators_file: a quoted field is not closed. Fix: close the field with `\"` (a quote inside a quoted field is written `\"\"`)"),
        ("id,stake,fault_probability\nop-a,32000\n", "operators.csv:2: operators_file: this row has 2 fields but the header has 3. Fix: give every row one field per header column (id, stake, fault_probability)"),
        ("id,stake,fault_probability\nop-a,32000,0.01,x\n", "operators.csv:2:17: operators_file: this row has 4 fields but the header has 3. Fix: give every row one field per header column (id, stake, fault_probability)"),
        ("id,stake,fault_probability\nop-a,32\"000,0.01\n", "operators.csv:2:8: operators_file: a quote inside an unquoted field. Fix: quote the whole field and double the quote inside it: \"a \"\"b\"\" c\""),
        ("", "operators.csv:1: operators_file: the file is empty. Fix: write a header row of column names, then one row per entry"),
        ("id,stake,fault_probability\n", "operators.csv:1: operators_file: the table has a header but no rows. Fix: add one row per entry under the header"),
        // Columns
        ("id,stak,fault_probability\nop-a,1,0.01\n", "operators.csv:1:4: operators_file: unknown column `stak` in the operators table. Fix: did you mean `stake`? the columns are id, stake, fault_probability and `tags.KIND`"),
        ("id,fault_probability\nop-a,0.01\n", "operators.csv:1:1: operators_file: the header has no column `stake`. Fix: add a column `stake` (the header names are id, stake, fault_probability)"),
        ("id,stake,stake,fault_probability\nop-a,1,1,0.01\n", "operators.csv:1:10: operators_file: the column `stake` appears twice (first at column 4). Fix: keep one of them"),
        // Values, at their field
        ("id,stake,fault_probability\nop-a,lots,0.01\n", "operators.csv:2:6: operators[0].stake: expected the stake (a number), found `lots`. Fix: write a number such as 0.25 or 32000"),
        ("id,stake,fault_probability\nop-a,32000,\n", "operators.csv:2:12: operators[0].fault_probability: the fault probability is empty. Fix: write a number"),
        ("id,stake,fault_probability\nop-a,32000,nan\n", "operators.csv:2:12: operators[0].fault_probability: the fault probability is nan, not a finite number. Fix: give a finite number"),
        ("id,stake,fault_probability\n,32000,0.1\n", "operators.csv:2:1: operators[0].id: the operator id is empty. Fix: write the operator id in this field"),
        // Checks after decoding, still at their field
        ("id,stake,fault_probability\nop-a,32000,0.01\nop-b,  64000 ,  1.5\n", "operators.csv:3:17: operators[1].fault_probability: the fault probability 1.5 is outside [0, 1]. Fix: give the probability of a fault over the horizon, between 0 and 1"),
        ("id,stake,fault_probability\nop-a,-5,0.01\n", "operators.csv:2:6: operators[0].stake: the stake -5 is negative. Fix: give the ETH delegated to the operator, 0 or more"),
    ])
    func operatorTableProblems(csv: String, expected: String) throws {
        let found = try Self.messages("operators_file: operators.csv\n", files: ["operators.csv": csv])
        #expect(found == [expected])
    }

    @Test func referencesAcrossTablesAreCheckedAtTheirPlace() throws {
        let found = try Self.messages(Self.tabled, files: [
            "operators.csv": Self.operatorsCSV,
            "allocations.csv": "operator,service,magnitude\nop-a,oracle-avs,0.4\nop-q,bridge-avs,0.5\nop-b,bridge,0.5\n",
        ])
        #expect(found.count == 2)
        #expect(found.contains { $0.hasPrefix("allocations.csv:3:1: allocations[1].operator: unknown operator \"op-q\"") }, "\(found)")
        #expect(found.contains { $0.hasPrefix("allocations.csv:4:6: allocations[2].service: unknown service \"bridge\"") }, "\(found)")
    }

    @Test func matrixProblemsAreAtTheirField() throws {
        let files = ["operators.csv": Self.operatorsCSV, "allocations.csv": Self.allocationsCSV]
        func messages(_ matrix: String) throws -> [String] {
            try Self.messages("\(Self.tabled)correlation: {matrix_file: m.csv}\n", files: files.merging(["m.csv": matrix]) { a, _ in a })
        }
        #expect(try messages(",op-a,op-b,op-c\nop-a,1,0.3,0.1\nop-b,0.3,1,0.2\nop-c,0.1,0.25,1\n")
            == ["m.csv:4:10: correlation.matrix[2][1]: the matrix is not symmetric: entry [2][1] is 0.25 but [1][2] is 0.2. Fix: make the correlation of \"op-c\" and \"op-b\" the same in both places"])
        // The same matrix with permuted columns: the asymmetric entry is found where it is in the file.
        #expect(try messages(",op-c,op-b,op-a\nop-a,0.1,0.3,1\nop-b,0.2,1,0.3\nop-c,1,0.25,0.1\n")
            == ["m.csv:4:8: correlation.matrix[2][1]: the matrix is not symmetric: entry [2][1] is 0.25 but [1][2] is 0.2. Fix: make the correlation of \"op-c\" and \"op-b\" the same in both places"])
        #expect(try messages("op-a,op-b,op-x\n1,0,0\n0,1,0\n0,0,1\n")
            == ["m.csv:1:11: correlation.matrix_file: `op-x` in the header is not an operator. Fix: name the operators' ids in the header"])
        #expect(try messages("op-a,op-b\n1,0\n0,1\n")
            == ["m.csv:1: correlation.matrix_file: the header has no column for 1 operator (\"op-c\"). Fix: give one column per operator, 3 in all"])
        #expect(try messages("op-a,op-b,op-c\n1,0,0\n0,1,0\n")
            == ["m.csv:3: correlation.matrix_file: the matrix has 2 rows but the scenario has 3 operators. Fix: give one row per operator, 3 in all"])
        #expect(try messages("op-a,op-b,op-c\n1,0.9,0.9\n0.9,1,-0.9\n0.9,-0.9,1\n").first?.hasPrefix(
            "m.csv: correlation.matrix: the matrix is not positive definite") == true)
    }

    @Test func loadingProblemsAreAtTheirField() throws {
        let files = ["operators.csv": Self.operatorsCSV, "allocations.csv": Self.allocationsCSV]
        func messages(_ table: String) throws -> [String] {
            try Self.messages("\(Self.tabled)correlation: {loadings_file: l.csv}\n", files: files.merging(["l.csv": table]) { a, _ in a })
        }
        #expect(try messages("operator,aws\nop-a,0.5\nop-d,0.2\n")
            == ["l.csv:3:1: correlation.loadings_file: unknown operator \"op-d\". Fix: did you mean \"op-a\"? name an operator of the scenario"])
        #expect(try messages("operator,aws,gcp\nop-a,0.8,0.8\n")
            == ["l.csv:2:10: correlation.factors[1].loadings.op-a: the squared loadings of operator \"op-a\" sum to 1.28, above 1 (correlation.factors[0].loadings.op-a, correlation.factors[1].loadings.op-a). Fix: lower its loadings so that their squares sum to 1 or less (1 − that sum is its idiosyncratic variance)"])
        #expect(try messages("operator,aws\nop-a,1.5\n")
            == ["l.csv:2:6: correlation.factors[0].loadings.op-a: the loading 1.5 is outside [-1, 1]. Fix: a loading is the correlation of the operator's latent variable with the factor, between -1 and 1"])
        #expect(try messages("operator\nop-a\n")
            == ["l.csv:1: correlation.loadings_file: the table has no factor columns. Fix: add one column per factor, named by the factor's id, beside `operator`"])
    }

    @Test func fileNamesAreCheckedInTheScenario() throws {
        let missing = try Self.messages("operators_file: missing.csv\n")
        #expect(missing.count == 1)
        #expect(missing.first?.hasPrefix("scenario.yaml:1:17: operators_file: no such file missing.csv. Fix: check the path; it is relative to the scenario file's directory (") == true, "\(missing)")
        #expect(try Self.messages("operators_file: ops.npy\n")
            == ["scenario.yaml:1:17: operators_file: \"ops.npy\" is neither a .csv file. Fix: give a CSV file with a header row"])
        #expect(try Self.messages("operators:\n  - {id: a, stake: 1, fault_probability: 0.1}\noperators_file: ops.csv\n", files: ["ops.csv": "id,stake,fault_probability\nb,1,0.1\n"])
            == ["scenario.yaml:3:17: operators_file: the scenario gives both `operators` and `operators_file`. Fix: keep one of them"])
        #expect(try Self.messages("name: none\n")
            == ["scenario.yaml:1:1: operators: missing required key `operators` in a scenario. Fix: add `operators: ...`, or `operators_file: operators.csv` for a table beside the scenario"])
    }
}
