import Foundation
import SlashingCore
import Yams

/// A stress file: overrides applied to a base scenario, run with the same seed and trials (common random
/// numbers) so that differences from the base are the stress, not Monte Carlo noise.
///
/// ```yaml
/// format: 1
/// name: cloud outage
/// fault_probability_scale: 3          # every p_i × 3 (capped at 1)
/// fault_mode_scale: {liveness: 5}    # one fault mode's probability × 5 in every operator that has it
/// fault_probabilities: {op-01: 0.2}   # set some p_i (after the scale)
/// correlation: {constant: 0.5}        # replace the correlation (any form)
/// copula: {student_t: {degrees_of_freedom: 4}}
/// loading_scale: {aws: 1.6}           # multiply a named factor's loadings (operators, services, exploits, vetoes)
/// incident_probabilities: {bridge: 1} # set incident probabilities (1 forces the incident)
/// depeg: {ezETH: {floor_discount: 0.05}}   # override parts of a token's depeg model
/// exploit_probabilities: {ezETH: 0.05, eigenlayer: 0.01}   # set the exploit probability of a token or protocol
/// veto_probabilities: {bridge: 0.9}   # set services' veto probabilities
/// ```
public struct StressSpec: Sendable {
    public var name: String
    public var faultProbabilityScale: Double?
    public var faultProbabilities: [(operator: String, probability: Double)] = []
    /// Scales of fault modes by id: the mode's probability × scale (capped at 1) in every operator that has it,
    /// after `faultProbabilityScale`.
    public var faultModeScale: [(mode: String, scale: Double)] = []
    public var correlation: CorrelationSpec?
    public var copula: Copula?
    public var loadingScale: [(factor: String, scale: Double)] = []
    public var incidentProbabilities: [(service: String, probability: Double)] = []
    public var depeg: [(token: String, depeg: DepegTerms)] = []
    /// Exploit probabilities of tokens and protocols (ids of the base's tokens or protocols with an exploit).
    public var exploitProbabilities: [(id: String, probability: Double)] = []
    /// Veto probabilities of services.
    public var vetoProbabilities: [(service: String, probability: Double)] = []

    public init(name: String, faultProbabilityScale: Double? = nil) {
        self.name = name
        self.faultProbabilityScale = faultProbabilityScale
    }

    /// The base scenario with these overrides (the caller validates the result).
    public func apply(to base: Scenario) -> Scenario {
        var s = base
        s.name = name
        let modeScale = Dictionary(faultModeScale.map { ($0.mode, $0.scale) }, uniquingKeysWith: { a, _ in a })
        for i in s.operators.indices {
            if var modes = s.operators[i].faultModes {
                // Every mode's probability × the overall scale, then × its own scale (each capped at 1), and
                // the fault probability from them.
                for k in modes.indices {
                    if let scale = faultProbabilityScale { modes[k].probability = min(1, modes[k].probability * scale) }
                    if let scale = modeScale[modes[k].id] { modes[k].probability = min(1, modes[k].probability * scale) }
                }
                s.operators[i].faultModes = modes
                s.operators[i].faultProbability = FaultModes.faultProbability(modes.map(\.probability))
            } else if let scale = faultProbabilityScale {
                s.operators[i].faultProbability = min(1, s.operators[i].faultProbability * scale)
            }
        }
        for k in s.faultModes.indices {
            // The defaults too, so that the stressed scenario states what its operators use.
            if let scale = faultProbabilityScale { s.faultModes[k].probability = min(1, s.faultModes[k].probability * scale) }
            if let scale = modeScale[s.faultModes[k].id] { s.faultModes[k].probability = min(1, s.faultModes[k].probability * scale) }
        }
        for (id, p) in faultProbabilities {
            if let i = s.operators.firstIndex(where: { $0.id == id }) { s.operators[i].faultProbability = p }
        }
        if let correlation { s.correlation = correlation }
        if let copula { s.copula = copula }
        if case .factors(var factors) = s.correlation, !loadingScale.isEmpty {
            for (id, scale) in loadingScale {
                guard let k = factors.firstIndex(where: { $0.id == id }) else { continue }
                for l in factors[k].loadings.indices { factors[k].loadings[l].loading *= scale }
                for l in factors[k].serviceLoadings.indices { factors[k].serviceLoadings[l].loading *= scale }
            }
            s.correlation = .factors(factors)
            // Exploits and veto decisions that load on a scaled factor move with it too.
            let scales = Dictionary(loadingScale.map { ($0.factor, $0.scale) }, uniquingKeysWith: { a, _ in a })
            func scaled(_ loadings: [FactorLoading]) -> [FactorLoading] {
                loadings.map { FactorLoading(operator: $0.operator, loading: $0.loading * (scales[$0.operator] ?? 1)) }
            }
            for j in s.services.indices { s.services[j].vetoFactorLoadings = scaled(s.services[j].vetoFactorLoadings) }
            for t in s.tokens.indices where s.tokens[t].exploit != nil { s.tokens[t].exploit!.factorLoadings = scaled(s.tokens[t].exploit!.factorLoadings) }
            for j in s.protocols.indices where s.protocols[j].exploit != nil { s.protocols[j].exploit!.factorLoadings = scaled(s.protocols[j].exploit!.factorLoadings) }
        }
        for (id, q) in incidentProbabilities {
            if let j = s.services.firstIndex(where: { $0.id == id }) { s.services[j].incidentProbability = q }
        }
        for (id, depeg) in depeg {
            if let t = s.tokens.firstIndex(where: { $0.id == id }) { s.tokens[t].depeg = depeg }
        }
        for (id, r) in vetoProbabilities {
            if let j = s.services.firstIndex(where: { $0.id == id }) { s.services[j].vetoProbability = r }
        }
        for (id, p) in exploitProbabilities {
            if let t = s.tokens.firstIndex(where: { $0.id == id }), s.tokens[t].exploit != nil { s.tokens[t].exploit!.probability = p }
            if let j = s.protocols.firstIndex(where: { $0.id == id }), s.protocols[j].exploit != nil { s.protocols[j].exploit!.probability = p }
        }
        return s
    }
}

/// Reads a stress file against its base scenario: unknown keys, unknown ids and out-of-range values are
/// reported with the stress file's positions; the stressed scenario is then validated like any scenario.
public enum StressLoader {
    public static let keys = ["format", "name", "fault_probability_scale", "fault_mode_scale", "fault_probabilities", "correlation", "copula",
                              "loading_scale", "incident_probabilities", "depeg", "exploit_probabilities", "veto_probabilities"]

    /// Whether a composed file reads as a stress file rather than a scenario: a mapping whose keys are all
    /// stress keys (so no `operators`), with a key only stresses have, or `format` with a `correlation` or
    /// `copula` to replace (`ScenarioLoader.ComposedFile.looksLikeStress`; a file that cannot be read or parsed
    /// is loaded as a scenario, which reports why).
    static func looksLikeStress(root: Node) -> Bool {
        guard case .mapping(let mapping) = root else { return false }
        let keys = Set(mapping.keys.compactMap { $0.scalar?.string })
        let stressOnly: Set = ["fault_probability_scale", "fault_mode_scale", "fault_probabilities", "loading_scale", "incident_probabilities", "depeg", "exploit_probabilities", "veto_probabilities"]
        return keys.isSubset(of: Self.keys)
            && (!keys.isDisjoint(with: stressOnly) || (keys.contains("format") && !keys.isDisjoint(with: ["correlation", "copula"])))
    }

    /// The stress at `path` applied to `base`: its name and the stressed scenario.
    public static func load(path: String, base: Scenario) throws(ScenarioError) -> (spec: StressSpec, scenario: Scenario) {
        let root = try ScenarioLoader.composed(path: path).root
        let reader = NodeReader(file: path)
        let spec = decode(root, reader: reader, base: base, defaultName: ScenarioLoader.defaultName(path),
                          directory: ScenarioLoader.directory(of: path))
        guard reader.diagnostics.isEmpty, let spec else { throw .invalid(reader.diagnostics) }
        let stressed = spec.apply(to: base)
        ScenarioValidator(reader: reader).validate(stressed)
        guard reader.diagnostics.isEmpty else { throw .invalid(reader.diagnostics) }
        return (spec, stressed)
    }

    static func decode(_ root: Node, reader: NodeReader, base: Scenario, defaultName: String, directory: String = "") -> StressSpec? {
        guard let top = reader.mapping(root, at: "", allowed: keys, required: [], what: "a stress") else { return nil }
        let decoder = ScenarioDecoder(reader: reader, defaultName: defaultName, directory: directory)
        if let node = top["format"], let version = reader.integer(node, at: "format", what: "the format version", range: 0...1e9), version != 1 {
            reader.report("format", node.mark, problem: "format \(s(version)) is not supported by this slashsim (it reads format 1)",
                          fix: "write `format: 1` or upgrade slashsim")
        }
        var spec = StressSpec(name: top["name"].flatMap { reader.string($0, at: "name", what: "the stress name") } ?? defaultName)
        if let node = top["fault_probability_scale"], let scale = reader.number(node, at: "fault_probability_scale", what: "the fault probability scale") {
            if !(scale >= 0 && scale <= 1e6) {
                reader.report("fault_probability_scale", node.mark, problem: "the scale \(s(scale)) is outside [0, 1e6]",
                              fix: "give the factor every fault probability is multiplied by, e.g. 3 (results are capped at 1)")
            }
            spec.faultProbabilityScale = scale
        }
        let modeIDs = uniqueInOrder(base.faultModes.map(\.id) + base.operators.flatMap { $0.faultModes?.map(\.id) ?? [] })
        if let node = top["fault_mode_scale"], modeIDs.isEmpty {
            reader.report("fault_mode_scale", node.mark, problem: "`fault_mode_scale` scales fault modes, but no operator of the base scenario has any",
                          fix: "scale every fault probability with `fault_probability_scale`, or give the base scenario `fault_modes`")
        } else {
            spec.faultModeScale = entries(top["fault_mode_scale"], at: "fault_mode_scale", ids: modeIDs, kind: "fault mode", reader: reader,
                                          range: 0...1e6, what: "fault mode scale", example: "`{liveness: 5}` (results are capped at 1)")
                .map { ($0.0, $0.1) }
        }
        spec.faultProbabilities = entries(top["fault_probabilities"], at: "fault_probabilities", ids: base.operators.map(\.id), kind: "operator",
                                          reader: reader, range: 0...1, what: "fault probability", example: "`{op-01: 0.2}`")
        for (id, _) in spec.faultProbabilities where base.operators.first(where: { $0.id == id })?.faultModes != nil {
            reader.report("fault_probabilities.\(id)", problem: "operator \"\(id)\" has fault modes, so its fault probability comes from them",
                          fix: "scale every operator's modes with `fault_probability_scale`, or edit the modes' probabilities in the scenario (or sweep `operators[i].fault_modes[k].probability`)")
        }
        spec.incidentProbabilities = entries(top["incident_probabilities"], at: "incident_probabilities", ids: base.services.map(\.id), kind: "service",
                                             reader: reader, range: 0...1, what: "incident probability", example: "`{bridge: 1}` (1 forces the incident)")
        spec.vetoProbabilities = entries(top["veto_probabilities"], at: "veto_probabilities", ids: base.services.map(\.id), kind: "service",
                                         reader: reader, range: 0...1, what: "veto probability", example: "`{bridge: 0.9}`").map { ($0.0, $0.1) }
        let exploitIDs = base.tokens.filter { $0.exploit != nil }.map(\.id) + base.protocols.filter { $0.exploit != nil }.map(\.id)
        spec.exploitProbabilities = entries(top["exploit_probabilities"], at: "exploit_probabilities", ids: exploitIDs,
                                            kind: "token or protocol with an exploit", reader: reader, range: 0...1,
                                            what: "exploit probability", example: "`{ezETH: 0.05}`").map { ($0.0, $0.1) }
        if let node = top["correlation"] { spec.correlation = decoder.correlation(node, operators: base.operators.map(\.id)) }
        if let node = top["copula"] { spec.copula = decoder.copula(node) }
        let correlation = spec.correlation ?? base.correlation
        if let node = top["loading_scale"] {
            let factorIDs: [String]
            if case .factors(let factors) = correlation { factorIDs = factors.map(\.id) } else { factorIDs = [] }
            if factorIDs.isEmpty {
                reader.report("loading_scale", node.mark, problem: "`loading_scale` needs named factors, but the correlation is not `factors`",
                              fix: "write the base correlation as `factors: [...]`, or replace it in the stress with `correlation:`")
            } else {
                spec.loadingScale = entries(node, at: "loading_scale", ids: factorIDs, kind: "factor", reader: reader, range: 0...1e6,
                                            what: "loading scale", example: "`{aws: 1.5}`")
                    .map { ($0.0, $0.1) }
                checkScaledLoadings(spec.loadingScale, correlation: correlation, base: base, reader: reader)
            }
        }
        if let node = top["depeg"], let pairs = reader.pairs(node, at: "depeg", what: "the depeg overrides", example: "`{ezETH: {floor_discount: 0.05}}`") {
            let tokenIDs = base.tokens.map(\.id)
            for pair in pairs {
                guard let token = base.tokens.first(where: { $0.id == pair.key }) else {
                    let hint = closest(to: pair.key, in: tokenIDs).map { "did you mean \"\($0)\"? " } ?? ""
                    reader.report(pair.childPath, pair.value.mark, problem: "unknown token \"\(pair.key)\"", fix: "\(hint)name a token of the base scenario")
                    continue
                }
                let depeg = decoder.depeg(pair.value, at: pair.childPath, base: token.depeg ?? DepegTerms())
                RestakingValidator(reader: reader).validateDepeg(depeg, at: pair.childPath)
                spec.depeg.append((pair.key, depeg))
            }
        }
        return spec
    }

    /// The ids in their first order, each once.
    private static func uniqueInOrder(_ ids: [String]) -> [String] {
        var seen = Set<String>()
        return ids.filter { seen.insert($0).inserted }
    }

    /// `{id: value}` pairs naming ids of the base, each value in `range`.
    private static func entries(_ node: Node?, at path: String, ids: [String], kind: String, reader: NodeReader, range: ClosedRange<Double>,
                                what: String, example: String) -> [(String, Double)] {
        guard let node, let pairs = reader.pairs(node, at: path, what: "the \(what) overrides", example: example) else { return [] }
        var result: [(String, Double)] = []
        for pair in pairs {
            guard ids.contains(pair.key) else {
                let hint = closest(to: pair.key, in: ids).map { "did you mean \"\($0)\"? " } ?? ""
                reader.report(pair.childPath, pair.value.mark, problem: "unknown \(kind) \"\(pair.key)\"", fix: "\(hint)name \(kind == "operator" ? "an" : "a") \(kind) of the base scenario")
                continue
            }
            guard let value = reader.number(pair.value, at: pair.childPath, what: "the \(what)") else { continue }
            guard range.contains(value) else {
                reader.report(pair.childPath, pair.value.mark, problem: "the \(what) \(s(value)) is outside [\(s(range.lowerBound)), \(s(range.upperBound))]",
                              fix: "give a \(what) from \(s(range.lowerBound)) to \(s(range.upperBound))")
                continue
            }
            result.append((pair.key, value))
        }
        return result
    }

    /// After scaling, every operator's, service's, exploit's and veto decision's squared loadings must still
    /// sum to 1 or less.
    private static func checkScaledLoadings(_ scales: [(factor: String, scale: Double)], correlation: CorrelationSpec, base: Scenario, reader: NodeReader) {
        guard case .factors(let factors) = correlation else { return }
        let scale = Dictionary(scales.map { ($0.factor, $0.scale) }, uniquingKeysWith: { a, _ in a })
        var operatorSquares: [String: Double] = [:], serviceSquares: [String: Double] = [:]
        for factor in factors {
            let f = scale[factor.id] ?? 1
            for l in factor.loadings { operatorSquares[l.operator, default: 0] += (l.loading * f) * (l.loading * f) }
            for l in factor.serviceLoadings { serviceSquares[l.operator, default: 0] += (l.loading * f) * (l.loading * f) }
        }
        func squares(_ loadings: [FactorLoading]) -> Double {
            loadings.reduce(0) { sum, l in let x = l.loading * (scale[l.operator] ?? 1); return sum + x * x }
        }
        var exploitSquares: [String: Double] = [:], vetoSquares: [String: Double] = [:]
        for t in base.tokens { if let e = t.exploit, !e.factorLoadings.isEmpty { exploitSquares[t.id] = squares(e.factorLoadings) } }
        for p in base.protocols { if let e = p.exploit, !e.factorLoadings.isEmpty { exploitSquares[p.id] = squares(e.factorLoadings) } }
        for v in base.services where !v.vetoFactorLoadings.isEmpty { vetoSquares[v.id] = squares(v.vetoFactorLoadings) }
        let kinds = [("operator", "operator's", operatorSquares), ("service", "service's", serviceSquares),
                     ("the exploit of", "exploit's", exploitSquares), ("the veto decisions of service", "veto decision's", vetoSquares)]
        for (kind, every, squares) in kinds {
            if let worst = squares.filter({ $0.value > 1 + ScenarioValidator.tolerance }).max(by: { $0.value < $1.value }) {
                reader.report("loading_scale", problem: "after scaling, the squared loadings of \(kind) \"\(worst.key)\" sum to \(String(format: "%.4g", worst.value)), above 1",
                              fix: "lower the scale so every \(every) squared loadings stay at or below 1")
            }
        }
    }
}
