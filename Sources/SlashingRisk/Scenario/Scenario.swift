/// A restaking scenario as written in a scenario file (format 1), after decoding and validation.
///
/// Field names follow the file: see the README's "Scenario file" section for the schema.
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

    public init(
        name: String, simulation: SimulationSettings = .init(), operators: [OperatorSpec],
        services: [ServiceSpec] = [], allocations: [AllocationSpec] = [], correlation: CorrelationSpec = .independent
    ) {
        self.name = name
        self.simulation = simulation
        self.operators = operators
        self.services = services
        self.allocations = allocations
        self.correlation = correlation
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

    public init(
        trials: Int = SimulationSettings.defaultTrials, seed: UInt64 = SimulationSettings.defaultSeed,
        quantiles: [Double] = SimulationSettings.defaultQuantiles
    ) {
        self.trials = trials
        self.seed = seed
        self.quantiles = quantiles
    }
}

/// `operators[i]` — a node operator.
public struct OperatorSpec: Sendable, Equatable {
    public var id: String
    /// ETH delegated to the operator.
    public var stake: Double
    /// Probability that the operator faults over the horizon.
    public var faultProbability: Double

    public init(id: String, stake: Double, faultProbability: Double) {
        self.id = id
        self.stake = stake
        self.faultProbability = faultProbability
    }
}

/// `services[i]` — a service (AVS / operator set) that slashes the stake allocated to it.
public struct ServiceSpec: Sendable, Equatable {
    public var id: String
    /// Share of the allocated stake slashed when an allocated operator faults.
    public var slashFraction: Double

    public init(id: String, slashFraction: Double) {
        self.id = id
        self.slashFraction = slashFraction
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
}

/// `correlation.factors[k]` — a common factor (a cloud provider, a client, an AVS's software) and the
/// loadings a_ik of the operators exposed to it; operators not listed load 0.
public struct FactorSpec: Sendable, Equatable {
    public var id: String
    public var loadings: [FactorLoading]

    public init(id: String, loadings: [FactorLoading]) {
        self.id = id
        self.loadings = loadings
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
