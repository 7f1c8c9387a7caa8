import SlashingCore

/// Checks the restaking layer of a scenario: the copula, tokens (backing, delegations within stake and
/// backing, market model) and portfolios (holdings of known tokens, leverage that is not already liquidated).
struct RestakingValidator {
    let reader: NodeReader

    /// Degrees of freedom accepted for the Student t copula.
    static let degreesOfFreedom: ClosedRange<Double> = 0.5...1e6
    /// Longest withdrawal queue accepted, in days.
    static let longestQueueDays = 3650.0

    func validate(_ scenario: Scenario, operatorsComplete: Bool) {
        if case .studentT(let nu) = scenario.copula, nu.isFinite, !Self.degreesOfFreedom.contains(nu) {
            reader.report("copula.student_t.degrees_of_freedom", problem: "the degrees of freedom \(s(nu)) are outside [0.5, 1e6]",
                          fix: "give ν such as 4 (fat tails, strong tail dependence) or 30 (close to Gaussian); omit `copula` for the Gaussian copula")
        }
        let validator = ScenarioValidator(reader: reader)
        validator.reportDuplicateIDs(scenario.tokens.map(\.id), at: "tokens", what: "token")
        validator.reportDuplicateIDs(scenario.portfolios.map(\.id), at: "portfolios", what: "portfolio")
        validator.reportDuplicateIDs(scenario.protocols.map(\.id), at: "protocols", what: "protocol")
        validateTokens(scenario, operatorsComplete: operatorsComplete)
        validateExploits(scenario, protocolsComplete: validator.idsDecoded("protocols"))
        for (j, service) in scenario.services.enumerated() where !service.vetoFactorLoadings.isEmpty {
            let path = "services[\(j)].veto_factor_loadings"
            if service.vetoProbability == 0 {
                reader.report(path, problem: "service \"\(service.id)\" has no veto_probability, so its veto loadings have no effect",
                              fix: "give the service a `veto_probability`, or remove `veto_factor_loadings`")
            } else {
                validateFactorLoadings(service.vetoFactorLoadings, at: path, what: "veto", scenario: scenario)
            }
        }
        validatePortfolios(scenario, tokensComplete: validator.idsDecoded("tokens"))
    }

    private func validateTokens(_ scenario: Scenario, operatorsComplete: Bool) {
        let operatorIDs = scenario.operators.map(\.id)
        let index = Dictionary(operatorIDs.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        var delegated = [Double](repeating: 0, count: operatorIDs.count)
        var places = [[String]](repeating: [], count: operatorIDs.count)
        for (t, token) in scenario.tokens.enumerated() {
            let path = "tokens[\(t)]"
            if token.backing.isFinite, !(token.backing > 0 && token.backing <= ScenarioValidator.maximumStake) {
                reader.report("\(path).backing", problem: "the backing \(s(token.backing)) is not a positive amount of ETH up to 1e15",
                              fix: "give the token's NAV in ETH (its delegated stake plus any undelegated buffer)")
            }
            if token.delegations.isEmpty, reader.hasMark("\(path).delegations"), !reader.diagnostics.contains(where: { $0.path.hasPrefix("\(path).delegations") }) {
                reader.report("\(path).delegations", problem: "token \"\(token.id)\" delegates to no operator",
                              fix: "give the ETH it delegates per operator, e.g. `{op-a: 120000}`")
            }
            var sum = 0.0
            for d in token.delegations {
                let place = "\(path).delegations.\(d.operator)"
                if operatorsComplete, index[d.operator] == nil {
                    let hint = closest(to: d.operator, in: operatorIDs).map { "did you mean \"\($0)\"? " } ?? ""
                    reader.report(place, problem: "unknown operator \"\(d.operator)\" in the delegations of token \"\(token.id)\"",
                                  fix: "\(hint)name an operator listed under `operators`")
                    continue
                }
                guard d.amount.isFinite else { continue }
                if !(d.amount >= 0 && d.amount <= ScenarioValidator.maximumStake) {
                    reader.report(place, problem: "the delegation \(s(d.amount)) is not an amount of ETH from 0 to 1e15", fix: "give the ETH delegated to the operator")
                    continue
                }
                sum += d.amount
                if let i = index[d.operator] {
                    delegated[i] += d.amount
                    places[i].append(place)
                }
            }
            if token.backing.isFinite, token.backing > 0, sum > token.backing * (1 + ScenarioValidator.tolerance) {
                reader.report("\(path).backing", problem: "token \"\(token.id)\" delegates \(s(sum)) ETH, more than its backing of \(s(token.backing)) ETH",
                              fix: "raise the backing to at least the sum of its delegations, or lower the delegations")
            }
            if token.withdrawalQueueDays.isFinite, !(0...Self.longestQueueDays).contains(token.withdrawalQueueDays) {
                reader.report("\(path).withdrawal_queue_days", problem: "the withdrawal queue of \(s(token.withdrawalQueueDays)) days is outside [0, 3650]",
                              fix: "give the days it takes to redeem the token for ETH, e.g. 7")
            }
            if let depeg = token.depeg { validateDepeg(depeg, at: "\(path).depeg") }
        }
        for (i, total) in delegated.enumerated() where !places[i].isEmpty && scenario.operators[i].stake >= 0 && total > scenario.operators[i].stake * (1 + ScenarioValidator.tolerance) {
            reader.report(places[i].last!, problem: "tokens delegate \(s(total)) ETH to operator \"\(operatorIDs[i])\", more than its stake of \(s(scenario.operators[i].stake)) ETH (\(places[i].joined(separator: ", ")))",
                          fix: "an operator's stake is what is delegated to it: raise its stake or lower these delegations")
        }
    }

    /// Tokens' protocols and every exploit: probability and NAV loss fraction in [0, 1], loadings on named
    /// factors in [−1, 1] whose squares sum to 1 at most.
    private func validateExploits(_ scenario: Scenario, protocolsComplete: Bool) {
        let protocolIDs = scenario.protocols.map(\.id)
        for (t, token) in scenario.tokens.enumerated() {
            let path = "tokens[\(t)]"
            if let name = token.protocolID, protocolsComplete, !protocolIDs.contains(name) {
                let hint = closest(to: name, in: protocolIDs).map { "did you mean \"\($0)\"? " } ?? ""
                reader.report("\(path).protocol", problem: "unknown protocol \"\(name)\" for token \"\(token.id)\"",
                              fix: protocolIDs.isEmpty ? "list it under `protocols`, e.g. `protocols: [{id: \(name), exploit: {probability: 0.002, nav_loss_fraction: 0.3}}]`"
                                  : "\(hint)name a protocol listed under `protocols`")
            }
            if let exploit = token.exploit { validateExploit(exploit, at: "\(path).exploit", scenario: scenario) }
        }
        for (j, spec) in scenario.protocols.enumerated() {
            if let exploit = spec.exploit { validateExploit(exploit, at: "protocols[\(j)].exploit", scenario: scenario) }
            if protocolsComplete, spec.exploit != nil, !scenario.tokens.contains(where: { $0.protocolID == spec.id }),
               validatorFoundTokens(scenario) {
                reader.report("protocols[\(j)].id", problem: "no token is built on protocol \"\(spec.id)\", so its exploit has no effect",
                              fix: "name it in the tokens it hits (`protocol: \(spec.id)`), or remove the protocol")
            }
        }
    }

    private func validatorFoundTokens(_ scenario: Scenario) -> Bool {
        !scenario.tokens.isEmpty && !reader.diagnostics.contains { $0.path == "tokens" || $0.path.hasSuffix(".protocol") }
    }

    private func validateExploit(_ exploit: ExploitSpec, at path: String, scenario: Scenario) {
        if exploit.probability.isFinite, !(0...1).contains(exploit.probability) {
            reader.report("\(path).probability", problem: "the exploit probability \(s(exploit.probability)) is outside [0, 1]",
                          fix: "give the probability of an exploit over the horizon, between 0 and 1, e.g. 0.005")
        }
        if exploit.navLossFraction.isFinite, !(0...1).contains(exploit.navLossFraction) {
            reader.report("\(path).nav_loss_fraction", problem: "the NAV loss fraction \(s(exploit.navLossFraction)) is outside [0, 1]",
                          fix: "give the share of the NAV an exploit takes, between 0 and 1, e.g. 0.3")
        }
        validateFactorLoadings(exploit.factorLoadings, at: "\(path).factor_loadings", what: "exploit", scenario: scenario)
    }

    /// Loadings of a latent variable (an exploit's, a veto's) on the named factors of `correlation.factors`:
    /// known factors, each in [−1, 1], squares summing to 1 at most.
    func validateFactorLoadings(_ loadings: [FactorLoading], at path: String, what: String, scenario: Scenario) {
        guard !loadings.isEmpty else { return }
        guard case .factors(let factors) = scenario.correlation else {
            reader.report(path, problem: "\(what) loadings need named factors, and this scenario's correlation has none",
                          fix: "give `correlation: {factors: [...]}` with the factors the \(what) loads on, or remove `\(path.split(separator: ".").last!)`")
            return
        }
        let ids = factors.map(\.id)
        var squares = 0.0, complete = true
        for loading in loadings {
            let place = "\(path).\(loading.operator)"
            guard ids.contains(loading.operator) else {
                let hint = closest(to: loading.operator, in: ids).map { "did you mean \"\($0)\"? " } ?? ""
                reader.report(place, problem: "unknown factor \"\(loading.operator)\" in the \(what)'s loadings", fix: "\(hint)name a factor listed under `correlation.factors`")
                complete = false
                continue
            }
            guard loading.loading.isFinite else { complete = false; continue }
            if !(-1...1).contains(loading.loading) {
                reader.report(place, problem: "the loading \(s(loading.loading)) is outside [-1, 1]",
                              fix: "\(what == "exploit" ? "an exploit" : "a \(what)") loading is the correlation of the \(what)'s latent variable with the factor, between -1 and 1")
                complete = false
                continue
            }
            squares += loading.loading * loading.loading
        }
        if complete, squares > 1 + ScenarioValidator.tolerance {
            reader.report(path, problem: "the squared loadings of the \(what) sum to \(String(format: "%.6g", squares)), above 1",
                          fix: "lower its loadings so that their squares sum to 1 or less")
        }
    }

    /// The depeg model's ranges (also used for a stress file's depeg overrides).
    func validateDepeg(_ depeg: DepegTerms, at path: String) {
        if depeg.perNAVLoss.isFinite, !(0...1000).contains(depeg.perNAVLoss) {
            reader.report("\(path).per_nav_loss", problem: "the depeg per NAV loss \(s(depeg.perNAVLoss)) is outside [0, 1000]",
                          fix: "give how many times the NAV loss the market discount grows, e.g. 2 (a 1 % NAV loss gives a 2 % discount)")
        }
        for (value, key) in [(depeg.floorDiscount, "floor_discount"), (depeg.perQueueDay, "per_queue_day")] where value.isFinite && !(0...1).contains(value) {
            reader.report("\(path).\(key)", problem: "the \(key.replacingOccurrences(of: "_", with: " ")) \(s(value)) is outside [0, 1]",
                          fix: "give a share of the NAV, between 0 and 1, e.g. 0.01")
        }
    }

    private func validatePortfolios(_ scenario: Scenario, tokensComplete: Bool) {
        let tokenIDs = scenario.tokens.map(\.id)
        for (p, portfolio) in scenario.portfolios.enumerated() {
            let path = "portfolios[\(p)]"
            var total = 0.0
            for h in portfolio.holdings {
                let place = "\(path).holdings.\(h.token)"
                if tokensComplete, !tokenIDs.contains(h.token) {
                    let hint = closest(to: h.token, in: tokenIDs).map { "did you mean \"\($0)\"? " } ?? ""
                    reader.report(place, problem: "unknown token \"\(h.token)\" in the holdings of portfolio \"\(portfolio.id)\"",
                                  fix: "\(hint)name a token listed under `tokens`")
                    continue
                }
                guard h.amount.isFinite else { continue }
                if !(h.amount >= 0 && h.amount <= ScenarioValidator.maximumStake) {
                    reader.report(place, problem: "the holding \(s(h.amount)) is not an amount of ETH from 0 to 1e15",
                                  fix: "give the ETH value of the holding at NAV")
                    continue
                }
                total += h.amount
            }
            let holdingsOK = !reader.diagnostics.contains { $0.path.hasPrefix("\(path).holdings") }
            if holdingsOK, total <= 0 {
                reader.report("\(path).holdings", problem: "portfolio \"\(portfolio.id)\" holds nothing", fix: "give the ETH value held in at least one token")
            }
            guard let leverage = portfolio.leverage else { continue }
            let lPath = "\(path).leverage"
            // The key as written: `liquidation_threshold`, or its old name (accepted with a warning).
            let threshold = reader.marks["\(lPath).liquidation_ltv"] != nil ? "liquidation_ltv" : "liquidation_threshold"
            if leverage.liquidationLTV.isFinite, !(leverage.liquidationLTV > 0 && leverage.liquidationLTV <= 1) {
                reader.report("\(lPath).\(threshold)", problem: "the liquidation threshold \(s(leverage.liquidationLTV)) is outside (0, 1]",
                              fix: "give the debt-to-value at which the lender liquidates, e.g. 0.93")
            }
            if leverage.liquidationPenalty.isFinite, !(0...1).contains(leverage.liquidationPenalty) {
                reader.report("\(lPath).liquidation_penalty", problem: "the liquidation penalty \(s(leverage.liquidationPenalty)) is outside [0, 1]",
                              fix: "give the share of the collateral lost on liquidation, e.g. 0.05")
            }
            guard leverage.debt.isFinite else { continue }
            if leverage.debt < 0 {
                reader.report("\(lPath).debt", problem: "the debt \(s(leverage.debt)) is negative", fix: "give the ETH borrowed against the holdings, 0 or more")
            } else if holdingsOK, total > 0, leverage.liquidationLTV.isFinite, leverage.liquidationLTV > 0, leverage.debt > leverage.liquidationLTV * total {
                reader.report("\(lPath).debt", problem: "the debt \(s(leverage.debt)) ETH is above \(threshold) × holdings = \(s(leverage.liquidationLTV * total)) ETH: the position would be liquidated before any loss",
                              fix: "lower the debt below \(s(leverage.liquidationLTV * total)) ETH or raise the holdings")
            }
        }
    }
}
