import SlashingCore

/// One problem found in a scenario: where it is, what is wrong, and how to fix it.
public struct Diagnostic: Sendable, Equatable, CustomStringConvertible {
    /// The scenario file as the user named it.
    public var file: String
    /// Path inside the file, e.g. `operators[3].fault_probability` (indices count from 0); empty for the whole file.
    public var path: String
    /// 1-based line and column in the file, when known.
    public var line: Int?
    public var column: Int?
    /// What is wrong, e.g. `1.5 is outside [0, 1]`.
    public var problem: String
    /// What to do about it.
    public var fix: String

    public init(file: String, path: String, line: Int? = nil, column: Int? = nil, problem: String, fix: String) {
        self.file = file
        self.path = path
        self.line = line
        self.column = column
        self.problem = problem
        self.fix = fix
    }

    /// `file:line:column: path: problem. Fix: fix`
    public var description: String {
        var location = file
        if let line {
            location += ":\(line)"
            if let column { location += ":\(column)" }
        }
        let subject = path.isEmpty ? "" : "\(path): "
        return "\(location): \(subject)\(problem). Fix: \(fix)"
    }
}

/// Why a scenario could not be loaded. Every case carries readable diagnostics.
public enum ScenarioError: Error, Sendable, CustomStringConvertible {
    /// The file does not exist or cannot be read.
    case unreadable(Diagnostic)
    /// The file was read but is not a valid scenario; every problem found is listed.
    case invalid([Diagnostic])

    public var diagnostics: [Diagnostic] {
        switch self {
        case .unreadable(let d): return [d]
        case .invalid(let ds): return ds
        }
    }

    public var description: String {
        diagnostics.map { "error: \($0)" }.joined(separator: "\n")
    }
}
