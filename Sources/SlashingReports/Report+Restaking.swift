import SlashingCore

/// The report's restaking sections: services, tokens and portfolios.
extension Report {
    public struct Service: Sendable, Encodable {
        public var id: String
        public var slashFraction: Double
        public var incidentProbability: Double
        public var incidentSlashFraction: Double
        /// Share of trials in which the service had an incident, with its standard error.
        public var simulatedIncidentProbability: Double
        public var simulatedIncidentProbabilityStandardError: Double
        /// The service's share of the expected total loss: each operator's loss is split over its services in
        /// proportion to what each slashed.
        public var expectedLoss: Double
        public var expectedShortfallContributions: [Contribution]
        /// Vetoes, when some service of the scenario has a veto probability; nil (absent from JSON) otherwise.
        public var veto: Veto? = nil

        enum CodingKeys: String, CodingKey {
            case id, slashFraction = "slash_fraction", incidentProbability = "incident_probability"
            case incidentSlashFraction = "incident_slash_fraction"
            case simulatedIncidentProbability = "simulated_incident_probability"
            case simulatedIncidentProbabilityStandardError = "simulated_incident_probability_standard_error"
            case expectedLoss = "expected_loss", expectedShortfallContributions = "expected_shortfall_contributions", veto
        }
    }

    /// A service's vetoes: its veto probability, and the expected number over the horizon of the slashes it
    /// proposed, vetoed and executed — operators' fault slashes (one per faulting operator allocated to it)
    /// and its own incidents (each slashing every operator allocated to it).
    public struct Veto: Sendable, Encodable {
        public var probability: Double
        public var faultSlashes: Counts
        public var incidents: Counts

        public struct Counts: Sendable, Encodable {
            public var proposed: Double
            public var vetoed: Double
            public var executed: Double
        }

        enum CodingKeys: String, CodingKey {
            case probability, faultSlashes = "fault_slashes", incidents
        }
    }

    public struct Token: Sendable, Encodable {
        public var id: String
        /// NAV in ETH.
        public var backing: Double
        /// ETH delegated to operators (the rest is an unslashable buffer).
        public var delegated: Double
        /// Loss in ETH.
        public var loss: Total
        /// Loss as a share of NAV (the ETH statistics divided by the backing).
        public var navLossFraction: Total
        /// The expected loss split by cause (they add up to `loss.mean`).
        public var expectedLossByCause: LossByCause
        /// Its exploits (its own, then its protocol's), with their simulated frequency.
        public var exploits: [Exploit]

        enum CodingKeys: String, CodingKey {
            case id, backing, delegated, loss, navLossFraction = "nav_loss_fraction", expectedLossByCause = "expected_loss_by_cause", exploits
        }
    }

    /// Expected loss (ETH) by cause: the operators' own faults, service incidents, and exploits of the token's or
    /// its protocol's contracts. An operator's loss is split between its fault and incidents in proportion to what
    /// each slashed on each allocation; an exploit's part is what it took beyond the slashing.
    public struct LossByCause: Sendable, Encodable, Equatable {
        public var operatorFaults: Double
        public var serviceIncidents: Double
        public var exploits: Double

        enum CodingKeys: String, CodingKey {
            case operatorFaults = "operator_faults", serviceIncidents = "service_incidents", exploits
        }

        /// Entry `index` of a run's sums by cause, divided by the trials (zeros when the run kept none).
        init(sums: [[Double]], _ index: Int, trials: Int) {
            let row = sums.indices.contains(index) ? sums[index] : [0, 0, 0]
            let n = Double(max(1, trials))
            operatorFaults = row[LossCause.operatorFaults.rawValue] / n
            serviceIncidents = row[LossCause.serviceIncidents.rawValue] / n
            exploits = row[LossCause.exploits.rawValue] / n
        }
    }

    /// An exploit event as reported with each token it hits.
    public struct Exploit: Sendable, Encodable {
        /// "token eETH" or "protocol eigenlayer".
        public var source: String
        public var probability: Double
        public var navLossFraction: Double
        /// Share of trials in which it happened, with its standard error.
        public var simulatedProbability: Double
        public var simulatedProbabilityStandardError: Double

        enum CodingKeys: String, CodingKey {
            case source, probability, navLossFraction = "nav_loss_fraction", simulatedProbability = "simulated_probability"
            case simulatedProbabilityStandardError = "simulated_probability_standard_error"
        }
    }

    public struct Portfolio: Sendable, Encodable {
        public var id: String
        /// Holdings at NAV, debt and equity (value − debt), ETH.
        public var value: Double
        public var debt: Double
        public var equity: Double
        /// The liquidation threshold (debt / market value above which the lender liquidates); nil for an
        /// unlevered portfolio. JSON `liquidation_threshold`, and `liquidation_ltv` (its old name, kept for
        /// scripts written against it).
        public var liquidationLTV: Double?
        public var probabilityOfLiquidation: Double
        public var probabilityOfLiquidationStandardError: Double
        /// Principal loss in ETH.
        public var loss: Total
        /// Principal loss as a share of equity.
        public var equityLossFraction: Total
        /// The expected loss split by cause, pro rata to each trial's NAV losses by cause.
        public var expectedLossByCause: LossByCause

        enum CodingKeys: String, CodingKey {
            case id, value, debt, equity, liquidationThreshold = "liquidation_threshold", liquidationLTV = "liquidation_ltv"
            case probabilityOfLiquidation = "probability_of_liquidation"
            case probabilityOfLiquidationStandardError = "probability_of_liquidation_standard_error"
            case loss, equityLossFraction = "equity_loss_fraction", expectedLossByCause = "expected_loss_by_cause"
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(id, forKey: .id)
            try c.encode(value, forKey: .value)
            try c.encode(debt, forKey: .debt)
            try c.encode(equity, forKey: .equity)
            try c.encodeIfPresent(liquidationLTV, forKey: .liquidationThreshold)
            try c.encodeIfPresent(liquidationLTV, forKey: .liquidationLTV)
            try c.encode(probabilityOfLiquidation, forKey: .probabilityOfLiquidation)
            try c.encode(probabilityOfLiquidationStandardError, forKey: .probabilityOfLiquidationStandardError)
            try c.encode(loss, forKey: .loss)
            try c.encode(equityLossFraction, forKey: .equityLossFraction)
            try c.encode(expectedLossByCause, forKey: .expectedLossByCause)
        }
    }
}

extension Report.Total {
    /// The statistics of a summary, every loss figure multiplied by `scale` (all of them are positively
    /// homogeneous, so this is the summary of the scaled losses).
    init(_ summary: LossSummary, scaledBy scale: Double = 1) {
        self.init(
            mean: summary.mean * scale, meanStandardError: summary.meanStandardError * scale,
            standardDeviation: summary.standardDeviation * scale,
            probabilityOfLoss: summary.probabilityOfLoss, probabilityOfLossStandardError: summary.probabilityOfLossStandardError,
            maximum: summary.maximum * scale,
            quantiles: summary.quantiles.map {
                Report.Quantile(level: $0.level, loss: $0.loss * scale, ci95: [$0.lower95 * scale, $0.upper95.map { $0 * scale }])
            },
            expectedShortfall: summary.expectedShortfall.map {
                Report.Shortfall(level: $0.level, loss: $0.loss * scale, standardError: $0.standardError * scale)
            })
    }
}
