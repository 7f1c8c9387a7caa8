import SlashingCore
import Yams

/// Decoding of the restaking layer of a scenario: copula, derived correlation, tokens and portfolios.
extension ScenarioDecoder {
    func copula(_ node: Node) -> Copula {
        let path = "copula"
        if case .scalar = node, let name = reader.string(node, at: path, what: "the copula") {
            if name == "gaussian" { return .gaussian }
            reader.report(path, node.mark, problem: "unknown copula \"\(name)\"",
                          fix: "write `copula: gaussian` or `copula: {student_t: {degrees_of_freedom: 4}}`")
            return .gaussian
        }
        guard let m = reader.mapping(node, at: path, allowed: ["gaussian", "student_t"], required: [], what: "the copula") else {
            return .gaussian
        }
        if m["gaussian"] != nil, m["student_t"] != nil {
            reader.report(path, node.mark, problem: "the copula gives both `gaussian` and `student_t`", fix: "keep one of them")
            return .gaussian
        }
        guard let t = m["student_t"] else { return .gaussian }
        let tPath = "\(path).student_t"
        guard let tm = reader.mapping(t, at: tPath, allowed: ["degrees_of_freedom"], required: ["degrees_of_freedom"],
                                      what: "the Student t copula") else { return .studentT(degreesOfFreedom: .nan) }
        let nu = tm["degrees_of_freedom"].flatMap { reader.number($0, at: "\(tPath).degrees_of_freedom", what: "the degrees of freedom") }
        return .studentT(degreesOfFreedom: nu ?? .nan)
    }

    func derived(_ node: Node, at path: String) -> DerivedCorrelationSpec {
        var spec = DerivedCorrelationSpec()
        guard let m = reader.mapping(node, at: path, allowed: ["common", "shared_services", "service_weights", "tags", "incidents", "max_systematic"],
                                     required: [], what: "the derived correlation") else { return spec }
        func number(_ key: String, _ what: String) -> Double? {
            m[key].map { reader.number($0, at: "\(path).\(key)", what: what) ?? .nan }
        }
        spec.common = number("common", "the common weight") ?? 0
        spec.sharedServices = number("shared_services", "the weight per shared service") ?? 0
        spec.incidents = number("incidents", "the incident loading weight") ?? 0
        spec.maximumSystematic = number("max_systematic", "the largest systematic variance") ?? DerivedCorrelationSpec.defaultMaximumSystematic
        spec.serviceWeights = weights(m["service_weights"], at: "\(path).service_weights", what: "the service weights", example: "`{eigenda: 0.3}`")
        spec.tags = weights(m["tags"], at: "\(path).tags", what: "the tag weights", example: "`{cloud: 0.15, client: 0.1}`")
        if m["shared_services"] == nil, m["service_weights"] == nil, m["tags"] == nil, m["common"] == nil {
            reader.report(path, node.mark, problem: "the derived correlation gives no weights",
                          fix: "give `shared_services`, `service_weights`, `tags` or `common`, e.g. `derived: {shared_services: 0.05, tags: {cloud: 0.15}}`")
        }
        return spec
    }

    private func weights(_ node: Node?, at path: String, what: String, example: String) -> [String: Double] {
        guard let node, let pairs = reader.pairs(node, at: path, what: what, example: example) else { return [:] }
        var result: [String: Double] = [:]
        for pair in pairs { result[pair.key] = reader.number(pair.value, at: pair.childPath, what: "a weight") ?? .nan }
        return result
    }

    func tokenSpec(_ node: Node, _ path: String) -> TokenSpec {
        let m = reader.mapping(node, at: path, allowed: ["id", "backing", "delegations", "withdrawal_queue_days", "depeg", "protocol", "exploit"],
                               required: ["id", "backing", "delegations"], what: "a token") ?? [:]
        let delegations = m["delegations"].flatMap {
            reader.pairs($0, at: "\(path).delegations", what: "the delegations", example: "`{op-a: 120000, op-b: 80000}` (ETH per operator)")
        } ?? []
        var token = TokenSpec(
            id: m["id"].flatMap { reader.string($0, at: "\(path).id", what: "the token id") } ?? "",
            backing: m["backing"].flatMap { reader.number($0, at: "\(path).backing", what: "the backing") } ?? .nan,
            delegations: delegations.map { ($0.key, reader.number($0.value, at: $0.childPath, what: "a delegation") ?? .nan) },
            withdrawalQueueDays: m["withdrawal_queue_days"].map {
                reader.number($0, at: "\(path).withdrawal_queue_days", what: "the withdrawal queue") ?? .nan
            } ?? 0,
            depeg: m["depeg"].map { depeg($0, at: "\(path).depeg") })
        token.protocolID = m["protocol"].map { reader.string($0, at: "\(path).protocol", what: "the protocol id") ?? "" }
        token.exploit = m["exploit"].map { exploit($0, at: "\(path).exploit") }
        return token
    }

    func protocolSpec(_ node: Node, _ path: String) -> ProtocolSpec {
        let m = reader.mapping(node, at: path, allowed: ["id", "exploit"], required: ["id"], what: "a protocol") ?? [:]
        return ProtocolSpec(id: m["id"].flatMap { reader.string($0, at: "\(path).id", what: "the protocol id") } ?? "",
                            exploit: m["exploit"].map { exploit($0, at: "\(path).exploit") })
    }

    func exploit(_ node: Node, at path: String) -> ExploitSpec {
        let m = reader.mapping(node, at: path, allowed: ["probability", "nav_loss_fraction", "factor_loadings"],
                               required: ["probability", "nav_loss_fraction"], what: "the exploit") ?? [:]
        let loadings = m["factor_loadings"].flatMap {
            reader.pairs($0, at: "\(path).factor_loadings", what: "the factor loadings", example: "`{aws: 0.3}` (loading per factor of `correlation.factors`)")
        } ?? []
        return ExploitSpec(
            probability: m["probability"].flatMap { reader.number($0, at: "\(path).probability", what: "the exploit probability") } ?? .nan,
            navLossFraction: m["nav_loss_fraction"].flatMap { reader.number($0, at: "\(path).nav_loss_fraction", what: "the NAV loss fraction") } ?? .nan,
            factorLoadings: loadings.map { FactorLoading(operator: $0.key, loading: reader.number($0.value, at: $0.childPath, what: "a loading") ?? .nan) })
    }

    func depeg(_ node: Node, at path: String, base: DepegTerms = DepegTerms()) -> DepegTerms {
        var spec = base
        guard let m = reader.mapping(node, at: path, allowed: ["per_nav_loss", "floor_discount", "per_queue_day"], required: [],
                                     what: "the depeg model") else { return spec }
        if let n = m["per_nav_loss"] { spec.perNAVLoss = reader.number(n, at: "\(path).per_nav_loss", what: "the depeg per NAV loss") ?? .nan }
        if let n = m["floor_discount"] { spec.floorDiscount = reader.number(n, at: "\(path).floor_discount", what: "the floor discount") ?? .nan }
        if let n = m["per_queue_day"] { spec.perQueueDay = reader.number(n, at: "\(path).per_queue_day", what: "the discount per queue day") ?? .nan }
        return spec
    }

    func portfolioSpec(_ node: Node, _ path: String) -> PortfolioSpec {
        let m = reader.mapping(node, at: path, allowed: ["id", "holdings", "leverage"], required: ["id", "holdings"], what: "a portfolio") ?? [:]
        let holdings = m["holdings"].flatMap {
            reader.pairs($0, at: "\(path).holdings", what: "the holdings", example: "`{ezETH: 100}` (ETH value at NAV per token)")
        } ?? []
        var leverage: LeverageSpec?
        if let l = m["leverage"] {
            let lPath = "\(path).leverage"
            let lm = reader.mapping(l, at: lPath, allowed: ["debt", "liquidation_threshold", "liquidation_ltv", "liquidation_penalty"],
                                    required: ["debt", "liquidation_penalty"], what: "the leverage") ?? [:]
            leverage = LeverageSpec(
                debt: lm["debt"].flatMap { reader.number($0, at: "\(lPath).debt", what: "the debt") } ?? .nan,
                liquidationLTV: liquidationThreshold(lm, l, at: lPath),
                liquidationPenalty: lm["liquidation_penalty"].flatMap {
                    reader.number($0, at: "\(lPath).liquidation_penalty", what: "the liquidation penalty")
                } ?? .nan)
        }
        return PortfolioSpec(
            id: m["id"].flatMap { reader.string($0, at: "\(path).id", what: "the portfolio id") } ?? "",
            holdings: holdings.map { ($0.key, reader.number($0.value, at: $0.childPath, what: "a holding") ?? .nan) },
            leverage: leverage)
    }

    /// `liquidation_threshold`, or its old name `liquidation_ltv` (accepted with a warning: it never was a
    /// borrow limit, it is the share of the holdings' value above which the debt is liquidated); not both.
    private func liquidationThreshold(_ lm: [String: Node], _ node: Node, at lPath: String) -> Double {
        switch (lm["liquidation_threshold"], lm["liquidation_ltv"]) {
        case (let new?, nil):
            return reader.number(new, at: "\(lPath).liquidation_threshold", what: "the liquidation threshold") ?? .nan
        case (nil, let old?):
            reader.warn("\(lPath).liquidation_ltv", old.mark, problem: "`liquidation_ltv` is the old name of `liquidation_threshold` (the same number, read the same way)",
                        fix: "rename the key to `liquidation_threshold`")
            return reader.number(old, at: "\(lPath).liquidation_ltv", what: "the liquidation threshold") ?? .nan
        case (_?, let old?):
            reader.report("\(lPath).liquidation_ltv", old.mark, problem: "the leverage gives both `liquidation_threshold` and `liquidation_ltv` (its old name)",
                          fix: "keep `liquidation_threshold`")
            return .nan
        case (nil, nil):
            reader.report("\(lPath).liquidation_threshold", node.mark, problem: "missing required key `liquidation_threshold` in the leverage",
                          fix: "add `liquidation_threshold: ...` (the share of the holdings' value above which the debt is liquidated, e.g. 0.93)")
            return .nan
        }
    }

}
