import Foundation
import SlashingCore

/// Checks named factors: unique ids, loadings on listed operators, each in [−1, 1], and for every
/// operator Σ_k a_ik² ≤ 1 (its idiosyncratic share 1 − Σ a² cannot be negative).
struct FactorValidator {
    let reader: NodeReader

    func validate(_ factors: [FactorSpec], operators: [OperatorSpec], services: [ServiceSpec] = []) {
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
        validateServiceLoadings(factors, services: services)
        for (i, sum) in squares.enumerated() where sum > 1 + ScenarioValidator.tolerance {
            reader.report(places[i].last!, problem: "the squared loadings of operator \"\(operatorIDs[i])\" sum to \(String(format: "%.6g", sum)), above 1 (\(places[i].joined(separator: ", ")))",
                          fix: "lower its loadings so that their squares sum to 1 or less (1 − that sum is its idiosyncratic variance)")
        }
    }

    /// `service_loadings`: known services, loadings in [−1, 1], per service Σ_k g_sk² ≤ 1.
    private func validateServiceLoadings(_ factors: [FactorSpec], services: [ServiceSpec]) {
        let path = "correlation.factors"
        let serviceIDs = services.map(\.id)
        let index = Dictionary(serviceIDs.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        var squares = [Double](repeating: 0, count: services.count)
        var places = [[String]](repeating: [], count: services.count)
        for (k, factor) in factors.enumerated() {
            for loading in factor.serviceLoadings {
                let place = "\(path)[\(k)].service_loadings.\(loading.operator)"
                guard let j = index[loading.operator] else {
                    let hint = closest(to: loading.operator, in: serviceIDs).map { "did you mean \"\($0)\"? " } ?? ""
                    reader.report(place, problem: "unknown service \"\(loading.operator)\" in the service loadings of factor \"\(factor.id)\"",
                                  fix: "\(hint)name a service listed under `services`")
                    continue
                }
                guard loading.loading.isFinite else { continue }
                if !(-1...1).contains(loading.loading) {
                    reader.report(place, problem: "the loading \(s(loading.loading)) is outside [-1, 1]",
                                  fix: "a service loading is the correlation of the service's incident latent variable with the factor, between -1 and 1")
                    continue
                }
                if services[j].incidentProbability == 0 {
                    reader.report(place, problem: "service \"\(loading.operator)\" has no incident_probability, so its loading has no effect",
                                  fix: "give the service an `incident_probability`, or remove this loading")
                }
                squares[j] += loading.loading * loading.loading
                places[j].append(place)
            }
        }
        for (j, sum) in squares.enumerated() where sum > 1 + ScenarioValidator.tolerance {
            reader.report(places[j].last!, problem: "the squared loadings of service \"\(serviceIDs[j])\" sum to \(String(format: "%.6g", sum)), above 1 (\(places[j].joined(separator: ", ")))",
                          fix: "lower its loadings so that their squares sum to 1 or less")
        }
    }
}
