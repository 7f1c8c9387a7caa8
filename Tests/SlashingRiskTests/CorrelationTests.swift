import BatchFiles
import ScenarioFormat
import SlashingCore
import SlashingReports
import Testing

@Suite struct NearestCorrelationTests {
    /// Higham (2002), section 4: A = [1 1 0; 1 1 1; 0 1 1] has nearest correlation matrix
    /// [1 .7607 .1573; .7607 1 .7607; .1573 .7607 1] (to four decimals).
    @Test func highamThreeByThreeExample() {
        let result = NearestCorrelation.repair([[1, 1, 0], [1, 1, 1], [0, 1, 1]])
        let expected: [[Double]] = [[1, 0.7607, 0.1573], [0.7607, 1, 0.7607], [0.1573, 0.7607, 1]]
        for i in 0..<3 { for j in 0..<3 { #expect(abs(result.matrix[i][j] - expected[i][j]) < 5e-5, "[\(i)][\(j)] = \(result.matrix[i][j])") } }
        #expect(abs(result.smallestEigenvalueBefore - (1 - 2.0.squareRoot())) < 1e-12)  // eigenvalues 1 − √2, 1, 1 + √2
        #expect(result.smallestEigenvalueAfter >= 1e-8 * 0.99)
        #expect(abs(result.frobeniusDistance - 0.52779) < 1e-4)
        // And the result factorises.
        #expect(throws: Never.self) { _ = try CholeskyFactor(symmetric: result.matrix) }
    }

    /// Higham (2002) / NAG g02aa example: the tridiagonal [2 −1; −1 2 −1; …] of order 4.
    @Test func highamTridiagonalExample() {
        let a: [[Double]] = [[2, -1, 0, 0], [-1, 2, -1, 0], [0, -1, 2, -1], [0, 0, -1, 2]]
        let expected: [[Double]] = [[1, -0.8084, 0.1916, 0.1068], [-0.8084, 1, -0.6562, 0.1916],
                                    [0.1916, -0.6562, 1, -0.8084], [0.1068, 0.1916, -0.8084, 1]]
        let result = NearestCorrelation.repair(a)
        for i in 0..<4 { for j in 0..<4 { #expect(abs(result.matrix[i][j] - expected[i][j]) < 5e-5) } }
    }

    @Test func nearlySingularMatricesAreFlaggedAndWellConditionedOnesAreNot() throws {
        let near = try CholeskyFactor(symmetric: [[1, 0.99999999999], [0.99999999999, 1]])
        #expect(near.conditionNumber > 1e10)
        let fine = try CholeskyFactor(symmetric: [[1, 0.3], [0.3, 1]])
        // Exact 1-norm condition number of [[1, .3], [.3, 1]]: 1.3 · 1.3/0.91 = 1.857…; dpocon estimates it.
        #expect(abs(fine.conditionNumber - 1.3 * 1.3 / 0.91) < 0.2)
    }

    @Test func repairedScenarioMatrixIsUsedAndReported() throws {
        let scenario = ScenarioFixtures.operators(losses: [1, 1, 1], probabilities: [0.1, 0.1, 0.1],
                                                  correlation: .repairedMatrix([[1, 1, 0], [1, 1, 1], [0, 1, 1]]))
        let model = try CompiledModel(scenario: scenario)
        let repair = try #require(model.repair)
        #expect(abs(repair.frobeniusDistance - 0.52779) < 1e-4)
        #expect(model.dependenceDescription.contains("repaired to the nearest correlation matrix"))
        // A positive definite matrix is used as given.
        let fine = try CompiledModel(scenario: ScenarioFixtures.operators(
            losses: [1, 1], probabilities: [0.1, 0.1], correlation: .repairedMatrix([[1, 0.5], [0.5, 1]])))
        #expect(fine.repair == nil)
    }
}
