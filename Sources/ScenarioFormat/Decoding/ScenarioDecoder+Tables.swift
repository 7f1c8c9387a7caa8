import SlashingCore
import Yams

/// The scenario's tables read from files beside it (see `TableFiles`): operators, allocations, a correlation
/// matrix and factor loadings.
extension ScenarioDecoder {
    var tables: TableFiles { TableFiles(reader: reader, directory: directory) }

    /// `operators_file`: CSV with columns id, stake, fault_probability and optional `tags.KIND` columns.
    func operatorsTable(_ node: Node) -> [OperatorSpec] {
        let key = "operators_file"
        guard let file = tables.open(node, at: key, npy: false),
              let table = tables.csv(file, at: key, what: "the operators table", required: ["id", "stake", "fault_probability"],
                                     prefixes: ["tags."]) else { return [] }
        tables.registerRows(table, of: file, prefix: "operators")
        let columns = table.columns
        let id = columns.firstIndex(of: "id")!, stake = columns.firstIndex(of: "stake")!, p = columns.firstIndex(of: "fault_probability")!
        let tagColumns = columns.enumerated().filter { $0.element.hasPrefix("tags.") }.map { ($0.offset, String($0.element.dropFirst(5))) }
        return table.rows.enumerated().map { r, row in
            var tags: [String: String] = [:]
            for (column, kind) in tagColumns where !row[column].text.isEmpty { tags[kind] = row[column].text }
            return OperatorSpec(
                id: tables.text(row[id], in: file, at: "operators[\(r)].id", what: "the operator id") ?? "",
                stake: tables.number(row[stake], in: file, at: "operators[\(r)].stake", what: "the stake") ?? .nan,
                faultProbability: tables.number(row[p], in: file, at: "operators[\(r)].fault_probability", what: "the fault probability") ?? .nan,
                tags: tags)
        }
    }

    /// `allocations_file`: CSV with columns operator, service, magnitude.
    func allocationsTable(_ node: Node) -> [AllocationSpec] {
        let key = "allocations_file"
        guard let file = tables.open(node, at: key, npy: false),
              let table = tables.csv(file, at: key, what: "the allocations table", required: ["operator", "service", "magnitude"]) else { return [] }
        tables.registerRows(table, of: file, prefix: "allocations")
        let columns = table.columns
        let op = columns.firstIndex(of: "operator")!, service = columns.firstIndex(of: "service")!, magnitude = columns.firstIndex(of: "magnitude")!
        return table.rows.enumerated().map { r, row in
            AllocationSpec(
                operator: tables.text(row[op], in: file, at: "allocations[\(r)].operator", what: "the operator id") ?? "",
                service: tables.text(row[service], in: file, at: "allocations[\(r)].service", what: "the service id") ?? "",
                magnitude: tables.number(row[magnitude], in: file, at: "allocations[\(r)].magnitude", what: "the magnitude") ?? .nan)
        }
    }

    /// `correlation.matrix_file`: an N×N float64 `.npy` in the order of `operators`, or a CSV whose header names
    /// the operators (any order), optionally with a first column of row names (empty or `operator` in the
    /// header, as pandas writes it); returned in the order of `operators`, nil after reporting.
    func matrixTable(_ node: Node, operators: [String]) -> [[Double]]? {
        let key = "correlation.matrix_file"
        let n = operators.count
        guard let file = tables.open(node, at: key, npy: true) else { return nil }
        if file.kind == .npy {
            guard let array = tables.npy(file, at: key, expect: { shape in
                shape == [n, n] ? nil : "is not (\(n), \(n)): the scenario has \(n) operators, rows and columns in their order"
            }) else { return nil }
            reader.registerTable(prefix: "correlation.matrix") { _ in FileLocation(file: file.name) }
            return (0..<n).map { i in Array(array.values[(i * n)..<((i + 1) * n)]) }
        }
        guard let table = tables.csv(file, at: key, what: "the correlation matrix", required: [], anyColumns: true) else { return nil }
        let header = table.header
        let labelled = header.first?.text == "" || header.first?.text == "operator"
        let named = labelled ? Array(header.dropFirst()) : header
        let index = Dictionary(operators.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        var ok = true
        var columnOf = [Int](repeating: -1, count: n)  // operator → table column
        for (c, field) in named.enumerated() {
            guard let i = index[field.text] else {
                reader.report(key, at: FileLocation(file: file.name, line: field.line, column: field.column),
                              problem: "`\(field.text)` in the header is not an operator", fix: "name the operators' ids in the header")
                ok = false
                continue
            }
            columnOf[i] = c + (labelled ? 1 : 0)
        }
        let missing = operators.enumerated().filter { columnOf[$0.offset] < 0 }.map(\.element)
        if ok, !missing.isEmpty {
            reader.report(key, at: FileLocation(file: file.name, line: header.first?.line ?? 1),
                          problem: "the header has no column for \(missing.count) operator\(missing.count == 1 ? "" : "s") (\(missing.prefix(5).map { "\"\($0)\"" }.joined(separator: ", "))\(missing.count > 5 ? ", …" : ""))",
                          fix: "give one column per operator, \(n) in all")
            ok = false
        }
        guard ok else { return nil }
        guard table.rows.count == n else {
            reader.report(key, at: FileLocation(file: file.name, line: table.rows.last?.first?.line),
                          problem: "the matrix has \(table.rows.count) rows but the scenario has \(n) operators",
                          fix: "give one row per operator, \(n) in all")
            return nil
        }
        var rowOf = [Int](repeating: -1, count: n)  // operator → table row
        for (r, row) in table.rows.enumerated() {
            if labelled {
                let field = row[0]
                guard let i = index[field.text] else {
                    reader.report(key, at: FileLocation(file: file.name, line: field.line, column: field.column),
                                  problem: "the row name `\(field.text)` is not an operator", fix: "start each row with an operator id")
                    ok = false
                    continue
                }
                if rowOf[i] >= 0 {
                    reader.report(key, at: FileLocation(file: file.name, line: field.line, column: field.column),
                                  problem: "operator \"\(field.text)\" has two rows (first on line \(table.rows[rowOf[i]][0].line))",
                                  fix: "give each operator one row")
                    ok = false
                    continue
                }
                rowOf[i] = r
            } else if let i = index[named[r].text] {
                rowOf[i] = r
            }
        }
        guard ok else { return nil }
        let rows = table.rows, name = file.name
        reader.registerTable(prefix: "correlation.matrix") { path in
            let numbers = path.dropFirst("correlation.matrix".count).split(whereSeparator: { $0 == "[" || $0 == "]" }).compactMap { Int($0) }
            guard let i = numbers.first, i >= 0, i < n else { return FileLocation(file: name) }
            let row = rows[rowOf[i]]
            guard numbers.count > 1, numbers[1] >= 0, numbers[1] < n else { return FileLocation(file: name, line: row[0].line) }
            let field = row[columnOf[numbers[1]]]
            return FileLocation(file: name, line: field.line, column: field.column)
        }
        var matrix = [[Double]](repeating: [Double](repeating: .nan, count: n), count: n)
        for i in 0..<n {
            let row = rows[rowOf[i]]
            for j in 0..<n {
                matrix[i][j] = tables.number(row[columnOf[j]], in: file, at: "correlation.matrix[\(i)][\(j)]", what: "a correlation") ?? .nan
            }
        }
        return matrix
    }

    /// `correlation.loadings_file`: a CSV with a column `operator` and one column per factor (its id), one row
    /// per operator that loads on any (others load on none); or an N×K float64 `.npy` in the order of
    /// `operators`, factors named factor-1 … factor-K. Nil after reporting.
    func loadingsTable(_ node: Node, operators: [String]) -> [FactorSpec]? {
        let key = "correlation.loadings_file"
        let n = operators.count
        guard let file = tables.open(node, at: key, npy: true) else { return nil }
        if file.kind == .npy {
            guard let array = tables.npy(file, at: key, expect: { shape in
                (shape.count == 2 && shape[0] == n && shape[1] >= 1) || shape == [n] ? nil
                    : "is not (\(n), K): one row per operator (\(n)), in their order, one column per factor"
            }) else { return nil }
            let k = array.shape.count == 2 ? array.shape[1] : 1
            reader.registerTable(prefix: "correlation.factors") { _ in FileLocation(file: file.name) }
            return (0..<k).map { f in
                FactorSpec(id: "factor-\(f + 1)", loadings: operators.enumerated().map { i, op in
                    FactorLoading(operator: op, loading: array.values[i * k + f])
                })
            }
        }
        guard let table = tables.csv(file, at: key, what: "the loadings table", required: ["operator"], anyColumns: true) else { return nil }
        let columns = table.columns
        let op = columns.firstIndex(of: "operator")!
        let factorColumns = columns.indices.filter { $0 != op }
        guard !factorColumns.isEmpty else {
            reader.report(key, at: FileLocation(file: file.name, line: table.header[0].line), problem: "the table has no factor columns",
                          fix: "add one column per factor, named by the factor's id, beside `operator`")
            return nil
        }
        var rowOf: [String: Int] = [:]
        var ok = true
        let known = Set(operators)  // a hash lookup per row: a linear search made 200,000 operators quadratic
        for (r, row) in table.rows.enumerated() {
            guard let id = tables.text(row[op], in: file, at: key, what: "the operator id") else { ok = false; continue }
            guard known.contains(id) else {
                let hint = closest(to: id, in: operators).map { "did you mean \"\($0)\"? " } ?? ""
                reader.report(key, at: FileLocation(file: file.name, line: row[op].line, column: row[op].column),
                              problem: "unknown operator \"\(id)\"", fix: "\(hint)name an operator of the scenario")
                ok = false
                continue
            }
            if let first = rowOf[id] {
                reader.report(key, at: FileLocation(file: file.name, line: row[op].line, column: row[op].column),
                              problem: "operator \"\(id)\" has two rows (first on line \(table.rows[first][op].line))", fix: "give each operator one row")
                ok = false
                continue
            }
            rowOf[id] = r
        }
        guard ok else { return nil }
        let rows = table.rows, header = table.header, name = file.name
        reader.registerTable(prefix: "correlation.factors") { path in
            // correlation.factors[k].loadings.OPERATOR, correlation.factors[k].id, correlation.factors[k]
            let rest = path.dropFirst("correlation.factors".count)
            guard rest.first == "[", let close = rest.firstIndex(of: "]"), let k = Int(rest.dropFirst().prefix(upTo: close)), k >= 0,
                  k < factorColumns.count else { return FileLocation(file: name) }
            let column = factorColumns[k]
            let tail = rest[rest.index(after: close)...]
            if tail.hasPrefix(".loadings."), let r = rowOf[String(tail.dropFirst(".loadings.".count))] {
                return FileLocation(file: name, line: rows[r][column].line, column: rows[r][column].column)
            }
            return FileLocation(file: name, line: header[column].line, column: header[column].column)
        }
        return factorColumns.enumerated().map { k, column in
            FactorSpec(id: header[column].text, loadings: table.rows.enumerated().compactMap { r, row in
                let id = row[op].text
                return FactorLoading(operator: id, loading: tables.number(row[column], in: file, at: "correlation.factors[\(k)].loadings.\(id)",
                                                                          what: "a loading") ?? .nan)
            })
        }
    }
}
