import Foundation
import SlashingCore
import Yams

/// A path to values in a scenario file, as used by `slashsim sweep --set`: keys separated by dots, list
/// elements by `[i]`, every element by `[*]`, e.g. `correlation.constant`, `operators[*].fault_probability`,
/// `services[2].incident_probability`, `tokens[0].depeg.per_nav_loss`.
public struct ScenarioPath: Sendable, CustomStringConvertible {
    enum Component: Sendable, Equatable {
        case key(String)
        case index(Int?)  // nil: every element
    }

    let components: [Component]
    public let description: String

    /// Parses `text`; nil when it is not a path.
    public init?(_ text: String) {
        var components: [Component] = []
        for part in text.split(separator: ".", omittingEmptySubsequences: false) {
            var rest = Substring(part)
            guard let open = rest.firstIndex(of: "[") ?? Optional(rest.endIndex) else { return nil }
            let key = rest[..<open]
            guard !key.isEmpty, key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }) else { return nil }
            components.append(.key(String(key)))
            rest = rest[open...]
            while !rest.isEmpty {
                guard rest.first == "[", let close = rest.firstIndex(of: "]") else { return nil }
                let inside = rest[rest.index(after: rest.startIndex)..<close]
                if inside == "*" { components.append(.index(nil)) } else if let i = Int(inside), i >= 0 { components.append(.index(i)) } else { return nil }
                rest = rest[rest.index(after: close)...]
            }
        }
        guard !components.isEmpty else { return nil }
        self.components = components
        description = text
    }

    /// The tree with every value at this path replaced by the plain scalar `text` (keeping each value's position
    /// for messages). A missing last key of an existing mapping is added. Throws a message naming the first
    /// place the path does not exist.
    func setting(_ text: String, in root: Node) throws(ScenarioPathError) -> Node {
        try Self.set(text, in: root, at: components[...], walked: "")
    }

    private static func set(_ text: String, in node: Node, at rest: ArraySlice<Component>, walked: String) throws(ScenarioPathError) -> Node {
        guard let head = rest.first else {
            guard case .scalar(let old) = node else {
                throw ScenarioPathError("`\(walked)` is not a single value in the scenario")
            }
            return .scalar(Node.Scalar(text, .implicit, .plain, old.mark))
        }
        let tail = rest.dropFirst()
        switch (head, node) {
        case (.key(let key), .mapping(var mapping)):
            let here = walked.isEmpty ? key : "\(walked).\(key)"
            if let i = mapping.firstIndex(where: { $0.key.scalar?.string == key }) {
                mapping[i] = (key: mapping[i].key, value: try set(text, in: mapping[i].value, at: tail, walked: here))
            } else if tail.isEmpty {
                var pairs = mapping.map { ($0.key, $0.value) }
                pairs.append((Node.scalar(Node.Scalar(key)), Node.scalar(Node.Scalar(text, .implicit, .plain, mapping.mark))))
                mapping = Node.Mapping(pairs, mapping.tag, mapping.style, mapping.mark)
            } else {
                throw ScenarioPathError("the scenario has no `\(here)`")
            }
            return .mapping(mapping)
        case (.index(let index), .sequence(var sequence)):
            let targets = index.map { [$0] } ?? Array(sequence.indices)
            for i in targets {
                guard i < sequence.count else { throw ScenarioPathError("`\(walked)` has \(sequence.count) elements, so [\(i)] does not exist") }
                sequence[i] = try set(text, in: sequence[i], at: tail, walked: "\(walked)[\(i)]")
            }
            return .sequence(sequence)
        case (.key(let key), _):
            throw ScenarioPathError("`\(walked.isEmpty ? key : walked)` is not a mapping, so it has no key `\(key)`")
        case (.index, _):
            throw ScenarioPathError("`\(walked)` is not a list")
        }
    }
}

/// Why a path could not be set.
public struct ScenarioPathError: Error, Sendable, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

extension ScenarioLoader {
    /// The scenario at `path` with the values at `setting` replaced by `value` (plain YAML text), validated;
    /// `label` names it in messages. A path that does not exist in the file is reported as an invalid scenario.
    public static func load(path: String, setting: ScenarioPath, to value: String, label: String) throws(ScenarioError) -> Scenario {
        try load(path: path, settings: [(setting, value)], label: label)
    }

    /// The scenario at `path` with each setting applied in turn (a point of a multi-parameter sweep), validated.
    public static func load(path: String, settings: [(path: ScenarioPath, value: String)], label: String) throws(ScenarioError) -> Scenario {
        var changed = try tree(path: path)
        for (setting, value) in settings {
            do { changed = try setting.setting(value, in: changed) } catch {
                throw .invalid([Diagnostic(file: path, path: setting.description, problem: error.description,
                                           fix: "name a value that exists in the scenario, e.g. correlation.constant or operators[*].fault_probability")])
            }
        }
        return try decode(root: changed, file: label, directory: directory(of: path))
    }

    /// The composed tree of a scenario file (checked for size, encoding, syntax and aliases, not decoded).
    static func tree(path: String) throws(ScenarioError) -> Node {
        try compose(data: try read(path: path), file: path, format: ScenarioSyntax(path: path))
    }

    /// Decodes and validates a composed tree (e.g. one changed by `ScenarioPath`); `file` names it in messages,
    /// `directory` is where its tables are.
    static func decode(root: Node, file: String, directory: String) throws(ScenarioError) -> Scenario {
        let reader = NodeReader(file: file)
        let decoded = ScenarioDecoder(reader: reader, defaultName: defaultName(file), directory: directory).decode(root)
        if let decoded { ScenarioValidator(reader: reader).validate(decoded) }
        guard reader.diagnostics.isEmpty, var decoded else { throw .invalid(reader.diagnostics) }
        decoded.warnings = reader.warnings
        return decoded
    }
}
