import BatchFiles
import ScenarioFormat
import SlashingCore
import SlashingReports
import Testing

/// Risk contributions (Euler allocation of ES) and the portfolio model: contributions sum to the ES and match
/// an exact enumeration of every fault set; liquidation follows its formula in deterministic cases and the
/// simulated liquidation probability matches the exact token distribution.
@Suite struct ContributionAndPortfolioTests {
    /// Six independent operators: enumerate all 2⁶ fault sets for the exact C_i = (E[ℓ_i·1{L>v}] +
    /// E[ℓ_i | L=v]·(F(v) − q)) / (1 − q).
    @Test func contributionsSumToESAndMatchEnumeration() throws {
        let losses: [Double] = [100, 250, 400, 800, 1300, 2100]
        let probabilities = [0.05, 0.08, 0.04, 0.02, 0.03, 0.01]
        let scenario = ScenarioFixtures.operators(losses: losses, probabilities: probabilities)
        let model = try CompiledModel(scenario: scenario)
        let engine = SimulationEngine(model: model)
        let n = 1_000_000
        let result = engine.run(trials: n, seed: 51, threads: 2)
        let levels = [0.9, 0.99, 0.999]
        let contributions = engine.contributions(sample: result.losses, levels: levels, seed: 51, threads: 2)
        let summary = RiskStatistics.summarize(result.losses, levels: levels)
        // Euler: operators' and services' contributions both add up to the simulated ES.
        for (j, es) in summary.expectedShortfall.enumerated() {
            let byOperator = contributions.operators[j].reduce(0, +), byService = contributions.services[j].reduce(0, +)
            #expect(abs(byOperator - es.loss) <= 1e-9 * es.loss, "level \(levels[j]): Σ operators \(byOperator) vs ES \(es.loss)")
            #expect(abs(byService - es.loss) <= 1e-9 * es.loss)
        }
        // Exact contributions by enumeration.
        var sets: [(p: Double, total: Double, losses: [Double])] = []
        for mask in 0..<(1 << losses.count) {
            var p = 1.0, parts = [Double](repeating: 0, count: losses.count)
            for i in losses.indices {
                if mask & (1 << i) != 0 { p *= probabilities[i]; parts[i] = losses[i] } else { p *= 1 - probabilities[i] }
            }
            sets.append((p, parts.reduce(0, +), parts))
        }
        let exact = ExactDistribution.independent(losses: losses, probabilities: probabilities)
        for (j, q) in levels.enumerated() {
            let v = exact.quantile(q), fv = exact.cdf(v)
            let atV = sets.filter { $0.total == v }, atVMass = atV.reduce(0) { $0 + $1.p }
            for i in losses.indices {
                let beyond = sets.filter { $0.total > v }.reduce(0) { $0 + $1.p * $1.losses[i] }
                let tie = atVMass > 0 ? atV.reduce(0) { $0 + $1.p * $1.losses[i] } / atVMass : 0
                let truth = (beyond + tie * (fv - q)) / (1 - q)
                // Standard error of the tail mean of ℓ_i: √(E[ℓ_i²·1{L ≥ v}]/n)/(1 − q) bounds it.
                let second = sets.filter { $0.total >= v }.reduce(0) { $0 + $1.p * $1.losses[i] * $1.losses[i] }
                let se = (second / Double(n)).squareRoot() / (1 - q)
                let simulated = contributions.operators[j][i]
                #expect(abs(simulated - truth) <= 4 * se + 1e-9, "level \(q) operator \(i): \(simulated) vs exact \(truth) (s.e. \(se))")
            }
        }
        // Same contributions whatever the thread count.
        let one = engine.contributions(sample: result.losses, levels: levels, seed: 51, threads: 1)
        #expect(one.operators == contributions.operators && one.services == contributions.services)
    }

    @Test func liquidationFollowsItsFormula() throws {
        let scenario = Scenario(
            name: "p", operators: [OperatorSpec(id: "a", stake: 100, faultProbability: 0)],
            tokens: [TokenSpec(id: "t", backing: 100, delegations: [("a", 100)], withdrawalQueueDays: 10,
                               depeg: DepegTerms(perNAVLoss: 2, floorDiscount: 0.01, perQueueDay: 0.001))],
            portfolios: [PortfolioSpec(id: "loop", holdings: [("t", 1000)], leverage: LeverageSpec(debt: 880, liquidationLTV: 0.93, liquidationPenalty: 0.05))])
        let layer = try CompiledModel(scenario: scenario).tokens
        let token = layer.tokens[0], loop = layer.portfolios[0]
        #expect(token.discount(navLoss: 0) == 0)
        #expect(abs(token.discount(navLoss: 0.02) - (0.01 + 2 * 0.02 + 0.001 * 10)) < 1e-15)
        #expect(token.discount(navLoss: 0.9) == 1)
        func outcome(_ x: Double) -> (loss: Double, liquidated: Bool) {
            var nav = [x], discount = [token.discount(navLoss: x)]
            return nav.withUnsafeMutableBufferPointer { n in discount.withUnsafeMutableBufferPointer { d in loop.outcome(navLoss: n.baseAddress!, discount: d.baseAddress!) } }
        }
        // No loss: nothing happens.
        #expect(outcome(0) == (0, false))
        // x = 0.1 %: market value 1000·0.999·(1 − 0.022) = 977.022; 880 ≤ 0.93·977.022 = 908.63: kept, loses the NAV loss.
        let small = outcome(0.001)
        #expect(!small.liquidated && abs(small.loss - 1) < 1e-12)
        // x = 2 %: market value 1000·0.98·0.94 = 921.2; 880 > 0.93·921.2 = 856.7: liquidated; the liquidator
        // seizes 880·1.05 = 924 > 921.2, everything: the holder loses its equity, 120.
        let large = outcome(0.02)
        #expect(large.liquidated && large.loss == 120)
        // x = 1.2 %: δ = 0.01 + 0.024 + 0.01 = 4.4 %, market 1000·0.988·0.956 = 944.528; 880 > 0.93·944.528 = 878.41:
        // liquidated. The liquidator seizes 924 of 944.528 (97.83 %); the holder keeps 2.17 % of its holdings,
        // worth 0.021734…·988 = 21.473 at NAV, and loses 1000 − 880 − 21.473 = 98.527 — not the
        // 1000 − 0.95·944.528 = 102.70 a penalty on the whole collateral would take.
        let partial = outcome(0.012)
        let market = 1000 * 0.988 * (1 - (0.01 + 2 * 0.012 + 0.001 * 10))
        let kept = 1 - 880 * 1.05 / market
        #expect(partial.liquidated && abs(partial.loss - (1000 - 880 - kept * 988)) < 1e-9)
        #expect(abs(partial.loss - 98.527) < 1e-3, "\(partial.loss)")
        // x = 1 % : market 1000·0.99·0.96 = 950.4, 0.93·950.4 = 883.87 ≥ 880: kept, loses 10.
        let edge = outcome(0.01)
        #expect(!edge.liquidated && abs(edge.loss - 10) < 1e-12)
    }

    /// Liquidation happens exactly when the token's NAV loss crosses the threshold the formula gives, so the
    /// simulated liquidation probability must match the exact token distribution's tail.
    @Test func simulatedLiquidationProbabilityMatchesTheTokenDistribution() throws {
        let stakes: [Double] = [1000, 3000, 500, 8000]
        let probabilities = [0.05, 0.02, 0.1, 0.01]
        var scenario = ScenarioFixtures.operators(losses: stakes, probabilities: probabilities)
        // Each operator loses its whole stake; the token delegates 1 % of NAV... to op-0 etc.
        scenario.tokens = [TokenSpec(id: "t", backing: 100_000, delegations: [("op-0", 1000), ("op-1", 3000), ("op-2", 500), ("op-3", 8000)],
                                     depeg: DepegTerms(perNAVLoss: 1, floorDiscount: 0.01))]
        scenario.portfolios = [PortfolioSpec(id: "loop", holdings: [("t", 1000)],
                                             leverage: LeverageSpec(debt: 880, liquidationLTV: 0.93, liquidationPenalty: 0.05))]
        let model = try CompiledModel(scenario: scenario)
        let n = 1_000_000
        let result = SimulationEngine(model: model).run(trials: n, seed: 61, threads: 2)
        // Liquidated when 880 > 0.93·1000·(1 − x)(1 − 0.01 − x), x = L/100000.
        let exact = ExactDistribution(ExactDistribution.independentTwoPoint(low: [0, 0, 0, 0], high: stakes, probabilities: probabilities))
        let pLiquidation = exact.atoms.filter { atom in
            let x = atom.loss / 100_000
            return atom.loss > 0 && 880 > 0.93 * 1000 * (1 - x) * (1 - (0.01 + x))
        }.reduce(0) { $0 + $1.probability }
        let phat = Double(result.liquidationCounts[0]) / Double(n)
        #expect(pLiquidation > 0.01)
        #expect(abs(phat - pLiquidation) <= 4 * (pLiquidation * (1 - pLiquidation) / Double(n)).squareRoot(), "\(phat) vs \(pLiquidation)")
    }
}
