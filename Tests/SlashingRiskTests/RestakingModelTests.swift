import BatchFiles
import ScenarioFormat
import SlashingCore
import SlashingReports
import Testing

/// The restaking layer against exact answers: the general loss pass, AVS incidents, tokens, the Student t
/// copula, derived correlation and incidents loading on factors. Fixed seeds, tolerances from the Monte
/// Carlo standard error (`MonteCarloExpectations`).
@Suite struct RestakingModelTests {
    let levels = [0.5, 0.9, 0.95, 0.99, 0.995, 0.999]

    /// Plain models give exactly the same numbers through the general loss pass as through the kernels' sums,
    /// on the conditional, Cholesky and exchangeable paths.
    @Test(arguments: [CorrelationSpec.constant(0.3), .matrix(ScenarioFixtures.constantMatrix(12, 0.3)), .constant(-0.05), .independent])
    func lossPassReproducesTheKernelSums(correlation: CorrelationSpec) throws {
        let losses = (0..<12).map { Double(100 + 37 * $0) }
        let scenario = ScenarioFixtures.operators(losses: losses, probabilities: Array(repeating: 0.04, count: 12), correlation: correlation)
        let engine = SimulationEngine(model: try CompiledModel(scenario: scenario))
        let plain = engine.run(trials: 50_000, seed: 3, threads: 2)
        let general = engine.run(trials: 50_000, seed: 3, threads: 2, forceLossPass: true)
        #expect(plain.losses.positiveLosses == general.losses.positiveLosses)
        #expect(plain.faultCounts == general.faultCounts)
        #expect(plain.slashCounts == general.slashCounts)
        for (a, b) in zip(plain.operatorLossSums, general.operatorLossSums) { #expect(abs(a - b) <= 1e-9 * max(1, a)) }
        for (a, b) in zip(plain.serviceLossSums, general.serviceLossSums) { #expect(abs(a - b) <= 1e-9 * max(1, a)) }
    }

    /// Four operators, two services with incidents (one slashing whole allocations). Conditional on which
    /// services fail, operators are independent with two-point losses; mixing over the four incident sets
    /// gives the exact distribution.
    static func incidentScenario(correlation: CorrelationSpec = .independent) -> Scenario {
        Scenario(
            name: "incidents",
            operators: [
                OperatorSpec(id: "a", stake: 1024, faultProbability: 0.05), OperatorSpec(id: "b", stake: 2048, faultProbability: 0.03),
                OperatorSpec(id: "c", stake: 4096, faultProbability: 0.02), OperatorSpec(id: "d", stake: 512, faultProbability: 0.1),
            ],
            services: [ServiceSpec(id: "A", slashFraction: 0.5, incidentProbability: 0.03, incidentSlashFraction: 1),
                       ServiceSpec(id: "B", slashFraction: 0.25, incidentProbability: 0.05)],
            allocations: [AllocationSpec(operator: "a", service: "A", magnitude: 0.5), AllocationSpec(operator: "a", service: "B", magnitude: 0.5),
                          AllocationSpec(operator: "b", service: "A", magnitude: 1), AllocationSpec(operator: "c", service: "B", magnitude: 0.75),
                          AllocationSpec(operator: "d", service: "A", magnitude: 0.25)],
            correlation: correlation)
    }

    /// ℓ_i given its fault and the incidents, written out from the model's definition.
    static func incidentLoss(_ scenario: Scenario, operator i: Int, faulted: Bool, incidents: Set<String>) -> Double {
        let op = scenario.operators[i]
        var share = 0.0
        for a in scenario.allocations where a.operator == op.id {
            let service = scenario.services.first { $0.id == a.service }!
            let perUnit = (faulted ? service.slashFraction : 0) + (incidents.contains(service.id) ? service.incidentSlashFraction ?? service.slashFraction : 0)
            share += a.magnitude * min(1, perUnit)
        }
        return op.stake * min(1, share)
    }

    @Test func incidentsMatchConditioningOnWhichServicesFail() throws {
        let scenario = Self.incidentScenario()
        var parts: [(weight: Double, masses: [Double: Double])] = []
        for mask in 0..<4 {
            let failed = Set(scenario.services.indices.filter { mask & (1 << $0) != 0 }.map { scenario.services[$0].id })
            let weight = scenario.services.enumerated().reduce(1.0) { w, e in
                w * (failed.contains(e.element.id) ? e.element.incidentProbability : 1 - e.element.incidentProbability)
            }
            let low = scenario.operators.indices.map { Self.incidentLoss(scenario, operator: $0, faulted: false, incidents: failed) }
            let high = scenario.operators.indices.map { Self.incidentLoss(scenario, operator: $0, faulted: true, incidents: failed) }
            parts.append((weight, ExactDistribution.independentTwoPoint(low: low, high: high, probabilities: scenario.operators.map(\.faultProbability))))
        }
        let exact = ExactDistribution.mixture(parts)
        let (summary, result) = try ScenarioFixtures.simulate(scenario, trials: 1_000_000, seed: 21, levels: levels)
        MonteCarloExpectations.expectMatches(summary, exact, levels: levels)
        for (count, service) in zip(result.incidentCounts, scenario.services) {
            let q = service.incidentProbability, phat = Double(count) / 1e6
            #expect(abs(phat - q) <= 4 * (q * (1 - q) / 1e6).squareRoot(), "incident rate of \(service.id): \(phat) vs \(q)")
        }
        // Operators and services split the same expected loss.
        let operatorTotal = result.operatorLossSums.reduce(0, +), serviceTotal = result.serviceLossSums.reduce(0, +)
        #expect(abs(operatorTotal - serviceTotal) <= 1e-9 * operatorTotal)
        #expect(abs(operatorTotal / 1e6 - summary.mean) <= 1e-9 * summary.mean)
    }

    /// A token is linear in the operators' slashed shares: delegating half of every stake gives half the
    /// total loss in every trial (exactly, with these dyadic numbers).
    @Test func tokenLossIsLinearInOperatorLosses() throws {
        var scenario = Self.incidentScenario(correlation: .constant(0.2))
        scenario.tokens = [
            TokenSpec(id: "half", backing: 4000, delegations: scenario.operators.map { ($0.id, $0.stake / 2) }),
            TokenSpec(id: "whole", backing: 8000, delegations: scenario.operators.map { ($0.id, $0.stake) }),
        ]
        let model = try CompiledModel(scenario: scenario)
        let result = SimulationEngine(model: model).run(trials: 200_000, seed: 5, threads: 2)
        #expect(result.tokenLosses[1].positiveLosses == result.losses.positiveLosses)
        #expect(result.tokenLosses[0].positiveLosses == result.losses.positiveLosses.map { $0 / 2 })
    }

    /// A token over some operators only: the exact distribution of Σ_i d_i·f_i with independent faults.
    @Test func tokenOverSomeOperatorsMatchesConvolution() throws {
        var scenario = ScenarioFixtures.operators(losses: [1000, 3000, 500, 8000], probabilities: [0.05, 0.02, 0.1, 0.01])
        scenario.tokens = [TokenSpec(id: "t", backing: 5000, delegations: [("op-0", 250), ("op-1", 3000), ("op-3", 1024)])]
        let model = try CompiledModel(scenario: scenario)
        let result = SimulationEngine(model: model).run(trials: 1_000_000, seed: 17, threads: 2)
        let exact = ExactDistribution(ExactDistribution.independentTwoPoint(low: [0, 0, 0, 0], high: [250, 3000, 0, 1024],
                                                                             probabilities: [0.05, 0.02, 0.1, 0.01]))
        MonteCarloExpectations.expectMatches(RiskStatistics.summarize(result.tokenLosses[0], levels: levels), exact, levels: levels)
    }

    /// Student t copula, one factor, on the conditional path (constant ρ), the Cholesky path (matrix) and,
    /// for ρ = 0 (uncorrelated but dependent through W), the plain-uniform path's t variant.
    @Test(arguments: [(0.3, false), (0.3, true), (0.0, false)])
    func studentTCopulaMatchesIntegrationOverTheMixingVariable(rho: Double, asMatrix: Bool) throws {
        let n = 20, p = 0.02, loss = 1000.0, nu = 4.0
        let c = -2.9985278732065868  // t_4⁻¹(0.02), SciPy
        let exact = ExactDistribution.studentTOneFactor(operators: n, threshold: c, degreesOfFreedom: nu, loss: loss, rho: rho)
        var scenario = ScenarioFixtures.operators(losses: Array(repeating: loss, count: n), probabilities: Array(repeating: p, count: n),
                                                  correlation: asMatrix ? .matrix(ScenarioFixtures.constantMatrix(n, rho)) : .constant(rho))
        scenario.copula = .studentT(degreesOfFreedom: nu)
        let (summary, _) = try ScenarioFixtures.simulate(scenario, trials: 1_000_000, seed: 31, levels: levels)
        MonteCarloExpectations.expectMatches(summary, exact, levels: levels)
        // Tail dependence: fatter tail than the Gaussian copula with the same ρ.
        if rho > 0 {
            let gaussian = ExactDistribution.oneFactor(operators: n, probability: p, loss: loss, rho: rho)
            #expect(exact.expectedShortfall(0.999) > gaussian.expectedShortfall(0.999))
        }
    }

    /// Derived correlation: a common weight and one tag kind give two blocks (ρ = 0.4 within, 0.1 across),
    /// which is the two-block reference with factor correlation 0.25.
    @Test func derivedCorrelationFromTagsMatchesTwoBlocks() throws {
        let a = (n: 6, p: 0.03, loss: 2000.0, rho: 0.4)
        let b = (n: 10, p: 0.01, loss: 700.0, rho: 0.4)
        let exact = ExactDistribution.twoBlocks(a: a, b: b, factorCorrelation: 0.25)
        let n = a.n + b.n
        var scenario = ScenarioFixtures.operators(losses: (0..<n).map { $0 < a.n ? a.loss : b.loss },
                                                  probabilities: (0..<n).map { $0 < a.n ? a.p : b.p },
                                                  correlation: .derived(DerivedCorrelationSpec(common: 0.1, tags: ["cloud": 0.3])))
        for i in 0..<n { scenario.operators[i].tags = ["cloud": i < a.n ? "aws" : "gcp"] }
        let model = try CompiledModel(scenario: scenario)
        #expect(abs(model.averagePairwiseCorrelation - (0.1 + 0.3 * Double(a.n * (a.n - 1) + b.n * (b.n - 1)) / Double(n * (n - 1)))) < 1e-12)
        let (summary, _) = try ScenarioFixtures.simulate(scenario, trials: 1_000_000, seed: 41, levels: levels)
        MonteCarloExpectations.expectMatches(summary, exact, levels: levels)
    }

    /// A derived correlation and the explicit matrix it implies (run through Cholesky) are the same model:
    /// their means, P(loss) and 99 % ES agree within four combined standard errors.
    @Test func derivedCorrelationAndItsMatrixThroughCholeskyAgreeInDistribution() throws {
        let ids = (0..<12).map { "op-\($0)" }
        let services = ["X", "Y", "Z"]
        var allocations: [AllocationSpec] = []
        for (i, id) in ids.enumerated() {
            allocations.append(AllocationSpec(operator: id, service: services[i % 3], magnitude: 0.5))
            if i % 3 != (i / 3) % 3 { allocations.append(AllocationSpec(operator: id, service: services[(i / 3) % 3], magnitude: 0.3)) }
        }
        let derived = Scenario(
            name: "derived", operators: ids.enumerated().map { i, id in
                OperatorSpec(id: id, stake: Double(1000 + 250 * i), faultProbability: 0.02 + 0.002 * Double(i),
                             tags: ["cloud": i < 7 ? "aws" : "gcp", "client": i % 2 == 0 ? "lighthouse" : "prysm"])
            },
            services: services.map { ServiceSpec(id: $0, slashFraction: 0.5) }, allocations: allocations,
            correlation: .derived(DerivedCorrelationSpec(common: 0.05, sharedServices: 0.15, tags: ["cloud": 0.2, "client": 0.1])))
        let model = try CompiledModel(scenario: derived)
        guard case .factors(let factorIDs, let a, _) = model.dependence else { Issue.record("expected factors"); return }
        let n = ids.count, k = factorIDs.count
        let matrix = (0..<n).map { i in (0..<n).map { j in i == j ? 1.0 : (0..<k).reduce(0.0) { $0 + a[i + $1 * n] * a[j + $1 * n] } } }
        var explicit = derived
        explicit.correlation = .matrix(matrix)
        guard case .cholesky = try CompiledModel(scenario: explicit).dependence else { Issue.record("expected Cholesky"); return }
        let x = try ScenarioFixtures.simulate(derived, trials: 600_000, seed: 71, levels: [0.99]).summary
        let y = try ScenarioFixtures.simulate(explicit, trials: 600_000, seed: 72, levels: [0.99]).summary
        func close(_ a: Double, _ sa: Double, _ b: Double, _ sb: Double) -> Bool { abs(a - b) <= 4 * (sa * sa + sb * sb).squareRoot() }
        #expect(close(x.mean, x.meanStandardError, y.mean, y.meanStandardError), "\(x.mean) vs \(y.mean)")
        #expect(close(x.probabilityOfLoss, x.probabilityOfLossStandardError, y.probabilityOfLoss, y.probabilityOfLossStandardError))
        #expect(close(x.expectedShortfall[0].loss, x.expectedShortfall[0].standardError, y.expectedShortfall[0].loss, y.expectedShortfall[0].standardError),
                "\(x.expectedShortfall[0].loss) vs \(y.expectedShortfall[0].loss)")
    }

    /// Derived correlation from shared services: the implied matrix is common + Σ shared-service weights,
    /// capped operators are scaled to max_systematic and reported.
    @Test func derivedCorrelationFromSharedServicesBuildsTheStatedMatrix() throws {
        let scenario = Scenario(
            name: "shared",
            operators: ["a", "b", "c"].map { OperatorSpec(id: $0, stake: 100, faultProbability: 0.01) },
            services: ["X", "Y"].map { ServiceSpec(id: $0, slashFraction: 0.1) },
            allocations: [AllocationSpec(operator: "a", service: "X", magnitude: 0.5), AllocationSpec(operator: "b", service: "X", magnitude: 0.5),
                          AllocationSpec(operator: "b", service: "Y", magnitude: 0.5), AllocationSpec(operator: "c", service: "Y", magnitude: 0.5)],
            correlation: .derived(DerivedCorrelationSpec(common: 0.05, sharedServices: 0.2, serviceWeights: ["Y": 0.3])))
        let model = try CompiledModel(scenario: scenario)
        guard case .factors(let ids, let loadings, _) = model.dependence else { Issue.record("expected factors"); return }
        #expect(ids == ["common", "service:X", "service:Y"])
        func rho(_ i: Int, _ j: Int) -> Double { (0..<ids.count).reduce(0) { $0 + loadings[i + $1 * 3] * loadings[j + $1 * 3] } }
        #expect(abs(rho(0, 1) - 0.25) < 1e-15)
        #expect(abs(rho(1, 2) - 0.35) < 1e-15)
        #expect(abs(rho(0, 2) - 0.05) < 1e-15)
        var capped = scenario
        capped.correlation = .derived(DerivedCorrelationSpec(common: 0.5, sharedServices: 0.3, maximumSystematic: 0.9))
        let cappedModel = try CompiledModel(scenario: capped)
        #expect(cappedModel.warnings.contains { $0.contains("1 operator") && $0.contains("b (1.1)") })
    }

    /// An incident that loads on the operators' common factor: conditional on the factor, the incident and
    /// the operators' faults are independent; the reference integrates over the factor.
    @Test func incidentLoadingOnAFactorMatchesQuadrature() throws {
        let (scenario, exact) = ExactDistribution.correlatedIncident()
        let (summary, _) = try ScenarioFixtures.simulate(scenario, trials: 1_000_000, seed: 43, levels: levels)
        MonteCarloExpectations.expectMatches(summary, exact, levels: levels)
    }

    /// Stresses run on common random numbers: a stress that changes nothing gives the base numbers exactly,
    /// and forcing an incident gives the exact distribution conditional on that incident.
    @Test func stressesShareRandomNumbersAndForcedIncidentsMatchTheConditionalDistribution() throws {
        let base = Self.incidentScenario()
        let unchanged = StressSpec(name: "nothing", faultProbabilityScale: 1).apply(to: base)
        let a = SimulationEngine(model: try CompiledModel(scenario: base)).run(trials: 100_000, seed: 9, threads: 2)
        let b = SimulationEngine(model: try CompiledModel(scenario: unchanged)).run(trials: 100_000, seed: 9, threads: 1)
        #expect(a.losses.positiveLosses == b.losses.positiveLosses)

        var forced = StressSpec(name: "A fails")
        forced.incidentProbabilities = [("A", 1)]
        let stressed = forced.apply(to: base)
        var parts: [(weight: Double, masses: [Double: Double])] = []
        for bFails in [false, true] {
            let failed: Set<String> = bFails ? ["A", "B"] : ["A"]
            let q = base.services[1].incidentProbability
            let low = base.operators.indices.map { Self.incidentLoss(base, operator: $0, faulted: false, incidents: failed) }
            let high = base.operators.indices.map { Self.incidentLoss(base, operator: $0, faulted: true, incidents: failed) }
            parts.append((bFails ? q : 1 - q, ExactDistribution.independentTwoPoint(low: low, high: high, probabilities: base.operators.map(\.faultProbability))))
        }
        let (summary, result) = try ScenarioFixtures.simulate(stressed, trials: 500_000, seed: 9, levels: levels)
        MonteCarloExpectations.expectMatches(summary, ExactDistribution.mixture(parts), levels: levels)
        #expect(result.incidentCounts[0] == 500_000)
        // Common random numbers: in every trial the stressed loss is at least the base loss (the stress only adds
        // slashing), so every quantile moves up.
        let baseSummary = RiskStatistics.summarize(SimulationEngine(model: try CompiledModel(scenario: base)).run(trials: 500_000, seed: 9, threads: 2).losses, levels: levels)
        for (x, y) in zip(summary.quantiles, baseSummary.quantiles) { #expect(x.loss >= y.loss) }
    }
}
