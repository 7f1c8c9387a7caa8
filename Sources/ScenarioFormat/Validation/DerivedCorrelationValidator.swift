import SlashingCore

/// Checks `correlation.derived`: weights in [0, 1], services named in `service_weights` exist, tag kinds
/// are used by some operator, and the largest systematic variance is in (0, 1).
struct DerivedCorrelationValidator {
    let reader: NodeReader

    func validate(_ spec: DerivedCorrelationSpec, operators: [OperatorSpec], services: [ServiceSpec]) {
        let path = "correlation.derived"
        weight(spec.common, at: "\(path).common", what: "the common weight")
        weight(spec.sharedServices, at: "\(path).shared_services", what: "the weight per shared service")
        weight(spec.incidents, at: "\(path).incidents", what: "the incident loading weight")
        if spec.maximumSystematic.isFinite, !(spec.maximumSystematic > 0 && spec.maximumSystematic < 1) {
            reader.report("\(path).max_systematic", problem: "the largest systematic variance \(s(spec.maximumSystematic)) is outside (0, 1)",
                          fix: "give a value such as 0.95: every operator keeps at least 1 − max_systematic of idiosyncratic variance")
        }
        let serviceIDs = services.map(\.id)
        for (id, w) in spec.serviceWeights.sorted(by: { $0.key < $1.key }) {
            let place = "\(path).service_weights.\(id)"
            if !serviceIDs.contains(id) {
                let hint = closest(to: id, in: serviceIDs).map { "did you mean \"\($0)\"? " } ?? ""
                reader.report(place, problem: "unknown service \"\(id)\"", fix: "\(hint)name a service listed under `services`")
            }
            weight(w, at: place, what: "the weight of service \"\(id)\"")
        }
        let kinds = Set(operators.flatMap { $0.tags.keys })
        for (kind, w) in spec.tags.sorted(by: { $0.key < $1.key }) {
            let place = "\(path).tags.\(kind)"
            weight(w, at: place, what: "the weight of tag \"\(kind)\"")
            if !kinds.contains(kind) {
                let hint = closest(to: kind, in: Array(kinds)).map { "did you mean \"\($0)\"? " } ?? ""
                reader.report(place, problem: "no operator has a tag \"\(kind)\"",
                              fix: "\(hint)add `tags: {\(kind): ...}` to the operators that share it, or remove this weight")
            }
        }
    }

    private func weight(_ w: Double, at path: String, what: String) {
        guard w.isFinite else { return }
        if !(0...1).contains(w) {
            reader.report(path, problem: "\(what) \(s(w)) is outside [0, 1]",
                          fix: "a weight is the latent correlation it adds to the pairs that share it, between 0 and 1")
        }
    }
}
