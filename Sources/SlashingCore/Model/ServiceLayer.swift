/// Services (AVSs) compiled for the kernels: who is allocated where, the slash fraction of a fault and of an
/// incident, and the incident model.
///
/// In one trial, operator i loses stake_i · f_i with f_i = min(1, Σ_s m_is · min(1, w_s·D_i + v_s·I_s)), where
/// D_i is its fault, I_s the incident of service s, w_s the slash fraction, v_s the incident slash fraction
/// (a service slashes at most the whole allocation it holds).
public struct ServiceLayer: Sendable {
    public let ids: [String]
    /// Slash fraction w_s of a fault, and v_s of an incident.
    public let slashFractions: [Double]
    public let incidentSlashFractions: [Double]
    /// Incident probability q_s of each service.
    public let incidentProbabilities: [Double]
    /// Copula quantile of q_s: the incident happens when the service's latent variable is below it.
    public let incidentThresholds: [Double]
    /// Loadings g_sk of the incident latent on the K common factors (S×K, column-major); empty when incidents
    /// are independent of everything else.
    public let incidentLoadings: [Double]
    /// 1/√(1 − Σ_k g_sk²) (+∞ when the incident is a deterministic function of the factors).
    public let incidentInverseIdiosyncratic: [Double]
    /// Indices of services with q_s > 0.
    public let incidentServices: [Int]
    /// Probability r_s that a slash service s proposes is vetoed: each fault slash of an operator on its own, an
    /// incident's slashes of all its operators by one decision. All 0: no vetoes.
    public let vetoProbabilities: [Double]
    public var hasVetoes: Bool { vetoProbabilities.contains { $0 > 0 } }
    /// Loadings of each service's veto latent on the K factors (S×K, column-major; empty: independent vetoes),
    /// the copula quantile of r_s, and 1/√(1 − Σ_k h_sk²).
    public let vetoLoadings: [Double]
    package let vetoThresholds: [Double]
    package let vetoInverseIdiosyncratic: [Double]

    /// Per operator i, its allocations `allocationStart[i] ..< allocationStart[i + 1]` into the arrays below
    /// (the kernels' index arrays: `package`, not API).
    package let allocationStart: [Int]
    package let allocationService: [Int]
    package let allocationMagnitude: [Double]
    /// w_s for that allocation.
    package let allocationFaultFraction: [Double]
    /// v_s for that allocation.
    package let allocationIncidentFraction: [Double]
    /// Per service s, the operators allocated to it with magnitude > 0, ascending:
    /// `members[memberStart[s] ..< memberStart[s + 1]]`.
    package let memberStart: [Int]
    package let members: [Int]

    public var count: Int { ids.count }
    public var hasIncidents: Bool { !incidentServices.isEmpty }

    /// One allocation of operator stake to a service, by index.
    public struct Allocation: Sendable, Equatable {
        public var `operator`: Int
        public var service: Int
        /// Share of the operator's stake allocated to the service, in [0, 1].
        public var magnitude: Double

        public init(operator: Int, service: Int, magnitude: Double) {
            self.operator = `operator`
            self.service = service
            self.magnitude = magnitude
        }
    }

    /// Services from per-service arrays and the allocations (in any order; an operator's allocations keep their
    /// relative order, which fixes the order of its sums). `incidentLoadings` is S×K, column-major, or empty.
    public init(ids: [String], slashFractions: [Double], incidentProbabilities: [Double] = [],
                incidentSlashFractions: [Double?] = [], incidentLoadings: [Double] = [], copula: Copula = .gaussian,
                vetoProbabilities: [Double] = [], vetoLoadings: [Double] = [], operatorCount n: Int, allocations: [Allocation]) {
        self.vetoProbabilities = vetoProbabilities.isEmpty ? [Double](repeating: 0, count: ids.count) : vetoProbabilities
        precondition(self.vetoProbabilities.count == ids.count && vetoLoadings.count % max(1, ids.count) == 0, "one veto probability per service")
        self.vetoLoadings = vetoLoadings
        vetoThresholds = self.vetoProbabilities.map { copula.quantile($0) }
        let vetoK = ids.isEmpty ? 0 : vetoLoadings.count / ids.count
        vetoInverseIdiosyncratic = ids.indices.map { j in
            1 / max(0, 1 - (0..<vetoK).reduce(0.0) { $0 + vetoLoadings[j + $1 * ids.count] * vetoLoadings[j + $1 * ids.count] }).squareRoot()
        }
        let s = ids.count
        let incidentProbabilities = incidentProbabilities.isEmpty ? [Double](repeating: 0, count: s) : incidentProbabilities
        let incidentFractions = incidentSlashFractions.isEmpty ? slashFractions
            : zip(incidentSlashFractions, slashFractions).map { $0 ?? $1 }
        precondition(slashFractions.count == s && incidentProbabilities.count == s && incidentFractions.count == s
                     && incidentLoadings.count % max(1, s) == 0, "one value per service")
        self.ids = ids
        self.slashFractions = slashFractions
        self.incidentSlashFractions = incidentFractions
        self.incidentProbabilities = incidentProbabilities
        incidentThresholds = incidentProbabilities.map { copula.quantile($0) }
        self.incidentLoadings = incidentLoadings
        let k = s == 0 ? 0 : incidentLoadings.count / s
        incidentInverseIdiosyncratic = (0..<s).map { j in
            let systematic = (0..<k).reduce(0.0) { $0 + incidentLoadings[j + $1 * s] * incidentLoadings[j + $1 * s] }
            return 1 / max(0, 1 - systematic).squareRoot()
        }
        incidentServices = (0..<s).filter { incidentProbabilities[$0] > 0 }
        var perOperator = [[(service: Int, magnitude: Double)]](repeating: [], count: n)
        var perService = [[Int]](repeating: [], count: s)
        for a in allocations {
            perOperator[a.operator].append((a.service, a.magnitude))
            if a.magnitude > 0 { perService[a.service].append(a.operator) }
        }
        var start = [0], service: [Int] = [], magnitude: [Double] = [], fault: [Double] = [], incident: [Double] = []
        for list in perOperator {
            for (j, m) in list {
                service.append(j)
                magnitude.append(m)
                fault.append(slashFractions[j])
                incident.append(incidentFractions[j])
            }
            start.append(service.count)
        }
        allocationStart = start
        allocationService = service
        allocationMagnitude = magnitude
        allocationFaultFraction = fault
        allocationIncidentFraction = incident
        var memberStart = [0], members: [Int] = []
        for list in perService {
            members.append(contentsOf: list.sorted())
            memberStart.append(members.count)
        }
        self.memberStart = memberStart
        self.members = members
    }

    /// The share of its operator's stake allocation `a` loses: m_is · min(1, w_s·D_i + v_s·I_s).
    @inline(__always)
    package func slashedShare(allocation a: Int, faulted: Bool, incident: UnsafePointer<Bool>) -> Double {
        slashedShare(allocation: a, faultPart: faulted ? allocationFaultFraction[a] : 0, incident: incident)
    }

    /// The same with the fault's part of the slash given: w_s·D_i, or with fault modes the sum of the fractions
    /// of the modes that happened.
    @inline(__always)
    package func slashedShare(allocation a: Int, faultPart: Double, incident: UnsafePointer<Bool>) -> Double {
        let perUnit = faultPart + (incident[allocationService[a]] ? allocationIncidentFraction[a] : 0)
        return allocationMagnitude[a] * min(1, perUnit)
    }

    /// f_i given the operator's fault and which services had an incident (`incident[s]`).
    @inline(__always)
    package func slashedFraction(operator i: Int, faulted: Bool, incident: UnsafePointer<Bool>) -> Double {
        var total = 0.0
        for a in allocationStart[i]..<allocationStart[i + 1] { total += slashedShare(allocation: a, faulted: faulted, incident: incident) }
        return min(1, total)
    }
}
