import Foundation
import SlashingCore

/// Builds the factor form of `correlation.derived` from what operators share.
///
/// Each weight becomes a factor with loading √w on every operator it covers: `common` on all operators,
/// a service's weight on the operators allocated to it, a tag kind's weight on the operators with the same
/// value of that tag. Operators i ≠ j then have latent correlation Σ_k a_ik·a_jk = common + Σ shared-service
/// weights + Σ equal-tag weights. An operator whose squared loadings add up above `maximumSystematic` has its
/// loadings scaled by √(maximumSystematic / sum), so the matrix stays a valid correlation matrix.
/// A service's incident loads √incidents on that service's factor.
struct DerivedFactors {
    var ids: [String] = []
    /// N×K, column-major.
    var loadings: [Double] = []
    /// S×K, column-major.
    var serviceLoadings: [Double] = []
    var warnings: [String] = []

    init(spec: DerivedCorrelationSpec, scenario: Scenario, operatorIndex: [String: Int]) {
        let n = scenario.operators.count, serviceCount = scenario.services.count
        var columns: [(id: String, operators: [Int], weight: Double, service: Int?)] = []
        if spec.common > 0 { columns.append(("common", Array(0..<n), spec.common, nil)) }
        var members = [[Int]](repeating: [], count: serviceCount)
        let serviceIndex = Dictionary(uniqueKeysWithValues: scenario.services.enumerated().map { ($1.id, $0) })
        for a in scenario.allocations where a.magnitude > 0 { members[serviceIndex[a.service]!].append(operatorIndex[a.operator]!) }
        for (j, service) in scenario.services.enumerated() {
            let w = spec.serviceWeights[service.id] ?? spec.sharedServices
            let loadsIncident = spec.incidents > 0 && service.incidentProbability > 0
            guard w > 0, members[j].count >= 2 || (loadsIncident && !members[j].isEmpty) else { continue }
            columns.append(("service:\(service.id)", members[j].sorted(), w, loadsIncident ? j : nil))
        }
        for (kind, w) in spec.tags.sorted(by: { $0.key < $1.key }) where w > 0 {
            var groups: [String: [Int]] = [:]
            for (i, op) in scenario.operators.enumerated() { if let v = op.tags[kind] { groups[v, default: []].append(i) } }
            for (value, group) in groups.sorted(by: { $0.key < $1.key }) where group.count >= 2 {
                columns.append(("\(kind)=\(value)", group, w, nil))
            }
        }
        let k = columns.count
        ids = columns.map(\.id)
        loadings = [Double](repeating: 0, count: n * k)
        serviceLoadings = [Double](repeating: 0, count: serviceCount * k)
        var systematic = [Double](repeating: 0, count: n)
        for (c, column) in columns.enumerated() {
            let a = column.weight.squareRoot()
            for i in column.operators { loadings[i + c * n] = a; systematic[i] += column.weight }
            if let j = column.service { serviceLoadings[j + c * serviceCount] = spec.incidents.squareRoot() }
        }
        var scaled: [String] = []
        for i in 0..<n where systematic[i] > spec.maximumSystematic {
            let factor = (spec.maximumSystematic / systematic[i]).squareRoot()
            for c in 0..<k { loadings[i + c * n] *= factor }
            scaled.append("\(scenario.operators[i].id) (\(String(format: "%.3g", systematic[i])))")
        }
        if !scaled.isEmpty {
            let shown = scaled.count > 5 ? scaled.prefix(5).joined(separator: ", ") + ", …" : scaled.joined(separator: ", ")
            warnings.append("correlation.derived: the weights of \(scaled.count) operator\(scaled.count == 1 ? "" : "s") add up above max_systematic = \(s(spec.maximumSystematic)) "
                + "(\(shown)); their loadings were scaled down to it, so their correlations are lower than the sum of the weights")
        }
    }
}
