import Foundation
import Yams

/// Large tables kept beside the scenario: `operators_file`, `allocations_file`, `correlation.matrix_file` and
/// `correlation.loadings_file`. Paths are relative to the scenario file's directory. CSV tables have a header
/// row with the scenario's key names; numeric arrays may also be NumPy `.npy` files (float64). Every value read
/// is registered with the `NodeReader`, so that later checks name the table file and the place in it.
struct TableFiles {
    let reader: NodeReader
    /// Directory of the scenario file, as the user named it ("" for the working directory).
    let directory: String

    /// Largest table file accepted, in bytes (a 10,000 × 10,000 float64 matrix is 800 MB).
    static let maximumFileSize = 1 << 30

    enum Kind { case csv, npy }

    /// An opened table file: its name for messages, kind and bytes.
    struct Opened {
        let name: String
        let kind: Kind
        let data: Data
    }

    /// The file named by the scalar `node` at `key`, read; nil after reporting. `npy` allows `.npy` files.
    func open(_ node: Node, at key: String, npy: Bool) -> Opened? {
        guard let written = reader.string(node, at: key, what: "the file name") else { return nil }
        let name = written.hasPrefix("/") || directory.isEmpty ? written : "\(directory)/\(written)"
        let lower = written.lowercased()
        let kind: Kind
        if lower.hasSuffix(".csv") {
            kind = .csv
        } else if lower.hasSuffix(".npy"), npy {
            kind = .npy
        } else {
            reader.report(key, node.mark, problem: "\"\(written)\" is neither \(npy ? "a .csv nor a .npy" : "a .csv") file",
                          fix: npy ? "give a CSV file (header row, then one row per entry) or a NumPy .npy float64 array" : "give a CSV file with a header row")
            return nil
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: name, isDirectory: &isDirectory), !isDirectory.boolValue else {
            reader.report(key, node.mark, problem: "no such file \(name)",
                          fix: "check the path; it is relative to the scenario file's directory\(directory.isEmpty ? "" : " (\(directory))")")
            return nil
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: name)[.size] as? Int) ?? 0
        guard size <= Self.maximumFileSize else {
            let fix = key == "correlation.matrix_file"
                ? "an N×N float64 matrix is 8·N² bytes (3.2 GB at N = 20,000); for that many operators write the correlation as factors instead (`correlation: {loadings_file: PATH}`, an N×K table: memory linear in N)"
                : "check that this is the right file"
            reader.report(key, node.mark, problem: "\(name) is \(size >> 20) MiB, over the \(Self.maximumFileSize >> 20) MiB limit for tables", fix: fix)
            return nil
        }
        guard let data = size == 0 ? Data() : try? Data(contentsOf: URL(fileURLWithPath: name), options: .alwaysMapped) else {
            reader.report(key, node.mark, problem: "\(name) cannot be read", fix: "check the file's permissions")
            return nil
        }
        reader.tableFiles.append(TableFile(key: key, file: name, sha256: SHA256.hex(data)))
        return Opened(name: name, kind: kind, data: data)
    }

    // MARK: CSV

    /// The CSV table of `file`, with the columns checked: all of `required`, the others in `optional` or with a
    /// prefix in `prefixes` (any name at all with `anyColumns`); nil after reporting.
    func csv(_ file: Opened, at key: String, what: String, required: [String], optional: [String] = [], prefixes: [String] = [],
             anyColumns: Bool = false) -> CSVTable? {
        let parsed = file.data.withUnsafeBytes { raw in
            Result { () throws(CSVTable.Problem) in try CSVTable(raw.bindMemory(to: UInt8.self)) }
        }
        let table: CSVTable
        switch parsed {
        case .success(let t): table = t
        case .failure(let error):
            reader.report(key, at: FileLocation(file: file.name, line: error.line, column: error.column), problem: error.message, fix: error.fix)
            return nil
        }
        guard String(data: file.data, encoding: .utf8) != nil else {
            reader.report(key, at: FileLocation(file: file.name), problem: "the file is not UTF-8 text", fix: "save the table as UTF-8 CSV")
            return nil
        }
        var ok = true
        let allowed = required + optional
        for field in table.header where !anyColumns && !allowed.contains(field.text) && !prefixes.contains(where: { field.text.hasPrefix($0) && field.text.count > $0.count }) {
            let hint = closest(to: field.text, in: allowed).map { "did you mean `\($0)`? " } ?? ""
            let extra = prefixes.isEmpty ? "" : " and \(prefixes.map { "`\($0)KIND`" }.joined(separator: ", "))"
            reader.report(key, at: FileLocation(file: file.name, line: field.line, column: field.column),
                          problem: "unknown column `\(field.text)` in \(what)", fix: "\(hint)the columns are \(allowed.joined(separator: ", "))\(extra)")
            ok = false
        }
        let columns = table.columns
        let suggested = Set(table.header.compactMap { allowed.contains($0.text) ? nil : closest(to: $0.text, in: allowed) })
        for name in required where !columns.contains(name) && !suggested.contains(name) {
            reader.report(key, at: FileLocation(file: file.name, line: table.header.first?.line ?? 1, column: 1),
                          problem: "the header has no column `\(name)`", fix: "add a column `\(name)` (the header names are \(allowed.joined(separator: ", ")))")
            ok = false
        }
        if ok, table.rows.isEmpty {
            reader.report(key, at: FileLocation(file: file.name, line: table.header.first?.line ?? 1), problem: "the table has a header but no rows",
                          fix: "add one row per entry under the header")
            ok = false
        }
        return ok ? table : nil
    }

    /// A finite number in a CSV field; nil after reporting.
    func number(_ field: CSVTable.Field, in file: Opened, at path: String, what: String) -> Double? {
        let place = FileLocation(file: file.name, line: field.line, column: field.column)
        if let value = Double(field.text), value.isFinite { return value }
        let bare = field.text.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "+-."))
        if field.text.isEmpty {
            reader.report(path, at: place, problem: "\(what) is empty", fix: "write a number")
        } else if ["nan", "inf", "infinity"].contains(bare) {
            reader.report(path, at: place, problem: "\(what) is \(field.text), not a finite number", fix: "give a finite number")
        } else if Double(field.text) != nil {
            reader.report(path, at: place, problem: "\(field.text) is too large to be a finite number", fix: "give a number of magnitude below 1e308")
        } else {
            reader.report(path, at: place, problem: "expected \(what) (a number), found `\(field.text)`", fix: "write a number such as 0.25 or 32000")
        }
        return nil
    }

    /// A non-empty text without control characters in a CSV field; nil after reporting.
    func text(_ field: CSVTable.Field, in file: Opened, at path: String, what: String) -> String? {
        let place = FileLocation(file: file.name, line: field.line, column: field.column)
        guard !field.text.isEmpty else {
            reader.report(path, at: place, problem: "\(what) is empty", fix: "write \(what) in this field")
            return nil
        }
        if field.text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            reader.report(path, at: place, problem: "\(what) contains a control character",
                          fix: "use printable characters only (letters, digits, spaces and punctuation are fine)")
            return nil
        }
        return field.text
    }

    /// Registers `prefix[r].column` paths as row r's field in that column (`prefix[r]` as the row, `prefix` as the file).
    func registerRows(_ table: CSVTable, of file: Opened, prefix: String) {
        let columns = Dictionary(table.columns.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        let rows = table.rows, name = file.name
        reader.registerTable(prefix: prefix) { path in
            let rest = path.dropFirst(prefix.count)
            guard rest.first == "[", let close = rest.firstIndex(of: "]"), let r = Int(rest[rest.index(after: rest.startIndex)..<close]),
                  r >= 0, r < rows.count else { return FileLocation(file: name) }
            let key = rest[rest.index(after: close)...].drop { $0 == "." }
            let column = columns[String(key)] ?? key.split(separator: ".").first.flatMap { columns[String($0)] }
            let field = rows[r][column ?? 0]
            return FileLocation(file: name, line: field.line, column: column == nil ? nil : field.column)
        }
    }

    // MARK: .npy

    /// The array of a `.npy` file, with its shape checked by `expect` (a message when wrong); nil after reporting.
    func npy(_ file: Opened, at key: String, expect: ([Int]) -> String?) -> NumPyArray? {
        let parsed = file.data.withUnsafeBytes { raw in Result { () throws(NumPyArray.Problem) in try NumPyArray(raw) } }
        let array: NumPyArray
        switch parsed {
        case .success(let a): array = a
        case .failure(let error):
            reader.report(key, at: FileLocation(file: file.name), problem: "header field '\(error.field)': \(error.message)", fix: error.fix)
            return nil
        }
        if let wrong = expect(array.shape) {
            reader.report(key, at: FileLocation(file: file.name), problem: "header field 'shape': (\(array.shape.map(String.init).joined(separator: ", "))) \(wrong)",
                          fix: "save an array of that shape with np.save")
            return nil
        }
        for (k, x) in array.values.enumerated() where !x.isFinite {
            let cols = array.shape.count == 2 ? array.shape[1] : 1
            reader.report(key, at: FileLocation(file: file.name), problem: "element (\(k / cols), \(k % cols)) is \(x), not a finite number",
                          fix: "give finite numbers only")
            return nil
        }
        return array
    }
}
