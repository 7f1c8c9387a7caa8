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
}
