import Foundation
import SlashingCore
import Yams

/// Reads typed values out of a composed YAML/JSON tree, recording every problem as a `Diagnostic`
/// with its path and position instead of stopping at the first one.
final class NodeReader {
    let file: String
    private(set) var diagnostics: [Diagnostic] = []
    /// Position of every path that was read, for problems found later (semantic validation).
    private(set) var marks: [String: Mark] = [:]
    /// Large numeric arrays (a correlation matrix) whose elements are not recorded one by one: an element's
    /// position is found by walking the array's node with the path's `[i]` indices, only when a problem needs it.
    private var arrays: [(path: String, node: Node)] = []

    /// Tables read from files beside the scenario (`operators_file`, `correlation.matrix_file`, ...): the
    /// scenario paths under `prefix` were written in another file, which `locate` names with a position.
    private var tables: [(prefix: String, locate: (String) -> FileLocation)] = []
    /// The table files read, in the order read, with their digests.
    var tableFiles: [TableFile] = []

    /// What the file says that still works but should change (a key's old name): path, position, fix.
    private(set) var warnings: [String] = []

    init(file: String) { self.file = file }

    /// Records a warning at `path` (its position in parentheses); the scenario carries it into the model's
    /// warnings, which the CLI prints and reports list.
    func warn(_ path: String, _ mark: Mark?, problem: String, fix: String) {
        let position = mark.map { " (line \($0.line), column \($0.column))" } ?? ""
        warnings.append("\(path)\(position): \(problem). Fix: \(fix)")
    }

    func report(_ path: String, _ mark: Mark?, problem: String, fix: String) {
        diagnostics.append(Diagnostic(file: file, path: path, line: mark?.line, column: mark?.column, problem: problem, fix: fix))
    }

    /// Reports a problem at a place in another file (a table beside the scenario).
    func report(_ path: String, at location: FileLocation, problem: String, fix: String) {
        diagnostics.append(Diagnostic(file: location.file, path: path, line: location.line, column: location.column, problem: problem, fix: fix))
    }

    /// Reports a problem found after decoding, at the position recorded for `path` (or its nearest parent), or
    /// in the table file that holds it.
    func report(_ path: String, problem: String, fix: String) {
        for table in tables where path == table.prefix || path.hasPrefix(table.prefix + "[") || path.hasPrefix(table.prefix + ".") {
            report(path, at: table.locate(path), problem: problem, fix: fix)
            return
        }
        report(path, mark(for: path), problem: problem, fix: fix)
    }

    /// Declares that the values under `prefix` come from a table file (see `tables`).
    func registerTable(prefix: String, locate: @escaping (String) -> FileLocation) {
        tables.append((prefix, locate))
    }

    func mark(for path: String) -> Mark? {
        if marks[path] == nil, let element = arrayElementMark(path) { return element }
        var p = path
        while !p.isEmpty {
            if let m = marks[p] { return m }
            guard let cut = p.lastIndex(where: { $0 == "." || $0 == "[" }) else { break }
            p = String(p[..<cut])
        }
        return marks[""]
    }

    /// The position of `path` inside a registered array (`path` = its path followed by `[i]`…), if there is one.
    private func arrayElementMark(_ path: String) -> Mark? {
        for array in arrays where path.hasPrefix(array.path + "[") {
            var node = array.node
            var rest = path.dropFirst(array.path.count)
            while rest.first == "[", let close = rest.firstIndex(of: "]"), let i = Int(rest[rest.index(after: rest.startIndex)..<close]) {
                guard case .sequence(let items) = node, i >= 0, i < items.count else { break }
                node = items[i]
                rest = rest[rest.index(after: close)...]
            }
            return node.mark
        }
        return nil
    }

    /// Whether `path` itself was present in the file.
    func hasMark(_ path: String) -> Bool { marks[path] != nil }

    func remember(_ path: String, _ node: Node) {
        if marks[path] == nil, let m = node.mark { marks[path] = m }
    }

    // MARK: Containers

    /// The pairs of a mapping with only `allowed` keys and all `required` ones; nil after reporting otherwise.
    func mapping(_ node: Node, at path: String, allowed: [String], required: [String], what: String) -> [String: Node]? {
        remember(path, node)
        guard case .mapping(let mapping) = node else {
            report(path, node.mark, problem: "expected \(what) (a mapping with keys \(allowed.joined(separator: ", "))), found \(describe(node))",
                   fix: "write \(what) as `key: value` pairs")
            return nil
        }
        var result: [String: Node] = [:]
        var misspelt: Set<String> = []
        for (keyNode, value) in mapping {
            guard case .scalar(let keyScalar) = keyNode else {
                report(path, keyNode.mark, problem: "a key must be a plain name, found \(describe(keyNode))", fix: "use one of: \(allowed.joined(separator: ", "))")
                continue
            }
            let key = keyScalar.string
            let childPath = join(path, key)
            guard allowed.contains(key) else {
                let suggestion = closest(to: key, in: allowed)
                if let suggestion { misspelt.insert(suggestion) }
                let hint = suggestion.map { "did you mean `\($0)`? " } ?? ""
                report(childPath, keyNode.mark, problem: "unknown key `\(key)` in \(what)",
                       fix: "\(hint)allowed keys are \(allowed.joined(separator: ", "))")
                continue
            }
            remember(childPath, value)
            result[key] = value
        }
        for key in required where result[key] == nil && !misspelt.contains(key) {
            report(join(path, key), node.mark, problem: "missing required key `\(key)` in \(what)", fix: "add `\(key): ...`")
        }
        return result
    }

    /// The pairs of a mapping with arbitrary keys (such as operator ids), in file order; nil after reporting.
    func pairs(_ node: Node, at path: String, what: String, example: String) -> [(key: String, value: Node, childPath: String)]? {
        remember(path, node)
        guard case .mapping(let mapping) = node else {
            report(path, node.mark, problem: "expected \(what) (a mapping), found \(describe(node))", fix: "write \(what) as \(example)")
            return nil
        }
        var result: [(key: String, value: Node, childPath: String)] = []
        for (keyNode, value) in mapping {
            guard let key = string(keyNode, at: path, what: "a key of \(what)") else { continue }
            let childPath = "\(path).\(key)"
            remember(childPath, keyNode)
            result.append((key, value, childPath))
        }
        return result
    }

    /// The elements of a sequence; nil after reporting otherwise. `large` registers the sequence as a numeric
    /// array instead of recording every element's position (see `arrays`).
    func sequence(_ node: Node, at path: String, what: String, large: Bool = false) -> [Node]? {
        remember(path, node)
        guard case .sequence(let seq) = node else {
            report(path, node.mark, problem: "expected \(what) (a list), found \(describe(node))", fix: "write \(what) as a list: `[...]` or lines starting with `- `")
            return nil
        }
        let items = Array(seq)
        if large {
            arrays.append((path, node))
        } else {
            for (i, item) in items.enumerated() { remember("\(path)[\(i)]", item) }
        }
        return items
    }

    // MARK: Scalars

    /// An element of a large numeric array: a plain finite number is returned at once, without recording its
    /// position or building its path; anything else goes through `number`, which reports it.
    func element(_ node: Node, at path: @autoclosure () -> String, what: String) -> Double? {
        if case .scalar(let s) = node, s.style == .plain || s.style == .any, let value = Double(s.string), value.isFinite {
            return value
        }
        return number(node, at: path(), what: what)
    }

    /// A finite number. Quoted strings, booleans, null, NaN and infinities are reported.
    func number(_ node: Node, at path: String, what: String) -> Double? {
        remember(path, node)
        guard case .scalar(let s) = node else {
            report(path, node.mark, problem: "expected \(what) (a number), found \(describe(node))", fix: "write a single number")
            return nil
        }
        if s.style == .plain || s.style == .any, let value = Double(s.string), value.isFinite {
            return value  // the common case, without Foundation's trimming
        }
        let text = s.string.trimmingCharacters(in: .whitespaces)
        if s.style == .singleQuoted || s.style == .doubleQuoted {
            report(path, node.mark, problem: "expected \(what) (a number), found the string \"\(text)\"", fix: "remove the quotes")
            return nil
        }
        let lowered = text.lowercased()
        let bare = lowered.trimmingCharacters(in: CharacterSet(charactersIn: "+-."))
        if ["nan", "inf", "infinity"].contains(bare) {
            report(path, node.mark, problem: "\(what) is \(text), not a finite number", fix: "give a finite number")
            return nil
        }
        guard let value = Double(text) else {
            report(path, node.mark, problem: "expected \(what) (a number), found \(describe(node))", fix: "write a number such as 0.25 or 32000")
            return nil
        }
        guard value.isFinite else {
            report(path, node.mark, problem: "\(text) is too large to be a finite number", fix: "give a number of magnitude below 1e308")
            return nil
        }
        return value
    }

    /// A whole number in `range`.
    func integer(_ node: Node, at path: String, what: String, range: ClosedRange<Double>) -> Double? {
        guard let value = number(node, at: path, what: what) else { return nil }
        guard value.rounded() == value else {
            report(path, node.mark, problem: "\(what) must be a whole number, found \(s(value))", fix: "give a whole number")
            return nil
        }
        guard range.contains(value) else {
            report(path, node.mark, problem: "\(what) \(s(value)) is outside [\(s(range.lowerBound)), \(s(range.upperBound))]",
                   fix: "give a whole number from \(s(range.lowerBound)) to \(s(range.upperBound))")
            return nil
        }
        return value
    }

    /// A non-empty string (numbers written unquoted are taken as their text).
    func string(_ node: Node, at path: String, what: String) -> String? {
        remember(path, node)
        guard case .scalar(let s) = node, !isNull(s) else {
            report(path, node.mark, problem: "expected \(what) (text), found \(describe(node))", fix: "write \(what) as text, e.g. \"op-a\"")
            return nil
        }
        let raw = s.string
        let text = raw.unicodeScalars.first.map(\.properties.isWhitespace) == false
            && raw.unicodeScalars.last.map(\.properties.isWhitespace) == false
            ? raw : raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else {
            report(path, node.mark, problem: "\(what) is empty", fix: "give a non-empty \(what)")
            return nil
        }
        if let control = text.unicodeScalars.first(where: { $0.properties.generalCategory == .control }) {
            let code = String(control.value, radix: 16, uppercase: true)
            report(path, node.mark, problem: "\(what) contains the control character U+\(String(repeating: "0", count: max(0, 4 - code.count)) + code)",
                   fix: "use printable characters only (letters, digits, spaces and punctuation are fine)")
            return nil
        }
        return text
    }

    // MARK: Helpers

    func describe(_ node: Node) -> String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        case .scalar(let s):
            if isNull(s) { return "nothing (null)" }
            if s.style == .singleQuoted || s.style == .doubleQuoted { return "the string \"\(s.string)\"" }
            if ["true", "false", "yes", "no", "on", "off"].contains(s.string.lowercased()) { return "the boolean \(s.string)" }
            return "`\(s.string)`"
        }
    }

    private func isNull(_ s: Node.Scalar) -> Bool {
        s.style == .plain || s.style == .any ? ["", "~", "null"].contains(s.string.lowercased()) : false
    }

    func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }
}

/// A place in a file: the file as the user would open it, and the 1-based line and column when known.
struct FileLocation {
    let file: String
    var line: Int? = nil
    var column: Int? = nil
}

/// A short rendering of a number for messages: `0.25`, `32000`, `1e-07` (the core's `NumberText.short`).
func s(_ x: Double) -> String { NumberText.short(x) }

/// The candidate nearest to `word` by edit distance, if it is close enough to be a likely typo.
func closest(to word: String, in candidates: [String]) -> String? {
    var best: (String, Int)?
    for c in candidates {
        let d = editDistance(word.lowercased(), c.lowercased())
        if d <= max(2, c.count / 3), best == nil || d < best!.1 { best = (c, d) }
    }
    return best?.0
}

func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var prev = Array(0...b.count)
    var cur = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        cur[0] = i
        for j in 1...b.count {
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
        }
        swap(&prev, &cur)
    }
    return prev[b.count]
}
