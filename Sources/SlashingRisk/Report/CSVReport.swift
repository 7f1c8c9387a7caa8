import Foundation

extension Report {
    /// The report as CSV, one row per statistic:
    /// `scope,id,statistic,level,value,standard_error,ci95_lower,ci95_upper`.
    public func csv() -> String {
        var rows = ["scope,id,statistic,level,value,standard_error,ci95_lower,ci95_upper"]
        func row(_ scope: String, _ id: String, _ statistic: String, level: Double? = nil, _ value: Double,
                 se: Double? = nil, lower: Double? = nil, upper: Double? = nil) {
            let fields = [scope, CSVField.escape(id), statistic, level.map(CSVField.number) ?? "", CSVField.number(value),
                          se.map(CSVField.number) ?? "", lower.map(CSVField.number) ?? "", upper.map(CSVField.number) ?? ""]
            rows.append(fields.joined(separator: ","))
        }
        row("run", "", "trials", Double(trials))
        row("run", "", "trials_requested", Double(trialsRequested))
        row("run", "", "seed", Double(seed))
        row("total", "", "mean", total.mean, se: total.meanStandardError)
        row("total", "", "standard_deviation", total.standardDeviation)
        row("total", "", "probability_of_loss", total.probabilityOfLoss, se: total.probabilityOfLossStandardError)
        row("total", "", "maximum", total.maximum)
        for q in total.quantiles {
            row("total", "", "var", level: q.level, q.loss, lower: q.ci95[0], upper: q.ci95[1])
        }
        for es in total.expectedShortfall {
            row("total", "", "expected_shortfall", level: es.level, es.loss, se: es.standardError)
        }
        for op in operators {
            row("operator", op.id, "expected_loss", op.expectedLoss, se: op.expectedLossStandardError)
            row("operator", op.id, "probability_of_slash", op.probabilityOfSlash, se: op.probabilityOfSlashStandardError)
        }
        return rows.joined(separator: "\n") + "\n"
    }
}

enum CSVField {
    /// Quotes a field when it holds a comma, quote or line break (RFC 4180).
    static func escape(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// Shortest text that reads back as the same Double.
    static func number(_ x: Double) -> String {
        x.rounded() == x && abs(x) < 1e15 ? String(Int64(x)) : "\(x)"
    }
}
