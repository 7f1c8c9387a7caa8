import Foundation
import SlashingCore
import Yams

/// Reads a scenario file (YAML or JSON, chosen by the extension) into a validated `Scenario`.
public enum ScenarioLoader {
    /// Largest scenario file accepted, in bytes.
    public static let maximumFileSize = 64 << 20

    /// Loads and validates the scenario at `path`. Throws `ScenarioError` listing every problem found.
    public static func load(path: String) throws(ScenarioError) -> Scenario {
        let data = try read(path: path)
        return try decode(data: data, file: path, format: ScenarioSyntax(path: path))
    }

    /// The bytes of a scenario (or stress) file, refused when missing, a directory, or too large.
    public static func read(path: String) throws(ScenarioError) -> Data {
        let url = URL(fileURLWithPath: path)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw .unreadable(Diagnostic(file: path, path: "", problem: "no such file",
                                         fix: "check the path; `slashsim run` without a file runs the bundled default scenario"))
        }
        guard !isDirectory.boolValue else {
            throw .unreadable(Diagnostic(file: path, path: "", problem: "is a directory, not a scenario file",
                                         fix: "name a .yaml, .yml or .json file"))
        }
        let data: Data
        do {
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
            guard size <= maximumFileSize else {
                throw ScenarioError.unreadable(Diagnostic(
                    file: path, path: "", problem: "the file is \(size >> 20) MiB, over the \(maximumFileSize >> 20) MiB limit for scenarios",
                    fix: "check that this is a scenario file"))
            }
            // An empty file is not read at all (Foundation's reader leaks its buffer on empty files).
            data = size == 0 ? Data() : try Data(contentsOf: url)
        } catch let error as ScenarioError {
            throw error
        } catch {
            throw .unreadable(Diagnostic(file: path, path: "", problem: "cannot be read (\(error.localizedDescription))",
                                         fix: "check the file's permissions"))
        }
        return data
    }

    /// The name standard input goes by in messages and reports (`slashsim run -`).
    public static let standardInputName = "stdin"

    /// Reads a scenario from standard input (`-`), at most `maximumFileSize` bytes; JSON when the text is valid
    /// JSON, YAML otherwise. Tables it names are relative to the working directory. Returns it with its bytes.
    public static func loadStandardInput() throws(ScenarioError) -> (scenario: Scenario, data: Data) {
        var data = Data()
        while true {
            let chunk = FileHandle.standardInput.readData(ofLength: 1 << 20)
            if chunk.isEmpty { break }
            data.append(chunk)
            guard data.count <= maximumFileSize else {
                throw .unreadable(Diagnostic(file: standardInputName, path: "", problem: "standard input holds over \(maximumFileSize >> 20) MiB, the limit for scenarios",
                                             fix: "check that a scenario is being piped in"))
            }
        }
        let json = data.withUnsafeBytes { JSONSyntax.check($0.bindMemory(to: UInt8.self)) } == nil
        return (try decode(data: data, file: standardInputName, format: json ? .json : .yaml), data)
    }

    /// Decodes and validates scenario text. `file` names the source in diagnostics.
    public static func decode(data: Data, file: String, format: ScenarioSyntax) throws(ScenarioError) -> Scenario {
        try decode(root: try compose(data: data, file: file, format: format), file: file)
    }

    /// A file read and composed once, for `validate`, which must tell a stress file from a scenario before
    /// decoding it: a 16 MB scenario is then composed once, not twice.
    public struct ComposedFile {
        /// The file's bytes (for its digest).
        public let data: Data
        let file: String
        let root: Node

        /// Whether it reads as a stress file (`StressLoader.looksLikeStress(root:)`).
        public var looksLikeStress: Bool { StressLoader.looksLikeStress(root: root) }

        /// The scenario it holds, decoded and validated as `decode(data:file:format:)` does.
        public func scenario() throws(ScenarioError) -> Scenario { try ScenarioLoader.decode(root: root, file: file) }
    }

    /// Reads and composes the file at `path`, with the errors of `read(path:)` and of composing.
    public static func composed(path: String) throws(ScenarioError) -> ComposedFile {
        let data = try read(path: path)
        return ComposedFile(data: data, file: path, root: try compose(data: data, file: path, format: ScenarioSyntax(path: path)))
    }

    static func decode(root: Node, file: String) throws(ScenarioError) -> Scenario {
        let reader = NodeReader(file: file)
        let decoded = ScenarioDecoder(reader: reader, defaultName: defaultName(file), directory: directory(of: file)).decode(root)
        if let decoded {
            ScenarioValidator(reader: reader).validate(decoded)
        }
        guard reader.diagnostics.isEmpty, var decoded else {
            throw .invalid(reader.diagnostics)
        }
        decoded.warnings = reader.warnings
        return decoded
    }

    /// The YAML/JSON tree of a file's text, refusing non-UTF-8 text, binary data, syntax errors, empty files and
    /// alias bombs, each with its diagnostic.
    static func compose(data: Data, file: String, format: ScenarioSyntax) throws(ScenarioError) -> Node {
        guard let text = String(data: data, encoding: .utf8) else {
            throw .invalid([Diagnostic(file: file, path: "", problem: "the file is not UTF-8 text",
                                       fix: "save the scenario as UTF-8 YAML or JSON")])
        }
        if data.withUnsafeBytes({ $0.count > 0 && memchr($0.baseAddress!, 0, $0.count) != nil }) {
            throw .invalid([Diagnostic(file: file, path: "", problem: "the file contains binary data (NUL bytes)",
                                       fix: "save the scenario as UTF-8 YAML or JSON")])
        }
        if format == .json, let problem = data.withUnsafeBytes({ JSONSyntax.check($0.bindMemory(to: UInt8.self)) }) {
            throw .invalid([Diagnostic(file: file, path: "", line: problem.line, column: problem.column,
                                       problem: "malformed JSON: \(problem.message)", fix: "correct the JSON syntax at that place")])
        }
        if format == .json, Marks.available {
            let composed = data.withUnsafeBytes { raw in
                Result { () throws(JSONComposer.DuplicateKey) in try JSONComposer.compose(raw.bindMemory(to: UInt8.self)) }
            }
            switch composed {
            case .success(let root): return root
            case .failure(let duplicate):
                throw .invalid([Diagnostic(file: file, path: "", line: duplicate.line, column: duplicate.column,
                                           problem: "duplicate key `\(duplicate.key)` in one mapping",
                                           fix: "keep one of them: a repeated key would silently override the other")])
            }
        }
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw .invalid([diagnostic(for: error, file: file, format: format, text: text)])
        } catch {
            throw .invalid([Diagnostic(file: file, path: "", problem: "cannot be parsed: \(error)", fix: "check the file's syntax")])
        }
        guard let root else {
            throw .invalid([Diagnostic(file: file, path: "", problem: "the file is empty",
                                       fix: "write a scenario: see Scenarios/default.yaml for an example")])
        }
        if let problem = NodeBudget.exceeded(root) {
            throw .invalid([Diagnostic(file: file, path: "", problem: problem,
                                       fix: "write the scenario without YAML aliases (`*name`) that multiply its size")])
        }
        return root
    }

    /// The directory part of a path as the user wrote it ("" for a bare file name), which table files are relative to.
    static func directory(of file: String) -> String {
        if file == standardInputName { return "" }
        guard let slash = file.lastIndex(of: "/") else { return "" }
        return slash == file.startIndex ? "/" : String(file[..<slash])
    }

    static func defaultName(_ file: String) -> String {
        URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
    }

    private static func diagnostic(for error: YamlError, file: String, format: ScenarioSyntax, text: String) -> Diagnostic {
        let kind = format == .json ? "JSON" : "YAML"
        switch error {
        case .scanner(let context, let problem, let mark, _),
             .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            let detail = [context?.text, problem].compactMap { $0 }.joined(separator: ": ")
            return Diagnostic(file: file, path: "", line: mark.line, column: mark.column,
                              problem: "malformed \(kind): \(detail)", fix: "correct the \(kind) syntax at that place")
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.sorted().map { "`\($0)`" }.joined(separator: ", ")
            let place = duplicates.sorted().compactMap { secondOccurrence(ofKey: $0, in: text, after: context.mark.line) }
                .min { ($0.line, $0.column) < ($1.line, $1.column) }
            return Diagnostic(file: file, path: "", line: place?.line ?? context.mark.line, column: place?.column ?? context.mark.column,
                              problem: "duplicate key \(keys) in one mapping", fix: "keep one of them: a repeated key would silently override the other")
        case .reader(let problem, _, _, _):
            return Diagnostic(file: file, path: "", problem: "unreadable \(kind): \(problem)", fix: "save the scenario as UTF-8 text")
        default:
            return Diagnostic(file: file, path: "", problem: "malformed \(kind): \(error)", fix: "check the file's syntax")
        }
    }

    /// Line and column of the second `key:` (or `"key":`) at or after `line`: where a duplicate key is.
    private static func secondOccurrence(ofKey key: String, in text: String, after line: Int) -> (line: Int, column: Int)? {
        // The key as a mapping key: bare, "quoted" or 'quoted', at the start of a line or after a space, `{`,
        // `,` or `-`, then optional spaces and `:`. (A scan, not NSRegularExpression: Foundation's regex leaks
        // on Linux, which the libFuzzer target's leak check caught.)
        let forms = ["\"\(key)\"", "'\(key)'", key].map { Array($0) }
        var seen = 0
        for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where i + 1 >= line {
            let chars = Array(raw)
            /// The end of `form` at `start` followed by spaces and a colon (the index after the colon), if there.
            func keyEnd(at start: Int) -> Int? {
                for form in forms where start + form.count <= chars.count && Array(chars[start..<(start + form.count)]) == form {
                    var j = start + form.count
                    while j < chars.count, chars[j].isWhitespace { j += 1 }
                    if j < chars.count, chars[j] == ":" { return j + 1 }
                }
                return nil
            }
            var p = 0
            while p < chars.count {
                let start: Int?
                if p == 0, keyEnd(at: 0) != nil { start = 0 }
                else if chars[p].isWhitespace || "{,-".contains(chars[p]), keyEnd(at: p + 1) != nil { start = p + 1 }
                else { start = nil }
                guard let start, let end = keyEnd(at: start) else { p += 1; continue }
                seen += 1
                if seen == 2 { return (i + 1, start + 1) }
                p = end
            }
        }
        return nil
    }
}

/// The syntax of a scenario file, chosen by its extension: `.json` is JSON, anything else YAML.
public enum ScenarioSyntax: Sendable, Equatable {
    case yaml, json

    public init(path: String) {
        self = path.lowercased().hasSuffix(".json") ? .json : .yaml
    }
}
