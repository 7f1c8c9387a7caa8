import SlashingCore
import Yams

/// Turns a composed YAML/JSON tree into a `Scenario`, checking structure and types (format 1).
///
/// Fields that fail to decode are reported and left as NaN or empty text, so that decoding goes on
/// and every structural problem in the file is reported in one pass. Ranges and cross-references
/// are checked afterwards by `ScenarioValidator`.
struct ScenarioDecoder {
    let reader: NodeReader
    let defaultName: String
    /// Directory of the scenario file, for the tables beside it (`operators_file`, ...); "" is the working directory.
    var directory: String = ""

    static let topLevelKeys = ["format", "name", "simulation", "copula", "operators", "operators_file", "services", "allocations",
                               "allocations_file", "correlation", "fault_modes", "protocols", "tokens", "portfolios"]

    func decode(_ root: Node) -> Scenario? {
        guard let top = reader.mapping(root, at: "", allowed: Self.topLevelKeys, required: [], what: "a scenario") else {
            return nil
        }
        let defaults = list(top["fault_modes"], at: "fault_modes", what: "the list of fault modes", element: faultModeSpec)
        let operators: [OperatorSpec]
        switch (top["operators"], top["operators_file"]) {
        case (_?, let file?):
            reader.report("operators_file", file.mark, problem: "the scenario gives both `operators` and `operators_file`", fix: "keep one of them")
            return nil
        case (nil, let file?):
            operators = operatorsTable(file)
        case (let listed, nil):
            if listed == nil, !reader.diagnostics.contains(where: { $0.path == "operators" || $0.path == "operators_file" }) {
                reader.report("operators", root.mark, problem: "missing required key `operators` in a scenario",
                              fix: "add `operators: ...`, or `operators_file: operators.csv` for a table beside the scenario")
            }
            operators = list(listed, at: "operators", what: "the list of operators") { operatorSpec($0, $1, defaultModes: defaults) }
        }
        let allocations: [AllocationSpec]
        if let file = top["allocations_file"] {
            if let listed = top["allocations"] {
                reader.report("allocations_file", listed.mark, problem: "the scenario gives both `allocations` and `allocations_file`", fix: "keep one of them")
            }
            allocations = allocationsTable(file)
        } else {
            allocations = list(top["allocations"], at: "allocations", what: "the list of allocations", element: allocationSpec)
        }
        if let node = top["format"], let version = reader.integer(node, at: "format", what: "the format version", range: 0...1e9),
           version != 1 {
            reader.report("format", node.mark, problem: "format \(s(version)) is not supported by this slashsim (it reads format 1)",
                          fix: "write `format: 1` or upgrade slashsim")
        }
        let name = top["name"].flatMap { reader.string($0, at: "name", what: "the scenario name") } ?? defaultName
        var scenario = Scenario(
            name: name,
            simulation: top["simulation"].map(simulation) ?? SimulationSettings(),
            operators: operators,
            services: list(top["services"], at: "services", what: "the list of services", element: serviceSpec),
            allocations: allocations,
            correlation: top["correlation"].map { correlation($0, operators: operators.map(\.id)) } ?? .independent,
            copula: top["copula"].map(copula) ?? .gaussian,
            tokens: list(top["tokens"], at: "tokens", what: "the list of tokens", element: tokenSpec),
            portfolios: list(top["portfolios"], at: "portfolios", what: "the list of portfolios", element: portfolioSpec))
        scenario.protocols = list(top["protocols"], at: "protocols", what: "the list of protocols", element: protocolSpec)
        scenario.faultModes = defaults
        if top["fault_modes"] != nil, top["operators_file"] != nil || !operators.contains(where: \.usesDefaultModes),
           !reader.diagnostics.contains(where: { $0.path.hasPrefix("fault_modes") || $0.path.hasPrefix("operators") }) {
            reader.report("fault_modes", top["fault_modes"]!.mark, problem: "no operator uses the default fault modes (each gives a fault_probability or its own fault_modes)",
                          fix: "remove `fault_probability` from the operators that should use them, or remove `fault_modes`")
        }
        scenario.tableFiles = reader.tableFiles
        return scenario
    }

    func list<T>(_ node: Node?, at path: String, what: String, element: (Node, String) -> T) -> [T] {
        guard let node, let items = reader.sequence(node, at: path, what: what) else { return [] }
        return items.enumerated().map { element($1, "\(path)[\($0)]") }
    }

    private func simulation(_ node: Node) -> SimulationSettings {
        var settings = SimulationSettings()
        guard let m = reader.mapping(node, at: "simulation", allowed: ["trials", "seed", "quantiles", "precision"], required: [],
                                     what: "the simulation settings") else { return settings }
        if let n = m["precision"], let text = reader.string(n, at: "simulation.precision", what: "the precision") {
            if let precision = LatentPrecision(rawValue: text) {
                settings.precision = precision
            } else {
                reader.report("simulation.precision", n.mark, problem: "unknown precision \"\(text)\"",
                              fix: "write `precision: double` (the default) or `precision: single` (an explicit matrix's multiply in float, the same results)")
            }
        }
        if let n = m["trials"], let t = reader.integer(n, at: "simulation.trials", what: "the number of trials",
                                                       range: 1...Double(RunLimits.maximumTrials)) {
            settings.trials = Int(t)
        }
        if let n = m["seed"], let seed = seedValue(n, at: "simulation.seed") { settings.seed = seed }
        if let n = m["quantiles"], let items = reader.sequence(n, at: "simulation.quantiles", what: "the quantile levels") {
            settings.quantiles = items.enumerated().map { i, item in
                reader.number(item, at: "simulation.quantiles[\(i)]", what: "a quantile level") ?? .nan
            }
        }
        return settings
    }

    /// A seed: a whole number from 0 to 2⁶⁴ − 1, read exactly from its digits (not through a Double).
    private func seedValue(_ node: Node, at path: String) -> UInt64? {
        reader.remember(path, node)
        if case .scalar(let sc) = node, sc.style == .plain || sc.style == .any {
            if let v = UInt64(sc.string) { return v }
            reader.report(path, node.mark, problem: "the seed \(sc.string) is not a whole number from 0 to \(UInt64.max)",
                          fix: "write the seed as digits only, e.g. 42")
            return nil
        }
        _ = reader.number(node, at: path, what: "the seed")  // reports the wrong type
        return nil
    }

    private func operatorSpec(_ node: Node, _ path: String, defaultModes: [FaultModeSpec]) -> OperatorSpec {
        let m = reader.mapping(node, at: path, allowed: ["id", "stake", "fault_probability", "tags", "fault_modes"],
                               required: ["id", "stake"], what: "an operator") ?? [:]
        let own = m["fault_modes"].map { list($0, at: "\(path).fault_modes", what: "the list of fault modes", element: faultModeSpec) }
        var modes: [FaultModeSpec]?, usesDefaults = false
        switch (m["fault_probability"], own) {
        case (let given?, _?):
            reader.report("\(path).fault_probability", given.mark, problem: "the operator gives both `fault_probability` and `fault_modes`",
                          fix: "keep one: its fault probability is 1 − Π (1 − q) of its modes' probabilities")
        case (nil, let own?):
            modes = own
        case (nil, nil) where !defaultModes.isEmpty:
            modes = defaultModes
            usesDefaults = true
        case (nil, nil):
            // Not when a misspelt key already said so (`fault_probabilty`: one message, not two).
            let misspelt = reader.diagnostics.contains { $0.path.hasPrefix("\(path).") && $0.fix.contains("did you mean `fault_probability`?") }
            if case .mapping = node, !misspelt {
                reader.report("\(path).fault_probability", node.mark, problem: "missing required key `fault_probability` in an operator",
                              fix: "add `fault_probability: ...`, or give the operator `fault_modes` (or the scenario default `fault_modes`)")
            }
        default:
            break
        }
        var tags: [String: String] = [:]
        if let t = m["tags"], let pairs = reader.pairs(t, at: "\(path).tags", what: "the tags", example: "`{cloud: aws, client: lighthouse}`") {
            for pair in pairs {
                if let value = reader.string(pair.value, at: pair.childPath, what: "a tag value") { tags[pair.key] = value }
            }
        }
        var spec = OperatorSpec(
            id: m["id"].flatMap { reader.string($0, at: "\(path).id", what: "the operator id") } ?? "",
            stake: m["stake"].flatMap { reader.number($0, at: "\(path).stake", what: "the stake") } ?? .nan,
            faultProbability: m["fault_probability"].flatMap {
                reader.number($0, at: "\(path).fault_probability", what: "the fault probability")
            } ?? .nan,
            tags: tags, faultModes: modes)
        spec.usesDefaultModes = usesDefaults
        return spec
    }

    func faultModeSpec(_ node: Node, _ path: String) -> FaultModeSpec {
        let m = reader.mapping(node, at: path, allowed: ["id", "probability", "services", "service_tags", "slash_fraction"], required: ["id", "probability"],
                               what: "a fault mode") ?? [:]
        if m["services"] != nil, let both = m["service_tags"] {
            reader.report("\(path).service_tags", both.mark, problem: "the fault mode gives both `services` and `service_tags`", fix: "keep one of them")
        }
        var services: [String]?
        if let node = m["services"] {
            if case .scalar = node, let word = reader.string(node, at: "\(path).services", what: "the services") {
                services = word == "all" ? nil : [word]
            } else {
                services = list(node, at: "\(path).services", what: "the services (a list of service ids, or `all`)") { item, itemPath in
                    reader.string(item, at: itemPath, what: "a service id") ?? ""
                }
            }
        }
        var mode = FaultModeSpec(
            id: m["id"].flatMap { reader.string($0, at: "\(path).id", what: "the fault mode id") } ?? "",
            probability: m["probability"].flatMap { reader.number($0, at: "\(path).probability", what: "the fault mode probability") } ?? .nan,
            services: services,
            slashFraction: m["slash_fraction"].map { reader.number($0, at: "\(path).slash_fraction", what: "the slash fraction") ?? .nan })
        mode.serviceTags = tags(m["service_tags"], at: "\(path).service_tags")
        return mode
    }

    /// `{kind: value}` text pairs (operator and service tags, a fault mode's service tags).
    func tags(_ node: Node?, at path: String) -> [String: String] {
        guard let node, let pairs = reader.pairs(node, at: path, what: "the tags", example: "`{cloud: aws, client: lighthouse}`") else { return [:] }
        var tags: [String: String] = [:]
        for pair in pairs {
            if let value = reader.string(pair.value, at: pair.childPath, what: "a tag value") { tags[pair.key] = value }
        }
        return tags
    }

    private func serviceSpec(_ node: Node, _ path: String) -> ServiceSpec {
        let m = reader.mapping(node, at: path, allowed: ["id", "slash_fraction", "incident_probability", "incident_slash_fraction", "veto_probability", "veto_factor_loadings", "tags"],
                               required: ["id", "slash_fraction"], what: "a service") ?? [:]
        var spec = ServiceSpec(
            id: m["id"].flatMap { reader.string($0, at: "\(path).id", what: "the service id") } ?? "",
            slashFraction: m["slash_fraction"].flatMap {
                reader.number($0, at: "\(path).slash_fraction", what: "the slash fraction")
            } ?? .nan,
            incidentProbability: m["incident_probability"].map {
                reader.number($0, at: "\(path).incident_probability", what: "the incident probability") ?? .nan
            } ?? 0,
            incidentSlashFraction: m["incident_slash_fraction"].map {
                reader.number($0, at: "\(path).incident_slash_fraction", what: "the incident slash fraction") ?? .nan
            })
        spec.tags = tags(m["tags"], at: "\(path).tags")
        if let node = m["veto_factor_loadings"], let pairs = reader.pairs(node, at: "\(path).veto_factor_loadings", what: "the veto factor loadings",
                                                                        example: "`{aws: 0.5}` (loading per factor of `correlation.factors`)") {
            spec.vetoFactorLoadings = pairs.map { FactorLoading(operator: $0.key, loading: reader.number($0.value, at: $0.childPath, what: "a loading") ?? .nan) }
        }
        spec.vetoProbability = m["veto_probability"].map { reader.number($0, at: "\(path).veto_probability", what: "the veto probability") ?? .nan } ?? 0
        return spec
    }

    private func allocationSpec(_ node: Node, _ path: String) -> AllocationSpec {
        let m = reader.mapping(node, at: path, allowed: ["operator", "service", "magnitude"],
                               required: ["operator", "service", "magnitude"], what: "an allocation") ?? [:]
        return AllocationSpec(
            operator: m["operator"].flatMap { reader.string($0, at: "\(path).operator", what: "the operator id") } ?? "",
            service: m["service"].flatMap { reader.string($0, at: "\(path).service", what: "the service id") } ?? "",
            magnitude: m["magnitude"].flatMap { reader.number($0, at: "\(path).magnitude", what: "the magnitude") } ?? .nan)
    }

    /// `correlation:`; `operators` are the ids, in order, that a `matrix_file` or `loadings_file` refers to.
    func correlation(_ node: Node, operators: [String]) -> CorrelationSpec {
        let path = "correlation"
        guard let m = reader.mapping(node, at: path, allowed: ["constant", "matrix", "matrix_file", "repair", "factors", "loadings_file", "derived"],
                                     required: [], what: "the correlation") else { return .independent }
        let forms = ["constant", "matrix", "matrix_file", "factors", "loadings_file", "derived"].filter { m[$0] != nil }
        if forms.count > 1 {
            let named = forms.map { "`\($0)`" }
            reader.report(path, node.mark, problem: "the correlation gives \(forms.count == 2 ? "both " : "")\(named.dropLast().joined(separator: ", ")) and \(named.last!)",
                          fix: "keep one of them")
            return .independent
        }
        var repair = false
        if let r = m["repair"], let method = reader.string(r, at: "\(path).repair", what: "the repair method") {
            if method != "nearest" {
                reader.report("\(path).repair", r.mark, problem: "unknown repair method \"\(method)\"",
                              fix: "write `repair: nearest` (the nearest correlation matrix, Higham 2002) or omit it")
            } else if m["matrix"] == nil && m["matrix_file"] == nil {
                reader.report("\(path).repair", r.mark, problem: "`repair` applies to a `matrix` or `matrix_file` only",
                              fix: "remove `repair`, or give the correlation as a matrix")
            } else {
                repair = true
            }
        }
        if let f = m["factors"] {
            return .factors(factors(f, at: "\(path).factors"))
        }
        if let d = m["derived"] {
            return .derived(derived(d, at: "\(path).derived"))
        }
        if let file = m["matrix_file"] {
            guard let rows = matrixTable(file, operators: operators) else { return .independent }
            return repair ? .repairedMatrix(rows) : .matrix(rows)
        }
        if let file = m["loadings_file"] {
            return loadingsTable(file, operators: operators).map { .factors($0) } ?? .independent
        }
        switch (m["constant"], m["matrix"]) {
        case (nil, nil):
            reader.report(path, node.mark, problem: "the correlation names no form",
                          fix: "write `constant: 0.2`, `matrix: [[1, 0.3], [0.3, 1]]`, `matrix_file: corr.npy`, `factors: [...]`, `loadings_file: loadings.csv` or `derived: {...}`, or omit `correlation` for independent operators")
            return .independent
        case (let c?, _):
            return .constant(reader.number(c, at: "\(path).constant", what: "the constant correlation") ?? .nan)
        case (_, let mat?):
            guard let rows = reader.sequence(mat, at: "\(path).matrix", what: "the correlation matrix") else { return .independent }
            let entries: [[Double]] = rows.enumerated().map { i, row in
                let rowPath = "\(path).matrix[\(i)]"
                guard let entries = reader.sequence(row, at: rowPath, what: "a matrix row", large: true) else { return [] }
                return entries.enumerated().map { j, e in
                    reader.element(e, at: "\(rowPath)[\(j)]", what: "a correlation") ?? .nan
                }
            }
            return repair ? .repairedMatrix(entries) : .matrix(entries)
        }
    }

    private func factors(_ node: Node, at path: String) -> [FactorSpec] {
        guard let items = reader.sequence(node, at: path, what: "the list of factors") else { return [] }
        return items.enumerated().map { i, item in
            let itemPath = "\(path)[\(i)]"
            let m = reader.mapping(item, at: itemPath, allowed: ["id", "loadings", "service_loadings"], required: ["id", "loadings"],
                                   what: "a factor") ?? [:]
            let id = m["id"].flatMap { reader.string($0, at: "\(itemPath).id", what: "the factor id") } ?? ""
            let loadings = m["loadings"].flatMap {
                reader.pairs($0, at: "\(itemPath).loadings", what: "the loadings", example: "`{op-a: 0.4, op-b: 0.3}`")
            } ?? []
            let serviceLoadings = m["service_loadings"].flatMap {
                reader.pairs($0, at: "\(itemPath).service_loadings", what: "the service loadings", example: "`{eigenda: 0.5}`")
            } ?? []
            return FactorSpec(id: id, loadings: loadings.map { pair in
                FactorLoading(operator: pair.key, loading: reader.number(pair.value, at: pair.childPath, what: "a loading") ?? .nan)
            }, serviceLoadings: serviceLoadings.map { pair in
                FactorLoading(operator: pair.key, loading: reader.number(pair.value, at: pair.childPath, what: "a loading") ?? .nan)
            })
        }
    }
}
