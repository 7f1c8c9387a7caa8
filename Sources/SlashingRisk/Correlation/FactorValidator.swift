import Foundation

/// Checks named factors: unique ids, loadings on listed operators, each in [−1, 1], and for every
/// operator Σ_k a_ik² ≤ 1 (its idiosyncratic share 1 − Σ a² cannot be negative).
struct FactorValidator {
    let reader: NodeReader

    func validate(_ factors: [FactorSpec], operators: [OperatorSpec]) {
        let path = "correlation.factors"
        if factors.isEmpty, reader.hasMark(path), !reader.diagnostics.contains(where: { $0.path.hasPrefix(path) }) {
            reader.report(path, problem: "the list of factors is empty", fix: "give at least one factor, or omit `correlation` for independent operators")
        }
        let operatorIDs = operators.map(\.id)
        let index = Dictionary(operatorIDs.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        var seen: [String: Int] = [:]
        var squares = [Double](repeating: 0, count: operators.count)
        var places = [[String]](repeating: [], count: operators.count)
        for (k, factor) in factors.enumerated() {
            if !factor.id.isEmpty {
                if let first = seen[factor.id] {
                    reader.report("\(path)[\(k)].id", problem: "duplicate factor id \"\(factor.id)\" (first used at \(path)[\(first)])",
                                  fix: "give every factor its own id, or merge their loadings")
                } else {
                    seen[factor.id] = k
                }
            }
            for loading in factor.loadings {
                let place = "\(path)[\(k)].loadings.\(loading.operator)"
                guard let i = index[loading.operator] else {
                    let hint = closest(to: loading.operator, in: operatorIDs).map { "did you mean \"\($0)\"? " } ?? ""
                    reader.report(place, problem: "unknown operator \"\(loading.operator)\" in the loadings of factor \"\(factor.id)\"",
                                  fix: "\(hint)name an operator listed under `operators`")
                    continue
                }
                guard loading.loading.isFinite else { continue }
                if !(-1...1).contains(loading.loading) {
                    reader.report(place, problem: "the loading \(s(loading.loading)) is outside [-1, 1]",
                                  fix: "a loading is the correlation of the operator's latent variable with the factor, between -1 and 1")
                    continue
                }
                squares[i] += loading.loading * loading.loading
                places[i].append(place)
            }
        }
        for (i, sum) in squares.enumerated() where sum > 1 + ScenarioValidator.tolerance {
            reader.report(places[i].last!, problem: "the squared loadings of operator \"\(operatorIDs[i])\" sum to \(String(format: "%.6g", sum)), above 1 (\(places[i].joined(separator: ", ")))",
                          fix: "lower its loadings so that their squares sum to 1 or less (1 − that sum is its idiosyncratic variance)")
        }
    }
}
