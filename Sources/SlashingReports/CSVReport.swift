import Foundation
import SlashingCore

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
        if let importance = importanceSampling {
            for (factor, mu) in zip(importance.factors, importance.shift) { row("importance_sampling", factor, "shift", mu) }
            row("importance_sampling", "", "target_loss", level: importance.targetLevel, importance.targetLoss)
            row("importance_sampling", "", "tail_trials", level: importance.targetLevel, Double(importance.tailTrials))
        }
        row("total", "total", "mean", total.mean, se: total.meanStandardError)
        row("total", "total", "standard_deviation", total.standardDeviation)
        row("total", "total", "probability_of_loss", total.probabilityOfLoss, se: total.probabilityOfLossStandardError)
        row("total", "total", "maximum", total.maximum)
        for q in total.quantiles {
            row("total", "total", "var", level: q.level, q.loss, lower: q.ci95[0], upper: q.ci95[1])
        }
        for es in total.expectedShortfall {
            row("total", "total", "expected_shortfall", level: es.level, es.loss, se: es.standardError)
        }
        for op in operators {
            row("operator", op.id, "expected_loss", op.expectedLoss, se: op.expectedLossStandardError)
            row("operator", op.id, "probability_of_slash", op.probabilityOfSlash, se: op.probabilityOfSlashStandardError)
            for c in op.expectedShortfallContributions { row("operator", op.id, "es_contribution", level: c.level, c.loss) }
            for mode in op.faultModes ?? [] {
                row("fault_mode", op.id + "/" + mode.id, "probability", mode.simulatedProbability, se: mode.simulatedProbabilityStandardError)
            }
        }
        for service in services {
            row("service", service.id, "expected_loss", service.expectedLoss)
            if service.incidentProbability > 0 {
                row("service", service.id, "probability_of_incident", service.simulatedIncidentProbability,
                    se: service.simulatedIncidentProbabilityStandardError)
            }
            for c in service.expectedShortfallContributions { row("service", service.id, "es_contribution", level: c.level, c.loss) }
            if let v = service.veto, v.probability > 0 {
                row("service", service.id, "fault_slashes_proposed", v.faultSlashes.proposed)
                row("service", service.id, "fault_slashes_vetoed", v.faultSlashes.vetoed)
                row("service", service.id, "incidents_proposed", v.incidents.proposed)
                row("service", service.id, "incidents_vetoed", v.incidents.vetoed)
            }
        }
        func statistics(_ scope: String, _ id: String, _ t: Total, suffix: String) {
            row(scope, id, "mean" + suffix, t.mean, se: t.meanStandardError)
            row(scope, id, "standard_deviation" + suffix, t.standardDeviation)
            row(scope, id, "maximum" + suffix, t.maximum)
            for q in t.quantiles { row(scope, id, "var" + suffix, level: q.level, q.loss, lower: q.ci95[0], upper: q.ci95[1]) }
            for es in t.expectedShortfall { row(scope, id, "expected_shortfall" + suffix, level: es.level, es.loss, se: es.standardError) }
        }
        /// Rows only when the scenario has exploits, so that the CSV of a scenario without them is unchanged.
        let exploits = tokens.contains { !$0.exploits.isEmpty }
        func byCause(_ scope: String, _ id: String, _ cause: LossByCause) {
            guard exploits else { return }
            row(scope, id, "expected_loss_operator_faults", cause.operatorFaults)
            row(scope, id, "expected_loss_service_incidents", cause.serviceIncidents)
            row(scope, id, "expected_loss_exploits", cause.exploits)
        }
        for token in tokens {
            row("token", token.id, "probability_of_loss", token.loss.probabilityOfLoss, se: token.loss.probabilityOfLossStandardError)
            statistics("token", token.id, token.loss, suffix: "")
            statistics("token", token.id, token.navLossFraction, suffix: "_nav_fraction")
            byCause("token", token.id, token.expectedLossByCause)
        }
        var listed: Set<String> = []
        for e in tokens.flatMap(\.exploits) where listed.insert(e.source).inserted {
            row("exploit", e.source, "probability", e.simulatedProbability, se: e.simulatedProbabilityStandardError)
        }
        for p in portfolios {
            row("portfolio", p.id, "probability_of_liquidation", p.probabilityOfLiquidation, se: p.probabilityOfLiquidationStandardError)
            row("portfolio", p.id, "probability_of_loss", p.loss.probabilityOfLoss, se: p.loss.probabilityOfLossStandardError)
            statistics("portfolio", p.id, p.loss, suffix: "")
            statistics("portfolio", p.id, p.equityLossFraction, suffix: "_equity_fraction")
            byCause("portfolio", p.id, p.expectedLossByCause)
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
