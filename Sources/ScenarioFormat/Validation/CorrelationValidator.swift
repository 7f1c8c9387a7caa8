import SlashingCore

/// Checks a correlation specification against the operators: range of a constant correlation, and
/// for a matrix its size, entries, unit diagonal, symmetry and positive definiteness (by Cholesky).
struct CorrelationValidator {
    let reader: NodeReader

    func validate(_ spec: CorrelationSpec, operators: [OperatorSpec], services: [ServiceSpec]) {
        let n = operators.count
        switch spec {
        case .independent:
            return
        case .constant(let rho):
            guard rho.isFinite, n > 0 else { return }
            let lower = ConstantCorrelation.lowerBound(operators: n)
            if !(rho >= lower && rho < 1) {
                let range = n > 1 ? "[\(lower == -1 ? "-1" : "-1/(N-1) = \(s(lower))"), 1)" : "[-1, 1)"
                reader.report("correlation.constant", problem: "the constant correlation \(s(rho)) is outside \(range) for N = \(n) operators",
                              fix: rho >= 1 ? "use a value below 1 (ρ = 1 makes the matrix singular; 0.99 is close to comonotone)"
                                  : "use a value from \(s(lower)) up to 1: more negative values give no valid correlation matrix for \(n) operators")
            }
        case .matrix(let rows):
            validateMatrix(rows, operators: operators, repair: false)
        case .repairedMatrix(let rows):
            validateMatrix(rows, operators: operators, repair: true)
        case .factors(let factors):
            FactorValidator(reader: reader).validate(factors, operators: operators, services: services)
        case .derived(let derived):
            DerivedCorrelationValidator(reader: reader).validate(derived, operators: operators, services: services)
        }
    }

    private func validateMatrix(_ rows: [[Double]], operators: [OperatorSpec], repair: Bool) {
        let path = "correlation.matrix"
        let n = operators.count
        // Structural problems in the matrix were reported while decoding; checking further would only repeat them.
        if reader.diagnostics.contains(where: { $0.path.hasPrefix(path) }) { return }
        guard rows.count == n else {
            reader.report(path, problem: "the matrix has \(rows.count) rows but the scenario has \(n) operators",
                          fix: "give a \(n)×\(n) matrix, rows and columns in the order of `operators`")
            return
        }
        var ok = true
        for (i, row) in rows.enumerated() where row.count != n {
            reader.report("\(path)[\(i)]", problem: "row \(i) has \(row.count) entries, expected \(n)",
                          fix: "give \(n) entries per row, one per operator in the order of `operators`")
            ok = false
        }
        guard ok else { return }
        for i in 0..<n {
            for j in 0..<n {
                let x = rows[i][j]
                if i == j {
                    if abs(x - 1) > ScenarioValidator.tolerance {
                        reader.report("\(path)[\(i)][\(j)]", problem: "diagonal entry \(s(x)) for operator \"\(operators[i].id)\" is not 1",
                                      fix: "a correlation matrix has 1 on its diagonal")
                        ok = false
                    }
                } else if j > i, !(-1...1).contains(x) {
                    reader.report("\(path)[\(i)][\(j)]", problem: "correlation \(s(x)) is outside [-1, 1]",
                                  fix: "give correlations between -1 and 1")
                    ok = false
                } else if j < i, abs(x - rows[j][i]) > ScenarioValidator.tolerance {
                    reader.report("\(path)[\(i)][\(j)]", problem: "the matrix is not symmetric: entry [\(i)][\(j)] is \(s(x)) but [\(j)][\(i)] is \(s(rows[j][i]))",
                                  fix: "make the correlation of \"\(operators[i].id)\" and \"\(operators[j].id)\" the same in both places")
                    ok = false
                }
            }
        }
        guard ok, !repair else { return }
        do {
            _ = try CholeskyFactor(symmetric: rows)
        } catch {
            let k = error.leadingMinor
            let names = operators.prefix(k).map { "\"\($0.id)\"" }
            let shown = names.count > 6 ? names.prefix(3).joined(separator: ", ") + ", …, " + names.suffix(2).joined(separator: ", ") : names.joined(separator: ", ")
            reader.report(path, problem: "the matrix is not positive definite: its leading \(k)×\(k) minor (operators \(shown)) is not positive, so the Cholesky factorisation fails at operator \"\(operators[k - 1].id)\"",
                          fix: "these correlations are mutually inconsistent; lower the correlations of operator \"\(operators[k - 1].id)\" with the operators before it, or derive the matrix from common factors, or add `repair: nearest` to use the nearest correlation matrix")
        }
    }
}
