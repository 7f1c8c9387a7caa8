import SlashingCore

/// Semantic checks on a decoded scenario: ranges, unique ids, references, unique-stake budgets and the
/// correlation structure. Values already reported by the decoder (NaN or empty) are skipped.
struct ScenarioValidator {
    let reader: NodeReader

    /// Tolerance on sums and unit diagonals, so that decimal inputs like 0.1 + 0.2 + 0.7 pass.
    static let tolerance = 1e-12
    /// Largest stake accepted, in ETH: far above all ETH in existence, and small enough that no sum of
    /// losses can overflow.
    static let maximumStake = 1e15

    /// The number of operators: at most `RunLimits.maximumOperators`, and `maximumMatrixOperators` with an
    /// explicit matrix (whose Cholesky factor is N² doubles).
    func validateSize(_ scenario: Scenario) {
        if scenario.operators.count > RunLimits.maximumOperators {
            reader.report("operators", problem: "the scenario has \(scenario.operators.count) operators, more than the \(RunLimits.maximumOperators) slashsim supports",
                          fix: "merge small operators that share AVSs and infrastructure into groups")
        } else if scenario.operators.count > RunLimits.maximumMatrixOperators, scenario.correlation.isExplicitMatrix {
            let n = Double(scenario.operators.count)
            reader.report("correlation", problem: "an explicit correlation matrix of \(scenario.operators.count) operators needs \(String(format: "%.1f", 8 * n * n / 1e9)) GB for its Cholesky factor alone, over the \(RunLimits.maximumMatrixOperators) operators slashsim multiplies densely",
                          fix: "write the correlation as factors (`correlation: {loadings_file: PATH}`, an N×K table): memory linear in N")
        }
    }

    func validate(_ scenario: Scenario) {
        validateSimulation(scenario.simulation)
        let operatorsComplete = idsDecoded("operators"), servicesComplete = idsDecoded("services")
        reportDuplicateIDs(scenario.operators.map(\.id), at: "operators", what: "operator")
        reportDuplicateIDs(scenario.services.map(\.id), at: "services", what: "service")
        if scenario.operators.isEmpty, operatorsComplete, reader.hasMark("operators") {
            reader.report("operators", problem: "the scenario has no operators", fix: "list at least one operator under `operators:`")
        }
        validateSize(scenario)
        for (i, op) in scenario.operators.enumerated() {
            if op.stake.isFinite, op.stake < 0 {
                reader.report("operators[\(i)].stake", problem: "the stake \(s(op.stake)) is negative",
                              fix: "give the ETH delegated to the operator, 0 or more")
            } else if op.stake > Self.maximumStake {
                reader.report("operators[\(i)].stake", problem: "the stake \(op.stake) ETH is above 1e15, far more ETH than exists (about 1.2e8)",
                              fix: "give the stake in ETH, not in wei or gwei")
            }
            if op.faultModes == nil {  // with modes, FaultModeValidator checks their probabilities
                probability(op.faultProbability, at: "operators[\(i)].fault_probability", what: "the fault probability",
                            fix: "give the probability of a fault over the horizon, between 0 and 1")
            }
        }
        for (i, service) in scenario.services.enumerated() {
            probability(service.slashFraction, at: "services[\(i)].slash_fraction", what: "the slash fraction",
                        fix: "give the share of allocated stake slashed per fault, between 0 and 1")
        }
        validateAllocations(scenario.allocations, operators: operatorsComplete ? scenario.operators.map(\.id) : nil,
                            services: servicesComplete ? scenario.services.map(\.id) : nil, scenario: scenario)
        for (i, service) in scenario.services.enumerated() {
            probability(service.incidentProbability, at: "services[\(i)].incident_probability", what: "the incident probability",
                        fix: "give the probability that the service itself fails and slashes all its operators over the horizon, between 0 and 1")
            if let f = service.incidentSlashFraction {
                probability(f, at: "services[\(i)].incident_slash_fraction", what: "the incident slash fraction",
                            fix: "give the share of allocated stake an incident slashes, between 0 and 1")
            }
            probability(service.vetoProbability, at: "services[\(i)].veto_probability", what: "the veto probability",
                        fix: "give the probability that a slash the service proposes is vetoed (cancelled), between 0 and 1; 0 or omitted: never")
        }
        CorrelationValidator(reader: reader).validate(scenario.correlation, operators: scenario.operators, services: scenario.services)
        RestakingValidator(reader: reader).validate(scenario, operatorsComplete: operatorsComplete)
        FaultModeValidator(reader: reader).validate(scenario, servicesComplete: idsDecoded("services"))
    }

    private func validateSimulation(_ settings: SimulationSettings) {
        if reader.mark(for: "simulation.quantiles") != nil, settings.quantiles.isEmpty {
            reader.report("simulation.quantiles", problem: "the list of quantile levels is empty",
                          fix: "give levels such as [0.99, 0.999], or omit the key for the defaults")
        }
        for (i, q) in settings.quantiles.enumerated() where q.isFinite && !(q > 0 && q < 1) {
            reader.report("simulation.quantiles[\(i)]", problem: "the quantile level \(s(q)) is outside (0, 1)",
                          fix: "give a level strictly between 0 and 1, e.g. 0.99 for the 99 % VaR")
        }
    }

    /// False when the list at `path` or one of its ids failed to decode: references to it are then not checked,
    /// so one mistake is not reported again at every place that names it.
    func idsDecoded(_ path: String) -> Bool {
        !reader.diagnostics.contains { d in
            d.path == path || d.path == path + "_file" || (d.path.hasPrefix(path + "[") && (d.path.hasSuffix("]") || d.path.hasSuffix(".id")))
        }
    }

    func probability(_ value: Double, at path: String, what: String, fix: String) {
        guard value.isFinite else { return }
        if !(0...1).contains(value) {
            reader.report(path, problem: "\(what) \(s(value)) is outside [0, 1]", fix: fix)
        }
    }

    /// Reports every non-empty id that repeats an earlier one.
    func reportDuplicateIDs(_ ids: [String], at path: String, what: String) {
        var index: [String: Int] = [:]
        for (i, id) in ids.enumerated() where !id.isEmpty {
            if let first = index[id] {
                reader.report("\(path)[\(i)].id", problem: "duplicate \(what) id \"\(id)\" (first used at \(path)[\(first)])",
                              fix: "give every \(what) its own id")
            } else {
                index[id] = i
            }
        }
    }

    /// `operators`/`services`: the ids in file order, or nil when they could not all be decoded.
    private func validateAllocations(_ allocations: [AllocationSpec], operators operatorIDs: [String]?, services serviceIDs: [String]?,
                                     scenario: Scenario) {
        let operators = Dictionary(operatorIDs.map { ids in ids.enumerated().map { ($1, $0) } } ?? [], uniquingKeysWith: { a, _ in a })
        let services = Set(serviceIDs ?? [])
        var outOfRange: Set<Int> = []
        var seen: [String: Int] = [:]
        var total: [Int: (sum: Double, paths: [String])] = [:]
        for (i, a) in allocations.enumerated() {
            let path = "allocations[\(i)]"
            let op = a.operator.isEmpty ? nil : operators[a.operator]
            if !a.operator.isEmpty, let operatorIDs, op == nil {
                let hint = closest(to: a.operator, in: operatorIDs).map { "did you mean \"\($0)\"? " } ?? ""
                reader.report("\(path).operator", problem: "unknown operator \"\(a.operator)\"",
                              fix: "\(hint)name an operator listed under `operators`")
            }
            if !a.service.isEmpty, let serviceIDs, !services.contains(a.service) {
                let hint = closest(to: a.service, in: serviceIDs).map { "did you mean \"\($0)\"? " } ?? ""
                reader.report("\(path).service", problem: "unknown service \"\(a.service)\"",
                              fix: "\(hint)name a service listed under `services`")
            }
            if a.magnitude.isFinite, !(0...1).contains(a.magnitude) {
                if let op { outOfRange.insert(op) }
                reader.report("\(path).magnitude", problem: "the magnitude \(s(a.magnitude)) is outside [0, 1]",
                              fix: "give the share of the operator's stake allocated to the service, between 0 and 1")
            }
            let pair = "\(a.operator)\u{0}\(a.service)"
            if !a.operator.isEmpty, !a.service.isEmpty {
                if let first = seen[pair] {
                    reader.report(path, problem: "operator \"\(a.operator)\" is allocated to service \"\(a.service)\" twice (first at allocations[\(first)])",
                                  fix: "merge the two allocations into one magnitude")
                } else {
                    seen[pair] = i
                }
            }
            if let op, a.magnitude.isFinite {
                total[op, default: (0, [])].sum += a.magnitude
                total[op, default: (0, [])].paths.append(path)
            }
        }
        for (op, entry) in total.sorted(by: { $0.key < $1.key }) where entry.sum > 1 + Self.tolerance && !outOfRange.contains(op) {
            reader.report(entry.paths.last!, problem: "the magnitudes of operator \"\(scenario.operators[op].id)\" sum to \(entry.sum), above 1 (\(entry.paths.joined(separator: ", ")))",
                          fix: "under unique stake an operator allocates at most 100 % of its stake: lower these magnitudes so they sum to 1 or less")
        }
    }
}
