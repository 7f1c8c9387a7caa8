import SlashingCore

extension CompiledModel {
    /// Compiles a validated scenario into the core's dense model: the one step from the file's terms (ids,
    /// correlation forms) to indices and arrays.
    public init(scenario: Scenario) throws(CholeskyFactor.NotPositiveDefinite) {
        let operatorIDs = scenario.operators.map(\.id)
        let operatorIndex = Dictionary(uniqueKeysWithValues: operatorIDs.enumerated().map { ($1, $0) })
        let serviceIndex = Dictionary(uniqueKeysWithValues: scenario.services.enumerated().map { ($1.id, $0) })
        let n = operatorIDs.count, s = scenario.services.count
        var repair: NearestCorrelation.Result?
        var warnings = scenario.warnings
        var incidentLoadings: [Double] = []
        var factorOrigin: FactorOrigin?
        let dependence: Dependence
        switch scenario.correlation {
        case .independent:
            dependence = .independent
        case .constant(let rho) where rho == 0:
            dependence = .independent
        case .constant(let rho) where rho > 0:
            dependence = .oneFactor(rho: rho)
        case .constant(let rho):
            dependence = CompiledModel.exchangeable(rho: rho, operators: n)
        case .matrix(let rows):
            dependence = .cholesky(try CholeskyFactor(symmetric: rows))
        case .factors(let specs):
            let k = specs.count
            var a = [Double](repeating: 0, count: n * k)
            var g = [Double](repeating: 0, count: s * k)
            for (f, spec) in specs.enumerated() {
                for l in spec.loadings { a[operatorIndex[l.operator]! + f * n] += l.loading }
                for l in spec.serviceLoadings { g[serviceIndex[l.operator]! + f * s] += l.loading }
            }
            dependence = CompiledModel.factors(ids: specs.map(\.id), loadings: a, operators: n)
            if g.contains(where: { $0 != 0 }) { incidentLoadings = g }
            factorOrigin = .named
        case .derived(let spec):
            let built = DerivedFactors(spec: spec, scenario: scenario, operatorIndex: operatorIndex)
            dependence = built.ids.isEmpty ? .independent : CompiledModel.factors(ids: built.ids, loadings: built.loadings, operators: n)
            if built.serviceLoadings.contains(where: { $0 != 0 }) { incidentLoadings = built.serviceLoadings }
            warnings += built.warnings
            factorOrigin = .derived
        case .repairedMatrix(let rows):
            if let factor = try? CholeskyFactor(symmetric: rows) {
                dependence = .cholesky(factor)
            } else {
                let repaired = NearestCorrelation.repair(rows)
                repair = repaired
                dependence = .cholesky(try CholeskyFactor(symmetric: repaired.matrix))
            }
        }
        // Veto loadings on the named factors (S×K, column-major), when some service has them.
        var vetoLoadings: [Double] = []
        if case .factors(let specs) = scenario.correlation, scenario.services.contains(where: { !$0.vetoFactorLoadings.isEmpty }) {
            vetoLoadings = [Double](repeating: 0, count: s * specs.count)
            for (j, service) in scenario.services.enumerated() {
                for l in service.vetoFactorLoadings { vetoLoadings[j + specs.firstIndex { $0.id == l.operator }! * s] += l.loading }
            }
        }
        let services = ServiceLayer(
            ids: scenario.services.map(\.id), slashFractions: scenario.services.map(\.slashFraction),
            incidentProbabilities: scenario.services.map(\.incidentProbability),
            incidentSlashFractions: scenario.services.map(\.incidentSlashFraction),
            incidentLoadings: incidentLoadings, copula: scenario.copula,
            vetoProbabilities: scenario.services.map(\.vetoProbability), vetoLoadings: vetoLoadings, operatorCount: n,
            allocations: scenario.allocations.map {
                ServiceLayer.Allocation(operator: operatorIndex[$0.operator]!, service: serviceIndex[$0.service]!, magnitude: $0.magnitude)
            })
        let tokenIndex = Dictionary(uniqueKeysWithValues: scenario.tokens.enumerated().map { ($1.id, $0) })
        // Exploits: the tokens' own (in token order), then the protocols' (each hitting the tokens that name it).
        let factorIDs: [String]
        if case .factors(let specs) = scenario.correlation { factorIDs = specs.map(\.id) } else { factorIDs = [] }
        func loadings(_ spec: ExploitSpec) -> [Double] {
            guard !spec.factorLoadings.isEmpty else { return [] }
            var g = [Double](repeating: 0, count: factorIDs.count)
            for l in spec.factorLoadings { g[factorIDs.firstIndex(of: l.operator)!] += l.loading }
            return g
        }
        var exploits: [TokenLayer.Exploit] = []
        for (t, token) in scenario.tokens.enumerated() {
            guard let spec = token.exploit, spec.probability > 0, spec.navLossFraction > 0 else { continue }
            exploits.append(TokenLayer.Exploit(label: "token \(token.id)", probability: spec.probability, navLossFraction: spec.navLossFraction,
                                               loadings: loadings(spec), tokens: [t], copula: scenario.copula))
        }
        for item in scenario.protocols {
            guard let spec = item.exploit, spec.probability > 0, spec.navLossFraction > 0 else { continue }
            let hit = scenario.tokens.indices.filter { scenario.tokens[$0].protocolID == item.id }
            guard !hit.isEmpty else { continue }
            exploits.append(TokenLayer.Exploit(label: "protocol \(item.id)", probability: spec.probability, navLossFraction: spec.navLossFraction,
                                               loadings: loadings(spec), tokens: hit, copula: scenario.copula))
        }
        let tokens = TokenLayer(
            operatorCount: n,
            tokens: scenario.tokens.map { spec in
                (TokenLayer.Token(id: spec.id, backing: spec.backing, delegated: spec.delegations.reduce(0) { $0 + $1.amount },
                                  depeg: spec.depeg, withdrawalQueueDays: spec.withdrawalQueueDays),
                 spec.delegations.map { (operatorIndex[$0.operator]!, $0.amount) })
            },
            portfolios: scenario.portfolios.map { spec in
                TokenLayer.Portfolio(id: spec.id, holdings: spec.holdings.map { (tokenIndex[$0.token]!, $0.amount) },
                                     debt: spec.leverage?.debt ?? 0, liquidationLTV: spec.leverage?.liquidationLTV ?? 1,
                                     liquidationPenalty: spec.leverage?.liquidationPenalty ?? 0)
            },
            exploits: exploits)
        // Fault modes: each mode's fraction for each of its operator's allocations, in the service layer's order.
        var faultModes: FaultModes?
        if scenario.operators.contains(where: { $0.faultModes != nil }) {
            var allocationsOf = [[AllocationSpec]](repeating: [], count: n)
            for a in scenario.allocations { allocationsOf[operatorIndex[a.operator]!].append(a) }
            faultModes = FaultModes(perOperator: scenario.operators.enumerated().map { i, op in
                (op.faultModes ?? []).map { mode in
                    FaultModes.Mode(id: mode.id, probability: mode.probability, allocationFractions: allocationsOf[i].map { a in
                        let service = scenario.services[serviceIndex[a.service]!]
                        return mode.slashes(service) ? mode.slashFraction ?? service.slashFraction : 0
                    })
                }
            })
        }
        self.init(operatorIDs: operatorIDs, stakes: scenario.operators.map(\.stake),
                  faultProbabilities: scenario.operators.map(\.faultProbability), copula: scenario.copula,
                  dependence: dependence, services: services, tokens: tokens, faultModes: faultModes, factorOrigin: factorOrigin,
                  repair: repair, warnings: warnings)
        latentPrecision = scenario.simulation.precision
    }
}
