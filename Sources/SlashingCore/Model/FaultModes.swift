/// Operators' fault modes (unique stake, ELIP-002): a key compromise or double-signing slashes every service at a
/// large fraction, a liveness fault one service at a small one, and so on.
///
/// Operator i with modes k = 1…M, mode k happening with probability q_k over the horizon:
/// - whether it faults at all is decided by its latent variable as for any operator, with
///   p_i = 1 − Π_k (1 − q_k) (so the scenario's correlation joins the operators' faults, as without modes);
/// - given that it faults, which modes happened is drawn from independent Bernoulli(q_k) conditioned on at
///   least one: mode k happens with probability q_k / (1 − Π_{j ≥ k} (1 − q_j)) while none has yet, and q_k
///   once one has. The modes of one operator are then exactly independent with probabilities q_k; the
///   modes of different operators are dependent only through their faults.
/// - allocation a of the operator (service s) is slashed m_a · min(1, Σ_{modes k that happened} φ_ka + v_s·I_s), φ_ka the
///   mode's fraction for s (0 when the mode does not slash s); the operator loses at most its stake.
///
/// An operator without modes has one implicit mode "any fault" with probability p_i and φ_ka = w_s on every
/// service: exactly the model without modes.
public struct FaultModes: Sendable {
    /// One entry per mode, operators in order: its id, its probability q_k, and the probability that it
    /// happens given that no earlier mode of the operator has and the operator faults.
    public let ids: [String]
    public let probabilities: [Double]
    package let whileNoneYet: [Double]
    /// Per operator i, its modes `start[i] ..< start[i + 1]` (empty: the operator has no modes).
    package let start: [Int]
    /// Per mode k, its fraction for each allocation of its operator: `fractions[fractionStart[k] + j]` for the
    /// operator's j-th allocation.
    package let fractions: [Double]
    package let fractionStart: [Int]

    /// Most modes per operator (each trial keeps an operator's modes as the bits of a 32-bit mask).
    public static let maximumPerOperator = 32

    public var isEmpty: Bool { ids.isEmpty }
    /// The most modes any operator has (M: the stride of the modes' uniforms).
    public let widest: Int
    public var count: Int { ids.count }

    /// No modes for any of `n` operators.
    public init(operatorCount n: Int) {
        ids = []
        probabilities = []
        whileNoneYet = []
        start = [Int](repeating: 0, count: n + 1)
        fractions = []
        fractionStart = []
        widest = 0
    }

    /// One mode of an operator: its id, probability, and its fraction per allocation of the operator (in the
    /// order of the operator's allocations in the service layer).
    public struct Mode: Sendable {
        public var id: String
        public var probability: Double
        public var allocationFractions: [Double]

        public init(id: String, probability: Double, allocationFractions: [Double]) {
            self.id = id
            self.probability = probability
            self.allocationFractions = allocationFractions
        }
    }

    /// Modes per operator (an empty list: the operator has none).
    public init(perOperator: [[Mode]]) {
        precondition(perOperator.allSatisfy { $0.count <= Self.maximumPerOperator }, "at most 32 modes per operator")
        var ids: [String] = [], probabilities: [Double] = [], whileNoneYet: [Double] = []
        var start = [0], fractions: [Double] = [], fractionStart: [Int] = []
        for modes in perOperator {
            // Π_{j ≥ k} (1 − q_j), from the last mode back.
            var noneFromHere = [Double](repeating: 1, count: modes.count + 1)
            for k in stride(from: modes.count - 1, through: 0, by: -1) { noneFromHere[k] = noneFromHere[k + 1] * (1 - modes[k].probability) }
            for (k, mode) in modes.enumerated() {
                ids.append(mode.id)
                probabilities.append(mode.probability)
                let some = 1 - noneFromHere[k]
                whileNoneYet.append(some > 0 ? min(1, mode.probability / some) : 0)
                fractionStart.append(fractions.count)
                fractions += mode.allocationFractions
            }
            start.append(ids.count)
        }
        self.ids = ids
        self.probabilities = probabilities
        self.whileNoneYet = whileNoneYet
        self.start = start
        self.fractions = fractions
        self.fractionStart = fractionStart
        widest = perOperator.map(\.count).max() ?? 0
    }

    /// p_i = 1 − Π_k (1 − q_k) of a list of mode probabilities.
    public static func faultProbability(_ q: [Double]) -> Double { 1 - q.reduce(1) { $0 * (1 - $1) } }

    /// Whether operator i has modes.
    @inline(__always)
    package func hasModes(_ i: Int) -> Bool { start[i + 1] > start[i] }

    /// The modes that happened to faulting operator i (bit k − start[i] for mode k), from its uniforms u[0..<M].
    @inline(__always)
    package func draw(operator i: Int, uniforms u: UnsafePointer<Double>) -> UInt32 {
        var mask: UInt32 = 0
        for k in start[i]..<start[i + 1] {
            let p = mask == 0 ? whileNoneYet[k] : probabilities[k]
            if u[k - start[i]] < p { mask |= 1 << UInt32(k - start[i]) }
        }
        return mask
    }

    /// Σ over the modes in `mask` of their fraction for the operator's j-th allocation.
    @inline(__always)
    package func fraction(operator i: Int, allocation j: Int, mask: UInt32) -> Double {
        var total = 0.0, bits = mask
        while bits != 0 {
            let k = start[i] + bits.trailingZeroBitCount
            total += fractions[fractionStart[k] + j]
            bits &= bits - 1
        }
        return total
    }
}
