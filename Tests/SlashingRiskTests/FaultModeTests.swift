import Foundation
import ScenarioFormat
import SlashingCore
import SlashingReports
import Testing

/// Fault modes (unique stake, issue 15 point 1) against exact answers: conditional on the common factor the
/// operators fault independently, and a faulting operator's modes are independent Bernoulli(q_k) conditioned
/// on at least one, so integrating the conditional distributions over the factor gives the exact loss
/// distribution. Fixed seeds, tolerances from the Monte Carlo standard error.
@Suite struct FaultModeTests {
    let levels = [0.5, 0.9, 0.95, 0.99]

    /// Three operators under a one-factor correlation ρ = 0.3:
    /// - a: default modes — key compromise (every service at its own fraction) and liveness (oracle only, 1/8);
    /// - b: its own double-sign mode (every service, all of it) and a bridge-only safety fault (1/4);
    /// - c: a plain fault probability (no modes).
    static func scenario(correlation: CorrelationSpec = .constant(0.3)) -> Scenario {
        var scenario = Scenario(
            name: "modes",
            operators: [
                OperatorSpec(id: "a", stake: 64, faultProbability: .nan,
                             faultModes: [FaultModeSpec(id: "key", probability: 0.02), FaultModeSpec(id: "liveness", probability: 0.125, services: ["oracle"], slashFraction: 0.125)]),
                OperatorSpec(id: "b", stake: 128, faultProbability: .nan,
                             faultModes: [FaultModeSpec(id: "double-sign", probability: 0.01, slashFraction: 1),
                                          FaultModeSpec(id: "bridge-safety", probability: 0.05, services: ["bridge"], slashFraction: 0.25)]),
                OperatorSpec(id: "c", stake: 32, faultProbability: 0.0625),
            ],
            services: [ServiceSpec(id: "oracle", slashFraction: 0.5), ServiceSpec(id: "bridge", slashFraction: 0.75)],
            allocations: [AllocationSpec(operator: "a", service: "oracle", magnitude: 0.5), AllocationSpec(operator: "a", service: "bridge", magnitude: 0.5),
                          AllocationSpec(operator: "b", service: "oracle", magnitude: 0.25), AllocationSpec(operator: "b", service: "bridge", magnitude: 0.75),
                          AllocationSpec(operator: "c", service: "oracle", magnitude: 1)],
            correlation: correlation)
        scenario.operators[0].usesDefaultModes = true
        return scenario
    }

    /// An operator's loss for a set of its modes, in the engine's order of operations: per allocation the
    /// modes' fractions in mode order, m·min(1, ·), summed over allocations, min(1, ·)·stake.
    static func modeLoss(_ scenario: Scenario, operator i: Int, modes set: [Int]) -> Double {
        let op = scenario.operators[i]
        var total = 0.0
        for a in scenario.allocations where a.operator == op.id {
            let service = scenario.services.first { $0.id == a.service }!
            var part = 0.0
            if let modes = op.faultModes {
                for k in set where modes[k].services?.contains(a.service) ?? true { part += modes[k].slashFraction ?? service.slashFraction }
            } else {
                part = service.slashFraction
            }
            total += a.magnitude * min(1, part)
        }
        return op.stake * min(1, total)
    }

    /// Per operator: its fault probability and, given a fault, each loss with its probability (the mode sets'
    /// independent-Bernoulli probabilities divided by P(at least one)).
    static func conditionalLosses(_ scenario: Scenario) -> [(p: Double, losses: [Double: Double])] {
        scenario.operators.indices.map { i in
            let op = scenario.operators[i]
            guard let modes = op.faultModes else { return (op.faultProbability, [modeLoss(scenario, operator: i, modes: []): 1]) }
            let q = modes.map(\.probability)
            let p = 1 - q.reduce(1) { $0 * (1 - $1) }
            var losses: [Double: Double] = [:]
            for bits in 1..<(1 << q.count) {
                let set = (0..<q.count).filter { bits & (1 << $0) != 0 }
                let probability = (0..<q.count).reduce(1.0) { $0 * (set.contains($1) ? q[$1] : 1 - q[$1]) } / p
                losses[modeLoss(scenario, operator: i, modes: set), default: 0] += probability
            }
            return (p, losses)
        }
    }

    /// The exact distribution of the total under a one-factor correlation ρ: trapezoid rule over F on [−8, 8]
    /// (2,001 points), the conditional distribution at each F by convolution in operator order.
    static func exactTotal(_ scenario: Scenario, rho: Double) -> ExactDistribution {
        let parts = conditionalLosses(scenario)
        var masses: [Double: Double] = [:]
        let steps = 2000, width = 16.0 / Double(steps)
        for s in 0...steps {
            let f = -8 + Double(s) * width
            let density = exp(-f * f / 2) / (2 * Double.pi).squareRoot() * width * ((s == 0 || s == steps) ? 0.5 : 1)
            var conditional: [Double: Double] = [0: 1]
            for part in parts {
                let pf = NormalDistribution.cdf((NormalDistribution.quantile(part.p) - rho.squareRoot() * f) / (1 - rho).squareRoot())
                var next: [Double: Double] = [:]
                for (x, w) in conditional {
                    next[x, default: 0] += w * (1 - pf)
                    for (loss, c) in part.losses { next[x + loss, default: 0] += w * pf * c }
                }
                conditional = next
            }
            for (x, w) in conditional { masses[x, default: 0] += density * w }
        }
        let total = masses.values.reduce(0, +)
        return ExactDistribution(masses.mapValues { $0 / total })
    }

    @Test func modesMatchIntegrationOverTheFactor() throws {
        let scenario = Self.scenario()
        let model = try CompiledModel(scenario: scenario)
        #expect(abs(model.faultProbabilities[0] - (1 - 0.98 * 0.875)) < 1e-15 && model.faultProbabilities[2] == 0.0625)
        let trials = 100_000
        let result = SimulationEngine(model: model).run(trials: trials, seed: 21, threads: 2)
        MonteCarloExpectations.expectMatches(RiskStatistics.summarize(result.losses, levels: levels), Self.exactTotal(scenario, rho: 0.3), levels: levels)
        // Each mode's frequency is its probability (the modes of one operator are independent).
        let q = [0.02, 0.125, 0.01, 0.05]
        for (k, estimate) in result.faultModeProbabilities.enumerated() {
            #expect(abs(estimate.value - q[k]) <= MonteCarloExpectations.z * (q[k] * (1 - q[k]) / Double(trials)).squareRoot(), "mode \(k): \(estimate.value)")
        }
    }

    /// Operator a alone, independent: the exact law of its loss, which separates the mode sets (key alone 32,
    /// liveness alone 4, both 4 + 16·min(1, 5/8)·… = 34).
    @Test func modeSetsOfOneOperatorAreExact() throws {
        var scenario = Self.scenario(correlation: .independent)
        scenario.operators = [scenario.operators[0]]
        scenario.allocations = scenario.allocations.filter { $0.operator == "a" }
        let part = Self.conditionalLosses(scenario)[0]
        #expect(part.losses.count == 3)
        var masses = part.losses.mapValues { $0 * part.p }
        masses[0, default: 0] += 1 - part.p
        let result = SimulationEngine(model: try CompiledModel(scenario: scenario)).run(trials: 100_000, seed: 4, threads: 2)
        MonteCarloExpectations.expectMatches(RiskStatistics.summarize(result.losses, levels: levels), ExactDistribution(masses), levels: levels)
    }

    /// One explicit mode "any" on every service at its own fraction is the model without modes, number for
    /// number (a probability whose 1 − (1 − q) is exact, so that the thresholds are the same).
    @Test func singleModeIsTheModelWithoutModes() throws {
        var plain = Self.scenario()
        plain.operators[0] = OperatorSpec(id: "a", stake: 64, faultProbability: 0.125)
        plain.operators[1] = OperatorSpec(id: "b", stake: 128, faultProbability: 0.0625)
        var moded = plain
        moded.operators[0] = OperatorSpec(id: "a", stake: 64, faultProbability: .nan, faultModes: [FaultModeSpec(id: "any", probability: 0.125)])
        moded.operators[1] = OperatorSpec(id: "b", stake: 128, faultProbability: .nan, faultModes: [FaultModeSpec(id: "any", probability: 0.0625)])
        let a = SimulationEngine(model: try CompiledModel(scenario: plain)).run(trials: 100_000, seed: 8, threads: 2)
        let b = SimulationEngine(model: try CompiledModel(scenario: moded)).run(trials: 100_000, seed: 8, threads: 2)
        #expect(a.losses.positiveLosses == b.losses.positiveLosses && a.slashCounts == b.slashCounts)
        #expect(a.operatorLossSums == b.operatorLossSums && a.serviceLossSums == b.serviceLossSums)
    }

    /// A stress's `fault_probability_scale` scales every mode (capped at 1) and the fault probability follows;
    /// `fault_probabilities` of an operator with modes is refused with the way to do it.
    @Test func stressScalesModes() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("slashsim-mode-stress-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let scale = folder.appendingPathComponent("scale.yaml"), set = folder.appendingPathComponent("set.yaml")
        try Data("format: 1\nfault_probability_scale: 10\n".utf8).write(to: scale)
        try Data("format: 1\nfault_probabilities: {a: 0.2}\n".utf8).write(to: set)
        let (_, stressed) = try StressLoader.load(path: scale.path, base: Self.scenario())
        #expect(stressed.operators[0].faultModes?.map(\.probability) == [0.2, 1] && stressed.operators[0].faultProbability == 1)
        #expect(stressed.operators[1].faultModes?.map(\.probability) == [0.1, 0.5] && abs(stressed.operators[1].faultProbability - 0.55) < 1e-15)
        #expect(stressed.operators[2].faultProbability == 0.625)
        do {
            _ = try StressLoader.load(path: set.path, base: Self.scenario())
            Issue.record("a fault probability for an operator with modes was accepted")
        } catch {
            #expect("\(error)".contains("fault_probabilities.a: operator \"a\" has fault modes, so its fault probability comes from them"), "\(error)")
        }
    }

    /// A stress's `fault_mode_scale` scales one mode by id in every operator that has it (after
    /// `fault_probability_scale`, each capped at 1), defaults included; other modes and plain operators keep
    /// their probabilities. Unknown mode ids and a base without modes are refused by name.
    @Test func stressScalesOneModeByID() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("slashsim-mode-scale-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var base = Self.scenario()
        base.faultModes = base.operators[0].faultModes!
        let liveness = folder.appendingPathComponent("liveness.yaml"), both = folder.appendingPathComponent("both.yaml")
        try Data("format: 1\nfault_mode_scale: {liveness: 4, bridge-safety: 100}\n".utf8).write(to: liveness)
        try Data("format: 1\nfault_probability_scale: 2\nfault_mode_scale: {liveness: 2}\n".utf8).write(to: both)
        let (spec, stressed) = try StressLoader.load(path: liveness.path, base: base)
        #expect(spec.faultModeScale.map(\.mode) == ["liveness", "bridge-safety"])
        #expect(stressed.operators[0].faultModes?.map(\.probability) == [0.02, 0.5])
        #expect(abs(stressed.operators[0].faultProbability - (1 - 0.98 * 0.5)) < 1e-15)
        #expect(stressed.operators[1].faultModes?.map(\.probability) == [0.01, 1] && stressed.operators[1].faultProbability == 1)
        #expect(stressed.operators[2].faultProbability == 0.0625 && stressed.operators[2].faultModes == nil)
        #expect(stressed.faultModes.map(\.probability) == [0.02, 0.5])
        let (_, twice) = try StressLoader.load(path: both.path, base: base)
        #expect(twice.operators[0].faultModes?.map(\.probability) == [0.04, 0.5] && twice.operators[2].faultProbability == 0.125)
        for (text, expected) in [("format: 1\nfault_mode_scale: {livenes: 2}\n", "fault_mode_scale.livenes: unknown fault mode \"livenes\". Fix: did you mean \"liveness\"?"),
                                 ("format: 1\nfault_mode_scale: {liveness: -1}\n", "fault_mode_scale.liveness: the fault mode scale -1 is outside [0, 1000000]")] {
            let file = folder.appendingPathComponent("bad.yaml")
            try Data(text.utf8).write(to: file)
            #expect(throws: ScenarioError.self) { _ = try StressLoader.load(path: file.path, base: base) }
            do { _ = try StressLoader.load(path: file.path, base: base) } catch { #expect("\(error)".contains(expected), "\(error)") }
        }
        var plain = base
        for i in plain.operators.indices { plain.operators[i].faultModes = nil; plain.operators[i].faultProbability = 0.1 }
        plain.faultModes = []
        let file = folder.appendingPathComponent("plain.yaml")
        try Data("format: 1\nfault_mode_scale: {liveness: 2}\n".utf8).write(to: file)
        do {
            _ = try StressLoader.load(path: file.path, base: plain)
            Issue.record("a mode scale on a scenario without modes was accepted")
        } catch {
            #expect("\(error)".contains("fault_mode_scale: `fault_mode_scale` scales fault modes, but no operator of the base scenario has any"), "\(error)")
        }
    }

    /// `service_tags` selects the services a mode slashes by their tags: an oracle safety fault on both oracles
    /// (1/10 of each quarter) and a key compromise on everything at each service's own half. The per-mode
    /// fractions compile to exactly those, and the expected loss is 0.05·5 + 0.01·50 + 0.0005·(55 − 55) = 0.75 ETH.
    @Test func serviceTagsSelectTheServices() throws {
        var scenario = Scenario(
            name: "tags", operators: [OperatorSpec(id: "a", stake: 100, faultProbability: .nan,
                                                   faultModes: [FaultModeSpec(id: "oracle-safety", probability: 0.05, slashFraction: 0.1),
                                                                FaultModeSpec(id: "key", probability: 0.01)])],
            services: [ServiceSpec(id: "o1", slashFraction: 0.5), ServiceSpec(id: "o2", slashFraction: 0.5), ServiceSpec(id: "br", slashFraction: 0.5)],
            allocations: [AllocationSpec(operator: "a", service: "o1", magnitude: 0.25), AllocationSpec(operator: "a", service: "o2", magnitude: 0.25),
                          AllocationSpec(operator: "a", service: "br", magnitude: 0.5)])
        scenario.operators[0].faultModes![0].serviceTags = ["kind": "oracle"]
        scenario.services[0].tags = ["kind": "oracle"]
        scenario.services[1].tags = ["kind": "oracle"]
        scenario.services[2].tags = ["kind": "bridge"]
        let model = try CompiledModel(scenario: scenario)
        #expect(model.faultModes.fractions == [0.1, 0.1, 0, 0.5, 0.5, 0.5])
        let trials = 100_000
        let result = SimulationEngine(model: model).run(trials: trials, seed: 6, threads: 2)
        let mean = result.operatorLossSums[0] / Double(trials)
        let sd = (result.operatorLossSquareSums[0] / Double(trials) - mean * mean).squareRoot()
        #expect(abs(mean - 0.75) <= MonteCarloExpectations.z * sd / Double(trials).squareRoot(), "\(mean)")
    }

    /// A mode and an incident of the same service add up to the allocation at most: m·min(1, φ + v).
    @Test func modeAndIncidentShareTheCap() throws {
        var scenario = Self.scenario(correlation: .independent)
        scenario.operators = [OperatorSpec(id: "a", stake: 64, faultProbability: .nan,
                                           faultModes: [FaultModeSpec(id: "safety", probability: 1, services: ["oracle"], slashFraction: 0.75)])]
        scenario.services[0].incidentProbability = 1
        scenario.services[0].incidentSlashFraction = 0.5
        scenario.allocations = [AllocationSpec(operator: "a", service: "oracle", magnitude: 0.5), AllocationSpec(operator: "a", service: "bridge", magnitude: 0.5)]
        let result = SimulationEngine(model: try CompiledModel(scenario: scenario)).run(trials: 2000, seed: 1, threads: 1)
        // oracle: 0.5·min(1, 0.75 + 0.5) = 0.5; bridge: not in the mode, no incident: 0 → 32 ETH every trial.
        #expect(result.losses.positiveLosses.count == 2000 && result.losses.positiveLosses.allSatisfy { $0 == 32 })
    }

    /// The contributions of a model with modes (from the faults and modes the run kept, and replayed) add up to
    /// the ES, and importance sampling stays unbiased.
    @Test func contributionsAndImportanceSamplingWithModes() throws {
        var scenario = Self.scenario()
        scenario.correlation = .factors([FactorSpec(id: "f", loadings: [FactorLoading(operator: "a", loading: 0.6), FactorLoading(operator: "b", loading: 0.6),
                                                                          FactorLoading(operator: "c", loading: 0.6)])])
        let model = try CompiledModel(scenario: scenario)
        let engine = SimulationEngine(model: model)
        let run = engine.run(trials: 40_000, seed: 3, threads: 2, keepFaultsForContributions: true)
        #expect(run.keptFaultsForContributions)
        let contributions = engine.contributions(sample: run.losses, levels: [0.99], seed: 3, threads: 2)
        let es = RiskStatistics.summarize(run.losses, levels: [0.99]).expectedShortfall[0].loss
        #expect(abs(contributions.operators[0].reduce(0, +) - es) <= 1e-9 * es)
        let kept = engine.contributions(of: run, levels: [0.99], threads: 2)
        #expect(kept.operators == contributions.operators && kept.services == contributions.services)
        let shift = try ImportanceShift.choose(model: model, level: 0.99, seed: 3, threads: 2)
        let weighted = engine.run(trials: 40_000, seed: 3, threads: 2, importance: shift).distribution.summarize(levels: [])
        let plain = RiskStatistics.summarize(run.losses, levels: [])
        #expect(abs(weighted.mean - plain.mean) <= MonteCarloExpectations.z * (weighted.meanStandardError * weighted.meanStandardError
                                                                               + plain.meanStandardError * plain.meanStandardError).squareRoot(),
                "IS \(weighted.mean) ± \(weighted.meanStandardError), plain \(plain.mean) ± \(plain.meanStandardError)")
    }
}
