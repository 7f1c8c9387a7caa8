extension SimulationResult {
    /// P(operator i loses stake): the share of trials, or its weighted estimate under importance sampling.
    public func slashProbability(ofOperator i: Int) -> Estimate {
        importance?.slashProbabilities[i] ?? Estimate(count: slashCounts[i], trials: trials)
    }

    /// E[ℓ_i], operator i's expected loss (ETH), with its standard error.
    public func expectedLoss(ofOperator i: Int) -> Estimate {
        Estimate(sum: operatorLossSums[i], sumOfSquares: operatorLossSquareSums[i], trials: trials)
    }

    /// Service s's expected share of the losses (ETH).
    public func expectedLoss(ofService s: Int) -> Double { serviceLossSums[s] / Double(trials) }

    /// P(service s has an incident), simulated.
    public func incidentProbability(ofService s: Int) -> Estimate {
        importance?.incidentProbabilities[s] ?? Estimate(count: incidentCounts[s], trials: trials)
    }

    /// P(portfolio p is liquidated).
    public func liquidationProbability(ofPortfolio p: Int) -> Estimate {
        importance?.liquidationProbabilities[p] ?? Estimate(count: liquidationCounts[p], trials: trials)
    }
}
