import SlashingCore

/// A restaking scenario as written in a scenario file (format 1), after decoding and validation.
///
/// Field names follow the file: see docs/scenario-reference.md for the schema.
public struct Scenario: Sendable, Equatable {
    /// Human-readable name; defaults to the file name.
    public var name: String
    /// Simulation defaults; command-line flags override them.
    public var simulation: SimulationSettings
    /// Node operators, in file order (the order of a correlation matrix).
    public var operators: [OperatorSpec]
    /// Services (AVSs / operator sets) that can slash.
    public var services: [ServiceSpec]
    /// Unique-stake allocations of operators to services.
    public var allocations: [AllocationSpec]
    /// Dependence between operator faults.
    public var correlation: CorrelationSpec
    /// The copula joining the latent variables: Gaussian (default) or Student t.
    public var copula: Copula
    /// Liquid restaking tokens that delegate to the operators.
    public var tokens: [TokenSpec]
    /// Holders' positions in the tokens, possibly leveraged.
    public var portfolios: [PortfolioSpec]
    /// Restaking protocols the tokens are built on, with the exploit of their core contracts.
    public var protocols: [ProtocolSpec] = []
    /// Default fault modes, for the operators that give neither `fault_probability` nor their own modes.
    public var faultModes: [FaultModeSpec] = []
    /// The table files the scenario named (`operators_file`, …), with the SHA-256 of each as read.
    public var tableFiles: [TableFile] = []
    /// What the file says that still works but should change (a key's old name), each with its path, position
    /// and fix; compiled models carry them into their warnings.
    public var warnings: [String] = []

    public init(
        name: String, simulation: SimulationSettings = .init(), operators: [OperatorSpec],
        services: [ServiceSpec] = [], allocations: [AllocationSpec] = [], correlation: CorrelationSpec = .independent,
        copula: Copula = .gaussian, tokens: [TokenSpec] = [], portfolios: [PortfolioSpec] = []
    ) {
        self.name = name
        self.simulation = simulation
        self.operators = operators
        self.services = services
        self.allocations = allocations
        self.correlation = correlation
        self.copula = copula
        self.tokens = tokens
        self.portfolios = portfolios
    }
}

/// A table file beside the scenario, as read: the key that named it, its path and the SHA-256 of its bytes.
public struct TableFile: Sendable, Equatable, Encodable {
    public var key: String
    public var file: String
    public var sha256: String

    public init(key: String, file: String, sha256: String) {
        self.key = key
        self.file = file
        self.sha256 = sha256
    }
}

/// `simulation:` — run settings stored with a scenario.
public struct SimulationSettings: Sendable, Equatable {
    public static let defaultTrials = 1_000_000
    public static let defaultSeed: UInt64 = 1
    public static let defaultQuantiles = [0.5, 0.9, 0.95, 0.99, 0.995, 0.999]

    /// Number of Monte Carlo trials.
    public var trials: Int
    /// Seed of the counter-based random streams.
    public var seed: UInt64
    /// Quantile levels q in (0, 1) for VaR and expected shortfall.
    public var quantiles: [Double]
    /// The arithmetic of an explicit matrix's multiply (`precision: single`); the results do not depend on it.
    public var precision: LatentPrecision

    public init(
        trials: Int = SimulationSettings.defaultTrials, seed: UInt64 = SimulationSettings.defaultSeed,
        quantiles: [Double] = SimulationSettings.defaultQuantiles, precision: LatentPrecision = .double
    ) {
        self.trials = trials
        self.seed = seed
        self.quantiles = quantiles
        self.precision = precision
    }
}

/// `operators[i]` — a node operator.
public struct OperatorSpec: Sendable, Equatable {
    public var id: String
    /// ETH delegated to the operator.
    public var stake: Double
    /// Probability that the operator faults over the horizon.
    public var faultProbability: Double
    /// Infrastructure tags (kind → value, e.g. cloud → aws), used by `correlation: {derived: ...}`.
    public var tags: [String: String]
    /// Its fault modes: its own `fault_modes`, or the scenario's default `fault_modes` when it gives neither
    /// those nor a `fault_probability`; nil: the one implicit mode (any fault slashes every service at its own
    /// fraction). With modes, `faultProbability` is 1 − Π (1 − q_k).
    public var faultModes: [FaultModeSpec]?
    /// Whether `faultModes` are the scenario's defaults (validated once, at `fault_modes`).
    public var usesDefaultModes = false

    public init(id: String, stake: Double, faultProbability: Double, tags: [String: String] = [:], faultModes: [FaultModeSpec]? = nil) {
        self.id = id
        self.stake = stake
        self.faultModes = faultModes
        self.faultProbability = faultModes.map { FaultModes.faultProbability($0.map(\.probability)) } ?? faultProbability
        self.tags = tags
    }
}

/// `fault_modes[i]` (defaults) or `operators[j].fault_modes[i]` — one way an operator can fault: a key compromise
/// or double-signing (every service, a large fraction), a liveness fault (one service, a small fraction), a
/// service-specific safety fault.
public struct FaultModeSpec: Sendable, Equatable {
    public var id: String
    /// Probability that the mode happens over the horizon.
    public var probability: Double
    /// The services it slashes; nil: every service the operator is allocated to (`services: all`), unless
    /// `serviceTags` selects them.
    public var services: [String]?
    /// `service_tags: {kind: value}`: it slashes the services carrying every one of these tags.
    public var serviceTags: [String: String] = [:]
    /// The share of each slashed allocation; nil: each service's own `slash_fraction`.
    public var slashFraction: Double?

    /// Whether the mode slashes `service`: listed, carrying every one of `serviceTags`, or (neither given) any.
    public func slashes(_ service: ServiceSpec) -> Bool {
        if let services { return services.contains(service.id) }
        return serviceTags.allSatisfy { service.tags[$0.key] == $0.value }
    }

    public init(id: String, probability: Double, services: [String]? = nil, slashFraction: Double? = nil) {
        self.id = id
        self.probability = probability
        self.services = services
        self.slashFraction = slashFraction
    }
}

/// `services[i]` — a service (AVS / operator set) that slashes the stake allocated to it.
public struct ServiceSpec: Sendable, Equatable {
    public var id: String
    /// Share of the allocated stake slashed when an allocated operator faults.
    public var slashFraction: Double
    /// Probability that the service itself fails (a bug in its software or slashing logic) over the horizon
    /// and slashes every operator allocated to it, faulty or not.
    public var incidentProbability: Double
    /// Share of the allocated stake slashed by an incident; nil means `slashFraction`.
    public var incidentSlashFraction: Double?
    /// Probability that a slash the service proposes is vetoed (cancelled by a resolver or committee): each
    /// operator's fault slash on its own, and an incident's slashes of every operator by one decision.
    public var vetoProbability: Double = 0
    /// Loadings of the veto decisions' latent variable on named factors (`veto_factor_loadings`): a committee
    /// whose vetoes fail (or hold) together with the factor. Empty: independent vetoes.
    public var vetoFactorLoadings: [FactorLoading] = []
    /// Tags (kind → value, e.g. kind → oracle), which fault modes can select with `service_tags`.
    public var tags: [String: String] = [:]

    public init(id: String, slashFraction: Double, incidentProbability: Double = 0, incidentSlashFraction: Double? = nil) {
        self.id = id
        self.slashFraction = slashFraction
        self.incidentProbability = incidentProbability
        self.incidentSlashFraction = incidentSlashFraction
    }
}

/// `allocations[i]` — the magnitude (share of the operator's stake) allocated to a service.
public struct AllocationSpec: Sendable, Equatable {
    public var `operator`: String
    public var service: String
    public var magnitude: Double

    public init(operator: String, service: String, magnitude: Double) {
        self.operator = `operator`
        self.service = service
        self.magnitude = magnitude
    }
}

/// `correlation:` — the latent correlation matrix R of the Gaussian copula.
public enum CorrelationSpec: Sendable, Equatable {
    /// Omitted: operators fault independently.
    case independent
    /// Every pair of operators has latent correlation ρ, −1/(N−1) ≤ ρ < 1.
    case constant(Double)
    /// An explicit N×N matrix, rows in the order of `operators`.
    case matrix([[Double]])
    /// `matrix` with `repair: nearest`: used as given when positive definite, otherwise replaced by the
    /// nearest correlation matrix (Higham 2002), and the report says how far it moved.
    case repairedMatrix([[Double]])
    /// Named common factors: Z_i = Σ_k a_ik·F_k + √(1 − Σ_k a_ik²)·ε_i, valid by construction.
    case factors([FactorSpec])
    /// Factors built from what operators share: services they serve and infrastructure tags.
    case derived(DerivedCorrelationSpec)

    /// An explicit N×N matrix (repaired or not): the form that holds a dense Cholesky factor.
    public var isExplicitMatrix: Bool {
        switch self {
        case .matrix, .repairedMatrix: return true
        default: return false
        }
    }
}

/// `correlation.derived` — latent correlation from shared structure, as a factor model (valid by construction).
///
/// Operators i ≠ j get correlation `common` + Σ (weights of the services both serve) + Σ (weights of the tag
/// kinds on which they have the same value). Each weight w becomes a factor with loading √w on the operators
/// it covers; an operator whose weights add up above `maximumSystematic` has its loadings scaled down to it.
public struct DerivedCorrelationSpec: Sendable, Equatable {
    /// Weight shared by every pair of operators.
    public var common: Double
    /// Weight of each shared service, unless `serviceWeights` names it.
    public var sharedServices: Double
    /// Per-service weights overriding `sharedServices`.
    public var serviceWeights: [String: Double]
    /// Weight per tag kind (cloud, client, region, ...).
    public var tags: [String: Double]
    /// Squared loading of a service's incident on that service's factor (0: incidents independent).
    public var incidents: Double
    /// Largest systematic variance Σ_k a_ik² allowed per operator.
    public var maximumSystematic: Double

    public static let defaultMaximumSystematic = 0.95

    public init(common: Double = 0, sharedServices: Double = 0, serviceWeights: [String: Double] = [:], tags: [String: Double] = [:],
                incidents: Double = 0, maximumSystematic: Double = DerivedCorrelationSpec.defaultMaximumSystematic) {
        self.common = common
        self.sharedServices = sharedServices
        self.serviceWeights = serviceWeights
        self.tags = tags
        self.incidents = incidents
        self.maximumSystematic = maximumSystematic
    }
}

/// `tokens[i]` — a liquid restaking token: ETH backing (its NAV) delegated to operators.
public struct TokenSpec: Sendable, Equatable {
    public var id: String
    /// NAV in ETH (delegated plus undelegated buffer).
    public var backing: Double
    /// ETH delegated to each operator, in file order.
    public var delegations: [(operator: String, amount: Double)]
    /// Days to redeem the token for ETH at NAV.
    public var withdrawalQueueDays: Double
    /// Market discount to NAV after a loss; nil: the token trades at NAV.
    public var depeg: DepegTerms?
    /// The restaking protocol it is built on (`protocols[].id`), whose exploit hits it too; nil: none named.
    public var protocolID: String? = nil
    /// An exploit of its own contracts; nil: none modelled.
    public var exploit: ExploitSpec? = nil

    public init(id: String, backing: Double, delegations: [(operator: String, amount: Double)],
                withdrawalQueueDays: Double = 0, depeg: DepegTerms? = nil) {
        self.id = id
        self.backing = backing
        self.delegations = delegations
        self.withdrawalQueueDays = withdrawalQueueDays
        self.depeg = depeg
    }

    public static func == (a: TokenSpec, b: TokenSpec) -> Bool {
        a.id == b.id && a.backing == b.backing && a.withdrawalQueueDays == b.withdrawalQueueDays && a.depeg == b.depeg
            && a.protocolID == b.protocolID && a.exploit == b.exploit
            && a.delegations.count == b.delegations.count
            && zip(a.delegations, b.delegations).allSatisfy { $0.operator == $1.operator && $0.amount == $1.amount }
    }
}

/// `exploit` of a token or a protocol: it happens with `probability` over the horizon and takes
/// `navLossFraction` of the NAV each token it hits has left (buffer included); `factorLoadings` correlate it
/// with the named factors of `correlation.factors`.
public struct ExploitSpec: Sendable, Equatable {
    public var probability: Double
    public var navLossFraction: Double
    /// (factor id, loading), in file order.
    public var factorLoadings: [FactorLoading]

    public init(probability: Double, navLossFraction: Double, factorLoadings: [FactorLoading] = []) {
        self.probability = probability
        self.navLossFraction = navLossFraction
        self.factorLoadings = factorLoadings
    }
}

/// `protocols[i]` — a restaking protocol (EigenLayer, Symbiotic, Karak): tokens name it with `protocol:`, and
/// one exploit of its core contracts hits every one of them.
public struct ProtocolSpec: Sendable, Equatable {
    public var id: String
    public var exploit: ExploitSpec?

    public init(id: String, exploit: ExploitSpec? = nil) {
        self.id = id
        self.exploit = exploit
    }
}

/// `portfolios[i]` — a holder's tokens (ETH value at NAV) and optional debt against them.
public struct PortfolioSpec: Sendable, Equatable {
    public var id: String
    public var holdings: [(token: String, amount: Double)]
    public var leverage: LeverageSpec?

    public init(id: String, holdings: [(token: String, amount: Double)], leverage: LeverageSpec? = nil) {
        self.id = id
        self.holdings = holdings
        self.leverage = leverage
    }

    public static func == (a: PortfolioSpec, b: PortfolioSpec) -> Bool {
        a.id == b.id && a.leverage == b.leverage && a.holdings.count == b.holdings.count
            && zip(a.holdings, b.holdings).allSatisfy { $0.token == $1.token && $0.amount == $1.amount }
    }
}

/// `portfolios[i].leverage` — debt (ETH) borrowed against the holdings; the position is liquidated when
/// debt > liquidation_threshold × market value of the holdings, and the liquidator then repays the debt and
/// seizes collateral worth debt × (1 + liquidation_penalty) at market.
public struct LeverageSpec: Sendable, Equatable {
    public var debt: Double
    /// The liquidation threshold (`liquidation_threshold`, formerly `liquidation_ltv`: it never was a borrow limit).
    public var liquidationLTV: Double
    public var liquidationPenalty: Double

    public init(debt: Double, liquidationLTV: Double, liquidationPenalty: Double) {
        self.debt = debt
        self.liquidationLTV = liquidationLTV
        self.liquidationPenalty = liquidationPenalty
    }
}

/// `correlation.factors[k]` — a common factor (a cloud provider, a client, an AVS's software) and the
/// loadings a_ik of the operators exposed to it; operators not listed load 0.
public struct FactorSpec: Sendable, Equatable {
    public var id: String
    public var loadings: [FactorLoading]
    /// Loadings of services' incident latents on this factor (`service_loadings`), so that AVS incidents
    /// correlate with operator faults; the `operator` field holds the service id.
    public var serviceLoadings: [FactorLoading]

    public init(id: String, loadings: [FactorLoading], serviceLoadings: [FactorLoading] = []) {
        self.id = id
        self.loadings = loadings
        self.serviceLoadings = serviceLoadings
    }
}

/// One operator's loading on a factor, in [−1, 1].
public struct FactorLoading: Sendable, Equatable {
    public var `operator`: String
    public var loading: Double

    public init(operator: String, loading: Double) {
        self.operator = `operator`
        self.loading = loading
    }
}
