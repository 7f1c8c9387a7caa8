import SlashingCore

/// Checks fault modes, the scenario's defaults (at `fault_modes`) and each operator's own (at
/// `operators[i].fault_modes`): a non-empty list of at most 32 modes with unique ids, probabilities and slash
/// fractions in [0, 1], and services that are listed.
struct FaultModeValidator {
    let reader: NodeReader

    func validate(_ scenario: Scenario, servicesComplete: Bool) {
        let serviceIDs = scenario.services.map(\.id)
        if !scenario.faultModes.isEmpty || reader.hasMark("fault_modes") {
            validate(scenario.faultModes, at: "fault_modes", scenario: scenario, serviceIDs: serviceIDs, servicesComplete: servicesComplete)
        }
        for (i, op) in scenario.operators.enumerated() where !op.usesDefaultModes {
            guard let modes = op.faultModes else { continue }
            validate(modes, at: "operators[\(i)].fault_modes", scenario: scenario, serviceIDs: serviceIDs, servicesComplete: servicesComplete)
        }
    }

    private func validate(_ modes: [FaultModeSpec], at path: String, scenario: Scenario, serviceIDs: [String], servicesComplete: Bool) {
        guard !reader.diagnostics.contains(where: { $0.path == path }) else { return }
        if modes.isEmpty {
            reader.report(path, problem: "the list of fault modes is empty",
                          fix: "give at least one mode, e.g. `[{id: liveness, probability: 0.05, slash_fraction: 0.01}]`, or a `fault_probability` instead")
            return
        }
        if modes.count > FaultModes.maximumPerOperator {
            reader.report(path, problem: "\(modes.count) fault modes, more than the 32 an operator can have", fix: "merge modes that slash alike")
        }
        ScenarioValidator(reader: reader).reportDuplicateIDs(modes.map(\.id), at: path, what: "fault mode")
        for (k, mode) in modes.enumerated() {
            let place = "\(path)[\(k)]"
            if mode.probability.isFinite, !(0...1).contains(mode.probability) {
                reader.report("\(place).probability", problem: "the fault mode probability \(s(mode.probability)) is outside [0, 1]",
                              fix: "give the probability that the mode happens over the horizon, between 0 and 1, e.g. 0.01")
            }
            if let w = mode.slashFraction, w.isFinite, !(0...1).contains(w) {
                reader.report("\(place).slash_fraction", problem: "the slash fraction \(s(w)) is outside [0, 1]",
                              fix: "give the share of each slashed allocation, between 0 and 1; omit it for each service's own slash_fraction")
            }
            if servicesComplete, !mode.serviceTags.isEmpty, !scenario.services.contains(where: mode.slashes),
               !reader.diagnostics.contains(where: { $0.path == "\(place).service_tags" }) {
                let wanted = mode.serviceTags.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ")
                reader.report("\(place).service_tags", problem: "no service carries the tags {\(wanted)} of fault mode \"\(mode.id)\"",
                              fix: "give the services it slashes these `tags`, e.g. `services: [{id: oracle, slash_fraction: 0.05, tags: {\(wanted)}}]`")
            }
            guard servicesComplete, let services = mode.services else { continue }
            if services.isEmpty {
                reader.report("\(place).services", problem: "fault mode \"\(mode.id)\" slashes no service", fix: "name the services it slashes, or write `services: all`")
            }
            for (j, id) in services.enumerated() where !id.isEmpty && !serviceIDs.contains(id) {
                let hint = closest(to: id, in: serviceIDs).map { "did you mean \"\($0)\"? " } ?? ""
                let at = reader.hasMark("\(place).services[\(j)]") ? "\(place).services[\(j)]" : "\(place).services"
                reader.report(at, problem: "unknown service \"\(id)\" in fault mode \"\(mode.id)\"", fix: "\(hint)name a service listed under `services`, or write `services: all`")
            }
        }
    }
}
