import SlashingCore

/// The result of one run, in the shape of the JSON report (a stable contract: see docs/reports.md, "JSON report").
public struct Report: Sendable, Encodable {
    /// Version of this report layout; bumped only on incompatible changes.
    public var formatVersion = 1
    /// The slashsim that wrote the report.
    public var slashsimVersion = Provenance.version
    /// The CPU it ran on (with the kernel level, what its speed depends on).
    public var cpu = Provenance.cpu
    public var scenario: String
    public var scenarioFile: String
    /// SHA-256 of the scenario file's bytes as read (the bundled default's for the default); nil when the
    /// report was made from a scenario in memory (the Swift library).
    public var scenarioSHA256: String?
    /// The table files the scenario named (`operators_file`, …), each with the SHA-256 of its bytes as read;
    /// empty when it named none.
    public var tableFiles: [TableFileDigest] = []

    public struct TableFileDigest: Sendable, Encodable {
        public var key: String
        public var file: String
        public var sha256: String

        public init(key: String, file: String, sha256: String) {
            self.key = key
            self.file = file
            self.sha256 = sha256
        }
    }
    public var trials: Int
    /// Trials asked for; larger than `trials` when the run was stopped early (`partial`).
    public var trialsRequested: Int
    /// True when the run stopped before all requested trials (`--max-seconds`): every statistic is
    /// exact for the first `trials` trials, which are the same as in a complete run.
    public var partial: Bool
    public var seed: UInt64
    public var threads: Int
    public var elapsedSeconds: Double
    public var batchSize: Int
    public var correlation: String
    /// The average latent correlation over all pairs of distinct operators.
    public var averageCorrelation: Double
    /// The BLAS/LAPACK the run used (OpenBLAS or the reference implementation).
    public var blas: String
    /// The instruction set of the C kernels (`generic`, `avx2`, `avx512`); numbers do not depend on it.
    public var kernelLevel: String
    /// The arithmetic of the explicit matrix's multiply (`double`, or `single` with `precision: single`); the
    /// numbers do not depend on it.
    public var precision: String
    /// Present for a single-precision run: its latents, those recomputed in double near their thresholds, and
    /// those whose float value alone would have given the other decision.
    public var singlePrecision: SinglePrecision?

    public struct SinglePrecision: Sendable, Encodable {
        public var latents: Int
        public var recomputed: Int
        public var corrected: Int
    }
    /// Present when `repair: nearest` replaced the matrix: how far it moved.
    public var correlationRepair: Repair?
    /// Warnings about the scenario that did not stop the run.
    public var warnings: [String]
    public var totalStake: Double
    public var total: Total
    public var operators: [Operator]
    /// Services (AVSs): incidents and their share of the losses.
    public var services: [Service]
    /// Liquid restaking tokens: loss in ETH and as a share of NAV.
    public var tokens: [Token]
    /// Portfolios: principal loss and liquidation.
    public var portfolios: [Portfolio]
    /// Whether the ES contributions were computed (a second replay of the same random streams).
    public var contributionsComputed: Bool
    /// Present when the run used importance sampling: every statistic is then a weighted estimate.
    public var importanceSampling: ImportanceSampling?
    /// Present with `--precision P`: the relative precision asked for, whether the trials met it (or the cap
    /// was reached), and the trial counts checked on the way; the report is that of a fixed run of `trials`.
    public var precisionTarget: PrecisionTarget?

    public struct PrecisionTarget: Sendable, Encodable {
        public var relative: Double
        public var met: Bool
        public var trials: Int
        public var checks: [Int]

        public init(relative: Double, met: Bool, trials: Int, checks: [Int]) {
            self.relative = relative
            self.met = met
            self.trials = trials
            self.checks = checks
        }
    }

    public struct ImportanceSampling: Sendable, Encodable {
        /// The shift μ of each factor (in the order of `factors`).
        public var factors: [String]
        public var shift: [Double]
        public var targetLevel: Double
        public var targetLoss: Double
        public var pilotTrials: Int
        /// Seconds spent choosing the shift (the pilot run included); not part of `elapsed_seconds`.
        public var pilotSeconds: Double = 0
        public var losingTrials: Int
        /// Trials beyond VaR at the target level (plain sampling: about trials·(1 − level)).
        public var tailTrials: Int

        enum CodingKeys: String, CodingKey {
            case factors, shift, targetLevel = "target_level", targetLoss = "target_loss", pilotTrials = "pilot_trials", pilotSeconds = "pilot_seconds"
            case losingTrials = "losing_trials", tailTrials = "tail_trials"
        }
    }

    public struct Total: Sendable, Encodable {
        public var mean: Double
        public var meanStandardError: Double
        public var standardDeviation: Double
        public var probabilityOfLoss: Double
        public var probabilityOfLossStandardError: Double
        public var maximum: Double
        public var quantiles: [Quantile]
        public var expectedShortfall: [Shortfall]
    }

    public struct Repair: Sendable, Encodable {
        public var frobeniusDistance: Double
        public var smallestEigenvalueBefore: Double
        public var smallestEigenvalueAfter: Double
        public var iterations: Int

        enum CodingKeys: String, CodingKey {
            case frobeniusDistance = "frobenius_distance", smallestEigenvalueBefore = "smallest_eigenvalue_before"
            case smallestEigenvalueAfter = "smallest_eigenvalue_after", iterations
        }
    }

    public struct Quantile: Sendable, Encodable {
        public var level: Double
        public var loss: Double
        /// [lower, upper]; upper is null when the run has too few trials to bound it.
        public var ci95: [Double?]
    }

    public struct Shortfall: Sendable, Encodable {
        public var level: Double
        public var loss: Double
        public var standardError: Double
    }

    public struct Operator: Sendable, Encodable {
        public var id: String
        public var stake: Double
        public var faultProbability: Double
        /// ETH lost when the operator is slashed: stake · min(1, Σ magnitude · slash_fraction).
        public var lossIfSlashed: Double
        public var expectedLoss: Double
        public var expectedLossStandardError: Double
        public var probabilityOfSlash: Double
        public var probabilityOfSlashStandardError: Double
        /// E[ℓ_i | tail] shares of the total's ES at each level (they sum to the ES); empty without contributions.
        public var expectedShortfallContributions: [Contribution]
        /// Its fault modes with their simulated frequencies; nil (absent from JSON) for an operator without modes.
        /// With modes, `faultProbability` is 1 − Π (1 − q) and `lossIfSlashed` the loss when every mode happens.
        public var faultModes: [FaultMode]? = nil
    }

    /// One fault mode of an operator.
    public struct FaultMode: Sendable, Encodable {
        public var id: String
        public var probability: Double
        public var simulatedProbability: Double
        public var simulatedProbabilityStandardError: Double

        enum CodingKeys: String, CodingKey {
            case id, probability, simulatedProbability = "simulated_probability"
            case simulatedProbabilityStandardError = "simulated_probability_standard_error"
        }
    }

    /// An entity's share of the total's expected shortfall at one level.
    public struct Contribution: Sendable, Encodable {
        public var level: Double
        public var loss: Double
    }

    enum CodingKeys: String, CodingKey {
        case formatVersion = "format_version", slashsimVersion = "slashsim_version", cpu, scenario, scenarioFile = "scenario_file"
        case scenarioSHA256 = "scenario_sha256", tableFiles = "table_files", trials
        case trialsRequested = "trials_requested", partial, seed, threads
        case elapsedSeconds = "elapsed_seconds", batchSize = "batch_size", correlation, averageCorrelation = "average_correlation", blas, kernelLevel = "kernel_level"
        case precision, singlePrecision = "single_precision"
        case correlationRepair = "correlation_repair", warnings, totalStake = "total_stake", total, operators
        case services, tokens, portfolios, contributionsComputed = "contributions_computed"
        case importanceSampling = "importance_sampling", precisionTarget = "precision_target"
    }
}

extension Report.Total {
    enum CodingKeys: String, CodingKey {
        case mean, meanStandardError = "mean_standard_error", standardDeviation = "standard_deviation"
        case probabilityOfLoss = "probability_of_loss", probabilityOfLossStandardError = "probability_of_loss_standard_error"
        case maximum, quantiles, expectedShortfall = "expected_shortfall"
    }
}

extension Report.Shortfall {
    enum CodingKeys: String, CodingKey { case level, loss, standardError = "standard_error" }
}

extension Report.Operator {
    enum CodingKeys: String, CodingKey {
        case id, stake, faultProbability = "fault_probability", lossIfSlashed = "loss_if_slashed"
        case expectedLoss = "expected_loss", expectedLossStandardError = "expected_loss_standard_error"
        case probabilityOfSlash = "probability_of_slash", probabilityOfSlashStandardError = "probability_of_slash_standard_error"
        case expectedShortfallContributions = "expected_shortfall_contributions", faultModes = "fault_modes"
    }
}

extension Report {
    /// Assembles the report of a finished run.
    /// `scenarioName` and `scenarioFile` label it; everything else comes from the model and the result.
    public init(scenarioName: String, scenarioFile: String, model: CompiledModel, result: SimulationResult,
                levels: [Double], contributions: RiskContributions? = nil) {
        let summary = result.distribution.summarize(levels: levels)
        self.scenario = scenarioName
        self.scenarioFile = scenarioFile
        self.trials = result.trials
        self.trialsRequested = result.requestedTrials
        self.partial = result.isPartial
        self.seed = result.seed
        self.threads = result.threads
        self.elapsedSeconds = result.elapsedSeconds
        self.batchSize = RunLimits.batchSize
        self.correlation = model.dependenceDescription
        self.averageCorrelation = model.averagePairwiseCorrelation
        self.blas = BLAS.implementation
        self.kernelLevel = KernelLevel.current.name
        self.precision = model.multipliesInSingle ? "single" : "double"
        self.singlePrecision = result.singlePrecision.map { SinglePrecision(latents: $0.latents, recomputed: $0.recomputed, corrected: $0.corrected) }
        self.correlationRepair = model.repair.map {
            Repair(frobeniusDistance: $0.frobeniusDistance, smallestEigenvalueBefore: $0.smallestEigenvalueBefore,
                   smallestEigenvalueAfter: $0.smallestEigenvalueAfter, iterations: $0.iterations)
        }
        self.warnings = model.warnings
        self.totalStake = model.stakes.reduce(0, +)
        self.total = Total(summary)
        self.contributionsComputed = contributions != nil
        self.importanceSampling = result.importance.map {
            ImportanceSampling(factors: model.factorIDs, shift: $0.shift.mean, targetLevel: $0.shift.targetLevel,
                               targetLoss: $0.shift.targetLoss, pilotTrials: ImportanceShift.pilotTrials,
                               losingTrials: $0.losingTrials, tailTrials: $0.tailTrials)
        }
        self.operators = model.operatorIDs.indices.map { i in
            let slash = result.slashProbability(ofOperator: i), expected = result.expectedLoss(ofOperator: i)
            let modes = model.faultModes
            var op = Operator(
                id: model.operatorIDs[i], stake: model.stakes[i],
                faultProbability: model.faultProbabilities[i], lossIfSlashed: model.lossIfFault[i],
                expectedLoss: expected.value, expectedLossStandardError: expected.standardError,
                probabilityOfSlash: slash.value, probabilityOfSlashStandardError: slash.standardError,
                expectedShortfallContributions: contributions.map { c in
                    c.levels.indices.map { Contribution(level: c.levels[$0], loss: c.operators[$0][i]) }
                } ?? [])
            if modes.hasModes(i) {
                op.faultModes = (modes.start[i]..<modes.start[i + 1]).map { k in
                    let simulated = result.faultModeProbabilities.indices.contains(k) ? result.faultModeProbabilities[k] : Estimate(count: 0, trials: max(1, result.trials))
                    return FaultMode(id: modes.ids[k], probability: modes.probabilities[k], simulatedProbability: simulated.value,
                                     simulatedProbabilityStandardError: simulated.standardError)
                }
            }
            return op
        }
        self.services = model.services.ids.indices.map { j in
            let incident = result.incidentProbability(ofService: j)
            var service = Service(
                id: model.services.ids[j], slashFraction: model.services.slashFractions[j],
                incidentProbability: model.services.incidentProbabilities[j],
                incidentSlashFraction: model.services.incidentSlashFractions[j],
                simulatedIncidentProbability: incident.value,
                simulatedIncidentProbabilityStandardError: incident.standardError,
                expectedLoss: result.expectedLoss(ofService: j),
                expectedShortfallContributions: contributions.map { c in
                    c.levels.indices.map { Contribution(level: c.levels[$0], loss: c.services[$0][j]) }
                } ?? [])
            if result.vetoCounts.indices.contains(j) {
                let v = result.vetoCounts[j]
                service.veto = Veto(probability: model.services.vetoProbabilities[j],
                                    faultSlashes: .init(proposed: v[0], vetoed: v[1], executed: v[0] - v[1]),
                                    incidents: .init(proposed: v[2], vetoed: v[3], executed: v[2] - v[3]))
            }
            return service
        }
        self.tokens = model.tokens.tokens.enumerated().map { t, token in
            let tokenSummary = result.tokenDistributions[t].summarize(levels: levels)
            return Token(id: token.id, backing: token.backing, delegated: token.delegated, loss: Total(tokenSummary),
                         navLossFraction: Total(tokenSummary, scaledBy: 1 / token.backing),
                         expectedLossByCause: LossByCause(sums: result.tokenLossSumsByCause, t, trials: result.trials),
                         exploits: model.tokens.exploitsOfToken[t].map { e in
                             let exploit = model.tokens.exploits[e]
                             let simulated = result.exploitProbabilities.indices.contains(e) ? result.exploitProbabilities[e] : Estimate(count: 0, trials: max(1, result.trials))
                             return Exploit(source: exploit.label, probability: exploit.probability, navLossFraction: exploit.navLossFraction,
                                            simulatedProbability: simulated.value, simulatedProbabilityStandardError: simulated.standardError)
                         })
        }
        self.portfolios = model.tokens.portfolios.enumerated().map { p, portfolio in
            let portfolioSummary = result.portfolioDistributions[p].summarize(levels: levels)
            let liquidation = result.liquidationProbability(ofPortfolio: p)
            return Portfolio(id: portfolio.id, value: portfolio.value, debt: portfolio.debt, equity: portfolio.equity,
                             liquidationLTV: portfolio.isLeveraged ? portfolio.liquidationLTV : nil,
                             probabilityOfLiquidation: liquidation.value,
                             probabilityOfLiquidationStandardError: liquidation.standardError,
                             loss: Total(portfolioSummary), equityLossFraction: Total(portfolioSummary, scaledBy: 1 / portfolio.equity),
                             expectedLossByCause: LossByCause(sums: result.portfolioLossSumsByCause, p, trials: result.trials))
        }
    }
}
