/// Scenario texts shared by the library and command-line tests.
public enum Fixtures {
    /// Three operators, two AVSs, a constant correlation: the base that bad-input cases edit. Line and
    /// column numbers in the expected messages refer to this text.
    public static let threeOperatorScenario = """
        name: Two AVSs sharing operators
        simulation: {trials: 100000, seed: 42, quantiles: [0.5, 0.9, 0.99]}
        operators:
          - {id: op-a, stake: 32000, fault_probability: 0.01}
          - {id: op-b, stake: 64000, fault_probability: 0.02}
          - {id: op-c, stake: 16000, fault_probability: 0.03}
        services:
          - {id: oracle-avs, slash_fraction: 0.5}
          - {id: bridge-avs, slash_fraction: 1.0}
        allocations:
          - {operator: op-a, service: oracle-avs, magnitude: 0.4}
          - {operator: op-a, service: bridge-avs, magnitude: 0.6}
          - {operator: op-b, service: bridge-avs, magnitude: 1.0}
        correlation: {constant: 0.2}

        """

    /// Two operators, two AVSs, an explicit 2×2 matrix: the command-line tests' scenario.
    public static let twoOperatorScenario = """
        name: Two AVSs sharing operators
        simulation: {trials: 50000, seed: 42, quantiles: [0.5, 0.9, 0.99, 0.999]}
        operators:
          - {id: op-a, stake: 32000, fault_probability: 0.01}
          - {id: op-b, stake: 64000, fault_probability: 0.02}
        services:
          - {id: oracle-avs, slash_fraction: 0.5}
          - {id: bridge-avs, slash_fraction: 1.0}
        allocations:
          - {operator: op-a, service: oracle-avs, magnitude: 0.4}
          - {operator: op-a, service: bridge-avs, magnitude: 0.6}
          - {operator: op-b, service: bridge-avs, magnitude: 1.0}
        correlation: {matrix: [[1, 0.3], [0.3, 1]]}

        """

    /// Every restaking field at once: tags, incidents, named factors with service loadings, the Student t
    /// copula, a token with a depeg model and a leveraged portfolio: the base of the restaking bad-input cases.
    public static let restakingScenario = """
        name: Restaking
        simulation: {trials: 20000, seed: 7, quantiles: [0.9, 0.99]}
        copula: {student_t: {degrees_of_freedom: 4}}
        operators:
          - {id: op-a, stake: 32000, fault_probability: 0.01, tags: {cloud: aws, client: lighthouse}}
          - {id: op-b, stake: 64000, fault_probability: 0.02, tags: {cloud: aws, client: prysm}}
          - {id: op-c, stake: 16000, fault_probability: 0.03, tags: {cloud: gcp, client: prysm}}
        services:
          - {id: oracle-avs, slash_fraction: 0.5, incident_probability: 0.01, incident_slash_fraction: 1.0}
          - {id: bridge-avs, slash_fraction: 1.0}
        allocations:
          - {operator: op-a, service: oracle-avs, magnitude: 0.4}
          - {operator: op-a, service: bridge-avs, magnitude: 0.6}
          - {operator: op-b, service: bridge-avs, magnitude: 1.0}
          - {operator: op-c, service: oracle-avs, magnitude: 0.5}
        correlation:
          factors:
            - {id: aws, loadings: {op-a: 0.5, op-b: 0.5}, service_loadings: {oracle-avs: 0.3}}
            - {id: prysm, loadings: {op-b: 0.4, op-c: 0.4}}
        tokens:
          - id: lrt
            backing: 100000
            delegations: {op-a: 30000, op-b: 60000}
            withdrawal_queue_days: 7
            depeg: {per_nav_loss: 2.0, floor_discount: 0.01, per_queue_day: 0.001}
        portfolios:
          - {id: loop, holdings: {lrt: 1000}, leverage: {debt: 850, liquidation_threshold: 0.93, liquidation_penalty: 0.05}}

        """
}
