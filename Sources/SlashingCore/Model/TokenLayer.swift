/// Tokens (LRTs) and portfolios compiled for the loss pass.
///
/// A token t's slashing costs it S_t = Σ_i d_ti · f_i ETH in a trial (d_ti: ETH it delegated to operator i, f_i: the
/// share of operator i's stake slashed); each exploit e that hits it and happens then takes φ_e of the NAV left, so
/// its NAV loss share is x_t = 1 − (1 − S_t/backing_t)·Π_e (1 − φ_e), and it loses L_t = x_t·backing_t ETH. Its market price relative to NAV falls to
/// (1 − x_t)(1 − δ_t), δ_t = min(1, floor + per_nav_loss·x_t + per_queue_day·queue_days) when x_t > 0, else 0.
public struct TokenLayer: Sendable {
    public struct Token: Sendable {
        public let id: String
        public let backing: Double
        /// Sum of delegations (ETH at risk).
        public let delegated: Double
        public let depeg: DepegTerms?
        public let withdrawalQueueDays: Double

        public init(id: String, backing: Double, delegated: Double, depeg: DepegTerms? = nil, withdrawalQueueDays: Double = 0) {
            self.id = id
            self.backing = backing
            self.delegated = delegated
            self.depeg = depeg
            self.withdrawalQueueDays = withdrawalQueueDays
        }

        /// δ_t for a NAV loss share x.
        @inlinable
        public func discount(navLoss x: Double) -> Double {
            guard x > 0, let depeg else { return 0 }
            return min(1, depeg.floorDiscount + depeg.perNAVLoss * x + depeg.perQueueDay * withdrawalQueueDays)
        }
    }

    /// A portfolio: holdings (ETH at NAV per token), and debt with its liquidation terms.
    ///
    /// Market value of the collateral C = Σ_t h_t·(1 − x_t)(1 − δ_t), holdings at NAV V = Σ_t h_t, equity E = V − debt,
    /// NAV after the loss N = Σ_t h_t·(1 − x_t).
    /// Not liquidated (debt ≤ threshold·C): the holder loses the NAV loss V − N (the discount is temporary).
    /// Liquidated: the liquidator repays the debt D and seizes collateral worth D·(1 + π) at market — its bonus π
    /// is on what it seizes, not on the whole collateral — or all of it when C ≤ D·(1 + π). The holder keeps the
    /// share 1 − s of its holdings, s = min(1, D·(1 + π)/C), valued at NAV like an unliquidated holder's, and
    /// loses min(E, V − D − (1 − s)·N).
    public struct Portfolio: Sendable {
        public let id: String
        public let holdings: [(token: Int, amount: Double)]
        public let value: Double
        public let debt: Double
        public let liquidationLTV: Double
        public let liquidationPenalty: Double
        public var equity: Double { value - debt }

        /// `holdings`: (token index, ETH at NAV); no debt means no leverage.
        public init(id: String, holdings: [(token: Int, amount: Double)], debt: Double = 0, liquidationLTV: Double = 1,
                    liquidationPenalty: Double = 0) {
            self.id = id
            self.holdings = holdings
            self.value = holdings.reduce(0) { $0 + $1.amount }
            self.debt = debt
            self.liquidationLTV = liquidationLTV
            self.liquidationPenalty = liquidationPenalty
        }
        public var isLeveraged: Bool { debt > 0 }

        /// (loss, liquidated) given each token's NAV loss share and market discount.
        @inlinable
        public func outcome(navLoss x: UnsafePointer<Double>, discount d: UnsafePointer<Double>) -> (loss: Double, liquidated: Bool) {
            var navLoss = 0.0, market = 0.0
            for (t, h) in holdings {
                navLoss += h * x[t]
                market += h * (1 - x[t]) * (1 - d[t])
            }
            if debt > 0, debt > liquidationLTV * market {
                let seized = market > 0 ? min(1, debt * (1 + liquidationPenalty) / market) : 1
                return (min(equity, value - debt - (1 - seized) * (value - navLoss)), true)
            }
            return (navLoss, false)
        }
    }

    /// An exploit event: a token's own contracts, or a restaking protocol's core contracts (every token built
    /// on it). It happens when its latent variable is below `threshold`, and then takes `navLossFraction` of the
    /// NAV each of its tokens has left (buffer included).
    public struct Exploit: Sendable {
        /// "token eETH" or "protocol eigenlayer", for reports.
        public let label: String
        public let probability: Double
        public let navLossFraction: Double
        /// The copula quantile of `probability`.
        public let threshold: Double
        /// Loadings on the model's K factors (empty: independent of everything else).
        public let loadings: [Double]
        /// 1/√(1 − Σ_k g_k²) (+∞ when the exploit is a function of the factors).
        public let inverseIdiosyncratic: Double
        /// The tokens it hits, ascending.
        public let tokens: [Int]

        public init(label: String, probability: Double, navLossFraction: Double, loadings: [Double] = [], tokens: [Int], copula: Copula = .gaussian) {
            self.label = label
            self.probability = probability
            self.navLossFraction = navLossFraction
            threshold = copula.quantile(probability)
            self.loadings = loadings
            inverseIdiosyncratic = 1 / max(0, 1 - loadings.reduce(0) { $0 + $1 * $1 }).squareRoot()
            self.tokens = tokens.sorted()
        }
    }

    public let tokens: [Token]
    public let portfolios: [Portfolio]
    /// Exploit events (tokens' own, then protocols'), drawn each trial after the slashing.
    public let exploits: [Exploit]
    /// Per token, the exploits that hit it (indices into `exploits`).
    package let exploitsOfToken: [[Int]]
    public var hasExploits: Bool { !exploits.isEmpty }
    /// Per operator i, the tokens delegating to it: `delegations[delegationStart[i] ..< delegationStart[i + 1]]`.
    package let delegationStart: [Int]
    package let delegationToken: [Int]
    package let delegationAmount: [Double]

    public var isEmpty: Bool { tokens.isEmpty }

    /// Tokens with their delegations (operator index, ETH, in file order) and portfolios over them.
    public init(operatorCount n: Int, tokens: [(token: Token, delegations: [(operator: Int, amount: Double)])] = [], portfolios: [Portfolio] = [],
                exploits: [Exploit] = []) {
        self.exploits = exploits
        var ofToken = [[Int]](repeating: [], count: tokens.count)
        for (e, exploit) in exploits.enumerated() { for t in exploit.tokens { ofToken[t].append(e) } }
        exploitsOfToken = ofToken
        var perOperator = [[(Int, Double)]](repeating: [], count: n)
        for (t, entry) in tokens.enumerated() {
            for d in entry.delegations where d.amount > 0 { perOperator[d.operator].append((t, d.amount)) }
        }
        self.tokens = tokens.map(\.token)
        var start = [0], token: [Int] = [], amount: [Double] = []
        for list in perOperator {
            for (t, a) in list { token.append(t); amount.append(a) }
            start.append(token.count)
        }
        delegationStart = start
        delegationToken = token
        delegationAmount = amount
        self.portfolios = portfolios
    }
}
